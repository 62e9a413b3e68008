package png

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"

	izlib "github.com/exifscrub/exifscrub/internal/zlib"
)

// The image data of a PNG is one zlib stream (RFC 1950, deflate RFC 1951)
// split across consecutive IDAT chunks (PNG Third Edition §10.1), and each
// APNG frame's data another, split across consecutive fdAT chunks after a
// 4-byte sequence number. A decoder stops at the stream's end, after the
// Adler-32 checksum: bytes after it, in the last chunk or in more chunks,
// would travel through a scrub as image data. A Stream decodes the stream
// as the chunks are copied, to find that end, and checks it as
// compress/zlib does, Adler-32 included (see internal/zlib).
//
// A chunk that fits in the input's buffer is held there until the stream
// has read it, so it can be cut: the compressed bytes are copied unchanged
// and only the chunk's length and CRC are rewritten. A longer chunk is
// copied in pieces as the stream reads them; if the stream ends before such
// a chunk does, the file is refused, since its length has been written.

// An Input is the buffered reader a Stream copies chunks from. Its errors
// other than io.EOF are returned as they are, inside an *Error.
type Input interface {
	// Peek returns the next n bytes, n at most the buffer's size, without
	// consuming them; a premature end is io.ErrUnexpectedEOF.
	Peek(n int) ([]byte, error)
	// Buffered returns what is buffered, reading more first if nothing
	// is; io.EOF at the end of the input.
	Buffered() ([]byte, error)
	// Consume discards n bytes known to be buffered.
	Consume(n int)
	// Offset is the offset of the next unread byte.
	Offset() int64
}

// A Stream copies the chunks of a zlib stream from an Input to an
// io.Writer. Its inflater is kept from one stream to the next.
type Stream struct {
	in      Input
	out     io.Writer
	bufSize int // the Input's buffer size: longer chunks are copied in pieces
	crc     hash.Hash32
	zr      *izlib.Inflater

	typ    [4]byte
	prefix int // bytes before the stream data in each chunk: 4 for fdAT

	start  int64  // offset of the current chunk
	length int64  // its data length
	whole  []byte // its data, when held whole in the input's buffer
	buf    []byte // stream data not yet read by the inflater
	piece  []byte // in a long chunk, the buffered piece that buf ends
	left   int64  // bytes of a long chunk after piece
	err    error  // a problem found while reading, not the inflater's
}

// NewStream returns a Stream for an Input whose buffer holds bufSize bytes.
func NewStream(bufSize int) *Stream {
	return &Stream{bufSize: bufSize, crc: crc32.NewIEEE()}
}

// ErrDataAfterLongChunk is the Err of the *Error for a stream that ends
// before the end of a chunk too long to hold: its length has been written,
// so it cannot be cut.
var ErrDataAfterLongChunk = errors.New("stream data after the end of a long chunk")

