package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/exifscrub/exifscrub"
	"gocloud.dev/blob"
)

// A backfiller scrubs the objects of one shard of a bucket (issue 25).
type backfiller struct {
	src, dst     *blob.Bucket // the same bucket with --in-place
	inPlace      bool
	backupPrefix string // --backup-prefix: where originals are copied, in src
	copyMetadata bool   // --copy-metadata: also the user metadata and Content-Disposition
	opts         exifscrub.Options
	shard        shardSpec
	jobs         int
	rate         *rateLimiter
	sem          *weightedSem
	results      *resultsSink
	done         map[string]bool // finished by earlier runs
}

// errChangedObject is the error for an object that changed between its
// read and its replacement.
var errChangedObject = errors.New("changed while it was scrubbed (written by another program); left as it is, and the scrubbed copy discarded")

// testHookBackfillBeforeCommit, when set by a test, is called after an
// object is scrubbed and before its output is committed.
var testHookBackfillBeforeCommit func(key string)

// A shardSpec is --shard i/n: the keys whose hash modulo n is i.
type shardSpec struct{ i, n int }

func (s shardSpec) String() string { return fmt.Sprintf("%d/%d", s.i, s.n) }

// has reports whether key is in the shard: FNV-1a (64 bits) of the key,
// modulo n, is i. Every process computes the same split, with no
// coordinator and no listing order to agree on.
func (s shardSpec) has(key string) bool {
	if s.n <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return h.Sum64()%uint64(s.n) == uint64(s.i)
}

// parseShard reads "i/n", 0 <= i < n.
func parseShard(s string) (shardSpec, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return shardSpec{}, fmt.Errorf("--shard takes I/N with 0 <= I < N, such as 0/4; got %q", s)
	}
	return shardSpec{i, n}, nil
}

// A rateLimiter spaces the starts of objects (--rate).
type rateLimiter struct {
	mu    sync.Mutex
	every time.Duration
	next  time.Time
}

func newRateLimiter(perSecond float64) *rateLimiter {
	if perSecond <= 0 {
		return nil
	}
	return &rateLimiter{every: time.Duration(float64(time.Second) / perSecond)}
}

