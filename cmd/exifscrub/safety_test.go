//go:build unix

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Tests that scrub never loses a user's file: outputs that are not regular
// files, files that change while they are scrubbed, hard links, owners,
// long names, backups and an output directory inside the input.

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("CI runs the tests as root; this one needs it")
		}
		t.Skip("needs root")
	}
}

// TestOutputDevice writes -o into character devices made in a temporary
// directory: a null device must stay a device (not be renamed over), and a
// full device's failed write must exit 2.
func TestOutputDevice(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	null, full := filepath.Join(dir, "null"), filepath.Join(dir, "full")
	// Linux device numbers: 1,3 is /dev/null and 1,7 /dev/full.
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mknod(full, syscall.S_IFCHR|0o666, 1<<8|7); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, nil, "scrub", "-o", null, gpsJPEG); r.code != 0 {
		t.Errorf("-o null device: %+v", r)
	}
	if fi, err := os.Lstat(null); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("the device node was replaced: %v %v", fi.Mode(), err)
	}
	r := runCLI(t, nil, "scrub", "-o", full, gpsJPEG)
	if r.code != exitFailed || !strings.Contains(r.stderr, "no space") {
		t.Errorf("-o full device: got %+v, want exit 2 and the write error", r)
	}
	if fi, err := os.Lstat(full); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("the device node was replaced: %v %v", fi.Mode(), err)
	}
	if tmp := tempFiles(t, dir); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

// TestOutputFIFO writes -o into a named pipe, which a reader drains.
func TestOutputFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	got := make(chan []byte)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- b
	}()
	if r := runCLI(t, nil, "scrub", "-o", fifo, gpsJPEG); r.code != 0 {
		t.Errorf("-o FIFO: %+v", r)
	}
	if b := <-got; !bytes.Equal(b, scrubbedBytes(t, gpsJPEG)) {
		t.Errorf("read %d bytes from the FIFO, want the scrubbed image", len(b))
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}
}

// TestOutputSymlink: -o through a symbolic link replaces the file it names
// and keeps the link; a dangling link is refused.
func TestOutputSymlink(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "target.jpg"), filepath.Join(dir, "link.jpg")
	writeFile(t, target, []byte("old"))
	if err := os.Symlink("target.jpg", link); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, nil, "scrub", "-o", link, gpsJPEG); r.code != 0 {
		t.Fatalf("-o link: %+v", r)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced")
	}
	if !bytes.Equal(readFile(t, target), scrubbedBytes(t, gpsJPEG)) {
		t.Errorf("the link's target does not hold the scrubbed image")
	}
	dangling := filepath.Join(dir, "dangling.jpg")
	os.Symlink("nowhere.jpg", dangling)
	if r := runCLI(t, nil, "scrub", "-o", dangling, gpsJPEG); r.code != exitFailed || !strings.Contains(r.stderr, "link to nothing") {
		t.Errorf("-o dangling link: got %+v, want exit 2", r)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere.jpg")); err == nil {
		t.Errorf("a file was created through a dangling link")
	}
}

// TestOutputStdoutAlias: -o /dev/stdout is standard output, not a file to
// rename over.
func TestOutputStdoutAlias(t *testing.T) {
	r := runCLI(t, nil, "scrub", "-o", "/dev/stdout", gpsJPEG)
	if r.code != 0 || r.stdout != string(scrubbedBytes(t, gpsJPEG)) {
		t.Errorf("-o /dev/stdout: exit %d, %d bytes on stdout; stderr %q", r.code, len(r.stdout), r.stderr)
	}
	// Through the binary, into a file: the file gets the image.
	dir := t.TempDir()
	out, err := os.Create(filepath.Join(dir, "out.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	abs, _ := filepath.Abs(gpsJPEG)
	cmd := exec.Command(binary, "scrub", "-o", "/dev/stdout", abs)
	cmd.Stdout = out
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, out.Name()), scrubbedBytes(t, gpsJPEG)) {
		t.Errorf("> file got %d bytes, want the scrubbed image", len(readFile(t, out.Name())))
	}
}

