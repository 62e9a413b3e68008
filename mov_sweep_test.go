package exifscrub

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/mp4"
)

// Truncation and byte-flip sweeps over the test videos (issue 19): every
// prefix on a grid, and every byte of a grid flipped. Each case must give
// a result or an error that is a *FormatError (or ErrUnsupportedFormat)
// with an offset inside the input, never panic or hang, allocate at most
// a multiple of the input, and, through ScrubFile, leave no file behind
// when it fails. A result must be clean: Scan of it finds nothing and
// scrubbing it again changes nothing.

const (
	// sweepDeadline is how long one case may take before it counts as
	// hanging: the largest test video scrubs in a few milliseconds.
	sweepDeadline = 10 * time.Second
	// sweepAllocPerByte and sweepAllocConst bound the bytes one Scrub may
	// allocate: the 'moov' is held and rebuilt (issue 19: about 2x its
	// size), the media data streams through pooled buffers.
	sweepAllocPerByte = 8
	sweepAllocConst   = 4 << 20
)

// sweepResult is what one Scrub of a sweep did.
type sweepResult struct {
	out   []byte
	err   error
	alloc uint64
}

// sweepScrub scrubs in with a deadline, counting the bytes it allocates.
// read wraps the input (a stream or a bytes.Reader).
func sweepScrub(t *testing.T, name string, in []byte, stream bool) sweepResult {
	t.Helper()
	done := make(chan sweepResult, 1)
	go func() {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var out bytes.Buffer
		var r io.Reader = bytes.NewReader(in)
		var w io.Writer = &out
		if stream {
			r, w = onlyReader{r}, onlyWriter{w}
		}
		_, err := Scrub(w, r, nil)
		runtime.ReadMemStats(&after)
		done <- sweepResult{out.Bytes(), err, after.TotalAlloc - before.TotalAlloc}
	}()
	select {
	case res := <-done:
		return res
	case <-time.After(sweepDeadline):
		t.Fatalf("%s: Scrub did not return within %v", name, sweepDeadline)
		return sweepResult{}
	}
}

// checkSweepCase checks one input of a sweep.
func checkSweepCase(t *testing.T, name string, in []byte, stream bool) error {
	t.Helper()
	res := sweepScrub(t, name, in, stream)
	if limit := sweepAllocPerByte*uint64(len(in)) + sweepAllocConst; res.alloc > limit {
		t.Errorf("%s: %d bytes allocated for %d bytes of input (limit %d)", name, res.alloc, len(in), limit)
	}
	if res.err != nil {
		var fe *FormatError
		switch {
		case errors.As(res.err, &fe):
			if fe.Offset < 0 || fe.Offset > int64(len(in)) {
				t.Errorf("%s: error %v at offset %d, outside the %d bytes of input", name, res.err, fe.Offset, len(in))
			}
		case errors.Is(res.err, ErrUnsupportedFormat):
		default:
			t.Errorf("%s: error %v is neither a *FormatError nor ErrUnsupportedFormat", name, res.err)
		}
		return res.err
	}
	rep, err := Scan(bytes.NewReader(res.out))
	if err != nil {
		t.Errorf("%s: Scan of the output: %v", name, err)
		return nil
	}
	if len(rep.Findings) > 0 {
		t.Errorf("%s: Scan of the output reports %v", name, rep.Findings)
	}
	if stream {
		return nil
	}
	var again bytes.Buffer
	if _, err := Scrub(&again, bytes.NewReader(res.out), nil); err != nil {
		t.Errorf("%s: second Scrub: %v", name, err)
	} else if !bytes.Equal(again.Bytes(), res.out) {
		t.Errorf("%s: scrubbing twice differs from once", name)
	}
	return nil
}

// checkSweepFile scrubs in with ScrubFile, which must fail as Scrub did and
// then leave the directory as it was: no output, no temporary file.
func checkSweepFile(t *testing.T, name string, in []byte, wantErr bool) {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "in.mov")
	if err := os.WriteFile(src, in, 0o644); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "out.mov")
	_, err := ScrubFile(dst, src, nil)
	if (err != nil) != wantErr {
		t.Errorf("%s: ScrubFile error %v, Scrub error %v", name, err, wantErr)
	}
	if err == nil {
		return
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("%s: ScrubFile failed (%v) and left %v", name, err, names)
	}
}

