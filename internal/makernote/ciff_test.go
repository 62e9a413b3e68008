package makernote

import (
	"encoding/binary"
	"reflect"
	"testing"
)

// A rec is one CIFF record for buildHeap: data out of place, or in
// place (8 bytes) when the tag has 0x4000 set.
type rec struct {
	tag  uint16
	data []byte
}

// buildHeap returns a CIFF heap of recs (CIFF 1.0r4: the data, then the
// directory, then the directory's offset from the heap's start).
func buildHeap(bo binary.AppendByteOrder, recs ...rec) []byte {
	var data, dir []byte
	dir = bo.AppendUint16(dir, uint16(len(recs)))
	for _, r := range recs {
		dir = bo.AppendUint16(dir, r.tag)
		if r.tag&0x4000 != 0 {
			v := make([]byte, 8)
			copy(v, r.data)
			dir = append(dir, v...)
			continue
		}
		dir = bo.AppendUint32(dir, uint32(len(r.data)))
		dir = bo.AppendUint32(dir, uint32(len(data)))
		data = append(data, r.data...)
	}
	h := append(data, dir...)
	return bo.AppendUint32(h, uint32(len(data)))
}

// ciffAPP0 returns an APP0 payload holding the heap h.
func ciffAPP0(h []byte) []byte {
	return append([]byte("II\x1a\x00\x00\x00HEAPJPGM\x01\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"), h...)
}

func TestReadCIFF(t *testing.T) {
	le := binary.LittleEndian
	ts := make([]byte, 12)
	le.PutUint32(ts, 972687386) // 2000:10:27 22:56:26
	image := buildHeap(le, rec{0x0810, []byte("Chris Smith\x00")}, rec{0x080a, []byte("Canon\x00Canon PowerShot A5\x00")})
	tests := []struct {
		name string
		p    []byte
		want []Field
	}{
		{"owner, camera and time, in nested heaps", ciffAPP0(buildHeap(le,
			rec{0x300a, buildHeap(le, rec{0x180e, ts}, rec{0x2804, image})},
			rec{0x0817, []byte(`C:\DC97\CTG_0156\THM_7808.JPG` + "\x00")},
			rec{0x5834 | 0x4000, le.AppendUint32(nil, 0x1140000)})), []Field{
			{0x180e, "DateTimeOriginal", Time, "2000:10:27 22:56:26"},
			{0x0810, "OwnerName", Identity, "Chris Smith"},
			{0x080a, "Make", Device, "Canon"},
			{0x080a, "Model", Device, "Canon PowerShot A5"},
			{0x0817, "ThumbnailFileName", Text, `C:\DC97\CTG_0156\THM_7808.JPG`},
			{0x1834, "CanonModelID", Device, "18087936"},
		}},
		{"empty fields say nothing", ciffAPP0(buildHeap(le, rec{0x0810, make([]byte, 32)}, rec{0x0805, []byte("\x00")})), nil},
		{"not CIFF", []byte("JFIF\x00\x01\x02"), nil},
		{"a header length past the end", []byte("II\xff\x00\x00\x00HEAPJPGM"), nil},
		{"a directory offset past the end", ciffAPP0([]byte{0xff, 0xff, 0xff, 0x7f}), nil},
		{"a record past the heap", ciffAPP0(buildHeap(le, rec{0x0810, []byte("Chris Smith\x00")})[:8]), nil},
		{"a heap that holds itself", func() []byte {
			h := buildHeap(le, rec{0x300a, make([]byte, 16)})
			le.PutUint32(h[16+2:], uint32(len(h))) // size: the whole heap
			le.PutUint32(h[16+6:], 0)
			return ciffAPP0(h)
		}(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReadCIFF(tt.p); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v,\nwant %+v", got, tt.want)
			}
		})
	}
}
