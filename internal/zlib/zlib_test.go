package zlib

import (
	"bytes"
	"compress/flate"
	stdzlib "compress/zlib"
	"encoding/binary"
	"errors"
	"hash/adler32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// pieces is a Source that hands out its pieces one by one, then err (io.EOF
// when nil), and counts the bytes handed out.
type pieces struct {
	p     [][]byte
	err   error
	given int
}

func (s *pieces) Next() ([]byte, error) {
	if len(s.p) == 0 {
		if s.err != nil {
			return nil, s.err
		}
		return nil, io.EOF
	}
	b := s.p[0]
	s.p = s.p[1:]
	s.given += len(b)
	return b, nil
}

// inflate runs an Inflater on stream cut at the offsets in cuts (which may
// repeat, for empty pieces). It returns the bytes it read to the stream's
// end and its error.
func inflate(f *Inflater, stream []byte, cuts ...int) (end int, err error) {
	var ps [][]byte
	at := 0
	for _, c := range cuts {
		c = min(max(c, at), len(stream))
		ps = append(ps, stream[at:c])
		at = c
	}
	ps = append(ps, stream[at:])
	src := &pieces{p: ps[1:], given: len(ps[0])}
	f.Reset(src, ps[0])
	if err := f.Inflate(); err != nil {
		return 0, err
	}
	return src.given - len(f.Rest()), nil
}

// zlibVerdict is what compress/zlib makes of a stream: how many bytes it
// reads to the stream's end, or its error.
func zlibVerdict(stream []byte) (end int, err error) {
	r := bytes.NewReader(stream) // an io.ByteReader: zlib reads no byte more
	zr, err := stdzlib.NewReader(r)
	if err == nil {
		_, err = io.Copy(io.Discard, zr)
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return len(stream) - r.Len(), err
}

// checkLikeZlib checks that an Inflater given stream in pieces cut at cuts
// ends where compress/zlib ends, or refuses the stream with its error (a
// flate.CorruptInputError for a flate.CorruptInputError), at an offset
// within the stream.
func checkLikeZlib(t *testing.T, f *Inflater, stream []byte, cuts ...int) {
	t.Helper()
	wantEnd, wantErr := zlibVerdict(stream)
	end, err := inflate(f, stream, cuts...)
	var zerr *Error
	switch {
	case wantErr == nil && err == nil:
		if end != wantEnd {
			t.Fatalf("cut at %v: the stream ends at byte %d of %d, want %d", cuts, end, len(stream), wantEnd)
		}
	case wantErr == nil:
		t.Fatalf("cut at %v: %v, want the stream's end at byte %d of %d", cuts, err, wantEnd, len(stream))
	case !errors.As(err, &zerr):
		t.Fatalf("cut at %v: got %v, want an *Error of %v", cuts, err, wantErr)
	case zerr.Err != wantErr && !(isCorrupt(zerr.Err) && isCorrupt(wantErr)):
		// A flate.CorruptInputError's offset may differ: see Error.
		t.Fatalf("cut at %v: got %v, want %v", cuts, zerr.Err, wantErr)
	case zerr.Offset < 0 || zerr.Offset > int64(len(stream)):
		t.Fatalf("cut at %v: %v: offset %d outside the stream of %d bytes", cuts, err, zerr.Offset, len(stream))
	case wantErr == io.ErrUnexpectedEOF && zerr.Offset != int64(len(stream)):
		t.Fatalf("cut at %v: %v: got offset %d, want %d", cuts, err, zerr.Offset, len(stream))
	}
}

func isCorrupt(err error) bool {
	var c flate.CorruptInputError
	return errors.As(err, &c)
}

// pngStreams returns the zlib streams of a PNG file: its IDAT data, and the
// fdAT data of each APNG frame (after each chunk's sequence number).
func pngStreams(t testing.TB, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	var idat, fdat []byte
	for i := 8; i+12 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		if i+12+n > len(b) {
			t.Fatalf("chunk at %d past the end", i)
		}
		data := b[i+8 : i+8+n]
		switch string(b[i+4 : i+8]) {
		case "IDAT":
			idat = append(idat, data...)
		case "fcTL":
			if len(fdat) > 0 {
				out = append(out, fdat)
			}
			fdat = nil
		case "fdAT":
			fdat = append(fdat, data[4:]...)
		}
		i += 12 + n
	}
	if len(fdat) > 0 {
		out = append(out, fdat)
	}
	return append(out, idat)
}

// testStreams returns the zlib streams of the PNG samples in testdata, and
// streams of compress/zlib's levels, with stored, fixed and dynamic blocks.
func testStreams(t testing.TB) [][]byte {
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "*.png"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no PNG samples: %v", err)
	}
	var streams [][]byte
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		streams = append(streams, pngStreams(t, b)...)
	}
	data := make([]byte, 100<<10)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range data {
		data[i] = byte(i/300) + byte(r.IntN(4))
	}
	for _, level := range []int{stdzlib.NoCompression, stdzlib.BestSpeed, stdzlib.DefaultCompression, stdzlib.HuffmanOnly} {
		var z bytes.Buffer
		zw, _ := stdzlib.NewWriterLevel(&z, level)
		zw.Write(data[:1+r.IntN(len(data))])
		zw.Close()
		streams = append(streams, z.Bytes())
	}
	return streams
}

