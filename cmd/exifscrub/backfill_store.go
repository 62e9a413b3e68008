package main

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	// The stores backfill reads and writes. They are linked into the
	// command only: the library module has no dependency.
	_ "gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/memblob"
	_ "gocloud.dev/blob/s3blob"
)

// What backfill needs of a store beyond gocloud.dev/blob's portable API,
// through its As escape hatches: on S3, that a read gets the version whose
// ETag was recorded (GetObject If-Match), that an in-place write replaces
// only that version (PutObject and CompleteMultipartUpload If-Match) and
// that a backup copies only it (CopyObject x-amz-copy-source-if-match).
// Other stores get the portable API and a check of the ETag just before
// the write commits (see backfiller.object).

// readerOptions returns options that make every read of the object fail
// unless it still has the ETag etag, where the store can say so.
func readerOptions(etag string) *blob.ReaderOptions {
	if etag == "" {
		return nil
	}
	return &blob.ReaderOptions{BeforeRead: func(as func(any) bool) error {
		var in *s3.GetObjectInput
		if as(&in) {
			in.IfMatch = &etag
		}
		return nil
	}}
}

// ifMatchWrite sets, on S3, the condition that the write replaces only
// the object with the ETag etag. It reports whether the store took it.
func ifMatchWrite(o *blob.WriterOptions, etag string, took *bool) {
	o.BeforeWrite = func(as func(any) bool) error {
		var in *transfermanager.UploadObjectInput
		if as(&in) {
			in.IfMatch = &etag
			*took = true
		}
		return nil
	}
}

// ifMatchCopy sets, on S3, the condition that a copy reads only the
// object with the ETag etag.
func ifMatchCopy(etag string) *blob.CopyOptions {
	return &blob.CopyOptions{BeforeCopy: func(as func(any) bool) error {
		var in *s3.CopyObjectInput
		if as(&in) {
			in.CopySourceIfMatch = &etag
		}
		return nil
	}}
}

// isPrecondition reports whether err says that an object was not what a
// condition required: it changed (or, for a backup, exists already).
func isPrecondition(err error) bool {
	return gcerrors.Code(err) == gcerrors.FailedPrecondition
}

// A blobSource is the object being scrubbed, as exifscrub.Scrub reads it:
// one streamed GET, and an io.ReaderAt and io.Seeker (whose Seek only
// tells the position) through range reads, so that a video whose index
// follows its media data is read ahead instead of being held in memory or
// on disk.
type blobSource struct {
	ctx  context.Context
	b    *blob.Bucket
	key  string
	opts *blob.ReaderOptions
	size int64

	r   *blob.Reader // the streamed read, opened by the first Read
	pos int64

	mu     sync.Mutex
	ranges int // range reads so far, for tests
}

func newBlobSource(ctx context.Context, b *blob.Bucket, key string, etag string, size int64) *blobSource {
	return &blobSource{ctx: ctx, b: b, key: key, opts: readerOptions(etag), size: size}
}

func (s *blobSource) Read(p []byte) (int, error) {
	if s.r == nil {
		r, err := s.b.NewReader(s.ctx, s.key, s.opts)
		if err != nil {
			return 0, err
		}
		s.r = r
	}
	n, err := s.r.Read(p)
	s.pos += int64(n)
	return n, err
}

// Seek tells the position of the streamed read; it does not move it.
func (s *blobSource) Seek(off int64, whence int) (int64, error) {
	if off != 0 || whence != io.SeekCurrent {
		return 0, errors.New("blobSource: only Seek(0, io.SeekCurrent)")
	}
	return s.pos, nil
}

// ReadAt reads len(p) bytes at off with one range read.
func (s *blobSource) ReadAt(p []byte, off int64) (int, error) {
	if off >= s.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), s.size-off)
	s.mu.Lock()
	s.ranges++
	s.mu.Unlock()
	r, err := s.b.NewRangeReader(s.ctx, s.key, off, n, s.opts)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	k, err := io.ReadFull(r, p[:n])
	if err == nil && n < int64(len(p)) {
		err = io.EOF
	}
	return k, err
}

func (s *blobSource) Close() error {
	if s.r == nil {
		return nil
	}
	return s.r.Close()
}

// A lazyWriter opens the blob writer at the first byte written, so that an
// object that is skipped (not an image) never starts a write, and counts
// what was written. abort cancels the write: nothing is committed.
type lazyWriter struct {
	open   func() (*blob.Writer, error)
	cancel context.CancelFunc // the writer's context
	w      *blob.Writer
	n      int64
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if l.w == nil {
		w, err := l.open()
		if err != nil {
			return 0, err
		}
		l.w = w
	}
	n, err := l.w.Write(p)
	l.n += int64(n)
	return n, err
}

// abort discards what was written: the writer's context is cancelled
// before Close, which then commits nothing.
func (l *lazyWriter) abort() {
	l.cancel()
	if l.w != nil {
		l.w.Close()
	}
}

// commit makes the object visible (blob writers commit on Close), opening
// the writer first if nothing was written: an empty output is still one.
func (l *lazyWriter) commit() error {
	if l.w == nil {
		w, err := l.open()
		if err != nil {
			return err
		}
		l.w = w
	}
	return l.w.Close()
}

// A weightedSem bounds the store requests in flight (--max-inflight). An
// object's transfer takes two at once (its read and its write stream
// together); taking them together, not one by one, cannot deadlock.
type weightedSem struct {
	mu   sync.Mutex
	cond *sync.Cond
	free int
}

func newWeightedSem(n int) *weightedSem {
	s := &weightedSem{free: n}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func (s *weightedSem) acquire(n int) {
	s.mu.Lock()
	for s.free < n {
		s.cond.Wait()
	}
	s.free -= n
	s.mu.Unlock()
}

func (s *weightedSem) release(n int) {
	s.mu.Lock()
	s.free += n
	s.mu.Unlock()
	s.cond.Broadcast()
}
