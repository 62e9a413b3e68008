// Package bmff reads and writes the boxes of the ISO base media file format
// (ISO/IEC 14496-12), the building blocks of HEIF, AVIF, MP4 and, as
// "atoms", QuickTime: in memory, with every size checked against what its
// parent holds before anything is sliced.
//
// ISO/IEC 14496-12 §4.2: a box is a 32-bit big-endian size (header
// included), a four-character type, and a payload. A size of 1 means a
// 64-bit "largesize" follows the type; a size of 0 means the box extends to
// the end of the file, which only the last top-level box may do. A box of
// type 'uuid' has a 16-byte extended type after the header. A FullBox
// starts its payload with an 8-bit version and 24 bits of flags.
//
// A [Reader] walks the boxes laid end to end in a byte slice, a [Cursor]
// reads the fields of one box's payload with a sticky error, and a [Writer]
// builds boxes whose sizes it patches once their payload is written. Their
// errors are [*Error] values that carry the file offset of the problem.
//
// The package knows the layout of a box, not what any box means (beyond a
// 'uuid' box's extended type and a 'hdlr' box's fields): what to keep
// of HEIF and QuickTime files is the caller's business. It reads only what
// is in memory: no io.Reader, no streaming of large 'mdat' payloads.
package bmff

import (
	"encoding/binary"
	"fmt"
	"io"
	"iter"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A FourCC is a box, item, property or reference type.
type FourCC [4]byte

// String returns t as it is printed in messages and reports: invalid UTF-8
// as '?', tabs and line breaks as spaces, other control characters (C0,
// DEL and C1) as \xNN, and no surrounding space. It is the rule the
// exifscrub package applies to every value it reports, for four bytes.
func (t FourCC) String() string {
	var b []byte
	for _, r := range strings.ToValidUTF8(string(t[:]), "?") {
		if r == '\t' || r == '\n' || r == '\r' {
			r = ' '
		}
		if unicode.IsControl(r) {
			b = fmt.Appendf(b, `\x%02x`, r)
		} else {
			b = utf8.AppendRune(b, r)
		}
	}
	return strings.TrimSpace(string(b))
}

// Box types of ISO/IEC 14496-12 that HEIF and QuickTime files share, as
// variables because Go has no array constants; nothing assigns to them.
var (
	BoxFtyp = FourCC{'f', 't', 'y', 'p'} // §4.3 file type
	BoxMeta = FourCC{'m', 'e', 't', 'a'} // §8.11.1 metadata container
	BoxMdat = FourCC{'m', 'd', 'a', 't'} // §8.1.1 media data
	BoxFree = FourCC{'f', 'r', 'e', 'e'} // §8.1.2 free space
	BoxSkip = FourCC{'s', 'k', 'i', 'p'} // §8.1.2 free space
	BoxUUID = FourCC{'u', 'u', 'i', 'd'} // §4.2 user extension
	BoxMoov = FourCC{'m', 'o', 'o', 'v'} // §8.2.1 movie
	BoxMoof = FourCC{'m', 'o', 'o', 'f'} // §8.8.4 movie fragment
	BoxMfra = FourCC{'m', 'f', 'r', 'a'} // §8.8.9 movie fragment random access
	BoxHdlr = FourCC{'h', 'd', 'l', 'r'} // §8.4.3 handler reference
	BoxDinf = FourCC{'d', 'i', 'n', 'f'} // §8.7.1 data information
	BoxDref = FourCC{'d', 'r', 'e', 'f'} // §8.7.2 data reference
)

// An Error is a problem found at an offset of an ISO-BMFF file. The
// exifscrub package turns it into a *FormatError for its caller.
type Error struct {
	Offset int64  // file offset of the problem
	Reason string // what is wrong there
	Err    error  // io.ErrUnexpectedEOF, a sentinel of the caller's (ErrorAt) or nil
}

func (e *Error) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Reason) }
func (e *Error) Unwrap() error { return e.Err }

