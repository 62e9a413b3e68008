package nal

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// hvcCRecord builds an 'hvcC' payload: 22 bytes of fields with the given
// first byte (the rest zero, reserved bits clear), then one array per
// NAL unit.
func hvcCRecord(units ...[]byte) []byte {
	b := append(make([]byte, 22), byte(len(units)))
	b[0] = 1 // configurationVersion
	for _, u := range units {
		b = append(b, 0x80|byte(u[0]>>1&0x3f), 0, 1, byte(len(u)>>8), byte(len(u)))
		b = append(b, u...)
	}
	return b
}

// rewrite runs WriteConfig on a box of type typ holding payload.
func rewrite(typ string, payload []byte) ([]byte, Removed, error) {
	var t bmff.FourCC
	copy(t[:], typ)
	c := bmff.NewCursor(bmff.Box{Type: t, HeaderLen: 8, Payload: payload})
	var w bmff.Writer
	removed := WriteConfig(&w, c, t)
	return w.Bytes(), removed, c.Err()
}

// TestWriteConfig checks the rebuilt records: parameter sets and HDR SEI
// stay, user data and units a configuration does not hold go (and an
// array left empty with them), reserved bits are set, and bytes after the
// record are not written.
func TestWriteConfig(t *testing.T) {
	hdr := sei(hevcSEI, 137, mastering)
	wantHdr := make([]byte, 22)
	wantHdr[0] = 1
	wantHdr[13], wantHdr[15], wantHdr[16], wantHdr[17], wantHdr[18] = 0xf0, 0xfc, 0xfc, 0xf8, 0xf8
	avc := []byte{1, 0x42, 0, 0x1e, 0xff, 0xe1, 0, 4, 0x67, 0x42, 0, 0x1e, 1, 0, 2, 0x68, 0xce}
	tests := []struct {
		name    string
		typ     string
		in      []byte
		want    []byte
		removed Removed
	}{
		{"hvcC parameter sets", "hvcC", hvcCRecord(hevcVPS, hevcSPS),
			append(wantHdr[:22:22], hvcCRecord(hevcVPS, hevcSPS)[22:]...), nil},
		{"hvcC user data goes, HDR stays", "hvcC", hvcCRecord(hevcVPS, sei(hevcSEI, 5, userData, 137, mastering)),
			append(wantHdr[:22:22], hvcCRecord(hevcVPS, hdr)[22:]...), Removed{"UserDataUnregistered": {1, len(userData)}}},
		{"hvcC slice in a record", "hvcC", hvcCRecord(hevcVPS, hevcSlice),
			append(wantHdr[:22:22], hvcCRecord(hevcVPS)[22:]...), Removed{"NALUnit19": {1, len(hevcSlice)}}},
		{"hvcC bytes after", "hvcC", append(hvcCRecord(hevcVPS), "TRAILING"...),
			append(wantHdr[:22:22], hvcCRecord(hevcVPS)[22:]...), nil},
		{"avcC", "avcC", avc, avc, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, removed, err := rewrite(tt.typ, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got  % x\nwant % x", got, tt.want)
			}
			if !reflect.DeepEqual(removed, tt.removed) {
				t.Errorf("removed %v, want %v", removed, tt.removed)
			}
		})
	}
	if _, _, err := rewrite("hvcC", hvcCRecord(hevcVPS)[:30]); err == nil {
		t.Errorf("a truncated record: no error")
	}
}

// FuzzWriteConfig checks that a rebuilt record never panics, fails with
// an offset inside its box, and is rebuilt to itself.
func FuzzWriteConfig(f *testing.F) {
	f.Add(hvcCRecord(hevcVPS, sei(hevcSEI, 5, userData, 137, mastering), hevcSlice), byte(0))
	f.Add([]byte{1, 0x64, 0, 0x1e, 0xff, 0xe1, 0, 4, 0x67, 0x64, 0, 0x1e, 1, 0, 2, 0x68, 0xce, 0xfd, 0xf8, 0xf8, 0}, byte(1))
	f.Add([]byte{0xff, 0x01, 0x10, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x40, 0x00, 0x40, 0x00, 0x00, 0x00}, byte(3))
	f.Fuzz(func(t *testing.T, payload []byte, sel byte) {
		typ := []string{"hvcC", "avcC", "lhvC", "vvcC"}[sel%4]
		out, _, err := rewrite(typ, payload)
		if err != nil {
			var e *bmff.Error
			if !errors.As(err, &e) || e.Offset < 8 || e.Offset > int64(8+len(payload)) {
				t.Fatalf("error %v is not a *bmff.Error inside the box", err)
			}
			return
		}
		again, removed, err := rewrite(typ, out)
		if err != nil || removed != nil || !bytes.Equal(again, out) {
			t.Fatalf("rewriting the output again: %v, removed %v\n in  % x\n out % x", err, removed, out, again)
		}
	})
}
