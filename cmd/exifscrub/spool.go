package main

import (
	"errors"
	"io"
	"os"
)

const (
	// spoolChunk is how much a spoolReader reads from its pipe at a time.
	spoolChunk = 1 << 20
	// spoolTail is how much of what Read returned a spoolReader keeps in
	// memory: the caller's read buffer (exifscrub.Scrub's, 256 KiB) holds
	// bytes it has not looked at yet, and Scrub may read them again with
	// ReadAt.
	spoolTail = 1 << 20
)

// A spoolReader is an input that can be read only once, in order (a pipe),
// made readable ahead as well, as a file is: it is an io.Reader, an
// io.ReaderAt for offsets not yet read and an io.Seeker that tells its
// position, so that exifscrub.Scrub can read a video's index that follows
// its media data before it copies that media data (mov_write.go's
// readAhead). What ReadAt reads ahead of the position is read from the
// pipe and kept in an unnamed temporary file, until Read catches up with
// it. In memory it holds one chunk, and the last spoolTail bytes Read
// returned, which ReadAt can read again; what is before cannot be.
type spoolReader struct {
	r    io.Reader
	err  error    // the pipe's error or io.EOF, sticky
	f    *os.File // the spool: input bytes [lo, n) at file offsets [0, n-lo)
	lo   int64
	pos  int64  // the offset Read returns next
	n    int64  // bytes read from the pipe; pos <= n
	buf  []byte // a chunk being spooled
	tail []byte // the input before pos: at least the last spoolTail bytes, at most twice that
}

// keep appends what Read returns to s.tail.
func (s *spoolReader) keep(p []byte) {
	if s.tail == nil {
		s.tail = make([]byte, 0, 2*spoolTail)
	}
	if len(p) >= spoolTail {
		s.tail = append(s.tail[:0], p[len(p)-spoolTail:]...)
		return
	}
	if len(s.tail)+len(p) > cap(s.tail) {
		n := copy(s.tail, s.tail[len(s.tail)-(spoolTail-len(p)):])
		s.tail = s.tail[:n]
	}
	s.tail = append(s.tail, p...)
}

func (s *spoolReader) Read(p []byte) (int, error) {
	if s.pos < s.n {
		// Read what was spooled ahead.
		k, err := s.f.ReadAt(p[:min(int64(len(p)), s.n-s.pos)], s.pos-s.lo)
		s.keep(p[:k])
		s.pos += int64(k)
		if err == io.EOF && k > 0 {
			err = nil
		}
		if s.pos == s.n {
			// Caught up: start the spool again, giving back its space.
			if terr := s.f.Truncate(0); terr != nil && err == nil {
				err = terr
			}
			s.lo = s.n
		}
		return k, err
	}
	if s.err != nil {
		return 0, s.err
	}
	k, err := s.r.Read(p)
	s.keep(p[:k])
	s.pos += int64(k)
	s.n += int64(k)
	if err != nil {
		s.err = err
	}
	return k, err
}

// ReadAt reads len(p) bytes at input offset off: from what Read returned
// last (s.tail), from the spool, and from the pipe, which it reads up to
// there, spooling what it reads.
func (s *spoolReader) ReadAt(p []byte, off int64) (int, error) {
	k := 0
	if off < s.pos {
		// Before the position: in the tail, or in the spool.
		switch start := s.pos - int64(len(s.tail)); {
		case off >= start:
			k = copy(p, s.tail[off-start:])
		case off >= s.lo && s.pos < s.n:
			// Read has not caught up with the spool, which still holds it.
		default:
			return 0, errors.New("spool: offset read already")
		}
		if k == len(p) {
			return k, nil
		}
	}
	off += int64(k)
	end := off + int64(len(p)-k)
	if err := s.fill(end); err != nil && s.n <= off {
		return k, err
	}
	m, err := s.f.ReadAt(p[k:k+int(min(end, s.n)-off)], off-s.lo)
	k += m
	if err == nil && k < len(p) {
		err = io.EOF
	}
	return k, err
}

// fill reads the pipe into the spool until it holds the input to offset
// end, or the pipe ends.
func (s *spoolReader) fill(end int64) error {
	for s.n < end {
		if s.err != nil {
			return s.err
		}
		if s.f == nil {
			f, err := os.CreateTemp("", "exifscrub-stdin-*")
			if err != nil {
				return err
			}
			os.Remove(f.Name()) // unnamed: gone when closed, even after a crash
			s.f = f
		}
		if s.pos == s.n {
			s.lo = s.n // the spool is empty: it starts here
		}
		if s.buf == nil {
			s.buf = make([]byte, spoolChunk)
		}
		k, err := s.r.Read(s.buf)
		if k > 0 {
			if _, werr := s.f.WriteAt(s.buf[:k], s.n-s.lo); werr != nil {
				return werr
			}
			s.n += int64(k)
		}
		if err != nil {
			s.err = err
		}
	}
	return nil
}

// Seek supports only finding the current position.
func (s *spoolReader) Seek(off int64, whence int) (int64, error) {
	if off != 0 || whence != io.SeekCurrent {
		return 0, errors.New("spool: only Seek(0, io.SeekCurrent)")
	}
	return s.pos, nil
}

// Close removes the temporary file, if any.
func (s *spoolReader) Close() error {
	if s.f == nil {
		return nil
	}
	return s.f.Close()
}
