package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/exifscrub/exifscrub"
	"gocloud.dev/blob"
)

// The results of backfill: one JSON line per object, written only once
// what it says is true (the output committed, or the failure final), so
// that a rerun with the same results skips what they call done.

// Statuses of a backfilled object.
const (
	statusScrubbed = "scrubbed" // metadata removed, the output written
	statusClean    = "clean"    // nothing to remove (--to: copied; --in-place: left as it is)
	statusSkipped  = "skipped"  // not a supported image, or empty: left alone, not copied
	statusFailed   = "failed"   // not done: tried again by the next run
)

// A backfillRecord is one line of the results.
type backfillRecord struct {
	Key        string                     `json:"key"`
	ETag       string                     `json:"etag,omitempty"`       // of the object as read
	Generation int64                      `json:"generation,omitempty"` // on GCS, the generation read (what its conditions name)
	Status     string                     `json:"status"`
	Format     string                     `json:"format,omitempty"`
	Removed    map[exifscrub.Category]int `json:"removed,omitempty"` // items removed, by category
	Bytes      int64                      `json:"bytes"`             // the object's size as read
	Written    int64                      `json:"written"`           // bytes written; 0 when nothing was
	Backup     string                     `json:"backup,omitempty"`  // --backup-prefix: the key of the original's copy
	Reason     string                     `json:"reason,omitempty"`  // why an object was skipped
	Error      string                     `json:"error,omitempty"`
	Changed    bool                       `json:"changed,omitempty"` // failed because the object changed while it was scrubbed
}

// done reports whether a rerun skips the record's object.
func (r *backfillRecord) done() bool { return r.Status != statusFailed && r.Status != "" }

// Results that go to a blob URL are written in parts, because a blob is
// written whole or not at all: every resultsFlushLines lines or
// resultsFlushEvery, and at the end, a part NAME.RUN.NNNNNN.jsonl, where
// NAME names the shard and RUN the run. A killed run loses at most its
// last part's lines, whose objects the next run does again (scrubbing a
// scrubbed object changes nothing).
const (
	resultsFlushLines = 1000
	resultsFlushEvery = 30 * time.Second
	resultsExt        = ".jsonl"
)

// A resultsSink writes the lines of one run.
type resultsSink struct {
	mu sync.Mutex

	w io.Writer // a local file (appended to) or standard output

	b         *blob.Bucket // results in parts in a bucket
	name, run string
	part      int
	buf       bytes.Buffer
	lines     int
	last      time.Time

	err error // the first error writing the results
}

// isBlobURL reports whether s names a blob URL rather than a file.
func isBlobURL(s string) bool { return strings.Contains(s, "://") }

// openResults opens the results named by spec (a file, a blob URL, or ""
// for w), and returns the keys that earlier runs finished, among those
// for which mine is true. name names this shard's parts.
func openResults(ctx context.Context, spec, name string, w io.Writer, mine func(string) bool) (*resultsSink, map[string]bool, error) {
	done := map[string]bool{}
	switch {
	case spec == "" || spec == "-":
		return &resultsSink{w: w}, done, nil
	case isBlobURL(spec):
		b, err := blob.OpenBucket(ctx, spec)
		if err != nil {
			return nil, nil, err
		}
		it := b.List(nil)
		for {
			o, err := it.Next(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Close()
				return nil, nil, fmt.Errorf("listing the results: %w", err)
			}
			if o.IsDir || !strings.HasSuffix(o.Key, resultsExt) {
				continue
			}
			r, err := b.NewReader(ctx, o.Key, nil)
			if err != nil {
				b.Close()
				return nil, nil, fmt.Errorf("reading the results: %w", err)
			}
			err = readDone(r, done, mine)
			r.Close()
			if err != nil {
				b.Close()
				return nil, nil, fmt.Errorf("reading the results %s: %w", o.Key, err)
			}
		}
		run := time.Now().UTC().Format("20060102T150405.000000000Z")
		return &resultsSink{b: b, name: name, run: run, last: time.Now()}, done, nil
	default:
		f, err := os.OpenFile(spec, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, err
		}
		if err := readDone(f, done, mine); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("reading the results %s: %w", spec, err)
		}
		// A line cut short by a kill is completed, so that the next one
		// starts on a line of its own.
		if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
			last := make([]byte, 1)
			if _, err := f.ReadAt(last, fi.Size()-1); err == nil && last[0] != '\n' {
				f.Write([]byte("\n"))
			}
		}
		return &resultsSink{w: f}, done, nil
	}
}

// readDone adds to done the keys that the lines of r call done, among
// those for which mine is true. Lines that are not records (a line cut
// short by a kill) are passed over.
func readDone(r io.Reader, done map[string]bool, mine func(string) bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var rec backfillRecord
		if json.Unmarshal(sc.Bytes(), &rec) != nil || rec.Key == "" {
			continue
		}
		if rec.done() && mine(rec.Key) {
			done[rec.Key] = true
		}
	}
	return sc.Err()
}

// add writes one record.
func (s *resultsSink) add(rec *backfillRecord) {
	line, err := json.Marshal(rec)
	if err != nil {
		panic(err) // a record always marshals
	}
	line = append(line, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b == nil {
		// One write per line: a kill leaves whole lines, and at most the
		// last cut short.
		if _, err := s.w.Write(line); err != nil && s.err == nil {
			s.err = err
		}
		return
	}
	s.buf.Write(line)
	s.lines++
	if s.lines >= resultsFlushLines || time.Since(s.last) >= resultsFlushEvery {
		s.flushLocked()
	}
}

// flushLocked writes the lines held as the next part.
func (s *resultsSink) flushLocked() {
	s.last = time.Now()
	if s.lines == 0 {
		return
	}
	s.part++
	key := fmt.Sprintf("%s.%s.%06d%s", s.name, s.run, s.part, resultsExt)
	// Its own context: the lines of a run that is being stopped must
	// still be written.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := s.b.WriteAll(ctx, key, s.buf.Bytes(), &blob.WriterOptions{ContentType: "application/x-ndjson"})
	if err != nil {
		if s.err == nil {
			s.err = fmt.Errorf("writing the results %s: %w", key, err)
		}
		s.part-- // the lines stay held, for the next try
		return
	}
	s.buf.Reset()
	s.lines = 0
}

// close writes what is held and closes the results; it returns the first
// error writing them.
func (s *resultsSink) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b != nil {
		s.flushLocked()
		s.b.Close()
	}
	if f, ok := s.w.(*os.File); ok && f != os.Stdout {
		if err := f.Sync(); err != nil && s.err == nil && !errors.Is(err, os.ErrInvalid) {
			s.err = err
		}
		f.Close()
	}
	return s.err
}
