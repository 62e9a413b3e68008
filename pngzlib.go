package exifscrub

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	ipng "github.com/exifscrub/exifscrub/internal/png"
	izlib "github.com/exifscrub/exifscrub/internal/zlib"
)

// The image data of a PNG is one zlib stream (RFC 1950, deflate RFC 1951)
// split across consecutive IDAT chunks (PNG Third Edition §10.1), and each
// APNG frame's data another, split across consecutive fdAT chunks after a
// 4-byte sequence number. A decoder stops at the stream's end, after the
// Adler-32 checksum: bytes after it, in the last chunk or in more chunks,
// would travel through a scrub as image data. An inflater decodes the
// stream as the chunks are copied, to find that end, and checks it as
// compress/zlib does, Adler-32 included (see internal/zlib).
//
// A chunk that fits in the read buffer is held there until the stream has
// read it, so it can be cut: the compressed bytes are copied unchanged and
// only the chunk's length and CRC are rewritten. A longer chunk is copied
// in pieces as the stream reads them; if the stream ends before such a
// chunk does, the file is refused, since its length has been written.

// A pngStream holds the stream data of consecutive chunks of one type,
// which an izlib.Inflater reads from buf, calling Next for the next piece.
type pngStream struct {
	p      *pngScrubber
	typ    [4]byte
	prefix int // bytes before the stream data in each chunk: 4 for fdAT

	start  int64  // offset of the current chunk
	length int64  // its data length
	whole  []byte // its data, when held whole in the read buffer
	buf    []byte // stream data not yet read by the inflater
	piece  []byte // in a long chunk, the buffered piece that buf ends
	left   int64  // bytes of a long chunk after piece
	err    error  // a problem found while reading, not the inflater's
}

// copyStream reads the stream that starts in the chunk whose header has just
// been read, copying its chunks, and leaves the chunk after them unread.
func (p *pngScrubber) copyStream(start int64, typ [4]byte, length uint32) error {
	z := &pngStream{p: p, typ: typ}
	if string(typ[:]) == "fdAT" {
		z.prefix = 4
	}
	if err := z.begin(start, int64(length)); err != nil {
		return err
	}
	if p.zr == nil {
		p.zr = new(izlib.Inflater)
	}
	p.zr.Reset(z, z.buf)
	err := p.zr.Inflate()
	var zerr *izlib.Error
	switch {
	case z.err != nil:
		return z.err
	case errors.As(err, &zerr) && zerr.Err == io.ErrUnexpectedEOF:
		return p.formatError(p.in.off, fmt.Sprintf("the zlib stream of the %s chunks ends early", typ), io.ErrUnexpectedEOF)
	case zerr != nil:
		return p.formatError(z.start, fmt.Sprintf("the zlib stream of the %s chunks is damaged", typ), zerr.Err)
	case err != nil:
		return err
	}
	z.buf = p.zr.Rest()
	return z.end()
}

// begin starts a chunk whose header has been read.
func (z *pngStream) begin(start, length int64) error {
	p, r := z.p, z.p.in
	z.start, z.length, z.whole = start, length, nil
	if length < int64(z.prefix) {
		return p.formatError(start, fmt.Sprintf("chunk %q of %d bytes has no sequence number", z.typ, length), nil)
	}
	p.crc.Reset()
	p.crc.Write(z.typ[:])
	if length <= readerSize {
		b, err := r.peek(int(length))
		if err != nil {
			return p.formatError(r.off, fmt.Sprintf("chunk %q is truncated", z.typ), err)
		}
		z.whole, z.buf, z.piece, z.left = b, b[z.prefix:], nil, 0
		return nil
	}
	// A long chunk: its header and sequence number go out now.
	if err := p.write(ipng.AppendHeader(make([]byte, 0, ipng.HeaderSize), uint32(length), z.typ)); err != nil {
		return err
	}
	if z.prefix > 0 {
		if err := r.copyN(p.out, p.crc, int64(z.prefix)); err != nil {
			return p.formatError(r.off, fmt.Sprintf("chunk %q is truncated", z.typ), err)
		}
	}
	z.buf, z.piece, z.left = nil, nil, length-int64(z.prefix)
	return nil
}

