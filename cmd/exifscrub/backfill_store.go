package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"cloud.google.com/go/storage"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"
	"gocloud.dev/blob/gcsblob"
	"gocloud.dev/gcerrors"

	// The stores backfill reads and writes. They are linked into the
	// command only: the library module has no dependency.
	_ "gocloud.dev/blob/azureblob"
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

// versionOf returns the version that attrs describe.
func versionOf(attrs *blob.Attributes) objVersion {
	v := objVersion{etag: attrs.ETag}
	var oa storage.ObjectAttrs
	if attrs.As(&oa) {
		v.generation = oa.Generation
	}
	return v
}

// azETag is v's ETag as the Azure SDK takes it.
func (v objVersion) azETag() *azcore.ETag {
	e := azcore.ETag(v.etag)
	return &e
}

// azIfMatch adds If-Match: v's ETag to the Azure request's conditions
// *ac, made if there are none.
func (v objVersion) azIfMatch(ac **azblob.AccessConditions) {
	if *ac == nil {
		*ac = &azblob.AccessConditions{}
	}
	if (*ac).ModifiedAccessConditions == nil {
		(*ac).ModifiedAccessConditions = &azblobblob.ModifiedAccessConditions{}
	}
	(*ac).ModifiedAccessConditions.IfMatch = v.azETag()
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
			v.generation != 0 && via(as, func(h **storage.ObjectHandle) { *h = (*h).Generation(v.generation) }) ||
			v.etag != "" && via(as, func(o *azblob.DownloadStreamOptions) { v.azIfMatch(&o.AccessConditions) })
		return nil
	}}
}

// ifMatchWrite sets, where the store takes it (S3, GCS, Azure), the
// condition that the write replaces only the version v of the object. It
// reports whether the store took it.
func ifMatchWrite(o *blob.WriterOptions, v objVersion, took *bool) {
	o.BeforeWrite = func(as func(any) bool) error {
		*took = v.etag != "" && via(as, func(in *transfermanager.UploadObjectInput) { in.IfMatch = &v.etag }) ||
			v.generation != 0 && via(as, func(h **storage.ObjectHandle) {
				*h = (*h).If(storage.Conditions{GenerationMatch: v.generation})
			}) ||
			v.etag != "" && via(as, func(o *azblob.UploadStreamOptions) { v.azIfMatch(&o.AccessConditions) })
		return nil
	}
}

// ifMatchCopy sets, where the store takes it, the condition that a copy
// reads only the version v of the object.
func ifMatchCopy(v objVersion) *blob.CopyOptions {
	return &blob.CopyOptions{BeforeCopy: func(as func(any) bool) error {
		_ = v.etag != "" && via(as, func(in *s3.CopyObjectInput) { in.CopySourceIfMatch = &v.etag }) ||
			v.generation != 0 && via(as, func(h *gcsblob.CopyObjectHandles) { h.Src = h.Src.Generation(v.generation) }) ||
			v.etag != "" && via(as, func(o *azblobblob.StartCopyFromURLOptions) {
				if o.SourceModifiedAccessConditions == nil {
					o.SourceModifiedAccessConditions = &azblobblob.SourceModifiedAccessConditions{}
				}
				o.SourceModifiedAccessConditions.SourceIfMatch = v.azETag()
			})
		return nil
	}}
}

// oneLineErr is err as one line of the results: the Azure SDK's errors
// (*azcore.ResponseError) span a dozen, with the response's XML body, so
// they are shortened to the request and the answer's status and code.
// Others are as describeErr gives them.
func oneLineErr(err error, key string) string {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return describeErr(err, key)
	}
	req := ""
	if re.RawResponse != nil && re.RawResponse.Request != nil {
		u := *re.RawResponse.Request.URL
		u.RawQuery = "" // a SAS token would be there
		req = re.RawResponse.Request.Method + " " + u.String() + ": "
	}
	return fmt.Sprintf("blob (key %q) (code=%v): %s%d %s", key, gcerrors.Code(err), req, re.StatusCode, re.ErrorCode)
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
