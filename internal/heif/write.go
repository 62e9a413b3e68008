package heif

import (
	"sort"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// Writing the index of a rebuilt file from the values the Parse functions
// return, filtered by the caller: the item locations, entries, references,
// entity groups and property associations of the items it keeps.

// A Span is a run of input bytes that the output holds, at NewStart.
type Span struct{ Start, End, NewStart uint64 }

// UnionOf merges extents into sorted, disjoint spans laid end to end from
// NewStart 0. Copying the union rather than each extent keeps bytes that
// items share shared, so the output is never larger than the input.
func UnionOf(exts []Extent) []Span {
	var sp []Span
	for _, e := range exts {
		if e.Len > 0 {
			sp = append(sp, Span{Start: e.Off, End: e.Off + e.Len})
		}
	}
	sort.Slice(sp, func(i, j int) bool { return sp[i].Start < sp[j].Start })
	out := sp[:0]
	for _, s := range sp {
		if n := len(out); n > 0 && s.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, s.End)
			continue
		}
		out = append(out, s)
	}
	var at uint64
	for i := range out {
		out[i].NewStart = at
		at += out[i].End - out[i].Start
	}
	return out
}

// NewOffset maps an offset inside one of the spans to the output.
func NewOffset(sp []Span, off uint64) uint64 {
	i := sort.Search(len(sp), func(i int) bool { return sp[i].End > off })
	return sp[i].NewStart + off - sp[i].Start
}

// SpansLen is the number of bytes the spans hold.
func SpansLen(sp []Span) uint64 {
	if len(sp) == 0 {
		return 0
	}
	last := sp[len(sp)-1]
	return last.NewStart + last.End - last.Start
}

// A Patch is a 4-byte extent_offset in the output to be set to the
// 'mdat' payload's offset plus Rel, once that is known.
type Patch struct {
	At  int
	Rel uint64
}

// WriteIloc writes an 'iloc' box (14496-12 §8.11.3) of the given version
// with the locations kept. Offsets and lengths are 4 bytes, with no
// base_offset and no extent_index; every data_reference_index is 0, "this
// file". An item in rewritten is one extent of len(newData[id]) bytes at
// that offset of 'mdat', construction method 0; the others keep their
// extents, moved to where fileSpans (method 0) and idatSpans (method 1)
// put them. File offsets are written as 0 and returned as patches.
func WriteIloc(w *bmff.Writer, version uint8, kept []*Location, fileSpans, idatSpans []Span, rewritten map[uint32]uint64, newData map[uint32][]byte) []Patch {
	var patches []Patch
	v := version
	w.StartFull(BoxIloc, v, 0)
	w.U8(4<<4 | 4) // offset_size, length_size
	w.U8(0)        // base_offset_size, index_size
	if v < 2 {
		w.U16(uint16(len(kept)))
	} else {
		w.U32(uint32(len(kept)))
	}
	for _, loc := range kept {
		if v < 2 {
			w.U16(uint16(loc.ItemID))
		} else {
			w.U32(loc.ItemID)
		}
		if off, ok := rewritten[loc.ItemID]; ok {
			if v >= 1 {
				w.U16(0)
			}
			w.U16(0) // data_reference_index
			if n := len(newData[loc.ItemID]); n == 0 {
				w.U16(0)
			} else {
				w.U16(1)
				patches = append(patches, Patch{At: w.Len(), Rel: off})
				w.U32(0)
				w.U32(uint32(n))
			}
			continue
		}
		if v >= 1 {
			w.U16(uint16(loc.Method))
		}
		w.U16(0) // data_reference_index
		n := 0
		for _, e := range loc.Extents {
			if e.Len > 0 {
				n++
			}
		}
		w.U16(uint16(n))
		for _, e := range loc.Extents {
			if e.Len == 0 {
				continue // an empty extent at the end of its container
			}
			if loc.Method == 0 {
				patches = append(patches, Patch{At: w.Len(), Rel: NewOffset(fileSpans, e.Off)})
				w.U32(0)
			} else {
				w.U32(uint32(NewOffset(idatSpans, e.Off)))
			}
			w.U32(uint32(e.Len))
		}
	}
	w.End()
	return patches
}

