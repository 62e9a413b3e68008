package exifscrub

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/date"
	"github.com/exifscrub/exifscrub/internal/gainmap"
	"github.com/exifscrub/exifscrub/internal/heif"
	"github.com/exifscrub/exifscrub/internal/text"
)

// Deciding what a HEIF file keeps, and reporting what it removes.

// heifNeedRefs are the reference types by which an image needs other
// items to display (23008-12 §6.4 and §6.6): the inputs of a derived
// image, the base of a pre-derived image, the alpha plane a premultiplied
// image was multiplied with, and the tile base track of an HEVC tile.
// References of other types are left out of the new file; what they point
// to stays only if something else keeps it.
var heifNeedRefs = map[bmff.FourCC]bool{
	{'d', 'i', 'm', 'g'}: true,
	{'b', 'a', 's', 'e'}: true,
	{'p', 'r', 'e', 'm'}: true,
	{'t', 'b', 'a', 's'}: true,
}

// groupAltr is the alternatives entity group (14496-12 §8.18.3.1): a
// reader displays one of its entities.
var groupAltr = bmff.FourCC{'a', 'l', 't', 'r'}

// heifDisplayAux are the auxiliary image types (the 'auxC' property of an
// 'auxl' image) that a reader needs to display the image they belong to:
// alpha planes (23008-12 §6.4.1; ISO/IEC 23091-2's CICP form) and Apple's
// HDR gain map, which iPhones write before iOS 18 without a 'tmap' item.
// Every other auxiliary image goes: depth and disparity maps, portrait and
// semantic mattes (a silhouette of each person, of their skin, hair and
// teeth, and of the sky), and Apple's linear thumbnail and style delta map
// (iOS 18+: a 1024x768 copy of the photo, and a full-size map that undoes
// its photographic style) are copies or outlines of the scene that an editor
// which does not know them keeps uncropped, like a thumbnail; and a type
// not listed cannot be shown to be needed.
var heifDisplayAux = map[string]bool{
	"urn:mpeg:hevc:2015:auxid:1":                  true, // alpha (HEVC)
	"urn:mpeg:mpegB:cicp:systems:auxiliary:alpha": true, // alpha (AVIF, VVC)
	appleGainMapAux:                               true,
}

// appleGainMapAux is the auxiliary type of Apple's HDR gain map.
const appleGainMapAux = "urn:com:apple:photo:2020:aux:hdrgainmap"

// auxType returns the auxiliary type ('auxC', 23008-12 §6.5.8) of item id,
// or "" if it has none.
func (h *heifFile) auxType(id uint32) string {
	p, ok := h.itemProperty(id, heif.PropAuxC)
	if !ok || len(p.Payload) < 4 {
		return ""
	}
	return text.CString(p.Payload[4:])
}

