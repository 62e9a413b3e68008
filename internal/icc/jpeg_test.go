package icc

import (
	"bytes"
	"strings"
	"testing"
)

// chunk returns the APP2 payload of chunk seq of count holding data.
func chunk(seq, count byte, data string) []byte {
	return append([]byte(JPEGSignature+string([]byte{seq, count})), data...)
}

func TestChunks(t *testing.T) {
	tests := []struct {
		name    string
		chunks  [][]byte
		want    string   // the profile the chunks complete; "" for none
		refused []string // Add's refusals, in order of the chunks
		giveUp  string   // GiveUp's report after the chunks: "got/count"
	}{
		{"one chunk", [][]byte{chunk(1, 1, "abc")}, "abc", nil, ""},
		{"in order", [][]byte{chunk(1, 2, "ab"), chunk(2, 2, "cd")}, "abcd", nil, ""},
		{"out of order", [][]byte{chunk(2, 2, "cd"), chunk(1, 2, "ab")}, "abcd", nil, ""},
		{"empty pieces", [][]byte{chunk(1, 2, ""), chunk(2, 2, "")}, "", nil, ""},
		{"no header", [][]byte{[]byte(JPEGSignature + "\x01")}, "", []string{"no chunk header"}, ""},
		{"sequence 0", [][]byte{chunk(0, 1, "a")}, "", []string{"chunk 0 of 1"}, ""},
		{"count 0", [][]byte{chunk(1, 0, "a")}, "", []string{"chunk 1 of 0"}, ""},
		{"beyond the count", [][]byte{chunk(3, 2, "a")}, "", []string{"chunk 3 of 2"}, ""},
		{"count changes", [][]byte{chunk(1, 2, "a"), chunk(2, 3, "b")}, "", []string{"", "chunk 2 of 3, but earlier chunks say 2"}, "1/2"},
		{"duplicate", [][]byte{chunk(1, 2, "a"), chunk(1, 2, "b")}, "", []string{"", "chunk 1 again"}, "1/2"},
		{"after the first profile", [][]byte{chunk(1, 1, "a"), chunk(1, 1, "b")}, "a", []string{"", "after the first profile"}, ""},
		{"incomplete", [][]byte{chunk(1, 3, "a"), chunk(3, 3, "c")}, "", nil, "2/3"},
		{"none", nil, "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Chunks
			var got []byte
			complete, begun := false, false
			for i, p := range tt.chunks {
				profile, refused := c.Add(p)
				want := ""
				if i < len(tt.refused) {
					want = tt.refused[i]
				}
				if refused != want {
					t.Errorf("chunk %d: refused %q, want %q", i+1, refused, want)
				}
				begun = begun || refused == ""
				if profile != nil {
					if complete {
						t.Errorf("chunk %d: a second profile", i+1)
					}
					got, complete = profile, true
				}
			}
			if string(got) != tt.want {
				t.Errorf("profile %q, want %q", got, tt.want)
			}
			incomplete, n, count := c.GiveUp()
			giveUp := ""
			if incomplete {
				giveUp = strings.Join([]string{string(rune('0' + n)), string(rune('0' + count))}, "/")
			}
			if giveUp != tt.giveUp {
				t.Errorf("GiveUp: %q, want %q", giveUp, tt.giveUp)
			}
			// Once a profile has begun, later chunks are refused; before,
			// a chunk after the image data starts still begins one.
			want := ""
			if begun {
				want = "after the first profile"
			}
			if _, refused := c.Add(chunk(1, 1, "z")); refused != want {
				t.Errorf("after GiveUp: refused %q, want %q", refused, want)
			}
		})
	}
}

func TestJPEGChunks(t *testing.T) {
	for _, n := range []int{0, 1, maxJPEGChunk, maxJPEGChunk + 1, 3*maxJPEGChunk - 7} {
		profile := bytes.Repeat([]byte{0x5a}, n)
		segs, ok := JPEGChunks(profile)
		if want := (n + maxJPEGChunk - 1) / maxJPEGChunk; !ok || len(segs) != want {
			t.Errorf("%d bytes: %d chunks, %v; want %d", n, len(segs), ok, want)
		}
		if got := collect(t, segs); !bytes.Equal(got, profile) && n > 0 {
			t.Errorf("%d bytes: collected %d bytes", n, len(got))
		}
	}
	if _, ok := JPEGChunks(make([]byte, 255*maxJPEGChunk+1)); ok {
		t.Errorf("%d bytes: split, want more than 255 chunks refused", 255*maxJPEGChunk+1)
	}
}

// collect returns the profile that segs, each at most a segment, complete.
func collect(t *testing.T, segs [][]byte) []byte {
	t.Helper()
	var c Chunks
	var profile []byte
	for i, s := range segs {
		if len(s) > 65535-2 {
			t.Errorf("chunk %d: %d bytes, more than a segment holds", i+1, len(s))
		}
		p, refused := c.Add(s)
		if refused != "" {
			t.Errorf("chunk %d refused: %s", i+1, refused)
		}
		if p != nil {
			profile = p
		}
	}
	return profile
}

// FuzzChunks reads its input as APP2 payloads, each preceded by a length
// byte, and collects them. Nothing panics, a profile is no longer than the
// input, and one that completes splits into chunks that collect into it
// again.
func FuzzChunks(f *testing.F) {
	for _, p := range sampleProfiles(f) {
		if len(p) < 255-jpegChunkHeader {
			f.Add(append([]byte{byte(len(p) + jpegChunkHeader)}, chunk(1, 1, string(p))...))
		}
		half := len(p) / 2
		if half < 255-jpegChunkHeader {
			a, b := chunk(2, 2, string(p[half:2*half])), chunk(1, 2, string(p[:half]))
			f.Add(append(append([]byte{byte(len(a))}, a...), append([]byte{byte(len(b))}, b...)...))
		}
	}
	f.Add(append([]byte{byte(jpegChunkHeader + 1)}, chunk(1, 2, "a")...))
	f.Fuzz(func(t *testing.T, in []byte) {
		var c Chunks
		for b := in; len(b) > 0; {
			n := min(int(b[0]), len(b)-1)
			p := b[1 : 1+n]
			b = b[1+n:]
			profile, refused := c.Add(p)
			if profile == nil {
				continue
			}
			if refused != "" || len(profile) > len(in) {
				t.Fatalf("profile of %d bytes from %d, refused %q", len(profile), len(in), refused)
			}
			segs, ok := JPEGChunks(profile)
			if !ok {
				t.Fatalf("profile of %d bytes not split", len(profile))
			}
			if got := collect(t, segs); len(profile) > 0 && !bytes.Equal(got, profile) {
				t.Fatalf("split and collected: %d bytes, want %d", len(got), len(profile))
			}
		}
		c.GiveUp()
	})
}
