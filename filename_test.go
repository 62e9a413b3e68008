package exifscrub

import (
	"os"
	"path/filepath"
	"testing"
)

// TestScanName: ScanName reads the last element of a path
// (internal/filename tests the names themselves) and reports it as a
// Finding.
func TestScanName(t *testing.T) {
	paths := map[string]string{ // path: the moment, "" for none
		"IMG_20240601_211403.jpg":                      "2024-06-01T21:14:03",
		"IMG-20240601-WA0007.jpg":                      "2024-06-01",
		"IMG_1234.JPG":                                 "",
		"/home/me/DCIM/Camera/IMG_20240601_211403.jpg": "2024-06-01T21:14:03",
		`C:\Users\me\Pictures\IMG_20240601_211403.jpg`: "2024-06-01T21:14:03",
		"/photos/2024-06-01/IMG_1234.jpg":              "",
	}
	for path, want := range paths {
		f, ok := ScanName(path)
		if want == "" {
			if ok {
				t.Errorf("ScanName(%q) = %+v, want nothing", path, f)
			}
			continue
		}
		if w := (Finding{Category: Time, Container: "file name", Tag: "FileName", Value: want}); !ok || f != w {
			t.Errorf("ScanName(%q) = %+v, %v; want %+v", path, f, ok, w)
		}
	}
}

// TestScanNameCorpus: the corpus files, named after their source and
// camera, tell no time.
func TestScanNameCorpus(t *testing.T) {
	for _, dir := range []string{"testdata", os.Getenv("EXIFSCRUB_CORPUS")} {
		if dir == "" {
			continue
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if f, ok := ScanName(filepath.Join(dir, e.Name())); ok {
				t.Errorf("ScanName(%q) = %q, want nothing", e.Name(), f.Value)
			}
		}
	}
}