// TestInPlaceChanged replaces, and then appends to, a file while it is
// scrubbed in place: both must be left as the other program left them.
func TestInPlaceChanged(t *testing.T) {
	for _, how := range []string{"replaced", "appended"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "photo.jpg")
			copyFile(t, src, gpsJPEG)
			newer := append(readFile(t, gpsJPEG), "newer"...)
			testHookBeforeRename = func(path string) {
				if how == "replaced" {
					writeFile(t, path+".new", newer)
					os.Rename(path+".new", path)
					return
				}
				f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
				f.Write([]byte("newer"))
				f.Close()
			}
			defer func() { testHookBeforeRename = nil }()
			r := runCLI(t, nil, "scrub", "--in-place", src)
			if r.code != exitFailed || !strings.Contains(r.stderr, "changed during the scrub") {
				t.Errorf("got %+v, want exit 2 and 'changed during the scrub'", r)
			}
			if !bytes.Equal(readFile(t, src), newer) {
				t.Errorf("the other program's file was overwritten")
			}
			if tmp := tempFiles(t, dir); len(tmp) > 0 {
				t.Errorf("temporary files left: %v", tmp)
			}
		})
	}
}

// TestInPlaceOwner: as root, a file scrubbed in place keeps its owner,
// group and mode.
func TestInPlaceOwner(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "photo.jpg")
	copyFile(t, src, gpsJPEG)
	if err := os.Chown(src, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	os.Chmod(src, 0o640)
	if r := runCLI(t, nil, "scrub", "--in-place", src); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	fi, _ := os.Stat(src)
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != nobody || st.Gid != nobody || fi.Mode().Perm() != 0o640 {
		t.Errorf("owner %d:%d mode %v, want %d:%d 0640", st.Uid, st.Gid, fi.Mode().Perm(), nobody, nobody)
	}
}

// TestInPlaceHardLink: a file with another hard link is refused unless
// --break-links says to replace this name only.
func TestInPlaceHardLink(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jpg"), filepath.Join(dir, "b.jpg")
	copyFile(t, a, gpsJPEG)
	if err := os.Link(a, b); err != nil {
		t.Skip(err)
	}
	r := runCLI(t, nil, "scrub", "--in-place", a)
	if r.code != exitFailed || !strings.Contains(r.stderr, "hard link") || !strings.Contains(r.stderr, "--break-links") {
		t.Errorf("got %+v, want exit 2 naming the hard link and --break-links", r)
	}
	if !bytes.Equal(readFile(t, a), readFile(t, gpsJPEG)) {
		t.Errorf("a.jpg changed")
	}
	if r := runCLI(t, nil, "scrub", "--in-place", "--break-links", a); r.code != 0 {
		t.Errorf("--break-links: %+v", r)
	}
	if !bytes.Equal(readFile(t, a), scrubbedBytes(t, gpsJPEG)) || !bytes.Equal(readFile(t, b), readFile(t, gpsJPEG)) {
		t.Errorf("--break-links: want a.jpg scrubbed and b.jpg the original")
	}
}

// TestLongNames: a 230-byte name is scrubbed in place and with -o (the
// temporary name is shortened), and a derived name over the limit is
// refused with a clear message.
func TestLongNames(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, strings.Repeat("n", 226)+".jpg") // 230 bytes
	copyFile(t, name, gpsJPEG)
	if r := runCLI(t, nil, "scrub", "--in-place", name); r.code != 0 {
		t.Errorf("--in-place: %+v", r)
	}
	out := filepath.Join(dir, strings.Repeat("o", 251)+".jpg") // 255 bytes
	if r := runCLI(t, nil, "scrub", "-o", out, gpsJPEG); r.code != 0 {
		t.Errorf("-o: %+v", r)
	}
	long := filepath.Join(dir, strings.Repeat("l", 246)+".jpg") // 250 bytes: NAME.scrubbed.jpg is 259
	copyFile(t, long, gpsJPEG)
	if r := runCLI(t, nil, "scrub", long); r.code != exitFailed || !strings.Contains(r.stderr, "longer than file systems allow") {
		t.Errorf("derived name too long: got %+v, want exit 2 and a clear message", r)
	}
	if r := runCLI(t, nil, "scrub", "--in-place", "--backup", ".original", long); r.code != exitFailed || !strings.Contains(r.stderr, "backup name") {
		t.Errorf("backup name too long: got %+v, want exit 2", r)
	}
	if !bytes.Equal(readFile(t, long), readFile(t, gpsJPEG)) {
		t.Errorf("the file with a too-long backup name was changed")
	}
}

