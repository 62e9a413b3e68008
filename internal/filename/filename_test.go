package filename

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestMoment(t *testing.T) {
	tests := []struct {
		name string
		want string // "" when the name tells no time
	}{
		// Phones and cameras.
		{"IMG_20240601_211403.jpg", "2024-06-01T21:14:03"},
		{"IMG_20240601_211403_1.jpg", "2024-06-01T21:14:03"},
		{"VID_20240601_211403.mp4", "2024-06-01T21:14:03"},
		{"PXL_20240601_191403123.mp4", "2024-06-01T19:14:03.123"},
		{"PXL_20240601_191403123.MP.jpg", "2024-06-01T19:14:03.123"},
		{"PXL_20240601_191403123.NIGHT.jpg", "2024-06-01T19:14:03.123"},
		{"20240601_211403.jpg", "2024-06-01T21:14:03"},       // Samsung
		{"20240601_211403(0).jpg", "2024-06-01T21:14:03"},    // Samsung, second of the second
		{"MVIMG_20240601_211403.jpg", "2024-06-01T21:14:03"}, // Google motion photo
		{"PANO_20240601_211403.jpg", "2024-06-01T21:14:03"},
		{"00000IMG_00000_BURST20240601211403_COVER.jpg", "2024-06-01T21:14:03"},
		{"00100lPORTRAIT_00100_BURST20240601211403123_COVER.jpg", "2024-06-01T21:14:03.123"},
		{"DJI_20240601211403_0001_D.JPG", "2024-06-01T21:14:03"},
		{"WIN_20240601_21_14_03_Pro.jpg", "2024-06-01T21:14:03"}, // Windows Camera
		{"IMG20240601211403.jpg", "2024-06-01T21:14:03"},         // Oppo, Realme
		{"img_20240601T211403.jpeg", "2024-06-01T21:14:03"},
		// Screenshots.
		{"Screenshot_20240601-211403.png", "2024-06-01T21:14:03"},
		{"Screenshot_20240601-211403_Chrome.jpg", "2024-06-01T21:14:03"},
		{"Screenshot_2024-06-01-21-14-03-91_0b2fce7a16bf2b728d6ffa28c8d60efb.jpg", "2024-06-01T21:14:03"},
		{"Screenshot 2024-06-01 at 21.14.03.png", "2024-06-01T21:14:03"},
		{"Screen Shot 2024-06-01 at 9.14.03 PM.png", "2024-06-01T21:14:03"},
		{"Screenshot 2024-06-01 at 9.14.03\u202fAM.png", "2024-06-01T09:14:03"},
		{"Screen Shot 2024-06-01 at 12.14.03 AM.png", "2024-06-01T00:14:03"},
		{"Screen Shot 2024-06-01 at 12.14.03 PM.png", "2024-06-01T12:14:03"},
		// Apps and services.
		{"Photo 2024-06-01 21 14 03", "2024-06-01T21:14:03"},
		{"2024-06-01 21.14.03.jpg", "2024-06-01T21:14:03"}, // Dropbox
		{"2024-06-01 21.14.03-1.jpg", "2024-06-01T21:14:03"},
		{"signal-2024-06-01-211403.jpg", "2024-06-01T21:14:03"},
		{"signal-2024-06-01-21-14-03-123.jpg", "2024-06-01T21:14:03"},
		{"photo_2024-06-01_21-14-03.jpg", "2024-06-01T21:14:03"}, // Telegram
		{"PHOTO-2024-06-01-21-14-03.jpg", "2024-06-01T21:14:03"}, // WhatsApp export
		{"IMG-20240601-WA0007.jpg", "2024-06-01"},                // WhatsApp: the date only
		{"VID-20240601-WA0001.mp4", "2024-06-01"},
		{"img-20240601-wa0007.jpeg", "2024-06-01"},
		{"holiday 2024-06-01.jpg", "2024-06-01"},
		{"2024_06_01.png", "2024-06-01"},
		// Embedded anywhere, within the plausible ranges.
		{"upload-19900101-000000.jpg", "1990-01-01T00:00:00"},
		{"x21001231_235959y.jpg", "2100-12-31T23:59:59"},
		{"2024-02-29 12.00.00.jpg", "2024-02-29T12:00:00"},
		// A date and time wins over a date alone before it.
		{"2024-06-01 copy of IMG_20240602_101010.jpg", "2024-06-02T10:10:10"},

		// Names that tell no time.
		{"", ""},
		{"IMG_1234.JPG", ""},
		{"DSC01234.JPG", ""},
		{"photo-0001.jpg", ""},
		{"Snapchat-123456789.jpg", ""},
		{"FB_IMG_1717276443123.jpg", ""}, // a Unix time in milliseconds: any number could be one
		{"1717276443.jpg", ""},
		{"20240601.jpg", ""},                                    // 8 digits alone: an identifier as often as a date
		{"app-v2.20240601.jpg", ""},                             // a version
		{"v2.20240601.211403.jpg", ""},                          // '.' does not join a date and a time
		{"12345678_123456.jpg", ""},                             // year 1234
		{"IMG_19891231_235959.jpg", ""},                         // before 1990
		{"IMG_21010101_000000.jpg", ""},                         // after 2100
		{"IMG_20241301_211403.jpg", ""},                         // month 13
		{"IMG_20240631_211403.jpg", ""},                         // 31 June
		{"IMG_20230229_211403.jpg", ""},                         // 29 February 2023
		{"IMG_20240601_251403.jpg", ""},                         // hour 25
		{"IMG_20240601_216003.jpg", ""},                         // minute 60
		{"IMG_20240601_2114031234.jpg", ""},                     // 10 digits of time
		{"IMG_020240601_211403.jpg", ""},                        // 9 digits of date
		{"123456789012345678.jpg", ""},                          // 18 digits: an identifier
		{"202406012114031234.jpg", ""},                          // 18 digits, even if it starts like a date
		{"order 2024-13-01.jpg", ""},                            // month 13
		{"2024-06-011.jpg", ""},                                 // day of 3 digits
		{"Screen Shot 2024-06-01 at 9.14.03.png", "2024-06-01"}, // a one-digit hour needs AM or PM; the date stays
		{"Screen Shot 2024-06-01 at 13.14.03 PM.png", "2024-06-01"},
		{"IMG-20240601-0007.jpg", "2024-06-01"}, // WhatsApp's prefix
		{"ABC-20240601-WB0007.jpg", ""},
	}
	for _, tt := range tests {
		got, ok := Moment(tt.name)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("Moment(%q) = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.want != "")
		}
	}
}

