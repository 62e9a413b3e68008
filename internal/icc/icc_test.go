package icc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/icc/icctest"
)

// marker is planted in every text field of built profiles.
const marker = "PLANTED-ICC-7f3a"

func TestSanitizeBuilt(t *testing.T) {
	for _, major := range []byte{2, 4} {
		t.Run(string('0'+major), func(t *testing.T) {
			in := icctest.Build(major, marker)
			out, err := Sanitize(in)
			if err != nil {
				t.Fatal(err)
			}
			checkSanitized(t, in, out)
			if bytes.Contains(out, []byte(marker)) || bytes.Contains(out, icctest.MLUCTag(marker)[40:]) /* its UTF-16 text */ {
				t.Errorf("marker survives in the sanitised profile")
			}
			for _, s := range []string{"mrk", "attribs", "0123456789", "Dell"} {
				if bytes.Contains(out, []byte(s)) {
					t.Errorf("%q survives in the sanitised profile", s)
				}
			}
			pr, err := Parse(out)
			if err != nil {
				t.Fatal(err)
			}
			var sigs []string
			for _, tag := range pr.Tags {
				sigs = append(sigs, tag.Sig.String())
			}
			if got, want := strings.Join(sigs, " "), "desc cprt wtpt rXYZ gXYZ bXYZ rTRC gTRC bTRC chad"; got != want {
				t.Errorf("tags %q, want %q", got, want)
			}
			// The shared curve is still shared.
			if pr.Tags[6].Offset != pr.Tags[7].Offset || pr.Tags[7].Offset != pr.Tags[8].Offset {
				t.Errorf("TRC tags no longer share their data: %v", pr.Tags[6:9])
			}
			if want := "mluc"; major == 4 && string(pr.data(pr.Tags[0])[:4]) != want {
				t.Errorf("v4 desc type %q, want %q", pr.data(pr.Tags[0])[:4], want)
			}
			if want := "desc"; major == 2 && string(pr.data(pr.Tags[0])[:4]) != want {
				t.Errorf("v2 desc type %q, want %q", pr.data(pr.Tags[0])[:4], want)
			}
		})
	}
}

// TestParseFacts checks what Parse reads of a built profile, the facts a
// caller reports.
func TestParseFacts(t *testing.T) {
	in := icctest.Build(4, marker)
	pr, err := Parse(append(in, "after"...))
	if err != nil {
		t.Fatal(err)
	}
	h := pr.Header
	for _, f := range []struct {
		name string
		got  Sig
		want string
	}{
		{"CMM", h.CMM, "mrk1"}, {"Platform", h.Platform, "APPL"}, {"Manufacturer", h.Manufacturer, "mrkM"},
		{"Model", h.Model, "mrkD"}, {"Creator", h.Creator, "mrkC"},
	} {
		if f.got.String() != f.want {
			t.Errorf("%s %v, want %s", f.name, f.got, f.want)
		}
	}
	if want := [6]uint16{2024, 5, 6, 7, 8, 9}; h.Date != want {
		t.Errorf("Date %v, want %v", h.Date, want)
	}
	if string(h.Attributes[:]) != "attribs!" || string(h.ID[:]) != "0123456789abcdef" || !h.Reserved {
		t.Errorf("Attributes %q, ID %q, Reserved %v", h.Attributes, h.ID, h.Reserved)
	}
	if string(pr.Extra) != "after" {
		t.Errorf("Extra %q, want %q", pr.Extra, "after")
	}
	if got := pr.HiddenBytes(); got == 0 {
		t.Errorf("HiddenBytes 0, want the markers between tags")
	}
	texts := map[string]string{
		"desc": "Dell U2720Q " + marker, "dmnd": "maker " + marker, "dscm": "localized " + marker,
		"cprt": "Copyright " + marker, "zzzz": marker,
	}
	for _, tag := range pr.Tags {
		switch s := tag.Sig.String(); {
		case texts[s] != "":
			if got, ok := pr.Text(tag, 1000); !ok || got != texts[s] {
				t.Errorf("%s text %q, %v, want %q", s, got, ok, texts[s])
			}
		case s == "wtpt":
			if reserved, after := pr.Unused(tag); reserved || after != len(marker) {
				t.Errorf("wtpt unused: reserved %v, %d bytes after, want %d", reserved, after, len(marker))
			}
		case s == "rXYZ":
			if reserved, after := pr.Unused(tag); reserved || after != 0 {
				t.Errorf("rXYZ unused: reserved %v, %d bytes after, want none", reserved, after)
			}
		}
	}
}

