package exifscrub

import (
	"encoding/binary"
	"testing"

	"github.com/exifscrub/exifscrub/internal/tiff"
)

// TestTagName checks the names of tags from exifTags, the standards'
// tables (misplaced tags from another IFD's) and by number.
func TestTagName(t *testing.T) {
	tests := []struct {
		kind ifdKind
		tag  uint16
		want string
	}{
		{ifdExif, 0x829a, "ExposureTime"},
		{ifdExif, 0x9004, "CreateDate"}, // exifTags: ExifTool's name
		{ifd1, 0x0100, "ImageWidth"},    // IFD0's table
		{ifd0, 0x829a, "ExposureTime"},  // misplaced in IFD0
		{ifdGPS, 0x829a, "0x829a"},      // but not in the GPS IFD
		{ifdInterop, 0x0001, "InteroperabilityIndex"},
		{ifdExif, 0xea1c, "Padding"},
		{ifd0, 0xabcd, "0xabcd"},
	}
	for _, tt := range tests {
		if got := tagName(tt.kind, tt.tag); got != tt.want {
			t.Errorf("tagName(%v, %#04x) = %q, want %q", tt.kind, tt.tag, got, tt.want)
		}
	}
}

// slotIFD is one IFD for slotTIFF, which lays IFD i out at ifdAt(i), with
// its out-of-line values after it in the same slot.
type slotIFD struct {
	entries []ifdEntry
	next    uint32
	count   int // the entry count written, when not len(entries)
}

const ifdSlot = 256

func ifdAt(i int) uint32 { return uint32(8 + ifdSlot*i) }

func long(tag uint16, v uint32) ifdEntry { return ifdEntry{tag, 4, 1, be32(v)} }

// slotTIFF builds a big-endian TIFF structure of the given IFDs, IFD0
// first. A nil slot is left as zeros.
func slotTIFF(ifds ...*slotIFD) []byte {
	b := make([]byte, 8+ifdSlot*len(ifds))
	copy(b, []byte{'M', 'M', 0, 42, 0, 0, 0, 8})
	for i, d := range ifds {
		if d == nil {
			continue
		}
		at := int(ifdAt(i))
		n := len(d.entries)
		if d.count != 0 {
			n = d.count
		}
		binary.BigEndian.PutUint16(b[at:], uint16(n))
		extra := at + 2 + 12*len(d.entries) + 4
		for k, e := range d.entries {
			p := at + 2 + 12*k
			binary.BigEndian.PutUint16(b[p:], e.tag)
			binary.BigEndian.PutUint16(b[p+2:], e.typ)
			binary.BigEndian.PutUint32(b[p+4:], e.count)
			if len(e.data) <= 4 {
				copy(b[p+8:], e.data)
				continue
			}
			binary.BigEndian.PutUint32(b[p+8:], uint32(extra))
			extra += copy(b[extra:], e.data)
			extra += extra & 1
		}
		binary.BigEndian.PutUint32(b[at+2+12*len(d.entries):], d.next)
		if extra > at+ifdSlot {
			panic("slotTIFF: IFD too large for its slot")
		}
	}
	return b
}

// gpsEntries is a GPS IFD's position: 52.5201 N, 13.4 W.
func gpsEntries() []ifdEntry {
	return []ifdEntry{
		ascii(tagGPSLatitudeRef, "N"), rationals(tagGPSLatitude, 52, 1, 31, 1, 1236, 100),
		ascii(tagGPSLongitudeRef, "W"), rationals(tagGPSLongitude, 13, 1, 24, 1, 0, 1),
	}
}

