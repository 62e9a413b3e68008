package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestKillInPlace kills "scrub --in-place" part-way through a few hundred
// files, at a few different moments, and checks that every file is either
// its original or the complete scrubbed image, and that the next run
// removes the temporary files the killed one left and finishes the job.
func TestKillInPlace(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	// Only samples that scrubbing shrinks, so that a changed file shows in
	// its size.
	srcs := []string{gpsJPEG, iptcJPEG, canonJPEG, textPNG, mpo}
	orig := make([][]byte, len(srcs))
	want := make([][]byte, len(srcs))
	for i, s := range srcs {
		orig[i], want[i] = readFile(t, s), scrubbedBytes(t, s)
		if len(orig[i]) == len(want[i]) {
			t.Fatalf("%s: scrubbing does not change its size", s)
		}
	}
	const n = 300
	name := func(dir string, i int) string {
		return filepath.Join(dir, fmt.Sprintf("d%d", i%3), fmt.Sprintf("f%03d%s", i, filepath.Ext(srcs[i%len(srcs)])))
	}

	killedMidway := 0
	for _, at := range []int{3, n / 3, 2 * n / 3} {
		t.Run(fmt.Sprintf("after_%d", at), func(t *testing.T) {
			dir := t.TempDir()
			for i := range n {
				writeFile(t, name(dir, i), orig[i%len(srcs)])
			}
			cmd := exec.Command(binary, "scrub", "--in-place", "--jobs", "2", dir)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Files are handed out in walking order (d0, d1, d2, then by
			// name): wait until the at-th of them has changed.
			var order []int
			for d := range 3 {
				for i := range n {
					if i%3 == d {
						order = append(order, i)
					}
				}
			}
			watch, size := name(dir, order[at]), int64(len(orig[order[at]%len(srcs)]))
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			deadline := time.Now().Add(20 * time.Second)
		poll:
			for time.Now().Before(deadline) {
				select {
				case <-exited:
					t.Logf("scrub finished before the kill")
					break poll
				default:
				}
				if fi, err := os.Stat(watch); err == nil && fi.Size() != size {
					break
				}
				time.Sleep(200 * time.Microsecond)
			}
			cmd.Process.Kill() // SIGKILL: no chance to clean up
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				t.Fatal("scrub did not die")
			}

			changed := 0
			for i := range n {
				got := readFile(t, name(dir, i))
				switch {
				case bytes.Equal(got, want[i%len(srcs)]):
					changed++
				case bytes.Equal(got, orig[i%len(srcs)]):
				default:
					t.Errorf("%s is neither the original nor the scrubbed image (%d bytes)", name(dir, i), len(got))
				}
			}
			left := tempFiles(t, dir)
			t.Logf("killed with %d of %d files scrubbed and %d temporary files left", changed, n, len(left))
			if changed > 0 && changed < n {
				killedMidway++
			}

			// The next run cleans up and finishes.
			r := runBinary(t, dir, "scrub", "--in-place", "-v", dir)
			if r.code != exitOK {
				t.Fatalf("next run: exit %d\n%s", r.code, r.stderr)
			}
			if left := tempFiles(t, dir); len(left) > 0 {
				t.Errorf("temporary files left after the next run: %v", left)
			}
			for i := range n {
				if !bytes.Equal(readFile(t, name(dir, i)), want[i%len(srcs)]) {
					t.Errorf("%s not scrubbed after the next run", name(dir, i))
				}
			}
		})
	}
	if killedMidway == 0 {
		t.Errorf("no run was killed part-way: the test proved nothing")
	}
}
