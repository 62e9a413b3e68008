package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exifscrub/exifscrub"
)

// Samples of the library's testdata for serve: a video whose index comes
// first (streamed) and one whose index comes last (buffered).
var (
	fastStartMP4 = filepath.Join("..", "..", "testdata", "video__udta_xmp_faststart.mp4")
	brokenJPEG   = filepath.Join("..", "..", "testdata", "README.md") // not an image
)

// A testServer is a server running in the test on 127.0.0.1.
type testServer struct {
	*server
	url  string
	logs *syncBuffer
	stop func() // shuts down, as on SIGTERM, and waits
}

// startServer starts a server on an ephemeral port of 127.0.0.1.
func startServer(t *testing.T, cfg serveConfig) *testServer {
	t.Helper()
	if cfg.maxBytes == 0 {
		cfg.maxBytes = 256 << 20
	}
	if cfg.readTimeout == 0 {
		cfg.readTimeout = 10 * time.Second
	}
	if cfg.maxInflight == 0 {
		cfg.maxInflight = 16
	}
	if cfg.shutdownTimeout == 0 {
		cfg.shutdownTimeout = 10 * time.Second
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	s := newServer(cfg, logs)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.serve(ctx, ln) }()
	var once sync.Once
	ts := &testServer{server: s, url: "http://" + ln.Addr().String(), logs: logs}
	ts.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(ts.stop)
	return ts
}

// syncBuffer is a bytes.Buffer that the server's goroutines can log to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// post sends body to the server and reads the whole answer.
func post(t *testing.T, url string, body io.Reader) (*http.Response, []byte, error) {
	t.Helper()
	res, err := http.Post(url, "application/octet-stream", body)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, b, err
}

// wantScrub is what exifscrub.Scrub makes of the file at path: written
// into a file, as ScrubFile does, so that a video whose index comes last
// can be gone back over.
func wantScrub(t *testing.T, path string, opts *exifscrub.Options) ([]byte, *exifscrub.Report, error) {
	t.Helper()
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.CreateTemp(t.TempDir(), "want")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	rep, err := exifscrub.Scrub(out, bufio.NewReader(in), opts)
	if err != nil {
		return nil, rep, err
	}
	b, err := os.ReadFile(out.Name())
	if err != nil {
		t.Fatal(err)
	}
	return b, rep, nil
}

// serveCorpus lists the photos and videos to scrub through the server:
// the library's testdata, and the shared corpus when there is one
// (EXIFSCRUB_CORPUS, and corpus-video beside it). Without the corpus the
// test says so, and fails under CI.
func serveCorpus(t *testing.T) []string {
	t.Helper()
	var files []string
	add := func(dir string) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() && !strings.HasSuffix(e.Name(), ".md") && !strings.HasSuffix(e.Name(), ".tsv") && !strings.HasSuffix(e.Name(), ".sh") {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	add(filepath.Join("..", "..", "testdata"))
	corpus := os.Getenv("EXIFSCRUB_CORPUS")
	if corpus == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("EXIFSCRUB_CORPUS is not set")
		}
		t.Log("EXIFSCRUB_CORPUS is not set: only the library's testdata is scrubbed through the server")
		return files
	}
	add(corpus)
	video := filepath.Join(filepath.Dir(filepath.Clean(corpus)), "corpus-video")
	if _, err := os.Stat(video); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no corpus-video beside %s", corpus)
		}
		t.Logf("no corpus-video beside %s: its videos are not scrubbed through the server", corpus)
		return files
	}
	add(video)
	return files
}