// TestEXIFWalk checks that the walk reaches every IFD a reader would,
// past damage, and reads what fits of a truncated IFD.
func TestEXIFWalk(t *testing.T) {
	const lat, lon = "location EXIF GPS GPSLatitude", "location EXIF GPS GPSLongitude"
	gps := &slotIFD{entries: gpsEntries()}
	tests := []struct {
		name        string
		tiff        []byte
		want        []string
		values      map[string]string
		orientation int
	}{
		{
			name: "Exif IFD pointer loops to itself, GPS after it",
			tiff: slotTIFF(
				&slotIFD{entries: []ifdEntry{ascii(0x010f, "Canon"), long(tagExifIFD, ifdAt(1)), long(tagGPSIFD, ifdAt(2))}},
				&slotIFD{entries: []ifdEntry{long(tagExifIFD, ifdAt(1))}},
				gps),
			want:   []string{"device EXIF IFD0 Make", lat, lon, "other EXIF EXIF"},
			values: map[string]string{lat: "52.520100", lon: "-13.400000"},
		},
		{
			name: "Exif IFD pointer past the end, GPS after it",
			tiff: slotTIFF(
				&slotIFD{entries: []ifdEntry{long(tagExifIFD, 0xffffff00), long(tagGPSIFD, ifdAt(1))}},
				gps),
			want: []string{lat, lon, "other EXIF EXIF"},
		},
		{
			name: "Exif IFD pointer to IFD0",
			tiff: slotTIFF(
				&slotIFD{entries: []ifdEntry{short(tagOrientation, 6), long(tagExifIFD, ifdAt(0)), long(tagGPSIFD, ifdAt(1))}},
				gps),
			want:        []string{lat, lon},
			orientation: 6,
		},
		{
			name: "GPS pointer in the Exif IFD",
			tiff: slotTIFF(
				&slotIFD{entries: []ifdEntry{long(tagExifIFD, ifdAt(1))}},
				&slotIFD{entries: []ifdEntry{ascii(0x9003, "2024:05:01 12:34:56"), long(tagGPSIFD, ifdAt(2))}},
				gps),
			want: []string{"time EXIF ExifIFD DateTimeOriginal", lat, lon},
		},
		{
			name: "GPS pointer in IFD1",
			tiff: slotTIFF(
				&slotIFD{entries: []ifdEntry{short(tagOrientation, 3)}, next: ifdAt(1)},
				&slotIFD{entries: []ifdEntry{long(tagGPSIFD, ifdAt(2))}},
				gps),
			want:        []string{lat, lon},
			orientation: 3,
		},
		{
			name: "GPS pointer in the Interop IFD",
			tiff: slotTIFF(
				&slotIFD{entries: []ifdEntry{long(tagExifIFD, ifdAt(1))}},
				&slotIFD{entries: []ifdEntry{long(tagInteropIFD, ifdAt(2))}},
				&slotIFD{entries: []ifdEntry{ascii(1, "R98"), long(tagGPSIFD, ifdAt(3))}},
				gps),
			want: []string{"other EXIF InteropIFD InteroperabilityIndex", lat, lon},
		},
		{
			name: "GPS pointer in a SubIFD",
			tiff: slotTIFF(
				&slotIFD{entries: []ifdEntry{long(tagSubIFDs, ifdAt(1))}},
				&slotIFD{entries: []ifdEntry{long(tagGPSIFD, ifdAt(2))}},
				gps),
			want: []string{lat, lon},
		},
		{
			name: "the same IFD as Exif and GPS IFD",
			tiff: slotTIFF(
				&slotIFD{entries: []ifdEntry{long(tagExifIFD, ifdAt(1)), long(tagGPSIFD, ifdAt(1))}},
				gps),
			want: []string{lat, lon},
		},
		{
			name: "IFD1 chain loops",
			tiff: slotTIFF(
				&slotIFD{entries: []ifdEntry{ascii(0x010f, "Canon")}, next: ifdAt(1)},
				&slotIFD{entries: []ifdEntry{ascii(0x013b, "Jane Doe")}, next: ifdAt(1)}),
			want: []string{"device EXIF IFD0 Make", "identity EXIF IFD1 Artist", "other EXIF EXIF"},
		},
		{
			name: "IFD0 claims more entries than the block holds",
			tiff: slotTIFF(&slotIFD{
				entries: []ifdEntry{short(tagOrientation, 8), ascii(0x013b, "Jan"), ascii(0xfde9, "SN1")},
				count:   500})[:8+2+3*12+5],
			want:        []string{"identity EXIF IFD0 Artist", "device EXIF IFD0 SerialNumber", "other EXIF EXIF"},
			values:      map[string]string{"identity EXIF IFD0 Artist": "Jan", "device EXIF IFD0 SerialNumber": "SN1"},
			orientation: 8,
		},
		{
			name: "text and data in tags no table classifies",
			tiff: slotTIFF(
				&slotIFD{entries: []ifdEntry{ascii(0x000b, "gThumb 3.0.1"), ascii(0x9999, plantedMarker), ifdEntry{0x9998, 1, 8, []byte("\x00\x01\x02\x03\x04\x05\x06\x07")},
					ifdEntry{0xea1c, 7, 8, make([]byte, 8)}, long(tagExifIFD, ifdAt(1))}},
				&slotIFD{entries: []ifdEntry{{0x9000, 7, 4, []byte("0232")}, short(0xa401, 1), {0x9286, 7, 8, []byte("ASCII\x00\x00\x00")}}}),
			want: []string{"device EXIF IFD0 ProcessingSoftware", "text EXIF IFD0 0x9999", "embedded EXIF IFD0 0x9998",
				"other EXIF IFD0 Padding", "other EXIF ExifIFD ExifVersion", "other EXIF ExifIFD CustomRendered"},
		},
		{
			name:        "only an orientation",
			tiff:        tiff.Minimal(6),
			orientation: 6,
		},
		{
			name:        "an orientation and bytes no IFD points to",
			tiff:        append(tiff.Minimal(6), "GPS 52.52 N, 13.40 E"...),
			want:        []string{"embedded EXIF EXIF"},
			orientation: 6,
		},
		{
			name:        "an orientation and zero padding",
			tiff:        append(tiff.Minimal(6), make([]byte, 64)...),
			orientation: 6,
		},
		{
			name: "unreadable header",
			tiff: []byte("XX\x00\x2a\x00\x00\x00\x08GPS 52.52 N"),
			want: []string{"embedded EXIF EXIF"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := new(Report)
			o := parseEXIF(rep, tt.tiff)
			if o != tt.orientation {
				t.Errorf("orientation %d, want %d", o, tt.orientation)
			}
			checkFindings(t, rep, tt.want, tt.values)
			// Each finding is reported once, however the IFDs loop.
			seen := map[Finding]bool{}
			for _, f := range rep.Findings {
				if seen[f] && f.Container != "EXIF" {
					t.Errorf("finding %v reported twice", f)
				}
				seen[f] = true
			}
		})
	}
}