// checkSanitized checks what must hold for the sanitised out of in: a
// fixed point, 4-byte aligned, with the identifying header fields zero,
// nothing left to report, and the colour tags of in copied byte for byte.
func checkSanitized(t *testing.T, in, out []byte) {
	t.Helper()
	again, err := Sanitize(out)
	if err != nil {
		t.Fatalf("Sanitize of its own output: %v", err)
	}
	if !bytes.Equal(again, out) {
		t.Errorf("Sanitize is not a fixed point")
	}
	if len(out)%4 != 0 || int(binary.BigEndian.Uint32(out)) != len(out) {
		t.Errorf("size field %d, length %d", binary.BigEndian.Uint32(out), len(out))
	}
	pr, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if isPublishedSRGB(out) {
		if !bytes.Equal(in, out) {
			t.Errorf("a published sRGB profile that is not the input")
		}
		return // kept as published
	}
	for _, r := range [][2]int{{4, 8}, {24, 36}, {40, 44}, {48, 64}, {80, 128}} {
		if !isZero(out[r[0]:r[1]]) {
			t.Errorf("header bytes %d-%d not zero: % x", r[0], r[1], out[r[0]:r[1]])
		}
	}
	if h := pr.Header; h != (Header{}) {
		t.Errorf("header facts %+v, want none", h)
	}
	if n := pr.HiddenBytes(); n != 0 || len(pr.Extra) != 0 {
		t.Errorf("%d hidden bytes, %d after the profile, want none", n, len(pr.Extra))
	}
	src, err := Parse(in)
	if err != nil {
		t.Fatalf("Parse of the input: %v", err)
	}
	kept := map[Sig][]byte{}
	for _, tag := range src.Tags {
		if colourTags[tag.Sig] {
			kept[tag.Sig], _ = keptTag(tag.Sig, src.data(tag))
		}
	}
	for _, tag := range pr.Tags {
		if tag.Offset%4 != 0 {
			t.Errorf("tag %v at unaligned offset %d", tag.Sig, tag.Offset)
		}
		if colourTags[tag.Sig] {
			if reserved, after := pr.Unused(tag); reserved || after != 0 {
				t.Errorf("tag %v: reserved %v, %d bytes after its values", tag.Sig, reserved, after)
			}
			if want, ok := kept[tag.Sig]; !ok || !bytes.Equal(pr.data(tag), want) {
				t.Errorf("colour tag %v is not the input's: % x, want % x", tag.Sig, pr.data(tag), want)
			}
			delete(kept, tag.Sig)
		} else if tag.Sig != tagDesc && tag.Sig != tagCprt {
			t.Errorf("tag %v in the output", tag.Sig)
		}
	}
	for s := range kept {
		t.Errorf("colour tag %v missing from the output", s)
	}
}

