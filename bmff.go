package exifscrub

import (
	"encoding/binary"
	"fmt"
	"io"
	"iter"
	"math"
	"strings"
)

// ISO base media file format (ISO/IEC 14496-12) boxes, the building blocks
// of HEIF and AVIF. This file reads and writes boxes in memory; heic.go
// knows what the HEIF boxes mean.
//
// ISO/IEC 14496-12 §4.2: a box is a 32-bit big-endian size (header
// included), a four-character type, and a payload. A size of 1 means a
// 64-bit "largesize" follows the type; a size of 0 means the box extends to
// the end of the file, which only the last top-level box may do. A box of
// type 'uuid' has a 16-byte extended type after the header. A FullBox
// starts its payload with an 8-bit version and 24 bits of flags.

// A fourCC is a box, item, property or reference type.
type fourCC [4]byte

func (t fourCC) String() string { return printable(strings.ToValidUTF8(string(t[:]), "?")) }

// Box types (ISO/IEC 14496-12 §8 and ISO/IEC 23008-12 §9), as variables
// because Go has no array constants; nothing assigns to them.
var (
	boxFtyp = fourCC{'f', 't', 'y', 'p'} // 14496-12 §4.3 file type
	boxMeta = fourCC{'m', 'e', 't', 'a'} // §8.11.1 metadata container
	boxMdat = fourCC{'m', 'd', 'a', 't'} // §8.1.1 media data
	boxFree = fourCC{'f', 'r', 'e', 'e'} // §8.1.2 free space
	boxSkip = fourCC{'s', 'k', 'i', 'p'} // §8.1.2 free space
	boxUUID = fourCC{'u', 'u', 'i', 'd'} // §4.2 user extension
	boxMoov = fourCC{'m', 'o', 'o', 'v'} // §8.2.1 movie: an image sequence
	boxMoof = fourCC{'m', 'o', 'o', 'f'} // §8.8.4 movie fragment
	boxMfra = fourCC{'m', 'f', 'r', 'a'} // §8.8.9 movie fragment random access
	boxHdlr = fourCC{'h', 'd', 'l', 'r'} // §8.4.3 handler reference
	boxPitm = fourCC{'p', 'i', 't', 'm'} // §8.11.4 primary item
	boxIloc = fourCC{'i', 'l', 'o', 'c'} // §8.11.3 item location
	boxIinf = fourCC{'i', 'i', 'n', 'f'} // §8.11.6 item information
	boxInfe = fourCC{'i', 'n', 'f', 'e'} // §8.11.6 item information entry
	boxIref = fourCC{'i', 'r', 'e', 'f'} // §8.11.12 item reference
	boxIdat = fourCC{'i', 'd', 'a', 't'} // §8.11.11 item data
	boxIpro = fourCC{'i', 'p', 'r', 'o'} // §8.11.5 item protection
	boxDinf = fourCC{'d', 'i', 'n', 'f'} // §8.7.1 data information
	boxDref = fourCC{'d', 'r', 'e', 'f'} // §8.7.2 data reference
	boxURL  = fourCC{'u', 'r', 'l', ' '} // §8.7.2 data entry URL
	boxURN  = fourCC{'u', 'r', 'n', ' '} // §8.7.2 data entry URN
	boxGrpl = fourCC{'g', 'r', 'p', 'l'} // §8.18.3 groups list
	boxIprp = fourCC{'i', 'p', 'r', 'p'} // 23008-12 §9.3 item properties
	boxIpco = fourCC{'i', 'p', 'c', 'o'} // 23008-12 §9.3 property container
	boxIpma = fourCC{'i', 'p', 'm', 'a'} // 23008-12 §9.3 property association
)

// A bmffError is a problem found at an offset of an ISO-BMFF file. heic.go
// turns it into a *FormatError for the caller.
type bmffError struct {
	off    int64
	reason string
	err    error // io.ErrUnexpectedEOF, ErrUnsupportedFeature or nil
}

func (e *bmffError) Error() string { return fmt.Sprintf("offset %d: %s", e.off, e.reason) }
func (e *bmffError) Unwrap() error { return e.err }

func errorAt(off int64, err error, format string, args ...any) *bmffError {
	return &bmffError{off: off, reason: fmt.Sprintf(format, args...), err: err}
}

// A box is one box read from memory. Its payload aliases the input.
type box struct {
	typ      fourCC
	off      int64    // file offset of the header
	hdrLen   int      // 8, 16 with a largesize, +16 for a 'uuid' extended type
	usertype [16]byte // the extended type of a 'uuid' box
	payload  []byte
}

// end is the file offset just after the box.
func (b *box) end() int64 { return b.payloadOff() + int64(len(b.payload)) }

