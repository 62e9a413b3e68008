// Package date reads the date and time forms that metadata holds, so that
// a kept value can be checked and written anew from its fields (nothing
// of the original text is copied):
//
//   - ISO 8601 dates and times (ParseISO): the XMP Date type (XMP
//     Specification Part 1, "Date"), QuickTime's '©day' and
//     com.apple.quicktime.creationdate, ImageMagick's PNG date:create;
//   - EXIF's "YYYY:MM:DD" dates, "HH:MM:SS" times of day and "±HH:MM"
//     offsets from UTC (IsDate, IsClock, IsOffset; CIPA DC-008 §4.6.4 C,
//     §4.6.5 G);
//   - IPTC-IIM's CCYYMMDD dates and HHMMSS±HHMM times (IsIIMDate,
//     IsIIMTime; IPTC-IIM 4.2 §6);
//   - RFC 1123's dates, which PNG suggests for "Creation Time" (RFC1123).
//
// UnixUTC writes the seconds of the ISO-BMFF and QuickTime times.
//
// Every function takes plain text and returns plain values; none
// allocates from the text's content or panics. The package does not know
// which property or tag holds which form, or what to keep: its callers
// (internal/tiff, internal/xmp, the root's tables) decide that. It checks
// ranges (months, days of the month, hours, minutes, seconds with a leap
// second, zones within ±14:00), not whether a date existed or is
// plausible, and converts nothing to time.Time.
package date

import (
	"strconv"
	"strings"
)

// An ISO is a date and time in one of the ISO 8601 forms that kept
// metadata may hold, parsed into its fields:
//
//	YYYY | YYYY-MM | YYYY-MM-DD | YYYY-MM-DDThh:mm[:ss[.s…]][TZD]
//
// with TZD "Z", "±hh:mm" or, in the basic format ISO 8601 §4.2.5.1 also
// allows, "±hhmm" or "±hh". These are the forms of the XMP Date value type
// (XMP Specification Part 1, "Date": a subset of the W3C note "Date and
// Time Formats"; the time zone "need not be present"), and those that
// QuickTime '©day' and com.apple.quicktime.creationdate hold
// ("2024-06-01T21:14:03+0200").
type ISO struct {
	Year, Month, Day, Hour, Min, Sec int
	Frac                             string // the digits of a decimal fraction of a second, at most 9
	Fields                           int    // 1 year, 2 month, 3 day, 4 minutes, 5 seconds
	Zone                             string // "", "Z", ±hh:mm, ±hhmm or ±hh, written from its numbers
}

// Zones says whether ParseISO takes a zone without its colon (±hhmm,
// ±hh), which XMP does not allow.
type Zones bool

const (
	ExtendedZones Zones = false // Z or ±hh:mm (XMP)
	BasicZones    Zones = true  // also ±hhmm and ±hh (QuickTime)
)

// ParseISO parses s, which must be one of ISO's forms and nothing else,
// with every field in its range: a month 01–12, a day that the month
// has, hours 00–23, minutes 00–59, seconds 00–60 (a leap second), a zone
// within ±14:00 with minutes 00–59.
func ParseISO(s string, zones Zones) (ISO, bool) {
	var d ISO
	c := cursor{s: s, ok: true}
	d.Year, d.Fields = c.digits(4), 1
	if c.take('-') {
		d.Month, d.Fields = c.digits(2), 2
		if c.take('-') {
			d.Day, d.Fields = c.digits(2), 3
			if c.take('T') {
				d.Hour = c.digits(2)
				c.need(':')
				d.Min, d.Fields = c.digits(2), 4
				if c.take(':') {
					d.Sec, d.Fields = c.digits(2), 5
					if c.take('.') {
						start := c.i
						for c.i < len(c.s) && isDigit(c.s[c.i]) {
							c.i++
						}
						d.Frac = c.s[start:c.i]
						c.ok = c.ok && len(d.Frac) >= 1 && len(d.Frac) <= 9
					}
				}
				d.Zone = c.zone(zones)
			}
		}
	}
	if !c.ok || c.i != len(s) || d.Fields >= 2 && (d.Month < 1 || d.Month > 12) ||
		d.Fields >= 3 && (d.Day < 1 || d.Day > DaysIn(d.Year, d.Month)) ||
		d.Hour > 23 || d.Min > 59 || d.Sec > 60 {
		return ISO{}, false
	}
	return d, true
}

// String writes the date in the form it was read.
func (d ISO) String() string {
	var b strings.Builder
	b.WriteString(Pad(d.Year, 4))
	for i, v := range []int{d.Month, d.Day} {
		if d.Fields >= i+2 {
			b.WriteString("-" + Pad(v, 2))
		}
	}
	if d.Fields >= 4 {
		b.WriteString("T" + Pad(d.Hour, 2) + ":" + Pad(d.Min, 2))
		if d.Fields >= 5 {
			b.WriteString(":" + Pad(d.Sec, 2))
			if d.Frac != "" {
				b.WriteString("." + d.Frac)
			}
		}
		b.WriteString(d.Zone)
	}
	return b.String()
}

// A cursor reads a date's fields, with a sticky ok.
type cursor struct {
	s  string
	i  int
	ok bool
}

// digits reads exactly n digits as a number.
func (c *cursor) digits(n int) int {
	if !c.ok || c.i+n > len(c.s) {
		c.ok = false
		return 0
	}
	v := 0
	for _, ch := range []byte(c.s[c.i : c.i+n]) {
		if !isDigit(ch) {
			c.ok = false
			return 0
		}
		v = v*10 + int(ch-'0')
	}
	c.i += n
	return v
}

// take reads ch if it is next.
func (c *cursor) take(ch byte) bool {
	if c.ok && c.i < len(c.s) && c.s[c.i] == ch {
		c.i++
		return true
	}
	return false
}

// need reads ch, which must be next.
func (c *cursor) need(ch byte) {
	if !c.take(ch) {
		c.ok = false
	}
}

// zone reads an optional time zone designator and returns it as it is
// written: in the form read, from the numbers read.
func (c *cursor) zone(zones Zones) string {
	sign := ""
	switch {
	case c.take('Z'):
		return "Z"
	case c.take('+'):
		sign = "+"
	case c.take('-'):
		sign = "-"
	default:
		return ""
	}
	h := c.digits(2)
	var m int
	var out string
	switch {
	case c.take(':'):
		m = c.digits(2)
		out = sign + Pad(h, 2) + ":" + Pad(m, 2)
	case zones == ExtendedZones:
		c.ok = false
	case c.i+2 <= len(c.s):
		m = c.digits(2)
		out = sign + Pad(h, 2) + Pad(m, 2)
	default:
		out = sign + Pad(h, 2)
	}
	if h*60+m > 14*60 || m > 59 {
		c.ok = false
	}
	return out
}

// DaysIn returns the number of days of a month (1–12) of the proleptic
// Gregorian calendar.
func DaysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// Pad writes v with at least n digits.
func Pad(v, n int) string {
	s := strconv.Itoa(v)
	for len(s) < n {
		s = "0" + s
	}
	return s
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
