package jpegscan

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os/exec"
	"sync"
	"testing"
)

// A walkOutcome is everything a walk gives: its result, output and error.
type walkOutcome struct {
	res Result
	out []byte
	err string
}

// walkWorkers walks the first scan of in on up to workers goroutines,
// whatever its size, through a read buffer of size bytes.
func walkWorkers(t testing.TB, in []byte, size, workers int) walkOutcome {
	t.Helper()
	f, sh, data, err := headers(in)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	br := bufio.NewReaderSize(bytes.NewReader(in[data:]), size)
	res, err := f.walkWith(sh, br, int64(data), &out, workers, 0)
	o := walkOutcome{res: res, out: out.Bytes()}
	if err != nil {
		o.err = fmt.Sprintf("%T %v", err, err)
	}
	return o
}

// compareWalks fails if walking in on several goroutines gives anything
// but what walking it on one gives, through read buffers of each size.
func compareWalks(t testing.TB, in []byte, sizes ...int) {
	t.Helper()
	for _, size := range sizes {
		one := walkWorkers(t, in, size, 1)
		for _, workers := range []int{2, 3} {
			got := walkWorkers(t, in, size, workers)
			switch {
			case got.err != one.err:
				t.Fatalf("buffer %d, %d goroutines: error %q, on one %q", size, workers, got.err, one.err)
			case got.res != one.res:
				t.Fatalf("buffer %d, %d goroutines: %+v, on one %+v", size, workers, got.res, one.res)
			case !bytes.Equal(got.out, one.out):
				t.Fatalf("buffer %d, %d goroutines: %d bytes written, on one %d, or other bytes", size, workers, len(got.out), len(one.out))
			}
		}
	}
}

// restartFiles returns the JPEGs of jpegFiles whose first scan is
// sequential, with restart intervals, and photoRestartJPEG if jpegtran is
// installed.
func restartFiles(t *testing.T) [][]byte {
	var out [][]byte
	files := jpegFiles(t)
	if b := photoRestartJPEG(); b != nil {
		files = append(files, b)
	} else {
		t.Log("jpegtran is not installed: no 12 MP photo with restart intervals")
	}
	for _, b := range files {
		if f, _, _, err := headers(b); err == nil && !f.progressive && f.restart > 0 {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		t.Fatal("no JPEG with restart intervals in testdata")
	}
	return out
}

// TestWalkParallel checks that the walk of a scan with restart intervals
// gives the same result, output and error on several goroutines as on
// one: on the test and corpus JPEGs that have them, and on damaged copies
// of them (bytes changed, markers planted, restart markers renumbered,
// data cut short), through read buffers of several sizes.
func TestWalkParallel(t *testing.T) {
	r := rand.New(rand.NewPCG(26, 1))
	for i, in := range restartFiles(t) {
		_, _, data, _ := headers(in)
		// Large files: fewer copies, and no tiny buffers.
		sizes, copies := []int{64, 1000, bufSize}, 60
		switch {
		case len(in) > 512<<10:
			sizes, copies = []int{bufSize}, 8
		case len(in) > 64<<10:
			sizes = []int{1000, bufSize}
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			compareWalks(t, in, sizes...)
			var rsts []int
			for k := data; k+1 < len(in); k++ {
				if in[k] == 0xff && in[k+1] >= markerRST0 && in[k+1] <= markerRST7 {
					rsts = append(rsts, k)
				}
			}
			for range copies {
				b := append([]byte(nil), in...)
				at := data + r.IntN(len(b)-data)
				switch r.IntN(7) {
				case 0: // a byte changed
					b[at] ^= byte(1 + r.IntN(255))
				case 1: // a marker, reserved or not, planted in the data
					b = insertAt(b, at, []byte{0xff, []byte{0x01, 0x4f, 0xd3, 0xd9, 0xc4, 0xff}[r.IntN(6)]})
				case 2: // junk before a restart marker
					if len(rsts) > 0 {
						b = insertAt(b, rsts[r.IntN(len(rsts))], []byte("PLANTED\xff\x00"))
					}
				case 3: // a restart marker renumbered, or made another
					if len(rsts) > 0 {
						b[rsts[r.IntN(len(rsts))]+1] = []byte{0xd0, 0xd7, 0xd9, 0x00, 0xff}[r.IntN(5)]
					}
				case 4: // cut short
					b = b[:at]
				case 5: // fill bytes before a restart marker
					if len(rsts) > 0 {
						b = insertAt(b, rsts[r.IntN(len(rsts))], []byte{0xff, 0xff, 0xff})
					}
				case 6: // a run of bytes changed
					for k := at; k < min(at+64, len(b)); k++ {
						b[k] = byte(r.Uint32())
					}
				}
				compareWalks(t, b, sizes...)
			}
		})
	}
}

// TestWalkParallelWriter checks that a failing writer stops a walk on
// several goroutines with the writer's error.
func TestWalkParallelWriter(t *testing.T) {
	in := readFile(t, "jpg__xmp__BlueSquare.jpg")
	f, sh, data, err := headers(in)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReaderSize(bytes.NewReader(in[data:]), bufSize)
	if _, err := f.walkWith(sh, br, int64(data), failWriter{}, 2, 0); err != errWrite {
		t.Fatalf("got error %v, want %v", err, errWrite)
	}
}

// FuzzJPEGRestart fuzzes the entropy-coded data of a real sequential scan
// with restart intervals, behind its fixed headers, checks the invariants
// of checkWalk, and that the walk on several goroutines gives the same as
// on one.
func FuzzJPEGRestart(f *testing.F) {
	in := readFile(f, "jpg__xmp__BlueSquare.jpg")
	_, _, data, err := headers(in)
	if err != nil {
		f.Fatal(err)
	}
	head := in[:data]
	f.Add(in[data:])
	f.Add(in[data : data+(len(in)-data)/2]) // cut short
	f.Fuzz(func(t *testing.T, data []byte) {
		checkWalk(t, head, data)
		compareWalks(t, append(append([]byte(nil), head...), data...), 64, bufSize)
	})
}

// BenchmarkWalkRestart walks the scan of photoRestartJPEG on one
// goroutine and on two. MB/s are of the scan's data.
func BenchmarkWalkRestart(b *testing.B) {
	in := photoRestartJPEG()
	if in == nil {
		b.Skip("jpegtran is not installed")
	}
	f, sh, data, err := headers(in)
	if err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("goroutines=%d", workers), func(b *testing.B) {
			b.SetBytes(int64(len(in) - data))
			b.ReportAllocs()
			br := bufio.NewReaderSize(nil, bufSize)
			for b.Loop() {
				br.Reset(bytes.NewReader(in[data:]))
				if res, err := f.walkWith(sh, br, int64(data), io.Discard, workers, parallelMinBlocks); err != nil || res.End != int64(len(in)-2) {
					b.Fatalf("walk: %v, %+v", err, res)
				}
			}
		})
	}
}

// photoRestartJPEG is photoJPEG with a restart marker after each MCU row,
// as phones write, made by jpegtran (lossless); nil without jpegtran.
var photoRestartJPEG = sync.OnceValue(func() []byte {
	cmd := exec.Command("jpegtran", "-restart", "1", "-copy", "none")
	cmd.Stdin = bytes.NewReader(photoJPEG())
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	return out
})
