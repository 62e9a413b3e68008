package png

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		hdr    string
		length uint32
		typ    string
		off    int64 // -1: no error
		reason string
	}{
		{"\x00\x00\x00\x0dIHDR", 13, "IHDR", -1, ""},
		{"\x7f\xff\xff\xffIDAT", MaxLength, "IDAT", -1, ""},
		{"\x80\x00\x00\x00IDAT", 1 << 31, "IDAT", 0, `chunk "IDAT" length 2147483648 exceeds 2^31-1`},
		{"\x00\x00\x00\x00ID1T", 0, "ID1T", 4, `bad chunk type "ID1T"`},
		{"\x00\x00\x00\x00\x00\xffAB", 0, "\x00\xffAB", 4, `bad chunk type "\x00\xffAB"`},
		{"\x80\x00\x00\x00I T ", 1 << 31, "I T ", 0, `chunk "I T " length 2147483648 exceeds 2^31-1`},
	}
	for _, tt := range tests {
		length, typ, err := ParseHeader([]byte(tt.hdr))
		if length != tt.length || string(typ[:]) != tt.typ {
			t.Errorf("ParseHeader(%q) = %d, %q", tt.hdr, length, typ)
		}
		var e *Error
		switch {
		case tt.off < 0 && err != nil:
			t.Errorf("ParseHeader(%q): %v", tt.hdr, err)
		case tt.off >= 0 && !errors.As(err, &e):
			t.Errorf("ParseHeader(%q) = %v, want an *Error", tt.hdr, err)
		case tt.off >= 0 && (e.Offset != tt.off || e.Reason != tt.reason):
			t.Errorf("ParseHeader(%q) = %d %q, want %d %q", tt.hdr, e.Offset, e.Reason, tt.off, tt.reason)
		}
	}
}

func TestAppendChunk(t *testing.T) {
	got := AppendChunk([]byte("x"), "IEND", nil)
	want := []byte("x\x00\x00\x00\x00IEND\xae\x42\x60\x82")
	if !bytes.Equal(got, want) {
		t.Errorf("AppendChunk IEND = %q, want %q", got, want)
	}
	c := AppendChunk(nil, "tEXt", []byte("a\x00b"))
	if h := AppendHeader(nil, 3, [4]byte{'t', 'E', 'X', 't'}); !bytes.Equal(c[:8], h) {
		t.Errorf("header %q, want %q", c[:8], h)
	}
	if crc := binary.BigEndian.Uint32(c[len(c)-4:]); crc != crc32.ChecksumIEEE(c[4:len(c)-4]) {
		t.Errorf("CRC %08x is wrong", crc)
	}
}

func TestWantLength(t *testing.T) {
	tests := []struct {
		typ     string
		length  uint32
		ct      byte
		palette int
		want    int
	}{
		{"IHDR", 13, 0, 0, 13},
		{"IHDR", 14, 0, 0, 13},
		{"fcTL", 0, 0, 0, 26},
		{"PLTE", 9, 3, 0, 9},
		{"PLTE", 10, 3, 0, -1},
		{"PLTE", 0, 3, 0, -1},
		{"PLTE", 771, 3, 0, -1},
		{"sBIT", 3, 2, 0, 3},
		{"sBIT", 4, 6, 0, 4},
		{"sBIT", 1, 1, 0, -1}, // no colour type 1
		{"bKGD", 1, 3, 0, 1},
		{"bKGD", 2, 4, 0, 2},
		{"tRNS", 2, 0, 0, 2},
		{"tRNS", 6, 2, 0, 6},
		{"tRNS", 4, 3, 4, 4},
		{"tRNS", 5, 3, 4, -1},
		{"tRNS", 2, 4, 0, -1}, // no tRNS with a full alpha channel
		{"iCCP", 1234, 0, 0, 1234},
		{"eXIf", 10, 0, 0, -1},
	}
	for _, tt := range tests {
		if got := WantLength(tt.typ, tt.length, tt.ct, tt.palette); got != tt.want {
			t.Errorf("WantLength(%s, %d, %d, %d) = %d, want %d", tt.typ, tt.length, tt.ct, tt.palette, got, tt.want)
		}
	}
}