// WriteIinf writes an 'iinf' box of the given version with the entries of
// the items kept, from their fields (14496-12 §8.11.6.2): version 2, or 3
// for a 32-bit ID, the hidden flag, no protection, the type and an empty
// name. A 'mime' item is an XMP packet written plain: its content type,
// and no content_encoding.
func WriteIinf(w *bmff.Writer, version uint8, kept []Item) {
	w.StartFull(BoxIinf, version, 0)
	if version == 0 {
		w.U16(uint16(len(kept)))
	} else {
		w.U32(uint32(len(kept)))
	}
	for _, it := range kept {
		var flags uint32
		if it.Hidden {
			flags = 1
		}
		if it.ID > 0xffff {
			w.StartFull(BoxInfe, 3, flags)
			w.U32(it.ID)
		} else {
			w.StartFull(BoxInfe, 2, flags)
			w.U16(uint16(it.ID))
		}
		w.U16(0) // item_protection_index
		w.Append(it.Type[:])
		w.U8(0) // item_name
		if it.Type == ItemMime {
			w.Append([]byte("application/rdf+xml\x00"))
		}
		w.End()
	}
	w.End()
}

// WriteGrpl writes the entity groups (14496-12 §8.18.3), version 0 and
// flags 0, and nothing else; no box when there are none.
func WriteGrpl(w *bmff.Writer, groups []Group) {
	if len(groups) == 0 {
		return
	}
	w.Start(BoxGrpl)
	for _, g := range groups {
		w.StartFull(g.Type, 0, 0)
		w.U32(g.ID)
		w.U32(uint32(len(g.IDs)))
		for _, id := range g.IDs {
			w.U32(id)
		}
		w.End()
	}
	w.End()
}

// WriteIref writes an 'iref' box (14496-12 §8.11.12) of the given version
// (16-bit IDs in version 0, 32-bit in 1) with refs; no box when there are
// none.
func WriteIref(w *bmff.Writer, version uint8, refs []Ref) {
	if len(refs) == 0 {
		return
	}
	idSize := 2 << version
	w.StartFull(BoxIref, version, 0)
	for _, ref := range refs {
		w.Start(ref.Type)
		w.UintN(idSize, uint64(ref.From))
		w.U16(uint16(len(ref.To)))
		for _, id := range ref.To {
			w.UintN(idSize, uint64(id))
		}
		w.End()
	}
	w.End()
}

// WriteIpma writes an 'ipma' box (23008-12 §9.3) of m's version and
// index size with entries, each without the properties keepProp does not
// keep (by index-1) and with the others renumbered to newIndex; no box
// when entries is empty. A new index is never larger than the old one, so
// it fits the same field.
func WriteIpma(w *bmff.Writer, m Ipma, entries []IpmaEntry, keepProp []bool, newIndex []uint16) {
	if len(entries) == 0 {
		return
	}
	w.StartFull(BoxIpma, m.Version, m.Flags&1)
	w.U32(uint32(len(entries)))
	for _, e := range entries {
		if m.Version < 1 {
			w.U16(uint16(e.ID))
		} else {
			w.U32(e.ID)
		}
		var kept []Assoc
		for _, a := range e.Assocs {
			switch {
			case a.Index == 0:
				kept = append(kept, a)
			case keepProp[a.Index-1]:
				kept = append(kept, Assoc{Essential: a.Essential, Index: newIndex[a.Index-1]})
			}
		}
		w.U8(uint8(len(kept)))
		for _, a := range kept {
			if m.Flags&1 != 0 {
				v := a.Index
				if a.Essential {
					v |= 0x8000
				}
				w.U16(v)
			} else {
				v := uint8(a.Index)
				if a.Essential {
					v |= 0x80
				}
				w.U8(v)
			}
		}
	}
	w.End()
}

// WritePitm writes the primary item box (14496-12 §8.11.4): version 0
// with a 16-bit ID, or version 1 for a larger one.
func WritePitm(w *bmff.Writer, id uint32) {
	if id > 0xffff {
		w.StartFull(BoxPitm, 1, 0)
		w.U32(id)
	} else {
		w.StartFull(BoxPitm, 0, 0)
		w.U16(uint16(id))
	}
	w.End()
}

// WriteDinf writes a data information box with one self-contained data
// reference (14496-12 §8.7.2.3: a 'url ' entry with flag 1 and no
// string): every item's data is in this file.
func WriteDinf(w *bmff.Writer) {
	w.Start(bmff.BoxDinf)
	w.StartFull(bmff.BoxDref, 0, 0)
	w.U32(1)
	w.StartFull(BoxURL, 0, 1)
	w.End()
	w.End()
	w.End()
}
