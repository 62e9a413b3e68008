package exifscrub

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// TestHostileLengths feeds inputs whose length and count fields claim far
// more than the input holds, and checks that each costs memory in
// proportion to the input, not to the claim.
func TestHostileLengths(t *testing.T) {
	fuzzInput := func(name string) []byte {
		// testdata/fuzz files hold one []byte in "go test fuzz v1" form.
		b, err := os.ReadFile(filepath.Join("testdata", "fuzz", name))
		if err != nil {
			t.Fatal(err)
		}
		return parseFuzzBytes(t, b)
	}
	base := baseJPEG(t)
	tiffCount4G := fuzzInput("FuzzEXIF/ascii-count-4G")
	tiffThumb4G := fuzzInput("FuzzEXIF/thumbnail-length-4G")
	irb4G := append([]byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00"), 0xff, 0xff, 0xff, 0xf0)
	ifdCount := tiffBlock([]ifdEntry{ascii(0x010f, "Make")}, nil, nil)
	binary.BigEndian.PutUint16(ifdCount[8:], 0xffff) // IFD0 claims 65535 entries
	tests := []struct {
		name string
		in   []byte
	}{
		{"EXIF ASCII count 4G", withSegments(base, exifSegment(tiffCount4G))},
		{"EXIF thumbnail length 4G", withSegments(base, exifSegment(tiffThumb4G))},
		{"EXIF IFD entry count 65535", withSegments(base, exifSegment(ifdCount))},
		{"Photoshop resource size 4G", withSegments(base, segment(markerAPP13, irb4G))},
		{"IPTC extended dataset", withSegments(base, segment(markerAPP13, []byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x09\x1c\x02\x50\x80\x04\xff\xff\xff\xff")))},
		{"Extended XMP total length 4G", withSegments(base, segment(markerAPP1, sigExtendedXMP, make([]byte, 32), be32(0xffffffff), be32(0), []byte("<x/>")))},
		{"PNG eXIf length 2G", withChunks(basePNG(t), append(binary.BigEndian.AppendUint32(nil, 1<<31-1), "eXIf"...))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := allocatedBytes(func() { Scrub(io.Discard, bytes.NewReader(tt.in), nil) })
			// The pooled buffers are reused; what remains is findings
			// and copies of the metadata, a small multiple of the input.
			if limit := uint64(16<<10 + 4*len(tt.in)); got > limit {
				t.Errorf("%d bytes allocated per scrub of a %d-byte input, want at most %d", got, len(tt.in), limit)
			}
		})
	}
}

// parseFuzzBytes decodes a one-value "go test fuzz v1" file of a []byte.
func parseFuzzBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	_, v, ok := bytes.Cut(b, []byte("[]byte("))
	if !ok {
		t.Fatal("not a fuzz corpus file")
	}
	v = bytes.TrimSpace(v)
	v = bytes.TrimSuffix(v, []byte(")"))
	s, err := strconv.Unquote(string(v))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(s)
}

// allocatedBytes returns the bytes f allocates, averaged over a few runs
// after a first one that fills the buffer pools.
func allocatedBytes(f func()) uint64 {
	const runs = 20
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < runs; i++ {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / runs
}
