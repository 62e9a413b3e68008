// Package filename reads the moment a file name tells: the date, and the
// time of day, that phones, cameras and messaging apps put in the names of
// the photos and videos they save (IMG_20240601_211403.jpg,
// PXL_20240601_191403123.mp4, "Screenshot 2024-06-01 at 21.14.03.png",
// IMG-20240601-WA0007.jpg).
//
// No standard defines these names (DCF, CIPA DC-009, fixes only the 8.3
// "IMG_1234.JPG" form: four free characters and a file number, no date);
// the forms read are the vendors' own, collected from their files. Moment's doc
// comment lists them, with the checks that keep identifiers, versions and
// Unix times from passing for a date; the root's ScanName documents the
// same contract for callers.
//
// The package takes a base name and returns plain text in ISO 8601 form,
// without a time zone (the names have none); it does not split paths, or
// convert to time.Time.
package filename

import (
	"fmt"
	"strings"

	"github.com/exifscrub/exifscrub/internal/date"
)

// Moment returns the moment that the base name name tells, in ISO 8601
// form without a time zone: "2024-06-01T21:14:03", "2024-06-01T19:14:03.123"
// with the milliseconds of a Pixel name, or "2024-06-01" for a date alone.
//
// A name is taken to hold a date and time when it has, between non-digits:
//
//   - a date as 8 digits (yyyyMMdd) or as yyyy-MM-dd (or yyyy_MM_dd),
//     followed by '_', '-', 'T', ' ' or " at " and a time as 6 digits
//     (HHmmss, then up to 3 digits of fraction), or as HH.mm.ss with '.',
//     ':', '-', '_' or ' ' between its fields (an hour of one digit, and
//     AM or PM, as older macOS screenshots have them, too);
//   - or 14 to 17 digits in a row: yyyyMMddHHmmss and a fraction
//     (BURST20240601211403, DJI_20240601211403_0001.JPG).
//
// A date alone counts when written yyyy-MM-dd or yyyy_MM_dd, or as 8 digits
// in WhatsApp's form (IMG-20240601-WA0007.jpg, VID-, AUD-, PTT-, STK-,
// DOC-). Every field must be plausible: a year from 1990 to 2100, a month
// and a day that exist, an hour, minute and second on a clock. Eight digits
// alone (20240601.jpg, v2.20240601) are not a date, nor are runs of digits
// longer than a date and time, nor Unix times (FB_IMG_1717276443123.jpg).
// A date and time anywhere in the name wins over a date alone before it.
func Moment(name string) (string, bool) {
	for pass := 0; pass < 2; pass++ {
		for i := 0; i < len(name); i++ {
			if !isDigit(name[i]) || (i > 0 && isDigit(name[i-1])) {
				continue
			}
			var v string
			var ok bool
			if pass == 0 {
				v, ok = dateTimeAt(name, i)
			} else {
				v, ok = dateAt(name, i)
			}
			if ok {
				return v, true
			}
		}
	}
	return "", false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digits returns the length of the run of digits at s[i:].
func digits(s string, i int) int {
	n := 0
	for i+n < len(s) && isDigit(s[i+n]) {
		n++
	}
	return n
}

// atoi returns the value of the digits s, which are all digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// A nameDate is the date part of a name and where it ends.
type nameDate struct {
	y, m, d int
	end     int
}

// valid reports whether the date exists and is within the years a
// digital photo can have been taken in.
func (d nameDate) valid() bool {
	if d.y < 1990 || d.y > 2100 || d.m < 1 || d.m > 12 || d.d < 1 {
		return false
	}
	return d.d <= date.DaysIn(d.y, d.m)
}

func (d nameDate) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d) }

// compactDate reads yyyyMMdd, a run of exactly 8 digits, at s[i:].
func compactDate(s string, i int) (nameDate, bool) {
	if digits(s, i) != 8 {
		return nameDate{}, false
	}
	d := nameDate{atoi(s[i : i+4]), atoi(s[i+4 : i+6]), atoi(s[i+6 : i+8]), i + 8}
	return d, d.valid()
}

// dashedDate reads yyyy-MM-dd or yyyy_MM_dd at s[i:].
func dashedDate(s string, i int) (nameDate, bool) {
	if digits(s, i) != 4 || i+10 > len(s) {
		return nameDate{}, false
	}
	sep := s[i+4]
	if (sep != '-' && sep != '_') || s[i+7] != sep || digits(s, i+5) != 2 || digits(s, i+8) != 2 {
		return nameDate{}, false
	}
	d := nameDate{atoi(s[i : i+4]), atoi(s[i+5 : i+7]), atoi(s[i+8 : i+10]), i + 10}
	return d, d.valid()
}

