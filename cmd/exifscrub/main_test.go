package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/exifscrub/exifscrub"
)

// binary is the exifscrub command built once by TestMain, for the tests
// that run it as a process (kill, symlinks, current directory).
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "exifscrub-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "exifscrub")
	build := exec.Command("go", "build", "-tags", buildTags(), "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building exifscrub:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Samples used by the tests: the package's testdata and this command's.
var (
	gpsJPEG   = filepath.Join("testdata", "kodak_gps.jpg")                       // GPS, offsets, serial, lens, artist
	iptcJPEG  = filepath.Join("..", "..", "testdata", "pillow__iptc.jpg")        // IPTC city, no GPS position
	canonJPEG = filepath.Join("..", "..", "testdata", "jpg__Canon_40D.jpg")      // time, device, thumbnail
	cleanPNG  = filepath.Join("..", "..", "testdata", "pillow__icc_profile.png") // only a colour profile
	textPNG   = filepath.Join("..", "..", "testdata", "pillow__itxt_chunks.png") // time and text chunks
	mpo       = filepath.Join("..", "..", "testdata", "pillow__sugarshack.mpo")  // a second image after the first
	notImage  = filepath.Join("..", "..", "testdata", "README.md")
	movie     = filepath.Join("..", "..", "testdata", "video__keys_tmcd_rot90.mov") // QuickTime Keys GPS, index last, timecode track
)

type result struct {
	code           int
	stdout, stderr string
}

// runCLI calls run as main would, with stdin as standard input.
func runCLI(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"exifscrub"}, args...), bytes.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// runBinary runs the built command in dir.
func runBinary(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return runBinaryWith(t, nil, dir, args...)
}

// runBinaryWith runs the built command in dir, after setup changes it.
func runBinaryWith(t *testing.T, setup func(*exec.Cmd), dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	if setup != nil {
		setup(cmd)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %v: %v", args, err)
	}
	return result{code, out.String(), errb.String()}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, dst, src string) {
	t.Helper()
	writeFile(t, dst, readFile(t, src))
}

// scrubbedBytes is what the package makes of the file src.
func scrubbedBytes(t *testing.T, src string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := exifscrub.Scrub(&buf, bytes.NewReader(readFile(t, src)), nil); err != nil {
		t.Fatalf("Scrub(%s): %v", src, err)
	}
	return buf.Bytes()
}

// scan reports what the file name holds.
func scan(t *testing.T, name string) *exifscrub.Report {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := exifscrub.Scan(f)
	if err != nil {
		t.Fatalf("Scan(%s): %v", name, err)
	}
	return rep
}

// tempFiles lists the temporary files that a killed run left under dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && exifscrub.IsTempFile(p) {
			found = append(found, p)
		}
		return nil
	})
	return found
}
