package exifscrub

import (
	"errors"
	"fmt"

	ipng "github.com/exifscrub/exifscrub/internal/png"
)

// The image data of a PNG is one zlib stream split across consecutive IDAT
// chunks (PNG Third Edition §10.1), and each APNG frame's data another,
// across fdAT chunks. An ipng.Stream copies them, finding the stream's end
// with internal/zlib, and cuts the last chunk there: the bytes after it
// would travel through a scrub as image data, and are reported.

// copyStream copies the stream that starts in the chunk whose header has
// just been read, and leaves the chunk after its chunks unread.
func (p *pngScrubber) copyStream(start int64, typ [4]byte, length uint32) error {
	if p.stream == nil {
		p.stream = ipng.NewStream(readerSize)
	}
	last, cut, at, err := p.stream.Copy(pngInput{p.in}, scrubWriter{p.scrubber}, start, typ, length)
	var e *ipng.Error
	switch {
	case errors.As(err, &e) && e.Err == ipng.ErrDataAfterLongChunk:
		return p.formatError(e.Offset, e.Reason, ErrUnsupportedFeature)
	case e != nil:
		return p.formatError(e.Offset, e.Reason, e.Err)
	case err != nil:
		return err
	case last == nil:
		return nil
	}
	p.rep.add(Embedded, "PNG "+string(typ[:]), "DataAfterStream", fmt.Sprintf("(%d bytes after the end of the zlib stream, at offset %d)", cut, at))
	return p.write(last)
}

// A pngInput is the scrubber's reader as an ipng.Input.
type pngInput struct{ r *reader }

func (in pngInput) Peek(n int) ([]byte, error) { return in.r.peek(n) }
func (in pngInput) Buffered() ([]byte, error)  { return in.r.buffered() }
func (in pngInput) Consume(n int)              { in.r.consume(n) }
func (in pngInput) Offset() int64              { return in.r.off }

// A scrubWriter is the scrubber's output as an io.Writer: it writes
// nothing when scanning, and its errors are writeErrors.
type scrubWriter struct{ s *scrubber }

func (w scrubWriter) Write(b []byte) (int, error) {
	if err := w.s.write(b); err != nil {
		return 0, err
	}
	return len(b), nil
}