// dateTimeAt reads a date and time starting at s[i], the first digit of a
// run, and returns it in ISO 8601 form.
func dateTimeAt(s string, i int) (string, bool) {
	if n := digits(s, i); n >= 14 && n <= 17 {
		// yyyyMMddHHmmss and up to 3 digits of fraction, in one run.
		d := nameDate{atoi(s[i : i+4]), atoi(s[i+4 : i+6]), atoi(s[i+6 : i+8]), i + 8}
		if !d.valid() {
			return "", false
		}
		t, ok := compactTime(s[i+8 : i+n])
		return d.String() + "T" + t, ok
	}
	d, ok := compactDate(s, i)
	if !ok {
		if d, ok = dashedDate(s, i); !ok {
			return "", false
		}
	}
	j := d.end
	switch {
	case strings.HasPrefix(s[j:], " at "): // macOS: "Screenshot 2024-06-01 at 21.14.03"
		j += 4
	case j < len(s) && strings.IndexByte("_-T ", s[j]) >= 0:
		j++
	default:
		return "", false
	}
	if n := digits(s, j); n >= 6 && n <= 9 {
		t, ok := compactTime(s[j : j+n])
		return d.String() + "T" + t, ok
	}
	t, ok := separatedTime(s, j)
	return d.String() + "T" + t, ok
}

// compactTime reads HHmmss followed by up to 3 digits of a fraction of a
// second: all of s, which is digits.
func compactTime(s string) (string, bool) {
	if len(s) < 6 || len(s) > 9 {
		return "", false
	}
	h, m, sec := atoi(s[0:2]), atoi(s[2:4]), atoi(s[4:6])
	if h > 23 || m > 59 || sec > 59 {
		return "", false
	}
	t := fmt.Sprintf("%02d:%02d:%02d", h, m, sec)
	if len(s) > 6 {
		t += "." + s[6:]
	}
	return t, true
}

// separatedTime reads H.mm.ss or HH.mm.ss at s[i:], the separator being
// one of ".:-_ " and the same twice, followed by a non-digit. An hour of
// one digit needs AM or PM after the seconds; with AM or PM the hour is
// on a 12-hour clock.
func separatedTime(s string, i int) (string, bool) {
	hn := digits(s, i)
	if hn < 1 || hn > 2 || i+hn+6 > len(s) {
		return "", false
	}
	j := i + hn
	sep := s[j]
	if strings.IndexByte(".:-_ ", sep) < 0 || digits(s, j+1) != 2 || s[j+3] != sep || digits(s, j+4) != 2 {
		return "", false
	}
	h, m, sec := atoi(s[i:j]), atoi(s[j+1:j+3]), atoi(s[j+4:j+6])
	end := j + 6
	ampm := ""
	rest := strings.TrimPrefix(s[end:], " ")
	rest = strings.TrimPrefix(rest, "\u202f") // macOS 13 and later: a narrow no-break space before PM
	if len(rest) >= 2 {
		switch strings.ToUpper(rest[:2]) {
		case "AM", "PM":
			if len(rest) == 2 || !isLetter(rest[2]) {
				ampm = strings.ToUpper(rest[:2])
			}
		}
	}
	switch {
	case ampm != "":
		if h < 1 || h > 12 {
			return "", false
		}
		h %= 12
		if ampm == "PM" {
			h += 12
		}
	case hn == 1:
		return "", false
	}
	if h > 23 || m > 59 || sec > 59 {
		return "", false
	}
	return fmt.Sprintf("%02d:%02d:%02d", h, m, sec), true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// whatsAppPrefixes start the names WhatsApp gives media it saves:
// IMG-20240601-WA0007.jpg.
var whatsAppPrefixes = []string{"IMG-", "VID-", "AUD-", "PTT-", "STK-", "DOC-"}

// dateAt reads a date alone at s[i], the first digit of a run.
func dateAt(s string, i int) (string, bool) {
	if d, ok := dashedDate(s, i); ok && digits(s, d.end) == 0 {
		return d.String(), true
	}
	d, ok := compactDate(s, i)
	if !ok {
		return "", false
	}
	if len(s)-d.end >= 3 && strings.EqualFold(s[d.end:d.end+3], "-WA") {
		return d.String(), true
	}
	for _, p := range whatsAppPrefixes {
		if i >= len(p) && strings.EqualFold(s[i-len(p):i], p) {
			return d.String(), true
		}
	}
	return "", false
}