// TestInflaterLikeZlib checks the Inflater against compress/zlib on the
// streams of the test PNGs and of compress/zlib, given whole and in pieces,
// cut short, with bits flipped and with bytes after the end. (The root's
// TestScrubPNGStreamLikeZlib checks the corpus, through Scrub.)
func TestInflaterLikeZlib(t *testing.T) {
	f := new(Inflater)
	r := rand.New(rand.NewPCG(5, 6))
	for _, s := range testStreams(t) {
		checkLikeZlib(t, f, s)
		checkLikeZlib(t, f, s, 0, 0, 1, len(s)/2)
		checkLikeZlib(t, f, append(s[:len(s):len(s)], "after the end"...), len(s)/2)
		for k := 0; k < 200; k++ {
			m := append([]byte(nil), s...)
			switch k % 4 {
			case 0:
				m = m[:r.IntN(len(m))]
			case 1:
				m[r.IntN(len(m))] ^= 1 << r.IntN(8)
			case 2:
				for j := r.IntN(len(m)); j < len(m) && j < 40; j++ {
					m[j] = byte(r.IntN(256)) // damage the block headers
				}
			case 3:
				m[len(m)-1-r.IntN(min(len(m), 12))] ^= 1 << r.IntN(8) // the last codes and the checksum
			}
			cuts := make([]int, r.IntN(4))
			for i := range cuts {
				cuts[i] = r.IntN(len(m) + 1)
			}
			checkLikeZlib(t, f, m, cuts...)
		}
	}
}

// fixedEmpty is a zlib stream of one empty block with fixed codes.
var fixedEmpty = []byte{0x78, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01}

