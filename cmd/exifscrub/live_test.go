package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Live Photo samples of the package's testdata: a still and its video,
// which share a content identifier.
var (
	liveStill = filepath.Join("..", "..", "testdata", "heic__live_still.heic")
	liveVideo = filepath.Join("..", "..", "testdata", "video__live_content_id.mov")
)

const liveOriginal = "8A9E5F2C-1B3D-4E6F-A7B8-C9D0E1F2A3B4"

// liveIDs returns the content identifiers ExifTool reads in a file (the
// Apple MakerNote's, which ExifTool 12 names MediaGroupUUID, and the
// QuickTime key's).
func liveIDs(t *testing.T, path string) []string {
	t.Helper()
	if _, err := exec.LookPath("exiftool"); err != nil {
		t.Skip("exiftool is not installed")
	}
	out, err := exec.Command("exiftool", "-s", "-s", "-s", "-ContentIdentifier", "-MediaGroupUUID", path).Output()
	if err != nil {
		t.Fatalf("exiftool %s: %v", path, err)
	}
	return strings.Fields(string(out))
}

// TestScrubLivePair scrubs a Live Photo's still and video in one run,
// under names that do not match: with --keep-motion both get one new
// identifier; a file whose partner is not in the run, or a run without
// the flag, keeps none.
func TestScrubLivePair(t *testing.T) {
	for _, c := range []struct {
		name  string
		files []string
		args  []string
		same  bool
	}{
		{"pair", []string{liveStill, liveVideo}, []string{"--keep-motion"}, true},
		{"pair without --keep-motion", []string{liveStill, liveVideo}, nil, false},
		{"still alone", []string{liveStill}, []string{"--keep-motion"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in")
			if err := os.Mkdir(in, 0o777); err != nil {
				t.Fatal(err)
			}
			names := []string{"IMG_0001.HEIC", "clip-b.mov"}
			for i, f := range c.files {
				if err := os.WriteFile(filepath.Join(in, names[i]), readFile(t, f), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := append(append([]string{"scrub"}, c.args...), "--out-dir", "out", "in")
			if r := runBinary(t, dir, args...); r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			var ids []string
			for i := range c.files {
				got := liveIDs(t, filepath.Join(dir, "out", names[i]))
				if !c.same && len(got) > 0 {
					t.Errorf("%s holds the identifier %v", names[i], got)
				}
				ids = append(ids, got...)
			}
			if !c.same {
				return
			}
			if len(ids) != 2 || ids[0] != ids[1] || ids[0] == liveOriginal {
				t.Errorf("identifiers %v: want one new one in both files", ids)
			}
			// A second run gives the pair another identifier.
			if r := runBinary(t, dir, append(append([]string{"scrub"}, c.args...), "--out-dir", "out2", "in")...); r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if again := liveIDs(t, filepath.Join(dir, "out2", names[0])); len(again) != 1 || again[0] == ids[0] {
				t.Errorf("a second run wrote %v, the first %v", again, ids)
			}
		})
	}
}