func TestParseText(t *testing.T) {
	tests := []struct {
		typ, data  string
		err        error
		keyword    string
		lang, tr   string
		compressed bool
		text       string
	}{
		{"tEXt", "Title\x00Hello", nil, "Title", "", "", false, "Hello"},
		{"tEXt", "Title\x00", nil, "Title", "", "", false, ""},
		{"tEXt", "no keyword", ErrNoKeyword, "", "", "", false, ""},
		{"zTXt", "Comment\x00\x00zz", nil, "Comment", "", "", true, "zz"},
		{"zTXt", "Comment\x00", ErrMalformed, "Comment", "", "", false, ""},
		{"iTXt", "Title\x00\x00\x00en\x00Titel\x00Hi", nil, "Title", "en", "Titel", false, "Hi"},
		{"iTXt", "Title\x00\x01\x00\x00\x00zz", nil, "Title", "", "", true, "zz"},
		{"iTXt", "Title\x00\x00", ErrMalformed, "Title", "", "", false, ""},
		{"iTXt", "Title\x00\x00\x00en", ErrMalformed, "Title", "", "", false, ""},
		{"iTXt", "Title\x00\x00\x00en\x00tr", ErrMalformed, "Title", "en", "", false, ""},
	}
	for _, tt := range tests {
		got, err := ParseText(tt.typ, []byte(tt.data))
		if err != tt.err {
			t.Errorf("ParseText(%s, %q): error %v, want %v", tt.typ, tt.data, err, tt.err)
			continue
		}
		if string(got.Keyword) != tt.keyword || err == nil && (string(got.Lang) != tt.lang || string(got.Translated) != tt.tr ||
			got.Compressed != tt.compressed || string(got.Text) != tt.text) {
			t.Errorf("ParseText(%s, %q) = %+v", tt.typ, tt.data, got)
		}
	}
}

func TestKeywordAndLatin1(t *testing.T) {
	for k, want := range map[string]bool{
		"Title": true, "Creation Time": true, "": false, " Title": false, "Title ": false, "Two  spaces": false,
		"tab\there": false, "caf\xe9": true, "\x9f": false, string(bytes.Repeat([]byte("k"), 79)): true,
		string(bytes.Repeat([]byte("k"), 80)): false,
	} {
		if got := ValidKeyword([]byte(k)); got != want {
			t.Errorf("ValidKeyword(%q) = %v", k, got)
		}
	}
	if got := Latin1([]byte("caf\xe9")); got != "café" {
		t.Errorf("Latin1 = %q", got)
	}
	if got := Latin1([]byte("café")); got != "café" {
		t.Errorf("Latin1 of UTF-8 = %q", got)
	}
	if got := Latin1Bytes("café", false); string(got) != "caf\xe9" {
		t.Errorf("Latin1Bytes = %q", got)
	}
	if got := Latin1Bytes("café", true); string(got) != "café" {
		t.Errorf("Latin1Bytes UTF-8 = %q", got)
	}
}

func TestTime(t *testing.T) {
	d := []byte{0x07, 0xe8, 6, 1, 21, 14, 60}
	if !ValidTime(d) || FormatTime(d) != "2024-06-01 21:14:60" {
		t.Errorf("tIME %v: %v %q", d, ValidTime(d), FormatTime(d))
	}
	for _, bad := range [][]byte{{7, 0xe8, 13, 1, 0, 0, 0}, {7, 0xe8, 1, 0, 0, 0, 0}, {7, 0xe8, 1, 1, 24, 0, 0}, {7, 0xe8, 1, 1}} {
		if ValidTime(bad) {
			t.Errorf("ValidTime(%v) = true", bad)
		}
	}
}

