package motion

import (
	"os"
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
