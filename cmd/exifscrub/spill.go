package main

import (
	"errors"
	"io"
	"os"
)

// spillLimit is how much of an output a spillBuffer holds in memory
// before it moves to a temporary file: photos stay in memory, videos go
// to disk.
const spillLimit = 16 << 20

// A spillBuffer holds a scrubbed file until the scrub has succeeded, so
// that a failure writes nothing to standard output. It keeps up to
// spillLimit bytes in memory, then moves to an unnamed temporary file. It
// is an io.WriterAt, an io.ReaderAt and an io.Seeker, as a file is: exifscrub.Scrub
// goes back over a video's output when the video's index follows samples
// that must be overwritten.
type spillBuffer struct {
	limit int64 // spillLimit if 0
	mem   []byte
	f     *os.File
	pos   int64
	size  int64
}

func (b *spillBuffer) Write(p []byte) (int, error) {
	n, err := b.WriteAt(p, b.pos)
	b.pos += int64(n)
	return n, err
}

func (b *spillBuffer) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("spillBuffer: negative offset")
	}
	end := off + int64(len(p))
	limit := b.limit
	if limit == 0 {
		limit = spillLimit
	}
	if b.f == nil && end > limit {
		f, err := os.CreateTemp("", "exifscrub-stdout-*")
		if err != nil {
			return 0, err
		}
		os.Remove(f.Name()) // unnamed: gone when closed, even after a crash
		if _, err := f.Write(b.mem); err != nil {
			f.Close()
			return 0, err
		}
		b.f, b.mem = f, nil
	}
	b.size = max(b.size, end)
	if b.f != nil {
		return b.f.WriteAt(p, off)
	}
	if b.mem == nil {
		// One allocation: growing by appending would copy the output
		// again and again and keep the garbage collector busy.
		b.mem = make([]byte, 0, limit)
	}
	if end > int64(len(b.mem)) {
		b.mem = append(b.mem, make([]byte, end-int64(len(b.mem)))...)
	}
	return copy(b.mem[off:], p), nil
}

// Seek supports only finding the current position.
// ReadAt reads back what was written: exifscrub.Scrub reads a video's
// samples again when its index follows them and they must be rewritten.
func (b *spillBuffer) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > b.size {
		return 0, io.EOF
	}
	if b.f != nil {
		return b.f.ReadAt(p[:min(int64(len(p)), b.size-off)], off)
	}
	n := copy(p, b.mem[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (b *spillBuffer) Seek(off int64, whence int) (int64, error) {
	if off != 0 || whence != io.SeekCurrent {
		return 0, errors.New("spillBuffer: only Seek(0, io.SeekCurrent)")
	}
	return b.pos, nil
}

// Len is the size of the output.
func (b *spillBuffer) Len() int64 { return b.size }

// WriteTo copies the output to w.
func (b *spillBuffer) WriteTo(w io.Writer) (int64, error) {
	if b.f == nil {
		n, err := w.Write(b.mem)
		return int64(n), err
	}
	if n, ok, err := sendFile(w, b.f, b.size); ok {
		return n, err
	}
	return io.Copy(w, io.NewSectionReader(b.f, 0, b.size))
}

// Close removes the temporary file, if any.
func (b *spillBuffer) Close() error {
	if b.f == nil {
		return nil
	}
	return b.f.Close()
}