// TestServeScrubCorpus scrubs every sample through /v1/scrub, by default
// and under a policy, and compares the answer with exifscrub.Scrub's: the
// same bytes and report (header and trailer) for a file it scrubs, the
// status of its error for one it refuses.
func TestServeScrubCorpus(t *testing.T) {
	ts := startServer(t, serveConfig{})
	policies := []struct {
		query string
		opts  *exifscrub.Options
	}{
		{"", &exifscrub.Options{}},
		{"?keep=location,time&coarse=0.1&drop-icc", &exifscrub.Options{Keep: []exifscrub.Category{exifscrub.Location, exifscrub.Time}, CoarseLocation: 0.1, DropColorProfile: true}},
		{"?keep-motion=true", &exifscrub.Options{KeepMotion: true}},
	}
	counts := map[string]int{}
	for _, path := range serveCorpus(t) {
		for _, p := range policies {
			want, wantRep, wantErr := wantScrub(t, path, p.opts)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			res, got, err := post(t, ts.url+"/v1/scrub"+p.query, f)
			f.Close()
			name := filepath.Base(path) + p.query
			if err != nil {
				t.Errorf("%s: reading the answer: %v", name, err)
				continue
			}
			if wantErr != nil {
				status := http.StatusUnprocessableEntity
				if errors.Is(wantErr, exifscrub.ErrUnsupportedFormat) {
					status = http.StatusUnsupportedMediaType
				}
				if res.StatusCode != status || !bytes.HasPrefix(got, []byte(`{"error":{"code":`)) {
					t.Errorf("%s: got %d %.200s, want %d and a JSON error (Scrub: %v)", name, res.StatusCode, got, status, wantErr)
				}
				counts[fmt.Sprint(status)]++
				continue
			}
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s: got %d %.300s, want 200", name, res.StatusCode, got)
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: the answer (%d bytes) differs from Scrub's output (%d bytes)", name, len(got), len(want))
			}
			wantSum, wantRepJSON := string(headerJSON(summarize(wantRep))), string(headerJSON(wantRep))
			if tr := res.Trailer.Get(summaryTrailer); tr != wantSum {
				t.Errorf("%s: trailer %s:\n got %.300s\nwant %.300s", name, summaryTrailer, tr, wantSum)
			}
			if h := res.Header.Get(summaryHeader); h != "" && h != wantSum {
				t.Errorf("%s: header %s:\n got %.300s\nwant %.300s", name, summaryHeader, h, wantSum)
			}
			if h := res.Header.Get(reportHeader); h != "" && h != wantRepJSON || h == "" && len(wantRepJSON) <= maxReportHeader && res.Header.Get(summaryHeader) != "" {
				t.Errorf("%s: header %s:\n got %.300s\nwant %.300s", name, reportHeader, h, wantRepJSON)
			}
			if ct, want := res.Header.Get("Content-Type"), contentTypes[wantRep.Format]; !slices.Contains(want, ct) {
				t.Errorf("%s: Content-Type %q, want one of %q", name, ct, want)
			}
			counts[string(wantRep.Format)]++
		}
	}
	t.Logf("scrubbed through the server: %v", counts)
	for _, secret := range []string{"Jane Doe", "KCX7530", "36.056417", "GPS"} {
		if strings.Contains(ts.logs.String(), secret) {
			t.Errorf("the access log holds %q, read from a file", secret)
		}
	}
}

// contentTypes are the media types each format may be answered with.
var contentTypes = map[exifscrub.Format][]string{
	exifscrub.JPEG: {"image/jpeg"}, exifscrub.PNG: {"image/png"}, exifscrub.WebP: {"image/webp"},
	exifscrub.HEIF: {"image/heic", "image/heif"}, exifscrub.AVIF: {"image/avif"},
	exifscrub.MOV: {"video/quicktime"}, exifscrub.MP4: {"video/mp4", "video/3gpp"},
}

// apiErrorOf decodes a JSON error answer.
func apiErrorOf(t *testing.T, b []byte) apiErrorBody {
	t.Helper()
	var e apiError
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Errorf("not a JSON error (%v): %.300s", err, b)
	}
	return e.Error
}