// TestBackupsKept runs scrub again over a folder backed up by a first run:
// without --backup, the backups are not scrubbed; with it, the files
// backed up already are skipped.
func TestBackupsKept(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.jpg", "b.jpg"} {
		copyFile(t, filepath.Join(dir, n), gpsJPEG)
	}
	if r := runCLI(t, nil, "scrub", "-i", "--backup", ".orig", dir); r.code != 0 {
		t.Fatalf("first run: %+v", r)
	}
	for _, args := range [][]string{
		{"scrub", "-i", dir},
		{"scrub", "-i", "--backup", ".orig", dir},
		{"scrub", "-i", filepath.Join(dir, "a.jpg.orig")}, // as a shell glob would name it
		{"scrub", dir},
		{"scrub", "--out-dir", filepath.Join(t.TempDir(), "out"), dir},
	} {
		if r := runCLI(t, nil, args...); r.code != 0 {
			t.Errorf("%v: %+v", args, r)
		}
		for _, n := range []string{"a.jpg.orig", "b.jpg.orig"} {
			if !bytes.Equal(readFile(t, filepath.Join(dir, n)), readFile(t, gpsJPEG)) {
				t.Fatalf("%v: the backup %s was changed", args, n)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "a.jpg.scrubbed.orig")); err == nil {
		t.Errorf("a backup was scrubbed beside itself")
	}
}

// TestOutDirInside: an output directory inside the input, reached through
// a symbolic link, is never walked, so a second run does not scrub the
// first run's output into out/out.
func TestOutDirInside(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.MkdirAll(filepath.Join(in, "out"), 0o755)
	copyFile(t, filepath.Join(in, "photo.jpg"), gpsJPEG)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(filepath.Join(in, "out"), link); err != nil {
		t.Fatal(err)
	}
	for run := 0; run < 2; run++ {
		if r := runCLI(t, nil, "scrub", "--out-dir", link, in); r.code != 0 {
			t.Fatalf("run %d: %+v", run, r)
		}
	}
	if _, err := os.Stat(filepath.Join(in, "out", "out")); err == nil {
		t.Errorf("the output directory was walked: out/out exists")
	}
	if _, err := os.Stat(filepath.Join(in, "out", "photo.jpg")); err != nil {
		t.Errorf("no output: %v", err)
	}
}

// TestOutputHygiene: control characters in a file name do not reach the
// output raw in any format, and JSON keeps a non-UTF-8 name recoverable.
func TestOutputHygiene(t *testing.T) {
	dir := t.TempDir()
	evil := filepath.Join(dir, "a\x1b[2J\u202e\ngps.jpg")
	copyFile(t, evil, gpsJPEG)
	for _, f := range []string{"text", "json", "sarif", "github"} {
		r := runCLI(t, nil, "check", "--format", f, evil)
		if r.code != exitFound {
			t.Errorf("%s: exit %d: %s", f, r.code, r.stderr)
		}
		for _, bad := range []string{"\x1b", "\u202e"} {
			if strings.Contains(r.stdout, bad) || strings.Contains(r.stderr, bad) {
				t.Errorf("%s: raw %q in the output:\n%s%s", f, bad, r.stdout, r.stderr)
			}
		}
		if f == "github" && strings.Count(r.stdout, "::error") != 1 || strings.Contains(r.stdout, "\ngps.jpg") {
			t.Errorf("%s: a file name forged a line:\n%s", f, r.stdout)
		}
	}
	if r := runCLI(t, nil, "report", evil); strings.Contains(r.stdout, "\x1b") {
		t.Errorf("report: raw escape in the output")
	}

	latin := filepath.Join(dir, "caf\xe9.jpg")
	copyFile(t, latin, gpsJPEG)
	r := runCLI(t, nil, "report", "--json", latin)
	var files []struct {
		Path      string `json:"path"`
		PathBytes string `json:"path_bytes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &files); err != nil || len(files) != 1 {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if b, _ := base64.StdEncoding.DecodeString(files[0].PathBytes); string(b) != latin {
		t.Errorf("path_bytes = %q, want %q", b, latin)
	}
}
