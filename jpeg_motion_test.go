package exifscrub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// motionXMP is a Google motion photo's primary XMP: attrs are attributes
// of its rdf:Description, items the rdf:li of its Container:Directory
// ("" for no directory).
func motionXMPPacket(attrs, items string) []byte {
	x := `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description rdf:about="" xmlns:Camera="http://ns.google.com/photos/1.0/camera/" xmlns:Container="http://ns.google.com/photos/1.0/container/" ` +
		`xmlns:Item="http://ns.google.com/photos/1.0/container/item/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" ` + attrs + `>`
	if items != "" {
		x += `<Container:Directory><rdf:Seq>` + items + `</rdf:Seq></Container:Directory>`
	}
	return []byte(x + `</rdf:Description></rdf:RDF></x:xmpmeta>`)
}

// motionItem is an rdf:li of a Container:Directory.
func motionItem(attrs string) string {
	return `<rdf:li rdf:parseType="Resource"><Container:Item ` + attrs + `/></rdf:li>`
}

// testMotionVideo is a small real MP4 with private fields (position,
// make, model, title, artist, creator, times) in its 'udta' and XMP.
func testMotionVideo(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "video__udta_xmp_faststart.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// googleMotionPhoto builds a Google motion photo: a 48x32 JPEG whose XMP
// has attrs and items, then video.
func googleMotionPhoto(t testing.TB, attrs, items string, video []byte) []byte {
	t.Helper()
	jpg := withSegments(encodeTestJPEG(t, 48, 32), segment(markerAPP1, sigXMP, motionXMPPacket(attrs, items)))
	return append(jpg, video...)
}

// scrubKeepMotion scrubs b with KeepMotion and checks what every output
// must be (checkMotionInvariants), and that the report of a scan with the
// same options is Scrub's.
func scrubKeepMotion(t *testing.T, b []byte) ([]byte, *Report) {
	t.Helper()
	checkMotionInvariants(t, b)
	opts := &Options{KeepMotion: true}
	var out bytes.Buffer
	rep, err := Scrub(&out, bytes.NewReader(b), opts)
	if err != nil {
		t.Fatalf("Scrub: %v", err)
	}
	scan, err := Scrub(io.Discard, bytes.NewReader(b), opts)
	if err != nil || !slices.Equal(scan.Findings, rep.Findings) || !slices.Equal(scan.Kept, rep.Kept) {
		t.Errorf("a scan with KeepMotion reports %v %v %v, Scrub %v %v", scan.Findings, scan.Kept, err, rep.Findings, rep.Kept)
	}
	return out.Bytes(), rep
}

// scrubVideo scrubs a video alone, as KeepMotion must scrub it.
func scrubVideo(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if _, err := Scrub(&out, bytes.NewReader(b), &Options{KeepMotion: true}); err != nil {
		t.Fatalf("Scrub of the video alone: %v", err)
	}
	return out.Bytes()
}

// keptVideoFinding returns the Kept MotionVideo finding's value.
func keptVideoFinding(rep *Report) string {
	for _, f := range rep.Kept {
		if f.Container == "JPEG" && f.Tag == "MotionVideo" {
			return f.Value
		}
	}
	return ""
}

// ffprobePackets returns a video's packets as ffprobe lists them, without
// their positions: stream, times, size, flags and a hash of the data.
func ffprobePackets(t *testing.T, path string) []string {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_packets", "-show_data_hash", "sha256", "-of", "compact", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var pk []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Split(l, "|")
		pk = append(pk, strings.Join(slices.DeleteFunc(fields, func(f string) bool { return strings.HasPrefix(f, "pos=") }), "|"))
	}
	return pk
}

// comparePackets checks that the packets of the kept video are those of
// the original, but for a metadata track's, which goes, and the packets
// whose user-data SEI the video scrubber blanks (same size and times).
func comparePackets(t *testing.T, orig, kept []string, changed int) {
	t.Helper()
	var data []string
	for _, p := range orig {
		if !strings.Contains(p, "codec_type=data") {
			data = append(data, p)
		}
	}
	if len(data) != len(kept) {
		t.Fatalf("%d packets of video and sound, %d kept", len(data), len(kept))
	}
	unhashed := func(p string) string { s, _, _ := strings.Cut(p, "|data_hash="); return s }
	n := 0
	for i := range kept {
		if kept[i] == data[i] {
			continue
		}
		n++
		if unhashed(kept[i]) != unhashed(data[i]) {
			t.Errorf("packet %d: got %s, want %s", i, kept[i], data[i])
		}
	}
	if n != changed {
		t.Errorf("%d packets changed, want %d (those with user-data SEI)", n, changed)
	}
}

