package exifscrub

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// Files built to exhaust a reader: millions of empty metadata blocks, and
// thousands of compressed chunks that each inflate to the per-chunk limit.
// The counts are scaled down from the attack (ten million segments) to keep
// the test quick; what is checked is that the report and the memory do not
// grow with the count.

// manyCOM is a JPEG with n empty COM segments.
func manyCOM(t testing.TB, n int) []byte {
	return withSegments(baseJPEG(t), bytes.Repeat([]byte{0xff, markerCOM, 0, 2}, n))
}

// manyPNGText is a PNG with n tEXt chunks of the same keyword.
func manyPNGText(t testing.TB, n int) []byte {
	return withChunks(basePNG(t), bytes.Repeat(chunk("tEXt", []byte("k\x00")), n))
}

// manyWebPChunks is a WebP with n empty unknown chunks after the image.
func manyWebPChunks(t testing.TB, n int) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "pillow__flower2.webp"))
	if err != nil {
		t.Fatal(err)
	}
	b = append(b[:len(b):len(b)], bytes.Repeat([]byte("ZZZZ\x00\x00\x00\x00"), n)...)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

// manyHEIFBoxes is a HEIF file with n empty 'free' boxes at the top level.
func manyHEIFBoxes(t testing.TB, n int) []byte {
	f := basicHEIF(loadHEIFSource(t, "heic__samplefilehub.heif"))
	return append(f.build(), bytes.Repeat([]byte("\x00\x00\x00\x08free"), n)...)
}

// zTXtBombs is a PNG of n zTXt chunks that each inflate to maxInflated.
func zTXtBombs(t testing.TB, n int) []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(make([]byte, maxInflated))
	zw.Close()
	return withChunks(basePNG(t), bytes.Repeat(chunk("zTXt", []byte("Comment\x00\x00"), z.Bytes()), n))
}

func TestManyBlocks(t *testing.T) {
	const few, many = 1_000, 100_000
	tests := []struct {
		name  string
		build func(testing.TB, int) []byte
		kind  string
		// perBlock bounds the bytes allocated per block, all of it
		// garbage (the names and values of findings that are counted
		// rather than listed); nothing per block is kept.
		perBlock uint64
		buffered bool // the format is read into memory whole
	}{
		{"JPEG COM", manyCOM, "JPEG COM", 1, false},
		{"PNG tEXt", manyPNGText, "PNG tEXt", 64, false},
		{"WebP chunks", manyWebPChunks, "WebP ZZZZ", 128, true},
		{"HEIF free boxes", manyHEIFBoxes, "HEIF", 160, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var listed [2]int
			var alloc [2]uint64
			for i, n := range []int{few, many} {
				in := tt.build(t, n)
				rep, err := Scrub(io.Discard, bytes.NewReader(in), nil)
				if err != nil {
					t.Fatal(err)
				}
				listed[i] = len(rep.Findings)
				counted := 0
				for _, f := range rep.Findings {
					if f.Container == tt.kind {
						counted += 1 + f.More
					}
				}
				if counted != n {
					t.Errorf("%d blocks: %d %s findings counted", n, counted, tt.kind)
				}
				alloc[i] = allocatedBytes(func() { Scrub(io.Discard, bytes.NewReader(in), nil) })
				if i == 1 && tt.buffered {
					// The buffered formats hold the file itself.
					alloc[i] -= min(alloc[i], uint64(len(in)-len(tt.build(t, few))))
				}
			}
			if listed[0] != listed[1] {
				t.Errorf("%d findings listed for %d blocks, %d for %d", listed[0], few, listed[1], many)
			}
			if per := (max(alloc[1], alloc[0]) - alloc[0]) / (many - few); per > tt.perBlock {
				t.Errorf("%d bytes allocated per block (%d for %d blocks, %d for %d), want at most %d",
					per, alloc[0], few, alloc[1], many, tt.perBlock)
			}
			t.Logf("%d bytes allocated for %d blocks, %d for %d", alloc[0], few, alloc[1], many)
		})
	}
}

// TestReportLimit checks that a report lists a bounded number of kinds,
// and that what it does not list still counts in its category.
func TestReportLimit(t *testing.T) {
	rep := new(Report)
	for i := range 3 * MaxFindings {
		rep.add(Text, "PNG tEXt", "k"+string(rune('A'+i%26))+string(rune(i)), "v")
	}
	rep.add(Location, "XMP", "exif:GPSLatitude", "1.5")
	if len(rep.Findings) > MaxFindings+len(Categories()) {
		t.Errorf("%d findings listed", len(rep.Findings))
	}
	if !rep.Has(Location) {
		t.Error("a location past the limit is not in the report")
	}
	if got := rep.Total(); got != 3*MaxFindings+1 {
		t.Errorf("Total() = %d, want %d", got, 3*MaxFindings+1)
	}
	for i := range 25 {
		rep2 := new(Report)
		for range MaxSameKind + i {
			rep2.add(Text, "JPEG COM", "Comment", "x")
		}
		if len(rep2.Findings) != min(MaxSameKind, MaxSameKind+i) || rep2.Total() != MaxSameKind+i {
			t.Fatalf("%d comments: %d listed, total %d", MaxSameKind+i, len(rep2.Findings), rep2.Total())
		}
	}
}

// TestInflateBudget checks that a file's compressed chunks together inflate
// to at most maxInflatedTotal, that what is not read fails a check, and
// that every chunk is still removed.
func TestInflateBudget(t *testing.T) {
	const n = 256 // 256 MiB of text without the budget
	in := zTXtBombs(t, n)
	var out bytes.Buffer
	rep, err := Scrub(&out, bytes.NewReader(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out.Bytes(), []byte("zTXt")) {
		t.Error("a zTXt chunk is left in the output")
	}
	if !rep.Has(Embedded) {
		t.Errorf("chunks not read are not reported as embedded: %+v", rep.Findings)
	}
	if rep.Total() != n {
		t.Errorf("Total() = %d, want %d", rep.Total(), n)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	Scan(bytes.NewReader(in))
	runtime.ReadMemStats(&after)
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(8*maxInflatedTotal); got > limit {
		t.Errorf("%d bytes allocated, want at most %d", got, limit)
	}
}

// TestManyMdats: HEIF 'mdat' boxes are indexed in memory, so thousands of
// them are refused rather than indexed.
func TestManyMdats(t *testing.T) {
	f := basicHEIF(loadHEIFSource(t, "heic__samplefilehub.heif"))
	in := append(f.build(), bytes.Repeat([]byte("\x00\x00\x00\x08mdat"), 2*maxMdats)...)
	_, err := Scan(bytes.NewReader(in))
	if !errors.Is(err, ErrUnsupportedFeature) {
		t.Errorf("got %v, want ErrUnsupportedFeature", err)
	}
}

// TestReportLimitFailsCheck: a report that stops listing at its limit has
// a finding that fails a check, even when what it stopped listing is
// category Other.
func TestReportLimitFailsCheck(t *testing.T) {
	rep := new(Report)
	for i := range MaxFindings + 1 {
		rep.add(Other, "EXIF IFD0", "Tag"+strconv.Itoa(i), "1")
	}
	if !rep.Has(Embedded) {
		t.Errorf("no embedded finding after the limit: %+v", rep.Findings[len(rep.Findings)-1])
	}
}
