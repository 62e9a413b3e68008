package jpegscan

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// bufSize is the read buffer of the root package's Scan and Scrub, which
// the walker looks ahead through.
const bufSize = 256 << 10

var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, bufSize) }}

// baseJPEG returns a baseline JPEG from image/jpeg (SOI DQT SOF0 DHT SOS …
// EOI) of a small gradient: the image the root package's tests build, and
// the one the seeds of FuzzJPEGScan follow.
func baseJPEG(t testing.TB) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 48, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 48; x++ {
			m.Set(x, y, color.RGBA{uint8(x * 255 / 48), uint8(y * 255 / 32), uint8(x + y), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// readFile reads a file of the root package's testdata.
func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A segment is a marker segment of a JPEG's header.
type segment struct {
	code    byte
	off     int // of the marker
	payload []byte
}

// segments returns the segments of a JPEG from its SOI to its first SOS,
// and the offset of the scan's data.
func segments(b []byte) ([]segment, int, error) {
	var segs []segment
	for i := 2; ; {
		if i+4 > len(b) || b[i] != 0xff {
			return segs, 0, fmt.Errorf("no segment at offset %d", i)
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		if n < 2 || i+2+n > len(b) {
			return segs, 0, fmt.Errorf("segment of %d bytes at offset %d", n, i)
		}
		s := segment{b[i+1], i, b[i+4 : i+2+n]}
		segs = append(segs, s)
		i += 2 + n
		if s.code == 0xda {
			return segs, i, nil
		}
	}
}

// headers reads the header segments of a JPEG into a frame, as the root
// package does, and returns the first scan's header and the offset of its
// data.
func headers(b []byte) (*Frame, *ScanHeader, int, error) {
	segs, data, err := segments(b)
	if err != nil {
		return nil, nil, 0, err
	}
	f := new(Frame)
	for _, s := range segs {
		var msg string
		switch s.code {
		case 0xc0, 0xc1, 0xc2:
			msg, err = f.ParseSOF(s.code, s.payload)
		case 0xc4:
			msg = f.ParseDHT(s.payload)
		case 0xdb:
			msg = ParseDQT(s.payload)
		case 0xdd:
			msg = f.ParseDRI(s.payload)
		case 0xda:
			sh, msg := f.ParseSOS(s.payload)
			if msg != "" {
				return nil, nil, 0, errors.New(msg)
			}
			return f, sh, data, nil
		}
		if msg != "" {
			return nil, nil, 0, fmt.Errorf("segment 0x%02X: %s (%v)", s.code, msg, err)
		}
	}
	panic("unreachable")
}

// walk walks the first scan of in, whose headers end at data.
func walk(f *Frame, sh *ScanHeader, in []byte, data int, w io.Writer) (Result, error) {
	br := readers.Get().(*bufio.Reader)
	defer readers.Put(br)
	br.Reset(bytes.NewReader(in[data:]))
	return f.Walk(sh, br, int64(data), w)
}

// walkAll reads the headers of in and walks its first scan, writing to out.
func walkAll(t testing.TB, in []byte, out io.Writer) (Result, error) {
	t.Helper()
	f, sh, data, err := headers(in)
	if err != nil {
		t.Fatal(err)
	}
	return walk(f, sh, in, data, out)
}

func insertAt(b []byte, i int, x []byte) []byte {
	out := append([]byte(nil), b[:i]...)
	out = append(out, x...)
	return append(out, b[i:]...)
}

// TestParse checks the header segments that the walker refuses, and why.
func TestParse(t *testing.T) {
	sof := []byte{8, 0, 16, 0, 16, 1, 1, 0x11, 0}                          // 16x16, one component
	sof3 := []byte{8, 0, 16, 0, 16, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1} // 4:2:0
	// A Huffman table of one code, of 1 bit, for symbol 0.
	dht := func(class byte) []byte {
		return append([]byte{class << 4, 1}, append(make([]byte, 15), 0)...)
	}
	tests := []struct {
		name        string
		segs        [][]byte // code, then payload
		want        string
		unsupported bool
	}{
		{"frame", [][]byte{{0xc0}, sof}, "", false},
		{"second frame header", [][]byte{{0xc0}, sof, {0xc2}, sof}, "second frame header", false},
		{"short frame header", [][]byte{{0xc0}, sof[:5]}, "frame header of 5 bytes", false},
		{"frame header length", [][]byte{{0xc1}, append(sof, 0)}, "frame header of 10 bytes for 1 components", false},
		{"no components", [][]byte{{0xc0}, {8, 0, 16, 0, 16, 0}}, "frame header of 6 bytes for 0 components", false},
		{"width 0", [][]byte{{0xc0}, {8, 0, 16, 0, 0, 1, 1, 0x11, 0}}, "frame width 0", false},
		{"height 0", [][]byte{{0xc0}, {8, 0, 0, 0, 16, 1, 1, 0x11, 0}}, "frame height 0 (set by a DNL segment)", true},
		{"sampling factors", [][]byte{{0xc0}, {8, 0, 16, 0, 16, 1, 7, 0x51, 0}}, "component 7 sampling factors 5x1", false},
		{"component twice", [][]byte{{0xc0}, {8, 0, 16, 0, 16, 2, 1, 0x11, 0, 1, 0x11, 0}}, "component id 1 used twice", false},

		{"tables", [][]byte{{0xc4}, append(dht(0), dht(1)...)}, "", false},
		{"short Huffman table", [][]byte{{0xc4}, dht(0)[:16]}, "Huffman table header of 16 bytes", false},
		{"Huffman table class", [][]byte{{0xc4}, append([]byte{0x24}, dht(0)[1:]...)}, "Huffman table class 2 id 4", false},
		{"Huffman codes beyond the segment", [][]byte{{0xc4}, dht(0)[:17]}, "Huffman table of 1 codes in 0 bytes", false},
		{"Huffman code lengths", [][]byte{{0xc4}, append(append([]byte{0, 3}, make([]byte, 15)...), 0, 1, 2)}, "Huffman code lengths overflow", false},
		{"DC symbol", [][]byte{{0xc4}, append(append([]byte{0, 1}, make([]byte, 15)...), 16)}, "DC Huffman symbol 16", false},
		{"quantization tables", [][]byte{{0xdb}, append(make([]byte, 65), append([]byte{0x11}, make([]byte, 128)...)...)}, "", false},
		{"quantization table id", [][]byte{{0xdb}, append([]byte{0x04}, make([]byte, 64)...)}, "quantization table precision 0 id 4", false},
		{"short quantization table", [][]byte{{0xdb}, append([]byte{0x10}, make([]byte, 64)...)}, "quantization table of 65 bytes, want 129", false},
		{"restart interval", [][]byte{{0xdd}, {0, 8}}, "", false},
		{"restart interval length", [][]byte{{0xdd}, {0, 8, 0}}, "DRI segment of 3 bytes, want 2", false},

		{"scan", [][]byte{{0xc0}, sof, {0xc4}, append(dht(0), dht(1)...), {0xda}, {1, 1, 0, 0, 63, 0}}, "", false},
		{"scan before the frame", [][]byte{{0xda}, {1, 1, 0, 0, 63, 0}}, "scan before the frame header", false},
		{"empty scan header", [][]byte{{0xc0}, sof, {0xda}, {}}, "empty scan header", false},
		{"scan header length", [][]byte{{0xc0}, sof, {0xda}, {2, 1, 0, 0, 63, 0}}, "scan header of 6 bytes for 2 components", false},
		{"scan component", [][]byte{{0xc0}, sof, {0xda}, {1, 9, 0, 0, 63, 0}}, "scan component 9 is not in the frame", false},
		{"scan component twice", [][]byte{{0xc0}, sof3, {0xda}, {2, 1, 0, 1, 0, 0, 63, 0}}, "scan component 1 listed twice", false},
		{"table selectors", [][]byte{{0xc0}, sof, {0xda}, {1, 1, 0x40, 0, 63, 0}}, "scan component 1 table selectors 0x40", false},
		{"blocks in an MCU", [][]byte{{0xc0}, {8, 0, 16, 0, 16, 2, 1, 0x44, 0, 2, 0x11, 0}, {0xda}, {2, 1, 0, 2, 0, 0, 63, 0}}, "17 blocks in an MCU, more than 10", false},
		{"progression", [][]byte{{0xc2}, sof, {0xda}, {1, 1, 0, 0, 5, 0}}, "progressive scan parameters Ss=0 Se=5 Ah=0 Al=0", false},
		{"interleaved AC band", [][]byte{{0xc2}, sof3, {0xda}, {2, 1, 0, 2, 0, 1, 5, 0}}, "progressive scan parameters Ss=1 Se=5 Ah=0 Al=0", false},
		{"successive approximation", [][]byte{{0xc2}, sof, {0xda}, {1, 1, 0, 1, 5, 0x20}}, "progressive scan parameters Ss=1 Se=5 Ah=2 Al=0", false},
		{"DC table", [][]byte{{0xc0}, sof, {0xc4}, dht(1), {0xda}, {1, 1, 0, 0, 63, 0}}, "DC Huffman table 0 is not defined", false},
		{"AC table", [][]byte{{0xc0}, sof, {0xc4}, dht(0), {0xda}, {1, 1, 0, 0, 63, 0}}, "AC Huffman table 0 is not defined", false},
		{"DC refinement needs no table", [][]byte{{0xc2}, sof, {0xda}, {1, 1, 0, 0, 0, 0x10}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f Frame
			var msg string
			var err error
			for i := 0; i < len(tt.segs) && msg == ""; i += 2 {
				code, p := tt.segs[i][0], tt.segs[i+1]
				switch code {
				case 0xc0, 0xc1, 0xc2:
					msg, err = f.ParseSOF(code, p)
				case 0xc4:
					msg = f.ParseDHT(p)
				case 0xdb:
					msg = ParseDQT(p)
				case 0xdd:
					msg = f.ParseDRI(p)
				case 0xda:
					var sh *ScanHeader
					if sh, msg = f.ParseSOS(p); (sh == nil) != (msg != "") {
						t.Errorf("ParseSOS returned %v and %q", sh, msg)
					}
				}
			}
			if msg != tt.want {
				t.Errorf("got %q, want %q", msg, tt.want)
			}
			if got := errors.Is(err, ErrUnsupported); got != tt.unsupported {
				t.Errorf("got error %v, want unsupported %v", err, tt.unsupported)
			}
		})
	}
}

// failWriter fails every write.
type failWriter struct{}

var errWrite = errors.New("write failed")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

// TestWalk walks real scans with data planted after intervals, cut short
// or written to a failing writer.
func TestWalk(t *testing.T) {
	base := baseJPEG(t)
	eoi := len(base) - 2
	rst := readFile(t, "jpg__xmp__BlueSquare.jpg")
	_, _, rstData, err := headers(rst)
	if err != nil {
		t.Fatal(err)
	}
	rst0 := rstData + bytes.Index(rst[rstData:], []byte{0xff, markerRST0})
	mark := []byte("PLANTED")
	tests := []struct {
		name      string
		in        []byte
		end       int // want Result.End
		dropped   int
		droppedAt int
		w         io.Writer
		err       error  // want errors.Is
		reason    string // want an *Error at End
	}{
		{name: "clean", in: base, end: eoi},
		{name: "after the last MCU", in: insertAt(base, eoi, mark), end: eoi + len(mark), dropped: len(mark), droppedAt: eoi},
		{name: "fill bytes kept", in: insertAt(base, eoi, []byte{0xff, 0xff}), end: eoi},
		{name: "fill bytes and a stuffed zero", in: insertAt(base, eoi, append([]byte{0xff, 0xff, 0x00}, mark...)), end: eoi + 3 + len(mark), dropped: 3 + len(mark), droppedAt: eoi},
		{name: "restarts", in: rst, end: len(rst) - 2},
		{name: "before a restart marker", in: insertAt(rst, rst0, mark), end: len(rst) - 2 + len(mark), dropped: len(mark), droppedAt: rst0},
		{name: "truncated", in: base[:eoi], end: eoi, err: io.ErrUnexpectedEOF, reason: "entropy-coded data is truncated"},
		{name: "truncated in a restart marker", in: rst[:rst0+1], end: rst0, err: io.ErrUnexpectedEOF, reason: "entropy-coded data is truncated"},
		// The first interval's data is written as it ends: the writer's
		// error is returned as it is.
		{name: "failing writer", in: rst, end: rstData, w: failWriter{}, err: errWrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w := tt.w
			if w == nil {
				w = &out
			}
			res, err := walkAll(t, tt.in, w)
			e, isError := err.(*Error)
			switch {
			case !errors.Is(err, tt.err):
				t.Fatalf("got error %v, want %v", err, tt.err)
			case isError != (tt.reason != ""):
				t.Fatalf("got error %#v, want an *Error: %v", err, tt.reason != "")
			case isError && (e.Reason != tt.reason || e.Offset != res.End):
				t.Fatalf("got %q at offset %d, want %q at %d", e.Reason, e.Offset, tt.reason, res.End)
			}
			if got := (Result{int64(tt.end), int64(tt.dropped), int64(tt.droppedAt)}); res != got {
				t.Errorf("got %+v, want %+v", res, got)
			}
			if _, _, data, _ := headers(tt.in); tt.w == nil && out.Len() != tt.end-data-tt.dropped {
				t.Errorf("wrote %d bytes, want %d", out.Len(), tt.end-data-tt.dropped)
			}
		})
	}
}

// TestWalkTruncated walks a scan, with restart intervals and with
// progressive scans, cut at every offset of its data.
func TestWalkTruncated(t *testing.T) {
	for _, in := range [][]byte{baseJPEG(t), readFile(t, "jpg__xmp__BlueSquare.jpg")} {
		_, _, data, err := headers(in)
		if err != nil {
			t.Fatal(err)
		}
		for n := data; n < len(in); n++ {
			checkWalk(t, in[:data], in[data:n])
		}
	}
}

// checkWalk walks data after the headers head and checks the invariants
// of a walk: it stops within the input, at a marker if there is no error;
// its errors are *Errors at offsets within the input, unless they come from
// the writer (which does not fail here); every byte it consumes is written
// or dropped; and walking its output drops nothing and writes the same.
func checkWalk(t *testing.T, head, data []byte) {
	t.Helper()
	f, sh, _, err := headers(head)
	if err != nil {
		t.Fatal(err)
	}
	in := append(append([]byte(nil), head...), data...)
	var out bytes.Buffer
	res, err := walk(f, sh, in, len(head), &out)
	if res.End < int64(len(head)) || res.End > int64(len(in)) {
		t.Fatalf("the walk ends at %d, outside the input's data (%d to %d)", res.End, len(head), len(in))
	}
	var e *Error
	switch {
	case err == nil:
		if res.End == int64(len(in)) || in[res.End] != 0xff {
			t.Fatalf("no error, and the walk ends at %d, not at a marker", res.End)
		}
	case !errors.As(err, &e):
		t.Fatalf("error %v is not an *Error", err)
	case e.Offset < int64(len(head)) || e.Offset > int64(len(in)):
		t.Fatalf("error %v at offset %d, outside the data (%d to %d)", err, e.Offset, len(head), len(in))
	}
	if res.Dropped < 0 || res.Dropped > 0 && (res.DroppedAt < int64(len(head)) || res.DroppedAt+res.Dropped > res.End) {
		t.Fatalf("%d bytes dropped at %d, outside what the walk read (%d to %d)", res.Dropped, res.DroppedAt, len(head), res.End)
	}
	if got := int64(out.Len()) + res.Dropped; got != res.End-int64(len(head)) {
		t.Fatalf("%d bytes written and %d dropped, but %d read", out.Len(), res.Dropped, res.End-int64(len(head)))
	}
	if err != nil {
		return
	}
	// The round trip: what was written is what a decoder reads.
	f, sh, _, _ = headers(head)
	again := append(append(append([]byte(nil), head...), out.Bytes()...), in[res.End:]...)
	var out2 bytes.Buffer
	res2, err := walk(f, sh, again, len(head), &out2)
	if err != nil || res2.Dropped != 0 || !bytes.Equal(out2.Bytes(), out.Bytes()) {
		t.Fatalf("walking the output: %v, %d bytes dropped, %d written of %d", err, res2.Dropped, out2.Len(), out.Len())
	}
}

// FuzzJPEGScan fuzzes the entropy-coded data of a real baseline scan,
// behind its fixed headers, and checks the invariants of checkWalk.
func FuzzJPEGScan(f *testing.F) {
	base := baseJPEG(f)
	_, _, data, err := headers(base)
	if err != nil {
		f.Fatal(err)
	}
	head := base[:data]
	f.Add(base[data:])
	f.Fuzz(func(t *testing.T, data []byte) {
		checkWalk(t, head, data)
	})
}

// dhtPayloads returns the payloads of the DHT segments of a JPEG.
func dhtPayloads(b []byte) [][]byte {
	var out [][]byte
	segs, _, _ := segments(b)
	for _, s := range segs {
		if s.code == 0xc4 {
			out = append(out, s.payload)
		}
	}
	return out
}

// readPosition is where a scan's decoding stands: the window index of the
// first data byte not yet read whole and the bits of it read, or, past the
// end of the data, how many zero bits the decoder has read beyond it.
type readPosition struct{ index, bits, overrun int }

func (s *walker) position() readPosition {
	real := int(s.n) - 8*int(s.zeros)
	if real < 0 {
		return readPosition{overrun: -real}
	}
	return readPosition{index: s.back(uint(real / 8)), bits: (8 - real%8) % 8}
}

// FuzzJPEGBlocks compares the walker's two ways of reading the blocks of
// a sequential scan: code by code, and with a multiTable, which large
// scans use. Both must stop at the same bit after each block.
func FuzzJPEGBlocks(f *testing.F) {
	base := baseJPEG(f)
	_, _, start, err := headers(base)
	if err != nil {
		f.Fatal(err)
	}
	data := base[start:]
	var baseFrame Frame
	for _, p := range dhtPayloads(base) {
		baseFrame.ParseDHT(p)
		f.Add(p, data)
	}
	f.Fuzz(func(t *testing.T, dht, data []byte) {
		var fr Frame
		if msg := fr.ParseDHT(dht); msg != "" {
			return
		}
		var dc, ac *huffTable
		for i := range fr.dc {
			if fr.dc[i].defined && dc == nil {
				dc = &fr.dc[i]
			}
			if fr.ac[i].defined && ac == nil {
				ac = &fr.ac[i]
			}
		}
		if ac == nil {
			return
		}
		if dc == nil {
			// Not ac: a DC symbol is a size of at most 15 (build checks
			// it), which block's DC code relies on.
			dc = &baseFrame.dc[0]
		}
		m := new(multiTable)
		m.build(ac)
		// The data ends at a marker, so the walker never refills its
		// window (which has no reader behind it here).
		b := append(append([]byte(nil), data...), 0xff, 0xd9)
		s1 := &walker{b: b}
		s2 := &walker{b: b}
		s1.reset()
		s2.reset()
		for k := 0; k < 200 && !s1.exhausted(); k++ {
			s1.block(dc, ac, nil)
			s2.block(dc, ac, m)
			if p1, p2 := s1.position(), s2.position(); p1 != p2 {
				t.Fatalf("block %d: code by code the walker stops at %+v, with the multiTable at %+v", k, p1, p2)
			}
		}
	})
}

// decodeF223 decodes the code at the top of acc as T.81 F.2.2.3 does, bit
// by bit; length 0 if there is none.
func decodeF223(t *huffTable, acc uint64) (byte, uint) {
	for l := uint(1); l <= 16; l++ {
		if code := int32(acc >> (64 - l)); code <= t.maxcode[l] {
			return t.vals[code+t.valoff[l]], l
		}
	}
	return 0, 0
}

// jpegFiles returns the JPEG files (MPO included) of the root package's
// testdata and, if EXIFSCRUB_CORPUS names it, of the corpus.
func jpegFiles(t *testing.T) [][]byte {
	dirs := []string{filepath.Join("..", "..", "testdata")}
	if dir := os.Getenv("EXIFSCRUB_CORPUS"); dir != "" {
		dirs = append(dirs, dir)
	}
	var files [][]byte
	for _, dir := range dirs {
		paths, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range paths {
			if b, err := os.ReadFile(path); err == nil && bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff}) {
				files = append(files, b)
			}
		}
	}
	return files
}

// TestMultiTable checks every entry of the multiTables of the Huffman
// tables in the test and corpus JPEGs against decoding its codes one by
// one.
func TestMultiTable(t *testing.T) {
	var dhts [][]byte
	for _, b := range jpegFiles(t) {
		dhts = append(dhts, dhtPayloads(b)...)
	}
	dhts = append(dhts, dhtPayloads(baseJPEG(t))...)
	m := new(multiTable)
	for _, p := range dhts {
		var fr Frame
		if msg := fr.ParseDHT(p); msg != "" {
			t.Fatal(msg)
		}
		for _, ac := range fr.ac {
			if !ac.defined {
				continue
			}
			m.build(&ac)
			for x := range m {
				var bits, pre, adv uint
				acc := uint64(x) << (64 - multiBits)
				for adv < 63 {
					sym, l := decodeF223(&ac, acc)
					size := uint(sym & 15)
					if l == 0 || l > huffLookahead || bits+l+size > multiBits {
						break
					}
					a := uint(sym>>4) + 1
					if size == 0 {
						a = 64
						if sym>>4 == 15 {
							a = 16
						}
					}
					bits += l + size
					acc <<= l + size
					pre, adv = adv, adv+a
				}
				want := uint16(multiNone)
				if bits > 0 {
					want = multiEntry(bits, pre, adv)
				}
				if m[x] != want {
					t.Fatalf("entry %013b: got %#x, want %#x", x, m[x], want)
				}
			}
		}
	}
}

// photoJPEG is a 12-megapixel 4:2:0 JPEG that compresses like a camera's
// photo: smooth gradients with sensor-like noise. It has no restart
// intervals, so its one scan is one interval of 187,500 MCUs.
var photoJPEG = sync.OnceValue(func() []byte {
	const w, h = 4000, 3000
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range m.Y {
		m.Y[i] = uint8((i%w*255/w+i/w*255/h)/2 + r.IntN(32))
	}
	for i := range m.Cb {
		m.Cb[i], m.Cr[i] = uint8(100+r.IntN(40)), uint8(120+r.IntN(40))
	}
	var b bytes.Buffer
	jpeg.Encode(&b, m, &jpeg.Options{Quality: 92})
	return b.Bytes()
})

// BenchmarkWalk walks the scan of photoJPEG. MB/s are of the scan's data.
func BenchmarkWalk(b *testing.B) {
	in := photoJPEG()
	f, sh, data, err := headers(in)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in) - data))
	b.ReportAllocs()
	br := bufio.NewReaderSize(nil, bufSize)
	for b.Loop() {
		br.Reset(bytes.NewReader(in[data:]))
		if res, err := f.Walk(sh, br, int64(data), io.Discard); err != nil || res.End != int64(len(in)-2) {
			b.Fatalf("walk: %v, %+v", err, res)
		}
	}
}

// TestWalkFile walks the first scan of the JPEG that JPEGSCAN_WALK_FILE
// names, if set, JPEGSCAN_WALKS times (default once), and prints the size
// of its entropy-coded data: bench/walk-instructions.sh counts the
// instructions of one walk as those of a run with one walk less those of a
// run with none.
func TestWalkFile(t *testing.T) {
	name := os.Getenv("JPEGSCAN_WALK_FILE")
	if name == "" {
		t.Skip("JPEGSCAN_WALK_FILE is not set")
	}
	walks := 1
	if v := os.Getenv("JPEGSCAN_WALKS"); v != "" {
		if _, err := fmt.Sscan(v, &walks); err != nil {
			t.Fatalf("JPEGSCAN_WALKS=%q: %v", v, err)
		}
	}
	in, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	f, sh, data, err := headers(in)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReaderSize(nil, bufSize)
	end := int64(data)
	for range walks {
		br.Reset(bytes.NewReader(in[data:]))
		res, err := f.Walk(sh, br, int64(data), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		end = res.End
	}
	fmt.Printf("entropy-coded bytes: %d\n", end-int64(data))
}
