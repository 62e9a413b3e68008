package exifscrub

import (
	"math"
	"sort"
)

// Writing the scrubbed HEIF file: the new index and the kept item data.

// A span is a run of input bytes that the output holds, at newStart.
type span struct{ start, end, newStart uint64 }

// unionOf merges extents into sorted, disjoint spans laid end to end from
// newStart 0. Copying the union rather than each extent keeps bytes that
// items share shared, so the output is never larger than the input.
func unionOf(exts []heifExtent) []span {
	var sp []span
	for _, e := range exts {
		if e.len > 0 {
			sp = append(sp, span{start: e.off, end: e.off + e.len})
		}
	}
	sort.Slice(sp, func(i, j int) bool { return sp[i].start < sp[j].start })
	out := sp[:0]
	for _, s := range sp {
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	var at uint64
	for i := range out {
		out[i].newStart = at
		at += out[i].end - out[i].start
	}
	return out
}

// newOffset maps an offset inside one of the spans to the output.
func newOffset(sp []span, off uint64) uint64 {
	i := sort.Search(len(sp), func(i int) bool { return sp[i].end > off })
	return sp[i].newStart + off - sp[i].start
}

// spansLen is the number of bytes the spans hold.
func spansLen(sp []span) uint64 {
	if len(sp) == 0 {
		return 0
	}
	last := sp[len(sp)-1]
	return last.newStart + last.end - last.start
}

// build writes the new file: 'ftyp' as it was, the rebuilt 'meta', and an
// 'mdat' with the data of the kept items. It returns the pieces to write.
func (h *heifFile) build() ([][]byte, error) {
	var fileExt, idatExt []heifExtent
	for _, loc := range h.locs {
		if !h.items[loc.itemID].keep {
			continue
		}
		if loc.method == 0 {
			fileExt = append(fileExt, loc.extents...)
		} else {
			idatExt = append(idatExt, loc.extents...)
		}
	}
	fileSpans, idatSpans := unionOf(fileExt), unionOf(idatExt)

	var w boxWriter
	w.copyBox(h.ftyp)
	w.startFull(boxMeta, 0, 0)
	var patches []ilocPatch
	for _, ch := range h.metaChildren {
		switch ch.typ {
		case boxIinf:
			h.writeIinf(&w)
		case boxIloc:
			patches = h.writeIloc(&w, fileSpans, idatSpans)
		case boxIref:
			h.writeIref(&w)
		case boxIprp:
			h.writeIprp(&w)
		case boxIdat:
			if len(idatSpans) > 0 {
				w.start(boxIdat)
				for _, s := range idatSpans {
					w.bytes(h.idat[s.start:s.end])
				}
				w.end()
			}
		default: // hdlr, pitm, dinf, grpl
			w.copyBox(ch)
		}
	}
	w.end()
	if w.err != nil {
		return nil, errorAt(h.meta.off, ErrUnsupportedFeature, "%v", w.err)
	}
	mdatLen := spansLen(fileSpans)
	if mdatLen > 0 {
		w.header(boxMdat, nil, mdatLen)
	}
	// The offsets of file extents are known only now that the size of
	// everything before the 'mdat' payload is.
	base := uint64(len(w.b))
	for _, p := range patches {
		off := base + p.rel
		if off > math.MaxUint32 {
			return nil, errorAt(0, ErrUnsupportedFeature, "output offset %d does not fit in 32 bits", off)
		}
		w.putUintN(p.at, 4, off)
	}
	pieces := [][]byte{w.b}
	for _, s := range fileSpans {
		pieces = append(pieces, h.data[s.start:s.end])
	}
	return pieces, nil
}

// An ilocPatch is a 4-byte extent_offset in the output to be set to the
// 'mdat' payload's offset plus rel.
type ilocPatch struct {
	at  int
	rel uint64
}

// writeIloc writes the 'iloc' of the kept items. Offsets and lengths are
// 4 bytes (the input is at most maxHEIFSize), with no base_offset and no
// extent_index; file offsets are patched by build.
func (h *heifFile) writeIloc(w *boxWriter, fileSpans, idatSpans []span) []ilocPatch {
	var patches []ilocPatch
	var kept []*heifLocation
	for _, loc := range h.locs {
		if h.items[loc.itemID].keep {
			kept = append(kept, loc)
		}
	}
	v := h.ilocVersion
	w.startFull(boxIloc, v, 0)
	w.u8(4<<4 | 4) // offset_size, length_size
	w.u8(0)        // base_offset_size, index_size
	if v < 2 {
		w.u16(uint16(len(kept)))
	} else {
		w.u32(uint32(len(kept)))
	}
	for _, loc := range kept {
		if v < 2 {
			w.u16(uint16(loc.itemID))
		} else {
			w.u32(loc.itemID)
		}
		if v >= 1 {
			w.u16(uint16(loc.method))
		}
		w.u16(loc.dataRef)
		n := 0
		for _, e := range loc.extents {
			if e.len > 0 {
				n++
			}
		}
		w.u16(uint16(n))
		for _, e := range loc.extents {
			if e.len == 0 {
				continue // an empty extent at the end of its container
			}
			if loc.method == 0 {
				patches = append(patches, ilocPatch{at: len(w.b), rel: newOffset(fileSpans, e.off)})
				w.u32(0)
			} else {
				w.u32(uint32(newOffset(idatSpans, e.off)))
			}
			w.u32(uint32(e.len))
		}
	}
	w.end()
	return patches
}

// writeIinf writes the entries of the kept items, unchanged.
func (h *heifFile) writeIinf(w *boxWriter) {
	var kept []*heifItem
	for _, it := range h.order {
		if it.keep {
			kept = append(kept, it)
		}
	}
	w.startFull(boxIinf, h.iinfVersion, 0)
	if h.iinfVersion == 0 {
		w.u16(uint16(len(kept)))
	} else {
		w.u32(uint32(len(kept)))
	}
	for _, it := range kept {
		w.copyBox(it.infe)
	}
	w.end()
}

// writeIref writes the references between kept items, and to entity
// groups; the box is left out when none remains.
func (h *heifFile) writeIref(w *boxWriter) {
	idSize := 2 << h.irefVersion
	var refs []heifRef
	for _, ref := range h.refs {
		if it := h.items[ref.from]; it == nil || !it.keep {
			continue
		}
		var to []uint32
		for _, id := range ref.to {
			if it := h.items[id]; it == nil || it.keep {
				to = append(to, id)
			}
		}
		if len(to) > 0 {
			refs = append(refs, heifRef{typ: ref.typ, from: ref.from, to: to})
		}
	}
	if len(refs) == 0 {
		return
	}
	w.startFull(boxIref, h.irefVersion, 0)
	for _, ref := range refs {
		w.start(ref.typ)
		w.uintN(idSize, uint64(ref.from))
		w.u16(uint16(len(ref.to)))
		for _, id := range ref.to {
			w.uintN(idSize, uint64(id))
		}
		w.end()
	}
	w.end()
}

// writeIprp writes the kept properties and their renumbered associations.
func (h *heifFile) writeIprp(w *boxWriter) {
	w.start(boxIprp)
	m := 0
	for _, ch := range h.iprpChildren {
		switch ch.typ {
		case boxIpco:
			w.start(boxIpco)
			for i, p := range h.props {
				if h.keepProp[i] {
					w.copyBox(p)
				}
			}
			w.end()
		case boxIpma:
			h.writeIpma(w, h.ipmas[m])
			m++
		}
	}
	w.end()
}

func (h *heifFile) writeIpma(w *boxWriter, m heifIpma) {
	var entries []heifIpmaEntry
	for _, e := range m.entries {
		if h.keepEntry(e.id) {
			entries = append(entries, e)
		}
	}
	if len(entries) == 0 {
		return
	}
	w.startFull(boxIpma, m.version, m.flags)
	w.u32(uint32(len(entries)))
	for _, e := range entries {
		if m.version < 1 {
			w.u16(uint16(e.id))
		} else {
			w.u32(e.id)
		}
		var kept []heifAssoc
		for _, a := range e.assocs {
			switch {
			case a.index == 0:
				kept = append(kept, a)
			case h.keepProp[a.index-1]:
				kept = append(kept, heifAssoc{essential: a.essential, index: h.newIndex[a.index-1]})
			}
		}
		w.u8(uint8(len(kept)))
		for _, a := range kept {
			// A new index is never larger than the old one, so it fits
			// the same field.
			if m.flags&1 != 0 {
				v := a.index
				if a.essential {
					v |= 0x8000
				}
				w.u16(v)
			} else {
				v := uint8(a.index)
				if a.essential {
					v |= 0x80
				}
				w.u8(v)
			}
		}
	}
	w.end()
}