// TestServeErrors checks each error status and its JSON body.
func TestServeErrors(t *testing.T) {
	ts := startServer(t, serveConfig{maxBytes: 1 << 20})
	photo := readFile(t, gpsJPEG)
	big := bytes.Repeat([]byte{0}, 2<<20)
	copy(big, photo)
	tests := []struct {
		name, method, path string
		body               []byte
		chunked            bool // no Content-Length: the limit is found while reading
		status             int
		code               string
	}{
		{"unknown parameter", "POST", "/v1/scrub?keep-weather", photo, false, 400, "bad_query"},
		{"keep-motion with a value", "POST", "/v1/scrub?keep-motion=maybe", photo, false, 400, "bad_query"},
		{"keep-motion twice", "POST", "/v1/report?keep-motion&keep-motion=1", photo, false, 400, "bad_query"},
		{"keep-motion of check", "POST", "/v1/check?keep-motion", photo, false, 400, "bad_query"},
		{"unknown category", "POST", "/v1/scrub?keep=weather", photo, false, 400, "bad_query"},
		{"category not keepable", "POST", "/v1/scrub?keep=embedded", photo, false, 400, "bad_query"},
		{"coarse without location", "POST", "/v1/scrub?keep=time&coarse=0.1", photo, false, 400, "bad_query"},
		{"coarse not a number", "POST", "/v1/scrub?keep=location&coarse=city", photo, false, 400, "bad_query"},
		{"switch with a value", "POST", "/v1/scrub?drop-icc=maybe", photo, false, 400, "bad_query"},
		{"parameter twice", "POST", "/v1/scrub?drop-icc&drop-icc", photo, false, 400, "bad_query"},
		{"query that does not parse", "POST", "/v1/scrub?keep=%zz", photo, false, 400, "bad_query"},
		{"report parameter of scrub", "POST", "/v1/report?drop-icc", photo, false, 400, "bad_query"},
		{"check unknown category", "POST", "/v1/check?fail-on=weather", photo, false, 400, "bad_query"},
		{"empty body", "POST", "/v1/scrub", nil, false, 400, "empty_body"},
		{"wrong method", "GET", "/v1/scrub", nil, false, 405, "method_not_allowed"},
		{"wrong method of a GET route", "POST", "/healthz", nil, false, 405, "method_not_allowed"},
		{"no such endpoint", "GET", "/v2/scrub", nil, false, 404, "not_found"},
		{"too large, by Content-Length", "POST", "/v1/scrub", big, false, 413, "too_large"},
		{"too large, chunked", "POST", "/v1/scrub", big, true, 413, "too_large"},
		{"too large, report", "POST", "/v1/report", big, true, 413, "too_large"},
		{"not an image", "POST", "/v1/scrub", readFile(t, brokenJPEG), false, 415, "unsupported_format"},
		{"GIF", "POST", "/v1/check", []byte("GIF89a\x01\x00\x01\x00"), false, 415, "unsupported_format"},
		{"truncated", "POST", "/v1/scrub", photo[:1000], false, 422, "malformed"},
		{"truncated, report", "POST", "/v1/report", photo[:1000], false, 422, "malformed"},
		{"truncated, check", "POST", "/v1/check", photo[:1000], false, 422, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = bytes.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // hides the length
			}
			if tt.body == nil {
				body = nil
			}
			req, err := http.NewRequest(tt.method, ts.url+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.chunked && len(tt.body) > 1<<20 {
				// As curl sends a large body: the 413 comes before the body
				// is sent. Without it, a client still writing when the
				// server closes the connection after its 413 may get a
				// reset instead (1 in 5 runs of this test on a busy
				// machine).
				req.Header.Set("Expect", "100-continue")
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.status {
				t.Fatalf("got %d %s, want %d", res.StatusCode, b, tt.status)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			e := apiErrorOf(t, b)
			if e.Code != tt.code {
				t.Errorf("code %q, want %q (%s)", e.Code, tt.code, e.Message)
			}
			if (tt.status == 422) != (e.Offset != nil) {
				t.Errorf("offset %v in a %d", e.Offset, tt.status)
			}
			if tt.status == 405 && res.Header.Get("Allow") == "" {
				t.Errorf("405 without Allow")
			}
		})
	}
}

// TestServeSlowClient checks that a client that stops sending gets 408,
// and that one that sends slowly but steadily does not.
func TestServeSlowClient(t *testing.T) {
	ts := startServer(t, serveConfig{readTimeout: 300 * time.Millisecond})
	photo := readFile(t, gpsJPEG)
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/scrub HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", len(photo))
	conn.Write(photo[:100]) // and nothing more
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusRequestTimeout || apiErrorOf(t, b).Code != "timeout" {
		t.Errorf("stalled upload: got %d %s, want 408 timeout", res.StatusCode, b)
	}

	// Steady: a piece every 100 ms, well within the timeout, for longer
	// than the timeout in all.
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < len(photo); i += len(photo)/6 + 1 {
			pw.Write(photo[i:min(i+len(photo)/6+1, len(photo))])
			time.Sleep(100 * time.Millisecond)
		}
		pw.Close()
	}()
	res2, got, err := post(t, ts.url+"/v1/scrub", pr)
	if err != nil || res2.StatusCode != http.StatusOK || !bytes.Equal(got, scrubbedBytes(t, gpsJPEG)) {
		t.Errorf("slow upload: got %d (%v), want 200 and the scrubbed photo", res2.StatusCode, err)
	}
}

