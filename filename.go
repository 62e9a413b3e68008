package exifscrub

import (
	"strings"

	"github.com/exifscrub/exifscrub/internal/filename"
)

// File names that tell the time.
//
// Phones and many cameras name a photo or video after the moment it was
// taken: IMG_20240601_211403.jpg, PXL_20240601_191403123.mp4 (Google
// Pixel, with milliseconds), 20240601_211403.jpg (Samsung),
// Screenshot_20240601-211403.png (Android), "Screenshot 2024-06-01 at
// 21.14.03.png" (macOS), "2024-06-01 21.14.03.jpg" (Dropbox camera
// uploads), signal-2024-06-01-211403.jpg, WIN_20240601_21_14_03_Pro.jpg
// (Windows Camera), IMG-20240601-WA0007.jpg (WhatsApp: the date only).
// A scrubbed copy saved under such a name still says when it was taken.

// ScanName reports whether the file name name (a base name or a path, of
// which only the last element is read) tells when the photo or video was
// taken, as the names that phones, cameras and messaging apps give do. The
// Finding has Category Time, Container "file name", Tag "FileName" and as
// Value the moment the name holds, in ISO 8601 form without a time zone:
// "2024-06-01T21:14:03", "2024-06-01T19:14:03.123" with the milliseconds of
// a Pixel name, or "2024-06-01" for a date alone.
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
// alone (20240601.jpg, v2.20240601) are not taken for a date: too many
// numbers and identifiers look like one. Neither are runs of digits longer
// than a date and time (an identifier that happens to start like one), nor
// Unix times (FB_IMG_1717276443123.jpg), which any number could be.
//
// Apps that store uploads under the names users give them can call
// ScanName to flag or replace such names; Scrub never sees a name.
func ScanName(name string) (Finding, bool) {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	v, ok := filename.Moment(name)
	if !ok {
		return Finding{}, false
	}
	return Finding{Category: Time, Container: "file name", Tag: "FileName", Value: v}, true
}
