package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	// The stores backfill reads and writes. They are linked into the
	// command only: the library module has no dependency. GCS and Azure
	// are linked with the build tags gcs and azblob (backfill_gcs.go,
	// backfill_azblob.go): their SDKs double the command's size and add
	// 15 ms and 23 MB to the start of every run, scrub of one photo
	// included.
	_ "gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/memblob"
	_ "gocloud.dev/blob/s3blob"
)

// What backfill needs of a store beyond gocloud.dev/blob's portable API,
// through its As escape hatches: that a read gets the version that was
// recorded, that an in-place write replaces only that version, and that a
// backup copies only it. Per store:
//   - S3: GetObject If-Match on the ETag, PutObject and
//     CompleteMultipartUpload If-Match, CopyObject
//     x-amz-copy-source-if-match;
//   - GCS: reads and the backup's copy of the recorded generation, the
//     write with ifGenerationMatch on it;
//   - Azure: If-Match on the ETag for the reads (Get Blob) and the write
//     (Put Blob, or Put Block List above a block), x-ms-source-if-match
//     for the copy.
//
// Other stores (file://, mem://) get the portable API and a check of the
// ETag just before the write commits (see backfiller.object).

// An objVersion is the object as it was read: its ETag, and on GCS its
// generation, which GCS's conditions name.
type objVersion struct {
	etag       string
	generation int64 // GCS only; 0 elsewhere
}

// A storeHooks is what a store linked with a build tag adds to S3's
// conditions (backfill_gcs.go, backfill_azblob.go): each function sets,
// through the store's As function, the condition on a request of its
// own type, and reports whether the store makes such requests.
type storeHooks struct {
	name       string                                     // the build tag
	generation func(attrs *blob.Attributes) int64         // the object's generation, or 0; nil if the store has none
	read       func(as func(any) bool, v objVersion) bool // a read of version v only
	write      func(as func(any) bool, v objVersion) bool // a write that replaces version v only
	copy       func(as func(any) bool, v objVersion) bool // a copy of version v only
	oneLine    func(err error, key string) (string, bool) // a store's error as one line
}

// linkedStores are the stores linked with build tags.
var linkedStores []storeHooks

// storeLinked returns an error that says how to build the command when
// the store of url (gs://, azblob://) is not linked into it.
func storeLinked(url string) error {
	for _, s := range []struct{ scheme, tag string }{{"gs://", "gcs"}, {"azblob://", "azblob"}} {
		if !strings.HasPrefix(url, s.scheme) || slices.ContainsFunc(linkedStores, func(h storeHooks) bool { return h.name == s.tag }) {
			continue
		}
		return fmt.Errorf("%s: this exifscrub is built without %s stores; install one with them: go install -tags %s github.com/exifscrub/exifscrub/cmd/exifscrub@VERSION", url, s.scheme, s.tag)
	}
	return nil
}

// versionOf returns the version that attrs describe.
func versionOf(attrs *blob.Attributes) objVersion {
	v := objVersion{etag: attrs.ETag}
	for _, h := range linkedStores {
		if h.generation != nil && v.generation == 0 {
			v.generation = h.generation(attrs)
		}
	}
	return v
}

// via gets, through a store's As function, the request of type T that
// the store is about to make and gives it to set; it reports whether the
// store makes requests of that type (so whether set was called).
func via[T any](as func(any) bool, set func(T)) bool {
	var r T
	if !as(&r) {
		return false
	}
	set(r)
	return true
}

// anyStore reports whether one of the linked stores took a condition
// through hook (the first that does).
func anyStore(hook func(storeHooks) bool) bool {
	for _, h := range linkedStores {
		if hook(h) {
			return true
		}
	}
	return false
}

// readerOptions returns options that make every read of the object fail
// unless it is still the version v (on GCS: that read version v), where
// the store can say so.
func readerOptions(v objVersion) *blob.ReaderOptions {
	if v.etag == "" && v.generation == 0 {
		return nil
	}
	return &blob.ReaderOptions{BeforeRead: func(as func(any) bool) error {
		// At most one of the types is the store's: the first that is
		// gets the condition.
		_ = v.etag != "" && via(as, func(in *s3.GetObjectInput) { in.IfMatch = &v.etag }) ||
			anyStore(func(h storeHooks) bool { return h.read(as, v) })
		return nil
	}}
}

// ifMatchWrite sets, where the store takes it (S3, GCS, Azure), the
// condition that the write replaces only the version v of the object. It
// reports whether the store took it.
func ifMatchWrite(o *blob.WriterOptions, v objVersion, took *bool) {
	o.BeforeWrite = func(as func(any) bool) error {
		*took = v.etag != "" && via(as, func(in *transfermanager.UploadObjectInput) { in.IfMatch = &v.etag }) ||
			anyStore(func(h storeHooks) bool { return h.write(as, v) })
		return nil
	}
}

// ifMatchCopy sets, where the store takes it, the condition that a copy
// reads only the version v of the object.
func ifMatchCopy(v objVersion) *blob.CopyOptions {
	return &blob.CopyOptions{BeforeCopy: func(as func(any) bool) error {
		_ = v.etag != "" && via(as, func(in *s3.CopyObjectInput) { in.CopySourceIfMatch = &v.etag }) ||
			anyStore(func(h storeHooks) bool { return h.copy(as, v) })
		return nil
	}}
}

// oneLineErr is err as one line of the results: as a linked store gives
// it (the Azure SDK's errors span a dozen lines), else as describeErr
// does.
func oneLineErr(err error, key string) string {
	for _, h := range linkedStores {
		if h.oneLine != nil {
			if s, ok := h.oneLine(err, key); ok {
				return s
			}
		}
	}
	return describeErr(err, key)
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

func newBlobSource(ctx context.Context, b *blob.Bucket, key string, v objVersion, size int64) *blobSource {
	return &blobSource{ctx: ctx, b: b, key: key, opts: readerOptions(v), size: size}
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