func (r *rateLimiter) wait(ctx context.Context) error {
	if r == nil {
		return ctx.Err()
	}
	r.mu.Lock()
	now := time.Now()
	if r.next.Before(now) {
		r.next = now
	}
	at := r.next
	r.next = r.next.Add(r.every)
	r.mu.Unlock()
	t := time.NewTimer(time.Until(at))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// list returns the keys of the shard that earlier runs did not finish,
// and how many they did.
func (b *backfiller) list(ctx context.Context) (keys []string, resumed int, err error) {
	it := b.src.List(nil)
	for {
		o, err := it.Next(ctx)
		if err == io.EOF {
			return keys, resumed, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("listing the source: %w", err)
		}
		switch {
		case o.IsDir, b.backupPrefix != "" && strings.HasPrefix(o.Key, b.backupPrefix), !b.shard.has(o.Key):
		case b.done[o.Key]:
			resumed++
		default:
			keys = append(keys, o.Key)
		}
	}
}

// object backfills one object. It returns nil when the run was stopped
// before the object was done: it then has no record, and the next run
// does it.
func (b *backfiller) object(ctx context.Context, key string) *backfillRecord {
	if b.rate.wait(ctx) != nil {
		return nil
	}
	rec := &backfillRecord{Key: key}
	fail := func(err error) *backfillRecord {
		if ctx.Err() != nil {
			return nil
		}
		rec.Status, rec.Error = statusFailed, oneLineErr(err, key)
		if errors.Is(err, errChangedObject) || isPrecondition(err) {
			rec.Changed = true
			if !errors.Is(err, errChangedObject) {
				rec.Error = errChangedObject.Error() + " (" + rec.Error + ")"
			}
		}
		return rec
	}

	b.sem.acquire(1)
	attrs, err := b.src.Attributes(ctx, key)
	b.sem.release(1)
	if err != nil {
		return fail(err)
	}
	ver := versionOf(attrs)
	rec.ETag, rec.Generation, rec.Bytes = attrs.ETag, ver.generation, attrs.Size
	if attrs.Size == 0 {
		rec.Status, rec.Reason = statusSkipped, errEmptyFile.Error()
		return rec
	}

	b.sem.acquire(2)
	defer b.sem.release(2)
	in := newBlobSource(ctx, b.src, key, ver, attrs.Size)
	defer in.Close()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wopts := b.writerOptions(attrs)
	conditional := false
	if b.inPlace {
		ifMatchWrite(wopts, ver, &conditional)
	}
	out := &lazyWriter{cancel: cancel, open: func() (*blob.Writer, error) {
		return b.dst.NewWriter(wctx, key, wopts)
	}}
	rep, err := exifscrub.Scrub(out, in, &b.opts)
	if formatKnown(rep) {
		rec.Format = string(rep.Format)
	}
	if err != nil {
		out.abort()
		if errors.Is(err, exifscrub.ErrUnsupportedFormat) {
			rec.Status, rec.Reason = statusSkipped, unsupportedErr(err).Error()
			return rec
		}
		return fail(err)
	}
	for _, f := range rep.Findings {
		if rec.Removed == nil {
			rec.Removed = map[exifscrub.Category]int{}
		}
		rec.Removed[f.Category] += 1 + f.More
	}
	rec.Status = statusScrubbed
	if len(rep.Findings) == 0 {
		rec.Status = statusClean
		if b.inPlace {
			// Nothing to remove: the original stays, untouched.
			out.abort()
			return rec
		}
	}
	if b.inPlace && b.backupPrefix != "" {
		if rec.Backup, err = b.backup(ctx, key, ver); err != nil {
			out.abort()
			return fail(err)
		}
	}
	if testHookBackfillBeforeCommit != nil {
		testHookBackfillBeforeCommit(key)
	}
	if b.inPlace && (out.w == nil || !conditional) {
		// The store took no condition (S3's, GCS's and Azure's do, see
		// backfill_store.go): the object must still have the ETag it
		// was read with. What another
		// program writes between this check and the commit is lost;
		// see docs/backfill.md.
		cur, err := b.src.Attributes(ctx, key)
		if err != nil || cur.ETag != attrs.ETag {
			out.abort()
			return fail(errChangedObject)
		}
	}
	// Commit: with --in-place, on S3 PutObject or CompleteMultipartUpload
	// with If-Match, on GCS the upload with ifGenerationMatch, on Azure
	// Put Blob or Put Block List with If-Match: each fails if the object
	// changed since its read.
	if err := out.commit(); err != nil {
		return fail(err)
	}
	rec.Written = out.n
	return rec
}

// writerOptions are those of an output: the original's content type and
// the headers that say how to serve it; with --copy-metadata also its user
// metadata and Content-Disposition, which can hold the original file
// name (and so the time a phone named it after).
func (b *backfiller) writerOptions(a *blob.Attributes) *blob.WriterOptions {
	o := &blob.WriterOptions{
		ContentType:     a.ContentType,
		CacheControl:    a.CacheControl,
		ContentEncoding: a.ContentEncoding,
		ContentLanguage: a.ContentLanguage,
	}
	if o.ContentType == "" {
		o.DisableContentTypeDetection = true
	}
	if b.copyMetadata {
		o.ContentDisposition = a.ContentDisposition
		o.Metadata = a.Metadata
	}
	return o
}

// backup copies the original of key, as read (version v), to the backup
// prefix before it is replaced, unless a backup is there already: it may
// be the only original left, kept by an earlier run.
func (b *backfiller) backup(ctx context.Context, key string, v objVersion) (string, error) {
	dst := b.backupPrefix + key
	if ok, err := b.src.Exists(ctx, dst); err != nil {
		return "", fmt.Errorf("backup %s: %w", dst, err)
	} else if ok {
		return dst, nil
	}
	if err := b.src.Copy(ctx, dst, key, ifMatchCopy(v)); err != nil {
		return "", fmt.Errorf("backup %s: %w", dst, err)
	}
	return dst, nil
}

// A backfillTally counts the outcomes of a run for the summary.
type backfillTally struct {
	scrubbed, clean, skipped, failed, changed int
	resumed                                   int
	read, written                             int64
}

func (t *backfillTally) add(r *backfillRecord) {
	switch r.Status {
	case statusScrubbed:
		t.scrubbed++
	case statusClean:
		t.clean++
	case statusSkipped:
		t.skipped++
	case statusFailed:
		t.failed++
		if r.Changed {
			t.changed++
		}
	}
	t.read += r.Bytes
	t.written += r.Written
}

// run backfills keys on b.jobs goroutines, writing a record for each.
// stopped counts the objects the run was stopped before.
func (b *backfiller) run(ctx context.Context, keys []string, each func(*backfillRecord), p *progress) (stopped int) {
	recs := make([]*backfillRecord, len(keys))
	forEach(len(keys), b.jobs, func(i int) {
		if ctx.Err() != nil {
			return
		}
		if r := b.object(ctx, keys[i]); r != nil {
			b.results.add(r)
			recs[i] = r
		}
	}, func(i int) {
		if recs[i] == nil {
			stopped++
			return
		}
		each(recs[i])
		recs[i] = nil
	}, p.tick)
	return stopped
}

// summary is the last line of a run, on standard error.
func (b *backfiller) summary(t backfillTally, stopped int, d time.Duration) string {
	n := t.scrubbed + t.clean + t.skipped + t.failed
	s := fmt.Sprintf("exifscrub backfill: shard %s: %s: %d scrubbed, %d clean, %d skipped, %d failed",
		b.shard, plural(n, "object", "objects"), t.scrubbed, t.clean, t.skipped, t.failed)
	if t.changed > 0 {
		s += fmt.Sprintf(" (%d changed meanwhile)", t.changed)
	}
	if t.resumed > 0 {
		s += fmt.Sprintf("; %d done by an earlier run", t.resumed)
	}
	if stopped > 0 {
		s += fmt.Sprintf("; stopped before %d (run again to finish)", stopped)
	}
	rate := 0.0
	if d > 0 {
		rate = float64(n) / d.Seconds()
	}
	return s + fmt.Sprintf("; read %s, wrote %s in %s (%.1f objects/s)",
		byteSize(t.read), byteSize(t.written), d.Round(time.Millisecond), rate)
}
