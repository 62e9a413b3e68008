package heif

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// raw returns a box of type typ with the payload's pieces.
func raw(typ string, payload ...[]byte) []byte {
	p := bytes.Join(payload, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(p)))
	return append(append(b, typ...), p...)
}

// full returns a FullBox.
func full(typ string, version uint8, flags uint32, payload ...[]byte) []byte {
	vf := binary.BigEndian.AppendUint32(nil, uint32(version)<<24|flags)
	return raw(typ, append([][]byte{vf}, payload...)...)
}

func u16(v ...uint16) []byte {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint16(b, x)
	}
	return b
}

func u32(v ...uint32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint32(b, x)
	}
	return b
}

// boxOf reads b as one box at file offset 0.
func boxOf(t testing.TB, b []byte) bmff.Box {
	t.Helper()
	bx, ok := bmff.NewReader(b, 0, false).Next()
	if !ok {
		t.Fatalf("not a box: %q", b)
	}
	return bx
}

// check checks a Parse function's result against want, and its error as
// checkErr does.
func check(t *testing.T, got, want any, err error, reason string, off int64, unsupported bool) {
	t.Helper()
	checkErr(t, err, reason, off, unsupported)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// checkErr checks err against a wanted reason ("" for none), offset and
// whether it wraps ErrUnsupported.
func checkErr(t *testing.T, err error, reason string, off int64, unsupported bool) {
	t.Helper()
	if reason == "" {
		if err != nil {
			t.Fatalf("error %v, want none", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want an *Error", err, err)
	}
	if e.Reason != reason || e.Offset != off {
		t.Errorf("error at %d %q, want at %d %q", e.Offset, e.Reason, off, reason)
	}
	if got := errors.Is(err, ErrUnsupported); got != unsupported {
		t.Errorf("errors.Is(ErrUnsupported) = %v, want %v", got, unsupported)
	}
}

func TestParseIinf(t *testing.T) {
	infe := func(version uint8, flags uint32, id uint32, protection uint16, typ, rest string) []byte {
		var idb []byte
		if version == 2 {
			idb = u16(uint16(id))
		} else {
			idb = u32(id)
		}
		return full("infe", version, flags, idb, u16(protection), []byte(typ), []byte(rest))
	}
	hvc := infe(2, 1, 1, 0, "hvc1", "Color\x00")
	mime := infe(2, 0, 2, 0, "mime", "\x00application/rdf+xml\x00deflate\x00")
	uri := infe(3, 0, 1<<20, 0, "uri ", "\x00urn:x\x00\x00")
	tests := []struct {
		name        string
		box         []byte
		want        []Item
		reason      string
		off         int64
		unsupported bool
	}{
		{"entries", full("iinf", 0, 0, u16(3), hvc, mime, uri), []Item{
			{ID: 1, Type: bmff.FourCC{'h', 'v', 'c', '1'}, Hidden: true, Name: "Color"},
			{ID: 2, Type: ItemMime, ContentType: "application/rdf+xml", Encoding: "deflate"},
			{ID: 1 << 20, Type: ItemURI, URIType: "urn:x"},
		}, "", 0, false},
		{"version 1 count", full("iinf", 1, 0, u32(1), hvc), []Item{
			{ID: 1, Type: bmff.FourCC{'h', 'v', 'c', '1'}, Hidden: true, Name: "Color"},
		}, "", 0, false},
		{"trailing bytes", full("iinf", 0, 0, u16(1), infe(2, 0, 7, 0, "av01", "\x00junk")), []Item{
			{ID: 7, Type: bmff.FourCC{'a', 'v', '0', '1'}, Trailing: Trailing{Offset: 14 + 21, Len: 4, Box: "box 'infe'"}},
		}, "", 0, false},
		{"trailing zeros", full("iinf", 0, 0, u16(1), infe(2, 0, 7, 0, "av01", "\x00\x00\x00")), []Item{
			{ID: 7, Type: bmff.FourCC{'a', 'v', '0', '1'}},
		}, "", 0, false},
		{"count mismatch", full("iinf", 0, 0, u16(2), hvc), []Item{
			{ID: 1, Type: bmff.FourCC{'h', 'v', 'c', '1'}, Hidden: true, Name: "Color"},
		}, "'iinf' declares 2 entries but holds 1", 0, false},
		{"protected, returned last", full("iinf", 0, 0, u16(2), hvc, infe(2, 0, 3, 1, "hvc1", "x\x00")), []Item{
			{ID: 1, Type: bmff.FourCC{'h', 'v', 'c', '1'}, Hidden: true, Name: "Color"},
			{ID: 3, Type: bmff.FourCC{'h', 'v', 'c', '1'}, Name: "x"},
		}, "item 3 is protected", 14 + int64(len(hvc)), true},
		{"declared twice", full("iinf", 0, 0, u16(2), hvc, hvc), []Item{
			{ID: 1, Type: bmff.FourCC{'h', 'v', 'c', '1'}, Hidden: true, Name: "Color"},
			{ID: 1, Type: bmff.FourCC{'h', 'v', 'c', '1'}, Hidden: true, Name: "Color"},
		}, "item 1 is declared twice", 14 + int64(len(hvc)), false},
		{"infe version 1", full("iinf", 0, 0, u16(1), full("infe", 1, 0, u16(1, 0))), nil,
			"'infe' version 1", 14, true},
		{"other box", full("iinf", 0, 0, u16(1), raw("free")), nil, "\"free\" box in 'iinf'", 14, false},
		{"truncated entry", full("iinf", 0, 0, u16(1), full("infe", 2, 0, u16(1))), nil,
			"box 'infe': truncated", 14 + 14, false},
		{"truncated count", full("iinf", 0, 0), nil, "box 'iinf': truncated", 12, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, items, err := ParseIinf(boxOf(t, tt.box))
			check(t, items, tt.want, err, tt.reason, tt.off, tt.unsupported)
		})
	}
}

func TestParseIloc(t *testing.T) {
	tests := []struct {
		name        string
		box         []byte
		version     uint8
		want        []Location
		reason      string
		off         int64
		unsupported bool
	}{
		{"version 0", full("iloc", 0, 0, []byte{0x44, 0x40}, u16(1), u16(5, 0), u32(100), u16(1), u32(8, 20)), 0,
			[]Location{{Offset: 16, ItemID: 5, Extents: []Extent{{108, 20}}}}, "", 0, false},
		{"version 1 idat, two extents", full("iloc", 1, 0, []byte{0x44, 0x00}, u16(1), u16(2, 1, 0, 2), u32(0, 4, 4, 0)), 1,
			[]Location{{Offset: 16, ItemID: 2, Method: 1, Extents: []Extent{{0, 4}, {4, 0}}}}, "", 0, false},
		{"version 2, index and data reference", full("iloc", 2, 0, []byte{0x04, 0x04}, u32(1), u32(1<<20), u16(2, 1, 1), u32(9, 3)), 2,
			[]Location{{Offset: 18, ItemID: 1 << 20, Method: 2, DataRef: 1, Extents: []Extent{{0, 3}}}}, "", 0, false},
		{"version 3", full("iloc", 3, 0, []byte{0, 0}), 3, nil, "'iloc' version 3", 0, true},
		{"field size 2", full("iloc", 0, 0, []byte{0x24, 0x00}, u16(0)), 0, nil, "'iloc' field size 2 is not 0, 4 or 8", 0, false},
		{"two locations", full("iloc", 0, 0, []byte{0, 0}, u16(2), u16(1, 0, 0), u16(1, 0, 0)), 0,
			[]Location{{Offset: 16, ItemID: 1}}, "item 1 has two locations", 22, false},
		{"overflow", full("iloc", 0, 0, []byte{0x80, 0x80}, u16(1), u16(1, 0), u32(0xffffffff, 0xffffffff), u16(1), u32(0, 1)), 0,
			nil, "item 1: base_offset 18446744073709551615 + extent_offset 1 overflows", 16, false},
		{"truncated", full("iloc", 0, 0, []byte{0x44, 0x00}, u16(1), u16(1, 0, 1), u32(0)), 0,
			nil, "box 'iloc': truncated", 26, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, locs, err := ParseIloc(boxOf(t, tt.box))
			check(t, locs, tt.want, err, tt.reason, tt.off, tt.unsupported)
			if v != tt.version {
				t.Errorf("version %d, want %d", v, tt.version)
			}
		})
	}
	t.Run("too many extents", func(t *testing.T) {
		// offset_size and length_size 0: an extent costs no bytes.
		var entries []byte
		for id := uint16(1); id <= 5; id++ {
			entries = append(entries, u16(id, 0, 0xffff)...)
		}
		_, _, err := ParseIloc(boxOf(t, full("iloc", 0, 0, []byte{0, 0}, u16(5), entries)))
		checkErr(t, err, "'iloc' has more than 262144 extents", 16+4*6, false)
	})
}

func TestResolve(t *testing.T) {
	self := []bool{false, true}
	tests := []struct {
		name        string
		method      uint8
		dataRef     uint16
		extents     []Extent
		idatSize    int64
		want        []Extent
		reason      string
		unsupported bool
	}{
		{"to the end", 0, 0, []Extent{{2, 3}, {5, 0}}, -1, []Extent{{2, 3}, {5, 5}}, "", false},
		{"empty at the end", 0, 2, []Extent{{10, 0}}, -1, []Extent{{10, 0}}, "", false},
		{"idat", 1, 0, []Extent{{1, 0}}, 4, []Extent{{1, 3}}, "", false},
		{"offset outside", 0, 0, []Extent{{11, 0}}, -1, nil, "item 4 extent at 11 points outside its 10-byte container", false},
		{"length outside", 1, 0, []Extent{{2, 7}}, 4, nil, "item 4 extent 2+7 points outside its 4-byte container", false},
		{"no idat", 1, 0, nil, -1, nil, "item 4 is in 'idat', but there is none", false},
		{"method 2", 2, 0, nil, -1, nil, "item 4 uses construction method 2", true},
		{"another file", 0, 1, nil, -1, nil, "item 4's data is in another file", true},
		{"no such data reference", 0, 3, nil, -1, nil, "item 4's data is in another file", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Location{Offset: 30, ItemID: 4, Method: tt.method, DataRef: tt.dataRef, Extents: tt.extents}
			err := l.Resolve(10, tt.idatSize, self)
			checkErr(t, err, tt.reason, 30, tt.unsupported)
			if err == nil && !reflect.DeepEqual(l.Extents, tt.want) {
				t.Errorf("got %v, want %v", l.Extents, tt.want)
			}
		})
	}
}

