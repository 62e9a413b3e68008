package exifscrub

import (
	"bufio"
	"errors"
	"io"
)

// A reader is buffered input that counts its offset, so that errors can
// say where in the file they happened. Its methods turn a premature end of
// input into io.ErrUnexpectedEOF.
type reader struct {
	br  *bufio.Reader
	off int64 // offset of the next unread byte
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// peek returns the next n bytes without consuming them. n must not exceed
// readerSize. The bytes are valid until the next call.
func (r *reader) peek(n int) ([]byte, error) {
	b, err := r.br.Peek(n)
	if err != nil {
		return b, unexpected(err)
	}
	return b, nil
}

// next consumes and returns the next n bytes, which are valid until the
// next call. n must not exceed readerSize.
func (r *reader) next(n int) ([]byte, error) {
	b, err := r.peek(n)
	if err != nil {
		return nil, err
	}
	r.br.Discard(n)
	r.off += int64(n)
	return b, nil
}

func (r *reader) readByte() (byte, error) {
	c, err := r.br.ReadByte()
	if err != nil {
		return 0, unexpected(err)
	}
	r.off++
	return c, nil
}

// buffered returns what is buffered, reading more first if nothing is. It
// returns io.EOF, not io.ErrUnexpectedEOF, at the end of the input.
func (r *reader) buffered() ([]byte, error) {
	if r.br.Buffered() == 0 {
		if _, err := r.br.Peek(1); err != nil {
			return nil, err
		}
	}
	return r.br.Peek(r.br.Buffered())
}

// consume discards n bytes known to be buffered.
func (r *reader) consume(n int) {
	r.br.Discard(n)
	r.off += int64(n)
}

// copyN copies the next n bytes to w in buffer-sized pieces; when h is not
// nil, it also sees every byte (for checksums).
func (r *reader) copyN(w io.Writer, h io.Writer, n int64) error {
	for n > 0 {
		b, err := r.buffered()
		if err != nil {
			return unexpected(err)
		}
		if int64(len(b)) > n {
			b = b[:n]
		}
		if h != nil {
			h.Write(b)
		}
		if _, err := w.Write(b); err != nil {
			return &writeError{err}
		}
		r.consume(len(b))
		n -= int64(len(b))
	}
	return nil
}

// readN reads the next n bytes into memory, keeping at most limit of them:
// a length field can claim far more than the input holds, so the buffer
// grows only as bytes actually arrive. It reports whether all n were kept.
func (r *reader) readN(h io.Writer, n, limit int64) (b []byte, complete bool, err error) {
	total, keep := n, min(n, limit)
	for n > 0 {
		chunk, err := r.buffered()
		if err != nil {
			return nil, false, unexpected(err)
		}
		if int64(len(chunk)) > n {
			chunk = chunk[:n]
		}
		if h != nil {
			h.Write(chunk)
		}
		if room := keep - int64(len(b)); room > 0 {
			b = append(b, chunk[:min(int64(len(chunk)), room)]...)
		}
		r.consume(len(chunk))
		n -= int64(len(chunk))
	}
	return b, int64(len(b)) == total, nil
}

// appendN appends the next n bytes to b. The buffer grows by doubling up
// to what it must hold, never past it, so that reading a large box costs
// at most about twice its size (append's growth of large slices by a
// quarter would cost five times), and nothing is allocated that the input
// has not delivered.
func (r *reader) appendN(b []byte, n int64) ([]byte, error) {
	want := int64(len(b)) + n
	for n > 0 {
		chunk, err := r.buffered()
		if err != nil {
			return nil, unexpected(err)
		}
		if int64(len(chunk)) > n {
			chunk = chunk[:n]
		}
		if len(b)+len(chunk) > cap(b) {
			c := min(max(2*int64(cap(b)), int64(len(b)+len(chunk))), want)
			b = append(make([]byte, 0, c), b...)
		}
		b = append(b, chunk...)
		r.consume(len(chunk))
		n -= int64(len(chunk))
	}
	return b, nil
}

// A source is the caller's reader. It marks the errors that reader returns,
// other than io.EOF, as readErrors, so that a failing stream (a canceled
// context, a dropped connection) is returned as it is rather than reported
// as a malformed image.
type source struct{ r io.Reader }

func (s source) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		err = &readError{err}
	}
	return n, err
}

// A readError is a failure of the caller's reader, as opposed to a problem
// with the bytes it returned. Scan and Scrub return the underlying error.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// ioError returns the caller's own error inside err, from its reader or its
// writer, and whether there was one.
func ioError(err error) (error, bool) {
	var re *readError
	if errors.As(err, &re) {
		return re.err, true
	}
	var we *writeError
	if errors.As(err, &we) {
		return we.err, true
	}
	return nil, false
}

// A writeError is a failure to write the output, as opposed to a problem
// with the input. Scrub returns the underlying error.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }
