package exifscrub

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/mp4"
)

func TestDetectVideo(t *testing.T) {
	ftyp := func(major string, compatible ...string) []byte {
		return mbox("ftyp", []byte(major), mu32(0), []byte(strings.Join(compatible, "")))
	}
	tests := []struct {
		name string
		head []byte
		want Format
	}{
		{"QuickTime", ftyp("qt  ", "qt  "), MOV},
		{"iPhone", ftyp("qt  ", "qt  "), MOV},
		{"ISO", ftyp("isom", "isom", "iso2", "avc1", "mp41"), MP4},
		{"mp42", ftyp("mp42", "isom"), MP4},
		{"3GP", ftyp("3gp5", "3gp5", "isom"), MP4},
		{"3G2", ftyp("3g2a", "3g2a"), MP4},
		{"M4V", ftyp("M4V ", "M4V ", "M4A ", "mp42", "isom"), MP4},
		{"Sony", ftyp("MSNV", "MSNV", "mp42"), MP4},
		{"unknown major, known compatible", ftyp("xxxx", "isom"), MP4},
		{"no ftyp: moov", mbox("moov", mbox("mvhd")), MOV},
		{"no ftyp: mdat", mbox("mdat", []byte("data")), MOV},
		{"no ftyp: wide", append(mbox("wide"), mbox("mdat")...), MOV},
		{"HEIC still", ftyp("heic", "mif1", "heic"), HEIF},
		{"AVIF still", ftyp("avif", "mif1", "avif"), AVIF},
		{"HEIF sequence stays HEIF", ftyp("msf1", "msf1", "hevc"), HEIF},
		{"AVIF sequence stays AVIF", ftyp("avis", "avis", "msf1"), AVIF},
		{"unknown brand", ftyp("xxxx", "yyyy"), ""},
		{"Canon CR3 raw photo", ftyp("crx ", "crx ", "isom"), ""},
		{"moov of size 3", []byte{0, 0, 0, 3, 'm', 'o', 'o', 'v'}, ""},
		{"JPEG", []byte{0xff, 0xd8, 0xff, 0xe0}, JPEG},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectFormat(tt.head); got != tt.want {
				t.Errorf("DetectFormat: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestISO6709(t *testing.T) {
	tests := []struct {
		in       string
		lat, lon float64
		alt      float64
		hasAlt   bool
		ok       bool
	}{
		{"+48.8584+002.2945+035.000/", 48.8584, 2.2945, 35, true, true},
		{"+37.4220-122.0841/", 37.422, -122.0841, 0, false, true},
		{"-33.8688+151.2093/", -33.8688, 151.2093, 0, false, true},
		{"+51.4169-000.0806/", 51.4169, -0.0806, 0, false, true},
		{"+4851.504+00217.670/", 48 + 51.504/60, 2 + 17.67/60, 0, false, true}, // degrees and minutes
		{"+485130.24+0021740.2/", 48 + 51.0/60 + 30.24/3600, 2 + 17.0/60 + 40.2/3600, 0, false, true},
		{"+40.7-074.0+10CRSWGS_84/", 40.7, -74, 10, true, true},
		{"+91.0000+000.0000/", 0, 0, 0, false, false},
		{"48.8584, 2.2945", 0, 0, 0, false, false},
		{"", 0, 0, 0, false, false},
		{"+", 0, 0, 0, false, false},
		{"+1.5+", 0, 0, 0, false, false},
	}
	for _, tt := range tests {
		lat, lon, alt, hasAlt, ok := iso6709(tt.in)
		if ok != tt.ok || !ok {
			if ok != tt.ok {
				t.Errorf("iso6709(%q): ok %v, want %v", tt.in, ok, tt.ok)
			}
			continue
		}
		if math.Abs(lat-tt.lat) > 1e-9 || math.Abs(lon-tt.lon) > 1e-9 || hasAlt != tt.hasAlt || math.Abs(alt-tt.alt) > 1e-9 {
			t.Errorf("iso6709(%q) = %v, %v, %v, %v; want %v, %v, %v, %v", tt.in, lat, lon, alt, hasAlt, tt.lat, tt.lon, tt.alt, tt.hasAlt)
		}
	}
}

// videoCorpusDir returns the shared corpus of videos: $EXIFSCRUB_VIDEO_CORPUS,
// or corpus-video beside the photo corpus, or "" (CI fails instead).
func videoCorpusDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("EXIFSCRUB_VIDEO_CORPUS")
	if dir == "" {
		photos := os.Getenv("EXIFSCRUB_CORPUS")
		if photos == "" {
			photos = filepath.Join("..", "shared", "corpus")
		}
		dir = filepath.Join(filepath.Dir(photos), "corpus-video")
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); err != nil {
		if inCI() {
			t.Fatalf("video corpus not found at %s (set EXIFSCRUB_VIDEO_CORPUS)", dir)
		}
		return ""
	}
	return dir
}

// videoFiles returns the videos of testdata and of the video corpus.
func videoFiles(t testing.TB) []string {
	files := sampleFiles(t, false, MOV, MP4)
	if dir := videoCorpusDir(t); dir != "" && !testing.Short() {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".mov", ".mp4", ".m4v", ".3gp", ".3g2":
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	return files
}

// TestVideoRoundTrip scrubs every video of testdata and the corpus, and
// checks the result with ExifTool, ffmpeg and ffprobe: nothing private is
// left, every audio and video packet is byte for byte the same, and the
// rotation and colour description are unchanged.
func TestVideoRoundTrip(t *testing.T) {
	need(t, "exiftool")
	need(t, "ffmpeg")
	need(t, "ffprobe")
	files := videoFiles(t)
	if len(files) < 3 {
		t.Fatalf("only %d sample videos", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			in, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// The file as a stream: no reading ahead, no going back.
			var out bytes.Buffer
			rep, err := Scrub(&out, struct{ io.Reader }{bytes.NewReader(in)}, nil)
			if errors.Is(err, ErrUnsupportedFeature) {
				// Timed-metadata samples before the 'moov': a file can.
				var ws writerAtBuffer
				rep, err = Scrub(&ws, struct{ io.Reader }{bytes.NewReader(in)}, nil)
				out.Reset()
				out.Write(ws.b)
			}
			if err != nil {
				t.Fatalf("Scrub: %v", err)
			}
			if len(rep.Findings) == 0 {
				t.Errorf("no findings")
			}
			seekable, _ := scrubBytes(t, in)
			if !bytes.Equal(seekable, out.Bytes()) {
				t.Errorf("scrubbing a stream and a bytes.Reader differ")
			}
			outPath := writeTemp(t, "scrubbed"+filepath.Ext(path), out.Bytes())
			checkClean(t, out.Bytes(), nil)
			if bad := leftovers(t, outPath, videoAllowed); len(bad) > 0 {
				t.Errorf("ExifTool still sees %d tags after scrub:\n  %s", len(bad), strings.Join(bad, "\n  "))
			}
			if a, b := framemd5(t, path), framemd5(t, outPath); a != b {
				// SEI neutralised in the samples changes packets, not pictures.
				if !neutralised(rep) {
					t.Errorf("packets changed:\n%s\nvs\n%s", a, b)
				} else if a, b := decodedmd5(t, path), decodedmd5(t, outPath); a != b {
					t.Errorf("decoded frames changed:\n%s\nvs\n%s", a, b)
				}
			}
			if a, b := probe(t, path), probe(t, outPath); a != b {
				t.Errorf("rotation or colour changed: %s, want %s", b, a)
			}
		})
	}
}

// videoAllowed matches what ExifTool may still see in a scrubbed video:
// the structure a player needs (QuickTime and track headers, sample
// descriptions), and the zeroed times.
var videoAllowed = regexp.MustCompile(`^(File:.*|Composite:(ImageSize|Megapixels|AvgBitrate|Rotation|GPSPosition)|` +
	`QuickTime:(MajorBrand|MinorVersion|CompatibleBrands|MovieHeaderVersion|TimeScale|Duration|PreferredRate|` +
	`PreferredVolume|PreviewTime|PreviewDuration|PosterTime|SelectionTime|SelectionDuration|CurrentTime|NextTrackID|` +
	`MediaData|MediaDataSize|MediaDataOffset|CreateDate|ModifyDate|MatrixStructure|HandlerType|Warning)|` +
	`Track\d+:.*)$`)

// framemd5 returns ffmpeg's checksum of every audio and video packet,
// copied, not decoded.
func framemd5(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-map", "0:v?", "-map", "0:a?", "-c", "copy", "-f", "framemd5", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg %s: %v", path, err)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		t.Fatalf("ffmpeg %s: no packets", path)
	}
	return strings.Join(lines, "\n")
}

