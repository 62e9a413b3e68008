// Package text holds the checks that the metadata codecs share for the
// text a value holds: where a C string ends (CString), whether bytes read
// as text (Readable), and whether a kept value is printable text of one
// line or of many (Printable) or at least free of control characters
// (NoControls).
//
// The checks take plain bytes or strings and return plain values; they
// never panic and allocate nothing but the strings they return. The
// package does not know which value holds text, decode character sets
// (Latin-1, UCS-2 and the XMP encodings are their codecs' own), or
// shorten text for a report.
package text

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CString returns b up to its first NUL, without surrounding space.
func CString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.TrimSpace(string(b))
}

// Readable reports whether b, up to a NUL, looks like printable text:
// valid UTF-8 with no control character but tab and line breaks.
func Readable(b []byte) bool {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}

// Printable reports whether t is non-empty text of printable characters
// (Unicode letters, marks, numbers, punctuation, symbols and the space;
// tabs and line breaks, U+2028 and U+2029 too, when lines is set): no
// control or invisible formatting character, and no NUL.
func Printable(t string, lines bool) bool {
	if strings.TrimSpace(t) == "" || !utf8.ValidString(t) {
		return false
	}
	for _, r := range t {
		if !unicode.IsPrint(r) && !(lines && (r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029')) {
			return false
		}
	}
	return true
}

// NoControls reports whether s is text with no control character but tab
// and line breaks (C0, DEL and C1 are not text) and no U+FFFD, which
// stands for bytes that were not text.
func NoControls(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r >= 0x7f && r < 0xa0 || r == utf8.RuneError {
			return false
		}
	}
	return true
}
