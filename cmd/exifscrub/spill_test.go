package main

import (
	"bytes"
	"testing"
)

func TestSpillBuffer(t *testing.T) {
	for _, limit := range []int64{0, 10} {
		b := &spillBuffer{limit: limit}
		b.Write([]byte("0123456789"))
		b.Write([]byte("abcdefghij"))
		if _, err := b.WriteAt([]byte("XY"), 4); err != nil {
			t.Fatal(err)
		}
		if pos, _ := b.Seek(0, 1); pos != 20 {
			t.Errorf("limit %d: position %d, want 20", limit, pos)
		}
		if (b.f != nil) != (limit == 10) {
			t.Errorf("limit %d: spilled %v", limit, b.f != nil)
		}
		var out bytes.Buffer
		if _, err := b.WriteTo(&out); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); got != "0123XY6789abcdefghij" || b.Len() != 20 {
			t.Errorf("limit %d: got %q (%d), want %q", limit, got, b.Len(), "0123XY6789abcdefghij")
		}
		b.Close()
	}
}
