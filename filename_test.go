package exifscrub

import (
	"os"
	"path/filepath"
	"testing"
)

func TestScanName(t *testing.T) {
	tests := []struct {
		name string
		want string // "" when the name tells no time
	}{
		{"IMG_20240601_211403.jpg", "2024-06-01T21:14:03"},
		{"IMG-20240601-WA0007.jpg", "2024-06-01"},
		{"IMG_1234.JPG", ""},
		// Paths: only the last element counts (internal/filename
		// tests the names).
		{"/home/me/DCIM/Camera/IMG_20240601_211403.jpg", "2024-06-01T21:14:03"},
		{`C:\Users\me\Pictures\IMG_20240601_211403.jpg`, "2024-06-01T21:14:03"},
		{"/photos/2024-06-01/IMG_1234.jpg", ""},
	}
	for _, tt := range tests {
		f, ok := ScanName(tt.name)
		if ok != (tt.want != "") || f.Value != tt.want {
			t.Errorf("ScanName(%q) = %q, %v; want %q, %v", tt.name, f.Value, ok, tt.want, tt.want != "")
			continue
		}
		if ok && (f.Category != Time || f.Container != "file name" || f.Tag != "FileName") {
			t.Errorf("ScanName(%q): got %+v, want category time, container \"file name\", tag FileName", tt.name, f)
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