// slowUpload starts a POST whose body the test writes: the request is in
// flight until the returned writer is closed. A failed request sends nil.
func slowUpload(t *testing.T, url string) (*io.PipeWriter, <-chan *http.Response) {
	t.Helper()
	pr, pw := io.Pipe()
	done := make(chan *http.Response, 1)
	go func() {
		res, err := http.Post(url, "application/octet-stream", pr)
		if err != nil {
			t.Logf("slow upload: %v", err)
			res = nil
		}
		done <- res
	}()
	return pw, done
}

// waitInFlight waits until the server runs n requests under /v1/.
func waitInFlight(t *testing.T, s *server, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); len(s.slots) != n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests in flight, want %d", len(s.slots), n)
		}
	}
}

// TestServeBusy checks the 503 past --max-inflight, and that the health
// endpoints still answer then.
func TestServeBusy(t *testing.T) {
	ts := startServer(t, serveConfig{maxInflight: 1})
	photo := readFile(t, gpsJPEG)
	pw, done := slowUpload(t, ts.url+"/v1/scrub")
	pw.Write(photo[:100])
	waitInFlight(t, ts.server, 1)

	res, b, _ := post(t, ts.url+"/v1/report", bytes.NewReader(photo))
	if res.StatusCode != http.StatusServiceUnavailable || apiErrorOf(t, b).Code != "busy" || res.Header.Get("Retry-After") == "" {
		t.Errorf("past --max-inflight: got %d %s (Retry-After %q), want 503 busy with Retry-After", res.StatusCode, b, res.Header.Get("Retry-After"))
	}
	if res, err := http.Get(ts.url + "/healthz"); err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("/healthz while busy: %v %v", res, err)
	}

	pw.Write(photo[100:])
	pw.Close()
	if res := <-done; res == nil || res.StatusCode != http.StatusOK {
		t.Errorf("the request in flight: %v", res)
	} else {
		res.Body.Close()
	}
	// The slot is freed when the handler returns, which can be just after
	// the client has read the whole answer (47 of 200 runs without this).
	waitInFlight(t, ts.server, 0)
	res, _, _ = post(t, ts.url+"/v1/report", bytes.NewReader(photo))
	if res.StatusCode != http.StatusOK {
		t.Errorf("after the request in flight: got %d, want 200", res.StatusCode)
	}
}

