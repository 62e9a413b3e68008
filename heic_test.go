package exifscrub

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/exifscrub/exifscrub/internal/av1"
	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/gainmap"
	"github.com/exifscrub/exifscrub/internal/heif"
	"github.com/exifscrub/exifscrub/internal/tiff"
)

func TestDetectHEIF(t *testing.T) {
	ftyp := func(major string, compatible ...string) []byte {
		return rawBox("ftyp", []byte(major), []byte{0, 0, 0, 0}, []byte(strings.Join(compatible, "")))
	}
	tests := []struct {
		name string
		head []byte
		want Format
	}{
		{"iPhone", ftyp("heic", "mif1", "heic"), HEIF},
		{"10-bit", ftyp("heix", "mif1", "heix"), HEIF},
		{"libavif", ftyp("avif", "avif", "mif1", "miaf", "MA1B"), AVIF},
		{"AVIF sequence", ftyp("avis", "avis", "msf1"), AVIF},
		{"mif1 then avif", ftyp("mif1", "mif1", "avif"), AVIF},
		{"mif1 then heic", ftyp("mif1", "mif1", "heic"), HEIF},
		{"generic HEIF", ftyp("mif1", "mif1"), HEIF},
		{"HEVC sequence", ftyp("msf1", "msf1", "hevc"), HEIF},
		{"MP4 video", ftyp("isom", "isom", "mp41"), MP4},
		{"QuickTime", ftyp("qt  ", "qt  "), MOV},
		{"Canon CR3", ftyp("crx ", "crx ", "isom"), ""},
		{"short ftyp", []byte{0, 0, 0, 8, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c'}, ""},
		{"largesize ftyp", append([]byte{0, 0, 0, 1, 'f', 't', 'y', 'p', 0, 0, 0, 0, 0, 0, 0, 28}, "mif1\x00\x00\x00\x00avif"...), AVIF},
		{"largesize ftyp, no brands", []byte("\x00\x00\x00\x01ftyp00000000"), ""}, // found by FuzzHEIF
		{"largesize ftyp too small", append([]byte{0, 0, 0, 1, 'f', 't', 'y', 'p', 0, 0, 0, 0, 0, 0, 0, 3}, "heic\x00\x00\x00\x00heic"...), ""},
		{"not ftyp", rawBox("free", []byte("heicmif1heic")), MOV}, // QuickTime without ftyp
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectFormat(tt.head); got != tt.want {
				t.Errorf("DetectFormat: got %q, want %q", got, tt.want)
			}
		})
	}
}

// heifStructural matches the tags ExifTool reads from the structure of a
// HEIF file: brands, handler, codec configuration, image size and pixel
// depth, colour, transforms and the primary item. None is a date, a
// place, a device or a person; metadata groups (IFD0, ExifIFD, GPS, XMP-*,
// maker notes) are not matched.
var heifStructural = regexp.MustCompile(`^(QuickTime:(MajorBrand|MinorVersion|CompatibleBrands|HandlerType|` +
	`HandlerDescription|MediaData|MediaDataSize|MediaDataOffset|ImageSpatialExtent|ImagePixelDepth|Rotation|` +
	`Unknown_imir|ImageMirror|AuxiliaryImageType|ColorProfiles|ColorPrimaries|TransferCharacteristics|` +
	`MatrixCoefficients|VideoFullRangeFlag|HEVCConfigurationVersion|GeneralProfileSpace|GeneralTierFlag|` +
	`GeneralProfileIDC|GenProfileCompatibilityFlags|ConstraintIndicatorFlags|GeneralLevelIDC|` +
	`MinSpatialSegmentationIDC|ParallelismType|ChromaFormat|BitDepthLuma|BitDepthChroma|AverageFrameRate|` +
	`ConstantFrameRate|NumTemporalLayers|TemporalIDNested|AV1ConfigurationVersion|SeqProfile|SeqLevelIdx0|` +
	`SeqTier0|HighBitDepth|TwelveBit|ChromaSamplePosition|InitialDelaySamples)|` +
	`Meta:(PrimaryItemReference|MetaImageSize|Unknown_grpl))$`)

// TestHEIFRoundTrip scrubs every HEIF and AVIF file in testdata and the
// corpus and checks the result with ExifTool and libheif.
func TestHEIFRoundTrip(t *testing.T) {
	need(t, "exiftool")
	files := sampleFiles(t, !testing.Short(), HEIF, AVIF)
	if len(files) == 0 {
		t.Fatal("no sample files")
	}
	seen := make(map[string]bool) // testdata holds copies of corpus files
	for _, path := range files {
		if seen[filepath.Base(path)] {
			continue
		}
		seen[filepath.Base(path)] = true
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			checkHEIFRoundTrip(t, path)
		})
	}
}

// checkHEIFRoundTrip checks the scrub of one file: ExifTool sees nothing
// but structure, Scan of the output is clean, scrubbing again changes
// nothing, libheif sees the same images and decodes the same pixels, and
// the report lists every location, time and device tag ExifTool sees.
func checkHEIFRoundTrip(t *testing.T, path string) *Report {
	t.Helper()
	in, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out, rep := scrubBytes(t, in)
	outPath := writeTemp(t, "scrubbed"+filepath.Ext(path), out)

	if bad := leftovers(t, outPath, heifStructural); len(bad) > 0 {
		t.Errorf("ExifTool still sees %d tags after scrub:\n  %s", len(bad), strings.Join(bad, "\n  "))
	}
	checkClean(t, out, nil)
	checkReportCovers(t, rep, exiftool(t, path))
	compareHEIFInfo(t, path, outPath)
	sameHEIFPixels(t, path, outPath)
	return rep
}

// compareHEIFInfo checks that heif-info lists the same images, brands,
// colour profiles, alpha and depth channels before and after, and no
// thumbnails or metadata after.
func compareHEIFInfo(t *testing.T, before, after string) {
	t.Helper()
	need(t, "heif-info")
	a, thumbsA := heifInfo(t, before)
	b, thumbsB := heifInfo(t, after)
	if a != b {
		t.Errorf("heif-info differs:\nbefore:\n%s\nafter:\n%s", a, b)
	}
	if thumbsB != "" {
		t.Errorf("heif-info still lists thumbnails: %s", thumbsB)
	}
	if thumbsA != "" {
		t.Logf("thumbnails removed: %s", thumbsA)
	}
}

// heifInfo runs heif-info and returns its output without the metadata
// and thumbnail lines, and the thumbnail lines.
func heifInfo(t *testing.T, path string) (info, thumbs string) {
	t.Helper()
	out, err := exec.Command("heif-info", path).CombinedOutput()
	if err != nil {
		t.Fatalf("heif-info %s: %v\n%s", path, err, out)
	}
	var keep, th []string
	inMetadata := false
	for _, line := range strings.Split(string(out), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "metadata:"):
			inMetadata = true
			keep = append(keep, line)
		case inMetadata && strings.HasPrefix(line, " "):
			// Exif: N bytes, XMP: N bytes, none
		case strings.HasPrefix(trimmed, "thumbnail:"):
			th = append(th, trimmed)
		case strings.HasPrefix(line, "compatible brands: "):
			// Scrub lists each brand once.
			var brands []string
			for _, b := range strings.Split(strings.TrimPrefix(line, "compatible brands: "), ", ") {
				if !slices.Contains(brands, b) {
					brands = append(brands, b)
				}
			}
			keep = append(keep, "compatible brands: "+strings.Join(brands, ", "))
		default:
			inMetadata = false
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n"), strings.Join(th, "; ")
}

// sameHEIFPixels decodes both files with libheif's heif-convert and
// compares the pixels of every top-level image.
func sameHEIFPixels(t *testing.T, a, b string) {
	t.Helper()
	need(t, "heif-convert")
	da, db := decodeHEIF(t, a, false), decodeHEIF(t, b, false)
	if len(da) > 0 && len(db) > 0 && (da[0].img == nil) != (db[0].img == nil) {
		// libpng refuses some profiles (a "known incorrect sRGB
		// profile") that the sanitised copy no longer matches: compare
		// the decoded planes.
		da, db = decodeHEIF(t, a, true), decodeHEIF(t, b, true)
	}
	if len(da) != len(db) {
		t.Fatalf("decoded %d images before, %d after", len(da), len(db))
	}
	for i := range da {
		pa, pb := da[i], db[i]
		switch {
		case pa.img != nil && pb.img != nil:
			if x, y, ok := firstPixelDiff(pa.img, pb.img); !ok {
				t.Errorf("image %d: decoded pixels differ at (%d, %d)", i+1, x, y)
			}
		case pa.raw != nil && pb.raw != nil:
			if !bytes.Equal(pa.raw, pb.raw) {
				t.Errorf("image %d: decoded Y4M frames differ", i+1)
			}
		default:
			t.Errorf("image %d: decoded differently before and after", i+1)
		}
	}
}

