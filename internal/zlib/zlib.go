// Package zlib finds the end of a zlib stream (RFC 1950) of deflate data
// (RFC 1951) and checks the stream on the way, as compress/zlib does, but
// faster and without keeping what it decompresses.
//
// exifscrub copies the image data of a PNG unchanged: an IDAT or fdAT
// stream (PNG Third Edition §10.1) is read only to find where it ends,
// after the Adler-32 checksum, since bytes after that end would travel
// through a scrub as image data. An [Inflater] is given the stream piece by
// piece by a [Source], decodes it, and reports the stream's end (see
// [Inflater.Rest]) or why the stream is refused.
//
// The contract is compress/zlib's: an Inflater accepts exactly the streams
// compress/zlib accepts (given no dictionary), refuses the others with the
// same verdicts (zlib.ErrHeader, zlib.ErrDictionary, zlib.ErrChecksum, a
// flate.CorruptInputError, or io.ErrUnexpectedEOF, each in an [*Error]),
// and ends where compress/zlib ends when it reads through an io.ByteReader:
// it reads byte by byte, as compress/flate does, wherever the data ends or
// is damaged. The Adler-32 checksum (RFC 1950 §8.2) is checked.
//
// It does not hand out the decompressed data, take a preset dictionary,
// compress, or know about PNG chunks: joining the chunks into one stream
// and cutting them at its end is the caller's.
//
// It is one package, not compress/zlib's split into zlib and flate: the
// deflate decoder is used only inside a zlib stream, and its offsets,
// checksum and window are the zlib reader's, kept in one struct so that the
// inner loop calls nothing through an interface.
package zlib

import (
	"compress/flate"
	stdzlib "compress/zlib"
	"fmt"
	"io"
	"math/bits"
)

// A Source gives an [Inflater] the bytes of a stream piece by piece. It is
// called only when the Inflater has read all of the piece before, never in
// its decoding loops.
type Source interface {
	// Next returns the next piece of the stream, which may be empty,
	// or io.EOF at the end of the data. Any other error stops the
	// Inflater, which returns it as it is.
	Next() ([]byte, error)
}

// An Error is a stream that ends early or is damaged.
type Error struct {
	// Offset is the count of the stream's bytes read when the problem
	// was found, the last of them in part: all of the stream for
	// io.ErrUnexpectedEOF.
	Offset int64
	// Err is compress/zlib's verdict: io.ErrUnexpectedEOF,
	// zlib.ErrHeader, zlib.ErrDictionary, zlib.ErrChecksum or a
	// flate.CorruptInputError. The offset of the last, in the deflate
	// data after the zlib header, is where the Inflater found the
	// damage; compress/flate may find it a byte or more away.
	Err error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%v (at byte %d of the zlib stream)", e.Err, e.Offset)
}

func (e *Error) Unwrap() error { return e.Err }

// An Inflater decodes a zlib stream (RFC 1950) of deflate data (RFC 1951)
// from a Source, as compress/zlib does and with the same verdicts, but
// faster: it reads the stream's bytes from the piece it holds 8 at a time
// rather than through io.ByteReader, decodes Huffman codes with one table
// lookup, and keeps only the 32 KB window that back-references need and
// the Adler-32 of what falls out of it (the data is not used).
//
// Where the stream's data ends or is damaged, it reads byte by byte as
// compress/flate does (inflate.go huffSym): the bits it needs, and no byte
// more, so that a stream cut short, or with a bad code at its end, ends
// early or is damaged for both alike. The stream's end is the same for
// both: compress/flate reads exactly to it when given an io.ByteReader.
//
// Its zero value is ready for [Inflater.Reset]; it is about 75 KB, to be
// reused from one stream to the next.
type Inflater struct {
	src Source
	cur []byte // the stream data being read: a piece from src
	pos int    // next byte of cur
	in  int64  // bytes of the stream read before cur
	// deflateAt is the offset in the stream of the deflate data.
	deflateAt int64

	// acc holds nb unread bits in its low bits, the next bit first
	// (RFC 1951 §3.1.1). Its higher bits are zero, or the bits of the
	// bytes of cur that follow (which are read again).
	acc uint64
	nb  uint

	lit, dist flateHuff
	lengths   [maxLitCodes + maxDistCodes]uint8

	// The window: hist[:wp] holds the output, of which hist[:sumFrom]
	// has been added to adler. When wp passes histFlush, the last
	// window of output moves to the front.
	// The 8 bytes after the longest match let copies run 8 bytes at a
	// time past its end.
	hist    [histFlush + maxMatch + 8]byte
	wp      int
	sumFrom int
	adler   uint32

	srcErr error  // an error of src, returned as it is
	rest   []byte // after the stream's end, the bytes of cur after it
}

