package vp8

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A boolEncoder writes boolean entropy-coded data, as RFC 6386 §7.3's
// bool_encoder does, so that tests can build partitions.
type boolEncoder struct {
	out      []byte
	rng      uint32
	bottom   uint32
	bitCount int
}

func newBoolEncoder() *boolEncoder { return &boolEncoder{rng: 255, bitCount: 24} }

// addOne propagates a carry into the bytes written (add_one_to_output).
func (e *boolEncoder) addOne() {
	i := len(e.out) - 1
	for ; i >= 0 && e.out[i] == 255; i-- {
		e.out[i] = 0
	}
	e.out[i]++
}

func (e *boolEncoder) bool(prob uint32, bit bool) {
	split := 1 + (e.rng-1)*prob>>8
	if bit {
		e.bottom += split
		e.rng -= split
	} else {
		e.rng = split
	}
	for e.rng < 128 {
		e.rng <<= 1
		if e.bottom&(1<<31) != 0 {
			e.addOne()
		}
		e.bottom <<= 1
		if e.bitCount--; e.bitCount == 0 {
			e.out = append(e.out, byte(e.bottom>>24))
			e.bottom &= 1<<24 - 1
			e.bitCount = 8
		}
	}
}

func (e *boolEncoder) literal(n, v int) {
	for n--; n >= 0; n-- {
		e.bool(128, v>>n&1 == 1)
	}
}

// flush writes what is left (flush_bool_encoder) and returns the data.
func (e *boolEncoder) flush() []byte {
	c, v := e.bitCount, e.bottom
	if v&(1<<(32-c)) != 0 {
		e.addOne()
	}
	v <<= c & 7
	for c >>= 3; c > 0; c-- {
		v <<= 8
	}
	for i := 0; i < 4; i++ {
		e.out = append(e.out, byte(v>>24))
		v <<= 8
	}
	return e.out
}

func TestBoolDecoderRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, n := range []int{0, 1, 7, 100, 5000} {
		probs := make([]uint8, n)
		bits := make([]bool, n)
		e := newBoolEncoder()
		for i := range probs {
			probs[i] = uint8(1 + r.Intn(255))
			bits[i] = r.Intn(256) >= int(probs[i])
			e.bool(uint32(probs[i]), bits[i])
		}
		data := e.flush()
		d := newBoolDecoder(data)
		for i := range probs {
			if got := d.bool(probs[i]); got != bits[i] {
				t.Fatalf("%d bools: bool %d is %v, want %v", n, i, got, bits[i])
			}
		}
		if d.eof {
			t.Errorf("%d bools: read past the end", n)
		}
		// The bytes used decode the same bools, and one fewer does not.
		used := d.used()
		if used > len(data) {
			t.Fatalf("%d bools: %d bytes used of %d", n, used, len(data))
		}
		d = newBoolDecoder(data[:used])
		for i := range probs {
			if got := d.bool(probs[i]); got != bits[i] {
				t.Fatalf("%d bools in %d bytes: bool %d is %v, want %v", n, used, i, got, bits[i])
			}
		}
		if d.eof || d.used() != used {
			t.Errorf("%d bools in %d bytes: eof %v, %d bytes used", n, used, d.eof, d.used())
		}
		if n > 0 {
			d = newBoolDecoder(data[:used-1])
			for i := range probs {
				d.bool(probs[i])
			}
			if !d.eof {
				t.Errorf("%d bools in %d bytes: no read past the end", n, used-1)
			}
		}
	}
	d := newBoolDecoder([]byte{0xff})
	if d.literal(8); !d.eof {
		t.Errorf("one byte: no read past the end")
	}
}

// header is what partitions reads of a key frame's first partition
// (RFC 6386 §19.2).
type header struct {
	segmentation, updateMap, updateData bool
	filterAdj, deltaUpdate              bool
	log2Parts                           int
}

// firstPartition encodes h, then 100 zero bools for the rest of the
// frame header and the macroblocks.
func firstPartition(h header) []byte {
	e := newBoolEncoder()
	flag := func(b bool) { e.bool(128, b) }
	optional := func(n int, signed bool) {
		flag(true)
		e.literal(n, 1)
		if signed {
			e.literal(1, 1)
		}
	}
	e.literal(2, 0) // color_space, clamping_type
	flag(h.segmentation)
	if h.segmentation {
		flag(h.updateMap)
		flag(h.updateData)
		if h.updateData {
			e.literal(1, 1)
			for i := 0; i < 8; i++ {
				optional(7-i/4, true)
			}
		}
		if h.updateMap {
			for i := 0; i < 3; i++ {
				optional(8, false)
			}
		}
	}
	e.literal(10, 0x155) // filter_type, loop_filter_level, sharpness_level
	flag(h.filterAdj)
	if h.filterAdj {
		flag(h.deltaUpdate)
		if h.deltaUpdate {
			for i := 0; i < 8; i++ {
				optional(6, true)
			}
		}
	}
	e.literal(2, h.log2Parts)
	for i := 0; i < 100; i++ {
		flag(false)
	}
	return e.flush()
}

