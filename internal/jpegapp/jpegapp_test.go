package jpegapp

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestJFIF(t *testing.T) {
	fields := JFIFSignature + "\x01\x02\x01\x00\x48\x00\x48"
	tests := []struct {
		name  string
		p     string
		w, h  int
		extra string
		ok    bool
	}{
		{"no thumbnail", fields + "\x00\x00", 0, 0, "", true},
		{"thumbnail", fields + "\x02\x01" + "rgbRGB", 2, 1, "", true},
		{"thumbnail and more", fields + "\x01\x01" + "rgb" + "more", 1, 1, "more", true},
		{"thumbnail cut short", fields + "\x02\x02" + "rgb", 2, 2, "", true},
		{"padding", fields + "\x00\x00\x00\x00", 0, 0, "\x00\x00", true},
		{"a zero dimension", fields + "\x05\x00" + "abc", 5, 0, "abc", true},
		{"too short", fields + "\x00", 0, 0, "", false},
		{"not JFIF", "JFXX\x00\x10" + strings.Repeat("x", 20), 0, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clean, w, h, extra, ok := JFIF([]byte(tt.p))
			if ok != tt.ok || w != tt.w || h != tt.h || string(extra) != tt.extra {
				t.Fatalf("got %dx%d, extra %q, %v; want %dx%d, %q, %v", w, h, extra, ok, tt.w, tt.h, tt.extra, tt.ok)
			}
			if want := fields + "\x00\x00"; ok && string(clean) != want {
				t.Errorf("clean %q, want %q", clean, want)
			}
		})
	}
}

func TestAdobe(t *testing.T) {
	fields := "Adobe\x00\x64\x80\x00\x00\x00\x01"
	tests := []struct {
		p, extra string
		ok       bool
	}{
		{fields, "", true},
		{fields + "\x00\x00", "\x00\x00", true},
		{fields[:11], "", false},
		{"Adobf" + fields[5:], "", false},
	}
	for _, tt := range tests {
		clean, extra, ok := Adobe([]byte(tt.p))
		if ok != tt.ok || string(extra) != tt.extra || ok && string(clean) != fields {
			t.Errorf("Adobe(%q) = %q, %q, %v; want %q, %q, %v", tt.p, clean, extra, ok, fields, tt.extra, tt.ok)
		}
		if ok && cap(clean) != len(clean) {
			t.Errorf("Adobe(%q): clean has room to grow into the extra bytes", tt.p)
		}
	}
}

// ducky returns a Ducky record.
func ducky(tag uint16, data []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, tag)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

// duckyText returns the data of a Ducky text record.
func duckyText(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := binary.BigEndian.AppendUint32(nil, uint32(len(u)))
	for _, c := range u {
		b = binary.BigEndian.AppendUint16(b, c)
	}
	return b
}