// TestPublishedSRGB checks that the published sRGB profiles, which libpng
// reads as the sRGB colour space, are kept as they are.
func TestPublishedSRGB(t *testing.T) {
	for name, p := range sampleProfiles(t) {
		t.Run(name, func(t *testing.T) {
			if !isPublishedSRGB(p) {
				t.Fatal("not recognised as a published sRGB profile")
			}
			out, err := Sanitize(p)
			if err != nil || !bytes.Equal(out, p) {
				t.Errorf("Sanitize changed the profile (error %v)", err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	good := icctest.Build(2, "x")
	mod := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	tests := []struct {
		name        string
		in          []byte
		unsupported bool
		offset      int64
	}{
		{"empty", nil, false, 0},
		{"text", []byte(strings.Repeat("GPS 48.8584 N 2.2945 E ", 10)), false, 36},
		{"no acsp", mod(func(b []byte) []byte { copy(b[36:], "xxxx"); return b }), false, 36},
		{"truncated", good[:len(good)-8], false, 0},
		{"size too small", mod(func(b []byte) []byte { binary.BigEndian.PutUint32(b, 100); return b }), false, 0},
		{"tag count too large", mod(func(b []byte) []byte { binary.BigEndian.PutUint32(b[128:], 1<<30); return b }), false, 128},
		{"tag past the end", mod(func(b []byte) []byte { binary.BigEndian.PutUint32(b[132+4:], uint32(len(b))); return b }), false, 132},
		{"version 5", mod(func(b []byte) []byte { b[8] = 5; return b }), true, 8},
		{"colour tag in header", mod(func(b []byte) []byte {
			e := 132 + 12*7 // rXYZ
			binary.BigEndian.PutUint32(b[e+4:], 24)
			binary.BigEndian.PutUint32(b[e+8:], 20)
			return b
		}), true, 132 + 12*7},
		{"duplicate colour tag", mod(func(b []byte) []byte { copy(b[132+12*8:], "rXYZ"); return b }), true, 132 + 12*8},
		{"curve too short", mod(func(b []byte) []byte {
			e := 132 + 12*10 // rTRC
			off := binary.BigEndian.Uint32(b[e+4:])
			binary.BigEndian.PutUint32(b[off+8:], 1000)
			return b
		}), true, int64(binary.BigEndian.Uint32(good[132+12*10+4:]))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Sanitize(tt.in)
			want := ErrInvalid
			if tt.unsupported {
				want = ErrUnsupported
			}
			var e *Error
			switch {
			case err == nil:
				t.Fatal("no error")
			case !errors.Is(err, want):
				t.Errorf("error %v, want %v", err, want)
			case !errors.As(err, &e):
				t.Errorf("error %T, want *Error", err)
			case e.Offset != tt.offset:
				t.Errorf("error at offset %d, want %d", e.Offset, tt.offset)
			}
		})
	}
}

func TestSanitizeTruncated(t *testing.T) {
	for _, major := range []byte{2, 4} {
		p := icctest.Build(major, marker)
		for n := 0; n < len(p); n++ {
			b := p[:n]
			if n >= 4 {
				b = append([]byte(nil), b...)
				binary.BigEndian.PutUint32(b, uint32(n)) // claims only what is there
			}
			if out, err := Sanitize(b); err == nil {
				checkSanitized(t, b, out)
			}
		}
	}
}

func TestTypeLength(t *testing.T) {
	tests := []struct {
		name, d string
		n       int
		ok, err bool
	}{
		{"XYZ one value and junk", "XYZ \x00\x00\x00\x00" + strings.Repeat("v", 12) + "junk", 20, true, false},
		{"sf32 with a partial value", "sf32\x00\x00\x00\x00" + strings.Repeat("v", 10), 16, true, false},
		{"curv gamma", "curv\x00\x00\x00\x00\x00\x00\x00\x01\x01\xcdjunk", 14, true, false},
		{"curv count too large", "curv\x00\x00\x00\x00\x00\x00\x00\x09\x01\xcd", 0, false, true},
		{"curv short", "curv\x00\x00\x00\x00\x00", 0, false, true},
		{"para function 0", "para\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x66\x66junk", 16, true, false},
		{"para unknown function", "para\x00\x00\x00\x00\x00\x09\x00\x00", 0, false, false},
		{"chrm two channels", "chrm\x00\x00\x00\x00\x00\x02\x00\x00" + strings.Repeat("x", 16) + "junk", 28, true, false},
		{"cicp", "cicp\x00\x00\x00\x00\x01\x0d\x00\x01junk", 12, true, false},
		{"unknown type", "zzzz\x00\x00\x00\x00abc", 0, false, false},
		{"no type", "XYZ", 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ok, err := typeLength([]byte(tt.d))
			if n != tt.n || ok != tt.ok || (err != nil) != tt.err {
				t.Errorf("got %d, %v, %v; want %d, %v, error %v", n, ok, err, tt.n, tt.ok, tt.err)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name  string
		d     []byte
		limit int
		want  string
		ok    bool
	}{
		{"textType", []byte("text\x00\x00\x00\x00 Copyright X \x00junk"), 100, "Copyright X", true},
		{"textDescriptionType", icctest.TextTag(2, "sRGB"), 100, "sRGB", true},
		{"mluc, English", icctest.MLUCTag("Display P3"), 100, "Display P3", true},
		{"mluc, cut to the limit", icctest.MLUCTag("Display P3"), 4, "Di", true},
		{"desc length past the tag", []byte("desc\x00\x00\x00\x00\x00\x00\x01\x00abc"), 100, "", false},
		{"not text", []byte("XYZ \x00\x00\x00\x00\x00\x00\x00\x00"), 100, "", false},
		{"too short", []byte("text\x00\x00\x00\x00ab"), 100, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := text(tt.d, tt.limit); got != tt.want || ok != tt.ok {
				t.Errorf("got %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestKeptTagShort checks colour tags too short for their type's fields
// (found by fuzzing: a bare 'para' tag of 8 bytes).
func TestKeptTagShort(t *testing.T) {
	for _, d := range []string{"para\x00\x00\x00\x00", "para\x00\x00\x00\x00\x00\x09", "curv\x00\x00\x00\x00", "XYZ \x00\x00\x00\x00", "mft2\x00\x00\x00\x00"} {
		for _, s := range []string{"rTRC", "rXYZ", "A2B0"} {
			keptTag(SigOf(s), []byte(d)) // must not panic; an error is fine
		}
	}
}

// FuzzICC checks that Parse and Sanitize never panic, that their errors
// are *Error values within the input, and that what Sanitize returns is a
// fixed point with the input's colour tags (checkSanitized).
func FuzzICC(f *testing.F) {
	f.Add(icctest.Build(2, marker))
	f.Add(icctest.Build(4, marker))
	for _, p := range sampleProfiles(f) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		pr, err := Parse(p)
		if err == nil {
			pr.HiddenBytes()
			for _, tag := range pr.Tags {
				pr.Text(tag, 800)
				if colourTags[tag.Sig] {
					pr.Unused(tag)
				}
			}
		}
		out, err := Sanitize(p)
		if err != nil {
			var e *Error
			switch {
			case !errors.As(err, &e):
				t.Fatalf("error %v is not an *Error", err)
			case e.Err != ErrInvalid && e.Err != ErrUnsupported:
				t.Fatalf("error %v is neither invalid nor unsupported", err)
			case e.Offset < 0 || e.Offset > int64(len(p)):
				t.Fatalf("error at offset %d of %d bytes", e.Offset, len(p))
			}
			return
		}
		checkSanitized(t, p, out)
	})
}

func TestIsStandard(t *testing.T) {
	for _, tt := range []struct {
		desc, creator string
		want          bool
	}{
		{"sRGB IEC61966-2.1", "HP  ", true},
		{"sRGB IEC61966-2.1", "GOOG", true},
		{"sRGB IEC61966-2.1", "lcms", false},
		{"Display P3", "appl", true},
		{"Display P3 ", "appl", false},
		{"My Printer", "appl", false},
	} {
		if got := IsStandard(tt.desc, tt.creator); got != tt.want {
			t.Errorf("IsStandard(%q, %q) = %v", tt.desc, tt.creator, got)
		}
	}
	for s, want := range map[string]bool{
		"Copyright (c) 1998 Hewlett-Packard Company": true,
		"Copyright Apple Inc., 2022":                 true,
		"Copyright Apple Inc., 22":                   false,
		"Copyright Apple Inc., 20x2":                 false,
		"Copyright 2024 Jane Doe":                    false,
	} {
		if got := IsStandardText(s); got != want {
			t.Errorf("IsStandardText(%q) = %v", s, got)
		}
	}
}
