package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"testing"
)

func TestZipNames(t *testing.T) {
	used := map[string]bool{}
	for _, tc := range []struct{ in, want string }{
		{"a.jpg", "a.jpg"},
		{`C:\Users\me\a.jpg`, "a (2).jpg"},
		{"dir/A.JPG", "A (3).JPG"},
		{"../..", "photo"},
		{"", "photo (2)"},
		{"/", "photo (3)"},
		{"noext", "noext"},
	} {
		if got := uniqueName(zipName(tc.in), used); got != tc.want {
			t.Errorf("name for %q = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMakeZip(t *testing.T) {
	files := []zipEntry{{"x.jpg", []byte("one")}, {"x.jpg", []byte("two")}, {"y.png", nil}}
	z, err := makeZip(files)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"x.jpg", "x (2).jpg", "y.png"}
	if len(zr.File) != len(want) {
		t.Fatalf("%d files, want %d", len(zr.File), len(want))
	}
	for i, f := range zr.File {
		if f.Name != want[i] || f.Method != zip.Store || !f.Modified.IsZero() && f.Modified.Year() > 1980 {
			t.Errorf("file %d: %q method %d modified %v", i, f.Name, f.Method, f.Modified)
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		if !bytes.Equal(b, files[i].Data) {
			t.Errorf("%s: %q, want %q", f.Name, b, files[i].Data)
		}
	}
}

func TestScanScrub(t *testing.T) {
	in, err := os.ReadFile("../../testdata/jpg__Kodak_CX7530.jpg")
	if err != nil {
		t.Fatal(err)
	}
	b, err := scan("k.jpg", in)
	if err != nil {
		t.Fatal(err)
	}
	var rep fileReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Path != "k.jpg" || rep.Format != "jpeg" || rep.Location == nil || len(rep.Findings) == 0 {
		t.Errorf("scan: %s", b)
	}
	res, err := scrub("k.jpg", in, nil, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Verified || !bytes.Contains(res.Rescan, []byte(`"findings":[]`)) {
		t.Errorf("scrub: not verified clean: %s", res.Rescan)
	}

	for _, tc := range []struct {
		in   []byte
		code string
	}{
		{nil, codeUnsupportedFormat},
		{[]byte("hello"), codeUnsupportedFormat},
		{in[:100], codeFormatError},
	} {
		_, err := scan("", tc.in)
		var e *apiError
		if !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("scan(%.8q): %v, want code %s", tc.in, err, tc.code)
		}
		if _, err := scrub("", tc.in, nil, new(bytes.Buffer)); !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("scrub(%.8q): %v, want code %s", tc.in, err, tc.code)
		}
	}
}
