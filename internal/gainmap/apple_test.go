package gainmap

import (
	"encoding/binary"
	"strings"
	"testing"
)

// appleNote builds an Apple MakerNote with a run time (tag 0x0003, which
// is private), and the HDR tags whose values are given.
func appleNote(headroom, gain *[2]int32) []byte { return appleNoteID("", headroom, gain) }

// appleNoteID is appleNote with a content identifier (tag 0x0011), when
// id is not empty.
func appleNoteID(id string, headroom, gain *[2]int32) []byte {
	be := binary.BigEndian
	type entry struct {
		tag, typ uint16
		val      []byte
	}
	es := []entry{{0x0003, 7, []byte("RUN-TIME-SECRET!")}}
	if id != "" {
		es = append(es, entry{0x0011, 2, append([]byte(id), 0)})
	}
	if headroom != nil {
		es = append(es, entry{0x0021, 10, be.AppendUint32(be.AppendUint32(nil, uint32(headroom[0])), uint32(headroom[1]))})
	}
	if gain != nil {
		es = append(es, entry{0x0030, 10, be.AppendUint32(be.AppendUint32(nil, uint32(gain[0])), uint32(gain[1]))})
	}
	b := be.AppendUint16([]byte(appleSignature), uint16(len(es)))
	off := len(b) + 12*len(es) + 4
	var values []byte
	for _, e := range es {
		b = be.AppendUint16(b, e.tag)
		b = be.AppendUint16(b, e.typ)
		n := len(e.val)
		if e.typ == 2 && n <= 4 {
			b = be.AppendUint32(b, uint32(n))
			b = append(b, append(e.val, make([]byte, 4-n)...)...)
			continue
		}
		if e.typ == 10 {
			n = 1
		}
		b = be.AppendUint32(b, uint32(n))
		b = be.AppendUint32(b, uint32(off+len(values)))
		values = append(values, e.val...)
	}
	return append(be.AppendUint32(b, 0), values...)
}

func TestParseAppleMakerNote(t *testing.T) {
	h, g := [2]int32{8786, 10000}, [2]int32{-12, 1000}
	for _, tc := range []struct {
		name string
		in   []byte
		want AppleHDR
		ok   bool
	}{
		{"both", appleNote(&h, &g), AppleHDR{Headroom: h, Gain: g, HasHeadroom: true, HasGain: true}, true},
		{"headroom only (iOS 16)", appleNote(&h, nil), AppleHDR{Headroom: h, HasHeadroom: true}, true},
		{"neither", appleNote(nil, nil), AppleHDR{}, false},
		{"zero denominator", appleNote(&[2]int32{1, 0}, nil), AppleHDR{}, false},
		{"cut in its values", appleNote(&h, &g)[:len(appleNote(&h, &g))-4], AppleHDR{Headroom: h, HasHeadroom: true}, true},
		{"not Apple's", append([]byte("Nikon\x00"), make([]byte, 20)...), AppleHDR{}, false},
		{"count past the end", append([]byte(appleSignature), 0xff, 0xff), AppleHDR{}, false},
		{"Live Photo", appleNoteID(liveID, &h, nil), AppleHDR{Headroom: h, HasHeadroom: true, ContentIdentifier: liveID}, true},
		{"identifier only", appleNoteID(liveID, nil, nil), AppleHDR{ContentIdentifier: liveID}, true},
		{"short identifier, in the entry", appleNoteID("AB", nil, nil), AppleHDR{ContentIdentifier: "AB"}, true},
		{"identifier not text", appleNoteID("\x01\x02SECRET\xff", nil, nil), AppleHDR{}, false},
		{"identifier too long", appleNoteID(strings.Repeat("A", 65), nil, nil), AppleHDR{}, false},
	} {
		got, ok := ParseAppleMakerNote(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: ParseAppleMakerNote = %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
	a, _ := ParseAppleMakerNote(appleNote(&h, &g))
	out := a.MakerNote()
	if !IsAppleHDRMakerNote(out) {
		t.Errorf("MakerNote() = %x is not an HDR-only MakerNote", out)
	}
	if IsAppleHDRMakerNote(appleNote(&h, &g)) {
		t.Errorf("a MakerNote with a run time is taken for an HDR-only one")
	}
	live := AppleHDR{Headroom: h, HasHeadroom: true, ContentIdentifier: liveID}
	out = live.MakerNote()
	if got, ok := ParseAppleMakerNote(out); !ok || got != live {
		t.Errorf("%+v written as %x reads back as %+v", live, out, got)
	}
	if IsAppleHDRMakerNote(out) {
		t.Errorf("a MakerNote with a content identifier is taken for an HDR-only one")
	}
	if got := (AppleHDR{ContentIdentifier: "AB"}).MakerNote(); len(got) != len(appleSignature)+2+4 {
		t.Errorf("a short identifier is written: %x", got)
	}
}

// liveID is a content identifier as iPhones write it.
const liveID = "B5A9C4E2-4F1D-4D8A-9B6E-2C7F0A1D3E59"

// FuzzAppleMakerNote: ParseAppleMakerNote never panics, and what
// MakerNote writes of what it read reads back the same and is HDR-only.
func FuzzAppleMakerNote(f *testing.F) {
	h, g := [2]int32{8786, 10000}, [2]int32{-12, 1000}
	f.Add(appleNote(&h, &g))
	f.Add(appleNote(&h, nil))
	f.Add(AppleHDR{Gain: g, HasGain: true}.MakerNote())
	f.Add(appleNoteID(liveID, &h, &g))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, ok := ParseAppleMakerNote(b)
		if !ok {
			return
		}
		if id := a.ContentIdentifier; len(id) < 4 {
			a.ContentIdentifier = "" // not written
			if !a.HasHeadroom && !a.HasGain {
				return
			}
		}
		out := a.MakerNote()
		again, ok := ParseAppleMakerNote(out)
		if !ok || again != a || IsAppleHDRMakerNote(out) != (a.ContentIdentifier == "") {
			t.Fatalf("%+v written as %x reads back as %+v, %v", a, out, again, ok)
		}
	})
}
