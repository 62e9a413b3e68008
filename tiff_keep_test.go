package exifscrub

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Hostile values in kept EXIF tags (issue 20): text after a NUL, values of
// the wrong type or count, text not of the tag's form. What a policy keeps
// is parsed and written anew; what is not of its type, count and form is
// removed and reported so.

// secret is the marker planted where nothing may survive.
const secret = "SECRET"

// srationals is a SRATIONAL entry of the given numerators and
// denominators.
func srationals(tag uint16, v ...int32) ifdEntry {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint32(b, uint32(x))
	}
	return ifdEntry{tag, 10, uint32(len(v) / 2), b}
}

// rawASCII is an ASCII entry of exactly the bytes s (NULs and all).
func rawASCII(tag uint16, s string) ifdEntry { return ifdEntry{tag, 2, uint32(len(s)), []byte(s)} }

// keptStrings lists a report's Kept or Findings of EXIF as
// "Container Tag=Value".
func keptStrings(fs []Finding) []string {
	var s []string
	for _, f := range fs {
		if strings.HasPrefix(f.Container, "EXIF") {
			s = append(s, f.Container+" "+f.Tag+"="+f.Value)
		}
	}
	sort.Strings(s)
	return s
}

func TestKeepEXIFValues(t *testing.T) {
	all := []Category{Location, Time, Device, Identity, Text}
	tests := []struct {
		name      string
		ifd0, exf []ifdEntry
		keep      []Category
		kept      []string // Kept, as keptStrings
		removed   []string // in Findings, as keptStrings (a prefix of the value)
	}{
		{name: "text after the NUL of a date", keep: all,
			exf:     []ifdEntry{rawASCII(0x9003, "2024:05:01 12:34:56\x00"+secret+" 52.5205")},
			kept:    []string{"EXIF ExifIFD DateTimeOriginal=2024:05:01 12:34:56"},
			removed: []string{"EXIF ExifIFD DateTimeOriginal=(13 bytes after the value)"}},
		{name: "date of 40 bytes", keep: all,
			exf:     []ifdEntry{{0x9003, 2, 40, append([]byte("2024:05:01 12:34:56\x00"), bytes.Repeat([]byte{'x'}, 20)...)}},
			kept:    []string{"EXIF ExifIFD DateTimeOriginal=2024:05:01 12:34:56"},
			removed: []string{"EXIF ExifIFD DateTimeOriginal=(20 bytes after the value)"}},
		{name: "date without its NUL and more", keep: all,
			exf:     []ifdEntry{{0x9003, 2, 21, []byte("2024:05:01 12:34:5678")}},
			removed: []string{"EXIF ExifIFD DateTimeOriginal=2024:05:01 12:34:5678"}},
		{name: "date of 19 bytes, as Kodak writes it", keep: all,
			exf:  []ifdEntry{{0x9003, 2, 19, []byte("2024:05:01 12:34:56")}},
			kept: []string{"EXIF ExifIFD DateTimeOriginal=2024:05:01 12:34:56"}},
		{name: "date as GPS rationals", keep: all,
			exf:     []ifdEntry{rationals(0x9003, 52, 1, 31, 1, 1236, 100)},
			removed: []string{"EXIF ExifIFD DateTimeOriginal=52 31 12.36"}},
		{name: "date not of the form", keep: all,
			exf: []ifdEntry{ascii(0x9003, "52.5205 13.4094 x"), ascii(0x9004, "2024:13:01 12:34:56"),
				ascii(0x0132, "    :  :     :  :  "), ascii(0x9003+0x1000, "x")},
			removed: []string{"EXIF ExifIFD CreateDate=2024:13:01 12:34:56", "EXIF ExifIFD DateTimeOriginal=52.5205 13.4094 x", "EXIF ExifIFD ModifyDate="}},
		{name: "sub-seconds and offsets", keep: []Category{Time},
			exf: []ifdEntry{ascii(0x9291, "123"), rawASCII(0x9290, "45\x00"+secret), ascii(0x9292, "12a"),
				ascii(0x9011, "+02:00"), ascii(0x9010, "+2:00"), rawASCII(0x9012, "-05:30\x00")},
			kept: []string{"EXIF ExifIFD OffsetTimeDigitized=-05:30", "EXIF ExifIFD OffsetTimeOriginal=+02:00",
				"EXIF ExifIFD SubSecTime=45", "EXIF ExifIFD SubSecTimeOriginal=123"},
			removed: []string{"EXIF ExifIFD OffsetTime=+2:00", "EXIF ExifIFD SubSecTime=(6 bytes after the value)", "EXIF ExifIFD SubSecTimeDigitized=12a"}},
		{name: "artist and copyright", keep: []Category{Identity},
			ifd0:    []ifdEntry{rawASCII(0x013b, "Jane Doe\x00"+secret), rawASCII(0x8298, "Jane\x00Editor\x00"+secret+"\x00")},
			kept:    []string{"EXIF IFD0 Artist=Jane Doe", "EXIF IFD0 Copyright=Jane Editor"},
			removed: []string{"EXIF IFD0 Artist=(6 bytes after the value)", "EXIF IFD0 Copyright=(6 bytes after the value)"}},
		{name: "copyright of the editor only", keep: []Category{Identity},
			ifd0: []ifdEntry{rawASCII(0x8298, " \x00Editor\x00")},
			kept: []string{"EXIF IFD0 Copyright=Editor"}},
		{name: "control characters and wrong types", keep: all,
			ifd0: []ifdEntry{ascii(0x013b, "Jane\x1b[2J"), {0x010f, 5, 1, []byte{0, 0, 0, 52, 0, 0, 0, 1}}, ascii(0x0110, "Model\u202e"),
				ascii(0x010e, "line 1\nline 2")},
			kept:    []string{"EXIF IFD0 ImageDescription=line 1 line 2"},
			removed: []string{"EXIF IFD0 Artist=Jane\\x1b[2J", "EXIF IFD0 Make=52", "EXIF IFD0 Model=Model"}},
		{name: "a tag the table does not list", keep: all,
			exf:     []ifdEntry{ascii(0xa004, "sound "+secret+".wav")}, // RelatedSoundFile, Text by its text
			removed: []string{"EXIF ExifIFD RelatedSoundFile=sound"}},
		{name: "user comment", keep: []Category{Text},
			exf:     []ifdEntry{{0x9286, 7, 8 + 5 + 1 + 6, []byte("ASCII\x00\x00\x00hello\x00" + secret)}},
			kept:    []string{"EXIF ExifIFD UserComment=hello"},
			removed: []string{"EXIF ExifIFD UserComment=(6 bytes after the value)"}},
		{name: "lens info of the wrong count", keep: []Category{Device},
			exf:     []ifdEntry{rationals(0xa432, 24, 1, 70, 1, 28, 10, 28, 10, 5252, 100)},
			removed: []string{"EXIF ExifIFD LensInfo=24 70 2.8 2.8 52.52"}},
		{name: "XP comment", keep: []Category{Text},
			ifd0:    []ifdEntry{{0x9c9c, 1, 14, append(utf16LE("Hi"), append([]byte{0, 0}, utf16LE("SECRET")[:8]...)...)}},
			kept:    []string{"EXIF IFD0 XPComment=Hi"},
			removed: []string{"EXIF IFD0 XPComment=(4 bytes after the value)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tiffBlock(tt.ifd0, tt.exf, nil)
			rep := new(Report)
			_, out := keepEXIF(rep, in, &Options{Keep: tt.keep}, true, maxMetadataChunk)
			if got := keptStrings(rep.Kept); !slices.Equal(got, tt.kept) {
				t.Errorf("Kept\n  %q\nwant\n  %q", got, tt.kept)
			}
			removed := keptStrings(rep.Findings)
			for _, w := range tt.removed {
				if !slices.ContainsFunc(removed, func(s string) bool { return strings.HasPrefix(s, w) }) {
					t.Errorf("Findings %q do not list %q", removed, w)
				}
			}
			for _, f := range rep.Kept {
				for _, r := range rep.Findings {
					if r.Container == f.Container && r.Tag == f.Tag && !strings.HasSuffix(r.Value, "bytes after the value)") {
						t.Errorf("%s %s is both kept and removed (%q)", f.Container, f.Tag, r.Value)
					}
				}
			}
			if out == nil {
				if len(tt.kept) > 0 {
					t.Fatal("no block")
				}
				return
			}
			for _, m := range []string{secret, "52.52", "1236"} {
				if bytes.Contains(out, []byte(m)) {
					t.Errorf("the new block holds %q", m)
				}
			}
			// Kept is what a scan of the new block shows, value for value.
			again := new(Report)
			parseEXIF(again, out)
			if got := keptStrings(again.Findings); !slices.Equal(got, tt.kept) {
				t.Errorf("the new block holds\n  %q\nKept lists\n  %q", got, tt.kept)
			}
		})
	}
}

