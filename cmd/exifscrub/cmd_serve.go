package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
)

// The HTTP service (issue 23): serve_http.go has the routes and the
// handlers, serve_body.go how a request body is read and an answer
// buffered or streamed, serve_errors.go the JSON errors, serve_query.go
// the query parameters and serve_metrics.go the Prometheus metrics. The
// API is described in openapi.json, served at /openapi.json, and in
// docs/serve.md.

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "run an HTTP service that scrubs, reports on and checks uploaded photos and videos",
		Description: `Serve answers HTTP requests whose body is one photo or video:

   POST /v1/scrub    the clean file (Content-Type from the format found).
                     What was removed, as JSON: counts by category in the
                     Exifscrub-Summary trailer (and X-Exifscrub-Summary
                     header), the whole report in the X-Exifscrub-Report
                     header when the answer was buffered and the report
                     small. Query parameters are the policy flags of scrub:
                     keep=time,identity coarse=0.01 drop-icc drop-orientation.
   POST /v1/report   one element of 'report --json' (keep=, coarse=, name=)
   POST /v1/check    one element of 'check --json': 200 when clean, 422 when
                     the file reveals what fail-on= names (name=)
   GET  /healthz  /readyz (503 while shutting down)  /metrics  /openapi.json

Errors are JSON, {"error": {"code": "...", "message": "..."}}: 400 a bad
query, 413 a body past --max-bytes, 415 not a supported format, 422 a
malformed file (with its offset), 408 a client that sends nothing for
--read-timeout, 503 with Retry-After past --max-inflight requests.

A 200 answer is always a complete clean file: photos, and videos whose
index comes after their media, are scrubbed into memory or a temporary
file and sent only once the scrub has succeeded; a video whose index comes
first is streamed as it is read, and if it turns out to be broken later,
the transfer is aborted, never ended as if complete.

SIGTERM or SIGINT stops accepting connections, lets the requests in
flight finish for up to --shutdown-timeout, and exits 0. Access logs (JSON,
one line a request, on standard error) never hold file content or
metadata. Every flag can be set from the environment variable named in
its help, as containers expect. See docs/serve.md.

EXAMPLES:
   exifscrub serve
   EXIFSCRUB_ADDR=:8080 exifscrub serve --max-bytes 2GiB
   curl --data-binary @photo.jpg -o clean.jpg 'http://127.0.0.1:8080/v1/scrub?keep=identity'`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", EnvVars: []string{"EXIFSCRUB_ADDR"}, Usage: "listen on `HOST:PORT` (loopback unless told otherwise: \":8080\" is every interface)"},
			&cli.StringFlag{Name: "max-bytes", Value: "256MiB", EnvVars: []string{"EXIFSCRUB_MAX_BYTES"}, Usage: "refuse bodies larger than `SIZE` (413); KiB, MiB, GiB or bytes"},
			&cli.DurationFlag{Name: "read-timeout", Value: 30 * time.Second, EnvVars: []string{"EXIFSCRUB_READ_TIMEOUT"}, Usage: "answer 408 to a client that sends nothing (headers or body) for `DURATION`; a client that takes nothing of the answer for as long is dropped"},
			&cli.IntFlag{Name: "max-inflight", Value: 16, EnvVars: []string{"EXIFSCRUB_MAX_INFLIGHT"}, Usage: "answer 503 to requests to /v1/ past `N` running at once"},
			&cli.DurationFlag{Name: "shutdown-timeout", Value: 30 * time.Second, EnvVars: []string{"EXIFSCRUB_SHUTDOWN_TIMEOUT"}, Usage: "on SIGTERM or SIGINT, wait up to `DURATION` for requests in flight"},
		},
		Action: serveAction,
	}
}

// A serveConfig is what the flags of serve set.
type serveConfig struct {
	addr            string
	maxBytes        int64
	readTimeout     time.Duration
	maxInflight     int
	shutdownTimeout time.Duration
}

func serveAction(c *cli.Context) error {
	if c.Args().Present() {
		return usagef(c, "serve takes no arguments, only flags")
	}
	cfg := serveConfig{
		addr:            c.String("addr"),
		readTimeout:     c.Duration("read-timeout"),
		maxInflight:     c.Int("max-inflight"),
		shutdownTimeout: c.Duration("shutdown-timeout"),
	}
	var err error
	if cfg.maxBytes, err = parseSize(c.String("max-bytes")); err != nil || cfg.maxBytes <= 0 {
		return usagef(c, "--max-bytes takes a size such as 256MiB, 2GiB or 1000000; got %q", c.String("max-bytes"))
	}
	if cfg.maxInflight < 1 {
		return usagef(c, "--max-inflight must be at least 1")
	}
	if cfg.readTimeout <= 0 || cfg.shutdownTimeout < 0 {
		return usagef(c, "--read-timeout must be above 0 and --shutdown-timeout at least 0")
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return cli.Exit(fmt.Sprintf("exifscrub serve: %v", err), exitFailed)
	}
	ctx, stop := signal.NotifyContext(c.Context, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := newServer(cfg, c.App.ErrWriter).serve(ctx, ln); err != nil {
		return cli.Exit(fmt.Sprintf("exifscrub serve: %v", err), exitFailed)
	}
	return nil
}

// parseSize reads a size in bytes, with an optional unit: KiB, MiB, GiB
// (also written K, M, G, KB, MB, GB: always powers of 1024, as
// Docker's --memory and Kubernetes' Mi and Gi are).
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.ToLower(strings.TrimSpace(s[len(num):]))
	shift := map[string]uint{"": 0, "b": 0, "k": 10, "kb": 10, "kib": 10, "m": 20, "mb": 20, "mib": 20, "g": 30, "gb": 30, "gib": 30}
	sh, ok := shift[unit]
	if !ok {
		return 0, fmt.Errorf("unknown unit %q", unit)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, err
	}
	if n > (1<<62)>>sh {
		return 0, errors.New("too large")
	}
	return n << sh, nil
}

// A server is one run of serve.
type server struct {
	cfg      serveConfig
	log      *slog.Logger
	metrics  *serveMetrics
	slots    chan struct{} // one per request running under /v1/ (--max-inflight)
	draining atomic.Bool   // shutting down: /readyz fails
}

func newServer(cfg serveConfig, logTo io.Writer) *server {
	return &server{
		cfg:     cfg,
		log:     slog.New(slog.NewJSONHandler(logTo, nil)),
		metrics: newServeMetrics(),
		slots:   make(chan struct{}, cfg.maxInflight),
	}
}

// serve answers requests on ln until ctx is done, then shuts down
// gracefully: it stops accepting, waits up to cfg.shutdownTimeout for the
// requests in flight, closes what is left, and returns nil.
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler: s.handler(),
		// The body is watched by serveBody, read by read; the headers
		// here. A slow client cannot hold a connection without sending.
		ReadHeaderTimeout: s.cfg.readTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("listening", "addr", ln.Addr().String(), "max_bytes", s.cfg.maxBytes,
		"max_inflight", s.cfg.maxInflight, "read_timeout", s.cfg.readTimeout.String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.draining.Store(true)
	s.log.Info("shutting down", "in_flight", len(s.slots), "timeout", s.cfg.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		s.log.Warn("shutdown timeout passed: closing the connections still open", "in_flight", len(s.slots))
		srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	s.log.Info("stopped")
	return nil
}
