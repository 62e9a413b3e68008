package exifscrub

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/tiff"
)

// TestJPEGAppleHeadroom scrubs an iPhone HDR JPEG: the primary keeps an
// Apple MakerNote with only HDRHeadroom and HDRGain, of the input's
// values, and the gain map stays. (This sample's gain map is of version
// 2, with its headroom in its XMP: the MakerNote is decided when the MPF
// index is read, before the gain map, so a version 1 map is treated the
// same way.)
func TestJPEGAppleHeadroom(t *testing.T) {
	in := filepath.Join(phoneCorpusDir(t), "libavif__apple_gainmap_new.jpg")
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []*Options{nil, {Keep: Keepable()}, {KeepMotion: true, LiveIdentifier: testLiveNew}} {
		var out bytes.Buffer
		if _, err := Scrub(&out, bytes.NewReader(data), opts); err != nil {
			t.Fatal(err)
		}
		p := writeTemp(t, "out.jpg", out.Bytes())
		want := exiftoolTags(t, in, "-Apple:HDRHeadroom", "-Apple:HDRGain")
		if opts != nil && opts.LiveIdentifier != "" {
			want = append([]string{"Apple:MediaGroupUUID=" + testLiveNew}, want...)
		}
		if got := exiftoolTags(t, p, "-Apple:all"); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%+v: Apple MakerNote %v, want %v", opts, got, want)
		}
		gm, err := exec.Command("exiftool", "-b", "-MPImage2", in).Output()
		if err != nil {
			t.Fatal(err)
		}
		sameJPEGPixels(t, gm, mpImage2(t, out.Bytes()))
		sameJPEGPixels(t, data, out.Bytes())
		if opts == nil {
			if bad := leftovers(t, p, regexp.MustCompile(`^(Apple:HDR(Headroom|Gain)|MPF0:.*|MPImage\d:.*|XMP-(HDRGainMap|apdi):.*|Composite:.*|ExifIFD:MakerNote.*)$`)); len(bad) > 0 {
				t.Errorf("the output holds %v", bad)
			}
		}
	}
}

// liveJPEG returns testdata's Canon JPEG with its EXIF replaced by one
// holding a Make and an Apple MakerNote with the identifier id.
func liveJPEG(t *testing.T, id string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "pillow__hopper_orientation_5.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	mn := testAppleNote(id, true)
	makeTag := tiff.Entry{Tag: 0x010f, Type: 2, Count: 13, Value: []byte("PLANTED-MAKE\x00")}
	orient := tiff.Entry{Tag: 0x0112, Type: 3, Count: 1, Value: []byte{0, 5}}
	exif := tiff.Write(binary.BigEndian, []tiff.Entry{makeTag, orient}, []tiff.Entry{{Tag: tagMakerNote, Type: 7, Count: uint32(len(mn)), Value: mn}}, nil, 1<<20)
	seg := jpegSegment(markerAPP1, append([]byte("Exif\x00\x00"), exif...))
	// After SOI, in place of every APP1 of the input.
	out := append([]byte{0xff, 0xd8}, seg...)
	for at := 2; at+4 <= len(b); {
		n := int(binary.BigEndian.Uint16(b[at+2:]))
		if b[at+1] == markerSOS || at+2+n > len(b) {
			return append(out, b[at:]...)
		}
		if b[at+1] != markerAPP1 {
			out = append(out, b[at:at+2+n]...)
		}
		at += 2 + n
	}
	t.Fatal("no scan in the test JPEG")
	return nil
}

// TestLiveJPEG scrubs the JPEG still of a Live Photo: the new identifier,
// with the orientation, and no headroom without a gain map; nothing of it
// without LiveIdentifier.
func TestLiveJPEG(t *testing.T) {
	in := liveJPEG(t, testLiveOriginal)
	for _, opts := range []*Options{nil, {KeepMotion: true}, {KeepMotion: true, LiveIdentifier: testLiveNew}, {KeepMotion: true, LiveIdentifier: testLiveNew, Keep: Keepable()}} {
		var out bytes.Buffer
		rep, err := Scrub(&out, bytes.NewReader(in), opts)
		if err != nil {
			t.Fatal(err)
		}
		if rep.ContentIdentifier() != testLiveOriginal {
			t.Errorf("%+v: ContentIdentifier() = %q", opts, rep.ContentIdentifier())
		}
		if bytes.Contains(out.Bytes(), []byte(testLiveOriginal)) || bytes.Contains(out.Bytes(), []byte("PLANTED-RUN-TIME")) {
			t.Errorf("%+v: the original MakerNote survives", opts)
		}
		p := writeTemp(t, "out.jpg", out.Bytes())
		var want []string
		if opts != nil && opts.LiveIdentifier != "" {
			want = []string{"Apple:MediaGroupUUID=" + testLiveNew}
		}
		if got := exiftoolTags(t, p, "-Apple:all"); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%+v: Apple MakerNote %v, want %v", opts, got, want)
		}
		if got := exiftoolTags(t, p, "-Orientation"); strings.Join(got, ",") != "IFD0:Orientation=5" {
			t.Errorf("%+v: orientation %v", opts, got)
		}
		sameJPEGPixels(t, in, out.Bytes())
	}
}