// decideItems marks the items Scrub keeps: the primary item, every image
// that is not hidden, a thumbnail or an auxiliary image, the images of
// entity groups (but not hidden ones offered as alternatives), and,
// transitively, what a kept item needs and the auxiliary images of kept
// items that display needs (heifDisplayAux). Items of types it does not know are never kept: one that a kept
// image needs is refused, since the image cannot display without it.
func (h *heifFile) decideItems() error {
	if err := h.checkCycles(); err != nil {
		return err
	}
	needs := make(map[uint32][]uint32)
	auxOf := make(map[uint32][]uint32)
	thumb := make(map[uint32]bool)
	aux := make(map[uint32]bool)
	h.needs, h.auxOf, h.thumb, h.aux = needs, auxOf, thumb, aux
	for _, ref := range h.refs {
		switch {
		case ref.Type == refThmb:
			thumb[ref.From] = true
		case ref.Type == refAuxl:
			aux[ref.From] = true
			for _, to := range ref.To {
				auxOf[to] = append(auxOf[to], ref.From)
			}
		case heifNeedRefs[ref.Type]:
			needs[ref.From] = append(needs[ref.From], ref.To...)
		case !heifWrittenRefs[ref.Type]:
			// A reference of a type Scrub does not know is left out;
			// what it points to stays only if something else keeps it.
			h.rep.add(Embedded, "HEIF iref", ref.Type.String(), fmt.Sprintf("(from item %d to %d items)", ref.From, len(ref.To)))
		}
	}
	switch p := h.items[h.primary]; {
	case heif.IsMetadata(p.Type):
		return bmff.ErrorAt(h.meta.Offset, nil, "primary item %d is a %q metadata item", p.ID, p.Type)
	case !heif.IsImage(p.Type):
		return bmff.ErrorAt(h.meta.Offset, ErrUnsupportedFeature, "primary item %d has unknown type %q", p.ID, p.Type)
	}
	var queue []*heifItem
	mark := func(it *heifItem) {
		if !it.keep {
			it.keep = true
			queue = append(queue, it)
		}
	}
	mark(h.items[h.primary])
	for _, it := range h.order {
		if heif.IsImage(it.Type) && !it.Hidden && !thumb[it.ID] && !aux[it.ID] {
			mark(it)
		}
	}
	// Images grouped with others (an HDR 'tmap' derivation and its SDR
	// base, stereo pairs, bursts) are kept whether hidden or not
	// (14496-12 §8.18), except a hidden image offered as an alternative:
	// no reader shows it, so it can hold anything.
	for _, g := range h.groups {
		for _, id := range g.IDs {
			if it := h.items[id]; it != nil && heif.IsImage(it.Type) && !thumb[id] && !(g.Type == groupAltr && it.Hidden) {
				mark(it)
			}
		}
	}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		for _, id := range needs[it.ID] {
			dep := h.items[id]
			switch {
			case dep == nil && h.groupIDs[id]:
			case dep == nil:
				return bmff.ErrorAt(h.meta.Offset, nil, "item %d refers to item %d, which does not exist", it.ID, id)
			case heif.IsMetadata(dep.Type):
				return bmff.ErrorAt(h.meta.Offset, nil, "image item %d is made from %q metadata item %d", it.ID, dep.Type, id)
			case !heif.IsImage(dep.Type):
				return bmff.ErrorAt(h.meta.Offset, ErrUnsupportedFeature, "image item %d is made from item %d of unknown type %q", it.ID, id, dep.Type)
			default:
				mark(dep)
			}
		}
		for _, id := range auxOf[it.ID] {
			if a := h.items[id]; a != nil && heif.IsImage(a.Type) && heifDisplayAux[h.auxType(id)] {
				mark(a)
			}
		}
	}
	// A group keeps the IDs of the entities that stay; an 'altr' group
	// loses its removed alternatives, and goes if none is left.
	groups := h.groups[:0]
	for _, g := range h.groups {
		ids := g.IDs[:0]
		for _, id := range g.IDs {
			it := h.items[id]
			switch {
			case it == nil || it.keep:
				ids = append(ids, id)
			case g.Type != groupAltr || !heif.IsImage(it.Type):
				return bmff.ErrorAt(h.meta.Offset, ErrUnsupportedFeature, "entity group holds item %d, which Scrub removes", id)
			}
		}
		g.IDs = ids
		if len(ids) == 0 {
			delete(h.groupIDs, g.ID)
			continue
		}
		groups = append(groups, g)
	}
	h.groups = groups
	return h.checkOverlaps()
}

// checkOverlaps refuses a file in which a kept item's data shares bytes
// with an item Scrub removes (an Exif item inside the image's extent, a
// zero-length extent running to the end of the file over the XMP): those
// bytes would be copied.
func (h *heifFile) checkOverlaps() error {
	a, b, ok := heif.Overlap(h.locs, func(id uint32) (bool, bool) { return true, !h.items[id].keep },
		func(x, y heif.Run) bool { return x.Marked != y.Marked })
	if ok {
		if a.Marked {
			a, b = b, a
		}
		return bmff.ErrorAt(h.items[a.ID].loc.Offset, ErrUnsupportedFeature, "item %d's data overlaps removed item %d's", a.ID, b.ID)
	}
	return nil
}

