package exifscrub

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/gainmap"
	"github.com/exifscrub/exifscrub/internal/mpf"
)

// A gainMapCase describes a synthetic gain-map JPEG (buildGainMapJPEG):
// an Ultra HDR file with, optionally, ISO 21496-1 blocks, and the ways a
// hostile one departs from it.
type gainMapCase struct {
	gmW, gmH       int    // the gain map's size; the primary is 48x32
	gmXMP          string // the gain map's XMP packet, "" for none
	gmISO          []byte // the gain map's ISO payload after the URN, nil for none
	primaryISO     []byte // the primary's, nil for none
	noContainer    bool   // the primary has no XMP
	lengthDelta    int    // added to the Container GainMap Length
	offsetDelta    int64  // added to the MPF offset of the gain map
	gmSegments     [][]byte
	afterGainMap   []byte // data after the gain map
	primarySegment []byte // another segment in the primary
	motionAttrs    string // more attributes of the primary's rdf:Description (a motion photo's)
	motionItem     string // an rdf:li after the GainMap item in its Container:Directory
}

const testGainMapXMP = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
	`<rdf:Description rdf:about="" xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/" hdrgm:Version="1.0" hdrgm:GainMapMin="0.000000" ` +
	`hdrgm:GainMapMax="2.5" hdrgm:HDRCapacityMin="0" hdrgm:HDRCapacityMax="2.5" hdrgm:BaseRenditionIsHDR="False">` +
	`<hdrgm:Gamma><rdf:Seq><rdf:li>1</rdf:li><rdf:li>1.5</rdf:li><rdf:li>2</rdf:li></rdf:Seq></hdrgm:Gamma>` +
	`</rdf:Description></rdf:RDF></x:xmpmeta>`

// testISOMetadata is a full ISO 21496-1 block, one channel, common
// denominator.
func testISOMetadata() []byte {
	b := gainmap.AppendVersion(nil, gainmap.Version{})
	b = append(b, gainmap.FlagCommonDenominator)
	for _, w := range []uint32{1000, 0, 2500, 0, 2500, 1000, 15, 15} {
		b = binary.BigEndian.AppendUint32(b, w)
	}
	return b
}

func encodeTestJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// buildGainMapJPEG builds the file c describes; it returns it with the
// gain map as written.
func buildGainMapJPEG(t testing.TB, c gainMapCase) (file, gm []byte) {
	t.Helper()
	var gmSegs [][]byte
	if c.gmXMP != "" {
		gmSegs = append(gmSegs, segment(markerAPP1, sigXMP, []byte(c.gmXMP)))
	}
	if c.gmISO != nil {
		gmSegs = append(gmSegs, segment(markerAPP2, sigISO, c.gmISO))
	}
	gmSegs = append(gmSegs, c.gmSegments...)
	gm = withSegments(encodeTestJPEG(t, c.gmW, c.gmH), gmSegs...)
	base := encodeTestJPEG(t, 48, 32)
	var segs [][]byte
	if !c.noContainer {
		x := fmt.Sprintf(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`+
			`<rdf:Description rdf:about="" xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/" xmlns:Container="http://ns.google.com/photos/1.0/container/" `+
			`xmlns:Item="http://ns.google.com/photos/1.0/container/item/" xmlns:GCamera="http://ns.google.com/photos/1.0/camera/" hdrgm:Version="1.0" GCamera:HdrPlusMakernote="PLANTEDMAKERNOTE"%s>`+
			`<Container:Directory><rdf:Seq><rdf:li rdf:parseType="Resource"><Container:Item Item:Semantic="Primary" Item:Mime="image/jpeg"/></rdf:li>`+
			`<rdf:li rdf:parseType="Resource"><Container:Item Item:Semantic="GainMap" Item:Mime="image/jpeg" Item:Length="%d"/></rdf:li>%s</rdf:Seq></Container:Directory>`+
			`</rdf:Description></rdf:RDF></x:xmpmeta>`, c.motionAttrs, len(gm)+c.lengthDelta, c.motionItem)
		segs = append(segs, segment(markerAPP1, sigXMP, []byte(x)))
	}
	if c.primaryISO != nil {
		segs = append(segs, segment(markerAPP2, sigISO, c.primaryISO))
	}
	if c.primarySegment != nil {
		segs = append(segs, c.primarySegment)
	}
	mpfAt := 2
	for _, s := range segs {
		mpfAt += len(s)
	}
	entries := func(primarySize, offset uint32) []byte {
		e := make([]byte, 32)
		binary.BigEndian.PutUint32(e, mpf.TypePrimary)
		binary.BigEndian.PutUint32(e[4:], primarySize)
		binary.BigEndian.PutUint32(e[16+4:], uint32(len(gm)))
		binary.BigEndian.PutUint32(e[16+8:], offset)
		return e
	}
	mpfSegment := func(primarySize, offset uint32) []byte {
		return segment(markerAPP2, sigMPF, tiffBlock([]ifdEntry{{0xb000, 7, 4, []byte("0100")}, {0xb001, 4, 1, be32(2)}, {0xb002, 7, 32, entries(primarySize, offset)}}, nil, nil))
	}
	primarySize := len(base) + mpfAt - 2 + len(mpfSegment(0, 0))
	offset := int64(primarySize-(mpfAt+mpf.TIFFAt)) + c.offsetDelta
	segs = append(segs, mpfSegment(uint32(primarySize), uint32(offset)))
	file = append(withSegments(base, segs...), gm...)
	return append(file, c.afterGainMap...), gm
}

