package exifscrub

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnsupportedFormat is returned when the input is not an image in a
// format exifscrub understands (see Format). Scan and Scrub return it as an
// *UnsupportedFormatError, which matches it with errors.Is.
var ErrUnsupportedFormat = errors.New("exifscrub: unsupported format")

// An UnsupportedFormatError is the error for an input that is not an image
// exifscrub reads. Name says what the input is, when its first bytes are
// those of a common format ("GIF", "PDF", "TIFF", "ISO media (crx)"),
// and is empty otherwise. It matches ErrUnsupportedFormat.
type UnsupportedFormatError struct {
	Name string
}

func (e *UnsupportedFormatError) Error() string {
	if e.Name == "" {
		return ErrUnsupportedFormat.Error()
	}
	return ErrUnsupportedFormat.Error() + ": " + e.Name
}

// Is makes errors.Is(err, ErrUnsupportedFormat) true.
func (e *UnsupportedFormatError) Is(target error) bool { return target == ErrUnsupportedFormat }

// A FormatError reports an image that is malformed, or that uses a feature
// exifscrub cannot rewrite safely. Offset is the byte offset in the input
// where the problem was found. Err, when set, is the underlying cause, such
// as io.ErrUnexpectedEOF for a truncated file or ErrUnsupportedFeature.
type FormatError struct {
	Format Format
	Offset int64
	Reason string
	Err    error
}

// ErrUnsupportedFeature is the Err of a FormatError for a well-formed image
// that uses a feature exifscrub refuses rather than risk leaving metadata
// behind or breaking the image (for example, HEIF image sequences).
var ErrUnsupportedFeature = errors.New("exifscrub: unsupported feature")

func (e *FormatError) Error() string {
	name := "image"
	if e.Format != "" {
		name = formatTitle(e.Format)
	}
	msg := fmt.Sprintf("exifscrub: invalid %s at offset %d: %s", name, e.Offset, e.Reason)
	if errors.Is(e.Err, ErrUnsupportedFeature) {
		msg = fmt.Sprintf("exifscrub: unsupported %s at offset %d: %s", name, e.Offset, e.Reason)
	} else if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *FormatError) Unwrap() error { return e.Err }

// formatTitle is the name of f as people write it.
func formatTitle(f Format) string {
	if f == WebP {
		return "WebP"
	}
	return strings.ToUpper(string(f))
}