func TestRawProfile(t *testing.T) {
	data := []byte("Exif\x00\x00MM\x00*")
	b := AppendRawProfile(nil, "exif", data)
	kw, text, _ := bytes.Cut(b, []byte{0})
	if string(kw) != "Raw profile type exif" {
		t.Errorf("keyword %q", kw)
	}
	if got := RawProfile(text); !bytes.Equal(got, data) {
		t.Errorf("RawProfile(%q) = %q", text, got)
	}
	for text, want := range map[string]string{
		"\niptc\n       3\n616263\n":    "abc",
		"\nIPTC profile\n 3\n61 62\n63": "abc",
		"iptc 3 616263":                 "abc",
		"iptc 3":                        "",
		"\nexif\n3\nzz\n":               "",
	} {
		if got := RawProfile([]byte(text)); string(got) != want {
			t.Errorf("RawProfile(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestICCP(t *testing.T) {
	profile := bytes.Repeat([]byte("profile "), 100)
	b := AppendICCP(nil, "ICC Profile", profile)
	name, z, err := ParseICCP(append(b, "tail"...))
	if err != nil || string(name) != "ICC Profile" {
		t.Fatalf("ParseICCP = %q, %v", name, err)
	}
	got, rest, err := InflateICCP(z, len(profile))
	if err != nil || !bytes.Equal(got, profile) || rest != 4 {
		t.Errorf("InflateICCP = %d bytes, %d after, %v", len(got), rest, err)
	}
	if _, _, err := InflateICCP(z, len(profile)-1); err != ErrTooLarge {
		t.Errorf("InflateICCP over the limit: %v", err)
	}
	if _, _, err := InflateICCP(z[:len(z)-10], len(profile)); err != ErrNotDecompressed {
		t.Errorf("InflateICCP of a cut stream: %v", err)
	}
	for _, bad := range []string{"", "\x00\x00x", "name\x00\x01x", "name\x00", string(bytes.Repeat([]byte("n"), 80)) + "\x00\x00"} {
		if _, _, err := ParseICCP([]byte(bad)); err != ErrNoProfileName {
			t.Errorf("ParseICCP(%q): %v", bad, err)
		}
	}
}

// seeds returns the PNG files of the root's testdata.
func seeds(f *testing.F) {
	paths, _ := filepath.Glob("../../testdata/*.png")
	if len(paths) == 0 {
		f.Fatal("no PNG in ../../testdata")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzChunks walks a PNG's chunks with ParseHeader, reads the fields of
// its text and iCCP chunks, and checks that nothing panics, errors carry
// offsets in the header, and what the writers write reads back.
func FuzzChunks(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		b, _ = bytes.CutPrefix(b, Signature)
		for len(b) >= HeaderSize {
			length, typ, err := ParseHeader(b)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Offset < 0 || e.Offset >= HeaderSize {
					t.Fatalf("ParseHeader error %v", err)
				}
				return
			}
			if int64(length) > int64(len(b)-HeaderSize-4) {
				return
			}
			data := b[HeaderSize : HeaderSize+length]
			if c := AppendChunk(nil, string(typ[:]), data); !bytes.Equal(c[:HeaderSize], b[:HeaderSize]) || len(c) != int(length)+12 {
				t.Fatalf("AppendChunk header %q, want %q", c[:HeaderSize], b[:HeaderSize])
			}
			b = b[HeaderSize+length+4:]
			WantLength(string(typ[:]), length, byte(length), int(length%257))
			switch name := string(typ[:]); name {
			case "tEXt", "zTXt", "iTXt":
				checkText(t, name, data)
			case "iCCP":
				if _, z, err := ParseICCP(data); err == nil {
					if p, rest, err := InflateICCP(z, 1<<20); err == nil {
						if rest < 0 || rest > len(z) {
							t.Fatalf("InflateICCP rest %d of %d", rest, len(z))
						}
						_, z2, _ := ParseICCP(AppendICCP(nil, "icc", p))
						if p2, _, err := InflateICCP(z2, 1<<20); err != nil || !bytes.Equal(p, p2) {
							t.Fatalf("iCCP round trip: %v", err)
						}
					}
				}
			case "tIME":
				if ValidTime(data) {
					FormatTime(data)
				}
			}
		}
	})
}

func checkText(t *testing.T, name string, data []byte) {
	txt, err := ParseText(name, data)
	if err == ErrNoKeyword {
		return
	}
	if !bytes.HasPrefix(data, txt.Keyword) || bytes.IndexByte(txt.Keyword, 0) >= 0 {
		t.Fatalf("keyword %q", txt.Keyword)
	}
	if err != nil {
		return
	}
	ValidKeyword(txt.Keyword)
	kw := Latin1(txt.Keyword)
	switch {
	case name == "tEXt":
		got, err := ParseText("tEXt", AppendText(nil, kw, txt.Text))
		if err != nil || Latin1(got.Keyword) != kw || !bytes.Equal(got.Text, txt.Text) {
			t.Fatalf("tEXt round trip: %+v %v", got, err)
		}
		if s := Latin1(txt.Text); !bytes.Equal(Latin1Bytes(s, s == string(txt.Text)), txt.Text) {
			t.Fatalf("Latin1Bytes(Latin1(%q)) differs", txt.Text)
		}
	case name == "iTXt" && !txt.Compressed && bytes.IndexByte(txt.Lang, 0) < 0:
		got, err := ParseText("iTXt", AppendITXt(nil, kw, txt.Lang, string(txt.Text)))
		if err != nil || !bytes.Equal(got.Lang, txt.Lang) || len(got.Translated) != 0 || !bytes.Equal(got.Text, txt.Text) {
			t.Fatalf("iTXt round trip: %+v %v", got, err)
		}
	}
	if raw := RawProfile(txt.Text); raw != nil {
		_, text, _ := bytes.Cut(AppendRawProfile(nil, "exif", raw), []byte{0})
		if !bytes.Equal(RawProfile(text), raw) {
			t.Fatalf("raw profile round trip")
		}
	}
}
