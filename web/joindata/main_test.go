package main

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

// module is a WebAssembly module with a custom section (id 0), the data
// section of segs, in their order, and a code section (id 10) after it.
func module(segs []segment) []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	custom := []byte{4, 'n', 'a', 'm', 'e', 1, 2, 3}
	b = append(b, 0, byte(len(custom)))
	b = append(b, custom...)
	data := writeSegments(segs)
	b = append(b, sectionData)
	b = appendUleb(b, uint64(len(data)))
	b = append(b, data...)
	return append(b, 10, 3, 1, 1, 0x0b)
}

// memory is the memory that module's data segments make, and the sections
// of module other than its data section.
func memory(t *testing.T, module []byte) (mem, rest []byte) {
	t.Helper()
	r := reader{b: module[8:], ok: true}
	for r.ok && len(r.b) > 0 {
		id := r.byte()
		body := r.bytes(int(r.uleb()))
		if id != sectionData {
			rest = append(append(rest, id), body...)
			continue
		}
		segs, err := readSegments(body)
		if err != nil {
			t.Fatalf("readSegments: %v", err)
		}
		for _, s := range segs {
			if end := int(s.offset) + len(s.data); end > len(mem) {
				mem = append(mem, make([]byte, end-len(mem))...)
			}
			copy(mem[s.offset:], s.data)
		}
	}
	if !r.ok {
		t.Fatal("module truncated")
	}
	return mem, rest
}

// TestJoin joins the segments of random modules laid out as Go's linker
// lays them out (no zero runs of 8 bytes or more inside a segment, some
// sections out of order), and checks that the memory and the other
// sections stay the same and that no two segments are left less than
// maxGap apart.
func TestJoin(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		var segs []segment
		off := uint32(r.IntN(1 << 20))
		for range r.IntN(300) {
			data := make([]byte, 1+r.IntN(100))
			for k := range data {
				data[k] = byte(1 + r.IntN(255))
			}
			segs = append(segs, segment{off, data})
			gaps := []int{8, 9, 30, maxGap - 1, maxGap, 5000}
			off += uint32(len(data) + gaps[r.IntN(len(gaps))])
		}
		if len(segs) > 2 && i%2 == 0 {
			// The last third first, as the linker writes its later
			// sections at lower offsets.
			k := 2 * len(segs) / 3
			segs = append(segs[k:], segs[:k]...)
		}
		in := module(segs)
		out, err := join(in, maxGap)
		if err != nil {
			t.Fatalf("module %d: %v", i, err)
		}
		memIn, restIn := memory(t, in)
		memOut, restOut := memory(t, out)
		if !bytes.Equal(memIn, memOut) || !bytes.Equal(restIn, restOut) {
			t.Fatalf("module %d: memory or sections changed", i)
		}
		joined, _ := readSegments(sectionOf(out))
		for k := 1; k < len(joined); k++ {
			if gap := joined[k].offset - joined[k-1].offset - uint32(len(joined[k-1].data)); gap < maxGap {
				t.Fatalf("module %d: segments %d and %d left %d bytes apart", i, k-1, k, gap)
			}
		}
	}
}

func sectionOf(module []byte) []byte {
	r := reader{b: module[8:], ok: true}
	for r.ok && len(r.b) > 0 {
		id := r.byte()
		body := r.bytes(int(r.uleb()))
		if id == sectionData {
			return body
		}
	}
	return nil
}

// TestJoinRefuses checks that join refuses what it does not read.
func TestJoinRefuses(t *testing.T) {
	good := module([]segment{{16, []byte{1, 2}}, {100, []byte{3}}})
	overlapping := module([]segment{{16, []byte{1, 2, 3}}, {18, []byte{4}}})
	passive := append([]byte(nil), good...)
	passive[bytes.Index(passive, []byte{sectionData})+3] = 1 // the first segment's flag
	for name, m := range map[string][]byte{
		"not wasm":    []byte("\x7fELF\x02\x01\x01\x00"),
		"truncated":   good[:len(good)-2],
		"overlapping": overlapping,
		"passive":     passive,
	} {
		if _, err := join(m, maxGap); !errors.Is(err, errFormat) {
			t.Errorf("%s: err = %v, want errFormat", name, err)
		}
	}
	if _, err := join(good, maxGap); err != nil {
		t.Errorf("good: %v", err)
	}
}