// TestServeStreamAborted checks that a video that is streamed and turns
// out broken after its first bytes were sent is aborted: the client sees
// a failed transfer and no report, never a complete-looking short file.
func TestServeStreamAborted(t *testing.T) {
	ts := startServer(t, serveConfig{})
	// Large enough that Scrub writes before it reaches the end.
	video := padMdat(t, readFile(t, fastStartMP4), 4<<20)
	if !indexFirst(bufio.NewReader(bytes.NewReader(video))) {
		t.Fatalf("%s: want a video whose index comes first", fastStartMP4)
	}
	res, got, err := post(t, ts.url+"/v1/scrub", bytes.NewReader(video[:len(video)*9/10]))
	if err == nil {
		t.Fatalf("a video cut short: got %d and %d bytes, want a failed transfer", res.StatusCode, len(got))
	}
	if res.Trailer.Get(summaryTrailer) != "" {
		t.Errorf("an aborted answer has the summary trailer")
	}
	if !strings.Contains(ts.logs.String(), `"aborted":true`) {
		t.Errorf("the abort is not logged:\n%s", ts.logs)
	}
	// The whole video is streamed, not buffered.
	res, got, err = post(t, ts.url+"/v1/scrub", bytes.NewReader(video))
	want, _, _ := wantScrub(t, writeTemp(t, video), nil)
	if err != nil || res.StatusCode != http.StatusOK || !bytes.Equal(got, want) {
		t.Errorf("the whole video: %d %v", res.StatusCode, err)
	}
	if res.Trailer.Get(summaryTrailer) == "" {
		t.Errorf("a complete streamed answer lacks the %s trailer", summaryTrailer)
	}
	if res.Header.Get(reportHeader) != "" || res.Header.Get(summaryHeader) != "" {
		t.Errorf("a streamed answer has the %s header, known only at its end", reportHeader)
	}
	if !strings.Contains(ts.logs.String(), `"answer":"streamed"`) {
		t.Errorf("the video was not streamed:\n%s", ts.logs)
	}
}

// TestServeReportCheck compares /v1/report and /v1/check with the
// elements of report --json and check --json for the same file.
func TestServeReportCheck(t *testing.T) {
	ts := startServer(t, serveConfig{})
	for _, tt := range []struct {
		path, query string
		args        []string
		status      int
	}{
		{"/v1/report", "", []string{"report", "--json", "-"}, 200},
		{"/v1/report", "?keep=location&coarse=0.1", []string{"report", "--json", "--keep", "location", "--coarse-location", "0.1", "-"}, 200},
		{"/v1/check", "", []string{"check", "--json", "-"}, 422},
		{"/v1/check", "?fail-on=text", []string{"check", "--json", "--fail-on", "text", "-"}, 200},
	} {
		for _, file := range []string{gpsJPEG, cleanPNG, movie} {
			name := tt.path + tt.query + " " + filepath.Base(file)
			cli := runCLI(t, readFile(t, file), tt.args...)
			var want []json.RawMessage
			if err := json.Unmarshal([]byte(cli.stdout), &want); err != nil || len(want) != 1 {
				t.Fatalf("%s: %v: %s", name, err, cli.stdout)
			}
			res, got, err := post(t, ts.url+tt.path+tt.query, bytes.NewReader(readFile(t, file)))
			if err != nil {
				t.Fatal(err)
			}
			wantStatus := tt.status
			if tt.path == "/v1/check" && cli.code == exitOK {
				wantStatus = 200
			} else if tt.path == "/v1/check" {
				wantStatus = 422
			}
			if res.StatusCode != wantStatus {
				t.Errorf("%s: got %d, want %d (check exit %d)", name, res.StatusCode, wantStatus, cli.code)
			}
			if !jsonEqual(t, got, want[0]) {
				t.Errorf("%s:\n got %.400s\nwant %.400s", name, got, want[0])
			}
		}
	}
	// name= flags a name that tells the time, as report does for a file.
	res, got, _ := post(t, ts.url+"/v1/check?name=IMG_20240601_211403.png&fail-on=time", bytes.NewReader(readFile(t, cleanPNG)))
	if res.StatusCode != 422 || !bytes.Contains(got, []byte(`"file name"`)) {
		t.Errorf("a name that tells the time: got %d %s, want 422 with the file-name finding", res.StatusCode, got)
	}
}

// jsonEqual reports whether a and b are the same JSON value.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return bytes.Equal(ja, jb)
}