func TestPartitions(t *testing.T) {
	tests := []struct {
		name string
		h    header
		want int
	}{
		{"plain", header{}, 1},
		{"two partitions", header{log2Parts: 1}, 2},
		{"segmentation", header{segmentation: true, updateMap: true, updateData: true, log2Parts: 2}, 4},
		{"segment map only", header{segmentation: true, updateMap: true, log2Parts: 3}, 8},
		{"filter deltas", header{filterAdj: true, deltaUpdate: true, log2Parts: 3}, 8},
		{"everything", header{true, true, true, true, true, 2}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := firstPartition(tt.h)
			if n, ok := partitions(p); n != tt.want || !ok {
				t.Errorf("got %d, %v; want %d, true", n, ok, tt.want)
			}
			if _, ok := partitions(p[:2]); ok {
				t.Errorf("2 bytes: no read past the end")
			}
		})
	}
}

// fakeVP8 is a 1×1 key frame (from the root's webp_test.go).
var fakeVP8 = []byte("\xd0\x01\x00\x9d\x01\x2a\x01\x00\x01\x00\x02\x00\x34\x25\xa0\x02\x74\xba\x01\xf8\x00\x03\xb0\x00\xfe\xf0\xc4\x0b\xff\x20\xb9\x61\x75\xc8\xd7\xff\x20\x3f\xe4\x07\xfc\x80\xff\xf8\xf2\x00\x00\x00x")

// frame builds a key frame of w×h with first partition first, then the
// sizes of all token partitions but the last, then data bytes.
func frame(w, h int, first []byte, sizes []int, data int) []byte {
	tag := uint32(len(first))<<5 | 1<<4 // key frame, version 0, shown
	b := []byte{byte(tag), byte(tag >> 8), byte(tag >> 16), 0x9d, 0x01, 0x2a}
	b = binary.LittleEndian.AppendUint16(b, uint16(w))
	b = binary.LittleEndian.AppendUint16(b, uint16(h))
	b = append(b, first...)
	for _, n := range sizes {
		b = append(b, byte(n), byte(n>>8), byte(n>>16))
	}
	return append(b, make([]byte, data)...)
}

func TestDecodeFrameHeader(t *testing.T) {
	set := func(b []byte, i int, c byte) []byte {
		b = bytes.Clone(b)
		b[i] = c
		return b
	}
	four := firstPartition(header{log2Parts: 2})
	tests := []struct {
		name   string
		in     []byte
		want   FrameHeader
		reason string
		offset int64
	}{
		{"fake", fakeVP8, FrameHeader{Width: 1, Height: 1, FirstPartitionLen: 14, Partitions: 1}, "", 0},
		{"four partitions", frame(640, 480|1<<14, four, []int{2, 0, 3}, 6),
			FrameHeader{Width: 640, Height: 480, FirstPartitionLen: len(four), Partitions: 4}, "", 0},
		{"first partition past the chunk", set(fakeVP8, 1, 0x40), FrameHeader{}, "first partition of 518 bytes, 39 in the chunk", 0},
		{"not a key frame", set(fakeVP8, 0, 0xd1), FrameHeader{}, "not a key frame", 0},
		{"version 4", set(fakeVP8, 0, 0xd8), FrameHeader{}, "version 4", 0},
		{"not shown", set(fakeVP8, 0, 0xc0), FrameHeader{}, "frame not to be shown", 0},
		{"start code", set(fakeVP8, 3, 0), FrameHeader{}, "no start code", 3},
		{"empty frame", set(fakeVP8, 6, 0), FrameHeader{}, "frame size 0x1", 6},
		{"too short", fakeVP8[:9], FrameHeader{}, "9 bytes, too few for a frame header", 0},
		{"no last partition", fakeVP8[:10+14], FrameHeader{}, "no data for the last token partition", 24},
		{"header past the first partition", frame(1, 1, four[:1], nil, 1), FrameHeader{}, "frame header runs past the first partition", 11},
		{"no room for sizes", frame(1, 1, four, nil, 8)[:10+len(four)+8], FrameHeader{}, "4 token partitions, no room for their sizes", int64(10 + len(four))},
		{"token partition too large", frame(1, 1, four, []int{2, 9, 1}, 6), FrameHeader{}, "token partition 1 of 9 bytes, 4 left in the chunk", int64(10 + len(four) + 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeFrameHeader(tt.in)
			var e *Error
			switch {
			case tt.reason == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.reason == "" && got != tt.want:
				t.Errorf("got %+v, want %+v", got, tt.want)
			case tt.reason == "":
			case !errors.As(err, &e):
				t.Errorf("error %v, want an *Error", err)
			case e.Reason != tt.reason || e.Offset != tt.offset:
				t.Errorf("error %q at offset %d, want %q at %d", e.Reason, e.Offset, tt.reason, tt.offset)
			}
		})
	}
}