// nokiaGPS is a GPS IFD as the Nokia 8.3 5G writes it, its tags out of
// order, with the position as SRATIONALs (40.788685 N, 4.005141 W),
// GPSDateStamp as UNDEFINED and GPSProcessingMethod as ASCII, and the
// tags a precise position hides in.
func nokiaGPS() []ifdEntry {
	return []ifdEntry{
		srationals(tagGPSLatitude, 40, 1, 47, 1, 192667920, 10000000),
		rationals(0x0006, 19424216, 10000), // GPSAltitude
		ascii(0x001b, "gps"),               // GPSProcessingMethod
		{0x0005, 1, 1, []byte{0}},          // GPSAltitudeRef
		ascii(tagGPSLongitudeRef, "W"),
		rationals(0x0007, 14, 1, 44, 1, 9, 1), // GPSTimeStamp
		srationals(tagGPSLongitude, 4, 1, 0, 1, 185070600, 10000000),
		{0x001d, 7, 11, []byte("2022:02:03\x00")}, // GPSDateStamp
		rationals(0x0011, 93, 1),                  // GPSImgDirection
		ascii(0x0010, "M"),
		ascii(tagGPSLatitudeRef, "N"),
		rationals(0x000d, 47880, 10000), // GPSSpeed
		ascii(0x000c, "K"),
		{0x0000, 1, 4, []byte{2, 2, 0, 0}},
		rationals(0x0014, 40, 1, 47, 1, 192667920, 10000000),               // GPSDestLatitude
		{0x001c, 7, 8 + 16, []byte("ASCII\x00\x00\x0040.788685,-4.00514")}, // GPSAreaInformation
	}
}

