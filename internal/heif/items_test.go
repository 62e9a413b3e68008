package heif

import (
	"bytes"
	"testing"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

func TestLoop(t *testing.T) {
	dimg, thmb := bmff.FourCC{'d', 'i', 'm', 'g'}, bmff.FourCC{'t', 'h', 'm', 'b'}
	tests := []struct {
		name string
		refs []Ref
		want bool
	}{
		{"none", nil, false},
		{"grid of tiles", []Ref{{dimg, 1, []uint32{2, 3}}}, false},
		{"grid of itself", []Ref{{dimg, 1, []uint32{2}}, {dimg, 2, []uint32{1}}}, true},
		{"across types", []Ref{{dimg, 1, []uint32{2}}, {thmb, 2, []uint32{1}}}, false},
		{"three deep", []Ref{{thmb, 1, []uint32{2}}, {thmb, 2, []uint32{3}}, {thmb, 3, []uint32{1}}}, true},
	}
	for _, tt := range tests {
		typ, got := Loop(tt.refs)
		if got != tt.want || got && typ != tt.refs[0].Type {
			t.Errorf("%s: got %q %v, want %v", tt.name, typ, got, tt.want)
		}
	}
}

func TestOverlap(t *testing.T) {
	locs := []*Location{
		{ItemID: 1, Extents: []Extent{{0, 10}}},
		{ItemID: 2, Extents: []Extent{{10, 5}}},
		{ItemID: 3, Extents: []Extent{{12, 2}}},
		{ItemID: 4, Method: 1, Extents: []Extent{{0, 4}}},
	}
	differ := func(a, b Run) bool { return a.Marked != b.Marked }
	tests := []struct {
		name       string
		marked     uint32
		a, b       uint32
		overlapped bool
	}{
		{"removed inside kept", 3, 2, 3, true},
		{"touching only", 1, 0, 0, false},
		{"other container", 4, 0, 0, false},
	}
	for _, tt := range tests {
		a, b, ok := Overlap(locs, func(id uint32) (bool, bool) { return true, id == tt.marked }, differ)
		if ok != tt.overlapped || ok && (a.ID != tt.a || b.ID != tt.b) {
			t.Errorf("%s: got %d, %d, %v; want %d, %d, %v", tt.name, a.ID, b.ID, ok, tt.a, tt.b, tt.overlapped)
		}
	}
}

func TestItemData(t *testing.T) {
	file, idat := []byte("0123456789"), []byte("abcdef")
	tests := []struct {
		loc  Location
		want string
	}{
		{Location{Extents: []Extent{{2, 3}}}, "234"},
		{Location{Extents: []Extent{{8, 2}, {0, 1}}}, "890"},
		{Location{Method: 1, Extents: []Extent{{4, 2}}}, "ef"},
		{Location{}, ""},
	}
	for _, tt := range tests {
		if got := tt.loc.Data(file, idat); string(got) != tt.want || tt.loc.Size() != uint64(len(tt.want)) {
			t.Errorf("%+v: got %q (size %d), want %q", tt.loc, got, tt.loc.Size(), tt.want)
		}
	}
}

func TestNALLengthSize(t *testing.T) {
	hvcC := make([]byte, 23)
	hvcC[21] = 0xff
	tests := []struct {
		prop   []byte
		want   int
		reason string
	}{
		{raw("hvcC", hvcC), 4, ""},
		{raw("avcC", []byte{1, 0, 0, 0, 0xfd}), 2, ""},
		{full("vvcC", 0, 0, []byte{0x03}), 2, ""},
		{raw("avcC", []byte{1, 0, 0, 0, 0xfe}), 0, "\"avcC\" NAL unit length of 3 bytes"},
		{raw("hvcC", hvcC[:21]), 0, "\"hvcC\" property truncated"},
	}
	for _, tt := range tests {
		n, err := NALLengthSize(boxOf(t, tt.prop))
		if tt.reason != "" {
			checkErr(t, err, tt.reason, 0, false)
		} else if err != nil || n != tt.want {
			t.Errorf("%x: got %d, %v; want %d", tt.prop, n, err, tt.want)
		}
	}
}

func TestExifTIFF(t *testing.T) {
	tests := []struct {
		data, tiff string
		ok         bool
	}{
		{"\x00\x00\x00\x06Exif\x00\x00MM", "MM", true},
		{"\x00\x00\x00\x00MM", "MM", true},
		{"\x00\x00\x00\x00Exif\x00\x00II", "II", true}, // the signature not counted
		{"\x00\x00\x00\x09MM", "", false},
		{"\x00\x00", "", false},
	}
	for _, tt := range tests {
		tiff, _, ok := ExifTIFF([]byte(tt.data))
		if string(tiff) != tt.tiff || ok != tt.ok {
			t.Errorf("%q: got %q %v, want %q %v", tt.data, tiff, ok, tt.tiff, tt.ok)
		}
	}
}

func TestUncovered(t *testing.T) {
	b := []byte("AAAA\x00\x00BBBB")
	tests := []struct {
		sp      []Span
		n       int
		nonzero bool
	}{
		{nil, 10, true},
		{[]Span{{Start: 100, End: 104}, {Start: 106, End: 110}}, 2, false},
		{[]Span{{Start: 100, End: 106}}, 4, true},
		{[]Span{{Start: 90, End: 200}}, 0, false},
	}
	for _, tt := range tests {
		n, nonzero := Uncovered(b, 100, tt.sp)
		if n != tt.n || nonzero != tt.nonzero {
			t.Errorf("%v: got %d %v, want %d %v", tt.sp, n, nonzero, tt.n, tt.nonzero)
		}
	}
	if !bytes.Equal(b, []byte("AAAA\x00\x00BBBB")) {
		t.Error("Uncovered changed its input")
	}
}
