// Command joindata rewrites the data section of a WebAssembly module so
// that gzip compresses it better: it joins data segments that are fewer
// than maxGap zero bytes apart, writing the zeros between them. The memory the
// module starts with is the same, byte for byte; only its encoding
// changes. build.sh runs it on the module Go's linker writes:
//
//	go run ./joindata js/exifscrub.wasm
//
// Go's linker (cmd/link/internal/wasm, writeDataSec) starts a new data
// segment after every run of 8 or more zeros, which makes the module's
// raw size smallest: 55,000 segments for exifscrub. But each segment's
// header (WebAssembly Core Specification §5.5.14: a flag, an i32.const
// offset, an end, a length) differs from the last one's, and gzip
// compresses those headers far less well than it does the zeros they
// skip; joined, the gzipped module is 6% smaller (see docs/web.md).
package main

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"slices"
)

// maxGap is the shortest run of zeros left out: runs this long are rare
// (bss-like areas between the linker's sections) and costly raw.
const maxGap = 1024

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: joindata module.wasm")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "joindata:", err)
		os.Exit(1)
	}
}

func run(name string) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	out, err := join(b, maxGap)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return os.WriteFile(name, out, 0o644)
}

var errFormat = errors.New("not a module joindata reads")

// sectionData is the id of the data section (§5.5.14).
const sectionData = 11

// A segment is an active data segment of memory 0: data at offset.
type segment struct {
	offset uint32
	data   []byte
}

// join returns module with the segments of its data section that are
// fewer than gap zeros apart joined. It reads only what Go's linker
// writes: active segments of memory 0 whose offset is an i32.const, none
// overlapping another.
func join(module []byte, gap int) ([]byte, error) {
	if len(module) < 8 || string(module[:8]) != "\x00asm\x01\x00\x00\x00" {
		return nil, errFormat
	}
	out := append([]byte(nil), module[:8]...)
	r := reader{b: module[8:], ok: true}
	for r.ok && len(r.b) > 0 {
		id := r.byte()
		body := r.bytes(int(r.uleb()))
		if !r.ok {
			break
		}
		if id == sectionData {
			segs, err := readSegments(body)
			if err != nil {
				return nil, err
			}
			body = writeSegments(joinSegments(segs, gap))
		}
		out = append(out, id)
		out = appendUleb(out, uint64(len(body)))
		out = append(out, body...)
	}
	if !r.ok {
		return nil, errFormat
	}
	return out, nil
}

func readSegments(body []byte) ([]segment, error) {
	r := reader{b: body, ok: true}
	n := r.uleb()
	var segs []segment
	for i := uint64(0); i < n && r.ok; i++ {
		// Flag 0: active, memory 0; the offset is the constant expression
		// i32.const (0x41) n end (0x0b).
		if r.uleb() != 0 || r.byte() != 0x41 {
			return nil, errFormat
		}
		off := r.sleb()
		if r.byte() != 0x0b {
			return nil, errFormat
		}
		data := r.bytes(int(r.uleb()))
		if !r.ok || off < 0 || off > 1<<32-1-int64(len(data)) {
			return nil, errFormat
		}
		segs = append(segs, segment{uint32(off), data})
	}
	if !r.ok || len(r.b) != 0 {
		return nil, errFormat
	}
	// Go's linker writes its sections' segments in its own order, not in
	// that of their offsets. Active segments that do not overlap make the
	// same memory in any order (§4.5.4: each is copied in at
	// instantiation).
	slices.SortStableFunc(segs, func(a, b segment) int { return cmp.Compare(a.offset, b.offset) })
	for k := 1; k < len(segs); k++ {
		if uint64(segs[k-1].offset)+uint64(len(segs[k-1].data)) > uint64(segs[k].offset) {
			return nil, errFormat // overlapping
		}
	}
	return segs, nil
}

func joinSegments(segs []segment, gap int) []segment {
	var out []segment
	for _, s := range segs {
		if k := len(out); k > 0 {
			last := &out[k-1]
			if end := last.offset + uint32(len(last.data)); s.offset-end < uint32(gap) {
				last.data = append(last.data, make([]byte, s.offset-end)...)
				last.data = append(last.data, s.data...)
				continue
			}
		}
		out = append(out, segment{s.offset, append([]byte(nil), s.data...)})
	}
	return out
}

func writeSegments(segs []segment) []byte {
	b := appendUleb(nil, uint64(len(segs)))
	for _, s := range segs {
		b = append(b, 0, 0x41)
		b = appendSleb(b, int64(int32(s.offset)))
		b = append(b, 0x0b)
		b = appendUleb(b, uint64(len(s.data)))
		b = append(b, s.data...)
	}
	return b
}

// A reader reads a module's LEB128 numbers (§5.2.2) and bytes, with a
// sticky ok.
type reader struct {
	b  []byte
	ok bool
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.ok = false
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.ok = false
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}

// leb reads a LEB128 number and returns its bits and how many it read.
func (r *reader) leb() (v uint64, bits uint) {
	for bits < 64 {
		c := r.byte()
		v |= uint64(c&0x7f) << bits
		bits += 7
		if c < 0x80 {
			return v, bits
		}
	}
	r.ok = false
	return 0, 0
}

func (r *reader) uleb() uint64 {
	v, _ := r.leb()
	return v
}

// sleb reads a signed LEB128 number of 32 bits (an i32.const). Go's linker
// writes offsets below 2 GiB; an i32 offset is unsigned, so a negative one
// is read as such.
func (r *reader) sleb() int64 {
	v, bits := r.leb()
	if bits > 0 && bits < 64 && v&(1<<(bits-1)) != 0 {
		v |= ^uint64(0) << bits // the sign, extended
	}
	return int64(uint32(v))
}

func appendUleb(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendSleb(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 && c&0x40 == 0 || v == -1 && c&0x40 != 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
