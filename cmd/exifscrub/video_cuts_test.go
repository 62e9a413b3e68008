package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub"
)

// TestVideoCuts runs scrub on every video sample cut at a grid of points
// and with single bytes flipped: the exit code is 0 or 2 only, a failure
// leaves no output and no temporary file, and a success leaves a file
// that check finds clean.
func TestVideoCuts(t *testing.T) {
	dir := t.TempDir()
	for _, src := range []string{movie, fastStartMP4} {
		in := readFile(t, src)
		step := len(in) / 40
		for i, at := 0, 1; at < len(in); i, at = i+1, at+step {
			variants := map[string][]byte{fmt.Sprintf("cut at %d", at): in[:at]}
			flipped := bytes.Clone(in)
			flipped[at] ^= 0xff
			variants[fmt.Sprintf("byte %d flipped", at)] = flipped
			for name, b := range variants {
				name = filepath.Base(src) + ": " + name
				input := filepath.Join(dir, "in"+filepath.Ext(src))
				output := filepath.Join(dir, "out"+filepath.Ext(src))
				writeFile(t, input, b)
				os.Remove(output)
				res := runCLI(t, nil, "scrub", "-o", output, input)
				switch res.code {
				case exitOK:
					if c := runCLI(t, nil, "check", output); c.code != exitOK {
						t.Errorf("%s: check of the output: exit %d\n%s", name, c.code, c.stdout+c.stderr)
					}
				case exitFailed:
					if _, err := os.Stat(output); !errors.Is(err, os.ErrNotExist) {
						t.Errorf("%s: failed (%s) but left an output", name, strings.TrimSpace(res.stderr))
					}
				default:
					t.Errorf("%s: exit %d\n%s", name, res.code, res.stderr)
				}
				entries, _ := os.ReadDir(dir)
				for _, e := range entries {
					if exifscrub.IsTempFile(e.Name()) {
						t.Fatalf("%s: temporary file %s left", name, e.Name())
					}
				}
			}
		}
	}
}
