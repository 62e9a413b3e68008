package exifscrub

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCategory(t *testing.T) {
	for _, c := range Categories() {
		got, err := ParseCategory(string(c))
		if err != nil || got != c {
			t.Errorf("ParseCategory(%q) = %q, %v", c, got, err)
		}
	}
	if got, err := ParseCategory("LOCATION"); err != nil || got != Location {
		t.Errorf("ParseCategory(LOCATION) = %q, %v", got, err)
	}
	if _, err := ParseCategory("gps"); err == nil {
		t.Error("ParseCategory(gps): no error")
	}
}

func TestInvalidOptions(t *testing.T) {
	jpeg, err := os.ReadFile(filepath.Join("testdata", "jpg__Kodak_CX7530.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{
		{Keep: []Category{Embedded}},
		{Keep: []Category{Other}},
		{Keep: []Category{"gps"}},
		{Keep: []Category{Location}, CoarseLocation: -1},
		{Keep: []Category{Location}, CoarseLocation: math.NaN()},
		{Keep: []Category{Location}, CoarseLocation: 200},
		{Keep: []Category{Location}, CoarseLocation: 1e-9},
		{Keep: []Category{Location}, CoarseLocation: 1e-300},
		{Keep: []Category{Location}, CoarseLocation: 0.000999},
		{Keep: []Category{Location}, CoarseLocation: math.Inf(1)},
		{CoarseLocation: 0.1},
		{Keep: []Category{Time}, CoarseLocation: 0.1},
		{LiveIdentifier: NewLiveIdentifier()},
		{KeepMotion: true, LiveIdentifier: "not-a-uuid"},
		{KeepMotion: true, LiveIdentifier: strings.ToLower(NewLiveIdentifier())},
		{KeepMotion: true, LiveIdentifier: NewLiveIdentifier() + "\x00"},
	} {
		var out bytes.Buffer
		_, err := Scrub(&out, bytes.NewReader(jpeg), &o)
		if !errors.Is(err, ErrInvalidOptions) || out.Len() != 0 {
			t.Errorf("Scrub with %+v: %v, %d bytes written; want ErrInvalidOptions and nothing", o, err, out.Len())
		}
	}
	for _, g := range []float64{0, MinCoarseLocation, 0.01, 180} {
		o := Options{Keep: []Category{Location}, CoarseLocation: g}
		if _, err := Scrub(new(bytes.Buffer), bytes.NewReader(jpeg), &o); err != nil {
			t.Errorf("Scrub with CoarseLocation %v: %v", g, err)
		}
	}
	if _, err := Scrub(new(bytes.Buffer), bytes.NewReader(jpeg), &Options{KeepMotion: true, LiveIdentifier: NewLiveIdentifier()}); err != nil {
		t.Errorf("Scrub with a LiveIdentifier: %v", err)
	}
	if keepXMP(new(Report), "XMP", nil, nil) != nil {
		t.Error("keepXMP of nothing kept something")
	}
	var nilOpts *Options
	if nilOpts.keeps(Location) || nilOpts.keepsAny() {
		t.Error("nil Options keep something")
	}
	o := &Options{Keep: []Category{Time}}
	if !o.keeps(Time) || o.keeps(Location) || !o.keepsAny() {
		t.Error("keeps wrong")
	}
}

// TestFormatNames checks that every format has a media type of its kind
// and an extension, and that an unknown one has neither.
func TestFormatNames(t *testing.T) {
	for _, f := range []Format{JPEG, PNG, HEIF, AVIF, WebP, MOV, MP4} {
		kind := "image/"
		if f.IsVideo() {
			kind = "video/"
		}
		if !strings.HasPrefix(f.MIMEType(), kind) || !strings.HasPrefix(f.Extension(), ".") {
			t.Errorf("%s: MIMEType %q, Extension %q", f, f.MIMEType(), f.Extension())
		}
	}
	if f := Format("gif"); f.MIMEType() != "application/octet-stream" || f.Extension() != "" || f.IsVideo() {
		t.Errorf("unknown format: %q %q %v", f.MIMEType(), f.Extension(), f.IsVideo())
	}
}

// TestCategoryListsAreCopies checks that Categories and Keepable hand out
// copies: a caller that changes one changes nothing in the package.
func TestCategoryListsAreCopies(t *testing.T) {
	c, k := Categories(), Keepable()
	c[0], k[0] = Other, Embedded
	if Categories()[0] != Location || Keepable()[0] != Location {
		t.Error("changing a returned list changed the package's")
	}
	if err := (&Options{Keep: Keepable()}).check(); err != nil {
		t.Errorf("Keep: Keepable(): %v", err)
	}
}

// TestNewLiveIdentifier checks that NewLiveIdentifier gives version 4
// UUIDs in the form Options.LiveIdentifier accepts, a new one each time.
func TestNewLiveIdentifier(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := NewLiveIdentifier()
		if !isLiveIdentifier(id) || id[14] != '4' || !strings.ContainsRune("89AB", rune(id[19])) || seen[id] {
			t.Fatalf("NewLiveIdentifier() = %q: not a new uppercase version 4 UUID", id)
		}
		seen[id] = true
	}
}