// ErrorAt returns an *Error at file offset off, wrapping err (which may be
// nil), with a reason formatted as fmt.Sprintf does.
func ErrorAt(off int64, err error, format string, args ...any) *Error {
	return &Error{Offset: off, Reason: fmt.Sprintf(format, args...), Err: err}
}

// A Box is one box read from memory. Its payload aliases the input.
type Box struct {
	Type      FourCC
	Offset    int64    // file offset of the header
	HeaderLen int      // 8, 16 with a largesize, +16 for a 'uuid' extended type
	UserType  [16]byte // the extended type of a 'uuid' box
	Payload   []byte
}

// End is the file offset just after the box.
func (b *Box) End() int64 { return b.PayloadOffset() + int64(len(b.Payload)) }

// PayloadOffset is the file offset of the payload.
func (b *Box) PayloadOffset() int64 { return b.Offset + int64(b.HeaderLen) }

// A Reader reads the boxes laid end to end in b, which is the whole
// file or the payload of a container box. Every size is checked against
// what b holds before anything is sliced.
type Reader struct {
	b    []byte
	base int64 // file offset of b[0]
	pos  int
	top  bool // b is the file, so a size of 0 means "to the end"
	err  error
}

// NewReader returns a Reader of the boxes in b, whose first byte is at file
// offset base; top says b runs to the end of the file.
func NewReader(b []byte, base int64, top bool) *Reader {
	return &Reader{b: b, base: base, top: top}
}

// All returns an iterator over the boxes that Next returns: the loop ends
// at the end of b or on an error, which Err then returns.
func (r *Reader) All() iter.Seq[Box] {
	return func(yield func(Box) bool) {
		for {
			b, ok := r.Next()
			if !ok || !yield(b) {
				return
			}
		}
	}
}

// Next returns the next box. It returns false at the end of b or on an
// error, which Err then returns.
func (r *Reader) Next() (Box, bool) {
	if r.err != nil || r.pos == len(r.b) {
		return Box{}, false
	}
	off := r.base + int64(r.pos)
	rest := r.b[r.pos:]
	if len(rest) < 8 {
		r.err = ErrorAt(off, io.ErrUnexpectedEOF, "box header truncated (%d bytes left)", len(rest))
		return Box{}, false
	}
	bx := Box{Offset: off, HeaderLen: 8}
	copy(bx.Type[:], rest[4:8])
	// Box sizes are compared as uint64: a largesize can exceed any int.
	size := uint64(binary.BigEndian.Uint32(rest))
	switch size {
	case 1:
		if len(rest) < 16 {
			r.err = ErrorAt(off, io.ErrUnexpectedEOF, "box %q largesize truncated", bx.Type)
			return Box{}, false
		}
		size = binary.BigEndian.Uint64(rest[8:])
		bx.HeaderLen = 16
	case 0:
		if !r.top {
			r.err = ErrorAt(off, nil, "box %q inside another box has size 0", bx.Type)
			return Box{}, false
		}
		size = uint64(len(rest))
	}
	if bx.Type == BoxUUID {
		bx.HeaderLen += 16
	}
	switch {
	case size < uint64(bx.HeaderLen):
		r.err = ErrorAt(off, nil, "box %q size %d is smaller than its header", bx.Type, size)
		return Box{}, false
	case size > uint64(len(rest)):
		where := "its parent"
		if r.top {
			where = "the file"
		}
		r.err = ErrorAt(off, io.ErrUnexpectedEOF, "box %q size %d exceeds the %d bytes left in %s", bx.Type, size, len(rest), where)
		return Box{}, false
	}
	if bx.Type == BoxUUID {
		copy(bx.UserType[:], rest[bx.HeaderLen-16:bx.HeaderLen])
	}
	bx.Payload = rest[bx.HeaderLen:size]
	r.pos += int(size)
	return bx, true
}

// Err returns the error that ended the boxes, or nil at the end of b.
func (r *Reader) Err() error { return r.err }

// Rest returns the bytes not read yet: after an error, from the box that
// could not be read.
func (r *Reader) Rest() []byte { return r.b[r.pos:] }

