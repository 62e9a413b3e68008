package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// TestHealthcheck runs healthcheck against a server that answers 200,
// one that answers 503 and an address where nothing listens.
func TestHealthcheck(t *testing.T) {
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" || r.Method != http.MethodGet {
			http.NotFound(w, r)
		}
	}))
	defer healthy.Close()
	draining := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer draining.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(healthy.Listener.Addr().String())

	for _, tt := range []struct {
		name   string
		args   []string
		env    string // EXIFSCRUB_ADDR
		code   int
		stderr string
	}{
		{"healthy", []string{"--addr", healthy.Listener.Addr().String()}, "", exitOK, ""},
		{"every interface", []string{"--addr", ":" + port}, "", exitOK, ""},
		{"from the environment", nil, "0.0.0.0:" + port, exitOK, ""},
		{"503", []string{"--addr", draining.Listener.Addr().String()}, "", exitUnhealthy, "503 Service Unavailable"},
		{"nothing listening", []string{"--addr", closed}, "", exitUnhealthy, "connection refused"},
		{"bad address", []string{"--addr", "localhost"}, "", exitUsage, "missing port"},
		{"an argument", []string{"x"}, "", exitUsage, "no arguments"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("EXIFSCRUB_ADDR", tt.env) // restored after the test
			if tt.env == "" {
				os.Unsetenv("EXIFSCRUB_ADDR") // cli reads an empty variable as an empty address
			}
			r := runCLI(t, nil, append([]string{"healthcheck"}, tt.args...)...)
			if r.code != tt.code {
				t.Errorf("exit code: got %d, want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr %q, want it to contain %q", r.stderr, tt.stderr)
			}
		})
	}
}