func TestParseIref(t *testing.T) {
	tests := []struct {
		name   string
		box    []byte
		want   []Ref
		reason string
		off    int64
		unsup  bool
	}{
		{"version 0", full("iref", 0, 0, raw("dimg", u16(1, 2, 2, 3)), raw("cdsc", u16(4, 1, 1))),
			[]Ref{{bmff.FourCC{'d', 'i', 'm', 'g'}, 1, []uint32{2, 3}}, {bmff.FourCC{'c', 'd', 's', 'c'}, 4, []uint32{1}}}, "", 0, false},
		{"version 1", full("iref", 1, 0, raw("thmb", u32(1<<20), u16(1), u32(1))),
			[]Ref{{bmff.FourCC{'t', 'h', 'm', 'b'}, 1 << 20, []uint32{1}}}, "", 0, false},
		{"version 2", full("iref", 2, 0), nil, "'iref' version 2", 0, true},
		{"self", full("iref", 0, 0, raw("auxl", u16(1, 1, 1))), nil, "item 1 has a \"auxl\" reference to itself", 12, false},
		{"count", full("iref", 0, 0, raw("dimg", u16(1, 3, 2))), nil, "\"dimg\" reference declares 3 items in 2 bytes", 12, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, refs, err := ParseIref(boxOf(t, tt.box))
			check(t, refs, tt.want, err, tt.reason, tt.off, tt.unsup)
			if tt.name == "count" && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("error %v does not wrap io.ErrUnexpectedEOF", err)
			}
		})
	}
}

