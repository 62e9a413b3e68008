package heif

import (
	"reflect"
	"testing"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

func TestUnionOf(t *testing.T) {
	for _, tt := range []struct {
		name string
		exts []Extent
		want []Span
	}{
		{"none", nil, nil},
		{"empty extents go", []Extent{{5, 0}, {10, 0}}, nil},
		{"disjoint, sorted", []Extent{{100, 10}, {20, 5}}, []Span{{20, 25, 0}, {100, 110, 5}}},
		{"shared bytes once", []Extent{{0, 10}, {5, 10}, {15, 1}}, []Span{{0, 16, 0}}},
		{"nested", []Extent{{0, 100}, {10, 5}, {200, 1}}, []Span{{0, 100, 0}, {200, 201, 100}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := UnionOf(tt.exts)
			if len(got) != len(tt.want) || len(got) > 0 && !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for _, e := range tt.exts {
				if e.Len > 0 {
					if o := NewOffset(got, e.Off); o+e.Len > SpansLen(got) {
						t.Errorf("extent %v moves to %d, past %d bytes", e, o, SpansLen(got))
					}
				}
			}
		})
	}
	sp := UnionOf([]Extent{{100, 10}, {20, 5}})
	if got := NewOffset(sp, 105); got != 10 {
		t.Errorf("NewOffset(105) = %d, want 10", got)
	}
	if got := SpansLen(sp); got != 15 {
		t.Errorf("SpansLen = %d, want 15", got)
	}
}

// rebuilt writes the index of p with every item kept, and parses it.
func rebuilt(t *testing.T, p parsed) parsed {
	var w bmff.Writer
	WriteIinf(&w, 1, p.items)
	var locs []*Location
	var file, idat []Extent
	for i := range p.locs {
		switch p.locs[i].Method {
		case 0:
			file = append(file, p.locs[i].Extents...)
		case 1:
			idat = append(idat, p.locs[i].Extents...)
		default:
			continue
		}
		locs = append(locs, &p.locs[i])
	}
	fileSpans, idatSpans := UnionOf(file), UnionOf(idat)
	patches := WriteIloc(&w, 2, locs, fileSpans, idatSpans, nil, nil)
	for _, pt := range patches {
		w.PutUintN(pt.At, 4, pt.Rel)
	}
	WriteIref(&w, 1, p.refs)
	WriteGrpl(&w, p.groups)
	keep := make([]bool, 1<<15)
	index := make([]uint16, 1<<15)
	for i := range keep {
		keep[i], index[i] = true, uint16(i+1)
	}
	var ipco bmff.Writer
	ipco.Start(BoxIprp)
	ipco.Start(BoxIpco)
	for _, pr := range p.iprp.Props {
		ipco.CopyBox(pr)
	}
	ipco.End()
	for _, m := range p.iprp.Ipmas {
		WriteIpma(&ipco, m, m.Entries, keep, index)
	}
	ipco.End()
	w.Append(ipco.Bytes())
	if w.Err() != nil {
		t.Skip(w.Err()) // too large for its box
	}
	var meta bmff.Writer
	meta.StartFull(bmff.BoxMeta, 0, 0)
	meta.Append(w.Bytes())
	meta.End()
	// The extents are at their offsets in 'mdat', which the file must hold.
	q := parseAll(append(meta.Bytes(), make([]byte, SpansLen(fileSpans))...))
	if len(q.errs) > 0 {
		t.Fatalf("rebuilt index: %v", q.errs)
	}
	// What the rebuilt extents should be: laid end to end.
	for i, l := range locs {
		var want []Extent
		for _, e := range l.Extents {
			if e.Len > 0 {
				sp := fileSpans
				if l.Method == 1 {
					sp = idatSpans
				}
				want = append(want, Extent{NewOffset(sp, e.Off), e.Len})
			}
		}
		if got := q.locs[i].Extents; len(got) != len(want) || len(want) > 0 && !reflect.DeepEqual(got, want) || q.locs[i].ItemID != l.ItemID {
			t.Errorf("item %d: extents %v, want %v", l.ItemID, got, want)
		}
	}
	return q
}

// FuzzWriteIndex writes the index of a HEIF file with every item kept and
// parses it again: the same items, references, groups and associations.
func FuzzWriteIndex(f *testing.F) {
	for _, b := range sampleFiles(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := parseAll(b)
		if len(p.errs) > 0 {
			return
		}
		q := rebuilt(t, p)
		if len(q.items) != len(p.items) {
			t.Fatalf("%d items, want %d", len(q.items), len(p.items))
		}
		for i, it := range p.items {
			if g := q.items[i]; g.ID != it.ID || g.Type != it.Type || g.Hidden != it.Hidden {
				t.Errorf("item %+v, want %+v", g, it)
			}
		}
		if len(p.refs) > 0 && !reflect.DeepEqual(q.refs, p.refs) {
			t.Errorf("refs %v, want %v", q.refs, p.refs)
		}
		if len(q.groups) != len(p.groups) {
			t.Fatalf("groups %v, want %v", q.groups, p.groups)
		}
		for i, g := range p.groups {
			if q.groups[i].Type != g.Type || q.groups[i].ID != g.ID || !reflect.DeepEqual(q.groups[i].IDs, g.IDs) {
				t.Errorf("group %v, want %v", q.groups[i], g)
			}
		}
		var want []IpmaEntry
		for _, m := range p.iprp.Ipmas {
			want = append(want, m.Entries...)
		}
		var got []IpmaEntry
		for _, m := range q.iprp.Ipmas {
			got = append(got, m.Entries...)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("associations %v, want %v", got, want)
		}
	})
}

func TestWritePitmDinf(t *testing.T) {
	for _, id := range []uint32{1, 0xffff, 0x10000} {
		var w bmff.Writer
		WritePitm(&w, id)
		if got, err := ParsePitm(boxOf(t, w.Bytes())); err != nil || got != id {
			t.Errorf("pitm %d: read back %d, %v", id, got, err)
		}
	}
	var w bmff.Writer
	WriteDinf(&w)
	entries, err := ParseDinf(boxOf(t, w.Bytes()))
	if err != nil || len(entries) != 1 || !entries[0].SelfContained || len(entries[0].Location) != 0 {
		t.Errorf("dinf: read back %+v, %v", entries, err)
	}
}
