package exifscrub

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pngChunks splits a PNG into its chunks, whole.
func pngChunks(t testing.TB, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for i := 8; i+12 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		if i+12+n > len(b) {
			t.Fatalf("chunk at %d past the end", i)
		}
		out = append(out, b[i:i+12+n])
		i += 12 + n
	}
	return out
}

// rebuildPNG joins a signature and chunks.
func rebuildPNG(chunks [][]byte) []byte {
	out := append([]byte(nil), pngSignature...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out
}

// appendToChunk returns the chunk c with x added to its data.
func appendToChunk(c []byte, x []byte) []byte {
	data := append(append([]byte(nil), c[8:len(c)-4]...), x...)
	return chunk(string(c[4:8]), data)
}

// TestScrubPNGPlanted plants a marker after the end of the zlib streams of
// IDAT and fdAT data, and checks that Scrub removes it, Scan reports it,
// and the compressed image data is unchanged.
func TestScrubPNGPlanted(t *testing.T) {
	mark := []byte(plantMark)
	base := pngChunks(t, basePNG(t))
	last := len(base) - 2 // the last IDAT, before IEND
	withTail := append([][]byte(nil), base...)
	withTail[last] = appendToChunk(base[last], mark)
	extraIDAT := append(append(append([][]byte(nil), base[:last+1]...), chunk("IDAT", mark)), base[last+1:]...)
	tests := []struct {
		name string
		in   []byte
	}{
		{"in the last IDAT", rebuildPNG(withTail)},
		{"in an IDAT after the stream", rebuildPNG(extraIDAT)},
	}
	apng, err := os.ReadFile(filepath.Join("testdata", "pillow__apng__dispose_op_previous_frame.png"))
	if err != nil {
		t.Fatal(err)
	}
	ac := pngChunks(t, apng)
	for i := len(ac) - 1; i >= 0; i-- {
		if string(ac[i][4:8]) == "fdAT" {
			ac[i] = appendToChunk(ac[i], mark)
			tests = append(tests, struct {
				name string
				in   []byte
			}{"in the last fdAT of a frame", rebuildPNG(ac)})
			break
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Scan(bytes.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, f := range rep.Findings {
				found = found || f.Category == Embedded && f.Tag == "DataAfterStream"
			}
			if !found {
				t.Errorf("no embedded DataAfterStream finding: %v", rep.Findings)
			}
			out, _ := scrubBytes(t, tt.in)
			if bytes.Contains(out, mark) {
				t.Errorf("the planted marker is in the output")
			}
			checkClean(t, out, nil)
			a, b := idatStream(t, tt.in), idatStream(t, out)
			if !bytes.HasPrefix(a, b) || !bytes.Equal(inflateAll(t, a), inflateAll(t, b)) {
				t.Errorf("image data changed")
			}
		})
	}
}

// idatStream returns the IDAT data of a PNG, concatenated.
func idatStream(t testing.TB, b []byte) []byte {
	var out []byte
	for _, c := range pngChunks(t, b) {
		if string(c[4:8]) == "IDAT" {
			out = append(out, c[8:len(c)-4]...)
		}
	}
	return out
}

func inflateAll(t *testing.T, b []byte) []byte {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestScrubPNGStreamErrors checks IDAT streams that are cut short, damaged,
// or end early in a chunk too long to cut.
func TestScrubPNGStreamErrors(t *testing.T) {
	base := pngChunks(t, basePNG(t))
	last := len(base) - 2
	idat := base[last][8 : len(base[last])-4]
	short := append([][]byte(nil), base...)
	short[last] = chunk("IDAT", idat[:len(idat)-5])
	damaged := append([][]byte(nil), base...)
	bad := append([]byte(nil), idat...)
	bad[2] = 0xff // an invalid block type
	damaged[last] = chunk("IDAT", bad)
	long := append([][]byte(nil), base...)
	long[last] = chunk("IDAT", idat, make([]byte, readerSize+10))
	tests := []struct {
		name         string
		in           []byte
		eof, feature bool
	}{
		{"stream cut short", rebuildPNG(short), true, false},
		{"damaged stream", rebuildPNG(damaged), false, false},
		{"data after the stream in a long chunk", rebuildPNG(long), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Scrub(io.Discard, bytes.NewReader(tt.in), nil)
			checkFormatError(t, err, PNG, len(tt.in), tt.eof, tt.feature)
		})
	}
}

// TestScrubPNGLongIDAT checks that a long IDAT chunk, copied in pieces,
// comes out unchanged.
func TestScrubPNGLongIDAT(t *testing.T) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	data := make([]byte, 3*readerSize)
	for i := range data {
		data[i] = byte(i * 7 % 251)
	}
	zw.Write(data)
	zw.Close()
	c := pngChunks(t, basePNG(t))
	in := rebuildPNG([][]byte{c[0], chunk("IDAT", z.Bytes()[:10]), chunk("IDAT", z.Bytes()[10:]), c[len(c)-1]})
	if len(z.Bytes()) <= readerSize {
		// Make the stream long with stored (uncompressed) blocks.
		z.Reset()
		zw, _ = zlib.NewWriterLevel(&z, zlib.NoCompression)
		zw.Write(data)
		zw.Close()
		in = rebuildPNG([][]byte{c[0], chunk("IDAT", z.Bytes()[:10]), chunk("IDAT", z.Bytes()[10:]), c[len(c)-1]})
	}
	out, _ := scrubBytes(t, in)
	if !bytes.Equal(out, in) {
		t.Errorf("output differs from input")
	}
}

