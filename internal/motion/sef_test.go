package motion

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// galaxyS22 is the 'sefd' payload of a Galaxy S22 HEIC motion photo
// (immich-app/test-assets, formats/motionphoto/samsung-one-ui-6.heic).
const galaxyS22 = "\x00\x00\x01\x0a\x0e\x00\x00\x00Image_UTC_Data1705124333853" +
	"\x00\x00\xa1\x0a\x08\x00\x00\x00MCC_Data310" +
	"\x00\x00\x61\x0c\x18\x00\x00\x00Camera_Capture_Mode_Info1" +
	"\x00\x00\x30\x0a\x10\x00\x00\x00MotionPhoto_Datampv2\x00\x06\xe6\xbc\x00\x31\x3b\x65" +
	"SEFH\x6b\x00\x00\x00\x04\x00\x00\x00" +
	"\x00\x00\x01\x0a\x7b\x00\x00\x00\x23\x00\x00\x00" +
	"\x00\x00\xa1\x0a\x58\x00\x00\x00\x13\x00\x00\x00" +
	"\x00\x00\x61\x0c\x45\x00\x00\x00\x21\x00\x00\x00" +
	"\x00\x00\x30\x0a\x24\x00\x00\x00\x24\x00\x00\x00" +
	"\x3c\x00\x00\x00SEFT"

func TestParseSEF(t *testing.T) {
	sef, err := ParseSEF([]byte(galaxyS22))
	if err != nil {
		t.Fatal(err)
	}
	recs := sef.Records
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{SEFCaptureTime, "Image_UTC_Data", []byte("1705124333853"), 22},
		{SEFCountryCode, "MCC_Data", []byte("310"), 51},
		{0x0c61, "Camera_Capture_Mode_Info", []byte("1"), 86},
		{SEFMotionPhoto, "MotionPhoto_Data", []byte("mpv2\x00\x06\xe6\xbc\x00\x31\x3b\x65"), 111},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d", len(recs), len(want))
	}
	for i, r := range recs {
		if r.Type != want[i].Type || r.Name != want[i].Name || !bytes.Equal(r.Data, want[i].Data) || r.At != want[i].At {
			t.Errorf("record %d: got %#x %q %q, want %#x %q %q", i, r.Type, r.Name, r.Data, want[i].Type, want[i].Name, want[i].Data)
		}
	}
	if got := AppendSEF(nil, sef.Version, want); string(got) != galaxyS22 {
		t.Errorf("AppendSEF:\n got %q\nwant %q", got, galaxyS22)
	}
	off, n, ok := HEIFVideo(recs[3].Data)
	if !ok || off != 452284 || n != 3226469 {
		t.Errorf("HEIFVideo: got %d, %d, %v; want 452284, 3226469, true", off, n, ok)
	}
	if got := AppendHEIFVideo(nil, off, n); !bytes.Equal(got, recs[3].Data) {
		t.Errorf("AppendHEIFVideo: got %q, want %q", got, recs[3].Data)
	}
}

func TestParseSEFInvalid(t *testing.T) {
	b := []byte(galaxyS22)
	dir := bytes.Index(b, []byte("SEFH"))
	set := func(at int, v ...byte) []byte {
		c := bytes.Clone(b)
		copy(c[at:], v)
		return c
	}
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"no footer", b[:len(b)-1]},
		{"directory longer than the trailer", set(len(b)-8, 0xff, 0xff, 0, 0)},
		{"directory too short", set(len(b)-8, 8, 0, 0, 0)},
		{"no header", set(dir, 'X')},
		{"count and length disagree", set(dir+8, 5)},
		{"entry before the trailer", set(dir+12+4, 0xff, 0xff, 0, 0)},
		{"entry larger than its distance", set(dir+12+8, 0x7c)},
		{"entry shorter than a header", set(dir+12+8, 7)},
		{"name longer than the record", set(4, 0x20)},
		{"only the directory", b[dir:]},
	} {
		t.Run(c.name, func(t *testing.T) {
			var e *SEFError
			if s, err := ParseSEF(c.b); !errors.As(err, &e) {
				t.Errorf("got %+v, %v; want a SEFError", s, err)
			}
		})
	}
	if _, _, ok := HEIFVideo([]byte("mpv3\x00\x00\x00\x00\x00\x00\x00\x00")); ok {
		t.Error("HEIFVideo read a record without mpv2")
	}
}

