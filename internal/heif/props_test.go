package heif

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// TestRebuildProperty checks properties rebuilt from their fields: set
// reserved bits cleared, bytes after the fields and unknown versions
// left out, truncations and unknown types refused.
func TestRebuildProperty(t *testing.T) {
	tests := []struct {
		name      string
		prop, out []byte
		essential bool
		reason    string // of the error; "" for none
		off       int64
		unsup     bool
		version   uint8 // Rebuilt.Version, for a property that goes
		subtype   int
		trailing  int
		segments  []Segment
	}{
		{name: "ispe", prop: full("ispe", 0, 0, u32(64, 48)), out: full("ispe", 0, 0, u32(64, 48))},
		{name: "ispe flags", prop: full("ispe", 0, 7, u32(64, 48)), out: full("ispe", 0, 0, u32(64, 48))},
		{name: "ispe trailing", prop: full("ispe", 0, 0, u32(64, 48), []byte("XY")), out: full("ispe", 0, 0, u32(64, 48)), trailing: 2},
		{name: "ispe zero padding", prop: full("ispe", 0, 0, u32(64, 48), []byte{0, 0}), out: full("ispe", 0, 0, u32(64, 48))},
		{name: "ispe version 1", prop: full("ispe", 1, 0, u32(64, 48)), version: 1},
		{name: "ispe version 1 essential", prop: full("ispe", 1, 0, u32(64, 48)), essential: true,
			reason: "essential property \"ispe\" version 1", unsup: true},
		{name: "ispe truncated", prop: full("ispe", 0, 0, u32(64)), reason: "box 'ispe': truncated", off: 12},
		{name: "irot reserved bits", prop: raw("irot", []byte{0xfd}), out: raw("irot", []byte{1})},
		{name: "imir reserved bits", prop: raw("imir", []byte{0xff}), out: raw("imir", []byte{1})},
		{name: "pixi", prop: full("pixi", 0, 0, []byte{3, 8, 8, 8, 9}), out: full("pixi", 0, 0, []byte{3, 8, 8, 8}), trailing: 1},
		{name: "a1lx large", prop: raw("a1lx", []byte{0xff}, u32(1, 2, 3)), out: raw("a1lx", []byte{1}, u32(1, 2, 3))},
		{name: "cclv", prop: raw("cclv", []byte{0x13}, u32(5, 6)), out: raw("cclv", []byte{0x10}, u32(5)), trailing: 4},
		{name: "rref", prop: full("rref", 0, 0, []byte{1}, []byte("dimg")), out: full("rref", 0, 0, []byte{1}, []byte("dimg"))},
		{name: "auxC alpha subtype", prop: full("auxC", 0, 0, []byte("urn:mpeg:hevc:2015:auxid:1\x00SUB")),
			out: full("auxC", 0, 0, []byte("urn:mpeg:hevc:2015:auxid:1\x00")), subtype: 3},
		{name: "auxC depth subtype", prop: full("auxC", 0, 0, []byte("urn:mpeg:hevc:2015:auxid:2\x00SUB")),
			out: full("auxC", 0, 0, []byte("urn:mpeg:hevc:2015:auxid:2\x00SUB"))},
		{name: "av1C", prop: raw("av1C", []byte{0x81, 0, 0x0c, 0xff}), out: raw("av1C", []byte{0x81, 0, 0x0c, 0x1f})},
		{name: "av1C version", prop: raw("av1C", []byte{0x82, 0, 0, 0}), reason: "'av1C' version byte 0x82", unsup: true},
		{name: "jpgC", prop: raw("jpgC", []byte{0xff, 0xd8, 0xff, 0xe1, 0, 4, 'E', 'x', 0xff, 0xdb, 0, 3, 7}),
			out: raw("jpgC", []byte{0xff, 0xd8, 0xff, 0xdb, 0, 3, 7}), segments: []Segment{{0xe1, 2}}},
		{name: "jpgC unbounded", prop: raw("jpgC", []byte{0xff, 0xfe, 0, 4, 'C', 'O', 0x12}),
			reason: "'jpgC': no marker at 6", unsup: true, segments: []Segment{{0xfe, 2}}},
		{name: "colr", prop: raw("colr", []byte("nclx")), reason: "property \"colr\": its fields are not rebuilt, and it is not copied whole", unsup: true},
		{name: "unknown", prop: raw("evcC", []byte{1}), reason: "property \"evcC\": its fields are not rebuilt, and it is not copied whole", unsup: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := RebuildProperty(boxOf(t, tt.prop), tt.essential)
			if tt.reason != "" {
				checkErr(t, err, tt.reason, tt.off, tt.unsup)
			} else if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r.Box, tt.out) {
				t.Errorf("got %x, want %x", r.Box, tt.out)
			}
			if r.Version != tt.version || r.Subtype != tt.subtype || r.Trailing.Len != tt.trailing {
				t.Errorf("got version %d, subtype %d, trailing %d; want %d, %d, %d", r.Version, r.Subtype, r.Trailing.Len, tt.version, tt.subtype, tt.trailing)
			}
			if len(r.Segments) != len(tt.segments) || len(r.Segments) > 0 && r.Segments[0] != tt.segments[0] {
				t.Errorf("got segments %v, want %v", r.Segments, tt.segments)
			}
		})
	}
}