func TestParseIprp(t *testing.T) {
	ipco := raw("ipco", full("ispe", 0, 0, u32(64, 48)), raw("colr", []byte("nclx")))
	ipma7 := full("ipma", 0, 0, u32(1), u16(1), []byte{2, 0x81, 0x02})
	ipma15 := full("ipma", 1, 1, u32(1), u32(2), []byte{1}, u16(0x8002))
	p, err := ParseIprp(boxOf(t, raw("iprp", ipco, raw("abcd"), ipma7, ipma15)))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Props) != 2 || p.Props[1].Type != (bmff.FourCC{'c', 'o', 'l', 'r'}) {
		t.Errorf("props %v", p.Props)
	}
	want := []Ipma{
		{Version: 0, Flags: 0, Entries: []IpmaEntry{{1, []Assoc{{true, 1}, {false, 2}}}}},
		{Version: 1, Flags: 1, Entries: []IpmaEntry{{2, []Assoc{{true, 2}}}}},
	}
	if !reflect.DeepEqual(p.Ipmas, want) {
		t.Errorf("ipmas %+v, want %+v", p.Ipmas, want)
	}
	if len(p.Children) != 3 || len(p.Other) != 1 || p.Other[0].Type != (bmff.FourCC{'a', 'b', 'c', 'd'}) {
		t.Errorf("children %d, other %v", len(p.Children), p.Other)
	}
	for _, tt := range []struct {
		name        string
		box         []byte
		reason      string
		off         int64
		unsupported bool
	}{
		{"second ipco", raw("iprp", raw("abcd"), ipco, ipco), "second 'ipco' box", 16 + int64(len(ipco)), false},
		{"ipma without ipco", raw("iprp", ipma7), "'ipma' without 'ipco'", 0, false},
		{"ipma version 2", raw("iprp", ipco, full("ipma", 2, 0)), "'ipma' version 2", 8 + int64(len(ipco)), true},
		{"ipma truncated", raw("iprp", ipco, full("ipma", 0, 0, u32(1), u16(1), []byte{2, 1})), "box 'ipma': truncated", 8 + int64(len(ipco)) + 20, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseIprp(boxOf(t, tt.box))
			checkErr(t, err, tt.reason, tt.off, tt.unsupported)
			if tt.name == "second ipco" && len(p.Other) != 1 {
				t.Errorf("other %v: want the box read before the error", p.Other)
			}
		})
	}
}

