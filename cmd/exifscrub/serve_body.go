package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/exifscrub/exifscrub"
)

// How /v1/scrub answers, so that a 200 is always a whole clean file:
//
//   - Photos are scrubbed into a spillBuffer (spill.go, as scrub does for
//     standard input): memory up to bufferMemory, then an unnamed
//     temporary file. Only when Scrub has
//     returned nil are the status, the X-Exifscrub-Report header and the
//     file sent; any error before that gets its own status. WebP, HEIF and
//     AVIF are held whole by Scrub anyway; JPEG and PNG would stream, but
//     a photo is a few megabytes and an error status is worth more than
//     the first byte a few milliseconds sooner.
//   - A video whose index ('moov') comes after its media, as phones write
//     them, is buffered the same way:
//     which samples of a metadata track to overwrite is known only once
//     the index is read, after those samples were copied, and Scrub must
//     then go back over the output (mov_write.go), which it can in a file
//     and not in a response.
//   - A video whose index comes first ("fast start") is streamed, full
//     duplex: its output begins once Scrub has read and rebuilt the index,
//     and memory stays bounded by the index, whatever the size. It goes
//     through a spillPipe (serve_pipe.go), so that a client that reads
//     the answer only after sending the whole request does not deadlock. An error
//     found before the first byte of output still gets its status; one
//     found after (media data cut short, the client gone) aborts the
//     response, which net/http does by closing the connection without the
//     last chunk, so no client takes the partial file for a complete one,
//     and the Exifscrub-Summary trailer, sent only after a complete scrub,
//     is missing.
//
// Either way the bytes are those of exifscrub.Scrub for the same input and
// options.

// sniffWindow is how much of the body is read ahead to find the format
// and where a video's index is; the boxes before a fast-start 'moov'
// ('ftyp', 'wide', 'free') take a few hundred bytes.
const sniffWindow = 64 << 10

// What was removed goes with the file in two forms (docs/serve.md):
//
//   - the summary, {"format", "removed": {category: count}, "kept": {...}},
//     a few hundred bytes at most, in the Exifscrub-Summary trailer of
//     every complete answer, and in the X-Exifscrub-Summary header of a
//     buffered one;
//   - the whole report, as Scrub returns it ({"format", "findings",
//     "kept"}), in the X-Exifscrub-Report header of a buffered answer when
//     it takes at most maxReportHeader bytes.
//
// The whole report is never a trailer: Go's client refuses trailers past
// its 4 KiB read buffer ("suspiciously long trailer"), failing the answer,
// and a report can be far longer. Most clients (Python's, Node's fetch)
// do not show trailers at all, hence the headers.
const (
	summaryTrailer = "Exifscrub-Summary"
	summaryHeader  = "X-Exifscrub-Summary"
	reportHeader   = "X-Exifscrub-Report"
	// maxReportHeader bounds the report header: Node's HTTP parser
	// refuses answers whose headers pass 16 KiB in all.
	maxReportHeader = 8 << 10
)

// A scrubSummary is the summary of a scrub's report: how many findings
// of each category it removed, and kept.
type scrubSummary struct {
	Format  exifscrub.Format `json:"format"`
	Removed map[string]int   `json:"removed"`
	Kept    map[string]int   `json:"kept,omitempty"`
	Damaged bool             `json:"damaged,omitempty"`
}

func summarize(rep *exifscrub.Report) scrubSummary {
	count := func(fs []exifscrub.Finding) map[string]int {
		m := map[string]int{}
		for _, f := range fs {
			m[string(f.Category)] += 1 + f.More
		}
		return m
	}
	s := scrubSummary{Format: rep.Format, Removed: count(rep.Findings), Damaged: rep.Damaged}
	if len(rep.Kept) > 0 {
		s.Kept = count(rep.Kept)
	}
	return s
}

// bufferMemory is how much of a buffered answer is held in memory before
// it moves to a temporary file: 1 MiB, so that 16 clients sending 12 MP
// photos (6.6 MB) at once keep the server at about 50 MB resident rather
// than 240 (bench/serve.sh); the file is unnamed and lives in the page
// cache, so a photo costs a few system calls more, not disk time.
const bufferMemory = 1 << 20

// buffered scrubs in into a spillBuffer and sends it once Scrub has
// succeeded. It reports whether it did.
func (s *server) buffered(w http.ResponseWriter, r *http.Request, in io.Reader, opts *exifscrub.Options) (*exifscrub.Report, bool) {
	out := &spillBuffer{limit: bufferMemory}
	defer out.Close()
	rep, err := exifscrub.Scrub(out, in, opts)
	if err != nil {
		writeFailure(w, r, err)
		return nil, false
	}
	w.Header().Set(summaryHeader, string(headerJSON(summarize(rep))))
	if j := headerJSON(rep); len(j) <= maxReportHeader {
		w.Header().Set(reportHeader, string(j))
	}
	w.WriteHeader(http.StatusOK)
	if _, err := out.WriteTo(w); err != nil {
		w.(*serveWriter).errCode = "client" // gone, or takes nothing
		panic(http.ErrAbortHandler)
	}
	return rep, true
}

