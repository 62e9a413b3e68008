package main

import (
	"errors"
	"io"
	"os"
	"sync"
)

// A spillPipe carries a streamed answer from Scrub to the client through
// an unnamed temporary file, so that neither waits for the other. Without
// it, a client that sends its whole request before it reads the answer,
// as Python's http.client (urllib, requests) and most others do, would
// deadlock with a server that streams: once the socket buffers are full of
// answer (a few megabytes), the server's write blocks, so it stops reading
// the request, so the client's write blocks. Through the pipe, Scrub keeps
// reading the request whatever the client does with the answer, and what
// the client has not taken yet waits on disk, not in memory; a client that
// keeps up reads it from the page cache, and the file is reused from its
// start each time the client catches up, so it stays small.
//
// Unlike a spillBuffer, a spillPipe is not an io.WriterAt: what it passed
// on cannot be changed, so Scrub never tries to go back over it.
type spillPipe struct {
	f *os.File

	mu     sync.Mutex
	cond   *sync.Cond
	r, w   int64 // the next offset to read, and to write
	closed bool  // no more writes: CloseWrite
	gone   bool  // no more reads: CloseRead
}

var errPipeGone = errors.New("the client is gone")

func newSpillPipe() (*spillPipe, error) {
	f, err := os.CreateTemp("", "exifscrub-serve-*")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name()) // unnamed: gone when closed, even after a crash
	p := &spillPipe{f: f}
	p.cond = sync.NewCond(&p.mu)
	return p, nil
}

// Write appends b to what the reader is to copy. It fails once the reader
// is gone.
func (p *spillPipe) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gone {
		return 0, errPipeGone
	}
	n, err := p.f.WriteAt(b, p.w)
	p.w += int64(n)
	p.cond.Broadcast()
	return n, err
}

// CloseWrite says that nothing more will be written.
func (p *spillPipe) CloseWrite() {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
}

// CloseRead makes the writer's next Write fail.
func (p *spillPipe) CloseRead() {
	p.mu.Lock()
	p.gone = true
	p.mu.Unlock()
}

// copyTo copies to w what is written, as it is written, until the writer
// closes its end (nil) or w fails (its error).
func (p *spillPipe) copyTo(w io.Writer) error {
	buf := make([]byte, 256<<10)
	for {
		p.mu.Lock()
		for p.r == p.w && !p.closed {
			p.cond.Wait()
		}
		if p.r == p.w {
			p.mu.Unlock()
			return nil // closed, and all copied
		}
		off, n := p.r, int(min(p.w-p.r, int64(len(buf))))
		p.mu.Unlock()
		// [off, off+n) was written and stays as it is until read.
		if _, err := p.f.ReadAt(buf[:n], off); err != nil {
			return err
		}
		if _, err := w.Write(buf[:n]); err != nil {
			return err
		}
		p.mu.Lock()
		if p.r += int64(n); p.r == p.w {
			p.r, p.w = 0, 0 // caught up: start the file again
		}
		p.mu.Unlock()
	}
}

// Close removes the temporary file.
func (p *spillPipe) Close() error { return p.f.Close() }
