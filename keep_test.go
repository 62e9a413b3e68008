package exifscrub

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// scrubWith scrubs b with opts and fails the test on an error.
func scrubWith(t testing.TB, b []byte, opts *Options) ([]byte, *Report) {
	t.Helper()
	var out bytes.Buffer
	rep, err := Scrub(&out, bytes.NewReader(b), opts)
	if err != nil {
		t.Fatalf("Scrub with %+v: %v", opts, err)
	}
	return out.Bytes(), rep
}

// exiftoolFiles runs ExifTool once over many files and returns each
// file's tags, "Group1:Name" → printed value (-j -a -G1 -s, values as
// ExifTool prints them).
func exiftoolFiles(t testing.TB, args []string, paths ...string) map[string]map[string]string {
	t.Helper()
	cmd := exec.Command("exiftool", append(append([]string{"-j", "-a", "-G1", "-s", "-api", "LargeFileSupport=1"}, args...), paths...)...)
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("exiftool: %v", err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("exiftool: bad JSON: %v", err)
	}
	res := make(map[string]map[string]string)
	for _, row := range rows {
		tags := make(map[string]string)
		for k, v := range row {
			b, _ := json.Marshal(v)
			tags[k] = strings.Trim(string(b), `"`)
		}
		res[row["SourceFile"].(string)] = tags
	}
	return res
}

// plantedEXIF are the EXIF tags planted with ExifTool for the table
// tests, by the category the report gives them (ExifTool adds tags of
// its own: ExifVersion, resolution, GPSVersionID).
var plantedEXIF = map[Category]map[string]string{
	Identity: {"IFD0:Artist": "Jane Doe", "IFD0:Copyright": "ACME"},
	Text:     {"IFD0:ImageDescription": "Our house", "ExifIFD:UserComment": "hello"},
	Device:   {"IFD0:Make": "Canon", "IFD0:Model": "EOS 40D", "ExifIFD:SerialNumber": "123"},
	Time: {"ExifIFD:DateTimeOriginal": "2024:05:01 12:34:56", "ExifIFD:OffsetTimeOriginal": "+02:00",
		"ExifIFD:SubSecTimeOriginal": "123", "GPS:GPSTimeStamp": "10:00:00", "GPS:GPSDateStamp": "2024:05:01"},
	Location: {"GPS:GPSLatitude": "52.520008", "GPS:GPSLatitudeRef": "N", "GPS:GPSLongitude": "13.404954",
		"GPS:GPSLongitudeRef": "E", "GPS:GPSAltitude": "34", "GPS:GPSAltitudeRef": "0"},
}

// plant writes a copy of the testdata file src with the tags of
// plantedEXIF (and Orientation 6 when orient is set) in its EXIF. WebP
// files are tagged with webpmux, with the EXIF ExifTool writes in a JPEG.
func plant(t *testing.T, dir, src string, orient bool) string {
	t.Helper()
	var args []string
	for _, tags := range plantedEXIF {
		for k, v := range tags {
			_, name, _ := strings.Cut(k, ":")
			args = append(args, "-EXIF:"+name+"="+v)
		}
	}
	if orient {
		args = append(args, "-EXIF:Orientation#=6")
	}
	dst := filepath.Join(dir, "planted_"+filepath.Base(src))
	tagged := dst
	if strings.HasSuffix(src, ".webp") {
		tagged = filepath.Join(dir, "exif_"+filepath.Base(src)+".jpg")
		src = filepath.Join("testdata", "jpg__Kodak_CX7530.jpg")
	}
	args = append(args, "-n", "-q", "-o", tagged, src)
	if out, err := exec.Command("exiftool", args...).CombinedOutput(); err != nil {
		t.Fatalf("exiftool %v: %v\n%s", args, err, out)
	}
	if tagged != dst {
		b, err := os.ReadFile(tagged)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(b, []byte("Exif\x00\x00"))
		if i < 4 {
			t.Fatal("no EXIF in ExifTool's JPEG")
		}
		n := int(binary.BigEndian.Uint16(b[i-2:]))
		exif := filepath.Join(dir, "exif.bin")
		if err := os.WriteFile(exif, b[i+6:i-2+n], 0o644); err != nil {
			t.Fatal(err)
		}
		orig := strings.TrimPrefix(filepath.Base(dst), "planted_")
		if out, err := exec.Command("webpmux", "-set", "exif", exif, filepath.Join("testdata", orig), "-o", dst).CombinedOutput(); err != nil {
			t.Fatalf("webpmux: %v\n%s", err, out)
		}
	}
	return dst
}