// sweepBoundaries returns the offsets where boxes start and end in b, and
// those of their size and type fields, down to the sample entries: where
// a cut or a flipped byte does the most harm.
func sweepBoundaries(b []byte) []int {
	var offs []int
	type level struct {
		p    []byte
		base int64
	}
	containers := map[string]bool{"moov": true, "trak": true, "mdia": true, "minf": true, "stbl": true, "edts": true, "dinf": true, "udta": true, "tref": true}
	stack := []level{{b, 0}}
	for len(stack) > 0 && len(offs) < 1<<14 {
		l := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		r := bmff.NewReader(l.p, l.base, false)
		for c := range r.All() {
			start := int(c.Offset)
			end := int(c.PayloadOffset()) + len(c.Payload)
			offs = append(offs, start, start+3, start+4, start+7, start+8, start+12, end-1, end)
			if containers[c.Type.String()] {
				stack = append(stack, level{c.Payload, c.PayloadOffset()})
			}
			if c.Type == mp4.BoxStsd && len(c.Payload) > 8 {
				stack = append(stack, level{c.Payload[8:], c.PayloadOffset() + 8})
			}
		}
	}
	return offs
}

// sweepGrid returns the offsets of b to cut at or flip: its box boundaries
// and n more spread evenly, sorted, each once, within [0, len(b)).
func sweepGrid(b []byte, n int) []int {
	offs := sweepBoundaries(b)
	for i := 0; i < n; i++ {
		offs = append(offs, i*len(b)/n)
	}
	slices.Sort(offs)
	offs = slices.Compact(offs)
	return slices.DeleteFunc(offs, func(o int) bool { return o < 0 || o >= len(b) })
}

func TestVideoSweep(t *testing.T) {
	grid := 160
	if testing.Short() {
		grid = 40
	}
	for _, path := range videoFiles(t) {
		in, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(in) > 1<<20 {
			continue // a grid of scrubs of it takes too long for go test
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			start := time.Now()
			offs := sweepGrid(in, grid)
			// Thin out the boundaries of large indexes: the sweep runs
			// in go test, in seconds.
			if limit := 4 * grid; len(offs) > limit {
				stride := (len(offs) + limit - 1) / limit
				var thin []int
				for i := 0; i < len(offs); i += stride {
					thin = append(thin, offs[i])
				}
				offs = thin
			}
			var cuts, flips, failed int
			for i, n := range offs {
				name := fmt.Sprintf("cut at %d of %d", n, len(in))
				err := checkSweepCase(t, name, in[:n], false)
				if i%8 == 0 {
					checkSweepFile(t, name, in[:n], err != nil)
					checkSweepCase(t, name+" (stream)", in[:n], true)
				}
				cuts++
				if err != nil {
					failed++
				}
			}
			flipped := bytes.Clone(in)
			for i, at := range offs {
				mask := byte(0xff)
				if i%2 == 1 {
					mask = 0x01 // a size off by one, a type one letter away
				}
				flipped[at] ^= mask
				name := fmt.Sprintf("byte %d of %d xor %#x", at, len(in), mask)
				err := checkSweepCase(t, name, flipped, false)
				if i%8 == 0 {
					checkSweepFile(t, name, flipped, err != nil)
					checkSweepCase(t, name+" (stream)", flipped, true)
				}
				flipped[at] ^= mask
				flips++
				if err != nil {
					failed++
				}
				if t.Failed() {
					break
				}
			}
			t.Logf("%d cuts and %d flips, %d errors, in %v", cuts, flips, failed, time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestVideoFixedSampleSize gives a video track one chunk of 2^32-1
// samples of one byte ('stsz' with a fixed size, which needs no table):
// what the index claims must not decide how much is allocated.
func TestVideoFixedSampleSize(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "video__udta_xmp_faststart.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	b := bytes.Clone(in)
	box := func(typ string) []byte { // the payload of the first box typ, after version and flags
		i := bytes.Index(b, []byte(typ))
		if i < 0 {
			t.Fatalf("no %q box", typ)
		}
		return b[i+8:]
	}
	stsz := box("stsz")
	binary.BigEndian.PutUint32(stsz[0:], 1)          // every sample 1 byte
	binary.BigEndian.PutUint32(stsz[4:], 0xffffffff) // of 2^32-1
	stsc := box("stsc")
	binary.BigEndian.PutUint32(stsc[0:], 1) // one run: chunk 1 on, all the samples per chunk
	binary.BigEndian.PutUint32(stsc[4:], 1)
	binary.BigEndian.PutUint32(stsc[8:], 0xffffffff)
	binary.BigEndian.PutUint32(stsc[12:], 1)
	binary.BigEndian.PutUint32(box("stco"), 1) // one chunk
	err = checkSweepCase(t, "fixed sample size", b, false)
	t.Logf("result: %v", err)
}
