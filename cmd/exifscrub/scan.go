package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"sync"

	"github.com/exifscrub/exifscrub"
)

// errNotImage is the error for a file that is not an image in a supported
// format. Files found by walking a directory that are not images are
// skipped instead.
var errNotImage = errors.New("not an image in a supported format")

// sniffLen is how many leading bytes exifscrub.DetectFormat needs.
const sniffLen = 64

// openImage opens the file of it and detects its format from its first
// bytes. It returns a reader for the whole content, or errNotImage.
func openImage(it item, stdin io.Reader) (r io.Reader, closer io.Closer, err error) {
	var f io.ReadCloser
	if it.stdin {
		f = io.NopCloser(stdin)
	} else if f, err = os.Open(it.path); err != nil {
		return nil, nil, err
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		f.Close()
		return nil, nil, err
	}
	if exifscrub.DetectFormat(head[:n]) == "" {
		f.Close()
		return nil, nil, errNotImage
	}
	return io.MultiReader(bytes.NewReader(head[:n]), f), f, nil
}

// A scanned file is the outcome of scanning one item.
type scanned struct {
	it   item
	rep  *exifscrub.Report
	skip string // not scanned, for this reason
	err  error
}

// scanAll scans the items on jobs goroutines and calls emit for each, in
// order. Files found by walking that are not images are skipped, as are
// files named on the command line when skipNotImage is set.
func scanAll(items []item, jobs int, stdin io.Reader, skipNotImage bool, p *progress, emit func(scanned)) {
	res := make([]scanned, len(items))
	var stdinOnce sync.Once
	forEach(len(items), jobs, func(i int) {
		it := items[i]
		res[i].it = it
		switch {
		case it.err != nil:
			res[i].err = it.err
			return
		case it.skip != "":
			res[i].skip = it.skip
			return
		}
		used := false
		if it.stdin {
			// Standard input can be read once only.
			stdinOnce.Do(func() { used = true })
			if !used {
				res[i].err = errors.New("standard input named twice")
				return
			}
		}
		r, c, err := openImage(it, stdin)
		if err == errNotImage && (!it.explicit || skipNotImage) {
			res[i].skip = err.Error()
			return
		}
		if err != nil {
			res[i].err = err
			return
		}
		defer c.Close()
		res[i].rep, res[i].err = exifscrub.Scan(r)
	}, func(i int) {
		emit(res[i])
		res[i] = scanned{} // let the report go
	}, p.tick)
}