// exifGroups are ExifTool's groups of EXIF tags.
func isEXIFGroup(key string) bool {
	g, _, _ := strings.Cut(key, ":")
	return exifGroup.MatchString(g)
}

// TestKeepEXIFTable plants EXIF tags of every category with ExifTool in a
// file of each format, scrubs it keeping one category at a time, and
// checks with ExifTool that the output's EXIF holds exactly the planted
// tags of that category with their values, besides the orientation, and
// that the report lists them in Kept and the others in Findings.
func TestKeepEXIFTable(t *testing.T) {
	need(t, "exiftool")
	need(t, "webpmux")
	dir := t.TempDir()
	sources := []string{"jpg__Kodak_CX7530.jpg", "pillow__icc_profile.png", "pillow__flower2.webp",
		"heic__samplefilehub.heif", "pillow__avif__rot0mir1.avif"}
	type result struct {
		src  string
		cat  Category
		rep  *Report
		path string
	}
	var results []result
	var planted []string
	scans := make(map[string]*Report)
	for _, src := range sources {
		p := plant(t, dir, filepath.Join("testdata", src), !strings.HasPrefix(src, "heic") && !strings.Contains(src, "avif"))
		planted = append(planted, p)
		in, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if scans[p], err = Scan(bytes.NewReader(in)); err != nil {
			t.Fatal(err)
		}
		for _, c := range Keepable() {
			opts := &Options{Keep: []Category{c}}
			out, rep := scrubWith(t, in, opts)
			checkKeptIdempotent(t, out, opts)
			path := filepath.Join(dir, string(c)+"_"+src)
			if err := os.WriteFile(path, out, 0o644); err != nil {
				t.Fatal(err)
			}
			results = append(results, result{src, c, rep, path})
		}
	}
	var paths []string
	for _, r := range results {
		paths = append(paths, r.path)
	}
	before := exiftoolFiles(t, []string{"-n"}, planted...)
	after := exiftoolFiles(t, []string{"-n"}, paths...)
	for i, r := range results {
		in, out := before[planted[i/len(Keepable())]], after[r.path]
		heif := strings.HasPrefix(r.src, "heic") || strings.Contains(r.src, "avif")
		// What stays: the tags of the category in the input's IFD0,
		// Exif IFD and GPS IFD, as its report lists them (the planted
		// ones and those the sample had), with their values.
		want := make(map[string]string)
		for _, f := range scans[planted[i/len(Keepable())]].Findings {
			g, ok := strings.CutPrefix(f.Container, "EXIF ")
			if ok && f.Category == r.cat && (g == "IFD0" || g == "ExifIFD" || g == "GPS") && f.Tag != "MakerNote" {
				want[g+":"+f.Tag] = in[g+":"+f.Tag]
			}
		}
		for k := range plantedEXIF[r.cat] {
			if _, ok := want[k]; !ok {
				t.Errorf("%s: the report of the input does not list %s as %s", r.src, k, r.cat)
			}
		}
		var got []string
		for k, v := range out {
			if !isEXIFGroup(k) || k == "IFD0:Orientation" && !heif {
				continue
			}
			got = append(got, k)
			if w, ok := want[k]; !ok {
				t.Errorf("%s keeping %s: ExifTool sees %s = %s", r.src, r.cat, k, v)
			} else if v != w {
				t.Errorf("%s keeping %s: %s = %q, was %q", r.src, r.cat, k, v, w)
			}
		}
		for k := range want {
			if _, ok := out[k]; !ok {
				t.Errorf("%s keeping %s: %s is gone", r.src, r.cat, k)
			}
		}
		if !heif && out["IFD0:Orientation"] != "6" {
			t.Errorf("%s keeping %s: orientation %q, want 6", r.src, r.cat, out["IFD0:Orientation"])
		}
		// The report: what ExifTool sees kept is in Kept, of the
		// category, and nothing of the category is in Findings.
		var kept []string
		for _, f := range r.rep.Kept {
			if f.Category != r.cat {
				t.Errorf("%s keeping %s: Kept lists %v", r.src, r.cat, f)
			}
			if g, ok := strings.CutPrefix(f.Container, "EXIF "); ok {
				kept = append(kept, g+":"+f.Tag)
			}
		}
		sort.Strings(got)
		sort.Strings(kept)
		if !slices.Equal(got, kept) {
			t.Errorf("%s keeping %s: ExifTool sees %v, Kept lists %v", r.src, r.cat, got, kept)
		}
		for _, f := range r.rep.Findings {
			if f.Category == r.cat && strings.HasPrefix(f.Container, "EXIF") {
				t.Errorf("%s keeping %s: Findings lists %v", r.src, r.cat, f)
			}
		}
	}
}

