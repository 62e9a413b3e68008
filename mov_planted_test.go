package exifscrub

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// decodedmd5 returns ffmpeg's checksum of every decoded video frame (and
// every audio packet, copied): what a viewer sees, where neutralised SEI
// makes the packets differ.
func decodedmd5(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-map", "0:v?", "-map", "0:a?", "-c:a", "copy", "-f", "framemd5", "-").Output()
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
		t.Fatalf("ffmpeg %s: no frames", path)
	}
	return strings.Join(lines, "\n")
}

// neutralised reports whether a scrub rewrote units in coded samples.
func neutralised(rep *Report) bool {
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.Tag, "Sample") {
			return true
		}
	}
	return false
}

// The planted-marker suite for videos: a marker and a position planted in
// a place where a video can carry them, in MOV and MP4, with the index
// first and last. For each: Scan of the planted input reports something
// check fails on that the clean input does not have; the scrubbed output
// holds no marker (raw bytes, UTF-16) and scans clean; its packets are
// those of the input, or, where SEI was neutralised, its decoded frames.
// A new place is one more row of videoPlants.

// videoMarker is planted with a position, as telemetry would be.
const videoMarker = "PLANTEDVIDEOMARKER +48.8584+002.2945/"

// A videoVariant is a clean input: a codec, a container, an index place.
type videoVariant struct {
	codec     string // "h264", "hevc"
	format    string // "mov", "mp4"
	moovFirst bool
}

func (v videoVariant) String() string {
	place := "moov last"
	if v.moovFirst {
		place = "moov first"
	}
	return v.codec + " " + v.format + " " + place
}

// muxFlags are ffmpeg's flags for the variant's container and index place.
func (v videoVariant) muxFlags() []string {
	f := []string{"-fflags", "+bitexact", "-map_metadata", "-1", "-f", v.format}
	if v.moovFirst {
		f = append(f, "-movflags", "+faststart")
	}
	return f
}

// A videoPlant plants the marker in a clean input.
type videoPlant struct {
	name    string
	codecs  []string // the codecs it applies to; nil for all
	decoded bool     // the plant is in coded samples: compare decoded frames, not packets
	plant   func(t *testing.T, v videoVariant, clean []byte) []byte
}

var videoPlants = []videoPlant{
	{"SEI user data, ffmpeg h264_metadata", []string{"h264"}, true, func(t *testing.T, v videoVariant, clean []byte) []byte {
		in := writeTemp(t, "clean."+v.format, clean)
		args := append([]string{"-i", in, "-map", "0", "-c", "copy", "-bsf:v",
			"h264_metadata=sei_user_data=086f3693b7b34f2c965321492feee5b8+" + videoMarker}, v.muxFlags()...)
		return ffmpegBytes(t, args...)
	}},
	{"SEI user data, hand-built prefix SEI", []string{"hevc", "h264"}, true, func(t *testing.T, v videoVariant, clean []byte) []byte {
		return plantSEI(t, v, clean)
	}},
	{"bytes before the first chunk", nil, false, func(t *testing.T, v videoVariant, clean []byte) []byte {
		return insertInMdat(t, clean, func(start, _ int64, _ []int64) int64 { return start }, []byte(videoMarker))
	}},
	{"bytes between chunks", nil, false, func(t *testing.T, v videoVariant, clean []byte) []byte {
		return insertInMdat(t, clean, func(start, _ int64, chunks []int64) int64 {
			for _, c := range chunks {
				if c > start {
					return c
				}
			}
			t.Fatal("one chunk only")
			return 0
		}, []byte(videoMarker))
	}},
	{"bytes after the last chunk", nil, false, func(t *testing.T, v videoVariant, clean []byte) []byte {
		return insertInMdat(t, clean, func(_, end int64, _ []int64) int64 { return end }, []byte(videoMarker))
	}},
}

