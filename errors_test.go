package exifscrub

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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
					if _, ok := findingKeys(rep)["other JPEG ImageData"]; !ok || !rep.Damaged {
						t.Fatalf("cut at %d, after the first scan header: damage not reported (Damaged %v) in %v", n, rep.Damaged, rep.Findings)
					}
					continue
				}
				if err == nil {
					t.Fatalf("cut at %d of %d: no error", n, len(in))
				}
				if rep == nil || rep.Damaged {
					t.Fatalf("cut at %d: report %v, want a report that is not Damaged", n, rep)
				}
				if n >= tc.magic && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("cut at %d: %v, want io.ErrUnexpectedEOF", n, err)
				}
			}
		})
	}
}

// TestUnsupportedFormat checks the errors for what is not an image, and
// that the report is not nil then either, so that the README's
// "if rep.Has(...)" after Scrub cannot panic; a nil *Report's methods are
// safe too.
func TestUnsupportedFormat(t *testing.T) {
	var none *Report
	if none.Has(Location) || none.Total() != 0 {
		t.Errorf("a nil report has findings")
	}
	if _, _, ok := none.Location(); ok {
		t.Errorf("a nil report has a location")
	}
	for _, in := range []string{"", "GIF89a....", "%PDF-1.7", "\xff\xd8"} {
		rep, _ := Scrub(io.Discard, strings.NewReader(in), nil)
		if rep == nil || rep.Has(Location) || rep.Findings == nil {
			t.Errorf("Scrub(%q): report %v, want an empty one", in, rep)
		}
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
		var u *UnsupportedFormatError
		if name := map[byte]string{'G': "GIF", '%': "PDF"}[in[0]]; !errors.As(err, &u) || u.Name != name {
			t.Errorf("Scan(%q) = %v, want an *UnsupportedFormatError named %q", in, err, name)
		}
	}
}

// failingReader returns its data and then err, as a network stream does
// when the connection drops or a context is canceled.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestReaderError checks that a reader failing anywhere in an image, in any
// format, gives back the reader's own error, not a *FormatError: the image
// is not at fault.
func TestReaderError(t *testing.T) {
	boom := errors.New("connection reset by peer")
	files, err := filepath.Glob(filepath.Join("testdata", "*.*"))
	if err != nil {
		t.Fatal(err)
	}
	formats := make(map[Format]bool)
	for _, file := range files {
		in, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Scan(bytes.NewReader(in))
		if err != nil {
			continue // not an image: README.md
		}
		formats[rep.Format] = true
		for _, cut := range []int{0, 1, 16, len(in) / 4, len(in) / 2, len(in) - 100, len(in) - 1, len(in)} {
			cut = max(0, min(cut, len(in)))
			if cut == len(in) && !slices.Contains([]Format{JPEG, PNG, WebP, HEIF, AVIF}, rep.Format) {
				continue // video: reading stops at the end of the last box, before the reader's error
			}
			for _, scan := range []bool{true, false} {
				r := &failingReader{data: in[:cut], err: boom}
				var err error
				if scan {
					_, err = Scan(r)
				} else {
					_, err = Scrub(io.Discard, r, nil)
				}
				var fe *FormatError
				if !errors.Is(err, boom) || errors.As(err, &fe) {
					t.Errorf("%s failing after %d of %d bytes (scan %v): got %v, want the reader's error as it is",
						filepath.Base(file), cut, len(in), scan, err)
				}
			}
		}
	}
	for _, f := range []Format{JPEG, PNG, WebP, HEIF, AVIF} {
		if !formats[f] {
			t.Errorf("no %s file in testdata", f)
		}
	}
}

// TestContextCanceled: a request body that fails with context.Canceled
// gives context.Canceled.
func TestContextCanceled(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "jpg__Canon_40D.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Scrub(io.Discard, &failingReader{data: in[:len(in)/2], err: context.Canceled}, nil)
	if !errors.Is(err, context.Canceled) || err != context.Canceled {
		t.Errorf("got %v, want context.Canceled itself", err)
	}
}

// TestCleanReportJSON: a clean image's report encodes its findings as an
// empty array, not null, whether it came from Scan or was made by hand.
func TestCleanReportJSON(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "jpg__Canon_40D.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := Scrub(&out, bytes.NewReader(in), nil); err != nil {
		t.Fatal(err)
	}
	rep, err := Scan(&out)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []any{rep, *rep, &Report{Format: PNG}} {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"findings":[]`) {
			t.Errorf("clean report encodes as %s, want \"findings\":[]", b)
		}
	}
}

// TestPartialReport: a photo truncated before the end of its image data
// reports the metadata before the cut along with the truncation error. (A
// JPEG cut inside its scan is not an error: decoders show it, and Scrub
// keeps it; see TestJPEGTruncatedData.)
func TestPartialReport(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "jpg__Canon_40D.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	sos := bytes.LastIndex(in, []byte{0xff, markerSOS}) // the main image's scan
	if sos < 0 {
		t.Fatal("no SOS marker")
	}
	rep, err := Scan(bytes.NewReader(in[:sos+5])) // inside the scan header
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v, want a truncation", err)
	}
	if rep == nil || !rep.Has(Location) || !rep.Has(Device) {
		t.Errorf("partial report %+v: want the GPS and camera read before the cut", rep)
	}
}

func TestErrUnsupportedFeatureMessage(t *testing.T) {
	if got := ErrUnsupportedFeature.Error(); !strings.HasPrefix(got, "exifscrub: ") {
		t.Errorf("ErrUnsupportedFeature = %q, want the exifscrub: prefix", got)
	}
}

// TestConcurrentScrub scrubs every sample from many goroutines at once, as
// a server does: each result must equal the one scrubbed alone. Run with
// -race (.ci/run does) to check that calls share nothing unsafely.
func TestConcurrentScrub(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.*"))
	if err != nil {
		t.Fatal(err)
	}
	type sample struct {
		in, want          []byte
		scrubRep, scanRep string
	}
	reportJSON := func(rep *Report) string {
		b, _ := json.Marshal(rep)
		return string(b)
	}
	var samples []sample
	for _, file := range files {
		in, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		rep, err := Scrub(&out, bytes.NewReader(in), nil)
		if err != nil {
			continue // README.md
		}
		scan, _ := Scan(bytes.NewReader(in))
		samples = append(samples, sample{in, out.Bytes(), reportJSON(rep), reportJSON(scan)})
	}
	const rounds = 8
	var wg sync.WaitGroup
	errs := make(chan string, rounds*len(samples))
	for i := 0; i < rounds; i++ {
		for j, s := range samples {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if (i+j)%2 == 0 {
					var out bytes.Buffer
					rep, err := Scrub(&out, bytes.NewReader(s.in), nil)
					if err != nil || !bytes.Equal(out.Bytes(), s.want) || reportJSON(rep) != s.scrubRep {
						errs <- fmt.Sprintf("sample %d, round %d: Scrub's output or report differs (%v)", j, i, err)
					}
				} else {
					rep, err := Scan(bytes.NewReader(s.in))
					if err != nil || reportJSON(rep) != s.scanRep {
						errs <- fmt.Sprintf("sample %d, round %d: Scan's report differs (%v)", j, i, err)
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