// checkKeptIdempotent checks that scrubbing an output again with the same
// policy changes nothing, and that Scan of it finds only kept categories.
func checkKeptIdempotent(t testing.TB, out []byte, opts *Options) {
	t.Helper()
	var again bytes.Buffer
	if _, err := Scrub(&again, bytes.NewReader(out), opts); err != nil {
		t.Fatalf("Scrub of the output with %+v: %v", opts, err)
	}
	if !bytes.Equal(again.Bytes(), out) {
		t.Errorf("scrubbing twice with %+v differs from once (%d vs %d bytes)", opts, again.Len(), len(out))
	}
	rep, err := Scan(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("Scan of the output: %v", err)
	}
	for _, f := range rep.Findings {
		if !opts.keeps(f.Category) {
			t.Errorf("Scan of the output with %+v finds %v", opts, f)
		}
	}
}

// TestKeepEXIFBlock checks the rebuilt TIFF structure: only the kept tags
// of IFD0, the Exif IFD and the GPS IFD, with the orientation; no IFD1,
// thumbnail, MakerNote, unknown or misplaced tag, and none of their bytes;
// word-aligned values and nothing else.
func TestKeepEXIFBlock(t *testing.T) {
	in := slotTIFF(
		&slotIFD{entries: []ifdEntry{ascii(0x010f, "Canon"), ascii(0x0110, "EOS 40D"), short(tagOrientation, 6),
			ascii(0x013b, "Jane Doe"), ascii(0xabcd, "unknown secret"), long(tagExifIFD, ifdAt(1)), long(tagGPSIFD, ifdAt(2))},
			next: ifdAt(3)},
		&slotIFD{entries: []ifdEntry{ascii(0x9003, "2024:05:01 12:34:56"), ascii(0xa431, "SN123"),
			{tagMakerNote, 7, 16, []byte("maker secret 123")}, ascii(0x9286+0x1000, "x")}},
		&slotIFD{entries: append(gpsEntries(), rationals(0x0006, 34, 1))}, // GPSAltitude
		&slotIFD{entries: []ifdEntry{ascii(0x013b, "IFD1 secret"), long(tagJPEGInterchange, ifdAt(4)), long(tagJPEGInterchangeLn, 8)}},
		&slotIFD{entries: []ifdEntry{ascii(0x013b, "thumb secret")}},
	)
	tests := []struct {
		keep   []Category
		coarse float64
		want   []string // the findings of a scan of the new block
	}{
		{[]Category{Device}, 0, []string{"device EXIF IFD0 Make Canon", "device EXIF IFD0 Model EOS 40D", "device EXIF ExifIFD SerialNumber SN123"}},
		{[]Category{Identity}, 0, []string{"identity EXIF IFD0 Artist Jane Doe"}},
		{[]Category{Time}, 0, []string{"time EXIF ExifIFD DateTimeOriginal 2024:05:01 12:34:56"}},
		{[]Category{Location}, 0, []string{"location EXIF GPS GPSLatitudeRef N", "location EXIF GPS GPSLatitude 52.520100",
			"location EXIF GPS GPSLongitudeRef W", "location EXIF GPS GPSLongitude -13.400000", "location EXIF GPS GPSAltitude 34"}},
		{[]Category{Location}, 0.1, []string{"location EXIF GPS GPSLatitudeRef N", "location EXIF GPS GPSLatitude 52.500000",
			"location EXIF GPS GPSLongitudeRef W", "location EXIF GPS GPSLongitude -13.400000"}},
		{[]Category{Text}, 0, nil},
	}
	for _, tt := range tests {
		opts := &Options{Keep: tt.keep, CoarseLocation: tt.coarse}
		rep := new(Report)
		o, out := keepEXIF(rep, in, opts, true, maxMetadataChunk)
		if o != 6 {
			t.Errorf("%v: orientation %d", tt.keep, o)
		}
		if tt.want == nil {
			if out != nil || len(rep.Kept) > 0 {
				t.Errorf("%v: kept %v", tt.keep, rep.Kept)
			}
			continue
		}
		for _, s := range []string{"secret", "IFD1", "maker"} {
			if bytes.Contains(out, []byte(s)) {
				t.Errorf("%v: the new block holds %q", tt.keep, s)
			}
		}
		again := new(Report)
		if parseEXIF(again, out) != 6 {
			t.Errorf("%v: orientation lost", tt.keep)
		}
		var got, kept []string
		for _, f := range again.Findings {
			got = append(got, fmt.Sprintf("%s %s %s %s", f.Category, f.Container, f.Tag, f.Value))
		}
		for _, f := range rep.Kept {
			kept = append(kept, fmt.Sprintf("%s %s %s %s", f.Category, f.Container, f.Tag, f.Value))
		}
		sort.Strings(got)
		sort.Strings(kept)
		want := slices.Clone(tt.want)
		sort.Strings(want)
		if !slices.Equal(got, want) || !slices.Equal(kept, want) {
			t.Errorf("%v: the new block holds\n  %v\nKept lists\n  %v\nwant\n  %v", tt.keep, got, kept, want)
		}
		for _, f := range rep.Findings {
			// Removed whatever the policy: the MakerNote, tags misplaced
			// in IFD1, the precise position under CoarseLocation.
			never := f.Tag == "MakerNote" || f.Container == "EXIF IFD1" || tt.coarse > 0 && f.Container == containerGPS
			if opts.keeps(f.Category) && !never {
				t.Errorf("%v: Findings lists %v", tt.keep, f)
			}
		}
		// Every byte is read: the header, the IFDs and the values.
		w := walkEXIF(new(Report), out, nil)
		if n := w.r.Hidden(); n > 0 {
			t.Errorf("%v: %d bytes of the new block are not read", tt.keep, n)
		}
		if _, again := keepEXIF(new(Report), out, opts, true, maxMetadataChunk); !bytes.Equal(again, out) {
			t.Errorf("%v: rebuilding the new block changes it", tt.keep)
		}
	}
}