// payloadOff is the file offset of the payload.
func (b *box) payloadOff() int64 { return b.off + int64(b.hdrLen) }

// A boxReader reads the boxes laid end to end in b, which is the whole
// file or the payload of a container box. Every size is checked against
// what b holds before anything is sliced.
type boxReader struct {
	b    []byte
	base int64 // file offset of b[0]
	pos  int
	top  bool // b is the file, so a size of 0 means "to the end"
	err  error
}

func newBoxReader(b []byte, base int64, top bool) *boxReader {
	return &boxReader{b: b, base: base, top: top}
}

// all returns an iterator over the boxes that next returns: the loop ends
// at the end of b or on an error, which err then holds.
func (r *boxReader) all() iter.Seq[box] {
	return func(yield func(box) bool) {
		for {
			b, ok := r.next()
			if !ok || !yield(b) {
				return
			}
		}
	}
}

// next returns the next box. It returns false at the end of b or on an
// error, which err then holds.
func (r *boxReader) next() (box, bool) {
	if r.err != nil || r.pos == len(r.b) {
		return box{}, false
	}
	off := r.base + int64(r.pos)
	rest := r.b[r.pos:]
	if len(rest) < 8 {
		r.err = errorAt(off, io.ErrUnexpectedEOF, "box header truncated (%d bytes left)", len(rest))
		return box{}, false
	}
	bx := box{off: off, hdrLen: 8}
	copy(bx.typ[:], rest[4:8])
	// Box sizes are compared as uint64: a largesize can exceed any int.
	size := uint64(binary.BigEndian.Uint32(rest))
	switch size {
	case 1:
		if len(rest) < 16 {
			r.err = errorAt(off, io.ErrUnexpectedEOF, "box %q largesize truncated", bx.typ)
			return box{}, false
		}
		size = binary.BigEndian.Uint64(rest[8:])
		bx.hdrLen = 16
	case 0:
		if !r.top {
			r.err = errorAt(off, nil, "box %q inside another box has size 0", bx.typ)
			return box{}, false
		}
		size = uint64(len(rest))
	}
	if bx.typ == boxUUID {
		bx.hdrLen += 16
	}
	switch {
	case size < uint64(bx.hdrLen):
		r.err = errorAt(off, nil, "box %q size %d is smaller than its header", bx.typ, size)
		return box{}, false
	case size > uint64(len(rest)):
		where := "its parent"
		if r.top {
			where = "the file"
		}
		r.err = errorAt(off, io.ErrUnexpectedEOF, "box %q size %d exceeds the %d bytes left in %s", bx.typ, size, len(rest), where)
		return box{}, false
	}
	if bx.typ == boxUUID {
		copy(bx.usertype[:], rest[bx.hdrLen-16:bx.hdrLen])
	}
	bx.payload = rest[bx.hdrLen:size]
	r.pos += int(size)
	return bx, true
}

// A cursor reads the fields of one box's payload. A read past the end sets
// a sticky error and returns zeros, so a structure can be read field by
// field and the error checked once (archive/zip's readBuf does the same).
type cursor struct {
	b    []byte
	pos  int
	base int64  // file offset of b[0]
	what string // the box being read, for error messages
	err  error
}

// handlerType reads a 'hdlr' box's handler_type (ISO/IEC 14496-12
// §8.4.3: version and flags, pre_defined — QuickTime's component type —
// then handler_type), leaving c at the reserved words that follow.
func handlerType(c *cursor) (fourCC, error) {
	c.fullBox()
	c.u32() // pre_defined
	t := c.fourCC()
	return t, c.err
}

func newCursor(bx box) *cursor {
	return &cursor{b: bx.payload, base: bx.payloadOff(), what: "box '" + bx.typ.String() + "'"}
}

// off is the file offset of the next byte.
func (c *cursor) off() int64 { return c.base + int64(c.pos) }

// left is how many bytes are left.
func (c *cursor) left() int { return len(c.b) - c.pos }

// fail records the first error.
func (c *cursor) fail(err error, format string, args ...any) {
	if c.err == nil {
		c.err = errorAt(c.off(), err, c.what+": "+format, args...)
	}
}

// take returns the next n bytes, or nil after setting the error.
func (c *cursor) take(n int) []byte {
	if c.err != nil {
		return nil
	}
	if n < 0 || n > c.left() {
		c.fail(io.ErrUnexpectedEOF, "truncated")
		return nil
	}
	b := c.b[c.pos : c.pos+n]
	c.pos += n
	return b
}

