package exifscrub

// Fuzz targets. Each asserts more than "no panic": Scan and Scrub agree,
// a successful scrub leaves nothing that Scan reports, scrubbing again
// changes nothing, and the image data is unchanged.
//
//	go test -run=NONE -fuzz=FuzzJPEG -fuzztime=5m ./exifscrub/
//
// Inputs that once failed are kept in testdata/fuzz/<target>/.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/tiff"
)

// addSamples seeds f with the testdata files of the given formats, with
// the first skip bytes cut off (targets that add the magic themselves).
func addSamples(f *testing.F, skip int, formats ...Format) {
	for _, path := range sampleFiles(f, false, formats...) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) <= 64<<10 { // small seeds keep the fuzzer fast
			f.Add(b[skip:])
		}
	}
}

// checkInvariants scrubs data and checks what must hold for any input.
func checkInvariants(t *testing.T, data []byte) {
	var out bytes.Buffer
	rep, err := Scrub(&out, bytes.NewReader(data), nil)
	scan, scanErr := Scan(bytes.NewReader(data))
	if (err == nil) != (scanErr == nil) {
		t.Fatalf("Scrub error %v but Scan error %v", err, scanErr)
	}
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) && !errors.Is(err, ErrUnsupportedFormat) {
			t.Fatalf("error %v is neither a *FormatError nor ErrUnsupportedFormat", err)
		}
		// Formats read into memory write nothing unless all is well.
		if fe != nil && !isStreamed(fe.Format) && out.Len() > 0 {
			t.Fatalf("wrote %d bytes, then failed: %v", out.Len(), err)
		}
		return
	}
	if !reflect.DeepEqual(rep, scan) {
		t.Fatalf("Scrub reports %v, Scan reports %v", rep, scan)
	}
	for _, opts := range keepPolicies {
		checkKeepInvariants(t, data, opts)
	}
	if rep.Format == JPEG {
		checkMotionInvariants(t, data)
	}
	again, err := Scan(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatalf("Scan of scrubbed output: %v", err)
	}
	if len(again.Findings) > 0 {
		t.Fatalf("Scan of scrubbed output reports %v", again.Findings)
	}
	var twice bytes.Buffer
	if _, err := Scrub(&twice, bytes.NewReader(out.Bytes()), nil); err != nil {
		t.Fatalf("second Scrub: %v", err)
	}
	if !bytes.Equal(twice.Bytes(), out.Bytes()) {
		t.Fatalf("scrubbing twice differs from once")
	}
	var a, b []byte
	switch rep.Format {
	case JPEG:
		a, b = jpegImageData(data), jpegImageData(out.Bytes())
		samePixelsJPEG(t, data, out.Bytes())
	case PNG:
		var sa, sb []byte
		a, sa = pngImageData(data)
		b, sb = pngImageData(out.Bytes())
		// The stream data may lose what follows the stream's end.
		if !bytes.HasPrefix(sa, sb) {
			t.Fatalf("IDAT/fdAT data changed: %d bytes in, %d out", len(sa), len(sb))
		}
	default: // HEIF and WebP tests compare their image data themselves

		return
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("image data changed: %d bytes in, %d out", len(a), len(b))
	}
}

// keepPolicies are the policies the fuzz targets also scrub with: every
// Keepable category, precise and coarse, and the position alone on a
// fine grid (checkCoarseOutput).
var keepPolicies = []*Options{
	{Keep: Keepable()},
	{Keep: Keepable(), CoarseLocation: 0.1},
	{Keep: []Category{Location}, CoarseLocation: 0.01},
}

