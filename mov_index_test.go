package exifscrub

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// TestVideoIndexAllowList plants a marker and a position in every place
// of the index that is not playback structure: none survives, and every
// input fails the check.
func TestVideoIndexAllowList(t *testing.T) {
	const marker = "PLANTED-INDEX-MARKER"
	udta := mbox("udta", mbox("\xa9xyz", []byte{0, 18, 0x15, 0xc7}, []byte("+48.8584+002.2945/")), mbox("\xa9cmt", []byte{0, byte(len(marker)), 0, 0}, []byte(marker)))
	xmp := mbox("uuid", uuidXMP[:], []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/">`+marker+`</x:xmpmeta>`))
	free := mbox("free", []byte(marker))
	fields := make([]byte, visualEntryFields)
	fields[7] = 1
	colr := mbox("colr", []byte("nclx"), []byte{0, 1, 0, 1, 0, 1, 0})
	for _, tc := range []struct {
		name string
		set  func(m *testMovie)
	}{
		{"udta in stbl", func(m *testMovie) { m.stblMore = [][]byte{udta} }},
		{"uuid in stbl", func(m *testMovie) { m.stblMore = [][]byte{xmp} }},
		{"free in stbl", func(m *testMovie) { m.stblMore = [][]byte{free} }},
		{"udta in edts", func(m *testMovie) { m.edtsMore = [][]byte{udta} }},
		{"udta in dinf", func(m *testMovie) { m.dinfMore = [][]byte{udta} }},
		{"udta in minf", func(m *testMovie) { m.minfMore = [][]byte{udta} }},
		{"unknown box in stbl", func(m *testMovie) { m.stblMore = [][]byte{mbox("zzzz", []byte(marker))} }},
		{"nested stbl", func(m *testMovie) { m.stblMore = [][]byte{mbox("stbl", udta)} }},
		{"udta in avc1", func(m *testMovie) { m.entry = bytes.Join([][]byte{fields, colr, udta}, nil) }},
		{"uuid in avc1", func(m *testMovie) { m.entry = bytes.Join([][]byte{fields, xmp, colr}, nil) }},
		{"compressor name", func(m *testMovie) {
			f := bytes.Clone(fields)
			f[42] = byte(len(marker))
			copy(f[43:], marker)
			m.entry = append(f, colr...)
		}},
		{"bytes after colr", func(m *testMovie) {
			m.entry = bytes.Join([][]byte{fields, mbox("colr", []byte("nclx"), []byte{0, 1, 0, 1, 0, 1, 0}, []byte(marker))}, nil)
		}},
		{"bytes after an entry's boxes", func(m *testMovie) { m.entry = bytes.Join([][]byte{fields, colr, []byte(marker)}, nil) }},
		{"bytes after elst", func(m *testMovie) {
			m.edtsMore = nil
			m.trakMore = [][]byte{mbox("edts", mfull("elst", 0, 0, mu32(1), mu32(1200), mu32(0), mu32(1<<16), []byte(marker)))}
		}},
		{"meco in moov", func(m *testMovie) { m.moovMore = [][]byte{mbox("meco", udta)} }},
		{"meco in trak", func(m *testMovie) { m.trakMore = [][]byte{mbox("meco", xmp)} }},
		{"ludt in udta", func(m *testMovie) { m.moovMore = [][]byte{mbox("udta", mbox("ludt", xmp))} }},
		{"kind in udta", func(m *testMovie) {
			m.moovMore = [][]byte{mbox("udta", mfull("kind", 0, 0, []byte(marker+"\x00x\x00")))}
		}},
		{"free in moov", func(m *testMovie) { m.moovMore = [][]byte{free} }},
		{"moov in free at the top", func(m *testMovie) { m.between = [][]byte{mbox("free", mbox("moov", udta))} }},
		{"sgpd of an unknown grouping", func(m *testMovie) {
			m.stblMore = [][]byte{mfull("sgpd", 1, 0, []byte("zzzz"), mu32(0), mu32(1), mu32(uint32(len(marker))), []byte(marker))}
		}},
		{"bytes after stts", func(m *testMovie) {
			m.stblMore = [][]byte{mfull("stss", 0, 0, mu32(1), mu32(1), []byte(marker))}
		}},
		{"dref location", func(m *testMovie) {
			m.dinfMore = [][]byte{mfull("dref", 0, 0, mu32(1), mfull("url ", 0, 1, []byte(marker)))}
		}},
		{"tapt child", func(m *testMovie) {
			m.trakMore = [][]byte{mbox("tapt", mfull("clef", 0, 0, mu32(1<<16), mu32(1<<16)), udta)}
		}},
	} {
		for _, last := range []bool{true, false} {
			name := tc.name + map[bool]string{true: ", moov last", false: ", moov first"}[last]
			t.Run(name, func(t *testing.T) {
				m := newTestMovie()
				m.moovLast = last
				tc.set(m)
				in, _, _ := m.build()
				rep, err := Scan(bytes.NewReader(in))
				if err != nil {
					t.Fatal(err)
				}
				if !failsCheck(rep) {
					t.Errorf("the check passes: %v", rep.Findings)
				}
				out, srep := scrubBytes(t, in)
				if where := findMarker(out, marker); where != "" || bytes.Contains(out, []byte("+48.8584")) {
					t.Errorf("the marker survives (%s)", where)
				}
				if !failsCheck(srep) {
					t.Errorf("scrub reports nothing that fails the check: %v", srep.Findings)
				}
				checkClean(t, out, nil)
				f := parseMovieForTest(t, out)
				for i, off := range f.offsets {
					if s := m.video[i]; !bytes.Equal(out[off:off+uint64(len(s))], s) {
						t.Errorf("chunk %d at %d does not hold %q", i, off, s)
					}
				}
			})
		}
	}
}

// TestVideoIndexRefused: what cannot be rebuilt is refused, never copied.
func TestVideoIndexRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(m *testMovie)
	}{
		{"cmov", func(m *testMovie) {
			m.moovMore = [][]byte{mbox("cmov", mbox("dcom", []byte("zlib")), mbox("cmvd", mu32(100), []byte{0x78, 0x9c}))}
		}},
		{"urn data reference", func(m *testMovie) {
			m.dinfMore = [][]byte{mfull("dref", 0, 0, mu32(1), mfull("urn ", 0, 1))}
		}},
		{"esds with a URL", func(m *testMovie) {
			fields := make([]byte, visualEntryFields)
			m.entry = append(fields, mfull("esds", 0, 0, []byte{3, 6, 0, 1, 0x40, 2, 'h', 'i'})...)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newTestMovie()
			tc.set(m)
			in, _, _ := m.build()
			var out bytes.Buffer
			_, err := Scrub(&out, bytes.NewReader(in), nil)
			var fe *FormatError
			if !errors.Is(err, ErrUnsupportedFeature) || !errors.As(err, &fe) {
				t.Errorf("got %v, want a *FormatError with ErrUnsupportedFeature", err)
			}
		})
	}
}