// A Cursor reads the fields of one box's payload. A read past the end sets
// a sticky error and returns zeros, so a structure can be read field by
// field and the error checked once (archive/zip's readBuf does the same).
type Cursor struct {
	b    []byte
	pos  int
	base int64  // file offset of b[0]
	what string // the box being read, for error messages
	err  error
}

// HandlerType reads a 'hdlr' box's handler_type (ISO/IEC 14496-12
// §8.4.3: version and flags, pre_defined — QuickTime's component type —
// then handler_type), leaving c at the reserved words that follow.
func HandlerType(c *Cursor) (FourCC, error) {
	c.FullBox()
	c.U32() // pre_defined
	t := c.FourCC()
	return t, c.err
}

// NewCursor returns a Cursor at the start of bx's payload.
func NewCursor(bx Box) *Cursor {
	return &Cursor{b: bx.Payload, base: bx.PayloadOffset(), what: "box '" + bx.Type.String() + "'"}
}

// Offset is the file offset of the next byte.
func (c *Cursor) Offset() int64 { return c.base + int64(c.pos) }

// Left is how many bytes are left.
func (c *Cursor) Left() int { return len(c.b) - c.pos }

// Rest returns the bytes left, without reading them.
func (c *Cursor) Rest() []byte { return c.b[c.pos:] }

// Err returns the first error, or nil.
func (c *Cursor) Err() error { return c.err }

// What names the box being read, for messages: "box 'ftyp'".
func (c *Cursor) What() string { return c.what }

// Fail records the first error, at the offset of the next byte, with a
// reason formatted as fmt.Sprintf does after the box's name.
func (c *Cursor) Fail(err error, format string, args ...any) {
	if c.err == nil {
		c.err = ErrorAt(c.Offset(), err, c.what+": "+format, args...)
	}
}

// Take returns the next n bytes, or nil after setting the error.
func (c *Cursor) Take(n int) []byte {
	if c.err != nil {
		return nil
	}
	if n < 0 || n > c.Left() {
		c.Fail(io.ErrUnexpectedEOF, "truncated")
		return nil
	}
	b := c.b[c.pos : c.pos+n]
	c.pos += n
	return b
}

// U8, U16, U32 and U64 read big-endian integers.
func (c *Cursor) U8() uint8 {
	if b := c.Take(1); b != nil {
		return b[0]
	}
	return 0
}

