package exifscrub

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkFormatError checks that err is a *FormatError for format f whose
// offset lies within an input of n bytes, and whether it wraps
// io.ErrUnexpectedEOF (a truncation) and ErrUnsupportedFeature (a refusal).
func checkFormatError(t *testing.T, err error, f Format, n int, eof, feature bool) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want a *FormatError", err)
	}
	if fe.Format != f || fe.Offset < 0 || fe.Offset > int64(n) {
		t.Errorf("error %v: format %q, offset %d; want %q and an offset within %d bytes", err, fe.Format, fe.Offset, f, n)
	}
	if got := errors.Is(err, io.ErrUnexpectedEOF); got != eof {
		t.Errorf("errors.Is(%v, io.ErrUnexpectedEOF) = %v, want %v", err, got, eof)
	}
	if got := errors.Is(err, ErrUnsupportedFeature); got != feature {
		t.Errorf("errors.Is(%v, ErrUnsupportedFeature) = %v, want %v", err, got, feature)
	}
}

// TestTruncated cuts real files at every length: once the magic bytes are
// there, each cut must give a truncation error, never a panic or a silent
// success. (WebP and HEIF have their own, in webp_test.go and heic_test.go.)
func TestTruncated(t *testing.T) {
	for _, tc := range []struct {
		file  string
		magic int
	}{
		{"jpg__Canon_40D.jpg", 3},
		{"pillow__icc_profile.png", len(pngSignature)},
	} {
		t.Run(tc.file, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			for n := 0; n < len(in); n++ {
				_, err := Scrub(io.Discard, bytes.NewReader(in[:n]), nil)
				if err == nil {
					t.Fatalf("cut at %d of %d: no error", n, len(in))
				}
				if n >= tc.magic && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("cut at %d: %v, want io.ErrUnexpectedEOF", n, err)
				}
			}
		})
	}
}

func TestUnsupportedFormat(t *testing.T) {
	for _, in := range []string{"", "GIF89a....", "%PDF-1.7", "\xff\xd8"} {
		_, err := Scan(strings.NewReader(in))
		if in == "" || in == "\xff\xd8" {
			if err == nil {
				t.Errorf("Scan(%q): no error", in)
			}
			continue
		}
		if !errors.Is(err, ErrUnsupportedFormat) {
			t.Errorf("Scan(%q) = %v, want ErrUnsupportedFormat", in, err)
		}
	}
}
