package nal

import (
	"bytes"
	"reflect"
	"testing"
)

var (
	avcSEI      = []byte{6}
	avcSlice    = []byte{0x65, 0x88, 0x84, 0x00, 0x00, 0x03, 0x01}
	recovery    = []byte{0x80, 0x40} // recovery point: frame count 0, flags (type 6)
	x264Info    = append(bytes.Repeat([]byte{0xdc}, 16), "x264 - core 164 PLANTED"...)
	hevcSuffix  = []byte{40 << 1, 1}
	vvcSEI      = []byte{0, 23<<3 | 1}
	zerosInData = []byte{0x00, 0x00} // a kept payload ending in two zeros
)

// TestNeutralize checks single units: the length never changes, kept
// messages stay byte for byte, the rest becomes filler.
func TestNeutralize(t *testing.T) {
	fill := func(c Codec, hdr []byte, n int) []byte { // a filler data unit of n bytes
		u := append([]byte(nil), hdr...)
		u = append(u, bytes.Repeat([]byte{0xff}, n-len(hdr))...)
		c.toFiller(u)
		return u
	}
	long := bytes.Repeat([]byte("PLANTED!"), 40) // 320 bytes: a two-byte payload size
	tests := []struct {
		name    string
		c       Codec
		unit    []byte
		keep    []int
		want    []byte // nil: the unit is unchanged
		removed Removed
	}{
		{"AVC user data only", AVC, sei(avcSEI, 5, x264Info), nil,
			sei(avcSEI, 3, bytes.Repeat([]byte{0xff}, len(x264Info))),
			Removed{"UserDataUnregistered": {1, len(x264Info)}}},
		{"AVC recovery point and user data", AVC, sei(avcSEI, 6, recovery, 5, x264Info), nil,
			sei(avcSEI, 6, recovery, 3, bytes.Repeat([]byte{0xff}, len(x264Info))),
			Removed{"UserDataUnregistered": {1, len(x264Info)}}},
		{"AVC recovery point only", AVC, sei(avcSEI, 6, recovery), nil, nil, nil},
		{"AVC slice", AVC, append([]byte(nil), avcSlice...), nil, nil, nil},
		{"AVC long user data", AVC, sei(avcSEI, 5, long), nil,
			sei(avcSEI, 3, bytes.Repeat([]byte{0xff}, len(long))),
			Removed{"UserDataUnregistered": {1, len(long)}}},
		{"AVC filler with text", AVC, append([]byte{12}, "PLANTED\x80"...), nil,
			fill(AVC, []byte{12}, 9), Removed{"NALUnit12": {1, 9}}},
		{"AVC clean filler", AVC, []byte{12, 0xff, 0xff, 0x80}, nil, nil, nil},
		{"AVC unspecified", AVC, append([]byte{0x1e}, "PLANTED"...), nil,
			fill(AVC, []byte{0x1e}, 8), Removed{"NALUnit30": {1, 8}}},
		{"AVC unreadable SEI", AVC, []byte{6, 5, 200, 'P', 'L'}, nil,
			fill(AVC, []byte{6}, 5), Removed{"SEI": {1, 5}}},
		{"HEVC suffix user data, HDR kept", HEVC, sei(hevcSuffix, 144, lightLevel, 5, x264Info), nil,
			sei(hevcSuffix, 144, lightLevel, 3, bytes.Repeat([]byte{0xff}, len(x264Info))),
			Removed{"UserDataUnregistered": {1, len(x264Info)}}},
		{"HEVC time code and registered", HEVC, sei(hevcSEI, 136, []byte{1, 2, 3}, 4, []byte("PLANTED")), nil,
			sei(hevcSEI, 3, bytes.Repeat([]byte{0xff}, 3+7+2)),
			Removed{"SEI136": {1, 3}, "UserDataRegistered": {1, 7}}},
		{"HEVC Dolby Vision RPU kept", HEVC, append([]byte{62 << 1, 1}, "RPU"...), []int{62}, nil, nil},
		{"HEVC unspecified", HEVC, append([]byte{62 << 1, 1}, "RPU"...), nil,
			fill(HEVC, []byte{62 << 1, 1}, 5), Removed{"NALUnit62": {1, 5}}},
		{"HEVC kept message ends in zeros", HEVC, sei(hevcSEI, 6, zerosInData, 5, userData), nil,
			nil /* checked below by invariants */, Removed{"UserDataUnregistered": {1, len(userData)}}},
		{"VVC user data", VVC, sei(vvcSEI, 5, userData), nil,
			nil, // userData holds zeros, escaped: the filler is longer
			Removed{"UserDataUnregistered": {1, len(userData)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]byte(nil), tt.unit...)
			u := append([]byte(nil), tt.unit...)
			rm := tt.c.Neutralize(u, tt.keep...)
			if !reflect.DeepEqual(rm, tt.removed) {
				t.Errorf("removed %v, want %v", rm, tt.removed)
			}
			if len(u) != len(in) {
				t.Fatalf("length %d, want %d", len(u), len(in))
			}
			switch {
			case tt.want == nil && tt.removed == nil && !bytes.Equal(u, in):
				t.Errorf("got % x, want it unchanged", u)
			case tt.want != nil && !bytes.Equal(u, tt.want):
				t.Errorf("got % x, want % x", u, tt.want)
			}
			if bytes.Contains(u, []byte("PLANTED")) {
				t.Errorf("the marker survives: % x", u)
			}
			if rm := tt.c.Neutralize(u, tt.keep...); rm != nil {
				t.Errorf("a second pass removed %v", rm)
			}
		})
	}
}