func TestParseDinf(t *testing.T) {
	dref := full("dref", 0, 0, u32(3), full("url ", 0, 1), full("urn ", 0, 0, []byte("urn:a\x00")), raw("abcd", u32(0)))
	entries, err := ParseDinf(boxOf(t, raw("dinf", raw("zzzz", []byte{1}), dref)))
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		typ    string
		inDref bool
		loc    string
		self   bool
	}
	var g []got
	for _, e := range entries {
		g = append(g, got{e.Box.Type.String(), e.InDref, string(e.Location), e.SelfContained})
	}
	want := []got{{"zzzz", false, "", false}, {"url", true, "", true}, {"urn", true, "urn:a\x00", false}, {"abcd", true, "", false}}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("got %+v, want %+v", g, want)
	}
	_, err = ParseDinf(boxOf(t, raw("dinf", full("dref", 0, 0, u32(2), full("url ", 0, 1)))))
	checkErr(t, err, "'dref' declares 2 entries but holds 1", 8, false)
}

func TestParseGrpl(t *testing.T) {
	groups, err := ParseGrpl(boxOf(t, raw("grpl", full("altr", 0, 0, u32(10, 2, 1, 2)), full("ster", 0, 0, u32(11, 1, 3), []byte("x")))))
	if err != nil {
		t.Fatal(err)
	}
	want := []Group{
		{Type: bmff.FourCC{'a', 'l', 't', 'r'}, ID: 10, IDs: []uint32{1, 2}},
		{Type: bmff.FourCC{'s', 't', 'e', 'r'}, ID: 11, IDs: []uint32{3}, Trailing: Trailing{Offset: 8 + 28 + 24, Len: 1, Box: "box 'ster'"}},
	}
	if !reflect.DeepEqual(groups, want) {
		t.Errorf("got %+v, want %+v", groups, want)
	}
	_, err = ParseGrpl(boxOf(t, raw("grpl", full("altr", 0, 0, u32(10, 1<<30)))))
	checkErr(t, err, "group \"altr\" declares 1073741824 entities in 0 bytes", 8, false)
}

func TestParseHdlrPitm(t *testing.T) {
	name, tr, err := ParseHdlr(boxOf(t, full("hdlr", 0, 0, u32(0), []byte("pict"), make([]byte, 12), []byte("libavif\x00\x00"))))
	if err != nil || name != "libavif" || tr.Len != 0 {
		t.Errorf("got %q, %+v, %v; want libavif, no trailing bytes, no error", name, tr, err)
	}
	_, _, err = ParseHdlr(boxOf(t, full("hdlr", 0, 0, u32(0), []byte("vide"), make([]byte, 12))))
	checkErr(t, err, "'meta' handler is \"vide\", not 'pict'", 0, true)
	for _, tt := range []struct {
		box  []byte
		want uint32
	}{
		{full("pitm", 0, 0, u16(7)), 7},
		{full("pitm", 1, 0, u32(1<<20)), 1 << 20},
	} {
		if id, err := ParsePitm(boxOf(t, tt.box)); id != tt.want || err != nil {
			t.Errorf("ParsePitm = %d, %v; want %d", id, err, tt.want)
		}
	}
}

// sampleFiles returns the HEIF and AVIF samples of testdata and the
// inputs of the exifscrub package's FuzzHEIF corpus.
func sampleFiles(tb testing.TB) map[string][]byte {
	files := map[string][]byte{}
	for _, pattern := range []string{"*.heic", "*.heif", "*.avif"} {
		paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", pattern))
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				tb.Fatal(err)
			}
			files[p] = b
		}
	}
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "fuzz", "FuzzHEIF", "*"))
	for _, p := range seeds {
		f, err := os.Open(p)
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			if l := sc.Text(); strings.HasPrefix(l, "[]byte(") && strings.HasSuffix(l, ")") {
				if s, err := strconv.Unquote(l[len("[]byte(") : len(l)-1]); err == nil {
					files[p] = []byte(s)
				}
			}
		}
		f.Close()
	}
	return files
}