// FuzzMoment: Moment never panics, and a moment it finds is a valid date
// (and time) within the years it accepts, whose year the name holds.
func FuzzMoment(f *testing.F) {
	for _, s := range []string{"IMG_20240601_211403.jpg", "Screen Shot 2024-06-01 at 9.14.03 PM.png", "IMG-20240601-WA0007.jpg", "2024-06-01 21.14.03", "PXL_20240601_191403123.mp4"} {
		f.Add(s)
	}
	if entries, err := os.ReadDir("../../testdata"); err == nil {
		for _, e := range entries {
			f.Add(e.Name())
		}
	}
	f.Fuzz(func(t *testing.T, name string) {
		v, ok := Moment(name)
		if !ok {
			if v != "" {
				t.Errorf("Moment(%q) = %q, false", name, v)
			}
			return
		}
		layout := "2006-01-02T15:04:05"
		if len(v) == len("2006-01-02") {
			layout = "2006-01-02"
		}
		tm, err := time.Parse(layout, v)
		if err != nil || tm.Year() < 1990 || tm.Year() > 2100 || !strings.Contains(name, v[:4]) {
			t.Errorf("Moment(%q) = %q: %v", name, v, err)
		}
	})
}

func BenchmarkMoment(b *testing.B) {
	names := []string{"IMG_20240601_211403.jpg", "Screenshot 2024-06-01 at 21.14.03.png", "DSC01234.JPG", "a-long-upload-name-without-any-date-in-it-0123.jpeg"}
	for b.Loop() {
		for _, n := range names {
			Moment(n)
		}
	}
}