// TestFillerMessages checks every length up to a few sizes of 255.
func TestFillerMessages(t *testing.T) {
	for n := 0; n < 1100; n++ {
		b := fillerMessages(n)
		if n < 2 {
			if b != nil {
				t.Errorf("n=%d: got % x, want nil", n, b)
			}
			continue
		}
		if len(b) != n {
			t.Fatalf("n=%d: %d bytes", n, len(b))
		}
		u := append([]byte{6}, append(b, 0x80)...)
		if rm := AVC.Neutralize(u); rm != nil || !bytes.Equal(u[1:], append(b, 0x80)) {
			t.Fatalf("n=%d: filler is not read back as filler: %v", n, rm)
		}
	}
}

func TestNeutralizeSample(t *testing.T) {
	data := units(4, sei(avcSEI, 5, x264Info), avcSlice, sei(avcSEI, 5, userData))
	in := append([]byte(nil), data...)
	rm, err := AVC.NeutralizeSample(data, 4)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Removed{"UserDataUnregistered": {2, len(x264Info) + len(userData)}}); !reflect.DeepEqual(rm, want) {
		t.Errorf("removed %v, want %v", rm, want)
	}
	if len(data) != len(in) || bytes.Contains(data, []byte("PLANTED")) || !bytes.Contains(data, avcSlice) {
		t.Errorf("got % x", data)
	}
	if _, err := AVC.NeutralizeSample(data[:len(data)-1], 4); err == nil {
		t.Error("a truncated sample: no error")
	}
}

// FuzzNeutralizeSample checks the invariants of the in-place rewrite: the
// length never changes, units other than SEI, filler and reserved ones
// are untouched, and a second pass changes nothing.
func FuzzNeutralizeSample(f *testing.F) {
	f.Add(units(4, sei(avcSEI, 6, recovery, 5, x264Info), avcSlice), 4, false)
	f.Add(units(4, sei(hevcSEI, 137, mastering, 5, userData), hevcSlice, hevcFiller), 4, true)
	f.Add(units(2, sei(hevcSEI, 6, zerosInData, 5, userData)), 2, true)
	f.Add(units(1, []byte{6, 5, 200}), 1, false)
	f.Fuzz(func(t *testing.T, data []byte, lenSize int, hevc bool) {
		c := AVC
		if hevc {
			c = HEVC
		}
		in := append([]byte(nil), data...)
		if _, err := c.NeutralizeSample(data, lenSize); err != nil {
			return
		}
		if len(data) != len(in) {
			t.Fatalf("length %d, want %d", len(data), len(in))
		}
		if rm, err := c.NeutralizeSample(data, lenSize); err != nil || rm != nil {
			t.Fatalf("second pass: %v, %v", rm, err)
		}
	})
}
