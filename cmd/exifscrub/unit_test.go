package main

import (
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

func TestScrubbedName(t *testing.T) {
	for _, tt := range []struct {
		in, want string
	}{
		{"photo.jpg", "photo.scrubbed.jpg"},
		{"dir/IMG_1.JPEG", "dir/IMG_1.scrubbed.JPEG"},
		{"a.b.png", "a.b.scrubbed.png"},
		{"noext", "noext.scrubbed"},
		{".hidden", ".hidden.scrubbed"},
	} {
		if got := scrubbedName(tt.in); got != tt.want {
			t.Errorf("scrubbedName(%q): got %q, want %q", tt.in, got, tt.want)
		}
		if isScrubbedName(tt.in) {
			t.Errorf("isScrubbedName(%q): got true, want false", tt.in)
		}
		if !isScrubbedName(tt.want) {
			t.Errorf("isScrubbedName(%q): got false, want true", tt.want)
		}
	}
}

func TestAllowList(t *testing.T) {
	dir := t.TempDir()
	ignore := filepath.Join(dir, "ignore")
	writeFile(t, ignore, []byte(`# comment

*.png
!keep.png
/top.jpg
assets/
docs/**/*.jpg
\#hash.jpg
`))
	a, err := loadAllowList(ignore, []string{"extra/*.jpg"})
	if err != nil {
		t.Fatal(err)
	}
	cwd, _ := os.Getwd()
	for _, tt := range []struct {
		path  string
		isDir bool
		want  bool
	}{
		{"x.png", false, true},
		{"deep/er/x.png", false, true},
		{"keep.png", false, false},
		{"top.jpg", false, true},
		{"sub/top.jpg", false, false},
		{"assets", true, true},
		{"assets", false, false}, // a file named like a directory pattern
		{"assets/a.jpg", false, true},
		{"sub/assets/a.jpg", false, true},
		{"docs/a/b/c.jpg", false, true},
		{"docs/c.jpg", false, true},
		{"#hash.jpg", false, true},
		{"other.jpg", false, false},
	} {
		if got := a.allowed(filepath.Join(dir, tt.path), tt.isDir) != ""; got != tt.want {
			t.Errorf("allowed(%q, dir=%v): got %v, want %v", tt.path, tt.isDir, got, tt.want)
		}
	}
	if a.allowed(filepath.Join(cwd, "extra", "a.jpg"), false) == "" {
		t.Errorf("--allow extra/*.jpg does not match extra/a.jpg")
	}
	if _, err := loadAllowList(filepath.Join(dir, "missing"), nil); err == nil {
		t.Errorf("a missing --ignore-file is no error")
	}
	if _, err := loadAllowList("", []string{"[bad"}); err == nil {
		t.Errorf("an invalid pattern is no error")
	}
}

// TestForEachOrder checks that results come out in input order whatever
// order the work finishes in.
func TestForEachOrder(t *testing.T) {
	const n = 50
	var ticks atomic.Int32
	var got []int
	forEach(n, 8, func(i int) {
		time.Sleep(time.Duration((n-i)%7) * time.Millisecond)
	}, func(i int) {
		got = append(got, i)
	}, func() { ticks.Add(1) })
	want := make([]int, n)
	for i := range want {
		want[i] = i
	}
	if !slices.Equal(got, want) {
		t.Errorf("emitted %v, want 0…%d in order", got, n-1)
	}
	if ticks.Load() != n {
		t.Errorf("got %d ticks, want %d", ticks.Load(), n)
	}
	forEach(0, 4, func(int) { t.Error("work called") }, func(int) { t.Error("emit called") }, nil)
}

func TestByteSize(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{{0, "0 B"}, {999, "999 B"}, {4200, "4.2 kB"}, {1_300_000, "1.3 MB"}} {
		if got := byteSize(tt.n); got != tt.want {
			t.Errorf("byteSize(%d): got %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestGitHubEscaping(t *testing.T) {
	if got, want := ghProperty("a,b:c%\n"), "a%2Cb%3Ac%25%0A"; got != want {
		t.Errorf("ghProperty: got %q, want %q", got, want)
	}
	if got, want := ghData("a,b:c%\r\n"), "a,b:c%25%0D%0A"; got != want {
		t.Errorf("ghData: got %q, want %q", got, want)
	}
}