// checkCycles refuses references that go round in a loop within one
// reference type (heif.Loop).
func (h *heifFile) checkCycles() error {
	if typ, ok := heif.Loop(h.refs); ok {
		return bmff.ErrorAt(h.meta.Offset, nil, "%q item references form a loop", typ)
	}
	return nil
}

// decideProperties decides which properties to keep and renumbers them.
func (h *heifFile) decideProperties() error {
	n := len(h.props)
	used := make([]bool, n)
	assigned := make([]bool, n) // to any item, kept or not
	essential := make([]bool, n)
	for _, m := range h.ipmas {
		for _, e := range m.Entries {
			for _, a := range e.Assocs {
				if a.Index > 0 && int(a.Index) <= n {
					assigned[a.Index-1] = true
				}
			}
			if !h.keepEntry(e.ID) {
				continue
			}
			for _, a := range e.Assocs {
				if a.Index == 0 {
					continue
				}
				if int(a.Index) > n {
					return bmff.ErrorAt(h.meta.Offset, nil, "item %d is associated with property %d of %d", e.ID, a.Index, n)
				}
				used[a.Index-1] = true
				essential[a.Index-1] = essential[a.Index-1] || a.Essential
			}
		}
	}
	h.keepProp = make([]bool, n)
	h.newIndex = make([]uint16, n)
	h.newProps = make([][]byte, n)
	next := uint16(1)
	for i, p := range h.props {
		keep := false
		switch {
		case p.Type == propUdes || p.Type == propCrtt || p.Type == propMdft || p.Type == propAltt:
			h.reportProperty(p)
		case p.Type == propColr && isICC(p) && h.opts.DropColorProfile:
			if used[i] {
				h.rep.add(Other, "ICC_Profile", "ICC_Profile", fmt.Sprintf("(%d bytes)", len(p.Payload)))
			}
		case heifKeptProperties[p.Type] && used[i]:
			b, err := h.rebuildProperty(p, essential[i])
			if err != nil {
				return err
			}
			h.newProps[i], keep = b, b != nil
		case heifKeptProperties[p.Type]:
			// Properties only removed items used go with them; one that
			// no item uses is not shown by any reader.
			if !assigned[i] {
				h.rep.add(Embedded, "HEIF ipco", p.Type.String(), fmt.Sprintf("(property %d, used by no item, %d bytes)", i+1, len(p.Payload)))
			}
		case essential[i]:
			return bmff.ErrorAt(p.Offset, ErrUnsupportedFeature, "essential property %q is not understood", p.Type)
		default:
			h.rep.add(Embedded, "HEIF ipco", p.Type.String(), fmt.Sprintf("(%d bytes)", len(p.Payload)))
		}
		if keep {
			h.keepProp[i] = true
			h.newIndex[i] = next
			next++
		}
	}
	return nil
}

// keepEntry reports whether an ipma entry for id stays: one for a kept
// item or for an entity group.
func (h *heifFile) keepEntry(id uint32) bool {
	if it := h.items[id]; it != nil {
		return it.keep
	}
	return h.groupIDs[id]
}

// reportProperty reports a metadata property.
func (h *heifFile) reportProperty(p bmff.Box) {
	c := bmff.NewCursor(p)
	c.FullBox()
	container := "HEIF " + p.Type.String()
	before := h.rep.count()
	switch p.Type {
	case propUdes: // lang, name, description, tags
		c.UTF8String()
		for _, tag := range []string{"Name", "Description", "Tags"} {
			if v := c.UTF8String(); v != "" && c.Err() == nil {
				h.rep.add(Text, container, tag, v)
			}
		}
	case propAltt: // alt_text, alt_lang
		if v := c.UTF8String(); v != "" && c.Err() == nil {
			h.rep.add(Text, container, "AltText", v)
		}
	case propCrtt, propMdft:
		// Microseconds since 1904-01-01 00:00 UTC.
		us := c.U64()
		if c.Err() == nil {
			tag := map[bmff.FourCC]string{propCrtt: "CreationTime", propMdft: "ModificationTime"}[p.Type]
			h.rep.add(Time, container, tag, mp4Time(us))
		}
	}
	if h.rep.count() == before {
		h.rep.add(Other, container, p.Type.String(), fmt.Sprintf("(%d bytes)", len(p.Payload)))
	}
}