// privateVideoTags returns what ExifTool (-ee) reads in a video that
// would give its owner away: times that are not zero, positions, devices,
// software, names and titles.
func privateVideoTags(t *testing.T, path string) []string {
	t.Helper()
	out, err := exec.Command("exiftool", "-j", "-G1", "-a", "-ee", path).Output()
	if err != nil {
		t.Fatalf("exiftool %s: %v", path, err)
	}
	var m []map[string]any
	if err := json.Unmarshal(out, &m); err != nil || len(m) != 1 {
		t.Fatalf("exiftool %s: %v", path, err)
	}
	isDate := func(s string) bool { return len(s) >= 19 && s[4] == ':' && s[7] == ':' && s[10] == ' ' && s[13] == ':' }
	isPrivate := func(k string) bool {
		k = strings.ToLower(k)
		for _, w := range []string{"gps", "location", "make", "model", "encoder", "software", "artist", "creator", "author", "title", "serial", "handlerdescription", "handlername", "samsung", "compressorname", "xmp"} {
			if strings.Contains(k, w) {
				return true
			}
		}
		return false
	}
	var bad []string
	for k, v := range m[0] {
		group, _, _ := strings.Cut(k, ":")
		if group == "System" || group == "ExifTool" || group == "File" || k == "SourceFile" {
			continue
		}
		s := fmt.Sprint(v)
		if isPrivate(k) && s != "" || isDate(s) && !strings.HasPrefix(s, "0000:00:00 00:00:00") {
			bad = append(bad, k+"="+s)
		}
	}
	slices.Sort(bad)
	return bad
}

// xmpStruct returns ExifTool's -struct reading of a file's XMP.
func xmpStruct(t *testing.T, path string) map[string]any {
	t.Helper()
	out, err := exec.Command("exiftool", "-j", "-struct", "-XMP:all", path).Output()
	if err != nil {
		t.Fatalf("exiftool %s: %v", path, err)
	}
	var m []map[string]any
	if err := json.Unmarshal(out, &m); err != nil || len(m) != 1 {
		t.Fatalf("exiftool %s: %v", path, err)
	}
	return m[0]
}

// directoryItems returns the items of ExifTool's reading of a
// Container:Directory as "Semantic Mime Length" strings.
func directoryItems(x map[string]any) []string {
	var items []string
	dir, _ := x["Directory"].([]any)
	for _, li := range dir {
		it, _ := li.(map[string]any)["Item"].(map[string]any)
		s := fmt.Sprint(it["Semantic"], " ", it["Mime"])
		if l, ok := it["Length"]; ok {
			s += fmt.Sprint(" ", l)
		}
		items = append(items, s)
	}
	return items
}

