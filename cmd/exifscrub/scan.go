package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/exifscrub/exifscrub"
)

// errNotImage is the error for a file that is not an image in a supported
// format. Files found by walking a directory that are not images are
// skipped instead.
var errNotImage = errors.New("not an image in a supported format")

// errEmptyFile is the skip reason for an empty file. An empty file holds
// no metadata and is no image, so it is skipped, whether named or found by
// walking, always with a note on standard error, and counted in the
// summary. (Empty standard input is an error: nothing was sent.)
var errEmptyFile = errors.New("empty file")

// A notSupportedError is errNotImage naming the file's format, when it is
// a common one exifscrub does not read: "not a supported format: GIF".
type notSupportedError struct{ format string }

func (e *notSupportedError) Error() string        { return "not a supported format: " + e.format }
func (e *notSupportedError) Is(target error) bool { return target == errNotImage }

// formatKnown reports whether rep is the report of a file whose format
// was recognised: Scan and Scrub return an empty report, never nil, for
// an error before that, which the CLI shows as no report at all.
func formatKnown(rep *exifscrub.Report) bool { return rep != nil && rep.Format != "" }

// isNotImage reports whether a skip reason says the file is not an image.
func isNotImage(skip string) bool {
	return skip == errNotImage.Error() || strings.HasPrefix(skip, "not a supported format: ")
}

// unsupportedFile returns the error for a file starting with head that is
// not a supported image, naming its format when the library can: Scan of
// those bytes alone returns at once with an *exifscrub.UnsupportedFormatError.
func unsupportedFile(head []byte) error {
	_, err := exifscrub.Scan(bytes.NewReader(head))
	return unsupportedErr(err)
}

// unsupportedErr turns the library's error for an input that is not a
// supported image into errNotImage, naming the format when it is known.
func unsupportedErr(err error) error {
	var u *exifscrub.UnsupportedFormatError
	if errors.As(err, &u) && u.Name != "" {
		return &notSupportedError{u.Name}
	}
	return errNotImage
}

// readHead returns the first sniffLen bytes of the file at path.
func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(f, head)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return head[:n], err
}

// sniffLen is how many leading bytes exifscrub.DetectFormat needs.
const sniffLen = 64

// openImage opens the file of it and detects its format from its first
// bytes. It returns a reader for the whole content, or an error matching
// errNotImage, or errEmptyFile.
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
	if n == 0 {
		f.Close()
		return nil, nil, errEmptyFile
	}
	if exifscrub.DetectFormat(head[:n]) == "" {
		f.Close()
		return nil, nil, unsupportedFile(head[:n])
	}
	if file, ok := f.(*os.File); ok {
		// A file as it is, rewound: a video whose index follows its
		// samples is read ahead (exifscrub.Scan needs an io.ReaderAt
		// and io.Seeker to check the samples).
		if _, err := file.Seek(0, io.SeekStart); err == nil {
			return file, f, nil
		}
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

// A scanConfig says how scanAll reads each file.
type scanConfig struct {
	// skipNotImage skips files named on the command line that are not
	// images too, not only those found by walking.
	skipNotImage bool
	// opts, when not nil, is the policy whose effect to report: each
	// file is scrubbed into nothing with it, so that the report's
	// Findings are what the policy would remove and Kept what it would
	// leave. Nil reports everything, as Scan does.
	opts *exifscrub.Options
	// names also reports a file name that tells when the photo was taken
	// (see exifscrub.ScanName), as a finding of category time.
	names bool
}

// scanAll scans the items on jobs goroutines and calls emit for each, in
// order. Files found by walking that are not images are skipped, as are
// files named on the command line when cfg.skipNotImage is set.
func scanAll(items []item, jobs int, stdin io.Reader, cfg scanConfig, p *progress, emit func(scanned)) {
	skipNotImage := cfg.skipNotImage
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
		if err == errEmptyFile && !it.stdin || errors.Is(err, errNotImage) && (!it.explicit || skipNotImage) {
			res[i].skip = err.Error()
			return
		}
		if err != nil {
			res[i].err = err
			return
		}
		defer c.Close()
		if cfg.opts != nil {
			// A spillBuffer can be read back, as a file can: from a pipe, a
			// video whose index follows its samples is checked that way.
			var out spillBuffer
			res[i].rep, res[i].err = exifscrub.Scrub(&out, r, cfg.opts)
			out.Close()
		} else {
			res[i].rep, res[i].err = exifscrub.Scan(r)
		}
		if cfg.names {
			addNameFinding(res[i].rep, it, cfg.opts)
		}
	}, func(i int) {
		emit(res[i])
		res[i] = scanned{} // let the report go
	}, p.tick)
}