func (c *cursor) u8() uint8 {
	if b := c.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (c *cursor) u16() uint16 {
	if b := c.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (c *cursor) u32() uint32 {
	if b := c.take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (c *cursor) u64() uint64 {
	if b := c.take(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

// uintN reads an n-byte big-endian integer, n from 0 to 8; 0 bytes read
// as 0, as ISO/IEC 14496-12 §8.11.3 specifies for iloc fields of size 0.
func (c *cursor) uintN(n int) uint64 {
	var v uint64
	for _, x := range c.take(n) {
		v = v<<8 | uint64(x)
	}
	return v
}

func (c *cursor) fourCC() fourCC {
	var t fourCC
	copy(t[:], c.take(4))
	return t
}

// fullBox reads the version and flags of a FullBox (14496-12 §4.2).
func (c *cursor) fullBox() (version uint8, flags uint32) {
	v := c.u32()
	return uint8(v >> 24), v & 0xffffff
}

// str reads a NUL-terminated UTF-8 string (14496-12 §4.2 "utf8string").
// Writers often leave the NUL off the last string of a box, so the end of
// the payload also ends a string.
func (c *cursor) str() string {
	if c.err != nil {
		return ""
	}
	rest := c.b[c.pos:]
	for i, x := range rest {
		if x == 0 {
			c.pos += i + 1
			return string(rest[:i])
		}
	}
	c.pos = len(c.b)
	return string(rest)
}

// A boxWriter builds boxes in memory. start writes a header with a
// placeholder size that end patches once the payload is written, in the
// manner of abema/go-mp4's StartBox and EndBox.
type boxWriter struct {
	b    []byte
	open []int // offsets of the headers of unfinished boxes
	err  error
}

// start opens a box of type t.
func (w *boxWriter) start(t fourCC) {
	w.open = append(w.open, len(w.b))
	w.b = append(w.b, 0, 0, 0, 0)
	w.b = append(w.b, t[:]...)
}

// startFull opens a FullBox.
func (w *boxWriter) startFull(t fourCC, version uint8, flags uint32) {
	w.start(t)
	w.u32(uint32(version)<<24 | flags&0xffffff)
}

// end closes the innermost open box by patching its size. Boxes built
// here carry metadata indexes, far below the 4 GiB a 32-bit size holds;
// a larger one is an error rather than a silently wrong size.
func (w *boxWriter) end() {
	n := len(w.open) - 1
	at := w.open[n]
	w.open = w.open[:n]
	size := uint64(len(w.b) - at)
	if size > math.MaxUint32 {
		if w.err == nil {
			w.err = fmt.Errorf("box %q of %d bytes is too large to write", w.b[at+4:at+8], size)
		}
		return
	}
	binary.BigEndian.PutUint32(w.b[at:], uint32(size))
}

func (w *boxWriter) u8(v uint8)   { w.b = append(w.b, v) }
func (w *boxWriter) u16(v uint16) { w.b = binary.BigEndian.AppendUint16(w.b, v) }
func (w *boxWriter) u32(v uint32) { w.b = binary.BigEndian.AppendUint32(w.b, v) }
func (w *boxWriter) u64(v uint64) { w.b = binary.BigEndian.AppendUint64(w.b, v) }
func (w *boxWriter) bytes(p []byte) {
	w.b = append(w.b, p...)
}

// uintN writes v as an n-byte big-endian integer, n from 0 to 8.
func (w *boxWriter) uintN(n int, v uint64) {
	for i := n - 1; i >= 0; i-- {
		w.b = append(w.b, byte(v>>(8*i)))
	}
}

// putUintN overwrites the n-byte integer at offset at.
func (w *boxWriter) putUintN(at, n int, v uint64) {
	for i := n - 1; i >= 0; i-- {
		w.b[at+i] = byte(v)
		v >>= 8
	}
}

// header writes a complete box header for a payload of n bytes, with a
// largesize when the compact size cannot hold it.
func (w *boxWriter) header(t fourCC, usertype *[16]byte, n uint64) {
	hdr := uint64(8)
	if usertype != nil {
		hdr += 16
	}
	if n+hdr > math.MaxUint32 {
		w.u32(1)
		w.bytes(t[:])
		w.u64(n + hdr + 8)
	} else {
		w.u32(uint32(n + hdr))
		w.bytes(t[:])
	}
	if usertype != nil {
		w.bytes(usertype[:])
	}
}

// copyBox writes a box read by a boxReader with its payload unchanged. The
// header is written afresh in its shortest form: a box that had size 0
// ("to the end of the file") would mean something else in a new place.
func (w *boxWriter) copyBox(bx box) {
	var ut *[16]byte
	if bx.typ == boxUUID {
		ut = &bx.usertype
	}
	w.header(bx.typ, ut, uint64(len(bx.payload)))
	w.bytes(bx.payload)
}
