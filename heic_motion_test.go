package exifscrub

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/motion"
)

// topBoxes returns the top-level boxes of a HEIF file.
func topBoxes(t testing.TB, b []byte) map[bmff.FourCC]bmff.Box {
	t.Helper()
	m := make(map[bmff.FourCC]bmff.Box)
	r := bmff.NewReader(b, 0, true)
	for bx := range r.All() {
		m[bx.Type] = bx
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	return m
}

// packetHashes returns ffprobe's packets of a video with their data
// hashes, without their positions in the file.
func packetHashes(t *testing.T, path string) string {
	t.Helper()
	need(t, "ffprobe")
	out, err := exec.Command("ffprobe", "-v", "error", "-show_packets", "-show_data_hash", "sha256", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	return regexp.MustCompile(`(?m)^pos=.*\n`).ReplaceAllString(string(out), "")
}

// checkMotionBoxes checks the 'mpvd' and 'sefd' boxes of a HEIF scrubbed
// with KeepMotion: the SEF trailer holds one record, which points at the
// video.
func checkMotionBoxes(t *testing.T, out []byte) []byte {
	t.Helper()
	boxes := topBoxes(t, out)
	mpvd, ok := boxes[boxMpvd]
	if !ok {
		t.Fatal("no 'mpvd' box in the output")
	}
	sef, err := motion.ParseSEF(boxes[boxSefd].Payload)
	if err != nil {
		t.Fatalf("'sefd': %v", err)
	}
	recs := sef.Records
	if len(recs) != 1 || recs[0].Name != "MotionPhoto_Data" {
		t.Fatalf("'sefd' holds %+v, %v; want one MotionPhoto_Data record", recs, err)
	}
	off, n, ok := motion.HEIFVideo(recs[0].Data)
	if !ok || int64(off) != mpvd.PayloadOffset() || int(n) != len(mpvd.Payload) {
		t.Errorf("MotionPhoto_Data points at %d+%d, the video is at %d+%d", off, n, mpvd.PayloadOffset(), len(mpvd.Payload))
	}
	return mpvd.Payload
}

// TestHEIFSamsungMotion scrubs a Galaxy S22 HEIC motion photo: by default
// the video goes, reported with its own metadata; with KeepMotion it stays
// scrubbed, its packets those of the original, in an 'mpvd' box that the
// rebuilt SEF record points at.
func TestHEIFSamsungMotion(t *testing.T) {
	in := filepath.Join(phoneCorpusDir(t), "immich__samsung-one-ui-6.heic")
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	orig := writeTemp(t, "orig.mp4", topBoxes(t, data)[boxMpvd].Payload)

	out, rep := scrubBytes(t, data)
	if !slices.Contains(rep.Findings, Finding{Category: Embedded, Container: "HEIF", Tag: "MotionVideo", Value: "(motion video, 3.2 MB, 3.1 s)"}) {
		t.Errorf("no MotionVideo finding: %v", rep.Findings)
	}
	for _, want := range []Finding{
		{Category: Time, Container: "MotionPhoto QuickTime mvhd", Tag: "CreationTime", Value: "2024-01-13 05:38:55 UTC"},
		{Category: Time, Container: "HEIF sefd", Tag: "TimeStamp", Value: "2024-01-13 05:38:53.853 UTC"},
		{Category: Location, Container: "HEIF sefd", Tag: "MCC_Data", Value: "mobile country code 310"},
	} {
		if !slices.Contains(rep.Findings, want) {
			t.Errorf("%v not reported", want)
		}
	}
	if !slices.ContainsFunc(rep.Findings, func(f Finding) bool {
		return f.Category == Device && f.Container == "MotionPhoto QuickTime UserData" && f.Tag == "SamsungModel"
	}) {
		t.Errorf("the video's SamsungModel is not reported")
	}
	if b := topBoxes(t, out); b[boxMpvd].Payload != nil || b[boxSefd].Payload != nil {
		t.Errorf("the default output keeps the motion boxes")
	}

	for _, opts := range []*Options{{KeepMotion: true}, {KeepMotion: true, Keep: Keepable()}} {
		var kept bytes.Buffer
		krep, err := Scrub(&kept, bytes.NewReader(data), opts)
		if err != nil {
			t.Fatal(err)
		}
		video := checkMotionBoxes(t, kept.Bytes())
		listed := krep.Findings
		if opts.Keep != nil {
			listed = krep.Kept
		}
		if !slices.ContainsFunc(listed, func(f Finding) bool { return f.Container == "MotionPhoto QuickTime mvhd" }) {
			t.Errorf("%+v: the video's times are not listed", opts)
		}
		if slices.ContainsFunc(krep.Findings, func(f Finding) bool { return f.Tag == "MotionVideo" }) {
			t.Errorf("%+v: the kept video is reported as removed", opts)
		}
		if opts.Keep != nil {
			continue // the video keeps its times: checked above that it plays
		}
		mp4 := writeTemp(t, "kept.mp4", video)
		if got, want := packetHashes(t, mp4), packetHashes(t, orig); got != want {
			t.Errorf("the kept video's packets differ from the original's")
		}
		if bad := leftovers(t, mp4, regexp.MustCompile(`^(QuickTime|Track\d+|Composite):`)); len(bad) > 0 {
			t.Errorf("the kept video holds %v", bad)
		}
		if bad := privateVideoTags(t, mp4); len(bad) > 0 {
			t.Errorf("the kept video holds %v", bad)
		}
		p := writeTemp(t, "kept.heic", kept.Bytes())
		sameHEIFPixels(t, in, p)
		if bad := leftovers(t, p, regexp.MustCompile(`^(QuickTime|Meta):|^Samsung:EmbeddedVideo(Type|File)$`)); len(bad) > 0 {
			t.Errorf("the kept photo holds %v", bad)
		}
		checkKeptMotion(t, kept.Bytes(), opts)
	}
}

// checkKeptMotion checks the invariants of a motion photo scrubbed with
// KeepMotion: Scan finds the video and the record that points at it,
// nothing else, and scrubbing again with opts removes nothing and changes
// no byte.
func checkKeptMotion(t *testing.T, out []byte, opts *Options) {
	t.Helper()
	rep, err := Scan(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("Scan of the output: %v", err)
	}
	for _, f := range rep.Findings {
		if f.Tag != "MotionVideo" && f.Tag != "MotionPhoto_Data" {
			t.Errorf("Scan of the output reports %v", f)
		}
	}
	var again bytes.Buffer
	rep, err = Scrub(&again, bytes.NewReader(out), opts)
	if err != nil {
		t.Fatalf("Scrub of the output: %v", err)
	}
	if len(rep.Findings) > 0 {
		t.Errorf("scrubbing again removes %v", rep.Findings)
	}
	if !bytes.Equal(again.Bytes(), out) {
		t.Errorf("scrubbing twice differs from scrubbing once (%d vs %d bytes)", again.Len(), len(out))
	}
}

// TestHEIFMotionPlanted plants markers in the SEF records and around the
// video of a motion photo: none survives, the video is kept only when it
// can be scrubbed, and a damaged one is removed and reported.
func TestHEIFMotionPlanted(t *testing.T) {
	src := loadHEIFSource(t, "heic__samplefilehub.heif")
	video, err := os.ReadFile(filepath.Join("testdata", "video__udta_xmp_faststart.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	box := func(typ string, p []byte) []byte {
		var w bmff.Writer
		w.Start(bmff.FourCC([]byte(typ)))
		w.Append(p)
		w.End()
		return w.Bytes()
	}
	sef := motion.AppendSEF(nil, 107, []motion.Record{
		{Type: motion.SEFCaptureTime, Name: "Image_UTC_Data", Data: []byte("1705124333853")},
		{Type: 0x0001, Name: "DualShot_1", Data: []byte("PLANTED-SEF-IMAGE" + strings.Repeat("x", 100))},
		{Type: motion.SEFMotionPhoto, Name: "MotionPhoto_Data", Data: []byte("mpv2PLANTED!")},
	})
	planted := append(slices.Clone(video), box("uuid", []byte("PLANTED-MP4-UUID-PLANTED-MP4-UUID"))...)
	for _, c := range []struct {
		name  string
		video []byte
		kept  bool
	}{
		{"video", planted, true},
		{"damaged video", append(slices.Clone(planted[:len(planted)/2]), "PLANTED-CUT"...), false},
		{"not a video", []byte("PLANTED-NOT-A-VIDEO"), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := basicHEIF(src)
			in := append(append(f.build(), box("mpvd", c.video)...), box("sefd", sef)...)
			for _, opts := range []*Options{nil, {KeepMotion: true}} {
				var out bytes.Buffer
				rep, err := Scrub(&out, bytes.NewReader(in), opts)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(out.Bytes(), []byte("PLANTED")) || bytes.Contains(out.Bytes(), []byte("1705124333853")) {
					t.Errorf("%+v: a planted marker survives", opts)
				}
				for _, tag := range []string{"TimeStamp", "DualShot_1"} {
					if !slices.ContainsFunc(rep.Findings, func(f Finding) bool { return f.Tag == tag }) {
						t.Errorf("%+v: %s not reported", opts, tag)
					}
				}
				removed := slices.ContainsFunc(rep.Findings, func(f Finding) bool { return f.Tag == "MotionVideo" })
				_, has := topBoxes(t, out.Bytes())[boxMpvd]
				if keep := opts != nil && c.kept; has != keep || removed == keep {
					t.Errorf("%+v: video in the output %v, reported removed %v", opts, has, removed)
				}
				if has {
					checkMotionBoxes(t, out.Bytes())
					checkKeptMotion(t, out.Bytes(), opts)
				}
			}
		})
	}
}