// preciseForms are the encodings in which a position finer than a grid
// could survive: its digits as text (finer than 0.01), float64, float32
// and 16.16 fixed point in both byte orders, ISO 6709 and the
// micro-degrees of a Google or Samsung field.
func preciseForms(lat, lon float64) map[string][]byte {
	forms := map[string][]byte{}
	for i, d := range []float64{lat, lon} {
		name := [...]string{"lat", "lon"}[i]
		text := strconv.FormatFloat(math.Abs(d), 'f', 4, 64)
		forms[name+" text"] = []byte(text[:len(text)-1]) // finer than 0.01
		for _, bo := range []binary.AppendByteOrder{binary.BigEndian, binary.LittleEndian} {
			forms[fmt.Sprintf("%s float64 %v", name, bo)] = bo.AppendUint64(nil, math.Float64bits(d))
			forms[fmt.Sprintf("%s float32 %v", name, bo)] = bo.AppendUint32(nil, math.Float32bits(float32(d)))
			forms[fmt.Sprintf("%s 16.16 %v", name, bo)] = bo.AppendUint32(nil, uint32(int32(math.Round(d*65536))))
			forms[fmt.Sprintf("%s microdegrees %v", name, bo)] = bo.AppendUint32(nil, uint32(int32(math.Round(d*1e6))))
		}
	}
	forms["ISO 6709"] = fmt.Appendf(nil, "%+08.4f%+09.4f", lat, lon)
	return forms
}

// checkNoPrecise fails when b holds the position in any preciseForms form.
func checkNoPrecise(t *testing.T, b []byte, lat, lon float64) {
	t.Helper()
	for name, f := range preciseForms(lat, lon) {
		if i := bytes.Index(b, f); i >= 0 {
			t.Errorf("the output holds the precise position (%s %q) at offset %d", name, f, i)
		}
	}
}