// TestVideoTextTracks: subtitle and chapter tracks go with their samples
// unless the policy keeps Text (and Location: these samples are not cues
// that timedtext reads, so a position in them could not be ruled out; see
// TestVideoCuePositions).
func TestVideoTextTracks(t *testing.T) {
	for _, tc := range []struct{ hdlr, entry string }{{"sbtl", "tx3g"}, {"text", "text"}, {"subt", "wvtt"}, {"clcp", "c608"}} {
		for _, keep := range []bool{false, true} {
			t.Run(tc.entry+map[bool]string{true: " kept", false: ""}[keep], func(t *testing.T) {
				m := newTestMovie()
				m.metaHdlr, m.metaType = tc.hdlr, tc.entry
				in, _, _ := m.build()
				var opts *Options
				if keep {
					opts = &Options{Keep: []Category{Text, Location}}
				}
				var out bytes.Buffer
				rep, err := Scrub(&out, bytes.NewReader(in), opts)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range testMetaSamples {
					if got := bytes.Contains(out.Bytes(), s); got != keep {
						t.Errorf("sample %q in the output: %v, want %v", s, got, keep)
					}
				}
				if got := rep.Has(Text); got == keep {
					t.Errorf("Text reported: %v (%v)", got, rep.Findings)
				}
				if f := parseMovieForTest(t, out.Bytes()); (f.tracks == 2) != keep {
					t.Errorf("%d tracks in the output", f.tracks)
				}
			})
		}
	}
}

