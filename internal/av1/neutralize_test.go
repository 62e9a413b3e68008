package av1

import (
	"bytes"
	"reflect"
	"testing"
)

func TestNeutralize(t *testing.T) {
	pad := func(o []byte) []byte { // o as a padding OBU of the same length
		p := append([]byte(nil), o...)
		p[0] = p[0]&^0x78 | OBUPadding<<3
		_, n, _ := LEB128(p[1:])
		clear(p[1+n:])
		return p
	}
	padText := obu(OBUPadding, []byte("PLANTED"))
	tests := []struct {
		name    string
		in      [][]byte
		want    [][]byte
		removed Removed
	}{
		{"clean", [][]byte{temporalDelimiter, sequenceHeader, frame, lightLevel, mastering}, nil, nil},
		{"T.35 metadata", [][]byte{temporalDelimiter, t35, frame},
			[][]byte{temporalDelimiter, pad(t35), frame}, Removed{"Metadata4": {1, len(t35) - 2}}},
		{"padding with text", [][]byte{frame, padText},
			[][]byte{frame, pad(padText)}, Removed{"Padding": {1, 7}}},
		{"reserved type", [][]byte{obu(12, []byte("PLANTED")), frame},
			[][]byte{pad(obu(12, []byte("PLANTED"))), frame}, Removed{"OBU12": {1, 7}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := bytes.Join(tt.in, nil)
			want := data
			if tt.want != nil {
				want = bytes.Join(tt.want, nil)
			}
			want = append([]byte(nil), want...)
			rm, err := Neutralize(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rm, tt.removed) {
				t.Errorf("removed %v, want %v", rm, tt.removed)
			}
			if !bytes.Equal(data, want) {
				t.Errorf("got % x, want % x", data, want)
			}
			if rm, _ := Neutralize(data); rm != nil {
				t.Errorf("second pass removed %v", rm)
			}
		})
	}
	if _, err := Neutralize([]byte{0x80}); err == nil {
		t.Error("forbidden bit: no error")
	}
}

// FuzzNeutralize: the length never changes, and a second pass changes
// nothing.
func FuzzNeutralize(f *testing.F) {
	f.Add(bytes.Join([][]byte{temporalDelimiter, sequenceHeader, t35, frame}, nil))
	f.Add(bytes.Join([][]byte{frame, obu(OBUPadding, []byte("PLANTED")), lightLevel}, nil))
	f.Add([]byte{OBUMetadata<<3 | 2, 0x7f})
	f.Fuzz(func(t *testing.T, data []byte) {
		n := len(data)
		if _, err := Neutralize(data); err != nil {
			return
		}
		if len(data) != n {
			t.Fatalf("length %d, want %d", len(data), n)
		}
		if rm, err := Neutralize(data); err != nil || rm != nil {
			t.Fatalf("second pass: %v, %v", rm, err)
		}
	})
}
