package text

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	tests := []struct {
		in                        string
		cstring                   string
		readable, line, lines, nc bool
	}{
		{"Canon", "Canon", true, true, true, true},
		{" Canon \x00junk", "Canon", true, false, false, false},
		{"a\nb\tc", "a\nb\tc", true, false, true, true},
		{"a\u2028b", "a\u2028b", true, false, true, true},
		{"", "", false, false, false, false},
		{"   ", "", true, false, false, true},
		{"\x00text", "", false, false, false, false},
		{"bell\x07", "bell\x07", false, false, false, false},
		{"del\x7f", "del\x7f", true, false, false, false},
		{"c1\u0085", "c1", true, false, false, false},
		{"zwsp\u200b", "zwsp\u200b", true, false, false, true},
		{"\xff\xfe", "\xff\xfe", false, false, false, false},
		{"Müller", "Müller", true, true, true, true},
		{"\ufffd", "\ufffd", true, true, true, false},
	}
	for _, tt := range tests {
		if got := CString([]byte(tt.in)); got != tt.cstring {
			t.Errorf("CString(%q) = %q, want %q", tt.in, got, tt.cstring)
		}
		if got := Readable([]byte(tt.in)); got != tt.readable {
			t.Errorf("Readable(%q) = %v", tt.in, got)
		}
		if got := Printable(tt.in, false); got != tt.line {
			t.Errorf("Printable(%q, false) = %v", tt.in, got)
		}
		if got := Printable(tt.in, true); got != tt.lines {
			t.Errorf("Printable(%q, true) = %v", tt.in, got)
		}
		if got := NoControls(tt.in); got != tt.nc {
			t.Errorf("NoControls(%q) = %v", tt.in, got)
		}
	}
}

// FuzzText checks what the checks promise of each other: a C string holds
// no NUL and no surrounding space, one line of printable text is also
// printable as lines, and printable text is free of controls.
//
// Seeds: the text chunks and segments of the samples in ../../testdata
// (the runs of printable ASCII in them).
func FuzzText(f *testing.F) {
	names, _ := filepath.Glob("../../testdata/*")
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		n := 0
		for _, run := range bytes.FieldsFunc(b, func(r rune) bool { return r < 0x20 || r >= 0x7f }) {
			if len(run) >= 8 && n < 8 {
				f.Add(run)
				n++
			}
		}
	}
	f.Add([]byte("Ph\x00Ed\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := CString(b)
		if strings.IndexByte(c, 0) >= 0 || strings.TrimSpace(c) != c {
			t.Fatalf("CString(%q) = %q", b, c)
		}
		s := string(b)
		if Printable(s, false) && !Printable(s, true) {
			t.Fatalf("%q is printable as a line but not as lines", s)
		}
		if Printable(s, true) && (!utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0) {
			t.Fatalf("%q is printable", s)
		}
		if Readable(b) && !utf8.ValidString(c) {
			t.Fatalf("%q is readable but its C string %q is not UTF-8", b, c)
		}
	})
}