// scrubGainMapFile scrubs b and checks what every output must be: Scan
// finds nothing in it, and scrubbing it again changes nothing.
func scrubGainMapFile(t *testing.T, b []byte) ([]byte, *Report) {
	t.Helper()
	out, rep := scrubBytes(t, b)
	again, rep2 := scrubBytes(t, out)
	if !bytes.Equal(again, out) {
		t.Errorf("scrubbing the output again changes it (%d -> %d bytes)", len(out), len(again))
	}
	if len(rep2.Findings) != 0 {
		t.Errorf("the output still holds %v", rep2.Findings)
	}
	scan, err := Scan(bytes.NewReader(out))
	if err != nil || len(scan.Findings) != 0 {
		t.Errorf("Scan of the output: %v %v", scan.Findings, err)
	}
	return out, rep
}

// mpImage2 returns the gain map of a file written by Scrub, by its MPF
// index, checking that its offset and size are those of the file.
func mpImage2(t *testing.T, b []byte) []byte {
	t.Helper()
	i := bytes.Index(b, sigMPF)
	if i < 0 {
		return nil
	}
	m, ok := mpf.Parse(b[i+len(sigMPF):])
	if !ok || len(m.Entries) != 2 {
		t.Fatalf("MPF index unreadable or not 2 entries")
	}
	start := int64(i+len(sigMPF)) + int64(m.Entries[1].Offset)
	end := start + int64(m.Entries[1].Size)
	if int64(m.Entries[0].Size) != start || end != int64(len(b)) {
		t.Fatalf("MPF: primary %d bytes, gain map at %d..%d, file %d bytes", m.Entries[0].Size, start, end, len(b))
	}
	return b[start:end]
}

func sameJPEGPixels(t *testing.T, a, b []byte) {
	t.Helper()
	ia, err := jpeg.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	ib, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if ia.Bounds() != ib.Bounds() {
		t.Fatalf("bounds %v and %v", ia.Bounds(), ib.Bounds())
	}
	r := ia.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if ia.At(x, y) != ib.At(x, y) {
				t.Fatalf("pixel %d,%d differs", x, y)
			}
		}
	}
}