// TestMotionPhotoKeep checks a Google motion photo scrubbed with
// KeepMotion: the video is the video scrubbed alone, after the image;
// the new XMP holds the motion-photo fields with the offsets of the new
// file, and nothing else; nothing planted in the XMP or the video stays.
func TestMotionPhotoKeep(t *testing.T) {
	video := testMotionVideo(t)
	clean := scrubVideo(t, video)
	attrs := fmt.Sprintf(`Camera:MotionPhoto="1" Camera:MotionPhotoVersion="1" Camera:MotionPhotoPresentationTimestampUs="33000" `+
		`Camera:MicroVideo="1" Camera:MicroVideoVersion="1" Camera:MicroVideoOffset="%d" Camera:MicroVideoPresentationTimestampUs="33000" `+
		`Camera:HdrPlusMakernote="PLANTED-MAKERNOTE" xmp:CreatorTool="PLANTED-TOOL"`, len(video))
	items := motionItem(`Item:Semantic="Primary" Item:Mime="image/jpeg" Item:Padding="0"`) +
		motionItem(fmt.Sprintf(`Item:Semantic="MotionPhoto" Item:Mime="video/mp4" Item:Length="%d" Item:URI="PLANTED-URI"`, len(video)))
	in := googleMotionPhoto(t, attrs, items, video)
	out, rep := scrubKeepMotion(t, in)
	if !bytes.HasSuffix(out, clean) || out[len(out)-len(clean)-1] != markerEOI {
		t.Fatalf("the output does not end with the image's EOI and the video scrubbed alone")
	}
	for _, m := range []string{"PLANTED", "Alice Example", "beach", "Pixel 8", "Google", "37.42"} {
		if bytes.Contains(out, []byte(m)) {
			t.Errorf("%q is still in the output", m)
		}
	}
	if v := keptVideoFinding(rep); v != "(motion video, 4 KB, 1.0 s, scrubbed)" {
		t.Errorf("Kept MotionVideo = %q (%v)", v, rep.Kept)
	}
	keys := findingKeys(rep)
	for _, k := range []string{"location MotionPhoto QuickTime UserData LocationInformation", "identity MotionPhoto XMP dc:creator", "time MotionPhoto QuickTime mvhd CreationTime", "other XMP GCamera:HdrPlusMakernote"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("no finding %q in %v", k, rep.Findings)
		}
	}
	for _, k := range []string{"embedded JPEG MotionVideo", "other XMP GCamera:MotionPhoto", "other XMP GCamera:MicroVideoOffset"} {
		if _, ok := keys[k]; ok {
			t.Errorf("%q kept, but reported as removed: %v", k, rep.Findings)
		}
	}
	sameJPEGPixels(t, out[:len(out)-len(clean)], in)

	need(t, "exiftool")
	path := writeTemp(t, "motion.jpg", out)
	x := xmpStruct(t, path)
	n := float64(len(clean))
	want := map[string]any{"SourceFile": path, "MotionPhoto": 1.0, "MotionPhotoVersion": 1.0, "MotionPhotoPresentationTimestampUs": 33000.0,
		"MicroVideo": 1.0, "MicroVideoVersion": 1.0, "MicroVideoOffset": n, "MicroVideoPresentationTimestampUs": 33000.0}
	for k, v := range want {
		if x[k] != v {
			t.Errorf("XMP %s = %v, want %v", k, x[k], v)
		}
	}
	if items := directoryItems(x); !slices.Equal(items, []string{"Primary image/jpeg", fmt.Sprintf("MotionPhoto video/mp4 %d", len(clean))}) {
		t.Errorf("Container:Directory = %q", items)
	}
	if len(x) != len(want)+1 {
		t.Errorf("the XMP holds more than the motion-photo fields: %v", x)
	}

	need(t, "ffprobe")
	vpath := writeTemp(t, "video.mp4", out[len(out)-int(x["MicroVideoOffset"].(float64)):])
	orig := writeTemp(t, "orig.mp4", video)
	if bad := privateVideoTags(t, orig); len(bad) < 5 {
		t.Errorf("privateVideoTags finds only %v in the original video", bad)
	}
	comparePackets(t, ffprobePackets(t, orig), ffprobePackets(t, vpath), 1)
	if bad := privateVideoTags(t, vpath); len(bad) > 0 {
		t.Errorf("ExifTool reads in the kept video: %v", bad)
	}
}

