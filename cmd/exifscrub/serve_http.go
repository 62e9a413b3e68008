package main

import (
	"bufio"
	_ "embed"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/exifscrub/exifscrub"
)

// openAPI describes the service, for /openapi.json (checked against the
// OpenAPI 3.1 schema by TestServeOpenAPI).
//
//go:embed openapi.json
var openAPI []byte

// handler routes the requests. Routes name their method themselves rather
// than in the pattern, so that a wrong method gets a JSON error too.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	s.route(mux, "/v1/scrub", http.MethodPost, s.scrub)
	s.route(mux, "/v1/report", http.MethodPost, s.report)
	s.route(mux, "/v1/check", http.MethodPost, s.check)
	s.route(mux, "/healthz", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.route(mux, "/readyz", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() {
			writeError(w, http.StatusServiceUnavailable, "draining", "shutting down: send new requests elsewhere")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	s.route(mux, "/metrics", http.MethodGet, s.metrics.handler().ServeHTTP)
	s.route(mux, "/openapi.json", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPI)
	})
	s.route(mux, "/", "", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: see /openapi.json")
	})
	return mux
}

// route registers h for the path pattern, wrapped: the method is checked,
// /v1/ requests take a slot of --max-inflight and have their body limited
// and watched (serveBody), and every request is counted and logged.
func (s *server) route(mux *http.ServeMux, pattern, method string, h http.HandlerFunc) {
	name := pattern
	if pattern == "/" {
		name = "other" // any path: a label per path would grow without bound
	}
	limited := method == http.MethodPost
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &serveWriter{ResponseWriter: w, rc: http.NewResponseController(w), timeout: s.cfg.readTimeout}
		body := &serveBody{r: http.MaxBytesReader(w, r.Body, s.cfg.maxBytes), rc: rw.rc, timeout: s.cfg.readTimeout}
		r.Body = body
		s.metrics.inFlight.Inc()
		defer func() {
			s.metrics.inFlight.Dec()
			p := recover()
			s.done(r, name, rw, body, time.Since(start), p != nil)
			if p != nil {
				panic(p) // http.ErrAbortHandler: net/http drops the connection
			}
		}()
		if method != "" && r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
			w.Header().Set("Allow", method)
			writeError(rw, http.StatusMethodNotAllowed, "method_not_allowed", "use "+method)
			return
		}
		if limited {
			select {
			case s.slots <- struct{}{}:
				defer func() { <-s.slots }()
			default:
				// RFC 9110 §10.2.3. One second: a scrub takes tens of
				// milliseconds, and a client that waits longer is free to.
				w.Header().Set("Retry-After", "1")
				writeError(rw, http.StatusServiceUnavailable, "busy", "more than "+strconv.Itoa(s.cfg.maxInflight)+" requests in flight; retry later")
				return
			}
		}
		h(rw, r)
	})
}

// done counts and logs a request. The log names the route, never the
// query, the body or anything read from it.
func (s *server) done(r *http.Request, route string, w *serveWriter, body *serveBody, d time.Duration, aborted bool) {
	status := w.status
	if status == 0 {
		status = http.StatusOK // a handler that wrote nothing
	}
	code := strconv.Itoa(status)
	m := s.metrics
	m.requests.WithLabelValues(route, code).Inc()
	m.bytesIn.WithLabelValues(route).Add(float64(body.n))
	m.bytesOut.WithLabelValues(route).Add(float64(w.n))
	m.duration.WithLabelValues(route).Observe(d.Seconds())
	attrs := []any{"method", r.Method, "route", route, "status", status,
		"bytes_in", body.n, "bytes_out", w.n, "duration_ms", float64(d.Microseconds()) / 1000, "remote", r.RemoteAddr}
	if w.answer != "" {
		attrs = append(attrs, "answer", w.answer)
	}
	if w.errCode != "" {
		attrs = append(attrs, "error", w.errCode)
	}
	if aborted {
		m.aborted.WithLabelValues(route).Inc()
		attrs = append(attrs, "aborted", true)
	}
	s.log.Info("request", attrs...)
}