// checkKeepInvariants checks what must hold for an input that the default
// policy scrubs, under a policy that keeps categories: the scrub succeeds,
// a second scrub with the policy changes no byte and removes nothing (a
// position already on the CoarseLocation grid is not reported again), and
// Scan of the output finds nothing of a category the policy does not keep.
func checkKeepInvariants(t *testing.T, data []byte, opts *Options) {
	t.Helper()
	var out bytes.Buffer
	rep, err := Scrub(&out, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("Scrub with %+v: %v (the default policy succeeds)", opts, err)
	}
	for _, f := range rep.Kept {
		if !opts.keeps(f.Category) {
			t.Fatalf("Kept with %+v lists %v", opts, f)
		}
	}
	var twice bytes.Buffer
	rep2, err := Scrub(&twice, bytes.NewReader(out.Bytes()), opts)
	if err != nil {
		t.Fatalf("second Scrub with %+v: %v", opts, err)
	}
	if len(rep2.Findings) > 0 {
		t.Fatalf("second Scrub with %+v removes %v", opts, rep2.Findings)
	}
	if !bytes.Equal(twice.Bytes(), out.Bytes()) {
		t.Fatalf("scrubbing twice with %+v differs from once", opts)
	}
	again, err := Scan(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatalf("Scan of output scrubbed with %+v: %v", opts, err)
	}
	if opts.CoarseLocation > 0 {
		checkCoarseOutput(t, opts, again, rep)
	}
	for _, f := range again.Findings {
		if !opts.keeps(f.Category) {
			t.Fatalf("Scan of output scrubbed with %+v reports %v", opts, f)
		}
	}
}

// checkMotionInvariants checks a JPEG that the default policy scrubs,
// under KeepMotion: the scrub succeeds with the same image data, Kept
// lists only the motion video and what its own scrub kept, a second
// scrub changes no byte and removes nothing, and Scan of the output
// finds only the kept video, its SEF trailer and the motion-photo XMP
// (Other).
func checkMotionInvariants(t *testing.T, data []byte) {
	t.Helper()
	opts := &Options{KeepMotion: true}
	var out bytes.Buffer
	rep, err := Scrub(&out, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("Scrub with KeepMotion: %v (the default policy succeeds)", err)
	}
	for _, f := range rep.Kept {
		if !(f.Container == "JPEG" && f.Tag == "MotionVideo") && !strings.HasPrefix(f.Container, "MotionPhoto ") {
			t.Fatalf("Kept with KeepMotion lists %v", f)
		}
	}
	var twice bytes.Buffer
	rep2, err := Scrub(&twice, bytes.NewReader(out.Bytes()), opts)
	if err != nil {
		t.Fatalf("second Scrub with KeepMotion: %v", err)
	}
	if len(rep2.Findings) > 0 {
		t.Fatalf("second Scrub with KeepMotion removes %v", rep2.Findings)
	}
	if !bytes.Equal(twice.Bytes(), out.Bytes()) {
		t.Fatalf("scrubbing twice with KeepMotion differs from once")
	}
	again, err := Scan(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatalf("Scan of output scrubbed with KeepMotion: %v", err)
	}
	for _, f := range again.Findings {
		if f.Category != Other && !(f.Container == "JPEG" && f.Tag == "MotionVideo") && !(f.Container == "Trailer" && f.Tag == "SamsungTrailer") {
			t.Fatalf("Scan of output scrubbed with KeepMotion reports %v", f)
		}
	}
	if a, b := jpegImageData(data), jpegImageData(out.Bytes()); !bytes.Equal(a, b) {
		t.Fatalf("image data changed with KeepMotion: %d bytes in, %d out", len(a), len(b))
	}
}

// isStreamed reports whether Scrub streams images of format f, so that a
// failure can come after some output.
func isStreamed(f Format) bool { return f == JPEG || f == PNG || f == MOV || f == MP4 }

