package jpegscan

import (
	"bytes"
	"io"
	"sync"
)

// Restart intervals are independent (T.81 F.2.2.5, B.2.4.4): the decoder
// resets its bit buffer and its DC predictions at each restart marker, so
// the data of one interval is walked alike whatever came before it. The
// walker of a sequential scan with restart intervals fills the read
// buffer, finds the intervals whose data and following marker lie whole in
// it, and has helpers on other goroutines walk them, each a run of
// neighbouring intervals; then it writes them and checks what follows each
// interval's data, in order, as if it had walked them itself.
//
// That gives the same output, Result and errors as a walk on one
// goroutine because the walk of an interval reads its bytes up to the
// first marker and never past it: where its data end, whether the decoder
// reads zeros past them, is a function of those bytes alone. Everything
// else, the bytes dropped after the data, the marker and what follows a
// marker that is not a restart, is read by the calling goroutine exactly
// as before (finishIntervalAt). An interval followed by a marker other
// than RSTn ends a batch, since the next interval starts where the serial
// walk finds it. Only errors of br's reader can come at other offsets: the
// buffer is filled sooner; after one, the walk goes on alone.

// parallelMinBlocks is the size of scan, in blocks, from which Walk shares
// the intervals among goroutines: below it, starting them costs more than
// they save.
const parallelMinBlocks = multiMinBlocks

// A job is an interval in the window for a helper: its data start at
// b[start], and the marker after them ends at b[end-1]. dataEnd is the
// offset in the input where the walk of its n MCUs ended.
type job struct {
	start, end int
	n          int
	dataEnd    int64
}

// parallel walks the intervals of a sequential scan that lie whole in the
// read buffer, from MCU done of mcus, as interval does with
// finishInterval, on up to s.workers goroutines. It returns how many MCUs
// it walked (0 when the buffer holds no whole interval, for interval to
// walk the next) and whether the scan goes on. The walker must be at the
// start of an interval's data.
func (s *walker) parallel(done, mcus, interval int) (int, bool, error) {
	r := &s.r
	b, err := r.br.Peek(r.br.Size())
	s.b, s.i = b, 0
	s.reset()
	if err != nil && err != io.EOF {
		// The reader failed: the walk goes on alone, and meets the
		// error where it would have (if the reader says it again).
		s.workers = 1
		return 0, true, nil
	}
	jobs := s.jobs[:0]
	for p, d := 0, done; d < mcus; {
		k := nextMarker(b, p)
		if k < 0 {
			break
		}
		n := min(interval, mcus-d)
		jobs = append(jobs, job{start: p, end: k + 1, n: n})
		d += n
		if c := b[k]; c < markerRST0 || c > markerRST7 {
			break // the next interval, if any, starts where finishInterval says
		}
		p = k + 1
	}
	s.jobs = jobs
	if len(jobs) == 0 {
		return 0, true, nil
	}
	s.walkJobs(b, jobs)

	base := s.base
	walked := 0
	for _, jb := range jobs {
		if s.base != base+int64(jb.start) {
			break // not reached: each job starts after an RSTn
		}
		walked += jb.n
		more, err := s.finishIntervalAt(jb.dataEnd, done+walked < mcus)
		if err != nil || !more {
			return walked, more, err
		}
	}
	return walked, true, nil
}

// walkJobs walks the jobs in window b, shared among up to s.workers
// goroutines in runs of about equal size, this one walking the last.
func (s *walker) walkJobs(b []byte, jobs []job) {
	workers := min(s.workers, len(jobs))
	for len(s.helpers) < workers {
		s.helpers = append(s.helpers, walker{f: s.f, sh: s.sh, multi: s.multi, mcu: s.mcu, mcuBlocks: s.mcuBlocks})
	}
	total := jobs[len(jobs)-1].end - jobs[0].start
	var wg sync.WaitGroup
	lo := 0
	for w := range workers {
		hi := len(jobs)
		if w < workers-1 {
			// The jobs up to the w+1-th share of the bytes.
			for hi = lo + 1; hi < len(jobs) && jobs[hi].end-jobs[0].start <= (w+1)*total/workers; hi++ {
			}
			hi = min(hi, len(jobs)-(workers-1-w)) // a job for each helper after
		}
		h, run := &s.helpers[w], jobs[lo:hi]
		if w == workers-1 {
			h.walkRun(b, s.base, run)
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.walkRun(b, s.base, run)
		}()
		lo = hi
	}
	wg.Wait()
}

// walkRun walks each job of run in window b, whose b[0] is at offset base
// of the input, and sets its dataEnd.
func (h *walker) walkRun(b []byte, base int64, run []job) {
	for i := range run {
		jb := &run[i]
		h.b, h.i, h.base = b[:jb.end], jb.start, base
		h.reset()
		h.interval(0, jb.n)
		jb.dataEnd = h.dataEnd()
	}
}

// nextMarker returns the index in b of the code of the first marker at or
// after p, as fill finds it: a run of 0xFF bytes followed by a byte that
// is not 0x00 (B.1.1.5); or -1 if b ends first.
func nextMarker(b []byte, p int) int {
	for {
		k := bytes.IndexByte(b[p:], 0xff)
		if k < 0 {
			return -1
		}
		k += p + 1
		for k < len(b) && b[k] == 0xff {
			k++
		}
		if k == len(b) {
			return -1
		}
		if b[k] != 0 {
			return k
		}
		p = k + 1
	}
}
