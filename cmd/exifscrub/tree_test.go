package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// makeTree builds a tree of mixed content under a new temporary directory
// and returns its root and a directory outside it that a link points to:
//
//	a.jpg             GPS and more
//	b.png             text chunks
//	noext             a JPEG without an extension: detected by content
//	fake.jpg          text named .jpg: skipped
//	notes.txt         text: skipped
//	clean.png         nothing to remove
//	nested/d.jpg      IPTC
//	nested/deeper/c.mpo
//	.git/x.jpg        not walked
//	link.jpg -> a.jpg           a link inside the tree: a.jpg once
//	loop -> .                   a link loop
//	self -> self                a link to itself
//	outside -> OUTSIDE          a link out of the tree: not followed
//	OUTSIDE/e.jpg
func makeTree(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root, outside = filepath.Join(base, "root"), filepath.Join(base, "outside")
	copyFile(t, filepath.Join(root, "a.jpg"), gpsJPEG)
	copyFile(t, filepath.Join(root, "b.png"), textPNG)
	copyFile(t, filepath.Join(root, "noext"), gpsJPEG)
	copyFile(t, filepath.Join(root, "clean.png"), cleanPNG)
	writeFile(t, filepath.Join(root, "fake.jpg"), []byte("not a JPEG\n"))
	writeFile(t, filepath.Join(root, "notes.txt"), []byte("hello\n"))
	copyFile(t, filepath.Join(root, "nested", "d.jpg"), iptcJPEG)
	copyFile(t, filepath.Join(root, "nested", "deeper", "c.mpo"), mpo)
	copyFile(t, filepath.Join(root, ".git", "x.jpg"), gpsJPEG)
	copyFile(t, filepath.Join(outside, "e.jpg"), gpsJPEG)
	for link, target := range map[string]string{
		"link.jpg": "a.jpg", "loop": ".", "self": "self", "outside": outside,
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	return root, outside
}

// treeImages are the images of makeTree that the commands process, in
// walking order.
var treeImages = []string{"a.jpg", "b.png", "clean.png", "nested/d.jpg", "nested/deeper/c.mpo", "noext"}

func jsonPaths(t *testing.T, out, root string) []string {
	t.Helper()
	var files []jsonFile
	if err := json.Unmarshal([]byte(out), &files); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var paths []string
	for _, f := range files {
		rel, _ := filepath.Rel(root, f.Path)
		paths = append(paths, filepath.ToSlash(rel))
	}
	return paths
}

func TestTreeCheck(t *testing.T) {
	root, _ := makeTree(t)
	r := runBinary(t, root, "check", "--json", "--jobs", "1", root)
	if r.code != exitFound {
		t.Errorf("exit code: got %d, want %d; stderr:\n%s", r.code, exitFound, r.stderr)
	}
	if got := jsonPaths(t, r.stdout, root); !slices.Equal(got, treeImages) {
		t.Errorf("checked %v, want %v", got, treeImages)
	}
	// The order is the input order, however many jobs run.
	for _, jobs := range []string{"2", "8"} {
		if r2 := runBinary(t, root, "check", "--json", "--jobs", jobs, root); r2.stdout != r.stdout {
			t.Errorf("--jobs %s: output differs from --jobs 1", jobs)
		}
	}
	// Following links out of the tree is asked for.
	r = runBinary(t, root, "check", "--json", "--follow-symlinks", root)
	if got := jsonPaths(t, r.stdout, root); !slices.Contains(got, "outside/e.jpg") {
		t.Errorf("--follow-symlinks: checked %v, want outside/e.jpg among them", got)
	}
	// Not recursive: only the files directly in root.
	r = runBinary(t, root, "check", "--json", "--recursive=false", root)
	if got := jsonPaths(t, r.stdout, root); slices.Contains(got, "nested/d.jpg") || !slices.Contains(got, "a.jpg") {
		t.Errorf("--recursive=false: checked %v", got)
	}
	// Skipped files are named with --verbose.
	r = runBinary(t, root, "check", "-v", ".")
	for _, s := range []string{"skipped fake.jpg: not an image", "skipped notes.txt", "skipped outside: symbolic link leads out of the tree", "skipped self: broken symbolic link or link loop"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("check -v: stderr lacks %q:\n%s", s, r.stderr)
		}
	}
}

func TestTreeIgnoreFile(t *testing.T) {
	root, _ := makeTree(t)
	writeFile(t, filepath.Join(root, ignoreFileName), []byte("# assets that may keep their metadata\nnested/\n*.png\n!b.png\na.jpg\nnoext\n"))
	r := runBinary(t, root, "check", "--json", ".")
	if got := jsonPaths(t, r.stdout, "."); !slices.Equal(got, []string{"b.png"}) {
		t.Errorf("with %s: checked %v, want [b.png]", ignoreFileName, got)
	}
	// Explicit files are allowed too: pre-commit names them.
	r = runBinary(t, root, "check", "a.jpg", "nested/d.jpg")
	if r.code != exitOK {
		t.Errorf("allowed files named: got exit %d, want 0; %s", r.code, r.stdout)
	}
	r = runBinary(t, root, "check", "--ignore-file", "/nonexistent", ".")
	if r.code != exitUsage {
		t.Errorf("missing --ignore-file: got exit %d, want %d", r.code, exitUsage)
	}
}

