package motion

import (
	"bytes"
	"encoding/binary"
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

func TestSEF(t *testing.T) {
	video := []byte("\x00\x00\x00\x10ftypmp42\x00\x00\x00\x00")
	one, start := AppendSEF([]byte("JUNK"), video, 107)
	if !bytes.Equal(one[start:start+len(video)], video) {
		t.Fatalf("AppendSEF puts the video at %d of % x", start, one)
	}
	s, err := ParseSEF(one[4:])
	if err != nil || s.Start != start-4 || s.End != start-4+len(video) || s.Version != 107 || len(s.Records) != 0 {
		t.Fatalf("ParseSEF(AppendSEF) = %+v, %v", s, err)
	}
	if again, _ := AppendSEF(nil, video, 5); !bytes.Equal(again[len(again)-32:len(again)-24], []byte("SEFH\x6a\x00\x00\x00")) {
		t.Errorf("version 5 written as % x, want 106", again[len(again)-28:len(again)-24])
	}
	// Two records, the video second, as testdata/make-samsung.sh writes.
	rec := func(typ uint16, name, data string) []byte {
		b := binary.LittleEndian.AppendUint16(nil, 0)
		b = binary.LittleEndian.AppendUint16(b, typ)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(name)))
		return append(append(b, name...), data...)
	}
	r1, r2 := rec(0x0a01, "Image_UTC_Data", "1717269243000"), rec(0x0a30, "MotionPhoto_Data", string(video))
	dir := func(count uint32, entries ...[3]uint32) []byte {
		d := append([]byte("SEFH"), 106, 0, 0, 0)
		d = binary.LittleEndian.AppendUint32(d, count)
		for _, e := range entries {
			d = binary.LittleEndian.AppendUint16(d, 0)
			d = binary.LittleEndian.AppendUint16(d, uint16(e[0]))
			d = binary.LittleEndian.AppendUint32(d, e[1])
			d = binary.LittleEndian.AppendUint32(d, e[2])
		}
		d = binary.LittleEndian.AppendUint32(d, uint32(len(d)))
		return append(d, "SEFT"...)
	}
	body := append(append([]byte(nil), r1...), r2...)
	n1, n2 := uint32(len(r1)), uint32(len(r2))
	trailer := func(d []byte) []byte { return append(append([]byte(nil), body...), d...) }
	good := [][3]uint32{{0x0a01, n1 + n2, n1}, {0x0a30, n2, n2}}
	for _, tt := range []struct {
		name  string
		b     []byte
		start int
		error string
	}{
		{"two records", trailer(dir(2, good...)), len(r1) + 24, ""},
		{"no footer", body, 0, "no \"SEFT\""},
		{"short", []byte("SEFT"), 0, "no \"SEFT\""},
		{"directory longer than the trailer", append(append([]byte(nil), body[:4]...), "\xff\x00\x00\x00SEFT"...), 0, "length is not in the trailer"},
		{"no SEFH", append([]byte("XXXX\x6a\x00\x00\x00\x00\x00\x00\x00"), "\x0c\x00\x00\x00SEFT"...), 0, "no \"SEFH\""},
		{"too many entries", trailer(dir(9, good...)), 0, "do not fit"},
		{"record before the trailer", trailer(dir(2, [3]uint32{0x0a01, n1 + n2 + 1, n1}, good[1])), 0, "record is not in the trailer"},
		{"record larger than its room", trailer(dir(2, good[0], [3]uint32{0x0a30, n2, n2 + 1})), 0, "record is not in the trailer"},
		{"entry to another record", trailer(dir(2, good[0], [3]uint32{0x0a30, n1 + n2, n1})), 0, "does not point to a record of that name"},
		{"no video record", trailer(dir(1, good[0])), 0, "lists no MotionPhoto_Data"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSEF(tt.b)
			if tt.error != "" {
				if err == nil || !strings.Contains(err.Error(), tt.error) || !strings.HasPrefix(err.Error(), "offset ") {
					t.Fatalf("got %+v, %v; want an error saying %q", s, err, tt.error)
				}
				return
			}
			if err != nil || s.Start != tt.start || !bytes.Equal(tt.b[s.Start:s.End], video) || len(s.Records) != 1 ||
				s.Records[0].Type != TypeUTC || string(s.Records[0].Name) != "Image_UTC_Data" || string(s.Records[0].Data) != "1717269243000" {
				t.Fatalf("got %+v, %v; want the video at %d", s, err, tt.start)
			}
		})
	}
}

// FuzzSEF reads Samsung trailers: no panic, a video inside the trailer,
// and what AppendSEF writes of it reads back to the same video.
func FuzzSEF(f *testing.F) {
	if b, err := os.ReadFile("../../testdata/samsung__sef_motion.jpg"); err == nil {
		if i := bytes.Index(b, []byte("Image_UTC_Data")); i >= 8 {
			f.Add(b[i-8:]) // the trailer, from its first record
		}
	}
	t, _ := AppendSEF(nil, []byte("\x00\x00\x00\x08ftyp"), 106)
	f.Add(t)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSEF(b)
		if err != nil {
			return
		}
		if s.Start < 0 || s.Start > s.End || s.End > len(b) {
			t.Fatalf("video at %d..%d of %d bytes", s.Start, s.End, len(b))
		}
		out, start := AppendSEF(nil, b[s.Start:s.End], s.Version)
		s2, err := ParseSEF(out)
		if err != nil || s2.Start != start || !bytes.Equal(out[s2.Start:s2.End], b[s.Start:s.End]) {
			t.Fatalf("AppendSEF's trailer reads as %+v, %v", s2, err)
		}
	})
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
