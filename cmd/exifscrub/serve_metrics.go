package main

import (
	"net/http"

	"github.com/exifscrub/exifscrub"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// serveMetrics are the Prometheus metrics of serve, in a registry of its
// own (no package-level state), with the Go runtime's and the process's
// (process_resident_memory_bytes shows whether memory stays flat).
type serveMetrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec   // route, code
	bytesIn  *prometheus.CounterVec   // route
	bytesOut *prometheus.CounterVec   // route
	duration *prometheus.HistogramVec // route
	inFlight prometheus.Gauge
	aborted  *prometheus.CounterVec // route
	removed  *prometheus.CounterVec // category
}

func newServeMetrics() *serveMetrics {
	m := &serveMetrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "exifscrub_http_requests_total", Help: "HTTP requests answered, by route and status code.",
		}, []string{"route", "code"}),
		bytesIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "exifscrub_http_request_body_bytes_total", Help: "Bytes of request bodies read, by route.",
		}, []string{"route"}),
		bytesOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "exifscrub_http_response_body_bytes_total", Help: "Bytes of response bodies written, by route.",
		}, []string{"route"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "exifscrub_http_request_duration_seconds", Help: "Time from the request's headers to the end of the answer, by route.",
			// 1 ms to 4 minutes: a small photo to a large video.
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "exifscrub_http_requests_in_flight", Help: "HTTP requests being answered.",
		}),
		aborted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "exifscrub_http_requests_aborted_total", Help: "Answers aborted after they began (a streamed video found broken, a client gone), by route.",
		}, []string{"route"}),
		removed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "exifscrub_findings_removed_total", Help: "Pieces of metadata removed by /v1/scrub, by category.",
		}, []string{"category"}),
	}
	m.reg.MustRegister(m.requests, m.bytesIn, m.bytesOut, m.duration, m.inFlight, m.aborted, m.removed,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, c := range exifscrub.Categories() {
		m.removed.WithLabelValues(string(c)) // present from the start, at 0
	}
	return m
}

func (m *serveMetrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// countRemoved counts the findings of a successful scrub.
func (m *serveMetrics) countRemoved(rep *exifscrub.Report) {
	for _, f := range rep.Findings {
		m.removed.WithLabelValues(string(f.Category)).Add(float64(1 + f.More))
	}
}