// sampleVP8 returns the VP8 bitstream of testdata's lossy WebP file.
func sampleVP8(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pillow__flower2.webp"))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte("VP8 "))
	if i < 0 || i+8 > len(b) {
		t.Fatal("no VP8 chunk in pillow__flower2.webp")
	}
	n := int(binary.LittleEndian.Uint32(b[i+4:]))
	return b[i+8 : min(len(b), i+8+n)]
}

// TestDecodeFrameHeaderTruncated checks a real frame, and every shorter
// piece of it: errors carry offsets within the bytes, and what is too
// short for its partitions is refused.
func TestDecodeFrameHeaderTruncated(t *testing.T) {
	b := sampleVP8(t)
	h, err := DecodeFrameHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	if h.Width != 300 || h.Height != 225 {
		t.Errorf("size %dx%d, want 300x225", h.Width, h.Height)
	}
	for n := 0; n < len(b); n++ {
		_, err := DecodeFrameHeader(b[:n])
		var e *Error
		switch {
		case n <= 10+h.FirstPartitionLen && err == nil:
			t.Fatalf("%d bytes: no error", n)
		case err != nil && !errors.As(err, &e):
			t.Fatalf("%d bytes: error %v, not an *Error", n, err)
		case e != nil && (e.Offset < 0 || e.Offset > int64(n)):
			t.Fatalf("%d bytes: error at offset %d", n, e.Offset)
		}
	}
}

func TestCheckLosslessHeader(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"\x2f\x00\x00\x00\x00lossless", ""},
		{"\x2f\x00\x00\x00", "VP8L bitstream of 4 bytes"},
		{"\x2e\x00\x00\x00\x00", "VP8L signature 0x2e"},
		{"\x2f\x00\x00\x00\x20", "VP8L version 1"},
		{"\x2f\x00\x00\x00\x10", ""}, // alpha_is_used
	}
	for _, tt := range tests {
		err := CheckLosslessHeader([]byte(tt.in))
		var e *Error
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: error %v", tt.in, err)
		case tt.want == "":
		case !errors.As(err, &e) || e.Reason != tt.want:
			t.Errorf("%q: error %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestCheckAlpha(t *testing.T) {
	tests := []struct {
		name string
		in   string
		w, h int
		n    int
		want string
	}{
		{"raw, exact", "\x00abcdef", 2, 3, 7, ""},
		{"raw, bytes after", "\x00abcdefXYZ", 2, 3, 7, ""},
		{"raw, pre-processed", "\x10abcdef", 3, 2, 7, ""},
		{"lossless", "\x01compressed", 100, 100, 11, ""},
		{"raw, too short", "\x00abc", 2, 3, 0, "raw ALPH of 3 bytes for a 2x3 frame"},
		{"empty", "", 1, 1, 0, "empty ALPH chunk"},
		{"reserved bits", "\x40a", 1, 1, 0, "ALPH reserved bits 1"},
		{"pre-processing", "\x20a", 1, 1, 0, "ALPH pre-processing 2"},
		{"compression method", "\x02a", 1, 1, 0, "ALPH compression method 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := CheckAlpha([]byte(tt.in), tt.w, tt.h)
			var e *Error
			switch {
			case tt.want == "" && (err != nil || n != tt.n):
				t.Errorf("got %d, %v; want %d", n, err, tt.n)
			case tt.want == "":
			case !errors.As(err, &e) || e.Reason != tt.want:
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// lossyFrames returns the VP8 bitstreams of testdata's lossy WebP file and
// of the corpus's (EXIFSCRUB_CORPUS), by file name.
func lossyFrames(t testing.TB) map[string][]byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "*.webp"))
	if dir := os.Getenv("EXIFSCRUB_CORPUS"); dir != "" {
		more, _ := filepath.Glob(filepath.Join(dir, "*.webp"))
		files = append(files, more...)
	}
	frames := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(b, []byte("VP8 "))
		if i < 0 || i+8 > len(b) {
			continue // lossless
		}
		n := int(binary.LittleEndian.Uint32(b[i+4:]))
		frames[filepath.Base(f)] = b[i+8 : min(len(b), i+8+n)]
	}
	return frames
}

// TestFrameEnd checks that real frames end where their encoder's last
// bytes are (libwebp writes 1 to 3 bytes past what decoders read), that
// bytes appended do not move the end, and that the frame cut there has
// the same end; and that every shorter piece is an error or ends within.
func TestFrameEnd(t *testing.T) {
	for name, b := range lossyFrames(t) {
		t.Run(name, func(t *testing.T) {
			n, err := FrameEnd(b)
			if err != nil {
				t.Fatal(err)
			}
			if n > len(b) || len(b)-n > 3 {
				t.Errorf("end %d of %d bytes, want 0 to 3 before the end", n, len(b))
			}
			for _, junk := range []string{"\x00", "GPS 51.5007N 0.1246W", strings.Repeat("\xff", 100)} {
				if got, err := FrameEnd(append(bytes.Clone(b), junk...)); got != n || err != nil {
					t.Errorf("%d bytes appended: end %d, %v; want %d", len(junk), got, err, n)
				}
			}
			if got, err := FrameEnd(b[:n]); got != n || err != nil {
				t.Errorf("cut at %d: end %d, %v", n, got, err)
			}
			if _, err := FrameEnd(b[:n-1]); err == nil {
				t.Errorf("cut at %d: no error", n-1)
			}
		})
	}
	tests := []struct {
		name   string
		in     []byte
		reason string
	}{
		{"fake", fakeVP8, ""},
		{"header only", frame(16, 16, firstPartition(header{}), nil, 1), "token partition 0 ends in macroblock (0, 0)"},
		{"bad frame header", fakeVP8[:9], "9 bytes, too few for a frame header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := FrameEnd(tt.in)
			var e *Error
			switch {
			case tt.reason == "" && (err != nil || n > len(tt.in)):
				t.Errorf("got %d, %v", n, err)
			case tt.reason == "":
			case !errors.As(err, &e) || e.Reason != tt.reason:
				t.Errorf("error %v, want %q", err, tt.reason)
			}
		})
	}
}

