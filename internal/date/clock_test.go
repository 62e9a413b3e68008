package date

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// unixOracle is what UnixUTC replaced.
func unixOracle(secs int64) string {
	return time.Unix(secs, 0).UTC().Format("2006-01-02 15:04:05")
}

// TestUnixUTC checks UnixUTC against package time: every day from the
// year 0 to 2600 at a second that changes from day to day, the first and
// last second of each day from 1900 to 2200, the ISO-BMFF epoch, the
// years 9999 to 10000, and random seconds up to 1<<40 after 1904
// (mp4Time's and movTime's bound).
func TestUnixUTC(t *testing.T) {
	check := func(secs int64) {
		t.Helper()
		if got, want := UnixUTC(secs), unixOracle(secs); got != want {
			t.Fatalf("UnixUTC(%d) = %q, want %q", secs, got, want)
		}
	}
	const year0, year1900, year2200, year2600 = -62167219200, -2208988800, 7258118400, 19880899200
	for d, i := int64(year0), int64(0); d < year2600; d, i = d+86400, i+1 {
		check(d + i*7919%86400)
		if year1900 <= d && d < year2200 {
			check(d)
			check(d + 86399)
		}
	}
	for _, s := range []int64{-2082844800, -1, 0, 1, 253402300799, 253402300800, 1<<40 - 2082844800} {
		check(s)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		check(r.Int64N(1<<40) - 2082844800)
	}
}

// TestDaysIn checks DaysIn against package time (filename.go used
// time.Date(year, month+1, 0, …).Day()).
func TestDaysIn(t *testing.T) {
	for y := 0; y <= 2600; y++ {
		for m := 1; m <= 12; m++ {
			if got, want := DaysIn(y, m), time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day(); got != want {
				t.Fatalf("DaysIn(%d, %d) = %d, want %d", y, m, got, want)
			}
		}
	}
}

// rfc1123Oracle is what RFC1123 replaced (png_text.go), in UTC as the
// WebAssembly module's local time zone holds no zone named GMT.
func rfc1123Oracle(s string) (string, bool) {
	for _, layout := range []string{time.RFC1123Z, time.RFC1123} {
		t, err := time.ParseInLocation(layout, s, time.UTC)
		if err == nil && (layout == time.RFC1123Z || strings.HasSuffix(s, " GMT") || strings.HasSuffix(s, " UTC")) {
			return t.Format(layout), true
		}
	}
	return "", false
}

var rfc1123Seeds = []string{
	"Mon, 02 Jan 2006 15:04:05 -0700",
	"Mon, 02 Jan 2006 15:04:05 +0000",
	"Mon, 02 Jan 2006 15:04:05 -0000",
	"Mon, 02 Jan 2006 15:04:05 +2460",
	"Mon, 02 Jan 2006 15:04:05 +2461",
	"Mon, 02 Jan 2006 15:04:05 +2500",
	"Mon, 02 Jan 2006 15:04:05 +0060",
	"Mon, 02 Jan 2006 15:04:05 GMT",
	"Mon, 02 Jan 2006 15:04:05 UTC",
	"Mon, 02 Jan 2006 15:04:05 MST",
	"Mon, 02 Jan 2006 15:04:05 GMT+1",
	"Mon, 02 Jan 2006 15:04:05 +01:00",
	"Mon, 02 Jan 2006 15:04:05  GMT",
	"Mon, 02 Jan 2006 15:04:05 GMT ",
	"Mon, 02 Jan 2006 15:04:05 gmt",
	"Mon,02 Jan 2006 15:04:05 GMT",
	"Mon,   02   Jan   2006   15:04:05   +0100",
	"Fri, 02 Jan 2006 15:04:05 +0100",
	"mOn, 02 jAN 2006 15:04:05 +0100",
	"Xyz, 02 Jan 2006 15:04:05 +0100",
	"Monday, 02 Jan 2006 15:04:05 +0100",
	"Mon, 2 Jan 2006 15:04:05 +0100",
	"Mon, 02 January 2006 15:04:05 +0100",
	"Mon, 02 Jan 06 15:04:05 +0100",
	"Mon, 02 Jan 2006 5:04:05 +0100",
	"Mon, 02 Jan 2006 05:4:05 +0100",
	"Mon, 02 Jan 2006 24:00:00 +0100",
	"Mon, 02 Jan 2006 23:60:00 +0100",
	"Mon, 02 Jan 2006 23:59:60 +0100",
	"Mon, 02 Jan 2006 15:04:05.123 +0100",
	"Mon, 02 Jan 2006 15:04:05,1 GMT",
	"Mon, 02 Jan 2006 15:04:05. GMT",
	"Mon, 02 Jan 2006 15:04:05.1234567890123 GMT",
	"Mon, 29 Feb 2000 15:04:05 GMT",
	"Mon, 29 Feb 1900 15:04:05 GMT",
	"Mon, 29 Feb 2024 15:04:05 GMT",
	"Mon, 31 Apr 2024 15:04:05 GMT",
	"Mon, 00 Jan 2024 15:04:05 GMT",
	"Mon, 01 Jan 0000 00:00:00 GMT",
	"Mon, 29 Feb 0000 00:00:00 GMT",
	"Mon, 31 Dec 9999 23:59:59 +2400",
	"Mon, 02 Jan 2006 15:04:05 -0700 ",
	" Mon, 02 Jan 2006 15:04:05 -0700",
	"Mon, 02 Jan 2006 15:04:05 -07000",
	"Mon, 02 Jan 2006 15:04:05 -070",
	"Mon, 02 Jan 2006 15:04:05 *0700",
	"Mon, 02 Jan 2006 15:04:05",
	"",
}

func TestRFC1123(t *testing.T) {
	for _, s := range rfc1123Seeds {
		got, ok := RFC1123(s)
		want, wantOK := rfc1123Oracle(s)
		if got != want || ok != wantOK {
			t.Errorf("RFC1123(%q) = %q, %v, want %q, %v", s, got, ok, want, wantOK)
		}
	}
	// Every day of the years 0 to 2600, whose day of the week RFC1123
	// writes anew.
	for d := time.Date(0, 1, 1, 7, 8, 9, 0, time.UTC); d.Year() <= 2600; d = d.AddDate(0, 0, 1) {
		s := d.Format("Tue, 02 Jan 2006 15:04:05 GMT")
		got, _ := RFC1123(s)
		if want, _ := rfc1123Oracle(s); got != want {
			t.Fatalf("RFC1123(%q) = %q, want %q", s, got, want)
		}
	}
}

// FuzzRFC1123 checks RFC1123 against package time.
func FuzzRFC1123(f *testing.F) {
	for _, s := range rfc1123Seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := RFC1123(s)
		want, wantOK := rfc1123Oracle(s)
		if got != want || ok != wantOK {
			t.Errorf("RFC1123(%q) = %q, %v, want %q, %v", s, got, ok, want, wantOK)
		}
	})
}