// TestInflaterErrors checks hand-built streams: what an Inflater returns,
// at which offset, and where the stream ends.
func TestInflaterErrors(t *testing.T) {
	var stored bytes.Buffer
	zw, _ := stdzlib.NewWriterLevel(&stored, stdzlib.NoCompression)
	zw.Write([]byte("stored"))
	zw.Close()
	tests := []struct {
		name   string
		stream []byte
		want   error // nil, or the Err of an *Error
		offset int64 // of the *Error, or the end of the stream
	}{
		{"empty", nil, io.ErrUnexpectedEOF, 0},
		{"header only", fixedEmpty[:2], io.ErrUnexpectedEOF, 2},
		{"bad header check", []byte{0x78, 0x00, 0x03, 0x00}, stdzlib.ErrHeader, 2},
		{"not deflate", []byte{0x79, 0x01 ^ 0x1f, 0x03, 0x00}, stdzlib.ErrHeader, 2},
		{"dictionary", []byte{0x78, 0x20, 0, 0, 0, 2, 0x03, 0x00}, stdzlib.ErrDictionary, 6},
		{"dictionary of none", []byte{0x78, 0x20, 0, 0, 0, 1, 0x03, 0x00, 0, 0, 0, 1}, nil, 12},
		{"fixed, empty", fixedEmpty, nil, 8},
		{"data after the end", append(fixedEmpty[:8:8], "tail"...), nil, 8},
		{"bad block type", []byte{0x78, 0x01, 0x07, 0x00}, flate.CorruptInputError(1), 3},
		{"bad checksum", []byte{0x78, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x02}, stdzlib.ErrChecksum, 8},
		{"checksum cut short", fixedEmpty[:6], io.ErrUnexpectedEOF, 6},
		{"stored", stored.Bytes(), nil, int64(stored.Len())},
		{"stored, bad length", append(append([]byte(nil), stored.Bytes()[:5]...), 0xff, 0xff), flate.CorruptInputError(5), 7},
	}
	f := new(Inflater)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for cut := 0; cut <= len(tt.stream); cut++ {
				end, err := inflate(f, tt.stream, cut)
				var zerr *Error
				switch {
				case tt.want == nil && err != nil:
					t.Fatalf("cut at %d: got %v, want the end at %d", cut, err, tt.offset)
				case tt.want == nil && int64(end) != tt.offset:
					t.Fatalf("cut at %d: the stream ends at %d, want %d", cut, end, tt.offset)
				case tt.want == nil:
				case !errors.As(err, &zerr) || zerr.Err != tt.want || zerr.Offset != tt.offset || !errors.Is(err, tt.want):
					t.Fatalf("cut at %d: got %#v, want %v at offset %d", cut, err, tt.want, tt.offset)
				}
				if _, zlibErr := zlibVerdict(tt.stream); zlibErr != tt.want {
					t.Fatalf("compress/zlib: %v, want %v", zlibErr, tt.want)
				}
			}
		})
	}
	t.Run("message", func(t *testing.T) {
		_, err := inflate(f, []byte{0x78, 0x00})
		if got, want := err.Error(), "zlib: invalid header (at byte 2 of the zlib stream)"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("source error", func(t *testing.T) {
		bad := errors.New("source error")
		f.Reset(&pieces{err: bad}, fixedEmpty[:3])
		if err := f.Inflate(); err != bad {
			t.Errorf("got %v, want the Source's error as it is", err)
		}
		if f.Rest() != nil {
			t.Errorf("Rest after an error: got %q, want nil", f.Rest())
		}
	})
}

// TestHuffInit checks which codes flateHuff.init takes (RFC 1951 §3.2.2):
// complete ones, an empty one and one of a single 1-bit code, as
// compress/flate does.
func TestHuffInit(t *testing.T) {
	tests := []struct {
		name    string
		lengths []uint8
		want    bool
	}{
		{"empty", []uint8{0, 0, 0}, true},
		{"one code of 1 bit", []uint8{0, 1}, true},
		{"one code of 2 bits", []uint8{2}, false},
		{"complete", []uint8{1, 2, 3, 3}, true},
		{"complete, 4×2", []uint8{2, 2, 2, 2}, true},
		{"incomplete", []uint8{1, 2}, false},
		{"over-subscribed", []uint8{1, 1, 1}, false},
		{"15 bits", append([]uint8{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, 15, 15), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h flateHuff
			if got := h.init(tt.lengths, kindSymbol); got != tt.want {
				t.Errorf("init(%v) = %v, want %v", tt.lengths, got, tt.want)
			}
		})
	}
}

// TestAdler32Update checks adler32Update against hash/adler32 on random
// data, in pieces of every length from 0 to 40 and longer ones.
func TestAdler32Update(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	data := make([]byte, 50000)
	for i := range data {
		data[i] = byte(r.IntN(256))
		if i%7000 < 3000 {
			data[i] = 0xff // the largest sums
		}
	}
	h := adler32.New()
	sum := uint32(1)
	for p := data; len(p) > 0; {
		n := min(len(p), r.IntN(41))
		if r.IntN(10) == 0 {
			n = min(len(p), r.IntN(12000))
		}
		h.Write(p[:n])
		sum = adler32Update(sum, p[:n])
		if sum != h.Sum32() {
			t.Fatalf("after %d bytes: got %08x, want %08x", len(data)-len(p)+n, sum, h.Sum32())
		}
		p = p[n:]
	}
}

// FuzzInflater compares the Inflater with compress/zlib on any stream, in
// two pieces: the same end or the same error, at an offset in the stream.
func FuzzInflater(f *testing.F) {
	for _, s := range testStreams(f)[:3] {
		f.Add(s, len(s)/2)
	}
	var z bytes.Buffer
	zw, _ := stdzlib.NewWriterLevel(&z, stdzlib.NoCompression)
	zw.Write([]byte("stored"))
	zw.Close()
	f.Add(z.Bytes(), 3)
	f.Add(fixedEmpty, 0)
	in := new(Inflater)
	f.Fuzz(func(t *testing.T, stream []byte, split int) {
		checkLikeZlib(t, in, stream, split)
	})
}

// benchStream is a zlib stream of 4 MB of image-like data: gradients with
// noise, as in the root's PNG benchmarks.
func benchStream(level int) []byte {
	const w, h = 4000, 1000
	data := make([]byte, w*h)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		x, y := i%w, i/w
		data[i] = uint8((x*255/w+y*255/h)/2 + r.IntN(32))
	}
	var b bytes.Buffer
	zw, _ := stdzlib.NewWriterLevel(&b, level)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func benchInflate(b *testing.B, level int) {
	s := benchStream(level)
	f := new(Inflater)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		f.Reset(nil, s)
		if err := f.Inflate(); err != nil {
			b.Fatal(err)
		}
	}
}

// The benchmarks report MB/s of compressed input.
func BenchmarkInflateBestSpeed(b *testing.B) { benchInflate(b, stdzlib.BestSpeed) }
func BenchmarkInflateDefault(b *testing.B)   { benchInflate(b, stdzlib.DefaultCompression) }
func BenchmarkInflateStored(b *testing.B)    { benchInflate(b, stdzlib.NoCompression) }