// TestKeepGPSForms checks that a position is read as decoders read it
// (SRATIONAL, negative numbers, one or two numbers, unsorted tags, either
// byte order), kept rounded under CoarseLocation with nothing finer than
// the grid in the GPS IFD, and that ExifTool reads the position Kept
// lists.
func TestKeepGPSForms(t *testing.T) {
	const lat, lon = 40.788685, -4.005141
	replace := func(es []ifdEntry, with ...ifdEntry) []ifdEntry {
		es = slices.Clone(es)
		for _, w := range with {
			i := slices.IndexFunc(es, func(e ifdEntry) bool { return e.tag == w.tag })
			if w.typ == 0 {
				es = slices.Delete(es, i, i+1)
			} else {
				es[i] = w
			}
		}
		return es
	}
	noRef := func(tag uint16) ifdEntry { return ifdEntry{tag: tag} }
	tests := []struct {
		name     string
		gps      []ifdEntry
		lat, lon float64 // as ExifTool reads the input, signed by its reference
		gone     bool    // no position can be read
	}{
		{name: "Nokia: SRATIONAL, unsorted", gps: nokiaGPS(), lat: lat, lon: lon},
		{name: "negative SRATIONALs with references", lat: lat, lon: lon, gps: replace(nokiaGPS(),
			srationals(tagGPSLongitude, -4, 1, 0, 1, -185070600, 10000000))},
		{name: "negative SRATIONALs without references", lat: -lat, lon: lon, gps: replace(nokiaGPS(),
			srationals(tagGPSLatitude, -40, 1, -47, 1, -192667920, 10000000),
			srationals(tagGPSLongitude, -4, 1, 0, 1, -185070600, 10000000), noRef(tagGPSLatitudeRef), noRef(tagGPSLongitudeRef))},
		{name: "decimal degrees in one RATIONAL", lat: lat, lon: lon, gps: replace(nokiaGPS(),
			rationals(tagGPSLatitude, 40788685, 1000000), rationals(tagGPSLongitude, 4005141, 1000000))},
		{name: "degrees and decimal minutes", lat: lat, lon: lon, gps: replace(nokiaGPS(),
			rationals(tagGPSLatitude, 40, 1, 473211, 10000), rationals(tagGPSLongitude, 4, 1, 3085, 10000))},
		{name: "a zero denominator", gone: true, gps: replace(nokiaGPS(),
			rationals(tagGPSLatitude, 40, 0, 47, 1, 19, 1), rationals(tagGPSLongitude, 4, 1, 0, 1, 18, 0))},
	}
	need(t, "exiftool")
	dir := t.TempDir()
	for _, tt := range tests {
		for _, bo := range []binary.AppendByteOrder{binary.BigEndian, binary.LittleEndian} {
			for _, opts := range []*Options{
				{Keep: []Category{Location}, CoarseLocation: 0.01},
				{Keep: []Category{Location, Time}, CoarseLocation: 0.1},
				{Keep: []Category{Location}},
			} {
				name := fmt.Sprintf("%s/%v/%s", tt.name, bo, policyName(opts))
				t.Run(name, func(t *testing.T) {
					in := withSegments(baseJPEG(t), exifSegment(tiffBlockIn(bo, []ifdEntry{ascii(0x010f, "Nokia")}, nil, tt.gps)))
					out, rep := scrubWith(t, in, opts)
					checkKeptIdempotent(t, out, opts)
					path := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_", ":", "").Replace(name)+".jpg")
					if err := os.WriteFile(path, out, 0o644); err != nil {
						t.Fatal(err)
					}
					got := exiftoolFiles(t, []string{"-n"}, path)[path]
					gotLat, okLat := signedCoord(got, "Latitude")
					gotLon, okLon := signedCoord(got, "Longitude")
					keptLat, keptLon, keptOK := (&Report{Findings: rep.Kept}).Location()
					switch {
					case tt.gone:
						if okLat || okLon || keptOK {
							t.Fatalf("a position that cannot be read is kept: ExifTool %v %v, Kept %v", gotLat, gotLon, rep.Kept)
						}
						return
					case !okLat || !okLon || !keptOK:
						t.Fatalf("the position is gone: ExifTool sees %v; Kept %v", got, rep.Kept)
					}
					if math.Abs(gotLat-keptLat) > 1e-6 || math.Abs(gotLon-keptLon) > 1e-6 {
						t.Errorf("ExifTool reads %v, %v; Kept lists %v, %v", gotLat, gotLon, keptLat, keptLon)
					}
					var kept []string
					for _, f := range rep.Kept {
						kept = append(kept, "GPS:"+f.Tag)
					}
					var seen []string
					for k := range got {
						if strings.HasPrefix(k, "GPS:") {
							seen = append(seen, k)
						}
					}
					sort.Strings(kept)
					sort.Strings(seen)
					if !slices.Equal(kept, seen) {
						t.Errorf("ExifTool sees %v, Kept lists %v", seen, kept)
					}
					grid := opts.CoarseLocation
					if grid == 0 {
						if math.Abs(gotLat-tt.lat) > 1e-6 || math.Abs(gotLon-tt.lon) > 1e-6 {
							t.Errorf("kept %v, %v; want %v, %v", gotLat, gotLon, tt.lat, tt.lon)
						}
						return
					}
					checkNoPrecise(t, out, lat, lon)
					for _, d := range [][2]float64{{gotLat, tt.lat}, {gotLon, tt.lon}} {
						if math.Abs(d[0]-d[1]) > grid/2+1e-9 || math.Abs(d[0]/grid-math.Round(d[0]/grid)) > 1e-6 {
							t.Errorf("kept %v for %v: not on the %v grid nearest to it", d[0], d[1], grid)
						}
					}
					// Nothing finer than the grid in the GPS IFD: the
					// position, its version, and the time stamps if
					// time is kept.
					allowed := map[string]bool{"GPS:GPSVersionID": true, "GPS:GPSLatitudeRef": true, "GPS:GPSLatitude": true,
						"GPS:GPSLongitudeRef": true, "GPS:GPSLongitude": true}
					if opts.keeps(Time) {
						allowed["GPS:GPSTimeStamp"], allowed["GPS:GPSDateStamp"] = true, true
						if got["GPS:GPSDateStamp"] != "2022:02:03" {
							t.Errorf("GPSDateStamp %q under --keep time", got["GPS:GPSDateStamp"])
						}
					}
					for k, v := range got {
						if strings.HasPrefix(k, "GPS:") && !allowed[k] {
							t.Errorf("ExifTool sees %s = %s under %s", k, v, policyName(opts))
						}
					}
				})
			}
		}
	}
}