// jpegImageData returns the segments that decoding reads (tables, frame
// and scan headers, DRI) up to the first EOI; fill bytes, entropy-coded
// data and reserved segments are left out. It is written apart from
// jpeg.go's walker, to check it.
func jpegImageData(b []byte) []byte {
	var data []byte
	i := 2
	scan := false // after an SOS: a code below 0xc0 is stuffing or data
	for i+1 < len(b) {
		if b[i] != 0xff || b[i+1] == 0xff {
			i++
			continue
		}
		code := b[i+1]
		if code == markerEOI {
			break
		}
		if scan && code < 0xc0 || code >= markerRST0 && code <= markerRST7 {
			i += 2 // entropy-coded data, a stuffed byte or a restart marker
			continue
		}
		if code == 0 || code == 1 {
			i += 2 // a stuffed byte, TEM: no length
			continue
		}
		if i+4 > len(b) {
			break
		}
		end := i + 2 + int(binary.BigEndian.Uint16(b[i+2:]))
		if end > len(b) {
			break
		}
		if code == markerSOF0 || code == markerSOF1 || code == markerSOF2 || code == markerDHT ||
			code == markerDQT || code == markerDRI || code == markerSOS {
			data = append(data, b[i:end]...)
		}
		// Before the first scan, a reserved code (0x02–0xBF) is a
		// segment with a length, which no decoder reads (libjpeg and
		// Go's decoder refuse it).
		scan = scan || code == markerSOS
		i = end
	}
	return data
}

// samePixelsJPEG checks that when Go's decoder reads the input, it reads
// the output to the same pixels.
func samePixelsJPEG(t *testing.T, in, out []byte) {
	a, err := jpeg.Decode(bytes.NewReader(in))
	if err != nil {
		return
	}
	b, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil && strings.Contains(err.Error(), "missing 0xff00 sequence") {
		// Go's decoder reads bits past the last MCU of a scan and fails
		// where the next marker follows at once, where libjpeg (which
		// browsers and ImageMagick use) pads with zero bits. The walker
		// cuts what libjpeg does not read: TestWalkerCutMatchesLibjpeg
		// checks such a case against ImageMagick.
		return
	}
	if err != nil {
		t.Fatalf("the input decodes, the output does not: %v", err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("pixels differ")
	}
}

// pngImageData returns the payloads of the chunks that decoding needs
// other than the image data, and the image data (IDAT, fdAT) apart.
func pngImageData(b []byte) (data, stream []byte) {
	for i := 8; i+12 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if i+12+n > len(b) {
			break
		}
		switch typ {
		case "IHDR", "PLTE", "fcTL", "acTL":
			data = append(data, b[i+4:i+8+n]...)
		case "IDAT", "fdAT":
			stream = append(stream, b[i+8:i+8+n]...)
		}
		if typ == "IEND" {
			break
		}
		i += 12 + n
	}
	return data, stream
}

func FuzzScrub(f *testing.F) {
	addSamples(f, 0, JPEG, PNG)
	f.Fuzz(func(t *testing.T, data []byte) { checkInvariants(t, data) })
}

func FuzzJPEG(f *testing.F) {
	base := baseJPEG(f)
	f.Add(withSegments(base, exifSegment(privateTIFF(6)), segment(markerAPP1, sigXMP, []byte(testXMP)))[3:])
	// A phone's GPS IFD: SRATIONALs, tags out of order (TestKeepGPSForms).
	f.Add(withSegments(base, exifSegment(tiffBlockIn(binary.LittleEndian, nil, nil, nokiaGPS())))[3:])
	// Gain-map JPEGs (jpeg_gainmap.go): Ultra HDR with ISO 21496-1
	// blocks, and one whose gain map has the wrong shape.
	for _, c := range []gainMapCase{
		{gmW: 12, gmH: 8, gmXMP: testGainMapXMP, gmISO: testISOMetadata(), primaryISO: []byte{0, 0, 0, 0}},
		{gmW: 8, gmH: 12, gmXMP: testGainMapXMP, noContainer: true},
	} {
		b, _ := buildGainMapJPEG(f, c)
		f.Add(b[3:])
	}
	// A Google motion photo (jpeg_motion.go), with a gain map and without.
	video := testMotionVideo(f)
	f.Add(googleMotionPhoto(f, `Camera:MotionPhoto="1" Camera:MicroVideo="1" Camera:MicroVideoOffset="5"`,
		motionItem(`Item:Semantic="Primary" Item:Mime="image/jpeg"`)+motionItem(`Item:Semantic="MotionPhoto" Item:Mime="video/mp4" Item:Length="5"`), video)[3:])
	b, _ := buildGainMapJPEG(f, gainMapCase{gmW: 12, gmH: 8, gmXMP: testGainMapXMP, afterGainMap: video, motionAttrs: ` GCamera:MotionPhoto="1"`,
		motionItem: motionItem(`Item:Semantic="MotionPhoto" Item:Mime="video/mp4"`)})
	f.Add(b[3:])
	addSamples(f, 3, JPEG)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkInvariants(t, append([]byte{0xff, markerSOI, 0xff}, data...))
	})
}

