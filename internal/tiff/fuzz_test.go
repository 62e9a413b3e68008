package tiff

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// FuzzRead feeds TIFF blocks to the walker. It never panics and
// terminates on loops, within its budgets; errors and notes carry offsets
// in the input, and every entry and value lies in it; every IFD read is
// reached from one pointer; and the entries of IFD0, the Exif and GPS IFDs
// written anew read back as the same entries, with nothing else.
//
// sampleBlocks returns the EXIF blocks of the JPEG samples in
// ../../testdata.
func sampleBlocks(f *testing.F) [][]byte {
	var blocks [][]byte
	names, _ := filepath.Glob("../../testdata/*.jpg")
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		// The APP1 segment's length, which counts itself, precedes
		// "Exif\0\0" (CIPA DC-008 §4.5.4).
		if i := bytes.Index(b, []byte("Exif\x00\x00")); i >= 2 {
			if end := i - 2 + int(b[i-2])<<8 | int(b[i-1]); end <= len(b) && i+6 <= end {
				blocks = append(blocks, b[i+6:end])
			}
		}
	}
	return blocks
}

// Seeds: the EXIF blocks of the JPEG samples in ../../testdata, and
// testdata/fuzz/FuzzRead, whose names say what each guards.
func FuzzRead(f *testing.F) {
	for _, b := range sampleBlocks(f) {
		f.Add(b)
	}
	f.Add([]byte(newBlock(64).ifd(8, -1, 30, long(TagExifIFD, 30), long(TagSubIFDs, 8)).ifd(30, -1, 8, long(TagGPSIFD, 8))))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := Read(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > int64(len(data)) {
				t.Fatalf("error %v, not an *Error with an offset in %d bytes", err, len(data))
			}
			return
		}
		if len(w.IFDs) > MaxIFDs || len(w.Notes) > MaxNotes {
			t.Fatalf("%d IFDs, %d notes", len(w.IFDs), len(w.Notes))
		}
		for _, n := range w.Notes {
			if n.Offset < 0 || n.Offset > int64(len(data)) {
				t.Fatalf("note %+v outside %d bytes", n, len(data))
			}
		}
		reached := make([]int, len(w.IFDs))
		for _, i := range w.Top {
			reached[i]++
		}
		total := 0
		for _, d := range w.IFDs {
			total += len(d.Entries)
			for _, e := range d.Entries {
				if uint64(e.Offset)+12 > uint64(len(data)) {
					t.Fatalf("entry at %d outside %d bytes", e.Offset, len(data))
				}
				if e.Value != nil {
					end := uint64(e.ValueOffset) + uint64(len(e.Value))
					if !e.InBlock || end > uint64(len(data)) || !bytes.Equal(data[e.ValueOffset:end], e.Value) ||
						uint64(len(e.Value)) != TypeSize(e.Type)*uint64(e.Count) {
						t.Fatalf("entry %+v: its value is not the input's", e)
					}
				}
				for _, i := range e.Sub {
					reached[i]++
				}
			}
		}
		if total > MaxEntries {
			t.Fatalf("%d entries", total)
		}
		for i, n := range reached {
			if n != 1 {
				t.Fatalf("IFD %d reached %d times", i, n)
			}
		}
		if h := w.Hidden(); h < 0 || h > len(data) {
			t.Fatalf("%d of %d bytes hidden", h, len(data))
		}

		// Write what IFD0, the Exif and GPS IFDs hold, and read it back.
		var in [3][]Entry
		for _, d := range w.IFDs {
			k := [...]int{IFD0: 0, Exif: 1, GPS: 2, IFD1: -1, Interop: -1, Sub: -1}[d.Kind]
			for _, e := range d.Entries {
				if k >= 0 && !e.Link && e.InBlock && e.Type >= 1 && e.Type <= 12 && uint64(len(e.Value)) == TypeSize(e.Type)*uint64(e.Count) {
					in[k] = append(in[k], Entry{Tag: e.Tag, Type: e.Type, Count: e.Count, Value: e.Value})
				}
			}
		}
		if len(in[0])+len(in[1])+len(in[2]) == 0 || len(in[0])+len(in[1])+len(in[2])+2 > MaxEntries {
			return
		}
		want := in
		for i := range want {
			want[i] = append([]Entry(nil), in[i]...)
			sort.SliceStable(want[i], func(a, b int) bool { return want[i][a].Tag < want[i][b].Tag })
		}
		out := Write(w.Order, in[0], in[1], in[2], 1<<22)
		if out == nil {
			return
		}
		again, err := Read(out)
		if err != nil || len(again.Notes) > 0 || again.Hidden() != 0 || again.Order != w.Order {
			t.Fatalf("rewritten block: %v, notes %+v, %d bytes hidden", err, again.Notes, again.Hidden())
		}
		var got [3][]Entry
		for _, d := range again.IFDs {
			k := [...]int{IFD0: 0, Exif: 1, GPS: 2}[d.Kind]
			for _, e := range d.Entries {
				if k == 0 && (e.Tag == TagExifIFD || e.Tag == TagGPSIFD) && e.Link {
					continue
				}
				got[k] = append(got[k], Entry{Tag: e.Tag, Type: e.Type, Count: e.Count, Value: e.Value})
			}
		}
		for i := range got {
			if len(got[i]) != len(want[i]) {
				t.Fatalf("IFD %d: %d entries read back, want %d", i, len(got[i]), len(want[i]))
			}
			for j := range got[i] {
				g, w := got[i][j], want[i][j]
				if g.Tag != w.Tag || g.Type != w.Type || g.Count != w.Count || !bytes.Equal(g.Value, w.Value) {
					t.Fatalf("IFD %d entry %d: read back %+v, want %+v", i, j, g, w)
				}
			}
		}
	})
}