// A decoded image is read from PNG, or the raw Y4M frame.
type decoded struct {
	img image.Image
	raw []byte
}

// decodeHEIF decodes the top-level images of a HEIF file with heif-convert
// to PNG and reads them with image/png. Files over 1 MB are decoded to Y4M
// instead, their raw decoded planes (PNG compression of a 12-megapixel
// image takes half a minute here), and so are images whose colour profile
// libpng refuses to write.
func decodeHEIF(t *testing.T, path string, y4m bool) []decoded {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() <= 1<<20 && !y4m {
		var images []decoded
		for _, p := range heifConvert(t, path, "png") {
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			m, err := png.Decode(f)
			f.Close()
			if err != nil {
				images = nil
				break
			}
			images = append(images, decoded{img: m})
		}
		if images != nil {
			return images
		}
	}
	var images []decoded
	for _, p := range heifConvert(t, path, "y4m") {
		raw, err := os.ReadFile(p)
		if err != nil || len(raw) == 0 {
			t.Fatalf("heif-convert %s wrote no image: %v", path, err)
		}
		images = append(images, decoded{raw: raw})
	}
	return images
}

// heifConvert decodes a file to a new directory and returns the paths of
// the images written: "decoded.ext", or "decoded-1.ext", "decoded-2.ext"…
// when the file holds several top-level images.
func heifConvert(t *testing.T, path, ext string) []string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("heif-convert", "--quiet", path, filepath.Join(dir, "decoded."+ext)).CombinedOutput(); err != nil {
		t.Fatalf("heif-convert %s: %v\n%s", path, err, out)
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "decoded*."+ext))
	if len(paths) == 0 {
		t.Fatalf("heif-convert %s wrote nothing", path)
	}
	sort.Strings(paths)
	return paths
}

// firstPixelDiff compares two images pixel by pixel.
func firstPixelDiff(a, b image.Image) (x, y int, same bool) {
	if a.Bounds() != b.Bounds() {
		return -1, -1, false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.RGBA64Model.Convert(a.At(x, y)) != color.RGBA64Model.Convert(b.At(x, y)) {
				return x, y, false
			}
		}
	}
	return 0, 0, true
}

// TestHEIFGenerated encodes photos with libheif's heif-enc, has ExifTool
// write GPS, camera, date and XMP creator into them, and checks the scrub.
func TestHEIFGenerated(t *testing.T) {
	need(t, "heif-enc")
	need(t, "exiftool")
	dir := t.TempDir()
	src := filepath.Join(dir, "photo.png")
	writeTestPNG(t, src, 64, 48, true)
	tests := []struct {
		name  string
		input string
		args  []string // heif-enc options
		tag   bool     // write tags with ExifTool
		thumb bool     // the file has a thumbnail
	}{
		{"heic alpha thumbnail", src, []string{"-q", "40", "-t", "24"}, true, true},
		{"heic plain", src, []string{"-q", "40", "--no-alpha"}, true, false},
		// aom here aborts on 4:2:0 and on alpha planes; 4:2:2 works.
		{"avif thumbnail", src, []string{"-A", "-p", "chroma=422", "--no-alpha", "-q", "40", "-t", "24"}, true, true},
		{"heic from camera JPEG", filepath.Join("testdata", "jpg__Canon_40D.jpg"), []string{"-q", "20"}, false, false},
		{"avif from camera JPEG", filepath.Join("testdata", "jpg__Canon_40D.jpg"), []string{"-A", "-p", "chroma=422", "-q", "20"}, true, false},
		{"heic with ICC profile", filepath.Join("testdata", "pillow__icc_profile.png"), []string{"-q", "20", "--no-alpha"}, true, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ext := ".heic"
			if tt.args[0] == "-A" {
				ext = ".avif"
			}
			path := filepath.Join(dir, fmt.Sprintf("gen%d%s", i, ext))
			args := append(append([]string(nil), tt.args...), "-o", path, tt.input)
			if out, err := exec.Command("heif-enc", args...).CombinedOutput(); err != nil {
				t.Skipf("heif-enc %v: %v\n%s", args, err, out)
			}
			if tt.tag {
				tagWithExifTool(t, path)
			}
			rep := checkHEIFRoundTrip(t, path)
			want := []string{"EXIF IFD0|Make", "EXIF IFD0|Model", "EXIF ExifIFD|DateTimeOriginal"}
			if tt.tag {
				want = append(want, "EXIF GPS|GPSLatitude", "XMP|dc:creator")
			}
			if tt.thumb {
				want = append(want, "HEIF|ThumbnailImage")
			}
			have := make(map[string]bool)
			for _, f := range rep.Findings {
				have[f.Container+"|"+f.Tag] = true
			}
			for _, w := range want {
				if !have[w] {
					t.Errorf("report lacks %s; it has %v", w, rep.Findings)
				}
			}
		})
	}
}