// TestVideoCuePositions: a position in a subtitle cue is reported as
// Location, and a text track kept with Keep Text is removed all the same
// when a cue holds one and Location is not kept. From a stream, whose cues
// cannot be read before the index is written, Keep Text keeps a track only
// with Location.
func TestVideoCuePositions(t *testing.T) {
	cue := func(s string) []byte { return append([]byte{0, byte(len(s))}, s...) }
	located := [][]byte{cue("F/2.8 SS 1000 ISO 100"), cue("[latitude: 22.547620] [longitude: 113.943520] [rel_alt: 1.3]")}
	plain := [][]byte{cue("F/2.8 SS 1000 ISO 100"), cue("F/2.8 SS 800 ISO 100")}
	for _, tc := range []struct {
		name      string
		cues      [][]byte
		keep      []Category
		stream    bool
		kept, pos bool // the track is kept; a position in a cue is reported
	}{
		{"removed, position reported", located, nil, false, false, true},
		{"removed, no position", plain, nil, false, false, false},
		{"Keep Text, position", located, []Category{Text}, false, false, true},
		{"Keep Text, no position", plain, []Category{Text}, false, true, false},
		{"Keep Text and Location, position", located, []Category{Text, Location}, false, true, false},
		{"Keep Text, from a stream", plain, []Category{Text}, true, false, false},
		{"Keep Text, a cue that is not text", [][]byte{cue("F/2.8"), {0xff, 0xfe, 'x'}}, []Category{Text}, false, false, false},
		{"Keep Text and Location, from a stream", located, []Category{Text, Location}, true, true, false},
	} {
		for _, last := range []bool{false, true} {
			if last && tc.stream {
				continue // removed samples before the index, from a stream to a stream: refused (mov_write.go latePass)
			}
			t.Run(tc.name+map[bool]string{true: ", moov last"}[last], func(t *testing.T) {
				m := newTestMovie()
				m.moovLast = last
				m.metaHdlr, m.metaType, m.meta = "sbtl", "tx3g", tc.cues
				in, _, _ := m.build()
				var r io.Reader = bytes.NewReader(in)
				if tc.stream {
					r = io.MultiReader(r) // no io.ReaderAt
				}
				var out bytes.Buffer
				rep, err := Scrub(&out, r, &Options{Keep: tc.keep})
				if err != nil {
					t.Fatal(err)
				}
				if f := parseMovieForTest(t, out.Bytes()); (f.tracks == 2) != tc.kept {
					t.Errorf("%d tracks in the output, want the text track kept: %v", f.tracks, tc.kept)
				}
				if got := bytes.Contains(out.Bytes(), tc.cues[1]); got != tc.kept {
					t.Errorf("the cue in the output: %v", got)
				}
				var pos []string
				for _, f := range rep.Findings {
					if f.Tag == "CuePosition" && f.Category == Location {
						pos = append(pos, f.Value)
					}
				}
				if want := map[bool]int{true: 1}[tc.pos]; len(pos) != want || want == 1 && pos[0] != "22.547620, 113.943520" {
					t.Errorf("CuePosition findings %q, want %d", pos, want)
				}
			})
		}
	}
}