// probe returns the rotation and colour of the first video stream, as
// ffprobe reports them.
func probe(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
		"stream=color_primaries,color_transfer,color_space,color_range:stream_side_data=rotation", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var v struct {
		Streams []any `json:"streams"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	b, _ := json.Marshal(v.Streams)
	return string(b)
}

// writerAtBuffer is an in-memory io.WriterAt, io.ReaderAt and io.Seeker,
// as a file is.
type writerAtBuffer struct {
	b   []byte
	pos int64
}

func (w *writerAtBuffer) Write(p []byte) (int, error) {
	n, err := w.WriteAt(p, w.pos)
	w.pos += int64(n)
	return n, err
}

func (w *writerAtBuffer) WriteAt(p []byte, off int64) (int, error) {
	if end := off + int64(len(p)); end > int64(len(w.b)) {
		w.b = append(w.b, make([]byte, end-int64(len(w.b)))...)
	}
	return copy(w.b[off:], p), nil
}

func (w *writerAtBuffer) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(w.b)) {
		return 0, io.EOF
	}
	n := copy(p, w.b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (w *writerAtBuffer) Seek(off int64, whence int) (int64, error) {
	if whence != io.SeekCurrent || off != 0 {
		return 0, errors.New("only Seek(0, io.SeekCurrent)")
	}
	return w.pos, nil
}

func TestVideoLocation(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "video__keys_tmcd_rot90.mov"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Scan(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	lat, lon, ok := rep.Location()
	if !ok || math.Abs(lat-48.8584) > 1e-6 || math.Abs(lon-2.2945) > 1e-6 {
		t.Errorf("Location() = %v, %v, %v; want 48.8584, 2.2945, true", lat, lon, ok)
	}
	if rep.Format != MOV {
		t.Errorf("format %q, want %q", rep.Format, MOV)
	}
}

// Building videos by hand: boxes, and a movie with a video track and a
// timed-metadata track whose samples interleave in one 'mdat'.

func mu32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func mu64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// mbox builds a box.
func mbox(typ string, payload ...[]byte) []byte {
	p := bytes.Join(payload, nil)
	return append(append(mu32(uint32(8+len(p))), typ...), p...)
}

// mfull builds a FullBox.
func mfull(typ string, version uint8, flags uint32, payload ...[]byte) []byte {
	return mbox(typ, append([]byte{version, byte(flags >> 16), byte(flags >> 8), byte(flags)}, bytes.Join(payload, nil)...))
}

// A testMovie is a movie built by hand.
type testMovie struct {
	moovLast bool
	co64     bool
	video    [][]byte // one chunk of one sample each
	meta     [][]byte // the timed-metadata samples, after the video ones
	moovMore [][]byte // more children of 'moov' (udta, meta…)
	trakMore [][]byte // more children of the video 'trak'
	between  [][]byte // top-level boxes between the 'moov' and the 'mdat'
	after    []byte   // after the last box
	metaHdlr string   // the metadata track's handler, "meta" by default
	metaType string   // its sample entry, "mebx" by default
	entry    []byte   // the video sample entry's payload, if not the default
	stblMore [][]byte // more children of the video 'stbl'
	minfMore [][]byte // more children of the video 'minf'
	edtsMore [][]byte // more children of the video 'edts'
	dinfMore [][]byte // more children of the video 'dinf'
}

// testVideoSamples are the samples of a testMovie: video then metadata.
var testVideoSamples = [][]byte{[]byte("VIDEO-SAMPLE-ONE"), []byte("VIDEO-SAMPLE-TWO-LONGER")}
var testMetaSamples = [][]byte{[]byte("FACE-RECTANGLE-1"), []byte("FACE-2")}

// newTestMovie returns a movie as an iPhone lays it out: media data
// first, two video samples and two face-detection samples interleaved.
func newTestMovie() *testMovie {
	return &testMovie{moovLast: true, video: testVideoSamples, meta: testMetaSamples}
}

// build lays out the movie and returns it with the file offsets of its
// samples.
func (m *testMovie) build() (b []byte, videoOffs, metaOffs []int) {
	ftyp := mbox("ftyp", []byte("qt  "), mu32(0), []byte("qt  "))
	// The mdat interleaves: v0 m0 v1 m1.
	var mdat []byte
	var vrel, mrel []int
	for i := 0; i < max(len(m.video), len(m.meta)); i++ {
		if i < len(m.video) {
			vrel = append(vrel, len(mdat))
			mdat = append(mdat, m.video[i]...)
		}
		if i < len(m.meta) {
			mrel = append(mrel, len(mdat))
			mdat = append(mdat, m.meta[i]...)
		}
	}
	mdatBox := mbox("mdat", mdat)
	between := bytes.Join(m.between, nil)
	moov := m.moov(make([]int, len(vrel)), make([]int, len(mrel)))
	var mdatStart int
	if m.moovLast {
		mdatStart = len(ftyp)
	} else {
		mdatStart = len(ftyp) + len(moov) + len(between)
	}
	for i := range vrel {
		vrel[i] += mdatStart + 8
	}
	for i := range mrel {
		mrel[i] += mdatStart + 8
	}
	moov = m.moov(vrel, mrel)
	if m.moovLast {
		b = bytes.Join([][]byte{ftyp, mdatBox, between, moov}, nil)
	} else {
		b = bytes.Join([][]byte{ftyp, moov, between, mdatBox}, nil)
	}
	return append(b, m.after...), vrel, mrel
}

func (m *testMovie) moov(voffs, moffs []int) []byte {
	times := mu32(0xdeadbeef) // a creation and a modification time
	mvhd := mfull("mvhd", 0, 0, times, times, mu32(600), mu32(1200), make([]byte, 80))
	tkhd := func(id uint32) []byte {
		matrix := []byte{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0}
		return mfull("tkhd", 0, 3, times, times, mu32(id), mu32(0), mu32(1200), make([]byte, 16), matrix, mu32(16<<16), mu32(16<<16))
	}
	mdhd := mfull("mdhd", 0, 0, times, times, mu32(600), mu32(1200), mu32(0x55c40000))
	stbl := func(entry string, samples [][]byte, offs []int, payload []byte) []byte {
		if payload == nil {
			fields := make([]byte, visualEntryFields)
			fields[7] = 1 // data_reference_index
			payload = bytes.Join([][]byte{fields, mbox("colr", []byte("nclx"), []byte{0, 1, 0, 1, 0, 1, 0})}, nil)
		}
		var sizes []byte
		for _, s := range samples {
			sizes = append(sizes, mu32(uint32(len(s)))...)
		}
		var co []byte
		for _, o := range offs {
			if m.co64 {
				co = append(co, mu64(uint64(o))...)
			} else {
				co = append(co, mu32(uint32(o))...)
			}
		}
		coType := "stco"
		if m.co64 {
			coType = "co64"
		}
		return mbox("stbl",
			mfull("stsd", 0, 0, mu32(1), mbox(entry, payload)),
			mfull("stts", 0, 0, mu32(1), mu32(uint32(len(samples))), mu32(600)),
			mfull("stsc", 0, 0, mu32(1), mu32(1), mu32(1), mu32(1)),
			mfull("stsz", 0, 0, mu32(0), mu32(uint32(len(samples))), sizes),
			mfull(coType, 0, 0, mu32(uint32(len(offs))), co),
			bytes.Join(m.stblMore, nil))
	}
	dinf := mbox("dinf", mfull("dref", 0, 0, mu32(1), mfull("url ", 0, 1)), bytes.Join(m.dinfMore, nil))
	hdlr := func(h string) []byte {
		return mfull("hdlr", 0, 0, mu32(0), []byte(h), make([]byte, 12), []byte("Handler\x00"))
	}
	video := mbox("trak", tkhd(1), mbox("tref", mbox("cdsc", mu32(2)), mbox("chap", mu32(2), mu32(3))), bytes.Join(m.trakMore, nil),
		mbox("edts", mfull("elst", 0, 0, mu32(1), mu32(1200), mu32(0), mu32(1<<16)), bytes.Join(m.edtsMore, nil)),
		mbox("mdia", mdhd, hdlr("vide"), mbox("minf", mfull("vmhd", 0, 1, make([]byte, 8)), dinf, stbl("avc1", m.video, voffs, m.entry), bytes.Join(m.minfMore, nil))),
		mbox("udta", mbox("\xa9xyz", []byte{0, 18, 0x15, 0xc7}, []byte("+48.8584+002.2945/")), mbox("chpl", []byte("chapters"))))
	metaHdlr, metaType := m.metaHdlr, m.metaType
	if metaHdlr == "" {
		metaHdlr = "meta"
	}
	if metaType == "" {
		metaType = "mebx"
	}
	var meta []byte
	if len(m.meta) > 0 {
		meta = mbox("trak", tkhd(2), mbox("tref", mbox("cdsc", mu32(1))),
			mbox("mdia", mdhd, hdlr(metaHdlr), mbox("minf", mfull("nmhd", 0, 0), dinf, stbl(metaType, m.meta, moffs, nil))))
	}
	return mbox("moov", mvhd, video, meta, bytes.Join(m.moovMore, nil))
}

// onlyReader hides every method of a reader but Read: a stream.
type onlyReader struct{ io.Reader }

// onlyWriter hides every method of a writer but Write.
type onlyWriter struct{ io.Writer }

func TestVideoTimedMetadata(t *testing.T) {
	for _, moovLast := range []bool{false, true} {
		for _, co64 := range []bool{false, true} {
			m := newTestMovie()
			m.moovLast, m.co64 = moovLast, co64
			m.between = [][]byte{mbox("free", make([]byte, 20)), append(append(mu32(8+16+10), "uuid"...), append(uuidXMP[:], "<x:xmpmeta"...)...)}
			m.moovMore = [][]byte{
				mbox("udta", mbox("\xa9mak", []byte{0, 5, 0, 0}, []byte("Apple")), mbox("XMP_", []byte("<x/>"))),
				mbox("meta", mfull("hdlr", 0, 0, mu32(0), []byte("mdta"), make([]byte, 12)),
					mfull("keys", 0, 0, mu32(1), mu32(8+36), []byte("mdta"), []byte("com.apple.quicktime.location.ISO6709")),
					mbox("ilst", mbox("\x00\x00\x00\x01", mbox("data", mu32(1), mu32(0), []byte("+01.0000+002.0000/"))))),
			}
			in, voffs, moffs := m.build()
			name := map[bool]string{false: "moov first", true: "moov last"}[moovLast] + map[bool]string{false: "", true: ", co64"}[co64]
			t.Run(name, func(t *testing.T) {
				check := func(t *testing.T, out []byte, rep *Report) {
					t.Helper()
					checkMovie(t, out, voffs, moffs, in)
					for _, want := range []string{"TimedMetadataTrack", "Make", "com.apple.quicktime.location.ISO6709", "GPSCoordinates", "CreationTime"} {
						if !hasTag(rep, want) {
							t.Errorf("report lacks %s: %v", want, rep.Findings)
						}
					}
					if lat, lon, ok := rep.Location(); !ok || lat != 1 || lon != 2 {
						t.Errorf("Location() = %v, %v, %v; want 1, 2, true", lat, lon, ok)
					}
					checkClean(t, out, nil)
				}
				t.Run("bytes.Reader", func(t *testing.T) {
					out, rep := scrubBytes(t, in)
					check(t, out, rep)
				})
				t.Run("stream to WriterAt", func(t *testing.T) {
					var w writerAtBuffer
					rep, err := Scrub(&w, onlyReader{bytes.NewReader(in)}, nil)
					if err != nil {
						t.Fatal(err)
					}
					check(t, w.b, rep)
				})
				t.Run("stream to stream", func(t *testing.T) {
					var w bytes.Buffer
					rep, err := Scrub(onlyWriter{&w}, onlyReader{bytes.NewReader(in)}, nil)
					if moovLast {
						if !errors.Is(err, ErrUnsupportedFeature) {
							t.Fatalf("Scrub: got %v, want ErrUnsupportedFeature", err)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					check(t, w.Bytes(), rep)
				})
				t.Run("ScrubFile", func(t *testing.T) {
					src := writeTemp(t, "in.mov", in)
					dst := filepath.Join(t.TempDir(), "out.mov")
					rep, err := ScrubFile(dst, src, nil)
					if err != nil {
						t.Fatal(err)
					}
					out, err := os.ReadFile(dst)
					if err != nil {
						t.Fatal(err)
					}
					check(t, out, rep)
				})
			})
		}
	}
}

func hasTag(rep *Report, tag string) bool {
	for _, f := range rep.Findings {
		if f.Tag == tag {
			return true
		}
	}
	return false
}

// checkMovie checks a scrubbed testMovie: the video samples are where its
// chunk offsets say, the metadata samples are zeros, the metadata track
// and the references to it are gone, the chapter references and the
// chapter list stay, and the times are 0.
func checkMovie(t *testing.T, out []byte, voffs, moffs []int, in []byte) {
	t.Helper()
	f := parseMovieForTest(t, out)
	if f.tracks != 1 {
		t.Errorf("%d tracks, want 1", f.tracks)
	}
	if len(f.offsets) != len(testVideoSamples) {
		t.Fatalf("%d chunk offsets, want %d", len(f.offsets), len(testVideoSamples))
	}
	for i, off := range f.offsets {
		s := testVideoSamples[i]
		if off+uint64(len(s)) > uint64(len(out)) || !bytes.Equal(out[off:off+uint64(len(s))], s) {
			t.Errorf("chunk %d at %d does not hold %q", i, off, s)
		}
	}
	shift := len(in) - len(out)
	_ = shift
	for _, s := range testMetaSamples {
		if bytes.Contains(out, s) {
			t.Errorf("metadata sample %q survives", s)
		}
	}
	for _, secret := range []string{"+48.8584", "Apple", "com.apple", "x:xmpmeta", "\xde\xad\xbe\xef", "cdsc", "chapters", "chap", "Handler"} {
		if bytes.Contains(out, []byte(secret)) {
			t.Errorf("%q survives", secret)
		}
	}
	for _, kept := range []string{"colr", "elst", "nclx"} {
		if !bytes.Contains(out, []byte(kept)) {
			t.Errorf("%q is gone", kept)
		}
	}
	// The chapter reference points to track 2, removed, and track 3,
	// which does not exist: it goes (checked above).
}

type testParsedMovie struct {
	tracks  int
	offsets []uint64
}

// parseMovieForTest reads the tracks and chunk offsets of a movie, with
// the box reader of bmff.go.
func parseMovieForTest(t *testing.T, b []byte) testParsedMovie {
	t.Helper()
	var m testParsedMovie
	var walk func(b []byte, base int64, depth int)
	walk = func(p []byte, base int64, depth int) {
		r := bmff.NewReader(p, base, depth == 0)
		for {
			bx, ok := r.Next()
			if !ok {
				break
			}
			switch string(bx.Type[:]) {
			case "trak":
				m.tracks++
				walk(bx.Payload, bx.PayloadOffset(), depth+1)
			case "moov", "mdia", "minf", "stbl":
				walk(bx.Payload, bx.PayloadOffset(), depth+1)
			case "stco", "co64":
				c := bmff.NewCursor(bx)
				c.FullBox()
				n := c.U32()
				for i := uint32(0); i < n && c.Err() == nil; i++ {
					if bx.Type == mp4.BoxCo64 {
						m.offsets = append(m.offsets, c.U64())
					} else {
						m.offsets = append(m.offsets, uint64(c.U32()))
					}
				}
			}
		}
		if r.Err() != nil {
			t.Fatalf("output: %v", r.Err())
		}
	}
	walk(b, 0, 0)
	return m
}

// TestVideoMalformed feeds broken and hostile movies: each must fail with
// a *FormatError (ErrUnsupportedFeature where the file is well formed but
// refused), never panic, and never write output for a failure found
// before the media data.
func TestVideoMalformed(t *testing.T) {
	ftyp := mbox("ftyp", []byte("isom"), mu32(0), []byte("isom"))
	good, _, _ := newTestMovie().build()
	moovAt := bytes.Index(good, []byte("moov")) - 4
	withMoov := func(children ...[]byte) []byte {
		return bytes.Join([][]byte{ftyp, mbox("moov", children...)}, nil)
	}
	stblTrack := func(hdlr string, stbl ...[]byte) []byte {
		return mbox("trak", mfull("tkhd", 0, 0, make([]byte, 80)), mbox("mdia", mfull("hdlr", 0, 0, mu32(0), []byte(hdlr), make([]byte, 12)),
			mbox("minf", mbox("stbl", stbl...))))
	}
	stsd := mfull("stsd", 0, 0, mu32(1), mbox("mebx", make([]byte, 8)))
	tests := []struct {
		name        string
		in          []byte
		unsupported bool
	}{
		{"no moov", append(ftyp, mbox("mdat", []byte("x"))...), false},
		{"moov size beyond the input", append(append([]byte(nil), good[:moovAt]...), append(mu32(1<<30), good[moovAt+4:]...)...), true},
		{"moov of 4 GiB", append(append(ftyp, 0, 0, 0, 1, 'm', 'o', 'o', 'v'), mu64(1<<32)...), true},
		{"moov size beyond the input, below the limit", append(append([]byte(nil), good[:moovAt]...), append(mu32(1<<20), good[moovAt+4:]...)...), false},
		{"moov larger than maxMoovSize", append(append(ftyp, 0, 0, 0, 1, 'm', 'o', 'o', 'v'), append(mu64(maxMoovSize+100), make([]byte, 64)...)...), true},
		{"child larger than moov", withMoov(mu32(100), []byte("trak")), false},
		{"second moov", append(withMoov(), mbox("moov")...), false},
		{"second ftyp", append(withMoov(), ftyp...), false},
		{"fragmented: mvex", withMoov(mbox("mvex")), true},
		{"fragmented: moof", append(withMoov(), mbox("moof")...), true},
		{"fragmented: sidx", append(withMoov(), mbox("sidx")...), true},
		{"external media", withMoov(mbox("trak", mbox("mdia", mbox("minf", mbox("dinf", mfull("dref", 0, 0, mu32(1), mfull("url ", 0, 0, []byte("http://x/\x00")))))))), true},
		{"stco count beyond its box", withMoov(stblTrack("vide", mfull("stco", 0, 0, mu32(0xffffffff), mu32(0)))), false},
		{"co64 count beyond its box", withMoov(stblTrack("vide", mfull("co64", 0, 0, mu32(0x20000000), mu64(0)))), false},
		{"chunk offset outside mdat", withMoov(stblTrack("vide",
			mfull("stsc", 0, 0, mu32(1), mu32(1), mu32(1), mu32(1)),
			mfull("stsz", 0, 0, mu32(4), mu32(1)),
			mfull("stco", 0, 0, mu32(1), mu32(5)))), true},
		{"metadata stsz count overflows", withMoov(stblTrack("meta", stsd,
			mfull("stsc", 0, 0, mu32(1), mu32(1), mu32(0xffffffff), mu32(1)),
			mfull("stsz", 0, 0, mu32(0), mu32(0xffffffff)),
			mfull("stco", 0, 0, mu32(1), mu32(0)))), false},
		{"metadata stsc count beyond its box", withMoov(stblTrack("meta", stsd,
			mfull("stsc", 0, 0, mu32(0x15555556)),
			mfull("stsz", 0, 0, mu32(4), mu32(1)),
			mfull("stco", 0, 0, mu32(1), mu32(0)))), false},
		{"metadata stsc out of order", withMoov(stblTrack("meta", stsd,
			mfull("stsc", 0, 0, mu32(2), mu32(2), mu32(1), mu32(1), mu32(1), mu32(1), mu32(1)),
			mfull("stsz", 0, 0, mu32(4), mu32(2)),
			mfull("stco", 0, 0, mu32(2), mu32(0), mu32(4)))), false},
		{"metadata samples outside mdat", withMoov(stblTrack("meta", stsd,
			mfull("stsc", 0, 0, mu32(1), mu32(1), mu32(1), mu32(1)),
			mfull("stsz", 0, 0, mu32(4), mu32(1)),
			mfull("stco", 0, 0, mu32(1), mu32(2)))), true},
		{"kept chunk inside metadata samples", func() []byte {
			m := newTestMovie()
			m.moovLast = false
			b, voffs, moffs := m.build()
			// Point the second video chunk at the first metadata sample.
			i := bytes.Index(b, mu32(uint32(voffs[1])))
			copy(b[i:], mu32(uint32(moffs[0])))
			return b
		}(), true},
		{"stz2 field size 5", withMoov(stblTrack("meta", stsd,
			mfull("stsc", 0, 0, mu32(1), mu32(1), mu32(1), mu32(1)),
			mfull("stz2", 0, 0, []byte{0, 0, 0, 5}, mu32(1), []byte{1}),
			mfull("stco", 0, 0, mu32(1), mu32(0)))), false},
		{"box of size 3", append(ftyp, 0, 0, 0, 3, 'm', 'o', 'o', 'v'), false},
		{"first box not a box", []byte("\x00\x00\x00\x10moov\x00\x00\x00\x00\x01\x02\x03\x04"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			_, err := Scrub(&out, bytes.NewReader(tt.in), nil)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FormatError", err)
			}
			if got := errors.Is(err, ErrUnsupportedFeature); got != tt.unsupported {
				t.Errorf("ErrUnsupportedFeature: got %v, want %v (%v)", got, tt.unsupported, err)
			}
			if fe.Format != MP4 && fe.Format != MOV {
				t.Errorf("format %q", fe.Format)
			}
			if _, scanErr := Scan(bytes.NewReader(tt.in)); scanErr == nil {
				t.Errorf("Scan succeeds where Scrub fails with %v", err)
			}
		})
	}
}

// TestVideoAvcCCount checks a sample entry whose 'avcC' (High profile)
// claims more parameter sets than it holds: an error, not a panic (the
// record's reader once read the High profile fields after failing).
func TestVideoAvcCCount(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "video__udta_xmp_faststart.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(in, []byte("avcC"))
	if i < 0 || in[i+5] != 100 {
		t.Fatalf("no High profile 'avcC' in the sample")
	}
	in[i+9] = 0xff // 31 sequence parameter sets
	_, err = Scrub(io.Discard, bytes.NewReader(in), nil)
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want a *FormatError", err)
	}
}

// TestVideoTruncated scrubs every prefix of a small movie: each gives a
// result or an error, never a panic, and a result is clean.
func TestVideoTruncated(t *testing.T) {
	for _, moovLast := range []bool{false, true} {
		m := newTestMovie()
		m.moovLast = moovLast
		in, _, _ := m.build()
		for n := 0; n < len(in); n++ {
			var out bytes.Buffer
			if _, err := Scrub(&out, bytes.NewReader(in[:n]), nil); err == nil {
				checkClean(t, out.Bytes(), nil)
			}
		}
	}
}

// TestVideoAccepted checks layouts that are unusual but valid.
func TestVideoAccepted(t *testing.T) {
	tests := []struct {
		name   string
		modify func(m *testMovie)
	}{
		{"udta and a trailer after the moov", func(m *testMovie) {
			m.after = append(mbox("udta", mbox("\xa9day", []byte{0, 4, 0, 0}, []byte("2024"))), "SEFH\x00\x00garbage"...)
		}},
		{"removed box between mdat and a later one", func(m *testMovie) {
			m.moovLast = false
			m.after = bytes.Join([][]byte{mbox("uuid", make([]byte, 16), []byte("vendor")), mbox("mdat", []byte("second"))}, nil)
		}},
		{"GoPro track", func(m *testMovie) { m.metaType = "gpmd" }},
		{"camm track", func(m *testMovie) { m.metaHdlr, m.metaType = "camm", "camm" }},
		{"no metadata track", func(m *testMovie) { m.meta = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTestMovie()
			tt.modify(m)
			in, voffs, moffs := m.build()
			out, _ := scrubBytes(t, in)
			checkClean(t, out, nil)
			f := parseMovieForTest(t, out)
			for i, off := range f.offsets {
				s := m.video[i]
				if !bytes.Equal(out[off:off+uint64(len(s))], s) {
					t.Errorf("chunk %d at %d does not hold %q", i, off, s)
				}
			}
			_, _ = voffs, moffs
			for _, s := range m.meta {
				if bytes.Contains(out, s) {
					t.Errorf("metadata sample %q survives", s)
				}
			}
		})
	}
}

// TestVideoStreamMemory streams a movie with 64 MiB of media data, index
// last, through a reader that cannot seek: memory stays far below the
// size of the file.
func TestVideoStreamMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const size = 64 << 20
	m := newTestMovie()
	m.meta = nil
	m.video = [][]byte{testVideoSamples[0], bytes.Repeat([]byte{7}, size)}
	in, _, _ := m.build()
	var out countWriter
	got := allocatedBytes(func() {
		if _, err := Scrub(&out, onlyReader{bytes.NewReader(in)}, nil); err != nil {
			t.Fatal(err)
		}
	})
	if got > 1<<20 {
		t.Errorf("%d bytes allocated to stream %d bytes", got, len(in))
	}
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// movSeeds returns small movies for the fuzzer: the test files and hand-built
// ones.
func movSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	for _, path := range sampleFiles(tb, false, MOV, MP4) {
		b, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		if len(b) <= 16<<10 {
			seeds = append(seeds, b)
		}
	}
	for _, moovLast := range []bool{false, true} {
		m := newTestMovie()
		m.moovLast = moovLast
		b, _, _ := m.build()
		seeds = append(seeds, b)
	}
	return seeds
}

func FuzzMOV(f *testing.F) {
	for _, b := range movSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkInvariants(t, data) })
}

// TestVideoScrubFileLarge scrubs movies whose media runs are long enough
// for the kernel to copy them between files (copyFiles), with removed
// samples between them, index first and last.
func TestVideoScrubFileLarge(t *testing.T) {
	big := func(c byte) []byte { return bytes.Repeat([]byte{c}, 3*minFileCopy/2) }
	for _, moovLast := range []bool{false, true} {
		m := newTestMovie()
		m.moovLast = moovLast
		m.video = [][]byte{big('a'), big('b')}
		m.meta = [][]byte{[]byte("FACE-RECTANGLE-1"), []byte("FACE-2")}
		in, _, _ := m.build()
		src := writeTemp(t, "in.mov", in)
		dst := filepath.Join(t.TempDir(), "out.mov")
		if _, err := ScrubFile(dst, src, nil); err != nil {
			t.Fatal(err)
		}
		out, err := os.ReadFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := scrubBytes(t, in) // through the read buffer only
		if !bytes.Equal(out, want) {
			t.Errorf("moov last %v: ScrubFile and Scrub of the bytes differ", moovLast)
		}
		f := parseMovieForTest(t, out)
		for i, off := range f.offsets {
			if !bytes.Equal(out[off:off+uint64(len(m.video[i]))], m.video[i]) {
				t.Errorf("moov last %v: chunk %d moved wrongly", moovLast, i)
			}
		}
		for _, s := range m.meta {
			if bytes.Contains(out, s) {
				t.Errorf("moov last %v: metadata sample %q survives", moovLast, s)
			}
		}
	}
}

// TestVideoICC checks that an ICC profile in a video sample entry's 'colr'
// box is sanitised as a photo's is: its colour stays, its text, dates and
// device go, and the entry's other fields and boxes are copied.
func TestVideoICC(t *testing.T) {
	const marker = "PLANTEDVIDEOICC"
	fields := make([]byte, visualEntryFields)
	fields[7] = 1                 // data_reference_index
	copy(fields[42:], "\x04HEVC") // compressor name
	pasp := mbox("pasp", mu32(1), mu32(1))
	prof := buildICC(4, marker)
	kept := bytes.Clone(fields)
	clear(kept[42:74]) // the compressor name goes
	for _, drop := range []bool{false, true} {
		m := newTestMovie()
		m.entry = bytes.Join([][]byte{fields, mbox("colr", []byte("prof"), prof), pasp}, nil)
		in, _, _ := m.build()
		var out bytes.Buffer
		rep, err := Scrub(&out, bytes.NewReader(in), &Options{DropColorProfile: drop})
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(out.Bytes(), []byte(marker)) {
			t.Errorf("drop=%v: the output holds the marker", drop)
		}
		if !rep.Has(Device, Text, Time) && !drop {
			t.Errorf("the profile's text and dates are not reported: %v", rep.Findings)
		}
		if !rep.Has(Device) {
			t.Errorf("drop=%v: the compressor name is not reported: %v", drop, rep.Findings)
		}
		for _, want := range [][]byte{kept, pasp} {
			if !bytes.Contains(out.Bytes(), want) {
				t.Errorf("drop=%v: the entry lost %q", drop, want[:min(len(want), 8)])
			}
		}
		if got := bytes.Contains(out.Bytes(), []byte("colrprof")); got == drop {
			t.Errorf("drop=%v: colr prof in the output: %v", drop, got)
		}
		checkClean(t, out.Bytes(), nil)
		f := parseMovieForTest(t, out.Bytes())
		for i, off := range f.offsets {
			s := m.video[i]
			if !bytes.Equal(out.Bytes()[off:off+uint64(len(s))], s) {
				t.Errorf("chunk %d at %d does not hold %q", i, off, s)
			}
		}
	}
}

// deepBoxes returns n boxes nested in one another, alternating the types
// in order, built without recursion.
func deepBoxes(n int, types ...string) []byte {
	b := make([]byte, 0, 8*n)
	for i := 0; i < n; i++ {
		b = binary.BigEndian.AppendUint32(b, uint32(8*(n-i)))
		b = append(b, types[i%len(types)]...)
	}
	return b
}

// TestVideoDeepNesting guards the bounded index rebuild: 'stbl' and
// 'minf' boxes nested half a million deep in a track (an 8 MB 'moov')
// took 893 MB and, deeper, overflowed the stack; the allow-list does
// not descend into a box it does not list.
func TestVideoDeepNesting(t *testing.T) {
	for _, where := range []string{"minf", "stbl", "edts", "dinf"} {
		t.Run(where, func(t *testing.T) {
			deep := deepBoxes(1<<20, "stbl", "minf")
			m := newTestMovie()
			var nested []byte
			switch where {
			case "minf", "stbl":
				nested = mbox("trak", mbox("mdia", mbox("minf", mbox(where, deep))))
			default:
				nested = mbox("trak", mbox(where, deep))
			}
			m.moovMore = [][]byte{nested}
			in, _, _ := m.build()
			if len(in) < 8<<20 {
				t.Fatalf("input of %d bytes", len(in))
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var out bytes.Buffer
			rep, err := Scrub(&out, bytes.NewReader(in), nil)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d bytes in, %d bytes allocated", len(in), alloc)
			if alloc > 4*uint64(len(in))+16<<20 {
				t.Errorf("allocated %d bytes for a %d-byte input", alloc, len(in))
			}
			if !rep.Has(Embedded) {
				t.Errorf("the nested boxes are not reported: %v", rep.Findings)
			}
			if out.Len() > len(in)-(8<<20) {
				t.Errorf("output of %d bytes keeps the nesting", out.Len())
			}
			checkClean(t, out.Bytes(), nil)
		})
	}
}