// A parsed file is what parseAll read of a file's 'meta' box.
type parsed struct {
	name    string
	items   []Item
	primary uint32
	locs    []Location
	refs    []Ref
	iprp    Iprp
	dinf    []DataEntry
	groups  []Group
	errs    []error
}

// parseAll reads the 'meta' box of a file with every Parse function.
func parseAll(b []byte) parsed {
	var p parsed
	r := bmff.NewReader(b, 0, true)
	for bx, ok := r.Next(); ok; bx, ok = r.Next() {
		if bx.Type != bmff.BoxMeta {
			continue
		}
		c := bmff.NewCursor(bx)
		c.FullBox()
		mr := bmff.NewReader(c.Rest(), c.Offset(), false)
		for ch, ok := mr.Next(); ok; ch, ok = mr.Next() {
			var err error
			switch ch.Type {
			case bmff.BoxHdlr:
				p.name, _, err = ParseHdlr(ch)
			case BoxPitm:
				p.primary, err = ParsePitm(ch)
			case BoxIinf:
				_, p.items, err = ParseIinf(ch)
			case BoxIloc:
				_, p.locs, err = ParseIloc(ch)
			case BoxIref:
				_, p.refs, err = ParseIref(ch)
			case BoxIprp:
				p.iprp, err = ParseIprp(ch)
			case bmff.BoxDinf:
				p.dinf, err = ParseDinf(ch)
			case BoxGrpl:
				p.groups, err = ParseGrpl(ch)
			}
			if err != nil {
				p.errs = append(p.errs, err)
			}
		}
	}
	var self []bool
	for _, e := range p.dinf {
		if e.InDref {
			self = append(self, e.SelfContained)
		}
	}
	for i := range p.locs {
		if p.locs[i].Method == 0 {
			if err := p.locs[i].Resolve(uint64(len(b)), -1, self); err != nil {
				p.errs = append(p.errs, err)
			}
		}
	}
	return p
}

func TestSamples(t *testing.T) {
	for name, b := range sampleFiles(t) {
		if !strings.HasSuffix(name, ".heif") && !strings.HasSuffix(name, ".heic") && !strings.HasSuffix(name, ".avif") {
			continue
		}
		t.Run(filepath.Base(name), func(t *testing.T) {
			p := parseAll(b)
			if len(p.errs) > 0 {
				t.Fatal(p.errs)
			}
			found := false
			for _, it := range p.items {
				found = found || it.ID == p.primary
			}
			if !found || len(p.locs) == 0 || len(p.iprp.Props) == 0 || len(p.iprp.Ipmas) == 0 {
				t.Errorf("primary %d in items %v: %v; %d locations, %d properties, %d ipma", p.primary, p.items, found, len(p.locs), len(p.iprp.Props), len(p.iprp.Ipmas))
			}
		})
	}
}

// FuzzMeta parses the 'meta' box of arbitrary files. Invariants: no
// panic; every error is an *Error at an offset within the input; every
// offset returned (locations, trailing bytes) is within the input, and a
// resolved extent within its file.
func FuzzMeta(f *testing.F) {
	for _, b := range sampleFiles(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := parseAll(b)
		size := int64(len(b))
		for _, err := range p.errs {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is a %T, not an *Error", err, err)
			}
			if e.Offset < 0 || e.Offset > size {
				t.Errorf("error %v at offset %d outside the %d-byte input", e, e.Offset, size)
			}
		}
		trailing := []Trailing{}
		for _, it := range p.items {
			trailing = append(trailing, it.Trailing)
		}
		for _, g := range p.groups {
			trailing = append(trailing, g.Trailing)
		}
		for _, tr := range trailing {
			if tr.Len < 0 || tr.Offset < 0 || tr.Offset+int64(tr.Len) > size {
				t.Errorf("trailing bytes %+v outside the %d-byte input", tr, size)
			}
		}
		for _, l := range p.locs {
			if l.Offset < 0 || l.Offset > size {
				t.Errorf("location at %d outside the input", l.Offset)
			}
			if len(p.errs) > 0 || l.Method != 0 {
				continue
			}
			for _, e := range l.Extents {
				if e.Off+e.Len > uint64(size) || e.Off+e.Len < e.Off {
					t.Errorf("resolved extent %+v outside the %d-byte input", e, size)
				}
			}
		}
	})
}