func (z *Stream) errorf(off int64, err error, format string, a ...any) error {
	return &Error{Offset: off, Reason: fmt.Sprintf(format, a...), Err: err}
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Copy reads the stream that starts in the chunk at start of type typ
// (IDAT or fdAT) and the given length, whose header has just been read
// from in, and copies its chunks to out, leaving the chunk after them
// unread. A last chunk that holds data after the end of the stream is cut
// at that end: Copy returns it rebuilt in last, for the caller to write,
// with the number of bytes cut and their offset (cut is 0 and last nil
// otherwise).
//
// Errors are an *Error, whose Err is the reader's error, io.ErrUnexpectedEOF,
// the zlib verdict, or ErrDataAfterLongChunk; or an error of out or of the
// inflater, as it is.
func (z *Stream) Copy(in Input, out io.Writer, start int64, typ [4]byte, length uint32) (last []byte, cut int, at int64, err error) {
	z.in, z.out, z.typ, z.prefix, z.err = in, out, typ, 0, nil
	if string(typ[:]) == "fdAT" {
		z.prefix = 4
	}
	if err := z.begin(start, int64(length)); err != nil {
		return nil, 0, 0, err
	}
	if z.zr == nil {
		z.zr = new(izlib.Inflater)
	}
	z.zr.Reset(z, z.buf)
	err = z.zr.Inflate()
	var zerr *izlib.Error
	switch {
	case z.err != nil:
		return nil, 0, 0, z.err
	case errors.As(err, &zerr) && zerr.Err == io.ErrUnexpectedEOF:
		return nil, 0, 0, z.errorf(in.Offset(), io.ErrUnexpectedEOF, "the zlib stream of the %s chunks ends early", typ)
	case zerr != nil:
		return nil, 0, 0, z.errorf(z.start, zerr.Err, "the zlib stream of the %s chunks is damaged", typ)
	case err != nil:
		return nil, 0, 0, err
	}
	z.buf = z.zr.Rest()
	return z.end()
}

// begin starts a chunk whose header has been read.
func (z *Stream) begin(start, length int64) error {
	r := z.in
	z.start, z.length, z.whole = start, length, nil
	if length < int64(z.prefix) {
		return z.errorf(start, nil, "chunk %q of %d bytes has no sequence number", z.typ, length)
	}
	z.crc.Reset()
	z.crc.Write(z.typ[:])
	if length <= int64(z.bufSize) {
		b, err := r.Peek(int(length))
		if err != nil {
			return z.errorf(r.Offset(), err, "chunk %q is truncated", z.typ)
		}
		z.whole, z.buf, z.piece, z.left = b, b[z.prefix:], nil, 0
		return nil
	}
	// A long chunk: its header and sequence number go out now.
	if _, err := z.out.Write(AppendHeader(make([]byte, 0, HeaderSize), uint32(length), z.typ)); err != nil {
		return err
	}
	if z.prefix > 0 {
		if err := z.copyN(int64(z.prefix)); err != nil {
			return err
		}
	}
	z.buf, z.piece, z.left = nil, nil, length-int64(z.prefix)
	return nil
}

// copyN copies the next n bytes, which the CRC sees too.
func (z *Stream) copyN(n int64) error {
	r := z.in
	for n > 0 {
		b, err := r.Buffered()
		if err != nil {
			return z.errorf(r.Offset(), unexpected(err), "chunk %q is truncated", z.typ)
		}
		if int64(len(b)) > n {
			b = b[:n]
		}
		z.crc.Write(b)
		if _, err := z.out.Write(b); err != nil {
			return err
		}
		r.Consume(len(b))
		n -= int64(len(b))
	}
	return nil
}

// Next is called when the inflater has read all of buf: it returns the
// next piece of the stream's data (izlib.Source).
func (z *Stream) Next() ([]byte, error) {
	z.buf = nil
	if err := z.more(); err != nil {
		return nil, err
	}
	return z.buf, nil
}

// more copies what the inflater read, and moves on to the next piece of a
// long chunk or the next chunk. At the end of the chunks it returns io.EOF.
func (z *Stream) more() error {
	r := z.in
	if z.err != nil {
		return z.err
	}
	if z.whole == nil {
		if err := z.flushPiece(); err != nil {
			return z.fail(err)
		}
		if z.left > 0 {
			b, err := r.Buffered()
			if err != nil {
				return z.fail(z.errorf(r.Offset(), unexpected(err), "chunk %q is truncated", z.typ))
			}
			z.piece = b[:min(int64(len(b)), z.left)]
			z.buf = z.piece
			return nil
		}
	}
	if err := z.finishChunk(); err != nil {
		return z.fail(err)
	}
	// The next chunk continues the stream if it is of the same type.
	hdr, err := r.Peek(HeaderSize)
	if err != nil || [4]byte(hdr[4:8]) != z.typ {
		return io.EOF
	}
	start := r.Offset()
	length := binary.BigEndian.Uint32(hdr)
	if length > MaxLength {
		return z.fail(z.errorf(start, nil, "chunk %q length %d exceeds 2^31-1", z.typ, length))
	}
	r.Consume(HeaderSize)
	if err := z.begin(start, int64(length)); err != nil {
		return z.fail(err)
	}
	return nil
}

func (z *Stream) fail(err error) error {
	z.err = err
	return err
}

// flushPiece copies the piece of a long chunk that the inflater has read.
func (z *Stream) flushPiece() error {
	if len(z.piece) > 0 {
		if _, err := z.out.Write(z.piece); err != nil {
			return err
		}
	}
	z.crc.Write(z.piece)
	z.in.Consume(len(z.piece))
	z.left -= int64(len(z.piece))
	z.piece = nil
	return nil
}

// finishChunk copies a whole chunk read to its end, or checks the CRC of a
// long one, and copies its CRC.
func (z *Stream) finishChunk() error {
	if z.whole != nil {
		if _, err := z.out.Write(AppendHeader(make([]byte, 0, HeaderSize), uint32(z.length), z.typ)); err != nil {
			return err
		}
		if len(z.whole) > 0 {
			if _, err := z.out.Write(z.whole); err != nil {
				return err
			}
		}
		z.crc.Write(z.whole)
		z.in.Consume(len(z.whole))
		z.whole = nil
	}
	crc, err := z.checkCRC()
	if err != nil {
		return err
	}
	_, err = z.out.Write(crc)
	return err
}

// checkCRC reads the chunk's CRC and compares it with the one computed.
func (z *Stream) checkCRC() ([]byte, error) {
	r := z.in
	off := r.Offset()
	b, err := r.Peek(4)
	if err != nil {
		return nil, z.errorf(off, err, "chunk %q CRC is truncated", z.typ)
	}
	r.Consume(4)
	if got, want := binary.BigEndian.Uint32(b), z.crc.Sum32(); got != want {
		return nil, z.errorf(z.start, nil, "chunk %q CRC is %08x, want %08x", z.typ, got, want)
	}
	return b, nil
}

// end finishes the stream's last chunk: whole if the stream ends at its
// end, cut to the stream's end otherwise.
func (z *Stream) end() (last []byte, cut int, at int64, err error) {
	if z.whole == nil {
		if rest := int64(len(z.buf)) + z.left - int64(len(z.piece)); rest > 0 {
			return nil, 0, 0, z.errorf(z.start, ErrDataAfterLongChunk, "the zlib stream ends %d bytes before the end of a %q chunk longer than %d bytes",
				rest, z.typ, z.bufSize)
		}
		if err := z.flushPiece(); err != nil {
			return nil, 0, 0, err
		}
		return nil, 0, 0, z.finishChunk()
	}
	if len(z.buf) == 0 {
		return nil, 0, 0, z.finishChunk()
	}
	used := len(z.whole) - len(z.buf)
	cut = len(z.buf)
	last = AppendChunk(make([]byte, 0, HeaderSize+used+4), string(z.typ[:]), z.whole[:used])
	z.crc.Write(z.whole)
	z.in.Consume(len(z.whole))
	if _, err := z.checkCRC(); err != nil {
		return nil, 0, 0, err
	}
	return last, cut, z.start + HeaderSize + int64(used), nil
}