// zlibVerdict is what compress/zlib makes of a stream: how many bytes it
// reads to the stream's end, or whether it ends early or is damaged.
func zlibVerdict(stream []byte) (end int, early, damaged bool) {
	r := bytes.NewReader(stream) // an io.ByteReader: zlib reads no byte more
	zr, err := zlib.NewReader(r)
	if err == nil {
		_, err = io.Copy(io.Discard, zr)
	}
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return 0, true, false
	case err != nil:
		return 0, false, true
	}
	return len(stream) - r.Len(), false, false
}

// checkStreamLikeZlib puts stream in the IDAT chunks of a PNG, split at
// split, scrubs it, and checks that the inflater agrees with compress/zlib:
// the same refusal, or the same end, and the IDAT data cut there.
func checkStreamLikeZlib(t *testing.T, ihdr, stream []byte, split int) {
	t.Helper()
	split = min(max(split, 0), len(stream))
	in := append(append([]byte(nil), pngSignature...), ihdr...)
	in = append(in, chunk("IDAT", stream[:split])...)
	if split < len(stream) {
		in = append(in, chunk("IDAT", stream[split:])...)
	}
	in = append(in, chunk("IEND")...)
	var out bytes.Buffer
	_, err := Scrub(&out, bytes.NewReader(in), nil)
	end, early, damaged := zlibVerdict(stream)
	switch {
	case early:
		if err == nil || !strings.Contains(err.Error(), "ends early") {
			t.Fatalf("compress/zlib: the stream ends early; Scrub: %v", err)
		}
	case damaged:
		if err == nil || !strings.Contains(err.Error(), "is damaged") {
			t.Fatalf("compress/zlib: the stream is damaged; Scrub: %v", err)
		}
	case err != nil:
		if !errors.Is(err, ErrUnsupportedFeature) {
			t.Fatalf("compress/zlib reads the stream to byte %d of %d; Scrub: %v", end, len(stream), err)
		}
	default:
		_, got := pngImageData(out.Bytes())
		if !bytes.Equal(got, stream[:end]) {
			t.Fatalf("compress/zlib reads the stream to byte %d of %d; Scrub keeps %d bytes", end, len(stream), len(got))
		}
	}
}

// TestScrubPNGStreamLikeZlib checks that Scrub, reading the zlib stream
// through the chunks of a pngStream, cuts the IDAT data where compress/zlib
// ends the stream, or refuses the stream as compress/zlib does: on the IDAT
// streams of the test and corpus PNGs, whole, with bytes after the end, cut
// short and with a bit flipped, split between two chunks at random.
// (internal/zlib compares the inflater itself with compress/zlib, on more
// kinds of damage.)
func TestScrubPNGStreamLikeZlib(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	streams := [][]byte{idatStream(t, basePNG(t))}
	for _, path := range sampleFiles(t, false, PNG) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		streams = append(streams, idatStream(t, b))
	}
	checkStreamsLikeZlib(t, streams, r)
	t.Run("corpus", func(t *testing.T) {
		streams = nil
		for _, path := range sampleFiles(t, true, PNG) {
			if b, err := os.ReadFile(path); err == nil && len(b) < 4<<20 {
				streams = append(streams, idatStream(t, b))
			}
		}
		checkStreamsLikeZlib(t, streams, r)
	})
}

func checkStreamsLikeZlib(t *testing.T, streams [][]byte, r *rand.Rand) {
	ihdr := chunk("IHDR", []byte{0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0})
	for i, s := range streams {
		if len(s) == 0 {
			continue
		}
		checkStreamLikeZlib(t, ihdr, s, len(s))
		checkStreamLikeZlib(t, ihdr, append(s[:len(s):len(s)], "after the end"...), len(s)/2)
		for k := 0; k < 100; k++ {
			m := append([]byte(nil), s[:1+r.IntN(len(s))]...) // cut short, or whole
			if k%2 == 1 {
				m[r.IntN(len(m))] ^= 1 << r.IntN(8)
			}
			t.Run(fmt.Sprintf("stream%d/%d", i, k), func(t *testing.T) {
				checkStreamLikeZlib(t, ihdr, m, r.IntN(len(m)+1))
			})
		}
	}
}
