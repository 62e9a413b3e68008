package exifscrub

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestScrubWebPPlanted plants a marker where WebP decoders do not look in
// image chunks, and checks that Scrub removes it and Scan reports it.
func TestScrubWebPPlanted(t *testing.T) {
	mark := []byte(plantMark)
	vp8x := chunkBytes("VP8X", vp8xPayload(vp8xAlpha))
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
			riffFile(chunkBytes("VP8X", vp8xPayload(vp8xAnimation|vp8xAlpha)), chunkBytes("ANIM", fakeANIM),
				chunkBytes("ANMF", anmfPayload(chunkBytes("ALPH", rawALPH), chunkBytes("VP8 ", fakeVP8))))},
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
			if !bytes.Contains(out, fakeVP8) && !bytes.Contains(out, fakeVP8L) {
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
		{"raw ALPH too short", string(riffFile(chunkBytes("VP8X", vp8xPayload(vp8xAlpha)), chunkBytes("ALPH", []byte{0}), chunkBytes("VP8 ", fakeVP8))), "raw ALPH"},
		{"ALPH reserved bits", string(riffFile(chunkBytes("VP8X", vp8xPayload(vp8xAlpha)), chunkBytes("ALPH", []byte{0x40, 0}), chunkBytes("VP8 ", fakeVP8))), "reserved"},
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
