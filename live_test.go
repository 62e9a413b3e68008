package exifscrub

import (
	"bytes"
	"encoding/binary"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/gainmap"
	"github.com/exifscrub/exifscrub/internal/tiff"
)

// exiftoolTags returns ExifTool's -a -G1 -s output of a file for the tags
// asked, as "Group:Tag=value" lines.
func exiftoolTags(t *testing.T, path string, tags ...string) []string {
	t.Helper()
	need(t, "exiftool")
	args := append([]string{"-a", "-G1", "-s", "-s", "-n", "-f"}, tags...)
	out, err := exec.Command("exiftool", append(args, path)...).Output()
	if err != nil {
		t.Fatalf("exiftool %s: %v", path, err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if g, rest, ok := strings.Cut(l, "]"); ok {
			name, val, _ := strings.Cut(strings.TrimSpace(rest), ":")
			lines = append(lines, strings.TrimPrefix(g, "[")+":"+strings.TrimSpace(name)+"="+strings.TrimSpace(val))
		}
	}
	return lines
}

// contentIDs returns the content identifiers ExifTool reads in a file:
// the Apple MakerNote's and the QuickTime key's.
func contentIDs(t *testing.T, path string) []string {
	t.Helper()
	var ids []string
	// ExifTool 12.57 names the MakerNote's tag 0x0011 MediaGroupUUID.
	for _, l := range exiftoolTags(t, path, "-ContentIdentifier", "-MediaGroupUUID") {
		if _, v, _ := strings.Cut(l, "="); v != "-" {
			ids = append(ids, l)
		}
	}
	return ids
}

const (
	testLiveOriginal = "8A9E5F2C-1B3D-4E6F-A7B8-C9D0E1F2A3B4"
	testLiveNew      = "0F1E2D3C-4B5A-4968-8776-655443322110"
)

// liveMOV returns testdata's iPhone-like MOV with a Live Photo's content
// identifier added by ffmpeg (see testdata/make-live.sh).
func liveMOV(t *testing.T) string {
	t.Helper()
	p := filepath.Join("testdata", "video__live_content_id.mov")
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLiveMOV scrubs the video of a Live Photo: with KeepMotion and
// LiveIdentifier it holds the new identifier and no other key; without,
// no identifier.
func TestLiveMOV(t *testing.T) {
	in := liveMOV(t)
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := contentIDs(t, in); len(got) == 0 {
		t.Fatalf("the test video has no content identifier")
	}
	for _, c := range []struct {
		name string
		opts *Options
		want []string
	}{
		{"default", nil, nil},
		{"keep motion", &Options{KeepMotion: true}, nil},
		{"live", &Options{KeepMotion: true, LiveIdentifier: testLiveNew}, []string{"Keys:ContentIdentifier=" + testLiveNew}},
		{"live, keep all", &Options{KeepMotion: true, LiveIdentifier: testLiveNew, Keep: Keepable()}, []string{"Keys:ContentIdentifier=" + testLiveNew}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			rep, err := Scrub(&out, bytes.NewReader(data), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(out.Bytes(), []byte(testLiveOriginal)) {
				t.Errorf("the original identifier survives")
			}
			if !strings.Contains(strings.Join(findingValues(rep), "\n"), testLiveOriginal) {
				t.Errorf("the original identifier is not reported as removed")
			}
			p := writeTemp(t, "out.mov", out.Bytes())
			if got := contentIDs(t, p); strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("content identifiers %v, want %v", got, c.want)
			}
			if c.opts != nil && c.opts.LiveIdentifier != "" {
				def, _ := scrubBytes(t, data)
				if !samePackets(packetHashes(t, p), packetHashes(t, writeTemp(t, "default.mov", def))) {
					t.Errorf("the packets of the audio and video differ from those of the default scrub")
				}
			}
			if c.opts == nil || c.opts.Keep == nil {
				if bad := leftovers(t, p, regexp.MustCompile(`^(QuickTime|Track\d+|Composite):|^Keys:ContentIdentifier$`)); len(bad) > 0 {
					t.Errorf("the output holds %v", bad)
				}
			}
		})
	}
}

// findingValues returns the values of a report's findings.
func findingValues(rep *Report) []string {
	var vs []string
	for _, f := range rep.Findings {
		vs = append(vs, f.Value)
	}
	return vs
}

// samePackets compares two ffprobe packet lists of the audio and video
// streams (0 and 1): a timed-metadata track that Scrub overwrote is not
// compared.
func samePackets(a, b string) bool {
	keep := func(s string) string {
		var out []string
		for _, p := range strings.Split(s, "[/PACKET]") {
			if strings.Contains(p, "codec_type=video") || strings.Contains(p, "codec_type=audio") {
				out = append(out, p)
			}
		}
		return strings.Join(out, "|")
	}
	return keep(a) == keep(b)
}

// testAppleNote is an Apple MakerNote as iPhones write it, in part: a
// private run time (tag 0x0003, planted), the content identifier, and
// the HDR headroom when hdr.
func testAppleNote(id string, hdr bool) []byte {
	be := binary.BigEndian
	type entry struct {
		tag, typ uint16
		val      []byte
	}
	es := []entry{{0x0003, 7, []byte("PLANTED-RUN-TIME")}, {0x0011, 2, append([]byte(id), 0)}}
	if hdr {
		es = append(es, entry{0x0021, 10, []byte{0, 0, 0x57, 0x23, 0, 0, 0x63, 0x2c}})
	}
	b := be.AppendUint16([]byte("Apple iOS\x00\x00\x01MM"), uint16(len(es)))
	off := len(b) + 12*len(es) + 4
	var values []byte
	for _, e := range es {
		n := len(e.val)
		if e.typ == 10 {
			n = 1
		}
		b = be.AppendUint16(be.AppendUint16(b, e.tag), e.typ)
		b = be.AppendUint32(be.AppendUint32(b, uint32(n)), uint32(off+len(values)))
		values = append(values, e.val...)
	}
	return append(be.AppendUint32(b, 0), values...)
}

// liveHEIC builds the still of a Live Photo from testdata's HEIF: an Exif
// item with a Make and an Apple MakerNote holding the identifier id and,
// when gainMap, an Apple gain map and its headroom. (ExifTool cannot add
// a tag to an Apple MakerNote, only change those it holds.)
func liveHEIC(t *testing.T, id string, gainMap bool) []byte {
	src := loadHEIFSource(t, "heic__samplefilehub.heif")
	mn := testAppleNote(id, gainMap)
	makeTag := tiff.Entry{Tag: 0x010f, Type: 2, Count: 13, Value: []byte("PLANTED-MAKE\x00")}
	exif := tiff.Write(binary.BigEndian, []tiff.Entry{makeTag}, []tiff.Entry{{Tag: tagMakerNote, Type: 7, Count: uint32(len(mn)), Value: mn}}, nil, 1<<20)
	f := basicHEIF(src)
	f.items[1].data = append([]byte{0, 0, 0, 0}, exif...)
	if gainMap {
		f.addAppleGainMap()
	}
	return f.build()
}

// writeLive writes testdata/heic__live_still.heic, the still of the Live
// Photo whose video is testdata/video__live_content_id.mov (the
// command's tests pair them): go test -run TestLiveHEIC -write-live.
var writeLive = flag.Bool("write-live", false, "write testdata/heic__live_still.heic")

// TestLiveHEIC scrubs the still of a Live Photo: with KeepMotion and
// LiveIdentifier its Exif item holds a MakerNote with the new identifier
// (and the headroom its gain map needs) and nothing else of the original;
// without, no identifier. ContentIdentifier reports the original.
func TestLiveHEIC(t *testing.T) {
	if *writeLive {
		if err := os.WriteFile(filepath.Join("testdata", "heic__live_still.heic"), liveHEIC(t, testLiveOriginal, false), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "heic__live_still.heic")); err != nil || !bytes.Equal(b, liveHEIC(t, testLiveOriginal, false)) {
		t.Errorf("testdata/heic__live_still.heic is not what liveHEIC builds (go test -run TestLiveHEIC -write-live): %v", err)
	}
	for _, gainMap := range []bool{false, true} {
		in := liveHEIC(t, testLiveOriginal, gainMap)
		for _, opts := range []*Options{nil, {KeepMotion: true}, {KeepMotion: true, LiveIdentifier: testLiveNew},
			{KeepMotion: true, LiveIdentifier: testLiveNew, Keep: Keepable()}} {
			var out bytes.Buffer
			rep, err := Scrub(&out, bytes.NewReader(in), opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.ContentIdentifier(); got != testLiveOriginal {
				t.Errorf("gain map %v, %+v: ContentIdentifier() = %q, want the original", gainMap, opts, got)
			}
			if bytes.Contains(out.Bytes(), []byte(testLiveOriginal)) || bytes.Contains(out.Bytes(), []byte("PLANTED-RUN-TIME")) {
				t.Errorf("gain map %v, %+v: the original MakerNote survives", gainMap, opts)
			}
			if bytes.Contains(out.Bytes(), []byte("PLANTED-MAKE")) != (opts != nil && opts.Keep != nil) {
				t.Errorf("gain map %v, %+v: the Make is kept: %v", gainMap, opts, !(opts != nil && opts.Keep != nil))
			}
			live := opts != nil && opts.LiveIdentifier != ""
			note := gainmap.AppleHDR{}
			if gainMap {
				note = gainmap.AppleHDR{Headroom: [2]int32{0x5723, 0x632c}, HasHeadroom: true}
			}
			if live {
				note.ContentIdentifier = testLiveNew
			}
			if has := bytes.Contains(out.Bytes(), note.MakerNote()); has != (live || gainMap) {
				t.Errorf("gain map %v, %+v: the MakerNote %+v in the output: %v", gainMap, opts, note, has)
			}
			p := writeTemp(t, "out.heic", out.Bytes())
			var want []string
			if live {
				want = []string{"Apple:MediaGroupUUID=" + testLiveNew}
			}
			if got := contentIDs(t, p); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("gain map %v, %+v: content identifiers %v, want %v", gainMap, opts, got, want)
			}
			if opts == nil || opts.Keep == nil {
				if bad := leftovers(t, p, regexp.MustCompile(`^(QuickTime|Meta):|^Apple:(MediaGroupUUID|HDRHeadroom)$`)); len(bad) > 0 {
					t.Errorf("gain map %v, %+v: the output holds %v", gainMap, opts, bad)
				}
			}
		}
	}
}

// TestLivePair scrubs both files of a Live Photo with one new identifier:
// ExifTool reads the same one in both, not the original.
func TestLivePair(t *testing.T) {
	mov, err := os.ReadFile(liveMOV(t))
	if err != nil {
		t.Fatal(err)
	}
	id := NewLiveIdentifier()
	opts := &Options{KeepMotion: true, LiveIdentifier: id}
	var ids []string
	for _, in := range [][]byte{liveHEIC(t, testLiveOriginal, true), mov} {
		scan, err := Scan(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if scan.ContentIdentifier() != testLiveOriginal {
			t.Fatalf("Scan finds the identifier %q, want %q", scan.ContentIdentifier(), testLiveOriginal)
		}
		var out bytes.Buffer
		if _, err := Scrub(&out, bytes.NewReader(in), opts); err != nil {
			t.Fatal(err)
		}
		got := contentIDs(t, writeTemp(t, "out", out.Bytes()))
		if len(got) != 1 {
			t.Fatalf("content identifiers %v, want one", got)
		}
		_, v, _ := strings.Cut(got[0], "=")
		ids = append(ids, v)
	}
	if ids[0] != ids[1] || ids[0] != id || id == testLiveOriginal {
		t.Errorf("the still has %q, the video %q; want both %q", ids[0], ids[1], id)
	}
}

// withStillTrack returns the MOV b, whose 'moov' is its last box, with a
// still-image-time track added as Apple writes it: a timed-metadata
// track (handler 'meta', sample entry 'mebx' declaring key under local ID
// 1, data type 65, a signed 8-bit integer) with one sample, the item of
// key 1 and value, in an 'mdat' after the 'moov'; extra, when not nil, is
// planted in the sample entry after the key table.
func withStillTrack(t *testing.T, b []byte, key string, value byte, extra []byte) []byte {
	t.Helper()
	var moov bmff.Box
	r := bmff.NewReader(b, 0, true)
	for bx := range r.All() {
		if bx.Type == bmff.BoxMoov {
			moov = bx
		}
	}
	if moov.End() != int64(len(b)) {
		t.Fatal("the 'moov' is not the last box")
	}
	full := func(w *bmff.Writer, typ string, fields ...[]byte) {
		w.StartFull(bmff.FourCC([]byte(typ)), 0, 0)
		for _, f := range fields {
			w.Append(f)
		}
		w.End()
	}
	u32 := func(vs ...uint32) []byte {
		var out []byte
		for _, v := range vs {
			out = binary.BigEndian.AppendUint32(out, v)
		}
		return out
	}
	trak := func(sampleAt uint32) []byte {
		var w bmff.Writer
		w.Start(bmff.FourCC{'t', 'r', 'a', 'k'})
		full(&w, "tkhd", u32(0, 0, 100, 0, 1), make([]byte, 8+8), u32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000), u32(0, 0))
		w.Start(bmff.FourCC{'m', 'd', 'i', 'a'})
		full(&w, "mdhd", u32(0, 0, 600, 1), []byte{0x55, 0xc4, 0, 0})
		w.WriteHdlr(0, bmff.FourCC{'m', 'e', 't', 'a'}, nil)
		w.Start(bmff.FourCC{'m', 'i', 'n', 'f'})
		full(&w, "nmhd")
		w.Start(bmff.FourCC{'d', 'i', 'n', 'f'})
		w.StartFull(bmff.FourCC{'d', 'r', 'e', 'f'}, 0, 0)
		w.U32(1)
		w.StartFull(bmff.FourCC{'u', 'r', 'l', ' '}, 0, 1)
		w.End()
		w.End()
		w.End()
		w.Start(bmff.FourCC{'s', 't', 'b', 'l'})
		w.StartFull(bmff.FourCC{'s', 't', 's', 'd'}, 0, 0)
		w.U32(1)
		w.Start(bmff.FourCC{'m', 'e', 'b', 'x'})
		w.Append([]byte{0, 0, 0, 0, 0, 0, 0, 1})
		w.Start(bmff.FourCC{'k', 'e', 'y', 's'})
		w.Start(bmff.FourCC{0, 0, 0, 1})
		w.Start(bmff.FourCC{'k', 'e', 'y', 'd'})
		w.Append([]byte("mdta" + key))
		w.End()
		w.Start(bmff.FourCC{'d', 't', 'y', 'p'})
		w.Append(u32(0, 65))
		w.End()
		w.End()
		w.End()
		w.Append(extra)
		w.End()
		w.End()
		full(&w, "stts", u32(1, 1, 1))
		full(&w, "stsc", u32(1, 1, 1, 1))
		full(&w, "stsz", u32(9, 1))
		full(&w, "stco", u32(1, sampleAt))
		w.End()
		w.End()
		w.End()
		w.End()
		return w.Bytes()
	}
	size := len(trak(0))
	newMoovLen := len(moov.Payload) + moov.HeaderLen + size
	sampleAt := uint32(int(moov.Offset) + newMoovLen + 8)
	var w bmff.Writer
	w.Start(bmff.BoxMoov)
	w.Append(moov.Payload)
	w.Append(trak(sampleAt))
	w.End()
	w.Start(bmff.BoxMdat)
	w.Append(append(u32(9, 1), value))
	w.End()
	return append(slices.Clone(b[:moov.Offset]), w.Bytes()...)
}

// TestLiveStillImageTime: the still-image-time track of a Live Photo's
// video stays under KeepMotion with a LiveIdentifier, its samples and
// key as they were, and goes otherwise; a track of another key, value or
// with anything more in its sample entry goes.
func TestLiveStillImageTime(t *testing.T) {
	base, err := os.ReadFile(liveMOV(t))
	if err != nil {
		t.Fatal(err)
	}
	live := &Options{KeepMotion: true, LiveIdentifier: testLiveNew}
	for _, c := range []struct {
		name  string
		key   string
		value byte
		extra []byte
		opts  *Options
		kept  bool
	}{
		{"live", keyStillImage, 0xff, nil, live, true},
		{"live, value 0", keyStillImage, 0, nil, live, true},
		{"default", keyStillImage, 0xff, nil, nil, false},
		{"keep motion alone", keyStillImage, 0xff, nil, &Options{KeepMotion: true}, false},
		{"another key", "com.apple.quicktime.location.ISO6709", 0xff, nil, live, false},
		{"another value", keyStillImage, 7, nil, live, false},
		{"planted box", keyStillImage, 0xff, []byte("\x00\x00\x00\x10PLNTPLANTED-BOX!"), live, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := withStillTrack(t, base, c.key, c.value, c.extra)
			var out bytes.Buffer
			if _, err := Scrub(&out, bytes.NewReader(in), c.opts); err != nil {
				t.Fatal(err)
			}
			p := writeTemp(t, "out.mov", out.Bytes())
			got := slices.ContainsFunc(exiftoolTags(t, p, "-ee", "-StillImageTime"), func(l string) bool { return strings.HasSuffix(l, "=-1") || strings.HasSuffix(l, "=0") })
			if got != c.kept {
				t.Errorf("still-image-time in the output: %v, want %v (%v)", got, c.kept, exiftoolTags(t, p, "-ee", "-StillImageTime"))
			}
			if bytes.Contains(out.Bytes(), []byte("PLANTED")) || bytes.Contains(out.Bytes(), []byte("com.apple.quicktime.location")) && c.kept {
				t.Errorf("a planted marker survives")
			}
			if c.kept {
				def, _ := scrubBytes(t, in)
				if !samePackets(packetHashes(t, p), packetHashes(t, writeTemp(t, "default.mov", def))) {
					t.Errorf("the audio and video packets differ from the default scrub's")
				}
			}
		})
	}
}