// Next is called when the inflater has read all of buf: it returns the
// next piece of the stream's data (izlib.Source).
func (z *pngStream) Next() ([]byte, error) {
	z.buf = nil
	if err := z.more(); err != nil {
		return nil, err
	}
	return z.buf, nil
}

// more copies what the inflater read, and moves on to the next piece of a
// long chunk or the next chunk. At the end of the chunks it returns io.EOF.
func (z *pngStream) more() error {
	p, r := z.p, z.p.in
	if z.err != nil {
		return z.err
	}
	if z.whole == nil {
		if err := z.flushPiece(); err != nil {
			return z.fail(err)
		}
		if z.left > 0 {
			b, err := r.buffered()
			if err != nil {
				return z.fail(p.formatError(r.off, fmt.Sprintf("chunk %q is truncated", z.typ), unexpected(err)))
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
	hdr, err := r.peek(8)
	if err != nil || [4]byte(hdr[4:8]) != z.typ {
		return io.EOF
	}
	start := r.off
	length := binary.BigEndian.Uint32(hdr)
	if length > ipng.MaxLength {
		return z.fail(p.formatError(start, fmt.Sprintf("chunk %q length %d exceeds 2^31-1", z.typ, length), nil))
	}
	r.consume(8)
	if err := z.begin(start, int64(length)); err != nil {
		return z.fail(err)
	}
	return nil
}

func (z *pngStream) fail(err error) error {
	z.err = err
	return err
}

// flushPiece copies the piece of a long chunk that the inflater has read.
func (z *pngStream) flushPiece() error {
	p := z.p
	if err := p.write(z.piece); err != nil {
		return err
	}
	p.crc.Write(z.piece)
	p.in.consume(len(z.piece))
	z.left -= int64(len(z.piece))
	z.piece = nil
	return nil
}

// finishChunk copies a whole chunk read to its end, or checks the CRC of a
// long one, and reads its CRC.
func (z *pngStream) finishChunk() error {
	p, r := z.p, z.p.in
	if z.whole != nil {
		if err := p.write(ipng.AppendHeader(make([]byte, 0, ipng.HeaderSize), uint32(z.length), z.typ)); err != nil {
			return err
		}
		if err := p.write(z.whole); err != nil {
			return err
		}
		p.crc.Write(z.whole)
		r.consume(len(z.whole))
		z.whole = nil
	}
	crc, err := p.checkCRC(z.start, string(z.typ[:]))
	if err != nil {
		return err
	}
	return p.write(crc)
}

// end finishes the stream's last chunk: whole if the stream ends at its
// end, cut to the stream's end otherwise.
func (z *pngStream) end() error {
	p, r := z.p, z.p.in
	if z.whole == nil {
		if rest := int64(len(z.buf)) + z.left - int64(len(z.piece)); rest > 0 {
			return p.formatError(z.start, fmt.Sprintf("the zlib stream ends %d bytes before the end of a %q chunk longer than %d bytes",
				rest, z.typ, readerSize), ErrUnsupportedFeature)
		}
		if err := z.flushPiece(); err != nil {
			return err
		}
		return z.finishChunk()
	}
	if len(z.buf) == 0 {
		return z.finishChunk()
	}
	used := len(z.whole) - len(z.buf)
	cut := len(z.buf)
	out := ipng.AppendHeader(make([]byte, 0, ipng.HeaderSize), uint32(used), z.typ)
	out = append(out, z.whole[:used]...)
	out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[4:]))
	p.crc.Write(z.whole)
	r.consume(len(z.whole))
	if _, err := p.checkCRC(z.start, string(z.typ[:])); err != nil {
		return err
	}
	p.rep.add(Embedded, "PNG "+string(z.typ[:]), "DataAfterStream", fmt.Sprintf("(%d bytes after the end of the zlib stream, at offset %d)", cut, z.start+8+int64(used)))
	return p.write(out)
}