func TestTreeScrubInPlace(t *testing.T) {
	root, outside := makeTree(t)
	want := map[string][]byte{}
	for _, name := range treeImages {
		want[name] = scrubbedBytes(t, filepath.Join(root, name))
	}
	stale := filepath.Join(root, "nested", ".d.jpg.exifscrub-tmp-123456")
	writeFile(t, stale, []byte("left by a killed run"))

	r := runBinary(t, root, "scrub", "--in-place", "-v", root)
	if r.code != exitOK {
		t.Fatalf("exit code: got %d, want 0; stderr:\n%s", r.code, r.stderr)
	}
	for name, w := range want {
		if got := readFile(t, filepath.Join(root, name)); !bytes.Equal(got, w) {
			t.Errorf("%s: not scrubbed", name)
		}
	}
	if !bytes.Equal(readFile(t, filepath.Join(outside, "e.jpg")), readFile(t, gpsJPEG)) {
		t.Errorf("a file outside the tree changed")
	}
	if !bytes.Equal(readFile(t, filepath.Join(root, ".git", "x.jpg")), readFile(t, gpsJPEG)) {
		t.Errorf(".git was walked")
	}
	if fi, err := os.Lstat(filepath.Join(root, "link.jpg")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link.jpg is no longer a symbolic link")
	}
	if _, err := os.Lstat(stale); err == nil {
		t.Errorf("stale temporary file not removed")
	}
	for _, s := range []string{"scrubbed 6 files, skipped 4", "removed " + stale} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
	if r := runBinary(t, root, "check", root); r.code != exitOK {
		t.Errorf("check after scrub: got exit %d, want 0:\n%s", r.code, r.stdout)
	}
}

func TestTreeScrubBeside(t *testing.T) {
	root, _ := makeTree(t)
	for range 2 { // the second run must not scrub the outputs of the first
		if r := runBinary(t, root, "scrub", root); r.code != exitOK || r.stdout+r.stderr != "" {
			t.Fatalf("got %+v, want exit 0 and no output", r)
		}
	}
	var scrubbed []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), scrubbedSuffix) {
			rel, _ := filepath.Rel(root, p)
			scrubbed = append(scrubbed, filepath.ToSlash(rel))
		}
		return nil
	})
	want := []string{"a.scrubbed.jpg", "b.scrubbed.png", "clean.scrubbed.png", "nested/d.scrubbed.jpg", "nested/deeper/c.scrubbed.mpo", "noext.scrubbed"}
	if !slices.Equal(scrubbed, want) {
		t.Errorf("outputs: got %v, want %v", scrubbed, want)
	}
	if !bytes.Equal(readFile(t, filepath.Join(root, "a.jpg")), readFile(t, gpsJPEG)) {
		t.Errorf("an original changed")
	}
}

func TestTreeScrubOutDir(t *testing.T) {
	root, _ := makeTree(t)
	out := filepath.Join(root, "out") // inside the tree: must not be walked
	r := runBinary(t, root, "scrub", "--out-dir", out, root, filepath.Join(root, "nested", "d.jpg"))
	if r.code != exitOK {
		t.Fatalf("exit code: got %d, want 0; stderr:\n%s", r.code, r.stderr)
	}
	for _, name := range treeImages {
		if got, want := readFile(t, filepath.Join(out, name)), scrubbedBytes(t, filepath.Join(root, name)); !bytes.Equal(got, want) {
			t.Errorf("out/%s is not the scrubbed %s", name, name)
		}
	}
	// d.jpg named again: the file is listed once.
	if _, err := os.Stat(filepath.Join(out, "d.jpg")); err == nil {
		t.Errorf("a file reached twice was written twice")
	}
	// A second run replaces the copies, and does not walk out/.
	r = runBinary(t, root, "scrub", "-v", "--out-dir", out, root)
	if r.code != exitOK || strings.Contains(r.stderr, "scrubbed "+filepath.Join(out, "a.jpg")) {
		t.Errorf("second run: got exit %d, stderr:\n%s", r.code, r.stderr)
	}
	// Two inputs with the same output are an error for the second.
	other := t.TempDir()
	copyFile(t, filepath.Join(other, "a.jpg"), gpsJPEG)
	r = runBinary(t, root, "scrub", "--out-dir", t.TempDir(), filepath.Join(root, "a.jpg"), filepath.Join(other, "a.jpg"))
	if r.code != exitFailed || !strings.Contains(r.stderr, "would be written to") {
		t.Errorf("colliding outputs: got %+v", r)
	}
}

func TestTreePermissions(t *testing.T) {
	root, _ := makeTree(t)
	as := asUnprivileged(t, root)
	if as == nil {
		t.Skip("running as root without a way to run as another user: permission bits do not stop root, so unreadable files and read-only folders cannot be tested")
	}
	unreadable := filepath.Join(root, "b.png")
	os.Chmod(unreadable, 0)
	ro := filepath.Join(root, "nested", "deeper")
	os.Chmod(ro, 0o555)
	t.Cleanup(func() { os.Chmod(ro, 0o755); os.Chmod(unreadable, 0o644) })
	before := readFile(t, filepath.Join(ro, "c.mpo"))

	r := runBinaryWith(t, as, root, "scrub", "--in-place", root)
	if r.code != exitFailed {
		t.Errorf("exit code: got %d, want %d", r.code, exitFailed)
	}
	for _, s := range []string{"b.png: permission denied", "c.mpo:"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
	if !bytes.Equal(readFile(t, filepath.Join(ro, "c.mpo")), before) {
		t.Errorf("file in a read-only folder changed")
	}
	// The rest of the batch was done.
	if !bytes.Equal(readFile(t, filepath.Join(root, "a.jpg")), scrubbedBytes(t, gpsJPEG)) {
		t.Errorf("a.jpg not scrubbed")
	}
	if r := runBinaryWith(t, as, root, "check", root); r.code != exitFailed {
		t.Errorf("check with an unreadable file: got exit %d, want %d", r.code, exitFailed)
	}
}
