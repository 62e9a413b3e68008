package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("é", 127) + ".jpg" // 258 bytes: the temporary name must be shortened
	for _, tt := range []struct {
		name, old string // old: the file's contents before, "" for none
		fail      bool
		want      string
	}{
		{"new.jpg", "", false, "new"},
		{"old.jpg", "before", false, "after"},
		{"kept.jpg", "before", true, "before"},
		{"none.jpg", "", true, ""},
		{long[:250], "", false, "long"},
	} {
		path := filepath.Join(dir, tt.name)
		if tt.old != "" {
			if err := os.WriteFile(path, []byte(tt.old), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		errWrite := errors.New("write failed")
		err := Write(path, 0o640, func(f *os.File) error {
			if _, err := f.WriteString(tt.want + "partial"); err != nil {
				return err
			}
			if tt.fail {
				return errWrite
			}
			return f.Truncate(int64(len(tt.want)))
		})
		if tt.fail != (err != nil) || tt.fail && !errors.Is(err, errWrite) {
			t.Errorf("%.20s: Write: %v", tt.name, err)
		}
		got, err := os.ReadFile(path)
		switch {
		case tt.want == "" && !errors.Is(err, os.ErrNotExist):
			t.Errorf("%.20s: a failed write left a file (%v)", tt.name, err)
		case tt.want != "" && string(got) != tt.want:
			t.Errorf("%.20s: %q, want %q", tt.name, got, tt.want)
		}
		if fi, err := os.Stat(path); err == nil && !tt.fail && fi.Mode().Perm() != 0o640 {
			t.Errorf("%.20s: mode %v", tt.name, fi.Mode())
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if IsTemp(e.Name()) {
			t.Errorf("temporary file %s left", e.Name())
		}
	}
}

func TestIsTemp(t *testing.T) {
	for name, want := range map[string]bool{
		".photo.jpg" + TempMarker + "123":           true,
		"/a/b/.x" + TempMarker + "9":                true,
		"photo.jpg":                                 false,
		"photo" + TempMarker + "1":                  false, // not hidden
		".photo.jpg":                                false,
		filepath.Join(".hidden", "photo.jpg"):       false,
		"." + strings.Repeat("a", 200) + TempMarker: true,
	} {
		if IsTemp(name) != want {
			t.Errorf("IsTemp(%q) = %v", name, !want)
		}
	}
}

// FuzzTempPattern checks the temporary names Write would create for any
// base name: within the file system's limit, recognised by IsTemp, and
// valid UTF-8 when the name was.
func FuzzTempPattern(f *testing.F) {
	for _, s := range []string{"photo.jpg", strings.Repeat("é", 200), strings.Repeat("a", 300), ".hidden", "IMG_20240601_211403.HEIC"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, base string) {
		if strings.ContainsAny(base, "/\x00") {
			return // not a base name
		}
		p := tempPattern(base)
		name := strings.Replace(p, "*", "4294967295", 1) // the longest random part
		if len(name) > nameMax {
			t.Errorf("%d-byte temporary name for a %d-byte base", len(name), len(base))
		}
		if !IsTemp(name) {
			t.Errorf("IsTemp(%q) is false", name)
		}
		if utf8.ValidString(base) && !utf8.ValidString(name) {
			t.Errorf("temporary name %q is not UTF-8", name)
		}
	})
}
