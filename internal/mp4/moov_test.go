package mp4

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// children returns a box of type t holding the boxes built by children.
func children(t bmff.FourCC, children ...func(w *bmff.Writer)) bmff.Box {
	var w bmff.Writer
	w.Start(t)
	for _, c := range children {
		c(&w)
	}
	w.End()
	bx, _ := bmff.NewReader(w.Bytes(), 0, false).Next()
	return bx
}

func TestParseTrak(t *testing.T) {
	tkhd := full(BoxTkhd, 1, 2, 7)  // version 0: two times, then track_ID 7
	tkhd1 := func(w *bmff.Writer) { // version 1: two 64-bit times, then track_ID 9
		w.StartFull(BoxTkhd, 1, 0)
		w.U64(1)
		w.U64(2)
		w.U32(9)
		w.End()
	}
	hdlr := full(bmff.BoxHdlr, 0, 0x76696465, 0, 0, 0) // 'vide'
	stsd := full(BoxStsd, 1, 16, 0x61766331)           // one 'avc1' entry
	minf := children(BoxMinf, func(w *bmff.Writer) { w.CopyBox(stbl(stsd)) })
	md := children(BoxMdia, hdlr, func(w *bmff.Writer) { w.CopyBox(minf) })
	for _, tt := range []struct {
		name  string
		trak  bmff.Box
		want  Trak
		stbl  bool
		error string
	}{
		{name: "video track", trak: children(BoxTrak, tkhd, func(w *bmff.Writer) { w.CopyBox(md) }),
			want: Trak{ID: 7, Handler: HandlerVide, Entry: bmff.FourCC{'a', 'v', 'c', '1'}, HasStbl: true}, stbl: true},
		{name: "version 1 header", trak: children(BoxTrak, tkhd1), want: Trak{ID: 9}},
		{name: "truncated header", trak: children(BoxTrak, full(BoxTkhd, 0, 1)), error: "box 'tkhd': truncated"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTrak(tt.trak)
			if tt.error != "" {
				var be *bmff.Error
				if !errors.As(err, &be) || be.Reason != tt.error {
					t.Fatalf("got error %v, want %q", err, tt.error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != tt.want.ID || got.Handler != tt.want.Handler || got.Entry != tt.want.Entry || got.HasStbl != tt.stbl {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if tr := got.Track(); tr.ID != got.ID || tr.Video != (got.Handler == HandlerVide) {
				t.Errorf("Track() = %+v", tr)
			}
		})
	}
}

func TestHeaderFields(t *testing.T) {
	for _, tt := range []struct {
		box   bmff.Box
		n     int
		times []uint64
		error string
	}{
		{box: box("mvhd", append([]byte{0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 6}, make([]byte, 88)...)...), n: 100, times: []uint64{5, 6}},
		{box: box("mdhd", append([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 6}, make([]byte, 16)...)...), n: 36, times: []uint64{5, 6}},
		{box: box("tkhd", 2, 0, 0, 0), error: "\"tkhd\" box of an unknown version"},
		{box: box("mdhd", 0, 0, 0, 0, 1), error: "\"mdhd\" box of 5 bytes, shorter than its 24 bytes of fields"},
	} {
		n, err := HeaderFields(tt.box)
		if tt.error != "" {
			if err == nil || err.(*bmff.Error).Reason != tt.error {
				t.Errorf("%q: got %v, want %q", tt.box.Type, err, tt.error)
			}
			continue
		}
		if n != tt.n || err != nil {
			t.Errorf("%q: got %d, %v, want %d", tt.box.Type, n, err, tt.n)
		}
		times := HeaderTimes(tt.box.Payload)
		for i, f := range times {
			var v uint64
			for _, b := range f {
				v = v<<8 | uint64(b)
			}
			if v != tt.times[i] {
				t.Errorf("%q: time %d is %d, want %d", tt.box.Type, i, v, tt.times[i])
			}
		}
	}
	if HeaderTimes([]byte{0, 0, 0, 0, 1}) != nil {
		t.Error("HeaderTimes of a short header is not nil")
	}
}

func TestWriteTref(t *testing.T) {
	tref := children(BoxTref, func(w *bmff.Writer) {
		w.Start(bmff.FourCC{'c', 'd', 's', 'c'})
		w.U32(1)
		w.U32(2)
		w.End()
		w.Start(bmff.FourCC{'c', 'h', 'a', 'p'})
		w.U32(3)
		w.End()
	})
	for _, tt := range []struct {
		kept map[uint32]bool
		want []byte
	}{
		{map[uint32]bool{1: true, 2: true, 3: true}, mkBox(BoxTref, append(mkBox(bmff.FourCC{'c', 'd', 's', 'c'}, 0, 0, 0, 1, 0, 0, 0, 2), mkBox(bmff.FourCC{'c', 'h', 'a', 'p'}, 0, 0, 0, 3)...)...)},
		{map[uint32]bool{2: true}, mkBox(BoxTref, mkBox(bmff.FourCC{'c', 'd', 's', 'c'}, 0, 0, 0, 2)...)},
		{map[uint32]bool{}, nil},
	} {
		var w bmff.Writer
		WriteTref(&w, tref, tt.kept)
		if !bytes.Equal(w.Bytes(), tt.want) {
			t.Errorf("kept %v: got % x, want % x", tt.kept, w.Bytes(), tt.want)
		}
	}
}

// mkBox returns a box of type t with payload p.
func mkBox(t bmff.FourCC, p ...byte) []byte {
	return append(append(binary.BigEndian.AppendUint32(nil, uint32(8+len(p))), t[:]...), p...)
}

func TestWriteOffsets(t *testing.T) {
	for _, tt := range []struct {
		name  string
		box   bmff.Box
		vals  []uint64
		omit  int
		error string
	}{
		{name: "stco", box: box("stco", 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 9, 0, 0, 1, 0, 0xee), vals: []uint64{9, 256}, omit: 1},
		{name: "co64", box: box("co64", 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2), vals: []uint64{1<<32 | 2}},
		{name: "saio with type, version 1", box: box("saio", 1, 0, 0, 1, 'c', 'e', 'n', 'c', 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7), vals: []uint64{7}},
		{name: "stco too short", box: box("stco", 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 9), error: "\"stco\" box of 12 bytes cannot hold 2 offsets"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var w bmff.Writer
			var log Log
			offs, err := WriteOffsets(&w, tt.box, &log)
			if tt.error != "" {
				if err == nil || err.(*bmff.Error).Reason != tt.error {
					t.Fatalf("got %v, want %q", err, tt.error)
				}
				return
			}
			if err != nil || len(offs) != len(tt.vals) || len(log) != tt.omit {
				t.Fatalf("got %+v, %v, log %+v", offs, err, log)
			}
			for i, o := range offs {
				var v uint64
				if o.Wide {
					v = binary.BigEndian.Uint64(w.Bytes()[o.Pos:])
				} else {
					v = uint64(binary.BigEndian.Uint32(w.Bytes()[o.Pos:]))
				}
				if o.Val != tt.vals[i] || v != o.Val || o.At != tt.box.PayloadOffset()+int64(o.Pos-8) {
					t.Errorf("offset %d: got %+v (%d in the output), want %d", i, o, v, tt.vals[i])
				}
			}
		})
	}
}

func TestEntryHead(t *testing.T) {
	visual := make([]byte, VisualEntryFields+4)
	copy(visual, "RESERV\x00\x01vrsnVEND")
	sound := make([]byte, AudioEntryFields[1])
	copy(sound, "RESERV\x00\x01\x00\x01rvVEND")
	for _, tt := range []struct {
		name    string
		entry   bmff.Box
		handler bmff.FourCC
		n       int
		error   string
	}{
		{"visual", box("avc1", visual...), HandlerVide, VisualEntryFields, ""},
		{"sound version 1", box("mp4a", sound...), HandlerSoun, AudioEntryFields[1], ""},
		{"sound version 3", box("mp4a", append([]byte("RESERV\x00\x01\x00\x03"), sound[10:]...)...), HandlerSoun, 0, "sound sample entry \"mp4a\" of an unknown version"},
		{"other", box("tx3g", 1, 2, 3, 4, 5, 6, 0, 1), bmff.FourCC{'t', 'e', 'x', 't'}, 8, ""},
		{"short", box("avc1", 1, 2, 3), HandlerVide, 0, "sample entry \"avc1\" of 3 bytes"},
	} {
		head, err := EntryHead(tt.entry, tt.handler)
		if tt.error != "" {
			if err == nil || err.(*bmff.Error).Reason != tt.error || !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: got %v, want %q", tt.name, err, tt.error)
			}
			continue
		}
		if err != nil || len(head) != tt.n || !bytes.Equal(head[:6], make([]byte, 6)) {
			t.Errorf("%s: got % x, %v", tt.name, head, err)
		}
		if tt.handler == HandlerVide || tt.handler == HandlerSoun {
			if !bytes.Equal(head[12:16], make([]byte, 4)) {
				t.Errorf("%s: vendor % x is kept", tt.name, head[12:16])
			}
		}
		if bytes.Equal(tt.entry.Payload[:6], make([]byte, 6)) {
			t.Errorf("%s: EntryHead changed its input", tt.name)
		}
	}
}

func TestPeekHeader(t *testing.T) {
	for _, tt := range []struct {
		name string
		b    []byte
		want Header
		ok   bool
	}{
		{"compact", []byte{0, 0, 0, 16, 'm', 'd', 'a', 't'}, Header{Type: bmff.BoxMdat, Size: 16, HdrLen: 8}, true},
		{"to the end", []byte{0, 0, 0, 0, 'm', 'd', 'a', 't'}, Header{Type: bmff.BoxMdat, Size: -1, HdrLen: 8}, true},
		{"largesize", []byte{0, 0, 0, 1, 'm', 'd', 'a', 't', 0, 0, 0, 1, 0, 0, 0, 0}, Header{Type: bmff.BoxMdat, Size: 1 << 32, Large: true, HdrLen: 16}, true},
		{"uuid", []byte{0, 0, 0, 24, 'u', 'u', 'i', 'd'}, Header{Type: bmff.BoxUUID, Size: 24, HdrLen: 24}, true},
		{"uuid too small", []byte{0, 0, 0, 23, 'u', 'u', 'i', 'd'}, Header{}, false},
		{"QuickTime atom", []byte{0, 0, 0, 8, 0xa9, 'x', 'y', 'z'}, Header{Type: bmff.FourCC{0xa9, 'x', 'y', 'z'}, Size: 8, HdrLen: 8}, true},
		{"not a type", []byte{0, 0, 0, 8, 0, 'x', 'y', 'z'}, Header{}, false},
		{"largesize cut", []byte{0, 0, 0, 1, 'm', 'd', 'a', 't', 0}, Header{}, false},
		{"largesize too large", []byte{0, 0, 0, 1, 'm', 'd', 'a', 't', 0xff, 0, 0, 0, 0, 0, 0, 0}, Header{}, false},
		{"short", []byte{0, 0, 0, 8, 'm'}, Header{}, false},
	} {
		got, ok := PeekHeader(tt.b, 0)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: got %+v %v, want %+v %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzMoov reads the tracks of a movie and rebuilds their track
// references and chunk offsets: no panic, errors at offsets inside the
// input, and what is written rebuilds to itself, with the same offsets.
func FuzzMoov(f *testing.F) {
	addVideoSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var boxes []bmff.Box
		var walk func(b []byte, base int64, depth int)
		walk = func(b []byte, base int64, depth int) {
			r := bmff.NewReader(b, base, depth == 0)
			for c := range r.All() {
				switch c.Type {
				case bmff.BoxMoov, BoxTrak, BoxMdia, BoxMinf, BoxStbl:
					if depth < 6 {
						walk(c.Payload, c.PayloadOffset(), depth+1)
					}
				}
				boxes = append(boxes, c)
			}
		}
		walk(data, 0, 0)
		for _, c := range boxes {
			switch c.Type {
			case BoxTrak:
				_, err := ParseTrak(c)
				checkErr(t, err, len(data))
			case BoxTref:
				var w bmff.Writer
				WriteTref(&w, c, map[uint32]bool{1: true, 2: true, 3: true})
				if w.Len() == 0 {
					continue
				}
				o, _ := bmff.NewReader(w.Bytes(), 0, false).Next()
				var again bmff.Writer
				WriteTref(&again, o, map[uint32]bool{1: true, 2: true, 3: true})
				if !bytes.Equal(again.Bytes(), w.Bytes()) {
					t.Fatalf("'tref' rebuilt as % x, then % x", w.Bytes(), again.Bytes())
				}
			case BoxStco, BoxCo64, BoxSaio:
				var w bmff.Writer
				var log Log
				offs, err := WriteOffsets(&w, c, &log)
				checkErr(t, err, len(data))
				if err != nil {
					continue
				}
				o, _ := bmff.NewReader(w.Bytes(), 0, false).Next()
				var again bmff.Writer
				log = log[:0]
				offs2, err := WriteOffsets(&again, o, &log)
				if err != nil || !bytes.Equal(again.Bytes(), w.Bytes()) || len(log) > 0 || len(offs2) != len(offs) {
					t.Fatalf("%q rebuilt as % x, then % x (%v, %+v)", c.Type, w.Bytes(), again.Bytes(), err, log)
				}
				for i := range offs {
					if offs[i].Val != offs2[i].Val || offs[i].Pos != offs2[i].Pos {
						t.Fatalf("offset %d: %+v, then %+v", i, offs[i], offs2[i])
					}
				}
			}
		}
	})
}

func TestMovieDuration(t *testing.T) {
	mvhd := func(version byte, scale uint32, d uint64) []byte {
		var w bmff.Writer
		w.Start(bmff.BoxMoov)
		w.StartFull(BoxMvhd, version, 0)
		if version == 1 {
			w.U64(0)
			w.U64(0)
			w.U32(scale)
			w.U64(d)
			w.Append(make([]byte, 80))
		} else {
			w.U32(0)
			w.U32(0)
			w.U32(scale)
			w.U32(uint32(d))
			w.Append(make([]byte, 80))
		}
		w.End()
		w.End()
		return append([]byte("\x00\x00\x00\x10ftypisom\x00\x00\x00\x00"), w.Bytes()...)
	}
	for _, tt := range []struct {
		name string
		b    []byte
		d    time.Duration
		ok   bool
	}{
		{"version 0", mvhd(0, 1000, 3130), 3130 * time.Millisecond, true},
		{"version 1", mvhd(1, 90000, 90000*2), 2 * time.Second, true},
		{"timescale 0", mvhd(0, 0, 5), 0, false},
		{"unknown duration", mvhd(0, 1000, math.MaxUint32), 0, false},
		{"unknown duration, version 1", mvhd(1, 1000, math.MaxUint64), 0, false},
		{"too long", mvhd(1, 1, math.MaxUint64-1), 0, false},
		{"short header", mvhd(0, 1000, 5)[:16+8+8+20], 0, false},
		{"no moov", []byte("\x00\x00\x00\x10ftypisom\x00\x00\x00\x00"), 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := MovieDuration(tt.b)
			if d != tt.d || ok != tt.ok {
				t.Errorf("got %v, %v; want %v, %v", d, ok, tt.d, tt.ok)
			}
		})
	}
}