func (c *Cursor) U16() uint16 {
	if b := c.Take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (c *Cursor) U32() uint32 {
	if b := c.Take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (c *Cursor) U64() uint64 {
	if b := c.Take(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

// UintN reads an n-byte big-endian integer, n from 0 to 8; 0 bytes read
// as 0, as ISO/IEC 14496-12 §8.11.3 specifies for iloc fields of size 0.
func (c *Cursor) UintN(n int) uint64 {
	var v uint64
	for _, x := range c.Take(n) {
		v = v<<8 | uint64(x)
	}
	return v
}

// FourCC reads a four-character code.
func (c *Cursor) FourCC() FourCC {
	var t FourCC
	copy(t[:], c.Take(4))
	return t
}

// FullBox reads the version and flags of a FullBox (14496-12 §4.2).
func (c *Cursor) FullBox() (version uint8, flags uint32) {
	v := c.U32()
	return uint8(v >> 24), v & 0xffffff
}

// UTF8String reads a NUL-terminated UTF-8 string (14496-12 §4.2
// "utf8string").
// Writers often leave the NUL off the last string of a box, so the end of
// the payload also ends a string.
func (c *Cursor) UTF8String() string {
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

// A Writer builds boxes in memory. Start writes a header with a
// placeholder size that End patches once the payload is written, in the
// manner of abema/go-mp4's StartBox and EndBox. The zero value is an empty
// Writer.
type Writer struct {
	b    []byte
	open []int // offsets of the headers of unfinished boxes
	err  error
}

// Start opens a box of type t.
func (w *Writer) Start(t FourCC) {
	w.open = append(w.open, len(w.b))
	w.b = append(w.b, 0, 0, 0, 0)
	w.b = append(w.b, t[:]...)
}

// StartFull opens a FullBox.
func (w *Writer) StartFull(t FourCC, version uint8, flags uint32) {
	w.Start(t)
	w.U32(uint32(version)<<24 | flags&0xffffff)
}

// End closes the innermost open box by patching its size. Boxes built
// here carry metadata indexes, far below the 4 GiB a 32-bit size holds;
// a larger one is an error rather than a silently wrong size.
func (w *Writer) End() {
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

// Bytes returns what has been written. It aliases the Writer's buffer until
// the next write.
func (w *Writer) Bytes() []byte { return w.b }

// Len is how many bytes have been written.
func (w *Writer) Len() int { return len(w.b) }

// Truncate discards all but the first n bytes written.
func (w *Writer) Truncate(n int) { w.b = w.b[:n] }

// Err returns the first error, or nil: a box too large for a 32-bit size.
func (w *Writer) Err() error { return w.err }

// U8, U16, U32 and U64 write big-endian integers, and Append bytes.
func (w *Writer) U8(v uint8)   { w.b = append(w.b, v) }
func (w *Writer) U16(v uint16) { w.b = binary.BigEndian.AppendUint16(w.b, v) }
func (w *Writer) U32(v uint32) { w.b = binary.BigEndian.AppendUint32(w.b, v) }
func (w *Writer) U64(v uint64) { w.b = binary.BigEndian.AppendUint64(w.b, v) }
func (w *Writer) Append(p []byte) {
	w.b = append(w.b, p...)
}

// UintN writes v as an n-byte big-endian integer, n from 0 to 8.
func (w *Writer) UintN(n int, v uint64) {
	for i := n - 1; i >= 0; i-- {
		w.b = append(w.b, byte(v>>(8*i)))
	}
}

// PutUintN overwrites the n-byte integer at offset at.
func (w *Writer) PutUintN(at, n int, v uint64) {
	for i := n - 1; i >= 0; i-- {
		w.b[at+i] = byte(v)
		v >>= 8
	}
}

// Header writes a complete box header for a payload of n bytes, with a
// largesize when the compact size cannot hold it.
func (w *Writer) Header(t FourCC, usertype *[16]byte, n uint64) {
	hdr := uint64(8)
	if usertype != nil {
		hdr += 16
	}
	if n+hdr > math.MaxUint32 {
		w.U32(1)
		w.Append(t[:])
		w.U64(n + hdr + 8)
	} else {
		w.U32(uint32(n + hdr))
		w.Append(t[:])
	}
	if usertype != nil {
		w.Append(usertype[:])
	}
}

// WriteHdlr writes a 'hdlr' box (ISO/IEC 14496-12 §8.4.3) of version 0
// and flags 0: pre_defined (QuickTime's component type), handler_type,
// three reserved words of zeros (QuickTime's manufacturer and flags), and
// name, the name's bytes as they are laid out (NUL-terminated in ISO
// files, a Pascal string in QuickTime ones); an empty name is written as
// one NUL byte, which both read as empty.
func (w *Writer) WriteHdlr(preDefined uint32, handler FourCC, name []byte) {
	w.StartFull(BoxHdlr, 0, 0)
	w.U32(preDefined)
	w.Append(handler[:])
	w.Append(make([]byte, 12))
	if len(name) == 0 {
		w.U8(0)
	}
	w.Append(name)
	w.End()
}

// CopyBox writes a box read by a Reader with its payload unchanged. The
// header is written afresh in its shortest form: a box that had size 0
// ("to the end of the file") would mean something else in a new place.
func (w *Writer) CopyBox(bx Box) {
	var ut *[16]byte
	if bx.Type == BoxUUID {
		ut = &bx.UserType
	}
	w.Header(bx.Type, ut, uint64(len(bx.Payload)))
	w.Append(bx.Payload)
}