func TestGainMapKept(t *testing.T) {
	in, gm := buildGainMapJPEG(t, gainMapCase{gmW: 12, gmH: 8, gmXMP: testGainMapXMP, gmISO: testISOMetadata(), primaryISO: []byte{0, 0, 0, 0},
		gmSegments: [][]byte{segment(markerCOM, []byte("Source: google libuhdr v1.3.0"))}})
	out, rep := scrubGainMapFile(t, in)
	got := mpImage2(t, out)
	if got == nil {
		t.Fatalf("gain map dropped: %v", rep.Findings)
	}
	sameJPEGPixels(t, got, gm)
	sameJPEGPixels(t, out, in)
	for _, planted := range []string{"PLANTEDMAKERNOTE", "libuhdr"} {
		if bytes.Contains(out, []byte(planted)) {
			t.Errorf("%q is in the output", planted)
		}
	}
	keys := findingKeys(rep)
	for _, want := range []string{"text GainMap JPEG COM Comment", "other XMP GCamera:HdrPlusMakernote"} {
		if _, ok := keys[want]; !ok {
			t.Errorf("no finding %q in %v", want, rep.Findings)
		}
	}
	if _, ok := keys["embedded MPF MPImage2"]; ok {
		t.Errorf("the kept gain map is reported removed")
	}
	// The ISO blocks are there, written anew, with the same fields.
	if n := bytes.Count(out, sigISO); n != 2 {
		t.Fatalf("%d ISO 21496-1 blocks in the output, want 2", n)
	}
	i := bytes.Index(got, sigISO)
	m, _, _, err := gainmap.Parse(got[i+len(sigISO):])
	want, _, _, _ := gainmap.Parse(testISOMetadata())
	if err != nil || fmt.Sprint(m) != fmt.Sprint(want) {
		t.Errorf("gain map ISO metadata %v %v, want %v", m, err, want)
	}
	// The gain map's XMP holds its parameters, the primary's the directory.
	for _, s := range []string{`hdrgm:GainMapMax="2.5"`, `<rdf:li>1.5</rdf:li>`, `hdrgm:BaseRenditionIsHDR="False"`} {
		if !bytes.Contains(got, []byte(s)) {
			t.Errorf("gain map XMP lacks %s", s)
		}
	}
	if !bytes.Contains(out, []byte(fmt.Sprintf(`Item:Semantic="GainMap" Item:Mime="image/jpeg" Item:Length="%d"`, len(got)))) {
		t.Errorf("primary XMP lacks the GainMap item with its new length")
	}
}

func TestGainMapHostile(t *testing.T) {
	planted := `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description rdf:about="" xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/" xmlns:spy="http://example.com/spy/" ` +
		`hdrgm:Version="1.0" hdrgm:GainMapMax="2" hdrgm:Owner="PLANTEDOWNER" spy:Marker="PLANTEDMARKER" hdrgm:GainMapMin="PLANTEDVALUE">` +
		`<hdrgm:Gamma><rdf:Seq><rdf:li>1</rdf:li><rdf:li>PLANTEDLI</rdf:li><rdf:li>1</rdf:li></rdf:Seq></hdrgm:Gamma>` +
		`</rdf:Description></rdf:RDF></x:xmpmeta>`
	long := append(testISOMetadata(), "PLANTEDISO"...)
	tests := []struct {
		name   string
		c      gainMapCase
		kept   bool
		why    string // in the report when dropped
		report string // a finding key the report must have
	}{
		{"wrong aspect ratio", gainMapCase{gmW: 8, gmH: 12, gmXMP: testGainMapXMP}, false, "not the shape", ""},
		{"MPF offset outside the file", gainMapCase{gmW: 12, gmH: 8, gmXMP: testGainMapXMP, offsetDelta: 1 << 20}, false, "not in the data after", ""},
		{"MPF offset before the gain map", gainMapCase{gmW: 12, gmH: 8, gmXMP: testGainMapXMP, offsetDelta: -3, afterGainMap: []byte("xyz")}, false, "", ""},
		{"Container length wrong", gainMapCase{gmW: 12, gmH: 8, gmXMP: testGainMapXMP, lengthDelta: 7}, false, "Container:Directory length", ""},
		{"no gain-map metadata", gainMapCase{gmW: 12, gmH: 8}, false, "does not say it is a gain map", ""},
		{"extra and foreign properties", gainMapCase{gmW: 12, gmH: 8, gmXMP: planted}, true, "", "other GainMap XMP spy:Marker"},
		{"ISO block long", gainMapCase{gmW: 12, gmH: 8, gmXMP: testGainMapXMP, gmISO: long, primaryISO: []byte{0, 0, 0, 0}}, true, "", "embedded GainMap ISO 21496-1 GainMapMetadata"},
		{"ISO block short", gainMapCase{gmW: 12, gmH: 8, gmXMP: testGainMapXMP, gmISO: testISOMetadata()[:20], primaryISO: []byte{0, 0}}, true, "", "embedded ISO 21496-1 Version"},
		{"ISO only, short", gainMapCase{gmW: 12, gmH: 8, gmISO: testISOMetadata()[:9], primaryISO: []byte{0, 0, 0, 0}}, false, "does not say", ""},
		{"data after the gain map", gainMapCase{gmW: 12, gmH: 8, gmXMP: testGainMapXMP, afterGainMap: []byte("\x00\x00\x00\x10ftypmp42PLANTED!")}, true, "", "embedded JPEG MotionVideo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, gm := buildGainMapJPEG(t, tt.c)
			out, rep := scrubGainMapFile(t, in)
			if bytes.Contains(out, []byte("PLANTED")) {
				t.Errorf("a planted value is in the output")
			}
			got := mpImage2(t, out)
			if tt.kept != (got != nil) {
				t.Fatalf("gain map kept: %v, want %v; %v", got != nil, tt.kept, rep.Findings)
			}
			keys := findingKeys(rep)
			if tt.kept {
				sameJPEGPixels(t, got, gm)
			} else {
				if bytes.Contains(out, []byte("hdrgm")) || bytes.Contains(out, []byte("GainMap")) {
					t.Errorf("gain-map XMP left in the output of a dropped gain map")
				}
				if v, ok := keys["embedded MPF MPImage2"]; !ok || !strings.Contains(v, tt.why) {
					t.Errorf("MPImage2 reported as %q, want it to say %q (%v)", v, tt.why, rep.Findings)
				}
			}
			if _, ok := keys[tt.report]; tt.report != "" && !ok {
				t.Errorf("no finding %q in %v", tt.report, rep.Findings)
			}
			sameJPEGPixels(t, out, in)
		})
	}
}

