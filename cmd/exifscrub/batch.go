package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// forEach calls work(i) for every i in [0, n) on up to jobs goroutines. It
// calls emit(i) from the calling goroutine in order of i, each as soon as
// work(0) … work(i) are all done, so that output is in input order however
// the work is scheduled; and tick after each work call ends, in any order.
func forEach(n, jobs int, work func(i int), emit func(i int), tick func()) {
	if jobs < 1 {
		jobs = 1
	}
	jobs = min(jobs, n)
	next := make(chan int)
	done := make(chan int)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				work(i)
				done <- i
			}
		}()
	}
	go func() {
		for i := range n {
			next <- i
		}
		close(next)
	}()
	ready := make([]bool, n)
	emitted := 0
	for range n {
		ready[<-done] = true
		if tick != nil {
			tick()
		}
		for emitted < n && ready[emitted] {
			emit(emitted)
			emitted++
		}
	}
	wg.Wait()
}

// defaultJobs is the default of --jobs: one per CPU.
func defaultJobs() int { return runtime.NumCPU() }

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressMin is the number of files from which a batch shows a progress
// bar: below it, the run is over before a bar would be read.
const progressMin = 20

// A progress bar on stderr, shown only when stderr is a terminal and the
// batch is long. Its methods do nothing on a nil *progress.
type progress struct {
	bar *progressbar.ProgressBar
}

func newProgress(stderr io.Writer, n int, what string) *progress {
	if n < progressMin || !isTerminal(stderr) {
		return nil
	}
	return &progress{bar: progressbar.NewOptions(n,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100_000_000), // 100 ms
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetPredictTime(true),
	)}
}

func (p *progress) tick() {
	if p != nil {
		p.bar.Add(1)
	}
}

// clear wipes the bar so that a message can be printed; the next tick
// draws it again.
func (p *progress) clear() {
	if p != nil {
		p.bar.Clear()
	}
}

func (p *progress) finish() {
	if p != nil {
		p.bar.Finish()
		p.bar.Clear()
	}
}

// tally counts the outcomes of a batch for the summary line.
type tally struct {
	done, skipped, failed int
	empty                 int   // of the skipped: empty files
	removed               int64 // bytes
}

// skippedText says how many files were skipped, and how many of them were
// empty: "3 skipped (1 empty)".
func (t tally) skippedText() string {
	if t.empty > 0 {
		return fmt.Sprintf("%d skipped (%d empty)", t.skipped, t.empty)
	}
	return fmt.Sprintf("%d skipped", t.skipped)
}

// noteEmpty counts an empty file and, when say is set, says it was
// skipped. Callers say it as they say other skips (a file named on the
// command line, or --verbose); the summary counts the empty files apart
// ("3 skipped (1 empty)"), since one was perhaps meant to be a photo.
func (t *tally) noteEmpty(w io.Writer, path string, say bool) {
	t.empty++
	if say {
		fmt.Fprintf(w, "exifscrub: note: skipped %s: %s\n", displayPath(path), errEmptyFile)
	}
}

// byteSize formats a byte count for people: 512 B, 4.2 kB, 1.3 MB.
func byteSize(n int64) string {
	const unit = 1000
	if n < unit && n > -unit {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	for _, u := range []string{"kB", "MB", "GB"} {
		f /= unit
		if f < unit && f > -unit {
			return fmt.Sprintf("%.1f %s", f, u)
		}
	}
	return fmt.Sprintf("%.1f TB", f/unit)
}

// plural returns "1 file" or "2 files".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