// TestKeepGPSHostile checks the GPS tags that could carry a position past
// the grid: a version that is not one, a time stamp of nine rationals,
// destination, area and processing method, and a coordinate typed as text.
func TestKeepGPSHostile(t *testing.T) {
	gps := []ifdEntry{
		ascii(0x0000, "52.520575,13.409463"), // GPSVersionID as text
		ascii(tagGPSLatitudeRef, "N"), rationals(tagGPSLatitude, 52, 1, 31, 1, 1407, 100),
		ascii(tagGPSLongitudeRef, "E"), ascii(tagGPSLongitude, "13.409463"),
		rationals(0x0007, 52, 1, 31, 1, 1407, 100, 13, 1, 24, 1, 3406, 100, 0, 1, 0, 1, 0, 1), // GPSTimeStamp ×9
		rationals(0x0014, 52, 1, 31, 1, 1407, 100), ascii(0x0013, "N"),                        // GPSDestLatitude
		ascii(0x0012, "WGS-84 52.520575"), // GPSMapDatum
	}
	for _, opts := range []*Options{
		{Keep: Keepable(), CoarseLocation: 0.01},
		{Keep: Keepable()},
	} {
		t.Run(policyName(opts), func(t *testing.T) {
			rep := new(Report)
			_, out := keepEXIF(rep, tiffBlock(nil, nil, gps), opts, true, maxMetadataChunk)
			kept := keptStrings(rep.Kept)
			want := []string{"EXIF GPS GPSLatitude=52.520000", "EXIF GPS GPSLatitudeRef=N"}
			if opts.CoarseLocation == 0 {
				want = []string{"EXIF GPS GPSDestLatitude=52 31 14.07", "EXIF GPS GPSDestLatitudeRef=N",
					"EXIF GPS GPSLatitude=52.520575", "EXIF GPS GPSLatitudeRef=N", "EXIF GPS GPSMapDatum=WGS-84 52.520575"}
			}
			if !slices.Equal(kept, want) {
				t.Errorf("Kept\n  %q\nwant\n  %q", kept, want)
			}
			if opts.CoarseLocation > 0 {
				checkNoPrecise(t, out, 52.520575, 13.409463)
				for _, m := range [][]byte{[]byte("13.40"), be32(1407), be32(3406)} {
					if bytes.Contains(out, m) {
						t.Errorf("the new block holds %q", m)
					}
				}
			}
		})
	}
}