// stream scrubs in into the response as it is read, through a spillPipe
// (see above). It reports whether the whole file was sent.
func (s *server) stream(w http.ResponseWriter, r *http.Request, in io.Reader, opts *exifscrub.Options) (*exifscrub.Report, bool) {
	sw := w.(*serveWriter)
	// HTTP/1.1 servers stop reading the request at the first write of
	// the answer unless it is full duplex.
	err := http.NewResponseController(w).EnableFullDuplex()
	var p *spillPipe
	if err == nil {
		p, err = newSpillPipe()
	}
	if err != nil {
		writeFailure(w, r, err)
		return nil, false
	}
	defer p.Close()
	var rep *exifscrub.Report
	done := make(chan struct{})
	go func() {
		defer close(done)
		rep, err = exifscrub.Scrub(p, in, opts)
		p.CloseWrite()
	}()
	if cerr := p.copyTo(sw); cerr != nil {
		// The client is gone or takes nothing: stop Scrub at its next
		// write or read (a handler must not read the body once it has
		// returned), then drop the connection.
		p.CloseRead()
		r.Body.(*serveBody).stop()
		<-done
		sw.errCode = "client"
		panic(http.ErrAbortHandler)
	}
	<-done
	switch {
	case err == nil:
		return rep, true
	case sw.status == 0:
		writeFailure(w, r, err) // nothing sent yet: an error status
		return nil, false
	}
	sw.errCode = failureCode(err, r)
	panic(http.ErrAbortHandler)
}

// indexFirst reports whether the video read by br has its 'moov' box
// before its first 'mdat' box, within what br can hold. When it cannot
// tell, it says no: buffering is always correct, streaming only faster.
// ISO/IEC 14496-12 §4.2: a box starts with a 32-bit size and a type; size
// 1 means a 64-bit largesize follows the type, 0 that the box runs to the
// end of the file.
func indexFirst(br *bufio.Reader) bool {
	for off := 0; ; {
		h, err := br.Peek(off + 16)
		if err != nil {
			return false // the file ends, or the boxes pass the window
		}
		size := bigEndian(h[off : off+4])
		switch string(h[off+4 : off+8]) {
		case "moov":
			return true
		case "mdat":
			return false
		}
		if size == 1 {
			size = bigEndian(h[off+8 : off+16])
		}
		if size < 8 || size > uint64(br.Size()) {
			return false
		}
		off += int(size)
	}
}

// bigEndian reads an unsigned big-endian number (encoding/binary's name
// is taken in this package by the tests' binary).
func bigEndian(b []byte) uint64 {
	var n uint64
	for _, c := range b {
		n = n<<8 | uint64(c)
	}
	return n
}

// A serveBody is a request body that is limited to --max-bytes and
// watched: each read must bring something within --read-timeout (a slow
// upload is fine, a stalled one is not). It counts what it read.
type serveBody struct {
	r       io.ReadCloser
	rc      *http.ResponseController
	timeout time.Duration
	n       int64
	err     error // the first error but io.EOF

	mu      sync.Mutex
	stopped bool
}

var errBodyStopped = errors.New("reading the body was stopped")

func (b *serveBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		return 0, errBodyStopped
	}
	b.rc.SetReadDeadline(time.Now().Add(b.timeout))
	b.mu.Unlock()
	n, err := b.r.Read(p)
	b.n += int64(n)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// stop makes the read in progress, if any, and every later one fail.
func (b *serveBody) stop() {
	b.mu.Lock()
	b.stopped = true
	b.rc.SetReadDeadline(time.Now())
	b.mu.Unlock()
}

func (b *serveBody) Close() error { return b.r.Close() }

// A serveWriter is the response: it records the status and counts the
// bytes, for the metrics and the log, and gives each write --read-timeout
// to reach a client that does not take the answer.
type serveWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	status  int
	n       int64
	errCode string // the code of the JSON error sent, for the log
	answer  string // /v1/scrub: "buffered" or "streamed", for the log
}

func (w *serveWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *serveWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.rc.SetWriteDeadline(time.Now().Add(w.timeout))
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *serveWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// contentType is the media type of a clean file of the format, from its
// first bytes for the brands that have a type of their own.
func contentType(f exifscrub.Format, in *bufio.Reader) string {
	brand := ""
	if head, _ := in.Peek(12); len(head) == 12 && string(head[4:8]) == "ftyp" {
		brand = string(head[8:12])
	}
	switch {
	case f == exifscrub.HEIF && (brand == "heic" || brand == "heix"):
		return "image/heic" // ISO/IEC 23008-12 Annex C.1 (HEVC-coded)
	case f == exifscrub.MP4 && len(brand) == 4 && brand[:3] == "3gp":
		return "video/3gpp" // RFC 3839
	}
	return f.MIMEType()
}

// headerJSON encodes v for a header or trailer: on one line, in ASCII
// (anything else as \u escapes, which mean the same in JSON), since header
// values are bytes that clients read as Latin-1.
func headerJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only strings and numbers: cannot fail
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r < utf8.RuneSelf:
			out = append(out, b[i])
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r) // RFC 8259 §7: a surrogate pair
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		default:
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += n
	}
	return out
}