// mp4Time formats a time in microseconds since 1904, the ISO-BMFF epoch.
func mp4Time(us uint64) string {
	const from1904To1970 = 2082844800 // seconds
	const maxSeconds = 1 << 40        // far beyond any real date; avoids overflow
	if us/1e6 > maxSeconds {
		return fmt.Sprintf("%d µs after 1904", us)
	}
	return date.UnixUTC(int64(us/1e6) - from1904To1970)
}

// reportItems reports the items Scrub removes.
func (h *heifFile) reportItems() {
	// The tiles and alpha planes of a removed thumbnail or auxiliary image
	// are part of it.
	partOfThumb := make(map[uint32]bool)
	var queue []uint32
	for _, it := range h.order {
		if (h.thumb[it.ID] || h.aux[it.ID]) && !it.keep {
			queue = append(queue, it.ID)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, n := range slices.Concat(h.needs[id], h.auxOf[id]) {
			if it := h.items[n]; it != nil && !it.keep && !partOfThumb[n] && !h.thumb[n] {
				partOfThumb[n] = true
				queue = append(queue, n)
			}
		}
	}
	for _, it := range h.order {
		switch {
		case it.keep || partOfThumb[it.ID] && !heif.IsMetadata(it.Type) || h.reported[it.ID]:
		case it.Type == heif.ItemExif:
			h.reportExif(it)
		case it.Type == heif.ItemMime:
			h.reportMime(it)
		case it.Type == heif.ItemURI:
			h.rep.add(Embedded, "HEIF item", "URI", fmt.Sprintf("(%s, %d bytes)", it.URIType, h.itemSize(it)))
		case h.thumb[it.ID]:
			h.rep.add(Embedded, "HEIF", "ThumbnailImage", h.describeImage(it))
		case h.aux[it.ID] && heif.IsImage(it.Type):
			h.rep.add(Embedded, "HEIF", "AuxiliaryImage", fmt.Sprintf("%q %s", h.auxType(it.ID), h.describeImage(it)))
		case heif.IsImage(it.Type):
			h.rep.add(Embedded, "HEIF", "OtherImage", h.describeImage(it))
		default:
			// Data of a type Scrub does not know: it cannot tell what it
			// holds.
			h.rep.add(Embedded, "HEIF item", it.Type.String(), fmt.Sprintf("(item %d, %d bytes)", it.ID, h.itemSize(it)))
		}
	}
}

// describeImage describes an image item: type, size in pixels and bytes.
func (h *heifFile) describeImage(it *heifItem) string {
	s := fmt.Sprintf("(%s item %d", it.Type, it.ID)
	if w, ht, ok := heif.ImageSize(h.props, h.ipmas, it.ID); ok {
		s += fmt.Sprintf(", %dx%d", w, ht)
	}
	return s + fmt.Sprintf(", %d bytes)", h.itemSize(it))
}

// itemSize is the number of bytes of an item's data.
func (h *heifFile) itemSize(it *heifItem) uint64 {
	if it.loc == nil {
		return 0
	}
	return it.loc.Size()
}

// itemData returns an item's data for the report, or nil when it is
// larger than the report reads (see budget).
func (h *heifFile) itemData(it *heifItem) ([]byte, bool) {
	size := h.itemSize(it)
	if size > maxMetadataChunk || !h.budget(int(size)) {
		return nil, false
	}
	if it.loc == nil {
		return nil, true
	}
	return it.loc.Data(h.data, h.idat), true
}

// reportExif reports an Exif item (23008-12 Annex A).
func (h *heifFile) reportExif(it *heifItem) {
	before := h.rep.count()
	defer func() {
		if h.rep.count() == before {
			h.rep.add(Other, "HEIF item", "Exif", fmt.Sprintf("(item %d, %d bytes)", it.ID, h.itemSize(it)))
		}
	}()
	block, ok := h.exifTIFF(it)
	if !ok {
		return
	}
	if o := parseEXIF(h.rep, block); o > 0 {
		// The image's display orientation is its 'irot' and 'imir'
		// properties, which are kept; the EXIF copy is informative.
		h.rep.add(Other, containerIFD0, "Orientation", fmt.Sprint(o))
	}
}

// exifTIFF returns the TIFF structure of an Exif item, or reports why
// there is none to read.
func (h *heifFile) exifTIFF(it *heifItem) ([]byte, bool) {
	b, ok := h.itemData(it)
	if !ok {
		h.rep.add(Embedded, "EXIF", "EXIF", fmt.Sprintf("(item %d, %d bytes, too large to list)", it.ID, h.itemSize(it)))
		return nil, false
	}
	block, off, ok := heif.ExifTIFF(b)
	if !ok && len(b) >= 4 {
		h.rep.add(Embedded, "EXIF", "EXIF", fmt.Sprintf("unreadable: TIFF header offset %d beyond the item's %d bytes", off, len(b)))
	}
	return block, ok
}

// reportMime reports a 'mime' item: XMP when its content type is
// application/rdf+xml (23008-12 Annex A), anything else by type.
func (h *heifFile) reportMime(it *heifItem) {
	if b, ok := h.xmpPacket(it); ok {
		parseXMP(h.rep, "XMP", b)
	}
}

// isXMPItem reports whether a 'mime' item holds XMP (23008-12 Annex A).
func isXMPItem(it *heifItem) bool {
	return it.Type == heif.ItemMime && strings.ToLower(strings.TrimSpace(it.ContentType)) == "application/rdf+xml"
}

// xmpPacket returns the XMP packet of a 'mime' item, or reports what the
// item is when it has none to read.
func (h *heifFile) xmpPacket(it *heifItem) ([]byte, bool) {
	if !isXMPItem(it) {
		h.rep.add(Embedded, "HEIF item", it.ContentType, fmt.Sprintf("(item %d, %d bytes)", it.ID, h.itemSize(it)))
		return nil, false
	}
	b, ok := h.itemData(it)
	switch {
	case !ok:
		h.rep.add(Embedded, "XMP", "XMP", fmt.Sprintf("(item %d, %d bytes, too large to list)", it.ID, h.itemSize(it)))
		return nil, false
	case it.Encoding != "":
		// Content-Encoding as in HTTP (14496-12 §8.11.6.3): "deflate"
		// is zlib data.
		out, ok := h.inflate(b)
		switch {
		case !ok:
			h.rep.add(Embedded, "XMP", "XMP", h.notInflated())
			return nil, false
		case len(out) > 0 && strings.EqualFold(it.Encoding, "deflate"):
			b = out
		default:
			h.rep.add(Embedded, "XMP", "XMP", fmt.Sprintf("(item %d, %d bytes, encoded %q)", it.ID, len(b), it.Encoding))
			return nil, false
		}
	}
	// Apple ends the packet with a NUL, which is not XML.
	return bytes.TrimRight(b, "\x00"), true
}

// keepGainMapXMP keeps, whatever the policy, the XMP of a kept Apple gain
// map (an XMP item that describes, 'cdsc', an auxiliary image of type
// urn:com:apple:photo:2020:aux:hdrgainmap): Apple's renderer finds the
// map's version there, and since iOS 18 its headroom. The item is written
// anew with only those properties (gainmap.ParseXMP, as for a JPEG's gain
// map); the rest of the packet is reported.
func (h *heifFile) keepGainMapXMP() {
	for _, ref := range h.refs {
		it := h.items[ref.From]
		if ref.Type != refCdsc || len(ref.To) != 1 || it == nil || it.keep || !isXMPItem(it) {
			continue
		}
		if to := h.items[ref.To[0]]; to == nil || !to.keep || !h.aux[to.ID] || h.auxType(to.ID) != appleGainMapAux {
			continue
		}
		h.reported[it.ID] = true
		b, ok := h.xmpPacket(it) // what it cannot read, it reports
		if !ok {
			continue
		}
		g := gainmap.ParseXMP(b)
		if g == nil {
			parseXMP(h.rep, "XMP", b)
			continue
		}
		var all Report
		parseXMP(&all, "XMP", b)
		h.rep.mergeExcept(&all, g.Kept)
		h.keepAnew(it, g.Packet)
	}
}

// keepAnew keeps item it with data written anew in place of its own.
func (h *heifFile) keepAnew(it *heifItem, data []byte) {
	it.keep, it.Encoding = true, ""
	h.keptMeta[it.ID], h.reported[it.ID] = data, true
}

// keepAppleHeadroom keeps, when an Apple gain map stays, what scales it
// in Apple's renderer for a map of version 1 (iOS 14.1 to 17), which has
// no headroom of its own: tags 0x0021 and 0x0030 of the Apple MakerNote in
// the Exif item of the image the map belongs to. That item is written
// anew as a TIFF structure holding only an Exif IFD with a MakerNote of
// those two values (gainmap.AppleHDR); what the original held is
// reported as usual. An Exif item that is that already is kept as it is,
// unreported. Under a policy that keeps an Exif item (keepMetadata), the
// MakerNote goes with the rest of what it does not keep.
//
// With Options.KeepMotion and Options.LiveIdentifier (a Live Photo's
// still), the Exif item of the primary image gets a MakerNote holding
// the new content identifier too (tag 0x0011), and the headroom when
// its gain map needs it; under a policy, it is added to the Exif item
// the policy keeps. A file without an Exif item gets none.
func (h *heifFile) keepAppleHeadroom() {
	masters := make(map[uint32]bool)
	for id, auxes := range h.auxOf {
		for _, a := range auxes {
			if it := h.items[a]; it != nil && it.keep && h.auxType(a) == appleGainMapAux {
				masters[id] = true
			}
		}
	}
	live := h.opts.KeepMotion && h.opts.LiveIdentifier != ""
	if len(masters) == 0 && !live {
		return
	}
	for _, ref := range h.refs {
		it := h.items[ref.From]
		if ref.Type != refCdsc || it == nil || it.Type != heif.ItemExif {
			continue
		}
		gain := slices.ContainsFunc(ref.To, func(id uint32) bool { return masters[id] })
		still := live && slices.Contains(ref.To, h.primary)
		if !gain && !still || it.keep && !still {
			continue
		}
		b, ok := h.itemData(it)
		if !ok {
			continue
		}
		in, _, ok := heif.ExifTIFF(b)
		if !ok {
			continue
		}
		note, found, order, ok := exifAppleNote(in)
		if !ok || !found && !still {
			continue
		}
		if !gain {
			note = gainmap.AppleHDR{}
		}
		note.ContentIdentifier = ""
		if still {
			note.ContentIdentifier = h.opts.LiveIdentifier
		}
		var kept []byte // the policy's Exif item, to add the MakerNote to
		if it.keep {
			kept = h.keptMeta[it.ID][4:]
		}
		out := withAppleNote(kept, order, note.MakerNote(), maxMetadataChunk)
		if out == nil {
			continue
		}
		if !it.keep && !bytes.Equal(out, in) {
			h.reportExif(it)
		}
		// 23008-12 Annex A: exif_tiff_header_offset 0, then the TIFF
		// structure.
		h.keepAnew(it, append(make([]byte, 4), out...))
	}
}

// keepMetadata decides, under Options.Keep, which Exif and XMP items stay:
// those that describe ('cdsc', 23008-12 §6.4.2) an image that stays and
// hold a tag the policy keeps. Their data is rebuilt with the kept tags
// only (see keepEXIF, keepXMP) and written as a rewritten item is. An
// Exif item keeps no orientation: a HEIF image's is its 'irot' and
// 'imir' properties, MIAF (ISO/IEC 23000-22) §7.3.10.1 says there
// "should be no image transformations expressed by Exif", and a tool that
// copies the Exif into a JPEG (libheif's heif-convert) would turn the
// image twice. Items read here are reported here.
func (h *heifFile) keepMetadata() {
	if !h.opts.keepsAny() {
		return
	}
	describes := make(map[uint32]bool)
	for _, ref := range h.refs {
		if ref.Type != refCdsc {
			continue
		}
		for _, id := range ref.To {
			if it := h.items[id]; it != nil && it.keep {
				describes[ref.From] = true
			}
		}
	}
	for _, it := range h.order {
		if it.keep || !describes[it.ID] || it.Type != heif.ItemExif && !isXMPItem(it) {
			continue
		}
		h.reported[it.ID] = true
		var out []byte
		if it.Type == heif.ItemExif {
			before := h.rep.count()
			block, ok := h.exifTIFF(it)
			if ok {
				var o int
				o, out = keepEXIF(h.rep, block, h.opts, false, maxMetadataChunk)
				if o > 0 {
					h.rep.add(Other, containerIFD0, "Orientation", fmt.Sprint(o))
				}
			}
			if out != nil {
				// 23008-12 Annex A: exif_tiff_header_offset 0, then the
				// TIFF structure.
				out = append(make([]byte, 4), out...)
			} else if h.rep.count() == before {
				h.rep.add(Other, "HEIF item", "Exif", fmt.Sprintf("(item %d, %d bytes)", it.ID, h.itemSize(it)))
			}
		} else if b, ok := h.xmpPacket(it); ok {
			out = keepXMP(h.rep, "XMP", b, h.opts)
		}
		if out != nil {
			h.keepAnew(it, out)
		}
	}
}

// reportUnreferenced reports bytes of 'mdat' and 'idat' boxes that no
// item points to: left-overs of an edit can hold anything, and Scrub does
// not copy them. Bytes that are not all zero are Embedded, so that check
// fails on them; zeros are padding.
func (h *heifFile) reportUnreferenced() {
	var inFile, inIdat []heif.Extent
	for _, loc := range h.locs {
		switch loc.Method {
		case 0:
			inFile = append(inFile, loc.Extents...)
		case 1:
			inIdat = append(inIdat, loc.Extents...)
		}
	}
	fileSpans := heif.UnionOf(inFile)
	for _, m := range h.mdats {
		h.reportUncovered("HEIF mdat", m.Payload, uint64(m.PayloadOffset()), fileSpans, m.Offset)
	}
	if h.haveIdat {
		h.reportUncovered("HEIF idat", h.idat, 0, heif.UnionOf(inIdat), h.idatOff)
	}
}

// reportUncovered reports the bytes of b, which starts at offset base of
// the extents' space, that none of the spans sp holds; at is the offset
// the report gives (of the 'mdat' box, of the 'idat' data).
func (h *heifFile) reportUncovered(container string, b []byte, base uint64, sp []heif.Span, at int64) {
	free, nonzero := heif.Uncovered(b, base, sp)
	switch {
	case nonzero:
		h.rep.add(Embedded, container, "UnreferencedData", fmt.Sprintf("(%d bytes at offset %d that no item uses, not zero)", free, at))
	case free > 0:
		h.rep.add(Other, container, "Unreferenced", fmt.Sprintf("(%d bytes at offset %d that no item uses)", free, at))
	}
}
