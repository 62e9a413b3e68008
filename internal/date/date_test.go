package date

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestParseISO(t *testing.T) {
	tests := []struct {
		in    string
		zones Zones
		want  string // "" when not a date
	}{
		{"2024", ExtendedZones, "2024"},
		{"2024-06", ExtendedZones, "2024-06"},
		{"2024-06-01", ExtendedZones, "2024-06-01"},
		{"2024-06-01T21:14", ExtendedZones, "2024-06-01T21:14"},
		{"2024-06-01T21:14:03Z", ExtendedZones, "2024-06-01T21:14:03Z"},
		{"2024-06-01T21:14:03.250+02:00", ExtendedZones, "2024-06-01T21:14:03.250+02:00"},
		{"2024-06-01T21:14:03+0200", BasicZones, "2024-06-01T21:14:03+0200"},
		{"2024-06-01T21:14:03+0200", ExtendedZones, ""},
		{"2024-06-01T21:14:03-05", BasicZones, "2024-06-01T21:14:03-05"},
		{"2024-02-29", ExtendedZones, "2024-02-29"},
		{"2023-02-29", ExtendedZones, ""},
		{"1900-02-29", ExtendedZones, ""},
		{"2000-02-29", ExtendedZones, "2000-02-29"},
		{"2024-04-31", ExtendedZones, ""},
		{"2024-13-01", ExtendedZones, ""},
		{"2024-00", ExtendedZones, ""},
		{"2024-06-01T24:00", ExtendedZones, ""},
		{"2024-06-01T23:60", ExtendedZones, ""},
		{"2024-06-30T23:59:60Z", ExtendedZones, "2024-06-30T23:59:60Z"},
		{"2024-06-30T23:59:61Z", ExtendedZones, ""},
		{"2024-06-01T21:14:03.", ExtendedZones, ""},
		{"2024-06-01T21:14:03.1234567890", ExtendedZones, ""},
		{"2024-06-01T21:14+14:00", ExtendedZones, "2024-06-01T21:14+14:00"},
		{"2024-06-01T21:14+14:01", ExtendedZones, ""},
		{"2024-06-01T21:14+01:60", ExtendedZones, ""},
		{"2024-06-01T21", ExtendedZones, ""},
		{"2024-06-01 21:14", ExtendedZones, ""},
		{"2024-06-01T21:14:03Z ", ExtendedZones, ""},
		{"0000", ExtendedZones, "0000"},
		{"24", ExtendedZones, ""},
		{"", ExtendedZones, ""},
		{"２０２４", ExtendedZones, ""},
	}
	for _, tt := range tests {
		d, ok := ParseISO(tt.in, tt.zones)
		if got := d.String(); ok != (tt.want != "") || ok && got != tt.want {
			t.Errorf("ParseISO(%q, %v) = %q, %v; want %q", tt.in, tt.zones, got, ok, tt.want)
		}
	}
}

func TestForms(t *testing.T) {
	tests := []struct {
		name string
		f    func(string) bool
		in   string
		want bool
	}{
		{"IsDate", func(s string) bool { return IsDate(s, ':') }, "2024:06:01", true},
		{"IsDate", func(s string) bool { return IsDate(s, ':') }, "2024:06:32", false},
		{"IsDate", func(s string) bool { return IsDate(s, ':') }, "0000:00:00", false},
		{"IsDate", func(s string) bool { return IsDate(s, ':') }, "    :  :  ", false},
		{"IsDate", func(s string) bool { return IsDate(s, ':') }, "2024-06-01", false},
		{"IsClock", IsClock, "23:59:60", true},
		{"IsClock", IsClock, "24:00:00", false},
		{"IsClock", IsClock, "2:00:00", false},
		{"IsOffset", IsOffset, "+14:00", true},
		{"IsOffset", IsOffset, "-12:00", true},
		{"IsOffset", IsOffset, "-13:00", false},
		{"IsOffset", IsOffset, "+02:60", false},
		{"IsOffset", IsOffset, "02:00", false},
		{"IsIIMDate", IsIIMDate, "20240601", true},
		{"IsIIMDate", IsIIMDate, "20240000", true},
		{"IsIIMDate", IsIIMDate, "00000601", false},
		{"IsIIMDate", IsIIMDate, "2024061", false},
		{"IsIIMDate", IsIIMDate, "2024-6-1", false},
		{"IsIIMTime", IsIIMTime, "211403+0200", true},
		{"IsIIMTime", IsIIMTime, "211403-1300", false},
		{"IsIIMTime", IsIIMTime, "211403 0200", false},
		{"IsIIMTime", IsIIMTime, "2114", false},
		{"IsDigits", IsDigits, "0123", true},
		{"IsDigits", IsDigits, "", false},
		{"IsDigits", IsDigits, "12a", false},
	}
	for _, tt := range tests {
		if got := tt.f(tt.in); got != tt.want {
			t.Errorf("%s(%q) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
}

// FuzzParseISO checks that a date read is written back in a form that
// reads as the same date, that the basic format reads all the extended
// one does, that EXIF's times and offsets are ISO 8601's, and that no
// form panics.
//
// Seeds: the date-like text of the samples in ../../testdata.
func FuzzParseISO(f *testing.F) {
	names, _ := filepath.Glob("../../testdata/*")
	dates := regexp.MustCompile(`[0-9]{4}[-:][0-9]{2}[-:][0-9]{2}[T ][0-9:.+\-Z]{2,24}`)
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			continue // a folder
		}
		for _, m := range dates.FindAll(b, 8) {
			f.Add(string(m))
		}
	}
	f.Add("2024-06-01T21:14:03.250+02:00")
	f.Add("2024-06-01T21:14:03+0200")
	f.Fuzz(func(t *testing.T, s string) {
		for _, zones := range []Zones{ExtendedZones, BasicZones} {
			d, ok := ParseISO(s, zones)
			if !ok {
				if zones == BasicZones {
					if _, ok := ParseISO(s, ExtendedZones); ok {
						t.Fatalf("%q reads with XMP's zones but not QuickTime's", s)
					}
				}
				continue
			}
			out := d.String()
			again, ok := ParseISO(out, zones)
			if !ok || again != d || again.String() != out {
				t.Fatalf("%q read as %+v, written %q, read back %+v, %v", s, d, out, again, ok)
			}
		}
		// The EXIF and IIM forms are ISO 8601 forms in other dress.
		if IsClock(s) {
			if _, ok := ParseISO("2000-01-01T"+s, ExtendedZones); !ok {
				t.Fatalf("IsClock(%q), but not an ISO time", s)
			}
		}
		if IsOffset(s) {
			if _, ok := ParseISO("2000-01-01T00:00"+s, ExtendedZones); !ok {
				t.Fatalf("IsOffset(%q), but not an ISO zone", s)
			}
		}
		if IsDate(s, ':') && len(s) != 10 || IsIIMDate(s) && len(s) != 8 || IsIIMTime(s) && len(s) != 11 {
			t.Fatalf("%q is a date or time of the wrong length", s)
		}
	})
}