// FuzzParseSEF checks that ParseSEF never reads outside its input, that
// what it reads AppendSEF writes again in a form it reads back the same.
func FuzzParseSEF(f *testing.F) {
	f.Add([]byte(galaxyS22))
	f.Add(AppendSEF(nil, 0, nil))
	f.Add(AppendSEF([]byte("before"), 106, []Record{{Type: SEFMotionPhoto, Name: "MotionPhoto_Data", Data: AppendHEIFVideo(nil, 1, 2)}}))
	f.Add(AppendVideoSEF(nil, 101, []byte("\x00\x00\x00\x08ftyp")))
	if b, err := os.ReadFile("../../testdata/samsung__sef_motion.jpg"); err == nil {
		if i := bytes.Index(b, []byte("Image_UTC_Data")); i >= 8 {
			f.Add(b[i-8:]) // the trailer, from its first record
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sef, err := ParseSEF(b)
		if err != nil {
			var e *SEFError
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(b) {
				t.Fatalf("error %v names no offset in the input", err)
			}
			return
		}
		recs := sef.Records
		for _, r := range recs {
			if r.At < 0 || r.At+len(r.Data) > len(b) || !bytes.Equal(b[r.At:r.At+len(r.Data)], r.Data) {
				t.Fatalf("record %q at %d is not where it says", r.Name, r.At)
			}
		}
		s2, err := ParseSEF(AppendSEF(nil, sef.Version, recs))
		want := sef.Version
		if want < 100 || want > 199 {
			want = sefVersion
		}
		if err != nil || s2.Version != want {
			t.Fatalf("what AppendSEF wrote does not parse the same: %+v, %v", s2, err)
		}
		again := s2.Records
		if len(again) != len(recs) {
			t.Fatalf("got %d records back, want %d", len(again), len(recs))
		}
		for i := range recs {
			if again[i].Type != recs[i].Type || again[i].Name != recs[i].Name || !bytes.Equal(again[i].Data, recs[i].Data) {
				t.Fatalf("record %d changed in a round trip", i)
			}
		}
	})
}

// TestVideoSEF checks the trailer of a JPEG motion photo kept: its one
// record holds the video, SEFTail bytes before its end, under the
// version given (or 107).
func TestVideoSEF(t *testing.T) {
	video := []byte("\x00\x00\x00\x10ftypmp42\x00\x00\x00\x00")
	for _, c := range []struct{ in, want uint32 }{{101, 101}, {5, 107}, {0, 107}} {
		b := AppendVideoSEF([]byte("JUNK"), c.in, video)
		sef, err := ParseSEF(b[4:])
		if err != nil || sef.Version != c.want {
			t.Fatalf("version %d: %+v, %v", c.in, sef, err)
		}
		if len(b)-4 != VideoSEFLen(len(video)) {
			t.Errorf("version %d: %d bytes, VideoSEFLen says %d", c.in, len(b)-4, VideoSEFLen(len(video)))
		}
		v, ok := sef.Video()
		if !ok || !bytes.Equal(v.Data, video) || v.At+4 != len(b)-SEFTail-len(video) {
			t.Errorf("version %d: video %+v, %v; want it %d bytes before the end", c.in, v, ok, SEFTail)
		}
	}
	sef, _ := ParseSEF([]byte(galaxyS22))
	if v, ok := sef.Video(); !ok || v.At != 111 {
		t.Errorf("Galaxy S22 video record: %+v, %v", v, ok)
	}
}