// TestMotionPhotoKeepNot checks the motion photos whose video is removed
// even with KeepMotion, with the reason in the finding, and that without
// KeepMotion the video goes as before.
func TestMotionPhotoKeepNot(t *testing.T) {
	video := testMotionVideo(t)
	good := `Camera:MotionPhoto="1" Camera:MotionPhotoVersion="1"`
	for _, tt := range []struct {
		name, attrs string
		video       []byte
		opts        *Options
		why         string
	}{
		{"default", good, video, nil, "(motion video, 7 KB, 1.0 s)"},
		{"no motion-photo field", `Camera:MotionPhotoVersion="1"`, video, &Options{KeepMotion: true}, "the primary's XMP does not say it is a motion photo"},
		{"not a number", `Camera:MotionPhoto="yes"`, video, &Options{KeepMotion: true}, "does not say it is a motion photo"},
		{"not a motion photo", `Camera:MotionPhoto="0" Camera:MicroVideo="2"`, video, &Options{KeepMotion: true}, "does not say it is a motion photo"},
		{"video cut short", good, video[:len(video)/2], &Options{KeepMotion: true}, "not kept: not a video Scrub can rebuild"},
		{"not a video", good, append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 64)...), &Options{KeepMotion: true}, "not kept:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := googleMotionPhoto(t, tt.attrs, "", tt.video)
			var out bytes.Buffer
			rep, err := Scrub(&out, bytes.NewReader(in), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(out.Bytes(), []byte("ftyp")) || bytes.Contains(out.Bytes(), []byte("Camera")) {
				t.Errorf("the video or the motion-photo XMP is still in the output")
			}
			if v := findingKeys(rep)["embedded JPEG MotionVideo"]; !strings.Contains(v, tt.why) {
				t.Errorf("MotionVideo = %q, want it to say %q", v, tt.why)
			}
			if len(rep.Kept) > 0 {
				t.Errorf("Kept %v", rep.Kept)
			}
		})
	}
}

// TestMotionPhotoKeepGainMap checks a photo with both a gain map and a
// motion video: one Container:Directory lists the three in file order,
// the MPF index still finds the gain map, hdrgm:Version stays.
func TestMotionPhotoKeepGainMap(t *testing.T) {
	video := testMotionVideo(t)
	clean := scrubVideo(t, video)
	in, _ := buildGainMapJPEG(t, gainMapCase{gmW: 12, gmH: 8, gmXMP: testGainMapXMP, afterGainMap: video,
		motionAttrs: fmt.Sprintf(` GCamera:MotionPhoto="1" GCamera:MotionPhotoVersion="1" GCamera:MotionPhotoPresentationTimestampUs="-1" GCamera:MicroVideo="1" GCamera:MicroVideoOffset="%d"`, len(video)),
		motionItem:  motionItem(fmt.Sprintf(`Item:Semantic="MotionPhoto" Item:Mime="video/mp4" Item:Length="%d" Item:Padding="0"`, len(video)))})
	out, rep := scrubKeepMotion(t, in)
	if !bytes.HasSuffix(out, clean) {
		t.Fatalf("the output does not end with the video scrubbed alone")
	}
	if bytes.Contains(out, []byte("PLANTED")) {
		t.Errorf("a planted marker is still in the output")
	}
	if _, ok := findingKeys(rep)["embedded MPF MPImage2"]; ok {
		t.Errorf("the gain map was removed: %v", rep.Findings)
	}
	need(t, "exiftool")
	path := writeTemp(t, "both.jpg", out)
	x := xmpStruct(t, path)
	f := gainMapFields(t, path, "-MPF:all")
	gmLen := fmt.Sprint(f["MPImage2:MPImageLength"])
	if items, want := directoryItems(x), []string{"Primary image/jpeg", "GainMap image/jpeg " + gmLen, fmt.Sprintf("MotionPhoto video/mp4 %d", len(clean))}; !slices.Equal(items, want) {
		t.Errorf("Container:Directory = %q, want %q", items, want)
	}
	if fmt.Sprint(x["Version"]) != "1" || x["MotionPhoto"] != 1.0 || x["MotionPhotoPresentationTimestampUs"] != -1.0 || x["MicroVideoOffset"] != float64(len(clean)) {
		t.Errorf("XMP %v", x)
	}
	start := fmt.Sprint(f["MPImage2:MPImageStart"])
	var s, l int
	fmt.Sscan(start, &s)
	fmt.Sscan(gmLen, &l)
	// ExifTool gives MPImageStart as a file offset.
	if s+l != len(out)-len(clean) || out[s] != 0xff || out[s+1] != markerSOI {
		t.Errorf("the gain map at %d, %d bytes, does not end where the video starts (%d)", s, l, len(out)-len(clean))
	}
}

