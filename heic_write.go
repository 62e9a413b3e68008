package exifscrub

import (
	"math"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/heif"
)

// Writing the scrubbed HEIF file: the new index and the kept item data.

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
	fileSpans, idatSpans := heif.UnionOf(fileExt), heif.UnionOf(idatExt)

	// Rewritten data follows the copied spans in 'mdat'.
	rewritten := make(map[uint32]uint64) // item → offset in 'mdat'
	at := heif.SpansLen(fileSpans)
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
	var patches []heif.Patch
	for _, ch := range h.metaChildren {
		switch ch.Type {
		case bmff.BoxHdlr:
			w.WriteHdlr(0, bmff.FourCC{'p', 'i', 'c', 't'}, nil) // an empty name
		case heif.BoxPitm:
			heif.WritePitm(&w, h.primary)
		case bmff.BoxDinf:
			heif.WriteDinf(&w) // every kept item's data is in this file
		case heif.BoxGrpl:
			heif.WriteGrpl(&w, h.groups)
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
					w.Append(h.idat[s.Start:s.End])
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
		off := base + p.Rel
		if off > math.MaxUint32 {
			return nil, bmff.ErrorAt(0, ErrUnsupportedFeature, "output offset %d does not fit in 32 bits", off)
		}
		w.PutUintN(p.At, 4, off)
	}
	pieces := [][]byte{w.Bytes()}
	for _, s := range fileSpans {
		pieces = append(pieces, h.data[s.Start:s.End])
	}
	return append(pieces, newData...), nil
}

// writeIloc writes the 'iloc' of the kept items (heif.WriteIloc), in the
// version of the input; file offsets are patched by build.
//
// Every data_reference_index is 0, "this file": resolveLocations refused
// data elsewhere, and the rebuilt 'dinf' holds one self-contained entry.
func (h *heifFile) writeIloc(w *bmff.Writer, fileSpans, idatSpans []heif.Span, rewritten map[uint32]uint64) []heif.Patch {
	var kept []*heif.Location
	for _, loc := range h.locs {
		if h.items[loc.ItemID].keep {
			kept = append(kept, loc)
		}
	}
	return heif.WriteIloc(w, h.ilocVersion, kept, fileSpans, idatSpans, rewritten, h.newData)
}

// writeIinf writes the entries of the kept items (heif.WriteIinf). Kept
// items are images, whose entries have no content type or URI type, and,
// under Options.Keep, Exif and XMP items (see keepMetadata), the XMP
// packet written plain.
func (h *heifFile) writeIinf(w *bmff.Writer) {
	var kept []heif.Item
	for _, it := range h.order {
		if it.keep {
			kept = append(kept, it.Item)
		}
	}
	heif.WriteIinf(w, h.iinfVersion, kept)
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

// heifWrittenRefs are the reference types build writes between kept
// items; decideItems reports the others.
var heifWrittenRefs = map[bmff.FourCC]bool{
	refThmb: true, refAuxl: true, refCdsc: true,
	{'d', 'i', 'm', 'g'}: true, {'b', 'a', 's', 'e'}: true, {'p', 'r', 'e', 'm'}: true, {'t', 'b', 'a', 's'}: true,
}

// writeIref writes the references between kept items, and to entity
// groups; the box is left out when none remains.
func (h *heifFile) writeIref(w *bmff.Writer) {
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
	heif.WriteIref(w, h.irefVersion, refs)
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

// writeIpma writes the associations of the kept items (heif.WriteIpma).
func (h *heifFile) writeIpma(w *bmff.Writer, m heif.Ipma) {
	var entries []heif.IpmaEntry
	for _, e := range m.Entries {
		if h.keepEntry(e.ID) {
			entries = append(entries, e)
		}
	}
	heif.WriteIpma(w, m, entries, h.keepProp, h.newIndex)
}