// phoneCorpusDir returns the corpus of phone photos (MANIFEST.tsv there),
// from $EXIFSCRUB_PHONE_CORPUS or ../shared/corpus-phone beside the
// repository.
func phoneCorpusDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("EXIFSCRUB_PHONE_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "shared", "corpus-phone")
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); err != nil {
		if inCI() {
			t.Fatalf("phone corpus not found at %s (set EXIFSCRUB_PHONE_CORPUS)", dir)
		}
		skipFor(t, "the phone corpus is not at "+dir+" (set EXIFSCRUB_PHONE_CORPUS)")
	}
	return dir
}

// gainMapFields returns ExifTool's -j -G1 output for a file, with args.
func gainMapFields(t *testing.T, path string, args ...string) map[string]any {
	t.Helper()
	out, err := exec.Command("exiftool", append(append([]string{"-j", "-G1", "-a"}, args...), path)...).Output()
	if err != nil {
		t.Fatalf("exiftool %s: %v", path, err)
	}
	var v []map[string]any
	if err := json.Unmarshal(out, &v); err != nil || len(v) != 1 {
		t.Fatalf("exiftool %s: %v", path, err)
	}
	delete(v[0], "SourceFile")
	return v[0]
}

// sameValue compares ExifTool values, numbers by value ("0.000000", 0).
func sameValue(a, b any) bool {
	fa, errA := strconv.ParseFloat(fmt.Sprint(a), 64)
	fb, errB := strconv.ParseFloat(fmt.Sprint(b), 64)
	if errA == nil && errB == nil {
		return math.Abs(fa-fb) <= 1e-9*math.Max(1, math.Abs(fa))
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// rgbPixels decodes an image to raw RGB with ImageMagick.
func rgbPixels(t *testing.T, path string) []byte {
	t.Helper()
	out, err := exec.Command("convert", path, "rgb:-").Output()
	if err != nil || len(out) == 0 {
		t.Fatalf("convert %s: %v", path, err)
	}
	return out
}

// TestGainMapPhoneCorpus checks real gain-map JPEGs: a Pixel 8 Pro Ultra
// HDR photo and an iPhone HDR JPEG.
func TestGainMapPhoneCorpus(t *testing.T) {
	dir := phoneCorpusDir(t)
	need(t, "exiftool")
	need(t, "convert")
	for _, name := range []string{"ente__pixel_8.jpg", "libavif__apple_gainmap_new.jpg"} {
		t.Run(name, func(t *testing.T) {
			inPath := filepath.Join(dir, name)
			in, err := os.ReadFile(inPath)
			if err != nil {
				t.Fatal(err)
			}
			out, rep := scrubGainMapFile(t, in)
			if mpImage2(t, out) == nil {
				t.Fatalf("gain map dropped: %v", rep.Findings)
			}
			tmp := t.TempDir()
			outPath := filepath.Join(tmp, "out.jpg")
			if err := os.WriteFile(outPath, out, 0o644); err != nil {
				t.Fatal(err)
			}
			// The gain maps, as ExifTool finds them, decode alike.
			var gms [2]string
			for i, p := range []string{inPath, outPath} {
				b, err := exec.Command("exiftool", "-b", "-MPImage2", p).Output()
				if err != nil || len(b) == 0 {
					t.Fatalf("exiftool -b -MPImage2 %s: %v", p, err)
				}
				gms[i] = filepath.Join(tmp, fmt.Sprintf("gm%d.jpg", i))
				if err := os.WriteFile(gms[i], b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(rgbPixels(t, gms[0]), rgbPixels(t, gms[1])) {
				t.Errorf("the gain map's pixels differ")
			}
			if !bytes.Equal(rgbPixels(t, inPath), rgbPixels(t, outPath)) {
				t.Errorf("the primary's pixels differ")
			}
			// MPF, Container and hdrgm fields: the input's values, but for
			// the sizes and offsets, which are the new file's.
			gmOut, _ := os.ReadFile(gms[1])
			fields := []string{"-MPF:all", "-XMP-Container:all", "-XMP-hdrgm:all", "-XMP-HDRGainMap:all", "-XMP-apdi:all"}
			for i, pair := range [][2]string{{inPath, outPath}, {gms[0], gms[1]}} {
				a, b := gainMapFields(t, pair[0], fields...), gainMapFields(t, pair[1], fields...)
				if len(a) != len(b) {
					t.Errorf("part %d: fields %v, want %v", i, b, a)
				}
				for k, va := range a {
					vb := b[k]
					switch k {
					case "MPImage1:MPImageLength", "MPImage2:MPImageStart":
						if !sameValue(vb, len(out)-len(gmOut)) {
							t.Errorf("%s = %v, want %d", k, vb, len(out)-len(gmOut))
						}
					case "MPImage2:MPImageLength", "XMP-Container:DirectoryItemLength":
						if !sameValue(vb, len(gmOut)) {
							t.Errorf("%s = %v, want %d", k, vb, len(gmOut))
						}
					case "MPImage2:MPImage2":
					default:
						if !sameValue(va, vb) {
							t.Errorf("part %d: %s = %v, want %v", i, k, vb, va)
						}
					}
				}
			}
			// Nothing private is left, in either image.
			all, err := exec.Command("exiftool", "-a", "-G1", "-s", "-ee", "-u", outPath).Output()
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(string(all), "\n") {
				group, _, _ := strings.Cut(line, "]")
				switch strings.TrimSpace(strings.TrimPrefix(group, "[")) {
				case "", "ExifTool", "System", "File", "Composite", "JFIF", "MPF0", "MPImage1", "MPImage2", "XMP-x",
					"XMP-hdrgm", "XMP-Container", "XMP-HDRGainMap", "XMP-apdi", "IFD0", "Apple":
				default:
					if !strings.HasPrefix(group, "[ICC") {
						t.Errorf("left in the output: %s", line)
					}
				}
				if strings.HasPrefix(group, "[ICC") {
					continue // sanitised: its dates and device fields are zero
				}
				if strings.HasPrefix(line, "[Apple]") && (strings.Contains(line, "HDRHeadroom ") || strings.Contains(line, "HDRGain ")) {
					continue // the headroom of Apple's gain map (jpeg_apple.go)
				}
				for _, private := range []string{"GPS", "Date", "Make", "Model", "Serial", "GCamera", "HdrPlus", "Apple", "Software"} {
					if strings.Contains(line, private) && !strings.Contains(line, "Apple Computer") && !strings.HasPrefix(line, "[System]") && !strings.HasPrefix(line, "[File]") {
						t.Errorf("private field left: %s", line)
					}
				}
			}
		})
	}
}

// TestMotionPhotoPhoneCorpus checks a Google motion photo: the video goes,
// reported as MotionVideo with its own times.
func TestMotionPhotoPhoneCorpus(t *testing.T) {
	dir := phoneCorpusDir(t)
	in, err := os.ReadFile(filepath.Join(dir, "libmphoto__motion_photo.jpeg"))
	if err != nil {
		t.Fatal(err)
	}
	out, rep := scrubGainMapFile(t, in)
	if bytes.Contains(out, []byte("ftyp")) {
		t.Errorf("the video is still in the output")
	}
	keys := findingKeys(rep)
	if v := keys["embedded JPEG MotionVideo"]; v != "(motion video, 123 KB, 3.1 s)" {
		t.Errorf("MotionVideo = %q (%v)", v, rep.Findings)
	}
	if _, ok := keys["time MotionPhoto QuickTime mvhd ModificationTime"]; !ok {
		t.Errorf("the video's own times are not reported: %v", rep.Findings)
	}
	sameJPEGPixels(t, out, in)
}