// Reset starts a stream whose data is first and what src brings after it.
func (f *Inflater) Reset(src Source, first []byte) {
	f.src, f.cur, f.pos, f.in = src, first, 0, 0
	f.acc, f.nb = 0, 0
	f.wp, f.sumFrom = 0, 0
	f.adler = 1
	f.srcErr, f.rest = nil, nil
}

// Inflate reads the stream to its end, after the Adler-32 checksum, and
// checks it. It returns nil, or an [*Error] for a stream that ends early
// or is damaged, or the Source's error.
func (f *Inflater) Inflate() error {
	err := f.inflate()
	switch {
	case err == nil:
		return nil
	case f.srcErr != nil:
		return f.srcErr
	case err == io.ErrUnexpectedEOF:
		return &Error{Offset: f.in + int64(f.pos), Err: err}
	}
	return &Error{Offset: f.in + int64(f.pos) - int64(f.nb/8), Err: err}
}

// Rest returns, after Inflate has returned nil, the bytes of the last
// piece it read that follow the stream's end; nil otherwise.
func (f *Inflater) Rest() []byte { return f.rest }

// corrupt is compress/flate's error for damaged data, at the offset in the
// deflate data (after the zlib header) of the next unread byte.
func (f *Inflater) corrupt() error {
	return flate.CorruptInputError(f.in + int64(f.pos) - int64(f.nb/8) - f.deflateAt)
}

// readByte adds the next byte of the stream to acc, moving on to the next
// piece as needed; at the end of the data it returns io.ErrUnexpectedEOF.
func (f *Inflater) readByte() error {
	for f.pos == len(f.cur) {
		f.in += int64(len(f.cur))
		next, err := f.src.Next()
		if err != nil {
			f.cur, f.pos = nil, 0
			if err == io.EOF {
				return io.ErrUnexpectedEOF
			}
			f.srcErr = err
			return err
		}
		f.cur, f.pos = next, 0
	}
	f.acc |= uint64(f.cur[f.pos]) << f.nb
	f.pos++
	f.nb += 8
	return nil
}

// need reads until acc holds n bits, byte by byte.
func (f *Inflater) need(n uint) error {
	for f.nb < n {
		if err := f.readByte(); err != nil {
			return err
		}
	}
	return nil
}

// bits reads n bits (n ≤ 32), byte by byte.
func (f *Inflater) bits(n uint) (uint32, error) {
	if err := f.need(n); err != nil {
		return 0, err
	}
	v := uint32(f.acc & (1<<n - 1))
	f.acc >>= n
	f.nb -= n
	return v, nil
}

// slow drops the bits of acc above nb, which hold bytes read ahead, so
// that it reads on byte by byte as compress/flate does.
func (f *Inflater) slow() {
	f.acc &= 1<<f.nb - 1
}

// inflate reads the stream to its end, after the Adler-32 checksum.
func (f *Inflater) inflate() error {
	// RFC 1950 §2.2: CMF and FLG; compress/zlib's checks.
	h, err := f.bits(16)
	if err != nil {
		return err
	}
	cmf, flg := h&0xff, h>>8
	if cmf&0x0f != 8 || cmf>>4 > 7 || (cmf<<8|flg)%31 != 0 {
		return stdzlib.ErrHeader
	}
	if flg&0x20 != 0 {
		// FDICT: compress/zlib, given no dictionary, takes only the
		// Adler-32 of none.
		id, err := f.bits(32)
		if err != nil {
			return err
		}
		if bits.ReverseBytes32(id) != 1 {
			return stdzlib.ErrDictionary
		}
	}
	f.deflateAt = f.in + int64(f.pos)
	for final := false; !final; {
		f.slow()
		h, err := f.bits(3)
		if err != nil {
			return err
		}
		final = h&1 == 1
		switch h >> 1 {
		case 0:
			err = f.stored()
		case 1:
			err = f.block(fixedLit, nil, true)
		case 2:
			if err = f.readCodes(); err == nil {
				err = f.block(&f.lit, &f.dist, false)
			}
		default:
			err = f.corrupt()
		}
		if err != nil {
			return err
		}
	}
	// The checksum, big-endian after the byte the data ends in.
	f.slow()
	f.acc >>= f.nb % 8
	f.nb -= f.nb % 8
	sum, err := f.bits(32)
	if err != nil {
		return err
	}
	f.flush()
	if bits.ReverseBytes32(sum) != f.adler {
		return stdzlib.ErrChecksum
	}
	// Whole bytes read ahead go back to the stream.
	f.rest = f.cur[f.pos-int(f.nb/8):]
	return nil
}