// TestNALConfigRebuild checks the rebuilt decoder configuration records of
// L-HEVC and VVC: parameter sets and their headers stay byte for byte,
// reserved bits are set as the standard has them, user-data SEI and
// arrays left empty go.
func TestNALConfigRebuild(t *testing.T) {
	marker := []byte("PLANTEDCFG")
	userSEI := func(h0, h1 byte) []byte { // an SEI NAL unit with user data, after a 2-byte header
		b := []byte{h0, h1, 5, byte(16 + len(marker))}
		b = append(append(append(b, make([]byte, 16)...), marker...), 0x80)
		return b
	}
	array := func(a byte, counted bool, nals ...[]byte) []byte {
		b := []byte{a}
		if counted {
			b = binary.BigEndian.AppendUint16(b, uint16(len(nals)))
		}
		for _, n := range nals {
			b = append(binary.BigEndian.AppendUint16(b, uint16(len(n))), n...)
		}
		return b
	}
	vvcSPS := []byte{0, 15<<3 | 1, 0xaa, 0xbb}
	vvcDCI := []byte{0, 13<<3 | 1, 0xcc}
	vvcSEI := userSEI(0, 23<<3|1)
	// ptl_present, 4-byte lengths; ols_idx 0, 2 sublayers, chroma 1,
	// 8 bits; PTL with 1 byte of constraint info, sublayer 0's level
	// present, one sub-profile; 64×48 at 0 fps.
	vvcHead := []byte{0xff, 0x00, 0x21, 0x1f, 0x01, 0x02, 0x33, 0xc0, 0x80, 0x40, 0x01, 0, 0, 0, 9, 0, 64, 0, 48, 0, 0}
	vvcHeadDirty := append([]byte(nil), vvcHead...)
	vvcHeadDirty[0] = 0x07 // reserved bits 0 (want 1)
	vvcHeadDirty[3] = 0x00
	vvcHeadDirty[4] = 0xc1 // reserved bits 1 (want 0)
	vvcHeadDirty[8] = 0xbf // reserved zero bits set
	lhvSPS := []byte{33 << 1, 1, 0xaa}
	lhvSEI := userSEI(39<<1, 1)
	lhvHead := []byte{1, 0xf0, 0x00, 0xfc, 0xcf}
	tests := []struct {
		name      string
		prop, out []byte
	}{
		{"vvcC with PTL",
			full("vvcC", 0, 0, vvcHeadDirty, []byte{3}, array(13, false, vvcDCI), array(0x80|23, true, vvcSEI), array(0x80|15, true, vvcSPS)),
			full("vvcC", 0, 0, vvcHead, []byte{2}, array(13, false, vvcDCI), array(0x80|15, true, vvcSPS))},
		{"vvcC without PTL", full("vvcC", 0, 0, []byte{0x06, 1}, array(15, true, vvcSPS)),
			full("vvcC", 0, 0, []byte{0xfe, 1}, array(15, true, vvcSPS))},
		{"vvcC trailing bytes", full("vvcC", 0, 0, []byte{0xfe, 0}, marker),
			full("vvcC", 0, 0, []byte{0xfe, 0})},
		{"lhvC", raw("lhvC", []byte{1, 0, 0, 0, 0x0f}, []byte{2}, array(0x80|39, true, lhvSEI), array(0xc0|33, true, lhvSPS), marker),
			raw("lhvC", lhvHead, []byte{1}, array(0x80|33, true, lhvSPS))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := RebuildProperty(boxOf(t, tt.prop), true)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r.Box, tt.out) {
				t.Errorf("rebuilt\n%x\nwant\n%x", r.Box, tt.out)
			}
			if bytes.Contains(tt.prop, marker) && len(r.Removed) == 0 && r.Trailing.Len == 0 {
				t.Errorf("the removed SEI or bytes are not returned: %+v", r)
			}
		})
	}
	// Configurations Scrub does not rebuild are refused, not copied.
	for _, typ := range []string{"evcC", "j2kH", "uncC", "cmpd", "oinf"} {
		if _, err := RebuildProperty(boxOf(t, raw(typ, marker)), false); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", typ, err)
		}
	}
}

// FuzzRebuildProperty checks that no property makes RebuildProperty
// panic, that its errors carry offsets within the box, and that a
// rebuilt property is one box, of the same type, that rebuilds to
// itself: nothing it wrote is left out the second time.
func FuzzRebuildProperty(f *testing.F) {
	for _, b := range sampleFiles(f) {
		r := bmff.NewReader(b, 0, true)
		for bx := range r.All() {
			if bx.Type != bmff.BoxMeta || len(bx.Payload) < 4 {
				continue
			}
			mr := bmff.NewReader(bx.Payload[4:], bx.PayloadOffset()+4, false)
			for c := range mr.All() {
				if c.Type != BoxIprp {
					continue
				}
				if p, err := ParseIprp(c); err == nil {
					for _, prop := range p.Props {
						f.Add(append([]byte(nil), prop.Payload...), prop.Type.String())
					}
				}
			}
		}
	}
	f.Add([]byte{0x81, 0, 0, 0}, "av1C")
	f.Add([]byte{0, 0, 0, 0, 3, 8, 8, 8}, "pixi")
	f.Fuzz(func(t *testing.T, payload []byte, typ string) {
		if len(typ) != 4 || len(payload) > 1<<16 {
			return
		}
		in := raw(typ, payload)
		p := boxOf(t, in)
		r, err := RebuildProperty(p, false)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > int64(len(in)) {
				t.Fatalf("error %v without an offset in the box", err)
			}
			return
		}
		if r.Box == nil {
			return
		}
		q := boxOf(t, r.Box)
		if q.Type != p.Type || len(r.Box) != 8+len(q.Payload) {
			t.Fatalf("rebuilt %q as %x", p.Type, r.Box)
		}
		again, err := RebuildProperty(q, false)
		if err != nil || !bytes.Equal(again.Box, r.Box) {
			t.Fatalf("rebuilt %x, then %x (%v)", r.Box, again.Box, err)
		}
	})
}
