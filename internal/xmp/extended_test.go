package xmp

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// extendedChunk returns an Extended XMP chunk of a packet of full bytes
// holding data at off.
func extendedChunk(full, off int, data string) []byte {
	b := []byte(strings.Repeat("0", 32))
	b = binary.BigEndian.AppendUint32(b, uint32(full))
	b = binary.BigEndian.AppendUint32(b, uint32(off))
	return append(b, data...)
}

func TestExtended(t *testing.T) {
	big := strings.Repeat("x", maxExtended)
	tests := []struct {
		name   string
		chunks [][]byte
		want   string // the packet, when whole
		whole  bool
		seen   int
		short  int // chunks refused as too short
	}{
		{"none", nil, "", true, 0, 0},
		{"one", [][]byte{extendedChunk(3, 0, "abc")}, "abc", true, 3, 0},
		{"in order", [][]byte{extendedChunk(4, 0, "ab"), extendedChunk(4, 2, "cd")}, "abcd", true, 4, 0},
		{"out of order", [][]byte{extendedChunk(4, 2, "cd"), extendedChunk(4, 0, "ab")}, "", false, 4, 0},
		{"a gap", [][]byte{extendedChunk(5, 0, "ab"), extendedChunk(5, 3, "de")}, "", false, 4, 0},
		{"too short", [][]byte{make([]byte, extendedHeader-1), extendedChunk(1, 0, "a")}, "a", true, 1, 1},
		{"header only", [][]byte{extendedChunk(0, 0, "")}, "", true, 0, 0},
		{"too large", [][]byte{extendedChunk(len(big)+1, 0, big), extendedChunk(len(big)+1, len(big), "y")}, "", false, len(big) + 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e Extended
			short := 0
			for _, c := range tt.chunks {
				if !e.Add(c) {
					short++
				}
			}
			packet, whole, seen := e.Packet()
			if whole != tt.whole || seen != tt.seen || short != tt.short {
				t.Errorf("whole %v, seen %d, %d refused; want %v, %d, %d", whole, seen, short, tt.whole, tt.seen, tt.short)
			}
			if whole && string(packet) != tt.want {
				t.Errorf("packet %q, want %q", packet, tt.want)
			}
		})
	}
}

// FuzzExtended reads its input as chunks, each preceded by a length byte.
// Nothing panics, the packet holds no more than was seen, and a whole
// packet is the chunks' data in order.
func FuzzExtended(f *testing.F) {
	for _, p := range samplePackets(f) {
		var in []byte
		for off := 0; off < len(p); off += 200 {
			c := extendedChunk(len(p), off, string(p[off:min(len(p), off+200)]))
			in = append(append(in, byte(len(c))), c...)
		}
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var e Extended
		var data []byte
		for b := in; len(b) > 0; {
			n := min(int(b[0]), len(b)-1)
			if e.Add(b[1 : 1+n]) {
				data = append(data, b[1+extendedHeader:1+n]...)
			}
			b = b[1+n:]
		}
		packet, whole, seen := e.Packet()
		if len(packet) > seen || seen != len(data) || whole && !bytes.Equal(packet, data) {
			t.Fatalf("packet of %d bytes, whole %v, seen %d; %d bytes of data in the chunks", len(packet), whole, seen, len(data))
		}
	})
}
