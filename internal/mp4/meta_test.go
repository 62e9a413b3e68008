package mp4

import (
	"bytes"
	"testing"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

func TestDataValue(t *testing.T) {
	data := func(typ byte, v ...byte) []byte { return append([]byte{0, 0, 0, typ, 0, 0, 0, 0}, v...) }
	for _, tt := range []struct {
		name string
		p    []byte
		want string
		ok   bool
	}{
		{"UTF-8", data(1, 'a', 'b'), "ab", true},
		{"UTF-16", data(2, 0, 'a', 0x00, 0xe9), "aé", true},
		{"JPEG", data(13, 0xff, 0xd8), "(JPEG image, 2 bytes)", true},
		{"signed", data(21, 0xff, 0xfe), "-2", true},
		{"unsigned", data(22, 0xff, 0xfe), "65534", true},
		{"float32", data(23, 0x3f, 0xc0, 0, 0), "1.5", true},
		{"integer too long", data(21, 1, 2, 3, 4, 5, 6, 7, 8, 9), "(9 bytes)", true},
		{"unknown type, text", data(99, 'h', 'i', 0), "hi", true},
		{"short", []byte{0, 0, 0, 1}, "", false},
	} {
		got, ok := DataValue(tt.p)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: got %q %v, want %q %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDataKept(t *testing.T) {
	for _, tt := range []struct {
		typ, wantTyp uint32
		v, want      string
		ok           bool
	}{
		{1, 1, "Paris\x00hidden", "Paris", true},
		{2, 1, "\x00P\x00a", "Pa", true},
		{21, 21, "\x01\x02", "\x01\x02", true},
		{21, 21, "", "", false},
		{23, 23, "\x01\x02", "\x01\x02", false},
		{13, 13, "\xff\xd8", "", false},
	} {
		typ, v, ok := DataKept(tt.typ, []byte(tt.v))
		if typ != tt.wantTyp || string(v) != tt.want || ok != tt.ok {
			t.Errorf("%d %q: got %d %q %v, want %d %q %v", tt.typ, tt.v, typ, v, ok, tt.wantTyp, tt.want, tt.ok)
		}
	}
}

func TestUserDataText(t *testing.T) {
	for _, tt := range []struct {
		name, p, want string
		ok            bool
	}{
		{"QuickTime text", "\x00\x05\x15\xc7Hello", "Hello", true},
		{"3GPP string", "\x00\x00\x00\x00\x15\xc7Title\x00", "Title", true},
		{"data atom", "\x00\x00\x00\x10data\x00\x00\x00\x01\x00\x00\x00\x00", "", true},
		{"plain", "SEQ_PLAY", "SEQ_PLAY", true},
		{"binary", "\x01\x02\x03", "", false},
	} {
		got, ok := UserDataText([]byte(tt.p))
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: got %q %v, want %q %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLoci(t *testing.T) {
	l := Loci{Lang: 0x15c7, Name: "Home", Role: 1, Lon: 2 << 16, Lat: -48 << 16, Alt: 35 << 16, Body: "earth", Notes: ""}
	var w bmff.Writer
	WriteLoci(&w, l)
	bx, _ := bmff.NewReader(w.Bytes(), 0, false).Next()
	got, err := ParseLoci(bx)
	if err != nil || got != l {
		t.Fatalf("wrote %+v, read %+v, %v", l, got, err)
	}
	bx.Payload = bx.Payload[:len(bx.Payload)-12]
	if _, err := ParseLoci(bx); err == nil {
		t.Error("a truncated 'loci' reads")
	}
}

func TestKeys(t *testing.T) {
	keys := []string{"com.apple.quicktime.make", "com.apple.quicktime.location.ISO6709"}
	var w bmff.Writer
	WriteKeys(&w, keys)
	bx, _ := bmff.NewReader(w.Bytes(), 0, false).Next()
	if got := ParseKeys(bx); len(got) != 2 || got[0] != keys[0] || got[1] != keys[1] {
		t.Errorf("wrote %q, read %q", keys, got)
	}
	bx.Payload = bx.Payload[:len(bx.Payload)-1]
	if got := ParseKeys(bx); len(got) != 1 {
		t.Errorf("read %q of a truncated 'keys', want the first key", got)
	}
}

// FuzzMeta decodes the metadata of a movie ('keys', 'data', 'loci' and
// user data atoms at any depth): no panic, and what the writers write
// reads back as what they were given.
func FuzzMeta(f *testing.F) {
	addVideoSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var walk func(b []byte, base int64, depth int)
		walk = func(b []byte, base int64, depth int) {
			r := bmff.NewReader(b, base, depth == 0)
			for c := range r.All() {
				UserDataText(c.Payload)
				DataValue(c.Payload)
				if len(c.Payload) >= 8 {
					DataKept(uint32(c.Payload[3]), c.Payload[8:])
				}
				switch c.Type {
				case bmff.FourCC{'k', 'e', 'y', 's'}:
					keys := ParseKeys(c)
					var w bmff.Writer
					WriteKeys(&w, keys)
					bx, _ := bmff.NewReader(w.Bytes(), 0, false).Next()
					if again := ParseKeys(bx); len(again) != len(keys) {
						t.Fatalf("keys %q read back as %q", keys, again)
					}
				case BoxLoci:
					l, err := ParseLoci(c)
					checkErr(t, err, len(data))
					if err != nil || bytes.IndexByte([]byte(l.Name+l.Body+l.Notes), 0) >= 0 {
						continue
					}
					var w bmff.Writer
					WriteLoci(&w, l)
					bx, _ := bmff.NewReader(w.Bytes(), 0, false).Next()
					if again, err := ParseLoci(bx); err != nil || again != l {
						t.Fatalf("'loci' %+v read back as %+v, %v", l, again, err)
					}
				}
				if depth < 8 {
					p := c.Payload
					if len(p) >= 4 && c.Type == bmff.BoxMeta && (len(p) < 8 || string(p[4:8]) != "hdlr") {
						p = p[4:]
					}
					walk(p, c.PayloadOffset()+int64(len(c.Payload)-len(p)), depth+1)
				}
			}
		}
		walk(data, 0, 0)
	})
}