// BenchmarkFrameEnd walks the largest lossy frame at hand.
func BenchmarkFrameEnd(b *testing.B) {
	var frame []byte
	for _, f := range lossyFrames(b) {
		if len(f) > len(frame) {
			frame = f
		}
	}
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if _, err := FrameEnd(frame); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzVP8 checks that the four checks never panic, that their errors are
// *Error values with offsets within the input, and that what they accept
// fits in it; and that a frame cut at its FrameEnd ends there too.
func FuzzVP8(f *testing.F) {
	f.Add(sampleVP8(f))
	f.Add(fakeVP8)
	f.Add(frame(16, 16, firstPartition(header{true, true, true, true, true, 3}), []int{1, 2, 3, 4, 5, 6, 7}, 8))
	f.Add([]byte("\x2f\x00\x00\x00\x00lossless"))
	f.Add([]byte("\x00" + strings.Repeat("a", 16)))
	f.Fuzz(func(t *testing.T, b []byte) {
		check := func(what string, err error) {
			t.Helper()
			var e *Error
			switch {
			case err == nil:
			case !errors.As(err, &e):
				t.Fatalf("%s: error %v is not an *Error", what, err)
			case e.Offset < 0 || e.Offset > int64(len(b)):
				t.Fatalf("%s: error at offset %d of %d bytes", what, e.Offset, len(b))
			}
		}
		h, err := DecodeFrameHeader(b)
		check("DecodeFrameHeader", err)
		if err == nil {
			switch {
			case h.Width <= 0 || h.Height <= 0 || h.Width > 0x3fff || h.Height > 0x3fff:
				t.Fatalf("frame size %dx%d", h.Width, h.Height)
			case h.Partitions != 1 && h.Partitions != 2 && h.Partitions != 4 && h.Partitions != 8:
				t.Fatalf("%d partitions", h.Partitions)
			case 10+h.FirstPartitionLen+3*(h.Partitions-1) >= len(b):
				t.Fatalf("partitions of %d+%d bytes in %d", h.FirstPartitionLen, 3*(h.Partitions-1), len(b))
			}
		} else {
			h.Width, h.Height = 4, 4
		}
		end, err := FrameEnd(b)
		check("FrameEnd", err)
		if err == nil {
			switch again, err := FrameEnd(b[:end]); {
			case end < 1 || end > len(b):
				t.Fatalf("FrameEnd: %d of %d bytes", end, len(b))
			case again != end || err != nil:
				t.Fatalf("FrameEnd: %d of %d bytes, then %d, %v", end, len(b), again, err)
			}
		}
		check("CheckLosslessHeader", CheckLosslessHeader(b))
		n, err := CheckAlpha(b, h.Width, h.Height)
		check("CheckAlpha", err)
		if err == nil && (n < 1 || n > len(b)) {
			t.Fatalf("CheckAlpha: %d bytes of %d", n, len(b))
		}
	})
}
