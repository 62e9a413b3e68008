package mp4

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// stbl builds a sample table box at file offset 0 from its children.
func stbl(children ...func(w *bmff.Writer)) bmff.Box {
	var w bmff.Writer
	w.Start(bmff.FourCC{'s', 't', 'b', 'l'})
	for _, c := range children {
		c(&w)
	}
	w.End()
	b := w.Bytes()
	return bmff.Box{Type: bmff.FourCC{'s', 't', 'b', 'l'}, HeaderLen: 8, Payload: b[8:]}
}

func full(t bmff.FourCC, words ...uint32) func(w *bmff.Writer) {
	return func(w *bmff.Writer) {
		w.StartFull(t, 0, 0)
		for _, v := range words {
			w.U32(v)
		}
		w.End()
	}
}

func TestChunks(t *testing.T) {
	type chunk struct {
		start, end int64
		entry      uint32
	}
	for _, tt := range []struct {
		name   string
		stbl   bmff.Box
		chunks []chunk
		total  int64
		err    string // the error's reason; "" for none
		off    int64  // and its offset
	}{
		{
			name: "fixed size",
			// 2 chunks of 3 samples of 10 bytes.
			stbl:   stbl(full(BoxStsc, 1, 1, 3, 1), full(BoxStsz, 10, 6), full(BoxStco, 2, 100, 500)),
			chunks: []chunk{{100, 130, 1}, {500, 530, 1}},
			total:  60,
		},
		{
			name: "size table, two runs",
			stbl: stbl(full(BoxStsc, 2, 1, 2, 1, 2, 1, 2), full(BoxStsz, 0, 3, 5, 6, 7),
				full(BoxStco, 2, 1000, 2000)),
			chunks: []chunk{{1000, 1011, 1}, {2000, 2007, 2}},
			total:  18,
		},
		{
			name: "compact sizes of 4 bits",
			stbl: stbl(full(BoxStsc, 1, 1, 3, 1),
				func(w *bmff.Writer) {
					w.StartFull(BoxStz2, 0, 0)
					w.Append([]byte{0, 0, 0, 4})
					w.U32(3)
					w.Append([]byte{0x12, 0x30})
					w.End()
				}, full(BoxStco, 1, 40)),
			chunks: []chunk{{40, 46, 1}},
			total:  6,
		},
		{
			name: "no chunk offsets",
			stbl: stbl(full(BoxStsc, 0), full(BoxStsz, 0, 0)),
		},
		{
			name: "no sample sizes",
			stbl: stbl(full(BoxStsc, 0), full(BoxStco, 0)),
			err:  "sample table of track 7 without 'stsc' or 'stsz'",
		},
		{
			name: "more offsets than the box holds",
			stbl: stbl(full(BoxStsc, 1, 1, 1, 1), full(BoxStsz, 1, 1), full(BoxStco, 1<<30)),
			err:  "\"stco\" box cannot hold 1073741824 offsets", off: 56,
		},
		{
			name: "more sizes than the box holds",
			stbl: stbl(full(BoxStsc, 1, 1, 1, 1), full(BoxStsz, 0, 1<<31), full(BoxStco, 1, 0)),
			err:  "\"stsz\" box cannot hold 2147483648 sample sizes", off: 36,
		},
		{
			name: "more samples in chunks than sizes",
			stbl: stbl(full(BoxStsc, 1, 1, 4, 1), full(BoxStsz, 1, 3), full(BoxStco, 1, 0)),
			err:  "track 7: chunks hold more samples than 'stsz' lists", off: 8,
		},
		{
			name: "runs out of order",
			stbl: stbl(full(BoxStsc, 2, 2, 1, 1, 1, 1, 1), full(BoxStsz, 1, 3), full(BoxStco, 1, 0)),
			err:  "'stsc' entry 1 starts at chunk 1", off: 8,
		},
		{
			name: "chunk not covered",
			stbl: stbl(full(BoxStsc, 1, 2, 1, 1), full(BoxStsz, 1, 3), full(BoxStco, 1, 0)),
			err:  "'stsc' does not cover chunk 1", off: 8,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []chunk
			total, err := Chunks(Track{ID: 7, Stbl: tt.stbl, HasStbl: true}, func(c Chunk) {
				got = append(got, chunk{c.Start, c.End, c.Entry})
			})
			if tt.err != "" {
				var be *bmff.Error
				if !errors.As(err, &be) || be.Reason != tt.err || be.Offset != tt.off {
					t.Fatalf("error %v, want %q at offset %d", err, tt.err, tt.off)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if total != tt.total || len(got) != len(tt.chunks) {
				t.Fatalf("got %v (%d bytes), want %v (%d bytes)", got, total, tt.chunks, tt.total)
			}
			for i := range got {
				if got[i] != tt.chunks[i] {
					t.Errorf("chunk %d: got %v, want %v", i, got[i], tt.chunks[i])
				}
			}
		})
	}
}

func TestSpans(t *testing.T) {
	s := MergeSpans([]Span{{10, 20}, {0, 5}, {5, 8}, {15, 30}})
	if !SameSpans(s, []Span{{0, 8}, {10, 30}}) {
		t.Fatalf("MergeSpans: %v", s)
	}
	if at, ok := Overlap(s, []Span{{8, 10}, {29, 40}}); !ok || at != 29 {
		t.Errorf("Overlap: %d, %v", at, ok)
	}
	if _, ok := Overlap(s, []Span{{8, 10}, {30, 40}}); ok {
		t.Error("Overlap of touching spans")
	}
}

// tracks returns the tracks of the 'moov' box of an MP4 or QuickTime file.
func tracks(data []byte) []Track {
	var out []Track
	var walk func(b []byte, base int64, path string)
	walk = func(b []byte, base int64, path string) {
		r := bmff.NewReader(b, base, path == "")
		for c := range r.All() {
			switch p := path + "/" + string(c.Type[:]); p {
			case "/moov", "/moov/trak", "/moov/trak/mdia", "/moov/trak/mdia/minf":
				if p == "/moov/trak" {
					out = append(out, Track{ID: uint32(len(out) + 1)})
				}
				walk(c.Payload, c.PayloadOffset(), p)
			case "/moov/trak/mdia/hdlr":
				if h, err := bmff.HandlerType(bmff.NewCursor(c)); err == nil {
					out[len(out)-1].Video = h == bmff.FourCC{'v', 'i', 'd', 'e'}
				}
			case "/moov/trak/mdia/minf/stbl":
				out[len(out)-1].Stbl, out[len(out)-1].HasStbl = c, true
			}
		}
	}
	walk(data, 0, "")
	return out
}

func TestPlanSamples(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/video__*")
	if len(files) == 0 {
		t.Skip("no video samples")
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		ts := tracks(data)
		m, err := Plan(ts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(m.Keep) == 0 {
			t.Errorf("%s: no samples", name)
		}
		for i := 1; i < len(m.Keep); i++ {
			if m.Keep[i].Start <= m.Keep[i-1].End {
				t.Errorf("%s: spans %v and %v not merged", name, m.Keep[i-1], m.Keep[i])
			}
		}
	}
}

// FuzzPlan reads the sample tables of a movie: no panic, errors at
// offsets inside the input, and the plan's regions tile the file.
func FuzzPlan(f *testing.F) {
	addVideoSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		ts := tracks(data)
		var zero []Span
		for _, tr := range ts {
			s, _, err := TrackSpans(tr)
			checkErr(t, err, len(data))
			zero = append(zero, s...)
		}
		zero = MergeSpans(zero)
		m, err := Plan(ts)
		checkErr(t, err, len(data))
		if err != nil {
			return
		}
		limit := int64(len(data))
		for pos := int64(0); pos < limit; {
			kind, end, c := m.Region(pos, limit, zero)
			if end <= pos || end > limit {
				t.Fatalf("region at %d ends at %d", pos, end)
			}
			if kind == Coded {
				n, ok := c.SampleAt(pos)
				if n <= 0 {
					t.Fatalf("sample at %d of %d bytes", pos, n)
				}
				if ok && pos+n <= end {
					c.Neutralize(append([]byte(nil), data[pos:pos+n]...))
					end = pos + n
				} else {
					end = min(end, pos+n)
				}
			}
			pos = end
		}
	})
}

func checkErr(t *testing.T, err error, n int) {
	t.Helper()
	if err == nil {
		return
	}
	var be *bmff.Error
	if !errors.As(err, &be) {
		t.Fatalf("error %v is not a *bmff.Error", err)
	}
	if be.Offset < 0 || be.Offset > int64(n) {
		t.Fatalf("error at offset %d of %d bytes: %v", be.Offset, n, err)
	}
}

// addVideoSeeds adds the sample videos of testdata as seeds.
func addVideoSeeds(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/video__*")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
}
