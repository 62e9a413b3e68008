package exifscrub

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/riff"
	"github.com/exifscrub/exifscrub/internal/vp8"
	iwebp "github.com/exifscrub/exifscrub/internal/webp"
)

// TestScrubWebPPlanted plants a marker where WebP decoders do not look in
// image chunks, and checks that Scrub removes it and Scan reports it.
func TestScrubWebPPlanted(t *testing.T) {
	mark := []byte(plantMark)
	vp8x := chunkBytes("VP8X", vp8xPayload(iwebp.FlagAlpha))
	rawALPH := append([]byte{0 /* ALPH header: raw */, 0x80}, mark...) // 1x1: one alpha byte
	tests := []struct {
		name, want string
		in         []byte
	}{
		{"after a raw ALPH plane", "WebP ALPH|DataAfterAlpha",
			riffFile(vp8x, chunkBytes("ALPH", rawALPH), chunkBytes("VP8 ", fakeVP8))},
		{"in an ALPH before VP8L", "WebP ALPH|ALPH",
			riffFile(vp8x, chunkBytes("ALPH", rawALPH), chunkBytes("VP8L", fakeVP8L))},
		{"in a frame's raw ALPH", "WebP ALPH|DataAfterAlpha",
			riffFile(chunkBytes("VP8X", vp8xPayload(iwebp.FlagAnimation|iwebp.FlagAlpha)), chunkBytes("ANIM", fakeANIM),
				chunkBytes("ANMF", anmfPayload(chunkBytes("ALPH", rawALPH), chunkBytes("VP8 ", fakeVP8))))},
		{"after a frame's VP8 data", "WebP VP8|DataAfterFrame",
			riffFile(chunkBytes("VP8X", vp8xPayload(iwebp.FlagAnimation)), chunkBytes("ANIM", fakeANIM),
				chunkBytes("ANMF", anmfPayload(chunkBytes("VP8 ", append(bytes.Clone(fakeVP8), mark...)))))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Scan(bytes.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, f := range rep.Findings {
				found = found || f.Category == Embedded && f.Container+"|"+f.Tag == tt.want
			}
			if !found {
				t.Errorf("no embedded %s finding: %v", tt.want, rep.Findings)
			}
			out, _ := scrubBytes(t, tt.in)
			if bytes.Contains(out, mark) {
				t.Errorf("the planted marker is in the output")
			}
			if n, _ := vp8.FrameEnd(fakeVP8); !bytes.Contains(out, fakeVP8[:n]) && !bytes.Contains(out, fakeVP8L) {
				t.Errorf("the bitstream is not in the output")
			}
			checkClean(t, out, nil)
		})
	}
}

// TestScrubWebPBitstreamErrors checks bitstream headers that do not fit
// their chunk or break the rules decoders check.
func TestScrubWebPBitstreamErrors(t *testing.T) {
	vp8x := chunkBytes("VP8X", vp8xPayload(0))
	set := func(b []byte, i int, c byte) []byte {
		b = bytes.Clone(b)
		b[i] = c
		return b
	}
	tests := []struct {
		name, in, want string
	}{
		{"VP8 first partition past the chunk", string(riffFile(vp8x, chunkBytes("VP8 ", set(fakeVP8, 1, 0x40)))), "first partition"},
		{"VP8 not a key frame", string(riffFile(vp8x, chunkBytes("VP8 ", set(fakeVP8, 0, 0xd1)))), "key frame"},
		{"VP8 start code", string(riffFile(vp8x, chunkBytes("VP8 ", set(fakeVP8, 3, 0)))), "start code"},
		{"VP8 too short", string(riffFile(vp8x, chunkBytes("VP8 ", fakeVP8[:9]))), "frame header"},
		{"VP8 no last partition", string(riffFile(vp8x, chunkBytes("VP8 ", fakeVP8[:10+14]))), "partition"},
		{"VP8L version", string(riffFile(vp8x, chunkBytes("VP8L", set(fakeVP8L, 4, 0x20)))), "version"},
		{"raw ALPH too short", string(riffFile(chunkBytes("VP8X", vp8xPayload(iwebp.FlagAlpha)), chunkBytes("ALPH", []byte{0}), chunkBytes("VP8 ", fakeVP8))), "raw ALPH"},
		{"ALPH reserved bits", string(riffFile(chunkBytes("VP8X", vp8xPayload(iwebp.FlagAlpha)), chunkBytes("ALPH", []byte{0x40, 0}), chunkBytes("VP8 ", fakeVP8))), "reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Scrub(io.Discard, strings.NewReader(tt.in), nil)
			checkFormatError(t, err, WebP, len(tt.in), false, false)
			if err != nil && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

// TestWebPDataAfterFrame appends bytes to the VP8 frame of a real file:
// Scrub cuts them and reports them, decoders show the same pixels, and
// the few bytes of an encoder's flush (vp8Slack) stay without a finding.
func TestWebPDataAfterFrame(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "pillow__flower2.webp"))
	if err != nil {
		t.Fatal(err)
	}
	l := riff.NewList(iwebp.WEBP, in[riff.HeaderSize:], riff.HeaderSize)
	var frame []byte
	for {
		c, ok, err := l.Next()
		if err != nil || !ok {
			t.Fatalf("no VP8 chunk: %v", err)
		}
		if c.ID == iwebp.VP8 {
			frame = c.Data
			break
		}
	}
	for _, tt := range []struct {
		name   string
		extra  []byte
		report bool
	}{
		{"planted", []byte(plantMark), true},
		{"zeros", make([]byte, 64), true},
		{"flush", []byte{0x5a, 0xa5, 0x5a}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			planted := riffFile(chunkBytes("VP8 ", append(bytes.Clone(frame), tt.extra...)))
			rep, err := Scan(bytes.NewReader(planted))
			if err != nil {
				t.Fatal(err)
			}
			if got := hasFinding(rep, "WebP VP8", "DataAfterFrame"); got != tt.report {
				t.Errorf("DataAfterFrame reported %v, want %v: %v", got, tt.report, rep.Findings)
			}
			out, _ := scrubBytes(t, planted)
			want := len(frame)
			if !tt.report {
				want += len(tt.extra)
			}
			if !bytes.Contains(out, frame) || len(out) != riff.HeaderSize+riff.ChunkHeaderSize+want+want%2 {
				t.Errorf("output of %d bytes, want the %d-byte frame", len(out), want)
			}
			checkClean(t, out, nil)
			need(t, "dwebp")
			need(t, "webpmux")
			sameWebPPixels(t, writeTemp(t, "planted.webp", planted), writeTemp(t, "out.webp", out))
		})
	}
}
