package exifscrub

import (
	"bytes"
	"encoding/binary"
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
// success — but for a JPEG cut after its first scan header, which decoders
// display and Scrub cleans, reporting the damage (TestScrubJPEGTruncated).
// (WebP and HEIF have their own, in webp_test.go and heic_test.go.)
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
			scans := len(in)
			if DetectFormat(in) == JPEG {
				// Walk the segments to the end of the first SOS.
				for i := 2; i+4 <= len(in); {
					end := i + 2 + int(binary.BigEndian.Uint16(in[i+2:]))
					if in[i+1] == markerSOS {
						scans = end
						break
					}
					i = end
				}
			}
			for n := 0; n < len(in); n++ {
				rep, err := Scrub(io.Discard, bytes.NewReader(in[:n]), nil)
				if n >= scans {
					if err != nil {
						t.Fatalf("cut at %d, after the first scan header: %v", n, err)
					}
					if _, ok := findingKeys(rep)["other JPEG ImageData"]; !ok {
						t.Fatalf("cut at %d, after the first scan header: damage not reported in %v", n, rep.Findings)
					}
					continue
				}
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
