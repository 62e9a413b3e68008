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

// build writes the new file: 'ftyp' with the brands it needs, the
// rebuilt 'meta', and an 'mdat' with the data of the kept items: the
// input's bytes they point to, then the data of items rewriteItems
// rewrote. It returns the pieces to write.
func (h *heifFile) build() ([][]byte, error) {
	var fileExt, idatExt []heifExtent
	for _, loc := range h.locs {
		if _, rw := h.newData[loc.itemID]; !h.items[loc.itemID].keep || rw {
			continue
		}
		if loc.method == 0 {
			fileExt = append(fileExt, loc.extents...)
		} else {
			idatExt = append(idatExt, loc.extents...)
		}
	}
	fileSpans, idatSpans := unionOf(fileExt), unionOf(idatExt)

	// Rewritten data follows the copied spans in 'mdat'.
	rewritten := make(map[uint32]uint64) // item → offset in 'mdat'
	at := spansLen(fileSpans)
	var newData [][]byte
	for _, it := range h.order {
		if b, ok := h.newData[it.id]; ok {
			rewritten[it.id] = at
			at += uint64(len(b))
			newData = append(newData, b)
		}
	}

	var w boxWriter
	h.writeFtyp(&w)
	w.startFull(boxMeta, 0, 0)
	var patches []ilocPatch
	for _, ch := range h.metaChildren {
		switch ch.typ {
		case boxHdlr:
			// 14496-12 §8.4.3: pre_defined, handler_type, three reserved
			// words and an empty name.
			w.startFull(boxHdlr, 0, 0)
			w.u32(0)
			w.bytes([]byte("pict"))
			w.bytes(make([]byte, 12))
			w.u8(0)
			w.end()
		case boxPitm:
			if h.primary > 0xffff {
				w.startFull(boxPitm, 1, 0)
				w.u32(h.primary)
			} else {
				w.startFull(boxPitm, 0, 0)
				w.u16(uint16(h.primary))
			}
			w.end()
		case boxDinf:
			// One self-contained data reference (14496-12 §8.7.2.3: flag
			// 1, no string); every kept item's data is in this file.
			w.start(boxDinf)
			w.startFull(boxDref, 0, 0)
			w.u32(1)
			w.startFull(boxURL, 0, 1)
			w.end()
			w.end()
			w.end()
		case boxGrpl:
			h.writeGrpl(&w)
		case boxIinf:
			h.writeIinf(&w)
		case boxIloc:
			patches = h.writeIloc(&w, fileSpans, idatSpans, rewritten)
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
		}
	}
	w.end()
	if w.err != nil {
		return nil, errorAt(h.meta.off, ErrUnsupportedFeature, "%v", w.err)
	}
	mdatLen := at
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
	return append(pieces, newData...), nil
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
//
// Every data_reference_index is 0, "this file": resolveLocations refused
// data elsewhere, and the rebuilt 'dinf' holds one self-contained entry.
// A rewritten item is one extent in 'mdat', construction method 0.
func (h *heifFile) writeIloc(w *boxWriter, fileSpans, idatSpans []span, rewritten map[uint32]uint64) []ilocPatch {
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
		if off, ok := rewritten[loc.itemID]; ok {
			if v >= 1 {
				w.u16(0)
			}
			w.u16(0) // data_reference_index
			if n := len(h.newData[loc.itemID]); n == 0 {
				w.u16(0)
			} else {
				w.u16(1)
				patches = append(patches, ilocPatch{at: len(w.b), rel: off})
				w.u32(0)
				w.u32(uint32(n))
			}
			continue
		}
		if v >= 1 {
			w.u16(uint16(loc.method))
		}
		w.u16(0) // data_reference_index
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

// writeIinf writes the entries of the kept items from their fields
// (14496-12 §8.11.6.2): version 2, or 3 for a 32-bit ID, the hidden flag,
// no protection, the type and an empty name. Kept items are images, whose
// entries have no content type or URI type, and, under Options.Keep, Exif
// and XMP items.
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
		var flags uint32
		if it.hidden {
			flags = 1
		}
		if it.id > 0xffff {
			w.startFull(boxInfe, 3, flags)
			w.u32(it.id)
		} else {
			w.startFull(boxInfe, 2, flags)
			w.u16(uint16(it.id))
		}
		w.u16(0) // item_protection_index
		w.bytes(it.typ[:])
		w.u8(0) // item_name
		if it.typ == itemMime {
			// A kept XMP item (see keepMetadata): its content type,
			// and no content_encoding, as the packet is written plain.
			w.bytes([]byte("application/rdf+xml\x00"))
		}
		w.end()
	}
	w.end()
}

// writeFtyp writes the file type box (14496-12 §4.3): the major brand,
// minor version 0, and the compatible brands of heifBrands that the input
// lists. A major brand not in heifBrands is replaced with one that
// tells readers the same format.
func (h *heifFile) writeFtyp(w *boxWriter) {
	major := h.major
	if !heifBrands[major] {
		major = fourCC{'m', 'i', 'f', '1'}
		if h.rep.Format == AVIF {
			major = fourCC{'a', 'v', 'i', 'f'}
		} else {
			for _, b := range h.brands {
				if heifBrand(b.String()) == HEIF && b != (fourCC{'m', 'i', 'a', 'f'}) {
					major = b
					break
				}
			}
		}
	}
	w.start(boxFtyp)
	w.bytes(major[:])
	w.u32(0)
	for _, b := range h.brands {
		w.bytes(b[:])
	}
	w.end()
}

// writeGrpl writes the entity groups (14496-12 §8.18.3) with the IDs that
// decideItems left them, version 0 and flags 0, and nothing else.
func (h *heifFile) writeGrpl(w *boxWriter) {
	if len(h.groups) == 0 {
		return
	}
	w.start(boxGrpl)
	for _, g := range h.groups {
		w.startFull(g.typ, 0, 0)
		w.u32(g.id)
		w.u32(uint32(len(g.ids)))
		for _, id := range g.ids {
			w.u32(id)
		}
		w.end()
	}
	w.end()
}

// heifWrittenRefs are the reference types build writes between kept
// items; decideItems reports the others.
var heifWrittenRefs = map[fourCC]bool{
	refThmb: true, refAuxl: true, refCdsc: true,
	{'d', 'i', 'm', 'g'}: true, {'b', 'a', 's', 'e'}: true, {'p', 'r', 'e', 'm'}: true, {'t', 'b', 'a', 's'}: true,
}

// writeIref writes the references between kept items, and to entity
// groups; the box is left out when none remains.
func (h *heifFile) writeIref(w *boxWriter) {
	idSize := 2 << h.irefVersion
	var refs []heifRef
	for _, ref := range h.refs {
		if it := h.items[ref.from]; it == nil || !it.keep || !heifWrittenRefs[ref.typ] {
			continue
		}
		var to []uint32
		for _, id := range ref.to {
			if it := h.items[id]; it == nil && h.groupIDs[id] || it != nil && it.keep {
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
			for i := range h.props {
				if h.keepProp[i] {
					w.bytes(h.newProps[i])
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
	w.startFull(boxIpma, m.version, m.flags&1)
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
