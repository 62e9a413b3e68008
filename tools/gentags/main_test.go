package main

import (
	"bytes"
	"os"
	"testing"
)

// TestGenerated checks that the committed table is what gentags writes
// from the go-exif version in go.mod.
func TestGenerated(t *testing.T) {
	want, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../internal/tiff/tagnames.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("internal/tiff/tagnames.go is not what gentags writes: run go generate ./internal/tiff")
	}
}