// ffmpegBytes runs ffmpeg with args, whose last must be a format (-f),
// and returns what it writes: to a file, as the MOV muxer needs to seek.
func ffmpegBytes(t *testing.T, args ...string) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command("ffmpeg", append(append([]string{"-v", "error", "-y"}, args...), path)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, stderr.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cleanVideo makes the clean input of a variant from testdata's H.264
// video: without SEI (filter_units removes x264's settings) or encoded
// again with x265 without its info SEI.
func cleanVideo(t *testing.T, v videoVariant) []byte {
	src := "testdata/video__udta_xmp_faststart.mp4"
	var args []string
	switch v.codec {
	case "h264":
		args = []string{"-i", src, "-map", "0", "-c", "copy", "-bsf:v", "filter_units=remove_types=6"}
	case "hevc":
		args = []string{"-i", src, "-map", "0", "-c:a", "copy", "-c:v", "libx265", "-x265-params", "info=0:log-level=none", "-tag:v", "hvc1"}
	}
	return ffmpegBytes(t, append(args, v.muxFlags()...)...)
}

// plantSEI plants a prefix SEI NAL unit with the marker as user data
// before the first slice of every picture: the video as an elementary
// stream, edited, muxed again with the audio.
func plantSEI(t *testing.T, v videoVariant, clean []byte) []byte {
	in := writeTemp(t, "clean."+v.format, clean)
	es := ffmpegBytes(t, "-i", in, "-map", "0:v", "-c", "copy", "-bsf:v", v.codec+"_mp4toannexb", "-f", v.codec)
	payload := append([]byte{0x08, 0x6f, 0x36, 0x93, 0xb7, 0xb3, 0x4f, 0x2c, 0x96, 0x53, 0x21, 0x49, 0x2f, 0xee, 0xe5, 0xb8}, videoMarker...)
	// A recovery point message first, which stays: the unit is mixed.
	msgs := []byte{6, 1, 0x84} // recovery_frame_cnt 0, exact_match 0, broken_link 0 (ue(v) 0 = '1', then bits)
	msgs = append(msgs, 5, byte(len(payload)))
	msgs = append(append(msgs, payload...), 0x80)
	var seiNAL []byte
	var firstSlice func(u []byte) bool
	if v.codec == "hevc" {
		seiNAL = append([]byte{39 << 1, 1}, msgs...)
		firstSlice = func(u []byte) bool { return len(u) > 2 && u[0]>>1&0x3f < 32 && u[2]&0x80 != 0 }
	} else {
		seiNAL = append([]byte{6}, msgs...)
		// first_mb_in_slice ue(v) 0 is a leading '1' bit.
		firstSlice = func(u []byte) bool { t := u[0] & 0x1f; return len(u) > 1 && (t == 1 || t == 5) && u[1]&0x80 != 0 }
	}
	var out []byte
	units := bytes.Split(es, []byte{0, 0, 1})
	for i, u := range units {
		if i == 0 {
			out = append(out, u...)
			continue
		}
		u = bytes.TrimSuffix(u, []byte{0}) // a 4-byte start code's leading zero
		if firstSlice(u) {
			out = append(append(out, 0, 0, 0, 1), seiNAL...)
		}
		out = append(append(out, 0, 0, 0, 1), u...)
	}
	esPath := writeTemp(t, "planted."+v.codec, out)
	args := append([]string{"-r", "10", "-f", v.codec, "-i", esPath, "-i", in, "-map", "0:v", "-map", "1:a", "-c", "copy"}, v.muxFlags()...)
	if v.codec == "hevc" {
		args = append(args, "-tag:v", "hvc1")
	}
	b := ffmpegBytes(t, args...)
	if !bytes.Contains(b, []byte(videoMarker)) {
		t.Fatal("the SEI was not planted")
	}
	return b
}

// insertInMdat inserts data in the 'mdat' box of b at the offset where
// picks (from the start and end of its payload and the chunk offsets),
// growing the box and moving the chunk offsets at or after it.
func insertInMdat(t *testing.T, b []byte, where func(start, end int64, chunks []int64) int64, data []byte) []byte {
	t.Helper()
	var mdat, moov [2]int64 // start, end of each box
	for pos := int64(0); pos+8 <= int64(len(b)); {
		size := int64(binary.BigEndian.Uint32(b[pos:]))
		if size < 8 {
			t.Fatalf("box of size %d at %d", size, pos)
		}
		switch string(b[pos+4 : pos+8]) {
		case "mdat":
			mdat = [2]int64{pos, pos + size}
		case "moov":
			moov = [2]int64{pos, pos + size}
		}
		pos += size
	}
	var offsets []int64 // positions of the 'stco' entries in b
	var walk func(from, to int64)
	walk = func(from, to int64) {
		for pos := from; pos+8 <= to; {
			size := int64(binary.BigEndian.Uint32(b[pos:]))
			typ := string(b[pos+4 : pos+8])
			switch typ {
			case "moov", "trak", "mdia", "minf", "stbl":
				walk(pos+8, pos+size)
			case "stco":
				n := int64(binary.BigEndian.Uint32(b[pos+12:]))
				for i := int64(0); i < n; i++ {
					offsets = append(offsets, pos+16+4*i)
				}
			case "co64":
				t.Fatal("co64 not handled")
			}
			pos += size
		}
	}
	walk(moov[0], moov[1])
	var chunks []int64
	for _, o := range offsets {
		chunks = append(chunks, int64(binary.BigEndian.Uint32(b[o:])))
	}
	sort.Slice(chunks, func(i, j int) bool { return chunks[i] < chunks[j] })
	at := where(mdat[0]+8, mdat[1], chunks)
	out := append(append(append([]byte(nil), b[:at]...), data...), b[at:]...)
	binary.BigEndian.PutUint32(out[mdat[0]:], uint32(mdat[1]-mdat[0]+int64(len(data))))
	for _, o := range offsets {
		if o >= at {
			o += int64(len(data)) // the moov follows the insertion
		}
		if v := int64(binary.BigEndian.Uint32(out[o:])); v >= at {
			binary.BigEndian.PutUint32(out[o:], uint32(v+int64(len(data))))
		}
	}
	return out
}

// failing returns the findings of rep that check fails on, as strings.
func failing(rep *Report) map[string]bool {
	m := make(map[string]bool)
	for _, f := range rep.Findings {
		if f.Category != Other {
			m[string(f.Category)+" "+f.Container+" "+f.Tag] = true
		}
	}
	return m
}

func TestVideoPlanted(t *testing.T) {
	need(t, "ffmpeg")
	var variants []videoVariant
	for _, codec := range []string{"h264", "hevc"} {
		for _, format := range []string{"mov", "mp4"} {
			for _, first := range []bool{false, true} {
				variants = append(variants, videoVariant{codec, format, first})
			}
		}
	}
	for _, v := range variants {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			clean := cleanVideo(t, v)
			base, err := Scan(bytes.NewReader(clean))
			if err != nil {
				t.Fatalf("Scan of the clean input: %v", err)
			}
			had := failing(base)
			for _, p := range videoPlants {
				if p.codecs != nil && !slices.Contains(p.codecs, v.codec) {
					continue
				}
				t.Run(p.name, func(t *testing.T) {
					in := p.plant(t, v, clean)
					if !bytes.Contains(in, []byte(videoMarker)) {
						t.Fatal("the marker was not planted")
					}
					rep, err := Scan(bytes.NewReader(in))
					if err != nil {
						t.Fatalf("Scan: %v", err)
					}
					found := false
					for k := range failing(rep) {
						found = found || !had[k]
					}
					if !found {
						t.Errorf("check passes the planted input: %v", rep.Findings)
					}
					out, _ := scrubBytes(t, in)
					for _, form := range markerForms {
						if bytes.Contains(out, form.encode(videoMarker)) {
							t.Errorf("the marker survives (%s)", form.name)
						}
					}
					checkClean(t, out, nil)
					inPath, outPath := writeTemp(t, "in."+v.format, in), writeTemp(t, "out."+v.format, out)
					if p.decoded {
						if a, b := decodedmd5(t, inPath), decodedmd5(t, outPath); a != b {
							t.Errorf("decoded frames changed:\n%s\nvs\n%s", a, b)
						}
					} else if a, b := framemd5(t, inPath), framemd5(t, outPath); a != b {
						t.Errorf("packets changed:\n%s\nvs\n%s", a, b)
					}
				})
			}
		})
	}
}

