package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestScrubOnTerminal runs scrub with standard error on a pseudo-terminal
// (util-linux script): each file gets a line saying where its copy went,
// a name that tells the time gets a note, and a second run over the
// folder, with --out-dir and --rename, skips the *.scrubbed.* copy.
func TestScrubOnTerminal(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script (util-linux) is not installed: no pseudo-terminal to test with")
	}
	dir := t.TempDir()
	named := filepath.Join(dir, "IMG_20240601_211403.jpg")
	writeFile(t, named, readFile(t, gpsJPEG))
	onTerminal := func(args ...string) string {
		t.Helper()
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		// script gives the command a terminal; standard output is
		// sent elsewhere, as a person would redirect it.
		cmd := exec.Command("script", "-qec", binary+" "+strings.Join(quoted, " ")+" >/dev/null", "/dev/null")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return strings.ReplaceAll(string(out), "\r\n", "\n")
	}

	got := onTerminal("scrub", filepath.Base(named))
	for _, want := range []string{
		"scrubbed IMG_20240601_211403.jpg -> IMG_20240601_211403.scrubbed.jpg: removed",
		"note: the name IMG_20240601_211403.scrubbed.jpg still says when it was taken (2024-06-01T21:14:03)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("scrub on a terminal: no %q in\n%s", want, got)
		}
	}

	got = onTerminal("scrub", "--rename", "--out-dir", "out", ".")
	entries, err := os.ReadDir(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "photo-0001.jpg" {
		t.Errorf("--rename --out-dir over a folder with a scrubbed copy wrote %v, want only photo-0001.jpg\n%s", entries, got)
	}
	if strings.Contains(got, "still says when") {
		t.Errorf("a note about the name of a renamed copy:\n%s", got)
	}
}
