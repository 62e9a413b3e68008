package motion

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	mp4 := "\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08mdat"
	sef := "\x00\x00\x30\x0aMotionPhoto_Data" + mp4 + "SEFH\x6b\x00\x00\x00\x01\x00\x00\x00"
	for _, c := range []struct {
		name       string
		b          string
		start, end int
		samsung    bool
	}{
		{"Google", mp4, 0, len(mp4), false},
		{"Samsung", sef, 20, 20 + len(mp4), true},
		{"Samsung, no directory", sef[:20+len(mp4)], 20, 20 + len(mp4), true},
		{"Samsung, cut in the name", sef[:19], -1, -1, false},
		{"directory name before the video", "SEFH" + sef[:20+len(mp4)], 24, 24 + len(mp4), true},
		{"name too far in", string(make([]byte, 60)) + sef, -1, -1, false},
		{"name near the end of the head", string(make([]byte, 48)) + sef[4:], 64, 64 + len(mp4), true},
		{"other trailer", "\x00\x00\x00\x18fytpmp42", -1, -1, false},
		{"short", "\x00\x00\x00\x18fty", -1, -1, false},
		{"empty", "", -1, -1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			start, end, samsung := Find([]byte(c.b))
			if start != c.start || end != c.end || samsung != c.samsung {
				t.Errorf("got %d, %d, %v; want %d, %d, %v", start, end, samsung, c.start, c.end, c.samsung)
			}
		})
	}
}

func FuzzFind(f *testing.F) {
	if b, err := os.ReadFile("../../testdata/video__udta_xmp_faststart.mp4"); err == nil {
		f.Add(b[:min(len(b), 4096)])
		f.Add(append(append([]byte("\x00\x00\x30\x0aMotionPhoto_Data"), b[:min(len(b), 4096)]...), "\x00\x00\x30\x0aSEFH\x01\x00\x00\x00"...))
	}
	f.Add([]byte("MotionPhoto_DataSEFH"))
	f.Fuzz(func(t *testing.T, b []byte) {
		start, end, samsung := Find(b)
		switch {
		case start < 0:
			if end != -1 || samsung {
				t.Fatalf("no video, but end %d, samsung %v", end, samsung)
			}
		case start > end || end > len(b):
			t.Fatalf("video at %d..%d of %d bytes", start, end, len(b))
		case !samsung && (start != 0 || end != len(b)):
			t.Fatalf("a Google video at %d..%d of %d bytes", start, end, len(b))
		case samsung && start > headSize:
			t.Fatalf("a Samsung video starts at %d", start)
		}
	})
}

func TestParseXMP(t *testing.T) {
	packet := func(attrs string) []byte {
		return []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
			`<rdf:Description rdf:about="" xmlns:GCamera="` + NamespaceGCamera + `" ` + attrs + `/></rdf:RDF></x:xmpmeta>`)
	}
	for _, tt := range []struct {
		name, attrs string
		fromEnd     int64
		want        string // the props, "" for nil
	}{
		{"motion photo", `GCamera:MotionPhoto="1" GCamera:MotionPhotoVersion=" 1 " GCamera:MotionPhotoPresentationTimestampUs="-1"`, 9,
			"GCamera:MotionPhoto=1 GCamera:MotionPhotoVersion=1 GCamera:MotionPhotoPresentationTimestampUs=-1"},
		{"micro video, offset recomputed", `GCamera:MicroVideo="1" GCamera:MicroVideoVersion="1" GCamera:MicroVideoOffset="123"`, 9,
			"GCamera:MicroVideo=1 GCamera:MicroVideoVersion=1 GCamera:MicroVideoOffset=9"},
		{"micro video without its offset", `GCamera:MicroVideo="1"`, 42, "GCamera:MicroVideo=1 GCamera:MicroVideoOffset=42"},
		{"both", `GCamera:MotionPhoto="1" GCamera:MicroVideo="1" GCamera:MicroVideoPresentationTimestampUs="5"`, 7,
			"GCamera:MotionPhoto=1 GCamera:MicroVideo=1 GCamera:MicroVideoOffset=7 GCamera:MicroVideoPresentationTimestampUs=5"},
		{"micro video fields of a motion photo", `GCamera:MotionPhoto="1" GCamera:MicroVideo="0" GCamera:MicroVideoOffset="4"`, 7, "GCamera:MotionPhoto=1"},
		{"values that are not integers go", `GCamera:MotionPhoto="1" GCamera:MotionPhotoVersion="1.0" GCamera:MotionPhotoPresentationTimestampUs="PLANTED"`, 7, "GCamera:MotionPhoto=1"},
		{"out of range", `GCamera:MotionPhoto="1" GCamera:MotionPhotoPresentationTimestampUs="-2"`, 7, "GCamera:MotionPhoto=1"},
		{"not a motion photo", `GCamera:MotionPhoto="0" GCamera:MotionPhotoVersion="1"`, 7, ""},
		{"a flag not 0 or 1", `GCamera:MotionPhoto="2"`, 7, ""},
		{"nothing", ``, 7, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := ParseXMP(packet(tt.attrs))
			if (f == nil) != (tt.want == "") {
				t.Fatalf("ParseXMP = %v, want props %q", f, tt.want)
			}
			if f == nil {
				return
			}
			var got []string
			for _, p := range f.Props(tt.fromEnd) {
				got = append(got, p[0]+"="+p[1])
			}
			if s := strings.Join(got, " "); s != tt.want {
				t.Errorf("Props = %q, want %q", s, tt.want)
			}
		})
	}
	if ParseXMP([]byte("<not xmp")) != nil {
		t.Error("ParseXMP of a broken packet is not nil")
	}
}

// FuzzXMP reads motion-photo XMP: no panic, and the properties written
// are GCamera names with decimal integers.
func FuzzXMP(f *testing.F) {
	f.Add([]byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:GCamera="` +
		NamespaceGCamera + `" GCamera:MotionPhoto="1" GCamera:MicroVideo="1" GCamera:MicroVideoOffset="3"/></rdf:RDF></x:xmpmeta>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fields := ParseXMP(b)
		if fields == nil {
			return
		}
		for _, p := range fields.Props(12) {
			if _, err := strconv.ParseInt(p[1], 10, 64); err != nil || !strings.HasPrefix(p[0], "GCamera:") {
				t.Fatalf("property %q=%q", p[0], p[1])
			}
		}
	})
}