// writeTestPNG writes a w×h gradient, with varying alpha when alpha is set.
func writeTestPNG(t *testing.T, path string, w, h int, alpha bool) {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			a := uint8(255)
			if alpha {
				a = uint8(128 + 127*x/w)
			}
			m.SetNRGBA(x, y, color.NRGBA{uint8(255 * x / w), uint8(255 * y / h), uint8(x * y), a})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tagWithExifTool writes the private tags of a phone photo into path.
func tagWithExifTool(t *testing.T, path string) {
	t.Helper()
	out, err := exec.Command("exiftool", "-q", "-overwrite_original",
		"-GPSLatitude=48.8584", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945", "-GPSLongitudeRef=E",
		"-Make=TestMake", "-Model=TestModel", "-DateTimeOriginal=2024:05:06 07:08:09",
		"-XMP-dc:Creator=Jane Doe", path).CombinedOutput()
	if err != nil {
		t.Fatalf("exiftool: %v\n%s", err, out)
	}
}

// A heifSource is a coded image taken from a real file, to build test
// files around.
type heifSource struct {
	typ   string
	data  []byte
	props [][]byte // the image's property boxes, whole
}

// parseHEIFIndex parses a HEIF file's index with the package's own
// reader, for tests that look inside.
func parseHEIFIndex(t testing.TB, b []byte) *heifFile {
	t.Helper()
	h := &heifFile{scrubber: &scrubber{opts: new(Options), rep: new(Report)}, data: b,
		items: make(map[uint32]*heifItem), groupIDs: make(map[uint32]bool)}
	for _, step := range []func() error{h.parseTop, h.parseMeta, h.resolveLocations} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// primaryData returns the data of a file's primary item.
func primaryData(t testing.TB, b []byte) []byte {
	h := parseHEIFIndex(t, b)
	data, _ := h.itemData(h.items[h.primary])
	return data
}

// loadHEIFSource takes the primary image of a testdata file.
func loadHEIFSource(t testing.TB, name string) heifSource {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	h := parseHEIFIndex(t, b)
	it := h.items[h.primary]
	data, _ := h.itemData(it)
	src := heifSource{typ: it.Type.String(), data: append([]byte(nil), data...)}
	for _, m := range h.ipmas {
		for _, e := range m.Entries {
			if e.ID != it.ID {
				continue
			}
			for _, a := range e.Assocs {
				var w bmff.Writer
				w.CopyBox(h.props[a.Index-1])
				src.props = append(src.props, w.Bytes())
			}
		}
	}
	return src
}

// A testItem is an item of a file built by testHEIF.
type testItem struct {
	id     uint32
	typ    string
	name   string // item_name
	hidden bool
	ctype  string // content type of a 'mime' item
	data   []byte
	method uint8  // 0: in 'mdat'; 1: in 'idat'
	split  int    // extents, stored in reverse order; 0 means 1
	props  []int  // 1-based indexes into testHEIF.props; negative for essential
	noLoc  bool   // no 'iloc' entry
	sameAs uint32 // share the extents of this earlier item instead of data
	// undeclared leaves the item out of 'iinf' and 'ipma': only its
	// location remains.
	undeclared bool

	// For malformed files:
	shift     uint64 // added to every extent offset
	grow      uint64 // added to every extent length
	dataRef   uint16 // iloc data_reference_index
	protected bool   // infe item_protection_index 1
}

type testRef struct {
	typ  string
	from uint32
	to   []uint32
}

// A testHEIF describes a HEIF file to build, with every layout choice
// ISO/IEC 14496-12 allows for the item index.
type testHEIF struct {
	brand       string
	items       []testItem
	primary     uint32
	refs        []testRef
	props       [][]byte
	ilocVersion uint8
	sizes       [4]int // offset_size, length_size, base_offset_size, index_size
	wide        bool   // infe version 3, iref and ipma version 1, 15-bit property indexes
	mdatFirst   bool   // 'mdat' before 'meta'
	largeMdat   bool   // 'mdat' with a 64-bit largesize
	gap         []byte // written in 'mdat' and 'idat' after each extent, referenced by none
	extraMeta   [][]byte
	extraTop    [][]byte
	groups      [][]uint32 // 'altr' entity groups of item IDs

	// Planted data, for TestHEIFPlanted:
	hdlrName     string   // written after the handler; "test" if empty
	brands       []string // more compatible brands
	dinf         []byte   // a 'dinf' box for 'meta'
	groupTrailer []byte   // written after the IDs of each group
}

// build writes the file. Offsets into 'mdat' depend on where it lands, so
// the file is laid out twice; field sizes do not change in between.
func (f *testHEIF) build() []byte {
	var mdat, idat []byte
	type place struct{ off, len uint64 }
	places := make(map[uint32][]place)
	for _, it := range f.items {
		if it.noLoc {
			continue
		}
		if it.sameAs != 0 {
			places[it.id] = places[it.sameAs]
			continue
		}
		n := max(it.split, 1)
		chunk := (len(it.data) + n - 1) / n
		var ps []place
		for i := 0; i < n; i++ {
			lo, hi := min(i*chunk, len(it.data)), min((i+1)*chunk, len(it.data))
			ps = append(ps, place{uint64(lo), uint64(hi - lo)})
		}
		// Store the extents last first, so that their order in the file
		// differs from their order in the item.
		for i := len(ps) - 1; i >= 0; i-- {
			part := it.data[ps[i].off : ps[i].off+ps[i].len]
			if it.method == 1 {
				ps[i].off = uint64(len(idat))
				idat = append(append(idat, part...), f.gap...)
			} else {
				ps[i].off = uint64(len(mdat))
				mdat = append(append(mdat, part...), f.gap...)
			}
		}
		places[it.id] = ps
	}
	ftyp := rawBox("ftyp", []byte(f.brand), []byte{0, 0, 0, 0}, []byte("mif1"+f.brand+strings.Join(f.brands, "")))
	var mdatHdr bmff.Writer
	if f.largeMdat {
		mdatHdr.U32(1)
		mdatHdr.Append([]byte("mdat"))
		mdatHdr.U64(uint64(16 + len(mdat)))
	} else {
		mdatHdr.Header(bmff.BoxMdat, nil, uint64(len(mdat)))
	}
	meta := func(mdatStart uint64) []byte {
		var w bmff.Writer
		w.StartFull(bmff.BoxMeta, 0, 0)
		w.StartFull(bmff.BoxHdlr, 0, 0)
		w.U32(0)
		w.Append([]byte("pict"))
		w.Append(make([]byte, 12))
		if f.hdlrName == "" {
			w.Append([]byte("test\x00"))
		} else {
			w.Append([]byte(f.hdlrName + "\x00"))
		}
		w.End()
		w.Append(f.dinf)
		idSize := 2
		if f.wide {
			idSize = 4
		}
		w.StartFull(heif.BoxPitm, uint8(idSize/4), 0)
		w.UintN(idSize, uint64(f.primary))
		w.End()
		w.StartFull(heif.BoxIinf, 0, 0)
		var declared []testItem
		for _, it := range f.items {
			if !it.undeclared {
				declared = append(declared, it)
			}
		}
		w.U16(uint16(len(declared)))
		for _, it := range declared {
			flags := uint32(0)
			if it.hidden {
				flags = 1
			}
			w.StartFull(heif.BoxInfe, uint8(2+idSize/4), flags)
			w.UintN(idSize, uint64(it.id))
			if it.protected {
				w.U16(1)
			} else {
				w.U16(0)
			}
			w.Append([]byte(fmt.Sprintf("%-4s", it.typ)))
			w.Append([]byte(it.name + "\x00"))
			if it.typ == "mime" {
				w.Append([]byte(it.ctype + "\x00"))
			}
			w.End()
		}
		w.End()
		if len(idat) > 0 {
			w.Start(heif.BoxIdat)
			w.Append(idat)
			w.End()
		}
		offSize, lenSize, baseSize, indexSize := f.sizes[0], f.sizes[1], f.sizes[2], f.sizes[3]
		v := f.ilocVersion
		w.StartFull(heif.BoxIloc, v, 0)
		w.U8(uint8(offSize<<4 | lenSize))
		w.U8(uint8(baseSize<<4 | indexSize))
		var locs []testItem
		for _, it := range f.items {
			if !it.noLoc {
				locs = append(locs, it)
			}
		}
		if v < 2 {
			w.U16(uint16(len(locs)))
		} else {
			w.U32(uint32(len(locs)))
		}
		for _, it := range locs {
			if v < 2 {
				w.U16(uint16(it.id))
			} else {
				w.U32(it.id)
			}
			if v >= 1 {
				w.U16(uint16(it.method))
			}
			w.U16(it.dataRef)
			var base uint64 // where offsets count from
			if it.method == 0 {
				base = mdatStart
			}
			ps := places[it.id]
			if baseSize > 0 {
				if offSize == 0 && len(ps) > 0 {
					base += ps[0].off // extents hold no offset (only one extent works)
				}
				w.UintN(baseSize, base)
				base = 0
				if offSize == 0 && len(ps) > 0 {
					base = -ps[0].off
				}
			}
			w.U16(uint16(len(ps)))
			for _, p := range ps {
				if v >= 1 {
					w.UintN(indexSize, 0)
				}
				w.UintN(offSize, base+p.off+it.shift)
				w.UintN(lenSize, p.len+it.grow)
			}
		}
		w.End()
		if len(f.refs) > 0 {
			w.StartFull(heif.BoxIref, uint8(idSize/4), 0)
			for _, r := range f.refs {
				w.Start(bmff.FourCC([]byte(r.typ)))
				w.UintN(idSize, uint64(r.from))
				w.U16(uint16(len(r.to)))
				for _, id := range r.to {
					w.UintN(idSize, uint64(id))
				}
				w.End()
			}
			w.End()
		}
		w.Start(heif.BoxIprp)
		w.Start(heif.BoxIpco)
		for _, p := range f.props {
			w.Append(p)
		}
		w.End()
		flags := uint32(0)
		if f.wide {
			flags = 1
		}
		w.StartFull(heif.BoxIpma, uint8(idSize/4), flags)
		w.U32(uint32(len(declared)))
		for _, it := range declared {
			w.UintN(idSize, uint64(it.id))
			w.U8(uint8(len(it.props)))
			for _, p := range it.props {
				ess, idx := p < 0, max(p, -p)
				if f.wide {
					v := uint16(idx)
					if ess {
						v |= 0x8000
					}
					w.U16(v)
				} else {
					v := uint8(idx)
					if ess {
						v |= 0x80
					}
					w.U8(v)
				}
			}
		}
		w.End()
		w.End()
		if len(f.groups) > 0 {
			w.Start(heif.BoxGrpl)
			for i, g := range f.groups {
				w.StartFull(bmff.FourCC{'a', 'l', 't', 'r'}, 0, 0)
				w.U32(uint32(1000 + i))
				w.U32(uint32(len(g)))
				for _, id := range g {
					w.U32(id)
				}
				w.Append(f.groupTrailer)
				w.End()
			}
			w.End()
		}
		for _, b := range f.extraMeta {
			w.Append(b)
		}
		w.End()
		return w.Bytes()
	}
	layout := func(mdatStart uint64) []byte {
		var file []byte
		file = append(file, ftyp...)
		if f.mdatFirst {
			file = append(append(file, mdatHdr.Bytes()...), mdat...)
		}
		file = append(file, meta(mdatStart)...)
		if !f.mdatFirst {
			file = append(append(file, mdatHdr.Bytes()...), mdat...)
		}
		for _, b := range f.extraTop {
			file = append(file, b...)
		}
		return file
	}
	start := uint64(len(ftyp) + mdatHdr.Len())
	if !f.mdatFirst {
		start = uint64(len(ftyp) + len(meta(0)) + mdatHdr.Len())
	}
	return layout(start)
}

// Test metadata: what a phone writes, with a marker to look for.
var (
	testExifItem = append([]byte{0, 0, 0, 6, 'E', 'x', 'i', 'f', 0, 0},
		tiffWithMake("SECRETMAKE")...)
	testXMPItem = []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="SECRETCREATOR"/></rdf:RDF></x:xmpmeta>`)
)

// tiffWithMake is a big-endian TIFF structure with IFD0 holding a Make.
func tiffWithMake(make string) []byte {
	v := []byte(make + "\x00")
	b := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x0f, 0, 2}
	b = append(b, byte(len(v)>>24), byte(len(v)>>16), byte(len(v)>>8), byte(len(v)))
	b = append(b, 0, 0, 0, 26, 0, 0, 0, 0) // value at offset 26; no IFD1
	return append(b, v...)
}

// fullBoxBytes builds a FullBox.
func fullBoxBytes(typ string, version uint8, flags uint32, payload ...[]byte) []byte {
	return rawBox(typ, append([]byte{version, byte(flags >> 16), byte(flags >> 8), byte(flags)}, bytes.Join(payload, nil)...))
}

// basicHEIF is a photo as a phone writes it: the image, an Exif item and
// an XMP item describing it.
// addAppleGainMap adds to f a hidden image, item 16, that is the primary's
// Apple HDR gain map (an 'auxl' reference and an auxC of its URN).
func (f *testHEIF) addAppleGainMap() {
	f.props = append(f.props, fullBoxBytes("auxC", 0, 0, []byte(appleGainMapAux+"\x00")))
	f.items = append(f.items, testItem{id: 16, typ: "hvc1", hidden: true, data: fakeNAL("apple gain map"),
		props: append(slices.Clone(f.items[0].props), len(f.props))})
	f.refs = append(f.refs, testRef{"auxl", 16, []uint32{1}})
}

func basicHEIF(src heifSource) *testHEIF {
	f := &testHEIF{brand: "heic", primary: 1, ilocVersion: 1, sizes: [4]int{4, 4, 0, 0}, props: src.props}
	if src.typ == "av01" {
		f.brand = "avif"
	}
	var props []int
	for i := range src.props {
		props = append(props, i+1)
	}
	f.items = []testItem{
		{id: 1, typ: src.typ, data: src.data, props: props},
		{id: 2, typ: "Exif", hidden: true, data: testExifItem},
		{id: 3, typ: "mime", ctype: "application/rdf+xml", hidden: true, data: testXMPItem},
	}
	f.refs = []testRef{{"cdsc", 2, []uint32{1}}, {"cdsc", 3, []uint32{1}}}
	return f
}

// TestHEIFLayouts scrubs files that store the same photo in the ways the
// standard allows, and checks that the metadata is gone, the image data
// is intact and libheif decodes the same pixels.
func TestHEIFLayouts(t *testing.T) {
	heic := loadHEIFSource(t, "heic__samplefilehub.heif")
	avif := loadHEIFSource(t, "pillow__avif__rot0mir1.avif")
	udes := fullBoxBytes("udes", 0, 0, []byte("en\x00SECRETNAME\x00SECRETDESC\x00tag1\x00"))
	crtt := fullBoxBytes("crtt", 0, 0, []byte{0, 0x0b, 0x80, 0x5a, 0x7c, 0x9c, 0x10, 0x00})
	unknown := rawBox("zzzz", []byte("SECRETPROP"))
	tests := []struct {
		name   string
		src    heifSource
		modify func(f *testHEIF)
		want   []string // Container|Tag of findings the report must have
	}{
		{"basic", heic, func(f *testHEIF) {}, nil},
		{"avif", avif, func(f *testHEIF) {}, nil},
		{"exif in idat", heic, func(f *testHEIF) { f.items[1].method = 1 }, nil},
		{"iloc version 0", heic, func(f *testHEIF) { f.ilocVersion = 0 }, nil},
		{"iloc version 2, 32-bit IDs", heic, func(f *testHEIF) { f.ilocVersion, f.wide = 2, true }, nil},
		{"8-byte offsets and base offsets", heic, func(f *testHEIF) {
			f.sizes = [4]int{8, 8, 8, 0}
			f.items[0].split = 3
			f.items[1].split = 2
		}, nil},
		// ISO/IEC 14496-12 §8.11.3 has index_size in versions 1 and 2;
		// libheif 1.15 reads it only in version 2, so test that.
		{"extent indexes", heic, func(f *testHEIF) {
			f.ilocVersion, f.sizes = 2, [4]int{4, 4, 0, 4}
		}, nil},
		{"4-byte base offsets, no offsets", heic, func(f *testHEIF) {
			f.sizes = [4]int{0, 4, 4, 0}
		}, nil},
		{"many extents in idat", heic, func(f *testHEIF) {
			f.items[1].method, f.items[1].split = 1, 5
			f.items[2].split = 4
			f.items[0].split = 7
		}, nil},
		{"mdat first, largesize", heic, func(f *testHEIF) { f.mdatFirst, f.largeMdat = true, true }, nil},
		{"unreferenced bytes", heic, func(f *testHEIF) { f.gap = []byte("SECRETGAP") }, []string{"HEIF mdat|UnreferencedData"}},
		{"unreferenced bytes in idat", heic, func(f *testHEIF) { f.items[1].method, f.gap = 1, []byte("SECRETGAP") }, []string{"HEIF mdat|UnreferencedData", "HEIF idat|UnreferencedData"}},
		{"unreferenced zeros", heic, func(f *testHEIF) { f.gap = make([]byte, 7) }, []string{"HEIF mdat|Unreferenced"}},
		{"top-level boxes", heic, func(f *testHEIF) {
			f.extraTop = [][]byte{
				rawBox("free", []byte("SECRETFREE")),
				rawBox("uuid", uuidXMP[:], testXMPItem),
				rawBox("udta", rawBox("cprt", []byte("SECRETUDTA"))),
			}
			f.extraMeta = [][]byte{rawBox("skip", []byte("SECRETSKIP")), fullBoxBytes("xml ", 0, 0, testXMPItem)}
		}, []string{"HEIF|Padding", "HEIF meta|Padding", "HEIF|udta"}},
		{"metadata properties", heic, func(f *testHEIF) {
			f.props = append(append([][]byte(nil), f.props...), udes, crtt, unknown)
			n := len(f.props)
			f.items[0].props = append(append([]int{n - 2}, f.items[0].props...), n-1, n)
		}, []string{"HEIF udes|Name", "HEIF udes|Description", "HEIF crtt|CreationTime", "HEIF ipco|zzzz"}},
		{"thumbnail with its own Exif", heic, func(f *testHEIF) {
			f.items = append(f.items,
				testItem{id: 4, typ: heic.typ, data: heic.data, props: f.items[0].props},
				testItem{id: 5, typ: "Exif", hidden: true, data: testExifItem})
			f.refs = append(f.refs, testRef{"thmb", 4, []uint32{1}}, testRef{"cdsc", 5, []uint32{4}})
		}, []string{"HEIF|ThumbnailImage"}},
		{"hidden orphan image", heic, func(f *testHEIF) {
			f.items = append(f.items, testItem{id: 9, typ: heic.typ, hidden: true,
				data: append([]byte("SECRETIMG"), heic.data...), props: f.items[0].props})
		}, []string{"HEIF|OtherImage"}},
		{"two images share data", heic, func(f *testHEIF) {
			f.items = append(f.items, testItem{id: 4, typ: heic.typ, sameAs: 1, props: f.items[0].props})
			f.groups = [][]uint32{{1, 4}}
		}, nil},
		// libheif 1.15 cannot decode 'iden' items (it wants data), so
		// this file is not decoded.
		{"item without location", heic, func(f *testHEIF) {
			f.items = append(f.items, testItem{id: 7, typ: "iden", noLoc: true, props: f.items[0].props[:1]})
			f.refs = append(f.refs, testRef{"dimg", 7, []uint32{1}})
		}, nil},
		{"unknown metadata item", heic, func(f *testHEIF) {
			f.items = append(f.items, testItem{id: 8, typ: "abcd", hidden: true, data: []byte("SECRETITEM")})
			f.refs = append(f.refs, testRef{"cdsc", 8, []uint32{1}})
		}, []string{"HEIF item|abcd"}},
	}
	// The outputs are checked with one ExifTool run at the end, which
	// saves a second per file.
	dir := t.TempDir()
	var scrubbed sync.Map // name → path of the output
	t.Run("layouts", func(t *testing.T) {
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				out := checkLayout(t, tt.src, tt.modify, tt.want, tt.name != "item without location")
				path := filepath.Join(dir, fmt.Sprintf("layout%d.heic", i))
				if err := os.WriteFile(path, out, 0o644); err != nil {
					t.Fatal(err)
				}
				scrubbed.Store(tt.name, path)
			})
		}
	})
	if _, err := exec.LookPath("exiftool"); err != nil {
		return
	}
	var paths []string
	scrubbed.Range(func(_, v any) bool {
		paths = append(paths, v.(string))
		return true
	})
	for path, tags := range exiftoolAll(t, paths) {
		var bad []string
		for k, v := range tags {
			if !allowedAfterScrub.MatchString(k) && !heifStructural.MatchString(k) {
				bad = append(bad, k+"="+v.String())
			}
		}
		if len(bad) > 0 {
			sort.Strings(bad)
			t.Errorf("%s: ExifTool still sees %d tags after scrub:\n  %s", path, len(bad), strings.Join(bad, "\n  "))
		}
	}
}

// checkLayout builds a file, scrubs it and checks the result; it returns
// the scrubbed file.
func checkLayout(t *testing.T, src heifSource, modify func(*testHEIF), want []string, decode bool) []byte {
	t.Helper()
	f := basicHEIF(src)
	modify(f)
	in := f.build()
	out, rep := scrubBytes(t, in)
	checkClean(t, out, nil)
	have := make(map[string]bool)
	for _, f := range rep.Findings {
		have[f.Container+"|"+f.Tag] = true
	}
	for _, w := range append([]string{"EXIF IFD0|Make", "XMP|dc:creator"}, want...) {
		if !have[w] {
			t.Errorf("report lacks %s; it has %v", w, rep.Findings)
		}
	}
	for _, secret := range []string{"SECRET", "Exif\x00\x00"} {
		if bytes.Contains(out, []byte(secret)) {
			t.Errorf("output still holds %q", secret)
		}
	}
	if got := primaryData(t, out); !bytes.Equal(got, src.data) {
		t.Errorf("primary image data: got %d bytes, want the input's %d", len(got), len(src.data))
	}
	if len(out) > len(in) {
		t.Errorf("output of %d bytes is larger than the input's %d", len(out), len(in))
	}
	if _, err := exec.LookPath("heif-convert"); err == nil && decode {
		outPath := writeTemp(t, "out.heic", out)
		// Y4M: the decoded planes, compared byte for byte.
		inPath := writeTemp(t, "in.heic", in)
		a, b := heifConvert(t, inPath, "y4m"), heifConvert(t, outPath, "y4m")
		if len(a) != len(b) {
			t.Fatalf("decoded %d images before, %d after", len(a), len(b))
		}
		for i := range a {
			ya, _ := os.ReadFile(a[i])
			yb, _ := os.ReadFile(b[i])
			if len(ya) == 0 || !bytes.Equal(ya, yb) {
				t.Errorf("image %d: decoded frames differ (%d and %d bytes)", i+1, len(ya), len(yb))
			}
		}
	}
	return out
}

// exiftoolAll runs ExifTool once on many files, as exiftool does on one.
func exiftoolAll(t testing.TB, paths []string) map[string]map[string]exiftoolTag {
	t.Helper()
	args := append([]string{"-j", "-a", "-G1", "-ee", "-u", "-s", "-D"}, paths...)
	out, err := exec.Command("exiftool", args...).Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("exiftool: %v", err)
	}
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal(out, &rows); err != nil || len(rows) != len(paths) {
		t.Fatalf("exiftool: bad JSON for %d files: %v", len(paths), err)
	}
	all := make(map[string]map[string]exiftoolTag)
	for _, row := range rows {
		var src string
		json.Unmarshal(row["SourceFile"], &src)
		tags := make(map[string]exiftoolTag)
		for k, raw := range row {
			var tag exiftoolTag
			if json.Unmarshal(raw, &tag) != nil || tag.Val == nil {
				tag = exiftoolTag{Val: raw}
			}
			tags[k] = tag
		}
		all[src] = tags
	}
	return all
}

// patch returns a copy of b with the bytes at the first occurrence of
// marker, plus delta, replaced by with.
func patch(t testing.TB, b []byte, marker string, delta int, with []byte) []byte {
	t.Helper()
	i := bytes.Index(b, []byte(marker))
	if i < 0 {
		t.Fatalf("%q not found", marker)
	}
	b = append([]byte(nil), b...)
	copy(b[i+delta:], with)
	return b
}

// TestHEIFMalformed checks that hostile and broken files are refused with
// a *FormatError that says why, and that nothing is written.
func TestHEIFMalformed(t *testing.T) {
	src := loadHEIFSource(t, "heic__samplefilehub.heif")
	build := func(modify func(f *testHEIF)) []byte {
		f := basicHEIF(src)
		modify(f)
		return f.build()
	}
	basic := build(func(*testHEIF) {})
	nested := nestedBoxes(10000)
	tests := []struct {
		name string
		in   []byte
		err  error  // the FormatError's Err, when it matters
		msg  string // part of the message
	}{
		{"image sequence", build(func(f *testHEIF) { f.extraTop = [][]byte{rawBox("moov", rawBox("mvhd"))} }),
			ErrUnsupportedFeature, "image sequence"},
		{"movie fragment", build(func(f *testHEIF) { f.extraTop = [][]byte{rawBox("moof")} }),
			ErrUnsupportedFeature, "movie fragments"},
		{"no meta", append(rawBox("ftyp", []byte("heic\x00\x00\x00\x00mif1")), rawBox("mdat", []byte("x"))...),
			nil, "no 'meta' box"},
		{"two meta boxes", build(func(f *testHEIF) { f.extraTop = [][]byte{fullBoxBytes("meta", 0, 0)} }),
			nil, "second 'meta'"},
		{"meta size beyond the file", patch(t, basic, "meta", -4, []byte{0xff, 0xff, 0xff, 0xf0}),
			io.ErrUnexpectedEOF, "exceeds"},
		{"64-bit size beyond the file", append(append([]byte(nil), basic...), 0, 0, 0, 1, 'f', 'r', 'e', 'e', 0x40, 0, 0, 0, 0, 0, 0, 0),
			io.ErrUnexpectedEOF, "exceeds"},
		{"trailing bytes", append(append([]byte(nil), basic...), 1, 2, 3), io.ErrUnexpectedEOF, "box header truncated"},
		{"iloc points past the end", build(func(f *testHEIF) { f.items[1].shift = 1 << 20 }),
			nil, "points outside"},
		{"iloc length past the end", build(func(f *testHEIF) { f.items[0].shift = uint64(len(src.data)) }),
			nil, "points outside"},
		{"idat extent past idat", build(func(f *testHEIF) { f.items[1].method, f.items[1].shift = 1, 4 }),
			nil, "points outside"},
		{"iloc field size 3", build(func(f *testHEIF) { f.sizes = [4]int{3, 4, 0, 0} }), nil, "not 0, 4 or 8"},
		{"iloc item count too large", patch(t, basic, "iloc", 10, []byte{0xff, 0xff}), io.ErrUnexpectedEOF, "'iloc': truncated"},
		{"iinf entry count too large", patch(t, basic, "iinf", 8, []byte{0xff, 0xff}), nil, "declares 65535 entries but holds 3"},
		{"iref count too large", patch(t, basic, "cdsc", 6, []byte{0xff, 0xff}), io.ErrUnexpectedEOF, "declares 65535 items"},
		{"ipma count too large", patch(t, basic, "ipma", 8, []byte{0xff, 0xff, 0xff, 0xff}), io.ErrUnexpectedEOF, "'ipma': truncated"},
		{"too many extents", build(func(f *testHEIF) {
			f.ilocVersion, f.sizes = 0, [4]int{0, 0, 0, 0}
			for i := 0; i < 5; i++ {
				f.items = append(f.items, testItem{id: uint32(10 + i), typ: "mime", ctype: "text/plain", hidden: true, data: []byte("x"), split: 65535})
			}
		}), nil, "more than 262144 extents"},
		{"iref loop", build(func(f *testHEIF) {
			f.items = append(f.items, testItem{id: 4, typ: "grid", data: []byte{0, 0, 0, 0, 0, 1, 0, 1}})
			f.refs = append(f.refs, testRef{"dimg", 4, []uint32{1}}, testRef{"dimg", 1, []uint32{4}})
		}), nil, "form a loop"},
		{"iref to itself", build(func(f *testHEIF) { f.refs = append(f.refs, testRef{"dimg", 1, []uint32{1}}) }),
			nil, "reference to itself"},
		{"iref to a missing item", build(func(f *testHEIF) { f.refs = append(f.refs, testRef{"dimg", 1, []uint32{99}}) }),
			nil, "does not exist"},
		{"property index past ipco", build(func(f *testHEIF) { f.items[0].props = append(f.items[0].props, 100) }),
			nil, "property 100 of"},
		{"construction method 2", build(func(f *testHEIF) { f.items[1].method = 2 }),
			ErrUnsupportedFeature, "construction method 2"},
		{"data in another file", build(func(f *testHEIF) { f.items[0].dataRef = 1 }),
			ErrUnsupportedFeature, "in another file"},
		{"protected item", build(func(f *testHEIF) { f.items[0].protected = true }),
			ErrUnsupportedFeature, "protected"},
		{"essential unknown property", build(func(f *testHEIF) {
			f.props = append(append([][]byte(nil), f.props...), rawBox("zzzz", []byte("?")))
			f.items[0].props = append(f.items[0].props, -len(f.props))
		}), ErrUnsupportedFeature, "essential property \"zzzz\""},
		{"primary item is Exif", build(func(f *testHEIF) { f.primary = 2 }), nil, "metadata item"},
		{"image made from Exif", build(func(f *testHEIF) { f.refs = append(f.refs, testRef{"dimg", 1, []uint32{2}}) }),
			nil, "made from \"Exif\""},
		{"group holds Exif", build(func(f *testHEIF) { f.groups = [][]uint32{{1, 2}} }),
			ErrUnsupportedFeature, "entity group"},
		// The bytes of a removed item are never copied, even when an
		// image's extent covers them too.
		{"Exif item overlaps the image", build(func(f *testHEIF) {
			f.items = append(f.items, testItem{id: 4, typ: "Exif", hidden: true, sameAs: 1})
		}), ErrUnsupportedFeature, "overlaps removed item 4"},
		{"infe version 0", patch(t, basic, "infe", 4, []byte{0}), ErrUnsupportedFeature, "'infe' version 0"},
		{"not a picture handler", patch(t, basic, "pict", 0, []byte("vide")), ErrUnsupportedFeature, "not 'pict'"},
		{"meta version 1", patch(t, basic, "meta", 4, []byte{1}), ErrUnsupportedFeature, "'meta' box version 1"},
		{"nested size 0", build(func(f *testHEIF) { f.extraMeta = [][]byte{{0, 0, 0, 0, 'z', 'z', 'z', 'z'}} }),
			nil, "size 0"},
		{"deeply nested boxes in iinf", build(func(f *testHEIF) { f.extraMeta = [][]byte{rawBox("iinf", nested)} }),
			nil, "second \"iinf\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			rep, err := Scrub(&out, bytes.NewReader(tt.in), nil)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, %v; want a *FormatError", rep, err)
			}
			if fe.Format != HEIF {
				t.Errorf("error format: got %q, want %q", fe.Format, HEIF)
			}
			if tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("error %q does not wrap %v", err, tt.err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
			if out.Len() > 0 {
				t.Errorf("wrote %d bytes before failing", out.Len())
			}
			if _, serr := Scan(bytes.NewReader(tt.in)); serr == nil || serr.Error() != err.Error() {
				t.Errorf("Scan error %v differs from Scrub's", serr)
			}
		})
	}
}

// TestHEIFHostileAccepted checks files that are odd but can be scrubbed
// safely: what Scrub cannot use goes, and the output is clean.
func TestHEIFHostileAccepted(t *testing.T) {
	src := loadHEIFSource(t, "heic__samplefilehub.heif")
	nested := nestedBoxes(10000)
	tests := []struct {
		name   string
		modify func(f *testHEIF)
	}{
		{"deeply nested unknown boxes", func(f *testHEIF) {
			f.extraMeta = [][]byte{nested}
			f.extraTop = [][]byte{nested}
			f.props = append(append([][]byte(nil), f.props...), nested)
		}},
		{"many Exif items share bytes", func(f *testHEIF) {
			// The report parses no more bytes than the file holds.
			for i := 0; i < 2000; i++ {
				f.items = append(f.items, testItem{id: uint32(100 + i), typ: "Exif", hidden: true, sameAs: 2})
			}
		}},
		{"location of an undeclared item", func(f *testHEIF) {
			f.items = append(f.items, testItem{id: 50, typ: "Exif", data: testExifItem, undeclared: true})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := basicHEIF(src)
			tt.modify(f)
			out, rep := scrubBytes(t, f.build())
			checkClean(t, out, nil)
			if len(rep.Findings) == 0 {
				t.Errorf("nothing reported")
			}
			if bytes.Contains(out, []byte("SECRET")) {
				t.Errorf("output still holds the metadata")
			}
		})
	}
}

// TestHEIFTruncated truncates a file at many offsets: each is refused,
// with nothing written, and never panics.
func TestHEIFTruncated(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "heic__samplefilehub.heif"))
	if err != nil {
		t.Fatal(err)
	}
	step := 1
	if testing.Short() {
		step = 7
	}
	for n := 0; n < len(b); n += step {
		if n > 1024 && step < 97 {
			step = 97 // the index is at the start; the rest is image data
		}
		var out bytes.Buffer
		_, err := Scrub(&out, bytes.NewReader(b[:n]), nil)
		var fe *FormatError
		switch {
		case err == nil:
			t.Fatalf("truncated at %d: no error", n)
		case !errors.As(err, &fe) && !errors.Is(err, ErrUnsupportedFormat):
			t.Fatalf("truncated at %d: got %v, want a *FormatError", n, err)
		case out.Len() > 0:
			t.Fatalf("truncated at %d: wrote %d bytes", n, out.Len())
		}
	}
}

// heifSeeds returns fuzzing seeds: the HEIF and AVIF files of testdata
// and, if present, the corpus, rebuilt with their coded image data cut to
// 64 bytes (the fuzzer minimizes each new input it finds, which takes a
// minute on a 30 KB file), and crafted files.
func heifSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	paths, _ := filepath.Glob(filepath.Join("testdata", "*"))
	dir := os.Getenv("EXIFSCRUB_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "shared", "corpus")
	}
	more, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, p := range append(paths, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if f := DetectFormat(b[:min(len(b), maxMagicLen)]); f == HEIF || f == AVIF {
			if seed := shrinkHEIF(b); seed != nil {
				seeds = append(seeds, seed)
			}
		}
	}
	src := loadHEIFSource(tb, "heic__samplefilehub.heif")
	src.data = shrinkCoded(itemHvc1, src.data, 64)
	for _, modify := range []func(f *testHEIF){
		func(f *testHEIF) {},
		func(f *testHEIF) { f.items[1].method, f.items[1].split = 1, 2 },
		func(f *testHEIF) { f.ilocVersion, f.wide, f.sizes = 2, true, [4]int{8, 8, 4, 4} },
		func(f *testHEIF) { f.mdatFirst, f.largeMdat, f.gap = true, true, []byte("gap") },
		func(f *testHEIF) {
			f.items = append(f.items, testItem{id: 4, typ: "hvc1", data: src.data, props: f.items[0].props})
			f.refs = append(f.refs, testRef{"thmb", 4, []uint32{1}}, testRef{"auxl", 1, []uint32{4}})
			f.groups = [][]uint32{{1}}
		},
		func(f *testHEIF) {
			f.props = append(append([][]byte(nil), f.props...),
				fullBoxBytes("udes", 0, 0, []byte("en\x00name\x00desc\x00tags\x00")),
				fullBoxBytes("crtt", 0, 0, make([]byte, 8)), rawBox("zzzz"))
			n := len(f.props)
			f.items[0].props = append(f.items[0].props, n-2, n-1, n)
			f.extraTop = [][]byte{rawBox("free", []byte("x")), rawBox("uuid", uuidXMP[:], testXMPItem)}
		},
	} {
		f := basicHEIF(src)
		modify(f)
		seeds = append(seeds, f.build())
	}
	// Planted structures (see TestHEIFPlanted): SEI in 'hvcC' and in
	// the data, names, a data reference string, group trailers, a JPEG
	// item.
	f := basicHEIF(src)
	i := propIndex(tb, f.props, "hvcC")
	f.props = append([][]byte(nil), f.props...)
	f.props[i-1] = withHvcCArray(withHvcCArray(f.props[i-1], hdrSEINAL()), seiNAL(39, make([]byte, 20)))
	f.items[0].data = append(lengthPrefixed(seiNAL(39, []byte("sei"))), f.items[0].data...)
	f.items[0].name, f.hdlrName, f.brands = "name", "handler", []string{"zzzz"}
	f.dinf = rawBox("dinf", fullBoxBytes("dref", 0, 0, []byte{0, 0, 0, 1}, fullBoxBytes("url ", 0, 1, []byte("u\x00"))))
	f.groups, f.groupTrailer = [][]uint32{{1}}, []byte("x")
	seeds = append(seeds, f.build())
	f = basicHEIF(heifSource{typ: "jpeg", props: [][]byte{fullBoxBytes("ispe", 0, 0, make([]byte, 8))}})
	f.items[0].data = withSegments(baseJPEG(tb), segment(markerCOM, []byte("comment")))
	seeds = append(seeds, f.build())
	return seeds
}

// shrinkHEIF rebuilds a HEIF file with the same items, references and
// properties, and at most 64 bytes of each coded image. It returns nil
// for a file the package cannot parse.
func shrinkHEIF(b []byte) []byte {
	h := &heifFile{scrubber: &scrubber{opts: new(Options), rep: new(Report)}, data: b,
		items: make(map[uint32]*heifItem), groupIDs: make(map[uint32]bool)}
	for _, step := range []func() error{h.parseTop, h.parseMeta, h.resolveLocations} {
		if step() != nil {
			return nil
		}
	}
	f := &testHEIF{brand: string(h.ftyp.Payload[:4]), primary: h.primary, ilocVersion: max(h.ilocVersion, 1),
		sizes: [4]int{4, 4, 0, 0}}
	for _, g := range h.groups {
		f.groups = append(f.groups, g.IDs)
	}
	for _, p := range h.props {
		var w bmff.Writer
		w.CopyBox(p)
		f.props = append(f.props, w.Bytes())
	}
	assocs := make(map[uint32][]int)
	for _, m := range h.ipmas {
		for _, e := range m.Entries {
			for _, a := range e.Assocs {
				i := int(a.Index)
				if a.Essential {
					i = -i
				}
				assocs[e.ID] = append(assocs[e.ID], i)
			}
		}
	}
	for _, it := range h.order {
		f.wide = f.wide || it.ID > 0xffff || len(f.props) > 127
		var data []byte
		if it.loc != nil {
			data, _ = h.itemData(it)
		}
		if heif.IsImage(it.Type) && len(data) > 64 {
			data = shrinkCoded(it.Type, data, 64)
		}
		ti := testItem{id: it.ID, typ: it.Type.String(), hidden: it.Hidden, ctype: it.ContentType,
			data: data, noLoc: it.loc == nil, props: assocs[it.ID]}
		if it.loc != nil {
			ti.method = it.loc.Method
		}
		f.items = append(f.items, ti)
	}
	for _, r := range h.refs {
		f.refs = append(f.refs, testRef{r.Type.String(), r.From, r.To})
	}
	return f.build()
}

// shrinkCoded cuts coded image data to about n bytes, keeping it a
// sequence of NAL units (with 4-byte lengths) or OBUs, so that the
// scrubber's bitstream filters accept it.
func shrinkCoded(typ bmff.FourCC, data []byte, n int) []byte {
	var out []byte
	switch typ {
	case itemHvc1, itemAvc1:
		for pos := 0; pos+4 <= len(data) && len(out) < n; {
			l := int(binary.BigEndian.Uint32(data[pos:]))
			if l > len(data)-pos-4 {
				break
			}
			nal := data[pos+4 : pos+4+l]
			pos += 4 + l
			nal = nal[:min(len(nal), n-len(out))]
			out = append(binary.BigEndian.AppendUint32(out, uint32(len(nal))), nal...)
		}
		return out
	case itemAv01:
		for pos := 0; pos < len(data) && len(out) < n; {
			hdr := data[pos]
			h := 1 + int(hdr>>2&1)
			if hdr&2 == 0 || pos+h > len(data) {
				break
			}
			size, m, ok := av1.LEB128(data[pos+h:])
			if !ok || size > uint64(len(data)-pos-h-m) {
				break
			}
			payload := data[pos+h+m : pos+h+m+int(size)]
			out = append(out, data[pos:pos+h]...)
			payload = payload[:min(len(payload), 100, max(n-len(out)-1, 0))]
			out = append(append(out, byte(len(payload))), payload...)
			pos += h + m + int(size)
		}
		return out
	}
	return data[:n]
}

// FuzzHEIF checks the invariants of checkInvariants on HEIF and AVIF files.
func FuzzHEIF(f *testing.F) {
	for _, b := range heifSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		format := DetectFormat(in[:min(len(in), maxMagicLen)])
		if format != HEIF && format != AVIF {
			return
		}
		checkInvariants(t, in)
	})
}

// TestHEIFBufferReuse checks that the buffers scrubHEIF reads files into,
// which heifBuffers keeps for the next file, carry nothing from one file
// to the next: scrubbed one after another in different orders, by
// several goroutines at once, each file gives the bytes and report it
// gave alone, a truncated file among them too (an error).
func TestHEIFBufferReuse(t *testing.T) {
	files := sampleFiles(t, !testing.Short(), HEIF, AVIF)
	if len(files) == 0 {
		t.Fatal("no sample files")
	}
	type result struct {
		out []byte
		rep string
	}
	scrub := func(in []byte) result {
		var out bytes.Buffer
		rep, err := Scrub(&out, bytes.NewReader(in), nil)
		return result{out.Bytes(), fmt.Sprintf("%+v %v", rep, err)}
	}
	var inputs [][]byte
	for _, path := range files {
		in, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	inputs = append(inputs, inputs[0][:len(inputs[0])/2])
	want := make([]result, len(inputs))
	for i, in := range inputs {
		want[i] = scrub(bytes.Clone(in))
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 2 * len(inputs) {
				i := (g + k*(g+1)) % len(inputs)
				if got := scrub(inputs[i]); !bytes.Equal(got.out, want[i].out) || got.rep != want[i].rep {
					t.Errorf("goroutine %d, file %d (%d bytes): output or report differs from a scrub of the file alone", g, i, len(inputs[i]))
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkScrubHEIF scrubs a testdata sample and the largest HEIF file of
// the corpus.
func BenchmarkScrubHEIF(b *testing.B) {
	bench := func(b *testing.B, path string) {
		in, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := Scrub(discard{}, bytes.NewReader(in), nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("testdata/heic__samplefilehub.heif", func(b *testing.B) {
		bench(b, filepath.Join("testdata", "heic__samplefilehub.heif"))
	})
	// The largest HEIF file of the corpus, when there is one.
	dir := os.Getenv("EXIFSCRUB_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "shared", "corpus")
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*"))
	var largest string
	var size int64
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		head := make([]byte, maxMagicLen)
		n, _ := io.ReadFull(f, head)
		fi, err := f.Stat()
		f.Close()
		if format := DetectFormat(head[:n]); (format == HEIF || format == AVIF) && err == nil && fi.Size() > size {
			largest, size = p, fi.Size()
		}
	}
	if largest == "" {
		b.Run("corpus", func(b *testing.B) { b.Skip("no HEIF file in the corpus") })
		return
	}
	b.Run("corpus/"+filepath.Base(largest), func(b *testing.B) { bench(b, largest) })
}

// discard is a writer that is not io.Discard, which Scrub treats as Scan.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// nestedBoxes returns n 'zzzz' boxes, each inside the one before.
func nestedBoxes(n int) []byte {
	var b []byte
	for i := n; i > 0; i-- {
		b = append(binary.BigEndian.AppendUint32(b, uint32(8*i)), "zzzz"...)
	}
	return b
}

// TestHEIFColorProfile checks that an ICC profile in a 'colr' property is
// kept sanitised by default, with what it revealed reported, and removed
// with DropColorProfile.
func TestHEIFColorProfile(t *testing.T) {
	src := loadHEIFSource(t, "heic__samplefilehub.heif")
	f := basicHEIF(src)
	profile := buildICC(4, "ICCPROFILEBYTES")
	sanitized, err := sanitizeICC(profile)
	if err != nil {
		t.Fatal(err)
	}
	icc := rawBox("colr", []byte("prof"), profile)
	f.props = append(append([][]byte(nil), f.props...), icc)
	f.items[0].props = append(f.items[0].props, len(f.props))
	in := f.build()

	out, rep := scrubBytes(t, in)
	if !bytes.Contains(out, rawBox("colr", []byte("prof"), sanitized)) {
		t.Errorf("default scrub did not keep the sanitised ICC profile")
	}
	if bytes.Contains(out, []byte("ICCPROFILEBYTES")) {
		t.Errorf("default scrub kept the profile's text")
	}
	reported := false
	for _, f := range rep.Findings {
		reported = reported || f.Container == "ICC_Profile" && f.Category != Other
	}
	if !reported {
		t.Errorf("default scrub does not report what the profile revealed: %v", rep.Findings)
	}

	var b bytes.Buffer
	rep, err = Scrub(&b, bytes.NewReader(in), &Options{DropColorProfile: true})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b.Bytes(), []byte("ICCPROFILEBYTES")) {
		t.Errorf("DropColorProfile kept the ICC profile")
	}
	found := false
	for _, f := range rep.Findings {
		found = found || f.Container == "ICC_Profile"
	}
	if !found {
		t.Errorf("DropColorProfile does not report the profile: %v", rep.Findings)
	}
	checkClean(t, b.Bytes(), nil)
	if got := primaryData(t, b.Bytes()); !bytes.Equal(got, src.data) {
		t.Errorf("primary image data changed")
	}
}

// gainMapXMPItem is the XMP of an iOS 18 gain map, with a date planted.
const gainMapXMPItem = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
	`<rdf:Description rdf:about="" xmlns:HDRGainMap="http://ns.apple.com/HDRGainMap/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"` +
	` HDRGainMap:HDRGainMapVersion="131072" HDRGainMap:HDRGainMapHeadroom="2.67" xmp:CreateDate="2024-06-01T21:14:03"/></rdf:RDF></x:xmpmeta>`

// TestHEIFKeepsImages checks which items survive: hidden images in an
// entity group, alpha planes and Apple's gain map (with its XMP, rebuilt)
// stay; a thumbnail, its alpha plane and its Exif go, and so do the
// auxiliary images display does not need (a depth map, Apple's linear
// thumbnail and style delta map, with its tiles), each reported once.
func TestHEIFKeepsImages(t *testing.T) {
	src := loadHEIFSource(t, "heic__samplefilehub.heif")
	f := basicHEIF(src)
	props := f.items[0].props
	aux := func(typ string) []int {
		f.props = append(f.props, fullBoxBytes("auxC", 0, 0, []byte(typ+"\x00")))
		return append(slices.Clone(props), len(f.props))
	}
	alpha := aux("urn:mpeg:hevc:2015:auxid:1")
	f.items = append(f.items,
		testItem{id: 10, typ: "hvc1", hidden: true, data: fakeNAL("gain map"), props: props}, // in a group
		testItem{id: 11, typ: "tmap", data: []byte("tone map"), props: props[:1]},
		testItem{id: 12, typ: "hvc1", hidden: true, data: fakeNAL("alpha"), props: alpha},       // auxiliary of 1
		testItem{id: 13, typ: "hvc1", data: fakeNAL("thumbnail"), props: props},                 // thumbnail of 1
		testItem{id: 14, typ: "hvc1", hidden: true, data: fakeNAL("thumb alpha"), props: alpha}, // auxiliary of 13
		testItem{id: 15, typ: "Exif", hidden: true, data: testExifItem},                         // describes 13
		testItem{id: 16, typ: "hvc1", hidden: true, data: fakeNAL("apple gain map"), props: aux("urn:com:apple:photo:2020:aux:hdrgainmap")},
		testItem{id: 17, typ: "hvc1", hidden: true, data: fakeNAL("depth"), props: aux("urn:mpeg:hevc:2015:auxid:2")},
		testItem{id: 18, typ: "hvc1", hidden: true, data: fakeNAL("linear copy"), props: aux("tag:apple.com,2023:photo:aux:linearthumbnail")},
		testItem{id: 19, typ: "grid", hidden: true, data: []byte{0, 0, 0, 0, 0, 8, 0, 8}, props: aux("tag:apple.com,2023:photo:aux:styledeltamap")},
		testItem{id: 20, typ: "hvc1", hidden: true, data: fakeNAL("delta tile"), props: props},                  // the tile of 19
		testItem{id: 21, typ: "mime", ctype: "application/rdf+xml", hidden: true, data: []byte(gainMapXMPItem)}, // describes 16
	)
	f.refs = append(f.refs,
		testRef{"dimg", 11, []uint32{1, 10}},
		testRef{"auxl", 12, []uint32{1}},
		testRef{"thmb", 13, []uint32{1}},
		testRef{"auxl", 14, []uint32{13}},
		testRef{"cdsc", 15, []uint32{13}},
		testRef{"auxl", 16, []uint32{1}},
		testRef{"auxl", 17, []uint32{1}},
		testRef{"auxl", 18, []uint32{1}},
		testRef{"auxl", 19, []uint32{1}},
		testRef{"dimg", 19, []uint32{20}},
		testRef{"cdsc", 21, []uint32{16}},
	)
	f.groups = [][]uint32{{11, 1}, {10}}
	out, rep := scrubBytes(t, f.build())
	checkClean(t, out, nil)
	h := parseHEIFIndex(t, out)
	var got []uint32
	for _, it := range h.order {
		got = append(got, it.ID)
	}
	if want := []uint32{1, 10, 11, 12, 16, 21}; !reflect.DeepEqual(got, want) {
		t.Errorf("items after scrub: got %v, want %v", got, want)
	}
	var embedded []string
	for _, f := range rep.Findings {
		if f.Category == Embedded {
			embedded = append(embedded, f.Tag+" "+f.Value)
		}
	}
	want := []string{
		"ThumbnailImage (hvc1 item 13",
		`AuxiliaryImage "urn:mpeg:hevc:2015:auxid:2" (hvc1 item 17`,
		`AuxiliaryImage "tag:apple.com,2023:photo:aux:linearthumbnail" (hvc1 item 18`,
		`AuxiliaryImage "tag:apple.com,2023:photo:aux:styledeltamap" (grid item 19`,
	}
	ok := len(embedded) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.HasPrefix(embedded[i], want[i])
	}
	if !ok {
		t.Errorf("embedded findings: got %q, want %q", embedded, want)
	}
	if !bytes.Contains(out, []byte(`HDRGainMap:HDRGainMapVersion="131072" HDRGainMap:HDRGainMapHeadroom="2.67"`)) {
		t.Errorf("the gain map's XMP lost its version or headroom")
	}
	if !slices.ContainsFunc(rep.Findings, func(f Finding) bool { return f.Tag == "xmp:CreateDate" }) {
		t.Errorf("the gain map XMP's date is not reported: %v", rep.Findings)
	}
	for _, gone := range []string{"thumbnail", "thumb alpha", "depth", "linear copy", "delta tile", "SECRET", "2024-06-01"} {
		if bytes.Contains(out, []byte(gone)) {
			t.Errorf("output still holds %q", gone)
		}
	}
}

// fakeNAL is HEVC item data: one length-prefixed slice NAL unit (type 1)
// holding s.
func fakeNAL(s string) []byte {
	nal := append([]byte{0x02, 0x01}, s...)
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(nal))), nal...)
}

// TestHEIFAppleHeadroom: the Exif item of an image with an Apple gain map
// (iOS 14.1 to 17, no headroom in the map's XMP) is written anew with only
// the MakerNote's HDR tags; without a kept gain map, it goes whole.
func TestHEIFAppleHeadroom(t *testing.T) {
	src := loadHEIFSource(t, "heic__samplefilehub.heif")
	hdr := gainmap.AppleHDR{Headroom: [2]int32{22307, 25388}, HasHeadroom: true}
	mn := hdr.MakerNote()
	want := tiff.Write(binary.BigEndian, nil, []tiff.Entry{{Tag: tagMakerNote, Type: 7, Count: uint32(len(mn)), Value: mn}}, nil, 1<<20)
	makeTag := tiff.Entry{Tag: 0x010f, Type: 2, Count: 11, Value: []byte("SECRETMAKE\x00")}
	in := tiff.Write(binary.BigEndian, []tiff.Entry{makeTag}, []tiff.Entry{{Tag: tagMakerNote, Type: 7, Count: uint32(len(mn)), Value: mn}}, nil, 1<<20)
	for _, withMap := range []bool{true, false} {
		f := basicHEIF(src)
		f.items[1].data = append([]byte{0, 0, 0, 0}, in...)
		if withMap {
			f.addAppleGainMap()
		}
		out, rep := scrubBytes(t, f.build())
		checkClean(t, out, nil)
		if !slices.ContainsFunc(rep.Findings, func(f Finding) bool { return f.Tag == "Make" }) {
			t.Errorf("gain map %v: the Make is not reported: %v", withMap, rep.Findings)
		}
		if bytes.Contains(out, []byte("SECRETMAKE")) {
			t.Errorf("gain map %v: the Make survives", withMap)
		}
		if got := bytes.Contains(out, want); got != withMap {
			t.Errorf("gain map %v: the HDR-only Exif item in the output: %v", withMap, got)
		}
	}
}
