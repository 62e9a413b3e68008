package exifscrub

import (
	"math"
	"sort"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/heif"
)

// Writing the scrubbed HEIF file: the new index and the kept item data.

// A span is a run of input bytes that the output holds, at newStart.
type span struct{ start, end, newStart uint64 }

// unionOf merges extents into sorted, disjoint spans laid end to end from
// newStart 0. Copying the union rather than each extent keeps bytes that
// items share shared, so the output is never larger than the input.
func unionOf(exts []heif.Extent) []span {
	var sp []span
	for _, e := range exts {
		if e.Len > 0 {
			sp = append(sp, span{start: e.Off, end: e.Off + e.Len})
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
	var fileExt, idatExt []heif.Extent
	for _, loc := range h.locs {
		if _, rw := h.newData[loc.ItemID]; !h.items[loc.ItemID].keep || rw {
			continue
		}
		if loc.Method == 0 {
			fileExt = append(fileExt, loc.Extents...)
		} else {
			idatExt = append(idatExt, loc.Extents...)
		}
	}
	fileSpans, idatSpans := unionOf(fileExt), unionOf(idatExt)

	// Rewritten data follows the copied spans in 'mdat'.
	rewritten := make(map[uint32]uint64) // item → offset in 'mdat'
	at := spansLen(fileSpans)
	var newData [][]byte
	for _, it := range h.order {
		if b, ok := h.newData[it.ID]; ok {
			rewritten[it.ID] = at
			at += uint64(len(b))
			newData = append(newData, b)
		}
	}

	var w bmff.Writer
	h.writeFtyp(&w)
	w.StartFull(bmff.BoxMeta, 0, 0)
	var patches []ilocPatch
	for _, ch := range h.metaChildren {
		switch ch.Type {
		case bmff.BoxHdlr:
			// 14496-12 §8.4.3: pre_defined, handler_type, three reserved
			// words and an empty name.
			w.StartFull(bmff.BoxHdlr, 0, 0)
			w.U32(0)
			w.Append([]byte("pict"))
			w.Append(make([]byte, 12))
			w.U8(0)
			w.End()
		case heif.BoxPitm:
			if h.primary > 0xffff {
				w.StartFull(heif.BoxPitm, 1, 0)
				w.U32(h.primary)
			} else {
				w.StartFull(heif.BoxPitm, 0, 0)
				w.U16(uint16(h.primary))
			}
			w.End()
		case bmff.BoxDinf:
			// One self-contained data reference (14496-12 §8.7.2.3: flag
			// 1, no string); every kept item's data is in this file.
			w.Start(bmff.BoxDinf)
			w.StartFull(bmff.BoxDref, 0, 0)
			w.U32(1)
			w.StartFull(heif.BoxURL, 0, 1)
			w.End()
			w.End()
			w.End()
		case heif.BoxGrpl:
			h.writeGrpl(&w)
		case heif.BoxIinf:
			h.writeIinf(&w)
		case heif.BoxIloc:
			patches = h.writeIloc(&w, fileSpans, idatSpans, rewritten)
		case heif.BoxIref:
			h.writeIref(&w)
		case heif.BoxIprp:
			h.writeIprp(&w)
		case heif.BoxIdat:
			if len(idatSpans) > 0 {
				w.Start(heif.BoxIdat)
				for _, s := range idatSpans {
					w.Append(h.idat[s.start:s.end])
				}
				w.End()
			}
		}
	}
	w.End()
	if w.Err() != nil {
		return nil, bmff.ErrorAt(h.meta.Offset, ErrUnsupportedFeature, "%v", w.Err())
	}
	mdatLen := at
	if mdatLen > 0 {
		w.Header(bmff.BoxMdat, nil, mdatLen)
	}
	// The offsets of file extents are known only now that the size of
	// everything before the 'mdat' payload is.
	base := uint64(w.Len())
	for _, p := range patches {
		off := base + p.rel
		if off > math.MaxUint32 {
			return nil, bmff.ErrorAt(0, ErrUnsupportedFeature, "output offset %d does not fit in 32 bits", off)
		}
		w.PutUintN(p.at, 4, off)
	}
	pieces := [][]byte{w.Bytes()}
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
func (h *heifFile) writeIloc(w *bmff.Writer, fileSpans, idatSpans []span, rewritten map[uint32]uint64) []ilocPatch {
	var patches []ilocPatch
	var kept []*heif.Location
	for _, loc := range h.locs {
		if h.items[loc.ItemID].keep {
			kept = append(kept, loc)
		}
	}
	v := h.ilocVersion
	w.StartFull(heif.BoxIloc, v, 0)
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
			if n := len(h.newData[loc.ItemID]); n == 0 {
				w.U16(0)
			} else {
				w.U16(1)
				patches = append(patches, ilocPatch{at: w.Len(), rel: off})
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
				patches = append(patches, ilocPatch{at: w.Len(), rel: newOffset(fileSpans, e.Off)})
				w.U32(0)
			} else {
				w.U32(uint32(newOffset(idatSpans, e.Off)))
			}
			w.U32(uint32(e.Len))
		}
	}
	w.End()
	return patches
}

// writeIinf writes the entries of the kept items from their fields
// (14496-12 §8.11.6.2): version 2, or 3 for a 32-bit ID, the hidden flag,
// no protection, the type and an empty name. Kept items are images, whose
// entries have no content type or URI type, and, under Options.Keep, Exif
// and XMP items.
func (h *heifFile) writeIinf(w *bmff.Writer) {
	var kept []*heifItem
	for _, it := range h.order {
		if it.keep {
			kept = append(kept, it)
		}
	}
	w.StartFull(heif.BoxIinf, h.iinfVersion, 0)
	if h.iinfVersion == 0 {
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
			w.StartFull(heif.BoxInfe, 3, flags)
			w.U32(it.ID)
		} else {
			w.StartFull(heif.BoxInfe, 2, flags)
			w.U16(uint16(it.ID))
		}
		w.U16(0) // item_protection_index
		w.Append(it.Type[:])
		w.U8(0) // item_name
		if it.Type == heif.ItemMime {
			// A kept XMP item (see keepMetadata): its content type,
			// and no content_encoding, as the packet is written plain.
			w.Append([]byte("application/rdf+xml\x00"))
		}
		w.End()
	}
	w.End()
}

