// Package riff reads the chunks of a RIFF container held in memory, as
// WebP uses it (RFC 9649 §2.1–§2.4): a file header of "RIFF", a 4-byte
// little-endian size and a form type, then a list of chunks, each a FourCC,
// a 4-byte little-endian size and the payload, padded to an even length
// (§2.3). Some chunks (WebP's 'ANMF') hold a list of chunks in turn.
//
// A List walks one list of chunks: each chunk must fit in what is left of
// its parent, padding byte included, and nothing may be left over that is
// too short for a chunk header. Chunks are returned as plain values, their
// payload a slice of the bytes given and their offset counted from wherever
// the caller says the list starts, so that errors name file offsets. The
// errors are *Error values carrying that offset and a reason; after one the
// list is not read further.
//
// Its model is golang.org/x/image/riff, which reads the same structure
// from an io.Reader. This package does not read a file or check its
// header's size (the caller reads the bytes that size announces and knows
// the limits of its form), and it does not know what any chunk means.
package riff

import (
	"encoding/binary"
	"fmt"
)

// A FourCC names a chunk. RFC 9649 §2.2: "a uint32 created by
// concatenating four ASCII characters in little-endian order"; the first
// character is the low byte.
type FourCC uint32

// bytes returns the four characters in file order.
func (c FourCC) bytes() []byte { return binary.LittleEndian.AppendUint32(nil, uint32(c)) }

// String returns the four characters, quoted when they are not all
// printable ASCII.
func (c FourCC) String() string {
	b := c.bytes()
	for _, x := range b {
		if x < 0x20 || x > 0x7e {
			return fmt.Sprintf("%q", b)
		}
	}
	return string(b)
}

// Quoted returns the four characters quoted, for error messages, which
// must show the space in "VP8 ".
func (c FourCC) Quoted() string { return fmt.Sprintf("%q", c.bytes()) }

const (
	// HeaderSize is "RIFF", the size, and the form type (RFC 9649 §2.4).
	HeaderSize = 12
	// ChunkHeaderSize is a FourCC and a uint32 size (§2.3).
	ChunkHeaderSize = 8
)

// PutChunkHeader writes the header of a chunk with a payload of size
// bytes to b[:ChunkHeaderSize]. The padding byte after an odd payload is
// the caller's to write.
func PutChunkHeader(b []byte, id FourCC, size uint32) {
	binary.LittleEndian.PutUint32(b[:4], uint32(id))
	binary.LittleEndian.PutUint32(b[4:ChunkHeaderSize], size)
}

// An Error is a list of chunks that cannot be read. Offset is the offset
// of the chunk header where the problem was found, counted as the List's
// offsets are; Reason says what it is.
type Error struct {
	Offset int64
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("riff: %s (offset %d)", e.Reason, e.Offset) }

// A Chunk is one chunk of a list.
type Chunk struct {
	ID     FourCC
	Offset int64  // offset of the chunk header
	Data   []byte // the payload, without padding
}

// A List is a cursor over a list of chunks held in memory: the RIFF
// payload after the form type, or the payload of a chunk that holds
// chunks.
type List struct {
	b      []byte // what is left of the list
	off    int64  // offset of b[0]
	parent FourCC // "RIFF" or the chunk holding the list, for errors
}

// NewList returns a cursor over the chunks in b, the payload of the chunk
// (or RIFF file) parent, whose first byte is at offset off.
func NewList(parent FourCC, b []byte, off int64) *List {
	return &List{b: b, off: off, parent: parent}
}

// Offset returns the offset of the next chunk; at the end of the list, of
// the byte after it.
func (l *List) Offset() int64 { return l.off }

// Next returns the next chunk of l, or ok == false at its end. A chunk
// must fit in what is left of its parent, padding included.
func (l *List) Next() (c Chunk, ok bool, err error) {
	if len(l.b) == 0 {
		return c, false, nil
	}
	c.Offset = l.off
	if len(l.b) < ChunkHeaderSize {
		return c, false, l.errorf("%d bytes left in the %s chunk, too few for a chunk header", len(l.b), l.parent)
	}
	c.ID = FourCC(binary.LittleEndian.Uint32(l.b[:4]))
	size := uint64(binary.LittleEndian.Uint32(l.b[4:ChunkHeaderSize]))
	left := uint64(len(l.b)) - ChunkHeaderSize
	switch {
	case size > left:
		return c, false, l.errorf("chunk %s size %d exceeds the %d bytes left in the %s chunk", c.ID.Quoted(), size, left, l.parent)
	case size%2 == 1 && size == left:
		// RFC 9649 §2.3: "If Chunk Size is odd, a single padding byte
		// ... is added."
		return c, false, l.errorf("chunk %s has odd size %d but no padding byte", c.ID.Quoted(), size)
	}
	padded := size + size%2
	c.Data = l.b[ChunkHeaderSize : ChunkHeaderSize+size]
	l.b = l.b[ChunkHeaderSize+padded:]
	l.off += int64(ChunkHeaderSize + padded)
	return c, true, nil
}

// errorf returns an *Error at the chunk header l is at.
func (l *List) errorf(format string, a ...any) error {
	return &Error{Offset: l.off, Reason: fmt.Sprintf(format, a...)}
}