// TestKeepEXIFShared checks that entries sharing one value cannot make
// the new block grow beyond twice the input: it is not rebuilt, and its
// tags are reported as removed.
func TestKeepEXIFShared(t *testing.T) {
	const n, size = 8, 1000
	b := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1}
	b = append(b, 0x87, 0x69, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0) // ExifIFD at 26
	b = binary.BigEndian.AppendUint16(b, n)
	value := uint32(26 + 2 + 12*n + 4)
	for _, tag := range []uint16{0x9003, 0x9004, 0x9010, 0x9011, 0x9012, 0x9290, 0x9291, 0x9292}[:n] {
		b = binary.BigEndian.AppendUint16(b, tag)
		b = binary.BigEndian.AppendUint16(b, 2)
		b = binary.BigEndian.AppendUint32(b, size)
		b = binary.BigEndian.AppendUint32(b, value)
	}
	b = append(b, 0, 0, 0, 0)
	b = append(b, bytes.Repeat([]byte("1"), size)...)
	rep := new(Report)
	if _, out := keepEXIF(rep, b, &Options{Keep: []Category{Time}}, true, maxMetadataChunk); out != nil {
		t.Errorf("a block of %d bytes rebuilt to %d", len(b), len(out))
	}
	if len(rep.Kept) != 0 || len(rep.Findings) != n {
		t.Errorf("Kept %d, Findings %d; want 0 and %d", len(rep.Kept), len(rep.Findings), n)
	}
}