// TestServeMetrics checks that /metrics has every metric after a few
// requests, with their labels.
func TestServeMetrics(t *testing.T) {
	ts := startServer(t, serveConfig{})
	post(t, ts.url+"/v1/scrub", bytes.NewReader(readFile(t, gpsJPEG)))
	post(t, ts.url+"/v1/scrub", strings.NewReader("GIF89a"))
	post(t, ts.url+"/v1/check", bytes.NewReader(readFile(t, cleanPNG)))
	res, b, err := func() (*http.Response, []byte, error) {
		res, err := http.Get(ts.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return res, b, err
	}()
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("/metrics: %d %v", res.StatusCode, err)
	}
	for _, want := range []string{
		`exifscrub_http_requests_total{code="200",route="/v1/scrub"} 1`,
		`exifscrub_http_requests_total{code="415",route="/v1/scrub"} 1`,
		`exifscrub_http_requests_total{code="200",route="/v1/check"} 1`,
		fmt.Sprintf(`exifscrub_http_request_body_bytes_total{route="/v1/scrub"} %d`, len(readFile(t, gpsJPEG))+len("GIF89a")),
		fmt.Sprintf(`exifscrub_http_response_body_bytes_total{route="/v1/scrub"} %d`, len(scrubbedBytes(t, gpsJPEG))+len(`{"error":{"code":"unsupported_format","message":"not a supported format: GIF (exifscrub reads JPEG, PNG, HEIC/HEIF, AVIF, WebP, MOV, MP4 and 3GP)"}}`+"\n")),
		`exifscrub_http_request_duration_seconds_count{route="/v1/scrub"} 2`,
		`exifscrub_http_requests_in_flight 1`, // this one
		`exifscrub_findings_removed_total{category="location"} 5`,
		`exifscrub_findings_removed_total{category="text"} 0`,
		`process_resident_memory_bytes `,
		`go_goroutines `,
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestServeHealth checks /healthz, /readyz (failing once draining) and
// /openapi.json.
func TestServeHealth(t *testing.T) {
	ts := startServer(t, serveConfig{})
	get := func(path string) (int, []byte) {
		res, err := http.Get(ts.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, b := get(path); code != 200 {
			t.Errorf("%s: %d %s", path, code, b)
		}
	}
	if code, b := get("/openapi.json"); code != 200 || !bytes.Equal(b, openAPI) {
		t.Errorf("/openapi.json: %d, %d bytes, want the embedded document", code, len(b))
	}
	ts.draining.Store(true) // as serve does on SIGTERM, before Shutdown
	if code, b := get("/readyz"); code != 503 || apiErrorOf(t, b).Code != "draining" {
		t.Errorf("/readyz while draining: %d %s, want 503", code, b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz while draining: %d, want 200: the process is alive", code)
	}
}

// TestServeShutdownDrains stops the server while an upload is in flight:
// the upload finishes with the whole clean file, new connections are
// refused, and serve returns nil.
func TestServeShutdownDrains(t *testing.T) {
	ts := startServer(t, serveConfig{})
	photo := readFile(t, gpsJPEG)
	pw, done := slowUpload(t, ts.url+"/v1/scrub")
	pw.Write(photo[:100])
	waitInFlight(t, ts.server, 1)
	stopped := make(chan struct{})
	go func() { ts.stop(); close(stopped) }()
	for !ts.draining.Load() {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // Shutdown closes the listener
	if _, err := net.Dial("tcp", strings.TrimPrefix(ts.url, "http://")); err == nil {
		t.Errorf("a new connection was accepted while draining")
	}
	pw.Write(photo[100:])
	pw.Close()
	res := <-done
	if res == nil {
		t.Fatal("no answer")
	}
	got, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || !bytes.Equal(got, scrubbedBytes(t, gpsJPEG)) {
		t.Errorf("the request in flight: %d %v, want 200 and the scrubbed photo", res.StatusCode, err)
	}
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not return")
	}
}

// TestServeFlags checks the flags' errors and their environment variables.
func TestServeFlags(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--max-bytes", "lots"},
		{"serve", "--max-bytes", "0"},
		{"serve", "--max-inflight", "0"},
		{"serve", "--read-timeout", "0s"},
		{"serve", "extra"},
	} {
		if r := runCLI(t, nil, args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, r.code, exitUsage, r.stderr)
		}
	}
	t.Setenv("EXIFSCRUB_MAX_BYTES", "lots")
	if r := runCLI(t, nil, "serve"); r.code != exitUsage || !strings.Contains(r.stderr, "--max-bytes") {
		t.Errorf("EXIFSCRUB_MAX_BYTES=lots: exit %d, want %d\n%s", r.code, exitUsage, r.stderr)
	}
	for _, tt := range []struct {
		in   string
		want int64
	}{{"1000", 1000}, {"64KiB", 64 << 10}, {"256MiB", 256 << 20}, {"2g", 2 << 30}, {"1 GB", 1 << 30}} {
		if got, err := parseSize(tt.in); err != nil || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

// padMdat returns the video with n zero bytes added at the end of its
// first 'mdat' box, which moves no sample: a large video made from a
// small one.
func padMdat(t *testing.T, video []byte, n int) []byte {
	t.Helper()
	for off := 0; off+8 <= len(video); {
		size := int(bigEndian(video[off : off+4]))
		if string(video[off+4:off+8]) == "mdat" {
			if size < 8 || off+size > len(video) || size+n >= 1<<32 {
				t.Fatalf("mdat at %d: size %d", off, size)
			}
			out := slices.Concat(video[:off+size], make([]byte, n), video[off+size:])
			v := uint32(size + n)
			copy(out[off:], []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
			return out
		}
		if size < 8 {
			t.Fatalf("box at %d: size %d", off, size)
		}
		off += size
	}
	t.Fatal("no mdat box")
	return nil
}

// writeTemp writes b to a file in the test's temporary directory.
func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "in")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

// TestServeKeepMotion checks keep-motion on /v1/report and /v1/scrub
// with a Samsung motion photo: with it, the video is in the report's
// kept and in the answer (as exifscrub.Scrub with KeepMotion writes it);
// without it, the video is a finding and gone.
func TestServeKeepMotion(t *testing.T) {
	ts := startServer(t, serveConfig{})
	photo := readFile(t, filepath.Join("..", "..", "testdata", "samsung__sef_motion.jpg"))
	isVideo := func(fs []exifscrub.Finding) bool {
		return slices.ContainsFunc(fs, func(f exifscrub.Finding) bool { return f.Tag == "MotionVideo" })
	}
	for _, tt := range []struct {
		query string
		keep  bool
	}{{"", false}, {"?keep-motion", true}, {"?keep-motion=1", true}, {"?keep-motion=false", false}} {
		_, b, err := post(t, ts.url+"/v1/report"+tt.query, bytes.NewReader(photo))
		var r struct {
			Findings []exifscrub.Finding `json:"findings"`
			Kept     []exifscrub.Finding `json:"kept"`
		}
		if err != nil || json.Unmarshal(b, &r) != nil {
			t.Fatalf("/v1/report%s: %v %.300s", tt.query, err, b)
		}
		if isVideo(r.Kept) != tt.keep || isVideo(r.Findings) == tt.keep {
			t.Errorf("/v1/report%s: findings %v, kept %v", tt.query, r.Findings, r.Kept)
		}
		var want bytes.Buffer
		if _, err := exifscrub.Scrub(&want, bytes.NewReader(photo), &exifscrub.Options{KeepMotion: tt.keep}); err != nil {
			t.Fatal(err)
		}
		res, got, err := post(t, ts.url+"/v1/scrub"+tt.query, bytes.NewReader(photo))
		if err != nil || res.StatusCode != http.StatusOK || !bytes.Equal(got, want.Bytes()) {
			t.Errorf("/v1/scrub%s: %v %v, %d bytes, want Scrub's %d", tt.query, err, res.Status, len(got), want.Len())
		}
	}
}