func FuzzPNG(f *testing.F) {
	f.Add(withChunks(basePNG(f), chunk("eXIf", privateTIFF(6)), chunk("tEXt", []byte("Author\x00Jane")))[8:])
	addSamples(f, 8, PNG)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkInvariants(t, append(append([]byte(nil), pngSignature...), data...))
	})
}

// FuzzEXIF feeds TIFF structures to the EXIF walker on its own.
func FuzzEXIF(f *testing.F) {
	f.Add(privateTIFF(6))
	f.Add(tiff.Minimal(3))
	f.Add(tiffBlock(nil, nil, nokiaGPS()))
	for _, name := range []string{"jpg__Canon_40D.jpg", "pillow__exif_gps.jpg"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		if i := bytes.Index(b, []byte("Exif\x00\x00")); i >= 0 {
			f.Add(b[i+6:])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep := new(Report)
		o := parseEXIF(rep, data)
		if o < 0 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
		if len(rep.Findings) > tiff.MaxEntries+tiff.MaxIFDs+tiff.MaxNotes+2 {
			t.Fatalf("%d findings from %d bytes", len(rep.Findings), len(data))
		}
		// A rebuilt block reads back as what was kept, and rebuilds to
		// itself.
		for _, opts := range keepPolicies {
			o2, out := keepEXIF(new(Report), data, opts, true, maxMetadataChunk)
			if o2 != o || out == nil {
				continue
			}
			rep := new(Report)
			if parseEXIF(rep, out) != max(o, 1) && o > 1 {
				t.Fatalf("orientation %d lost", o)
			}
			for _, f := range rep.Findings {
				if !opts.keeps(f.Category) {
					t.Fatalf("rebuilt block with %+v holds %v", opts, f)
				}
			}
			if opts.CoarseLocation > 0 {
				checkCoarseOutput(t, opts, rep, &Report{})
			}
			if _, again := keepEXIF(new(Report), out, opts, true, maxMetadataChunk); !bytes.Equal(again, out) {
				t.Fatalf("rebuilding a rebuilt block with %+v changes it", opts)
			}
		}
	})
}

// FuzzXMP feeds packets to the XMP reader on its own.
func FuzzXMP(f *testing.F) {
	f.Add([]byte(testXMP))
	f.Add([]byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep := new(Report)
		parseXMP(rep, "XMP", data)
		if len(rep.Findings) > MaxFindings+len(Categories()) {
			t.Fatalf("%d findings", len(rep.Findings))
		}
	})
}

// checkCoarseOutput checks, for an output scrubbed with a CoarseLocation
// policy, that every EXIF coordinate the package's own reader finds in it
// (Scan, as gpsCoordinate reads RATIONALs and SRATIONALs) and every one
// Kept lists is on the grid, and that the GPS IFD holds no tag finer than
// the grid (coarseGPS).
func checkCoarseOutput(t *testing.T, opts *Options, scan, rep *Report) {
	t.Helper()
	grid := opts.CoarseLocation
	for _, fs := range [][]Finding{scan.Findings, rep.Kept} {
		for _, f := range fs {
			if f.Container != containerGPS {
				continue
			}
			switch f.Tag {
			case "GPSLatitude", "GPSLongitude":
				d, err := strconv.ParseFloat(f.Value, 64)
				if err != nil || math.Abs(d/grid-math.Round(d/grid)) > 1e-6 {
					t.Fatalf("with %+v the output holds %s %q, off the %v grid", opts, f.Tag, f.Value, grid)
				}
			case "GPSVersionID", "GPSLatitudeRef", "GPSLongitudeRef", "GPSTimeStamp", "GPSDateStamp":
			default:
				t.Fatalf("with %+v the output's GPS IFD holds %v", opts, f)
			}
		}
	}
}
