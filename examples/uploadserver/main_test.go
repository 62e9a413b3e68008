package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/exifscrub/exifscrub"
)

func TestUpload(t *testing.T) {
	photo, err := os.ReadFile(filepath.Join("..", "..", "testdata", "jpg__Kodak_CX7530.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		body   []byte
		status int
		stored int
	}{
		{"photo with GPS", photo, http.StatusCreated, 1},
		{"not an image", []byte("hello"), http.StatusUnsupportedMediaType, 0},
		{"truncated photo", photo[:len(photo)/2], http.StatusUnprocessableEntity, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			srv := httptest.NewServer(newHandler(dir))
			defer srv.Close()
			res, err := http.Post(srv.URL+"/upload", "image/jpeg", bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
			var r response
			if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
				t.Fatal(err)
			}
			files, _ := os.ReadDir(dir)
			if len(files) != tt.stored {
				t.Fatalf("%d files stored, want %d (failed uploads must leave nothing)", len(files), tt.stored)
			}
			if tt.stored == 0 {
				return
			}
			stored, err := os.ReadFile(filepath.Join(dir, files[0].Name()))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := exifscrub.Scan(bytes.NewReader(stored))
			if err != nil || len(rep.Findings) != 0 {
				t.Errorf("stored photo still reveals %v (%v)", rep, err)
			}
			if r.Name != files[0].Name() || r.Format != exifscrub.JPEG || len(r.Removed) == 0 {
				t.Errorf("response %+v: want a name and what was removed", r)
			}
		})
	}
}

// statusRecorder notes the status a handler answers with, and whether it
// aborted the response.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// TestDroppedUpload sends half a photo with a Content-Length for all of
// it, then hangs up: the server must not blame the photo (no 4xx) and must
// store nothing.
func TestDroppedUpload(t *testing.T) {
	photo, err := os.ReadFile(filepath.Join("..", "..", "testdata", "jpg__Kodak_CX7530.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	done := make(chan int, 1)
	h := newHandler(dir)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			done <- rec.status
			if p := recover(); p != nil && p != http.ErrAbortHandler {
				panic(p)
			}
		}()
		h.ServeHTTP(rec, r)
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", len(photo))
	conn.Write(photo[:len(photo)/2])
	conn.Close()
	status := <-done
	if status >= 400 && status < 500 {
		t.Errorf("dropped upload answered %d, want no 4xx: the photo is not at fault", status)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("%d files stored after a dropped upload, want none", len(files))
	}
}