// scrub answers POST /v1/scrub with the clean file.
func (s *server) scrub(w http.ResponseWriter, r *http.Request) {
	opts, err := scrubQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_query", err.Error())
		return
	}
	in, format, ok := s.open(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", contentType(format, in))
	w.Header().Set("Trailer", summaryTrailer)
	var rep *exifscrub.Report
	sw := w.(*serveWriter)
	if format.IsVideo() && indexFirst(in) {
		sw.answer = "streamed"
		rep, ok = s.stream(w, r, in, opts)
	} else {
		sw.answer = "buffered"
		rep, ok = s.buffered(w, r, in, opts)
	}
	if ok {
		w.Header().Set(summaryTrailer, string(headerJSON(summarize(rep))))
		s.metrics.countRemoved(rep)
	}
}

// open checks the request's size and detects the format of its body. It
// answers the request itself (and returns false) when the body is too
// large, empty, or not a supported format.
func (s *server) open(w http.ResponseWriter, r *http.Request) (*bufio.Reader, exifscrub.Format, bool) {
	if r.ContentLength > s.cfg.maxBytes {
		writeFailure(w, r, &http.MaxBytesError{Limit: s.cfg.maxBytes})
		return nil, "", false
	}
	in := bufio.NewReaderSize(r.Body, sniffWindow)
	head, err := in.Peek(sniffLen)
	if len(head) == 0 && (err == nil || err == io.EOF) {
		writeError(w, http.StatusBadRequest, "empty_body", "the body is empty: send one photo or video")
		return nil, "", false
	}
	if err != nil && err != io.EOF {
		writeFailure(w, r, err)
		return nil, "", false
	}
	format := exifscrub.DetectFormat(head)
	if format == "" {
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_format",
			unsupportedFile(head).Error()+" (exifscrub reads JPEG, PNG, HEIC/HEIF, AVIF, WebP, MOV, MP4 and 3GP)")
		return nil, "", false
	}
	return in, format, true
}

// report answers POST /v1/report with what 'exifscrub report --json' says
// of one file: one element of its array.
func (s *server) report(w http.ResponseWriter, r *http.Request) {
	q, err := reportQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_query", err.Error())
		return
	}
	in, _, ok := s.open(w, r)
	if !ok {
		return
	}
	var policy *exifscrub.Options
	if q.opts.Keep != nil || q.opts.KeepMotion {
		policy = &q.opts
	}
	sc := s.scan(in, q.name, policy)
	if sc.err != nil {
		writeFailure(w, r, sc.err)
		return
	}
	writeJSONBytes(w, http.StatusOK, marshalJSONFile(newReportJSON(sc, policy), ""))
}

// check answers POST /v1/check with what 'exifscrub check --json' says of
// one file: 200 when it reveals none of the categories fail-on= names
// (by default those of check), 422 when it does. A file that cannot be
// read is a 422 too, with an error: it cannot be vouched for.
func (s *server) check(w http.ResponseWriter, r *http.Request) {
	q, err := checkQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_query", err.Error())
		return
	}
	in, _, ok := s.open(w, r)
	if !ok {
		return
	}
	sc := s.scan(in, q.name, nil)
	if sc.err != nil {
		writeFailure(w, r, sc.err)
		return
	}
	private := privateIn(sc.rep, q.failOn)
	status := http.StatusOK
	if len(private) > 0 {
		status = http.StatusUnprocessableEntity
	}
	writeJSONBytes(w, status, marshalJSONFile(newCheckJSON(sc, private), ""))
}

// scan reads the body as report and check do: with a policy, the findings
// are what it would remove and Kept what it would leave; a name, as the
// file's, adds a finding when it tells the time.
func (s *server) scan(in io.Reader, name string, policy *exifscrub.Options) scanned {
	sc := scanned{it: item{path: "-", stdin: true}}
	if name != "" {
		sc.it = item{path: name}
	}
	if policy != nil {
		// A spillBuffer can be gone back over and read back, as a file
		// can: a video whose index follows its samples needs that.
		var out spillBuffer
		sc.rep, sc.err = exifscrub.Scrub(&out, in, policy)
		out.Close()
	} else {
		sc.rep, sc.err = exifscrub.Scan(in)
	}
	addNameFinding(sc.rep, sc.it, policy)
	return sc
}
