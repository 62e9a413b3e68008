package exifscrub

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Benchmarks report MB/s of input (b.SetBytes) and allocations. The
// BenchmarkCopy* baselines clone the same buffer, for scale: no scrubber
// can beat a copy of the bytes.
//
//	go test -run=NONE -bench=. -benchmem ./exifscrub/

// noisyImage is a photo-like image whose JPEG compresses like a camera's:
// smooth gradients with sensor-like noise.
func noisyImage(w, h int) *image.YCbCr {
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range m.Y {
		x, y := i%w, i/w
		m.Y[i] = uint8((x*255/w+y*255/h)/2 + r.IntN(32))
	}
	for i := range m.Cb {
		m.Cb[i] = uint8(100 + r.IntN(40))
		m.Cr[i] = uint8(120 + r.IntN(40))
	}
	return m
}

var (
	jpeg12MP = sync.OnceValue(func() []byte {
		var b bytes.Buffer
		jpeg.Encode(&b, noisyImage(4000, 3000), &jpeg.Options{Quality: 92})
		return withSegments(b.Bytes(), exifSegment(privateTIFF(6)), segment(markerAPP1, sigXMP, []byte(testXMP)))
	})
	pngLarge = sync.OnceValue(func() []byte {
		var b bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		enc.Encode(&b, noisyImage(4000, 3000))
		return b.Bytes()
	})
)

func benchScrub(b *testing.B, in []byte, scan bool) {
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	var out bytes.Buffer
	out.Grow(len(in))
	for b.Loop() {
		out.Reset()
		var err error
		if scan {
			_, err = Scan(bytes.NewReader(in))
		} else {
			_, err = Scrub(&out, bytes.NewReader(in), nil)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScrubJPEG12MP(b *testing.B) { benchScrub(b, jpeg12MP(), false) }
func BenchmarkScanJPEG12MP(b *testing.B)  { benchScrub(b, jpeg12MP(), true) }
func BenchmarkCopyJPEG12MP(b *testing.B)  { benchClone(b, jpeg12MP()) }
func BenchmarkScrubPNG12MP(b *testing.B)  { benchScrub(b, pngLarge(), false) }
func BenchmarkScanPNG12MP(b *testing.B)   { benchScrub(b, pngLarge(), true) }
func BenchmarkCopyPNG12MP(b *testing.B)   { benchClone(b, pngLarge()) }

// BenchmarkScrubJPEGSmall measures the fixed cost per call on a small
// camera JPEG with a full EXIF block.
func BenchmarkScrubJPEGSmall(b *testing.B) {
	in, err := os.ReadFile(filepath.Join("testdata", "jpg__Canon_40D.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	benchScrub(b, in, false)
}

func benchClone(b *testing.B, in []byte) {
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		sink = bytes.Clone(in)
	}
}

var sink []byte

// BenchmarkScrubStream200MB scrubs a 200 MB JPEG and a 200 MB PNG that are
// generated as they are read, never held in memory. B/op, the bytes
// allocated per scrub, stays near the buffer sizes whatever the file size:
// memory is bounded by the largest metadata block, not the file.
func BenchmarkScrubStream200MB(b *testing.B) {
	const size = 200 << 20
	jpegHead, idat := bigParts(b)
	for _, tc := range []struct {
		name string
		gen  func() io.Reader
	}{
		{"JPEG", func() io.Reader { return bigJPEG(jpegHead, size) }},
		{"PNG", func() io.Reader { return bigPNG(idat, size) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Scrub(io.Discard, tc.gen(), nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// bigParts returns the fixed parts of the generated files: a JPEG up to
// and including its SOS segment, with an EXIF segment; and a 1 MB IDAT
// chunk of random bytes (the walker does not inflate image data).
func bigParts(b testing.TB) (jpegHead, idat []byte) {
	base := withSegments(baseJPEG(b), exifSegment(privateTIFF(0)))
	sos := bytes.Index(base, []byte{0xff, markerSOS})
	jpegHead = base[:sos+2+int(binary.BigEndian.Uint16(base[sos+2:]))]
	data := make([]byte, 1<<20)
	rand.NewChaCha8([32]byte{1}).Read(data)
	return jpegHead, chunk("IDAT", data)
}

// bigJPEG returns a reader of a JPEG of about size bytes: head, then
// random entropy-coded data generated on the fly, then EOI.
func bigJPEG(head []byte, size int64) io.Reader {
	return io.MultiReader(
		bytes.NewReader(head),
		io.LimitReader(&entropyReader{r: rand.NewChaCha8([32]byte{2})}, size),
		bytes.NewReader([]byte{0xff, markerEOI}),
	)
}

// entropyReader produces random bytes in which every 0xFF is followed by a
// stuffed 0x00, as in JPEG entropy-coded data (T.81 F.1.2.3).
type entropyReader struct {
	r       *rand.ChaCha8
	pending bool // the last byte returned was 0xFF
}

func (e *entropyReader) Read(p []byte) (int, error) {
	e.r.Read(p)
	for i := range p {
		switch {
		case e.pending:
			p[i], e.pending = 0, false
		case p[i] == 0xff:
			e.pending = true
		}
	}
	return len(p), nil
}

// bigPNG returns a reader of a PNG of about size bytes: IHDR, a tEXt
// chunk, copies of idat, then IEND.
func bigPNG(idat []byte, size int64) io.Reader {
	readers := []io.Reader{bytes.NewReader(pngSignature), bytes.NewReader(chunk("IHDR", []byte{0, 0, 0x10, 0, 0, 0, 0x10, 0, 8, 2, 0, 0, 0})),
		bytes.NewReader(chunk("tEXt", []byte("Author\x00Jane Doe")))}
	for n := size / int64(len(idat)); n > 0; n-- {
		readers = append(readers, bytes.NewReader(idat))
	}
	readers = append(readers, bytes.NewReader(chunk("IEND")))
	return io.MultiReader(readers...)
}