// TestVideoSubtitlePositions: ffmpeg muxes a drone-style subtitle track
// (mov_text, the cues a DJI aircraft writes) beside the video; the
// position in its cues is reported, and neither the default policy nor
// Keep Text without Location lets the cues through.
func TestVideoSubtitlePositions(t *testing.T) {
	need(t, "ffmpeg")
	srt := filepath.Join(t.TempDir(), "flight.srt")
	cues := "1\n00:00:00,000 --> 00:00:01,000\nF/2.8, SS 1000, ISO 100 [latitude: 22.547620] [longitude: 113.943520] [rel_alt: 1.300]\n\n" +
		"2\n00:00:01,000 --> 00:00:02,000\nGPS(113.9436,22.5477,12M)\n\n"
	if err := os.WriteFile(srt, []byte(cues), 0o644); err != nil {
		t.Fatal(err)
	}
	in := ffmpegBytes(t, "-i", "testdata/video__udta_xmp_faststart.mp4", "-i", srt, "-map", "0:v", "-map", "1", "-c:v", "copy", "-c:s", "mov_text", "-t", "2", "-f", "mp4")
	for _, keep := range [][]Category{nil, {Text}} {
		var out bytes.Buffer
		rep, err := Scrub(&out, bytes.NewReader(in), &Options{Keep: keep})
		if err != nil {
			t.Fatal(err)
		}
		if lat, lon, ok := rep.Location(); !ok || lat != 22.54762 || lon != 113.94352 {
			t.Errorf("keep %v: Location() = %v, %v, %v (%v)", keep, lat, lon, ok, rep.Findings)
		}
		for _, s := range []string{"latitude", "GPS(", "113.94"} {
			if bytes.Contains(out.Bytes(), []byte(s)) {
				t.Errorf("keep %v: %q survives", keep, s)
			}
		}
	}
}

