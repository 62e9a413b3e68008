// Package mp4 reads the sample tables of an MP4 or QuickTime movie
// (ISO/IEC 14496-12, QTFF) and rebuilds the boxes of its index that a
// player reads, from their fields: the byte ranges of a track's samples
// and which of them are coded video to neutralise (a [Plan]), and the
// fixed-field, table and sample-entry boxes of 'stbl', 'edts', 'minf',
// 'dinf' and 'stsd' written anew at their spec length.
//
// The contract: no function panics, and none allocates from a count read
// out of the input before checking it against the bytes that hold it
// ('stco', 'stsc', 'stsz' and every counted table). Errors are the
// *bmff.Error values of package bmff, carrying the file offset of the
// problem; those whose Err is [ErrUnsupported] are valid files that use a
// feature a scrubber cannot copy safely. A rebuilding function writes to a
// *bmff.Writer and appends what it leaves out, in input order, to a
// [*Log]: boxes it does not know, bytes after the fields of a box it
// rebuilds, descriptors and metadata blocks it drops. The caller reports
// them, in that order.
//
// It also reads the structure of the movie box (moov.go): the ID,
// handler, first sample entry and sample table of a 'trak' ([ParseTrak]),
// the fields and times of the movie, track and media headers, the header
// of a top-level box ([PeekHeader]); and writes track references, chunk
// and 'saio' offsets (returning where each [Offset] is) and the fields of
// sample entries. And it decodes and writes the values of QuickTime and
// 3GPP metadata (meta.go): 'keys', 'data' atoms of QTFF "Well-Known
// Types", user data text, 'loci' locations, as plain strings and numbers.
//
// The package does not decide what a track is (metadata, text, video),
// which tracks stay, what a metadata value means, what a policy keeps, or
// how anything is reported, and rewrites no offsets (chunk offsets are
// the caller's, who knows where 'mdat' moves). It holds no 'mdat' data:
// it reads the index, and the caller streams the samples.
package mp4

import (
	"bytes"
	"errors"
	"sort"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// ErrUnsupported is the Err of a *bmff.Error about a valid file that uses
// a feature this package's callers cannot copy: a sample entry or box
// version it does not know, a stream in another file, samples of two
// tracks that overlap.
var ErrUnsupported = errors.New("unsupported MP4 feature")

// Box types of the movie index (14496-12 §8 and QTFF) that this package
// reads or writes, as variables because Go has no array constants; nothing
// assigns to them.
var (
	BoxStsd = bmff.FourCC{'s', 't', 's', 'd'} // §8.5.2 sample descriptions
	BoxStsz = bmff.FourCC{'s', 't', 's', 'z'} // §8.7.3 sample sizes
	BoxStz2 = bmff.FourCC{'s', 't', 'z', '2'} // §8.7.3.3 compact sample sizes
	BoxStsc = bmff.FourCC{'s', 't', 's', 'c'} // §8.7.4 sample to chunk
	BoxStco = bmff.FourCC{'s', 't', 'c', 'o'} // §8.7.5 chunk offsets
	BoxCo64 = bmff.FourCC{'c', 'o', '6', '4'} // §8.7.5 64-bit chunk offsets
	BoxSaio = bmff.FourCC{'s', 'a', 'i', 'o'} // §8.7.9 sample auxiliary information offsets
	BoxSaiz = bmff.FourCC{'s', 'a', 'i', 'z'} // §8.7.8 sample auxiliary information sizes
)

// A Span is a range of file offsets, [Start, End).
type Span struct{ Start, End int64 }

// MergeSpans sorts spans and joins those that overlap or touch.
func MergeSpans(s []Span) []Span {
	sort.Slice(s, func(i, j int) bool { return s[i].Start < s[j].Start })
	var out []Span
	for _, x := range s {
		if n := len(out); n > 0 && x.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, x.End)
			continue
		}
		out = append(out, x)
	}
	return out
}

// Overlap reports whether two sorted lists of disjoint spans share a
// byte, and the first such offset.
func Overlap(a, b []Span) (int64, bool) {
	for len(a) > 0 && len(b) > 0 {
		if start := max(a[0].Start, b[0].Start); start < min(a[0].End, b[0].End) {
			return start, true
		}
		if a[0].End <= b[0].End {
			a = a[1:]
		} else {
			b = b[1:]
		}
	}
	return 0, false
}

// SameSpans reports whether a and b are equal.
func SameSpans(a, b []Span) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// isZero reports whether b is all zero bytes.
func isZero(b []byte) bool {
	return len(bytes.Trim(b, "\x00")) == 0
}
