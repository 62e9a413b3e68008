package main

import (
	"bytes"
	"encoding/json"
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
