package mp4

import (
	"bytes"
	"errors"
	"testing"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// box returns a box of type t with payload p, at file offset 100.
func box(t string, p ...byte) bmff.Box {
	var ft bmff.FourCC
	copy(ft[:], t)
	return bmff.Box{Type: ft, Offset: 100, HeaderLen: 8, Payload: p}
}

func TestWriteStblBox(t *testing.T) {
	for _, tt := range []struct {
		name string
		box  bmff.Box
		out  []byte // the payload written; nil: nothing
		omit []Omission
		err  string
	}{
		{
			name: "stts through its last entry",
			box:  box("stts", 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 1, 0xee),
			out:  []byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 1},
			omit: []Omission{{What: TrailingBytes, Len: 16}},
		},
		{
			name: "stts with trailing zeros",
			box:  box("stts", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
			out:  []byte{0, 0, 0, 0, 0, 0, 0, 0},
		},
		{
			name: "stss that cannot hold its entries",
			box:  box("stss", 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1),
			err:  "\"stss\" box of 12 bytes cannot hold 2 entries",
		},
		{
			name: "stsz with one size for all",
			box:  box("stsz", 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 1, 0),
			out:  []byte{0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 1, 0},
		},
		{
			name: "stz2 of a field size of 12 bits",
			box:  box("stz2", 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0),
			err:  "'stz2' field size 12",
		},
		{
			name: "sbgp of a grouping type playback does not use",
			box:  box("sbgp", 0, 0, 0, 0, 'x', 'y', 'z', 'w', 0, 0, 0, 0),
			omit: []Omission{{What: SampleGroup, Type: bmff.FourCC{'x', 'y', 'z', 'w'}}},
		},
		{
			name: "sgpd roll entries of the wrong size",
			box:  box("sgpd", 1, 0, 0, 0, 'r', 'o', 'l', 'l', 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0),
			err:  "'sgpd' entries of 4 bytes for grouping type 'roll'",
		},
		{
			name: "stsd is the caller's",
			box:  box("stsd", 0, 0, 0, 0, 0, 0, 0, 0),
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var w bmff.Writer
			var log Log
			ok, err := WriteStblBox(&w, tt.box, &log)
			if tt.err != "" {
				var be *bmff.Error
				if !errors.As(err, &be) || be.Reason != tt.err || be.Offset != 100 {
					t.Fatalf("error %v, want %q at offset 100", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok != (tt.box.Type != BoxStsd) {
				t.Errorf("handled %v", ok)
			}
			var got []byte
			if w.Len() > 0 {
				got = w.Bytes()[8:]
				if !bytes.Equal(w.Bytes()[4:8], tt.box.Type[:]) {
					t.Errorf("box type %q", w.Bytes()[4:8])
				}
			}
			if !bytes.Equal(got, tt.out) {
				t.Errorf("wrote % x, want % x", got, tt.out)
			}
			if len(log) != len(tt.omit) {
				t.Fatalf("log %+v, want %+v", log, tt.omit)
			}
			for i, o := range log {
				if o.What != tt.omit[i].What || o.Len != tt.omit[i].Len || o.Type != tt.omit[i].Type {
					t.Errorf("omission %d: %+v, want %+v", i, o, tt.omit[i])
				}
			}
		})
	}
}

func TestWriteEntryBox(t *testing.T) {
	entry := bmff.FourCC{'m', 'p', '4', 'a'}
	// An ES_Descriptor (tag 3) with a DecoderConfigDescriptor (4) holding
	// its DecoderSpecificInfo (5) and a profile level indication (20),
	// then an SLConfigDescriptor (6) and a language descriptor (10).
	dcd := append(make([]byte, 13), 5, 2, 0x12, 0x10, 20, 1, 9)
	es := append([]byte{0, 1, 0}, append([]byte{4, byte(len(dcd))}, dcd...)...)
	es = append(es, 6, 1, 2, 10, 3, 'e', 'n', 'g')
	esds := box("esds", append([]byte{0, 0, 0, 0, 3, 0x80, byte(len(es))}, es...)...)
	var w bmff.Writer
	var log Log
	if err := WriteEntryBox(&w, entry, esds, &log); err != nil {
		t.Fatal(err)
	}
	want := []Omission{{What: Descriptor, Tag: 20, Len: 1}, {What: Descriptor, Tag: 10, Len: 3}}
	if len(log) != 2 || log[0].Tag != want[0].Tag || log[0].Len != want[0].Len || log[1].Tag != want[1].Tag || log[1].Len != want[1].Len {
		t.Errorf("log %+v, want %+v", log, want)
	}
	// The size of the ES_Descriptor is written in one byte.
	if got := w.Bytes()[12:14]; got[0] != 3 || int(got[1]) != len(w.Bytes())-14 {
		t.Errorf("ES_Descriptor header % x of a box of %d bytes", got, len(w.Bytes()))
	}

	log = log[:0]
	dfLa := box("dfLa", append(append([]byte{0, 0, 0, 0, 0, 0, 0, 34}, make([]byte, 34)...), 4, 0, 0, 1, 'x')...)
	w = bmff.Writer{}
	if err := WriteEntryBox(&w, bmff.FourCC{'f', 'L', 'a', 'C'}, dfLa, &log); err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].What != MetadataBlocks || log[0].Len != 5 || w.Len() != 8+4+4+34 {
		t.Errorf("dfLa: log %+v, %d bytes written", log, w.Len())
	}

	log = log[:0]
	if err := WriteEntryBox(&w, entry, box("free"), &log); err != nil || len(log) != 1 || log[0].What != Dropped || log[0].Parent != entry {
		t.Errorf("unknown box: %v, log %+v", err, log)
	}
	var be *bmff.Error
	err := WriteEntryBox(&w, entry, box("esds", 0, 0, 0, 0, 3, 3, 0, 1, 0x40), &log)
	if !errors.As(err, &be) || be.Err != ErrUnsupported || be.Offset != 100 {
		t.Errorf("esds with a URL: %v", err)
	}
}

// indexBoxes returns the children of the 'stbl', 'minf' and sample entry
// boxes of a movie, each with the function that rebuilds it.
func indexBoxes(data []byte) (stbl, minf, entries []bmff.Box) {
	var walk func(b []byte, base int64, path string)
	walk = func(b []byte, base int64, path string) {
		r := bmff.NewReader(b, base, path == "")
		for c := range r.All() {
			switch p := path + "/" + string(c.Type[:]); p {
			case "/moov", "/moov/trak", "/moov/trak/mdia", "/moov/trak/mdia/minf", "/moov/trak/mdia/minf/stbl":
				walk(c.Payload, c.PayloadOffset(), p)
			case "/moov/trak/mdia/minf/stbl/stsd":
				if len(c.Payload) > 8 {
					er := bmff.NewReader(c.Payload[8:], c.PayloadOffset()+8, false)
					for e := range er.All() {
						if len(e.Payload) > VisualEntryFields {
							cr := bmff.NewReader(e.Payload[VisualEntryFields:], e.PayloadOffset()+VisualEntryFields, false)
							for x := range cr.All() {
								entries = append(entries, x)
							}
						}
					}
				}
				stbl = append(stbl, c)
			default:
				switch path {
				case "/moov/trak/mdia/minf/stbl":
					stbl = append(stbl, c)
				case "/moov/trak/mdia/minf":
					minf = append(minf, c)
				case "/moov/trak":
					if c.Type == BoxEdts || c.Type == BoxTapt {
						minf = append(minf, c)
					}
				}
			}
		}
	}
	walk(data, 0, "")
	return stbl, minf, entries
}

// rebuild writes c as the index does, and returns what it wrote.
func rebuild(t *testing.T, kind int, c bmff.Box, n int) ([]byte, Log) {
	var w bmff.Writer
	var log Log
	var err error
	switch {
	case kind == 0:
		_, err = WriteStblBox(&w, c, &log)
	case c.Type == BoxEdts:
		err = WriteEdts(&w, c, &log)
	case c.Type == BoxTapt:
		err = WriteTapt(&w, c, &log)
	case kind == 1:
		_, err = WriteMinfBox(&w, c, &log)
	default:
		err = WriteEntryBox(&w, bmff.FourCC{'a', 'v', 'c', '1'}, c, &log)
	}
	checkErr(t, err, n)
	if err != nil {
		return nil, nil
	}
	return w.Bytes(), log
}

// FuzzIndex rebuilds the index boxes of a movie: no panic, errors at
// offsets inside the input, and what is written is boxes that rebuild to
// themselves with nothing left out.
func FuzzIndex(f *testing.F) {
	addVideoSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		stbl, minf, entries := indexBoxes(data)
		for kind, boxes := range [][]bmff.Box{stbl, minf, entries} {
			for _, c := range boxes {
				out, _ := rebuild(t, kind, c, len(data))
				r := bmff.NewReader(out, 0, false)
				for o := range r.All() {
					again, log := rebuild(t, kind, o, len(out))
					if !bytes.Equal(again, out[o.Offset:o.End()]) || len(log) > 0 {
						t.Fatalf("%q rebuilt as % x, then as % x (%+v)", c.Type, out[o.Offset:o.End()], again, log)
					}
				}
				if r.Err() != nil {
					t.Fatalf("%q rebuilt as % x: %v", c.Type, out, r.Err())
				}
			}
		}
	})
}
