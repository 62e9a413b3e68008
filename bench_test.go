package exifscrub

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/adler32"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
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
// memory is bounded by the largest metadata block, not the file. Both are
// valid all through, since Scrub walks the JPEG's Huffman codes and
// inflates the PNG's zlib stream.
func BenchmarkScrubStream200MB(b *testing.B) {
	const size = 200 << 20
	for _, tc := range []struct {
		name string
		gen  func() (io.Reader, int64)
	}{
		{"JPEG", func() (io.Reader, int64) { return bigJPEG(b, size) }},
		{"PNG", func() (io.Reader, int64) { return bigPNG(b, size) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			_, n := tc.gen()
			b.SetBytes(n)
			b.ReportAllocs()
			for b.Loop() {
				r, _ := tc.gen()
				if _, err := Scrub(io.Discard, r, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// bigJPEG returns a reader of a valid grayscale JPEG of about size bytes,
// with an EXIF segment: the header of an image/jpeg file (whose Huffman
// tables are those of T.81 K.3) with the frame made large, then blocks
// generated on the fly, each a DC difference of 0 (code 00), seven AC
// coefficients of 1 (00 and a bit) and an end of block (1010): 27 bits,
// so 8 blocks make 27 bytes.
func bigJPEG(b testing.TB, size int64) (io.Reader, int64) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		b.Fatal(err)
	}
	base := withSegments(buf.Bytes(), exifSegment(privateTIFF(0)))
	sos := bytes.Index(base, []byte{0xff, markerSOS})
	head := bytes.Clone(base[:sos+2+int(binary.BigEndian.Uint16(base[sos+2:]))])
	const blocksPerRow = 8191
	rows := (size*8/27 + blocksPerRow - 1) / blocksPerRow
	rows = (rows + 7) / 8 * 8
	sof := bytes.Index(head, []byte{0xff, markerSOF0})
	binary.BigEndian.PutUint16(head[sof+5:], uint16(rows*8))
	binary.BigEndian.PutUint16(head[sof+7:], blocksPerRow*8)
	bits := "00" + strings.Repeat("001", 7) + "1010"
	bits = strings.Repeat(bits, 8)
	pattern := make([]byte, len(bits)/8)
	for i := range pattern {
		for k := 0; k < 8; k++ {
			pattern[i] = pattern[i]<<1 | bits[8*i+k] - '0'
		}
	}
	data := rows * blocksPerRow / 8 * int64(len(pattern))
	r := io.MultiReader(
		bytes.NewReader(head),
		io.LimitReader(&repeatReader{b: pattern}, data),
		bytes.NewReader([]byte{0xff, markerEOI}),
	)
	return r, int64(len(head)) + data + 2
}

// repeatReader repeats b without end.
type repeatReader struct {
	b   []byte
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.b[r.off:])
		n += k
		r.off = (r.off + k) % len(r.b)
	}
	return n, nil
}

// bigPNGParts returns the IDAT chunks of a valid PNG made of one 1 MB
// deflate segment repeated: its blocks end with a sync flush and refer to
// nothing before the segment, so repeating it is valid deflate. The last
// chunk holds an empty final block and the Adler-32 of n segments.
var bigPNGParts = sync.OnceValues(func() (segment, raw []byte) {
	raw = make([]byte, 1<<20)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range raw {
		raw[i] = byte(i/64) + byte(rng.IntN(16))
	}
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestSpeed)
	fw.Write(raw)
	fw.Flush()
	return chunk("IDAT", z.Bytes()), raw
})

// bigPNG returns a reader of a valid PNG of about size bytes: IHDR, a tEXt
// chunk, the zlib stream in IDAT chunks, then IEND.
func bigPNG(b testing.TB, size int64) (io.Reader, int64) {
	segment, raw := bigPNGParts()
	n := size / int64(len(segment))
	adler := adler32.New()
	for i := int64(0); i < n; i++ {
		adler.Write(raw)
	}
	end := append([]byte{1, 0, 0, 0xff, 0xff}, adler.Sum(nil)...) // RFC 1951 §3.2.4 stored, final
	readers := []io.Reader{bytes.NewReader(pngSignature), bytes.NewReader(chunk("IHDR", []byte{0, 0, 0x10, 0, 0, 0, 0x10, 0, 8, 2, 0, 0, 0})),
		bytes.NewReader(chunk("tEXt", []byte("Author\x00Jane Doe"))), bytes.NewReader(chunk("IDAT", []byte{0x78, 0x01}))}
	total := int64(8 + 25 + 12 + 15 + 14)
	for i := int64(0); i < n; i++ {
		readers = append(readers, bytes.NewReader(segment))
		total += int64(len(segment))
	}
	last := chunk("IDAT", end)
	readers = append(readers, bytes.NewReader(last), bytes.NewReader(chunk("IEND")))
	return io.MultiReader(readers...), total + int64(len(last)) + 12
}