// writeFtyp writes the file type box (14496-12 §4.3): the major brand,
// minor version 0, and the compatible brands of heifBrands that the input
// lists. A major brand not in heifBrands is replaced with one that
// tells readers the same format.
func (h *heifFile) writeFtyp(w *bmff.Writer) {
	major := h.major
	if !heifBrands[major] {
		major = bmff.FourCC{'m', 'i', 'f', '1'}
		if h.rep.Format == AVIF {
			major = bmff.FourCC{'a', 'v', 'i', 'f'}
		} else {
			for _, b := range h.brands {
				if heifBrand(b.String()) == HEIF && b != (bmff.FourCC{'m', 'i', 'a', 'f'}) {
					major = b
					break
				}
			}
		}
	}
	w.Start(bmff.BoxFtyp)
	w.Append(major[:])
	w.U32(0)
	for _, b := range h.brands {
		w.Append(b[:])
	}
	w.End()
}

// writeGrpl writes the entity groups (14496-12 §8.18.3) with the IDs that
// decideItems left them, version 0 and flags 0, and nothing else.
func (h *heifFile) writeGrpl(w *bmff.Writer) {
	if len(h.groups) == 0 {
		return
	}
	w.Start(heif.BoxGrpl)
	for _, g := range h.groups {
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

// heifWrittenRefs are the reference types build writes between kept
// items; decideItems reports the others.
var heifWrittenRefs = map[bmff.FourCC]bool{
	refThmb: true, refAuxl: true, refCdsc: true,
	{'d', 'i', 'm', 'g'}: true, {'b', 'a', 's', 'e'}: true, {'p', 'r', 'e', 'm'}: true, {'t', 'b', 'a', 's'}: true,
}

// writeIref writes the references between kept items, and to entity
// groups; the box is left out when none remains.
func (h *heifFile) writeIref(w *bmff.Writer) {
	idSize := 2 << h.irefVersion
	var refs []heif.Ref
	for _, ref := range h.refs {
		if it := h.items[ref.From]; it == nil || !it.keep || !heifWrittenRefs[ref.Type] {
			continue
		}
		var to []uint32
		for _, id := range ref.To {
			if it := h.items[id]; it == nil && h.groupIDs[id] || it != nil && it.keep {
				to = append(to, id)
			}
		}
		if len(to) > 0 {
			refs = append(refs, heif.Ref{Type: ref.Type, From: ref.From, To: to})
		}
	}
	if len(refs) == 0 {
		return
	}
	w.StartFull(heif.BoxIref, h.irefVersion, 0)
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

// writeIprp writes the kept properties and their renumbered associations.
func (h *heifFile) writeIprp(w *bmff.Writer) {
	w.Start(heif.BoxIprp)
	m := 0
	for _, ch := range h.iprpChildren {
		switch ch.Type {
		case heif.BoxIpco:
			w.Start(heif.BoxIpco)
			for i := range h.props {
				if h.keepProp[i] {
					w.Append(h.newProps[i])
				}
			}
			w.End()
		case heif.BoxIpma:
			h.writeIpma(w, h.ipmas[m])
			m++
		}
	}
	w.End()
}

func (h *heifFile) writeIpma(w *bmff.Writer, m heif.Ipma) {
	var entries []heif.IpmaEntry
	for _, e := range m.Entries {
		if h.keepEntry(e.ID) {
			entries = append(entries, e)
		}
	}
	if len(entries) == 0 {
		return
	}
	w.StartFull(heif.BoxIpma, m.Version, m.Flags&1)
	w.U32(uint32(len(entries)))
	for _, e := range entries {
		if m.Version < 1 {
			w.U16(uint16(e.ID))
		} else {
			w.U32(e.ID)
		}
		var kept []heif.Assoc
		for _, a := range e.Assocs {
			switch {
			case a.Index == 0:
				kept = append(kept, a)
			case h.keepProp[a.Index-1]:
				kept = append(kept, heif.Assoc{Essential: a.Essential, Index: h.newIndex[a.Index-1]})
			}
		}
		w.U8(uint8(len(kept)))
		for _, a := range kept {
			// A new index is never larger than the old one, so it fits
			// the same field.
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