func TestDucky(t *testing.T) {
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	tests := []struct {
		name string
		p    []byte
		want []DuckyText
		ok   bool
	}{
		{"quality, comment, copyright", cat([]byte("Ducky"), ducky(1, []byte{0, 0, 0, 60}), ducky(2, duckyText("hi é")), ducky(3, duckyText("© me")), ducky(0, nil)),
			[]DuckyText{{DuckyComment, "hi é"}, {DuckyCopyright, "© me"}}, true},
		{"empty text", cat([]byte("Ducky"), ducky(2, duckyText(""))), nil, true},
		{"odd byte", cat([]byte("Ducky"), ducky(2, append(duckyText("a"), 'x'))), []DuckyText{{DuckyComment, "a"}}, true},
		{"record past the end", cat([]byte("Ducky"), ducky(2, duckyText("a"))[:7]), nil, true},
		{"tag 0 ends", cat([]byte("Ducky"), ducky(0, nil), ducky(2, duckyText("a"))), nil, true},
		{"no records", []byte("Ducky"), nil, true},
		{"not Ducky", []byte("Ducks"), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Ducky(tt.p)
			if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestPictureInfo(t *testing.T) {
	tests := []struct {
		p    string
		want []Field
	}{
		{"[picture info]\r\nTimeDate=966855708\r\nShutter=1/60\r\n[end]\x00\x00", []Field{{"TimeDate", "966855708"}, {"Shutter", "1/60"}}},
		{"OLYMP\x00[picture info]\nType=C2000Z\n=x\nnoequals\nA=b=c\n", []Field{{"Type", "C2000Z"}, {"A", "b=c"}}},
		{"[picture info]", nil},
		{"TimeDate=1\n", nil},
	}
	for _, tt := range tests {
		if got := PictureInfo([]byte(tt.p)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("PictureInfo(%q) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestSignature(t *testing.T) {
	tests := []struct{ p, want string }{
		{"FPXR\x00\x00\x01", "FPXR"},
		{"HPQC...", "HPQC..."},
		{strings.Repeat("A", 40), strings.Repeat("A", 32)},
		{"\x00abc", "(unnamed)"},
		{"", "(unnamed)"},
	}
	for _, tt := range tests {
		if got := Signature([]byte(tt.p)); got != tt.want {
			t.Errorf("Signature(%q) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

// appPayloads returns the APPn payloads before the first scan of the
// JPEG files in testdata.
func appPayloads(t testing.TB) [][]byte {
	t.Helper()
	dir := filepath.Join("..", "..", "testdata")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ps [][]byte
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".jpg") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for i := 2; i+4 <= len(b) && b[i] == 0xff && b[i+1] != 0xda; {
			n := int(binary.BigEndian.Uint16(b[i+2:]))
			if n < 2 || i+2+n > len(b) {
				break
			}
			if b[i+1]&0xf0 == 0xe0 {
				ps = append(ps, b[i+4:i+2+n])
			}
			i += 2 + n
		}
	}
	if len(ps) == 0 {
		t.Fatal("no APPn segments in testdata's JPEG files")
	}
	return ps
}

// FuzzSegments reads any payload as each form. Nothing panics; rebuilt
// payloads are the defined fields, and are fixed points; what follows
// them is the end of the input; Ducky text and picture info come from
// payloads that hold their signatures.
func FuzzSegments(f *testing.F) {
	seeds := append(appPayloads(f),
		bytes.Join([][]byte{[]byte("Ducky"), ducky(2, duckyText("comment")), ducky(3, duckyText("copyright"))}, nil),
		[]byte("[picture info]\r\nTimeDate=966855708\r\n"))
	for _, p := range seeds {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		if clean, _, _, extra, ok := JFIF(p); ok {
			if len(clean) != jfifSize || !bytes.HasSuffix(p, extra) || len(extra) > len(p)-jfifSize {
				t.Errorf("JFIF: clean %q, extra %d bytes of %d", clean, len(extra), len(p))
			}
			if again, w, h, extra, ok := JFIF(clean); !ok || !bytes.Equal(again, clean) || w != 0 || h != 0 || len(extra) != 0 {
				t.Errorf("JFIF of the rebuilt payload %q: %q, %dx%d, %q, %v", clean, again, w, h, extra, ok)
			}
		}
		if clean, extra, ok := Adobe(p); ok && (len(clean) != adobeSize || len(clean)+len(extra) != len(p)) {
			t.Errorf("Adobe: clean %d bytes, extra %d, of %d", len(clean), len(extra), len(p))
		}
		if texts, ok := Ducky(p); (!ok || len(p) < 9) && len(texts) > 0 {
			t.Errorf("Ducky: %d texts from %d bytes, %v", len(texts), len(p), ok)
		}
		if fs := PictureInfo(p); len(fs) > 0 && !bytes.Contains(p, []byte(pictureInfo)) {
			t.Errorf("PictureInfo: %d fields without the heading", len(fs))
		}
		if s := Signature(p); len(s) > 32 || s != "(unnamed)" && !bytes.HasPrefix(p, []byte(s)) {
			t.Errorf("Signature: %q", s)
		}
	})
}