// TestMotionPhotoKeepPhoneCorpus checks the real Google motion photo.
func TestMotionPhotoKeepPhoneCorpus(t *testing.T) {
	dir := phoneCorpusDir(t)
	in, err := os.ReadFile(filepath.Join(dir, "libmphoto__motion_photo.jpeg"))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(in, []byte("ftypisom")) - 4
	video := in[i:]
	clean := scrubVideo(t, video)
	out, rep := scrubKeepMotion(t, in)
	if !bytes.HasSuffix(out, clean) {
		t.Fatalf("the output does not end with the video scrubbed alone")
	}
	if v := keptVideoFinding(rep); v != "(motion video, 122 KB, 3.1 s, scrubbed)" {
		t.Errorf("Kept MotionVideo = %q", v)
	}
	if _, ok := findingKeys(rep)["embedded MotionPhoto QuickTime TimedMetadataTrack"]; !ok {
		t.Errorf("the motion-photo metadata track is not reported as removed: %v", rep.Findings)
	}
	sameJPEGPixels(t, out[:len(out)-len(clean)], in)
	need(t, "exiftool")
	need(t, "ffprobe")
	path := writeTemp(t, "motion.jpg", out)
	x := xmpStruct(t, path)
	if items := directoryItems(x); !slices.Equal(items, []string{"Primary image/jpeg", fmt.Sprintf("MotionPhoto video/mp4 %d", len(clean))}) {
		t.Errorf("Container:Directory = %q", items)
	}
	if x["MotionPhoto"] != 1.0 || x["MotionPhotoVersion"] != 1.0 || x["MotionPhotoPresentationTimestampUs"] != 500000.0 {
		t.Errorf("XMP %v", x)
	}
	vpath := writeTemp(t, "video.mp4", out[len(out)-len(clean):])
	// Two video tracks' first packets hold x264's user-data SEI.
	comparePackets(t, ffprobePackets(t, writeTemp(t, "orig.mp4", video)), ffprobePackets(t, vpath), 2)
	if bad := privateVideoTags(t, vpath); len(bad) > 0 {
		t.Errorf("ExifTool reads in the kept video: %v", bad)
	}
}

// TestMotionPhotoKeepSamsung checks the Samsung motion photo of
// testdata: the new SEF trailer holds only the scrubbed video, which
// ExifTool finds and ffprobe plays.
func TestMotionPhotoKeepSamsung(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "samsung__sef_motion.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	video := testMotionVideo(t)
	if !bytes.Contains(in, video) {
		t.Fatal("testdata/samsung__sef_motion.jpg does not hold testdata's MP4: rebuild it (make-samsung.sh)")
	}
	clean := scrubVideo(t, video)
	out, rep := scrubKeepMotion(t, in)
	if !bytes.Contains(out, append([]byte("MotionPhoto_Data"), clean...)) {
		t.Fatalf("the output does not hold the video scrubbed alone after MotionPhoto_Data")
	}
	for _, m := range []string{"Image_UTC_Data", "1717269243000", "Alice Example", "beach", "37.42"} {
		if bytes.Contains(out, []byte(m)) {
			t.Errorf("%q is still in the output", m)
		}
	}
	if _, ok := findingKeys(rep)["embedded Trailer SamsungTrailer"]; !ok {
		t.Errorf("the rest of the SEF trailer is not reported: %v", rep.Findings)
	}
	if v := findingKeys(rep)["time Samsung TimeStamp"]; v != "2024-06-01 19:14:03.000 UTC" {
		t.Errorf("Samsung TimeStamp = %q (%v)", v, rep.Findings)
	}
	need(t, "exiftool")
	path := writeTemp(t, "samsung.jpg", out)
	f := gainMapFields(t, path, "-Samsung:all")
	if f["Samsung:EmbeddedVideoType"] != "MotionPhoto_Data" || f["Samsung:TimeStamp"] != nil {
		t.Errorf("ExifTool reads the trailer as %v", f)
	}
	got, err := exec.Command("exiftool", "-b", "-EmbeddedVideoFile", path).Output()
	if err != nil || !bytes.Equal(got, clean) {
		t.Fatalf("ExifTool's EmbeddedVideoFile is %d bytes (%v), want the %d of the scrubbed video", len(got), err, len(clean))
	}
	need(t, "ffprobe")
	vpath := writeTemp(t, "video.mp4", got)
	comparePackets(t, ffprobePackets(t, writeTemp(t, "orig.mp4", video)), ffprobePackets(t, vpath), 1)
	if bad := privateVideoTags(t, vpath); len(bad) > 0 {
		t.Errorf("ExifTool reads in the kept video: %v", bad)
	}
}