// TestVideoIods: the object descriptor box ffmpeg writes with -skip_iods 0
// is rebuilt from its fields, not reported; one with a URL (text that
// points elsewhere) goes and is reported.
func TestVideoIods(t *testing.T) {
	need(t, "ffmpeg")
	in := ffmpegBytes(t, "-i", "testdata/video__udta_xmp_faststart.mp4", "-c", "copy", "-skip_iods", "0", "-f", "mp4")
	ffmpegIods, _ := hex.DecodeString("00000018" + "696f6473" + "00000000" + "10" + "80808007" + "004f" + "fffffefeff")
	i := bytes.Index(in, ffmpegIods)
	if i < 0 {
		t.Fatalf("no 'iods' box as ffmpeg writes it in %d bytes", len(in))
	}
	withURL := bytes.Clone(in)
	copy(withURL[i+17:], []byte("\x00\x6f\x04PLNT")) // URL_Flag, a 4-byte URL: the same length
	for _, tc := range []struct {
		name     string
		in       []byte
		reported bool
	}{{"ffmpeg's", in, false}, {"with a URL", withURL, true}} {
		var out bytes.Buffer
		rep, err := Scrub(&out, bytes.NewReader(tc.in), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		reported := false
		for _, f := range rep.Findings {
			reported = reported || strings.Contains(f.Value, "'iods'")
		}
		if reported != tc.reported || bytes.Contains(out.Bytes(), []byte("iods")) == tc.reported {
			t.Errorf("%s 'iods' box: reported %v, kept %v (%v)", tc.name, reported, !tc.reported, rep.Findings)
		}
		if bytes.Contains(out.Bytes(), []byte("PLNT")) {
			t.Errorf("%s: the URL survives", tc.name)
		}
	}
}
