package exifscrub

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// HEIF (ISO/IEC 23008-12) and AVIF (AV1 Image File Format, which is HEIF
// with AV1 images) are ISO-BMFF files (ISO/IEC 14496-12) whose top-level
// 'meta' box indexes "items": coded images, image tiles, derived images
// (grids, overlays), auxiliary images (alpha, depth, gain maps),
// thumbnails, and metadata. Each item has an entry in 'iinf' (its type),
// may have a location in 'iloc' (extents anywhere in the file, or in the
// 'idat' box), references to other items in 'iref', and properties in
// 'iprp' (codec configuration, size, colour, rotation) shared through
// indexes in 'ipma'.
//
// Metadata is made of items too: an 'Exif' item holds a TIFF structure as
// in JPEG (23008-12 Annex A), a 'mime' item of type
// application/rdf+xml holds XMP (Annex A), and both describe an image
// through a 'cdsc' reference. Since 'iloc' can point anywhere, the file is
// read into memory whole; scrubHEIF then writes a new file: the 'ftyp'
// box, a rebuilt 'meta' box, and one 'mdat' box holding only the bytes the
// kept items point to, with every offset recomputed. Image data and
// properties are copied byte for byte.
//
// What is kept: every image item that is not a thumbnail, and everything
// a kept image needs: the inputs of derived images ('dimg'), base images
// ('base'), alpha planes ('prem'), and auxiliary images ('auxl'). What is
// removed: metadata items (Exif, XMP and any other 'mime' or 'uri ' item),
// thumbnails ('thmb') with the tiles and alpha only they use, items of
// unknown types that no kept image needs, metadata properties (user
// descriptions, creation and modification times), properties of unknown
// types that are not essential, and top-level boxes other than 'ftyp',
// 'meta' and 'mdat' ('uuid', 'udta', 'free', 'skip'…), with any bytes of
// 'mdat' that no kept item points to. Orientation is the 'irot' and
// 'imir' properties of the image, which are kept; the EXIF orientation of
// a HEIF file is informative only (23008-12 Annex A) and goes with
// the Exif item.
//
// What is refused, as a *FormatError with ErrUnsupportedFeature: image
// sequences and movie fragments ('moov', 'moof'), protected items, item
// data in other files or built from other items (iloc construction method
// 2), essential properties of unknown types, entity groups that hold a
// removed item, and files larger than maxHEIFSize.

const (
	// maxHEIFSize bounds the input, which is held in memory. It also
	// keeps every offset and length of the output within 32 bits.
	maxHEIFSize = 1 << 30
	// maxExtents bounds the iloc extents of a file: an extent with
	// offset_size and length_size 0 costs no bytes of the file.
	maxExtents = 1 << 18
)

// Item types.
var (
	itemExif = fourCC{'E', 'x', 'i', 'f'} // 23008-12 Annex A
	itemMime = fourCC{'m', 'i', 'm', 'e'} // 14496-12 §8.11.6.2
	itemURI  = fourCC{'u', 'r', 'i', ' '} // 14496-12 §8.11.6.2
)

// heifImageTypes are the item types of coded and derived images.
var heifImageTypes = map[fourCC]bool{
	{'h', 'v', 'c', '1'}: true, // HEVC (23008-12)
	{'h', 'v', 't', '1'}: true, // HEVC tile
	{'l', 'h', 'v', '1'}: true, // layered HEVC
	{'a', 'v', 'c', '1'}: true, // AVC
	{'j', 'p', 'e', 'g'}: true, // JPEG
	{'v', 'v', 'c', '1'}: true, // VVC
	{'e', 'v', 'c', '1'}: true, // EVC
	{'a', 'v', '0', '1'}: true, // AV1 Image File Format §2.1
	{'j', '2', 'k', '1'}: true, // ISO/IEC 15444-16: JPEG 2000
	{'u', 'n', 'c', 'i'}: true, // ISO/IEC 23001-17: uncompressed
	{'g', 'r', 'i', 'd'}: true, // 23008-12 §6.6.2 derived images: grid,
	{'i', 'o', 'v', 'l'}: true, // overlay,
	{'i', 'd', 'e', 'n'}: true, // identity (a transformed view)
	{'t', 'm', 'a', 'p'}: true, // ISO 21496-1: tone map (gain map) derivation
	{'m', 's', 'k', 'i'}: true, // mask
}

// Item reference types (23008-12 §6.4).
var (
	refThmb = fourCC{'t', 'h', 'm', 'b'} // thumbnail: from the thumbnail to its image
	refAuxl = fourCC{'a', 'u', 'x', 'l'} // auxiliary image: from it to its master
	refCdsc = fourCC{'c', 'd', 's', 'c'} // content description: from metadata to image
	// Every other type ('dimg' derived image inputs, 'base', 'prem', and
	// types we do not know) is read as "the referencing item needs the
	// referenced ones".
)

// Item properties (23008-12 §6.5, in 'ipco' §9.3).
var (
	propColr = fourCC{'c', 'o', 'l', 'r'} // 14496-12 §12.1.5 colour information
	propIspe = fourCC{'i', 's', 'p', 'e'} // 23008-12 §6.5 image spatial extents
)

// heifKeptProperties are the properties that say how to decode and
// display an image. Other properties are metadata or unknown.
var heifKeptProperties = map[fourCC]bool{
	{'h', 'v', 'c', 'C'}: true, {'a', 'v', '1', 'C'}: true, {'a', 'v', 'c', 'C'}: true, // decoder configuration
	{'v', 'v', 'c', 'C'}: true, {'e', 'v', 'c', 'C'}: true, {'l', 'h', 'v', 'C'}: true,
	{'j', 'p', 'g', 'C'}: true, {'j', '2', 'k', 'H'}: true,
	{'u', 'n', 'c', 'C'}: true, {'c', 'm', 'p', 'd'}: true, {'c', 'm', 'p', 'C'}: true, // 23001-17 uncompressed
	{'i', 'c', 'e', 'f'}: true, {'c', 'p', 'a', 't'}: true, {'s', 'p', 'l', 'z'}: true,
	{'s', 'b', 'p', 'm'}: true, {'s', 'n', 'u', 'c'}: true, {'c', 'l', 'o', 'c'}: true,
	{'f', 'p', 'a', 't'}: true, {'c', 'p', 'a', 'l'}: true,
	{'o', 'i', 'n', 'f'}: true, {'t', 'o', 'l', 's'}: true, // layered HEVC
	{'i', 's', 'p', 'e'}: true, {'p', 'i', 'x', 'i'}: true, {'c', 'o', 'l', 'r'}: true, // size, pixel depth, colour (14496-12 §12.1.5)
	{'p', 'a', 's', 'p'}: true, {'c', 'l', 'a', 'p'}: true, // 14496-12 §12.1.4 aspect ratio, clean aperture
	{'i', 'r', 'o', 't'}: true, {'i', 'm', 'i', 'r'}: true, {'i', 's', 'c', 'l'}: true, // rotation, mirror, scaling
	{'r', 'l', 'o', 'c'}: true, {'a', 'u', 'x', 'C'}: true, {'l', 's', 'e', 'l'}: true, // relative location, auxiliary type, layer selector
	{'a', '1', 'o', 'p'}: true, {'a', '1', 'l', 'x'}: true, // AVIF §2.3 operating point, layer sizes
	{'c', 'l', 'l', 'i'}: true, {'m', 'd', 'c', 'v'}: true, {'c', 'c', 'l', 'v'}: true, {'a', 'm', 'v', 'e'}: true, // HDR light levels, mastering display, ambient viewing
	{'r', 'r', 'e', 'f'}: true, // required reference types
}

// Metadata properties of 23008-12:2022 §6.5, which describe rather than
// render an image; Scrub removes them.
var (
	propUdes = fourCC{'u', 'd', 'e', 's'} // user description: name, description, tags
	propCrtt = fourCC{'c', 'r', 't', 't'} // creation time
	propMdft = fourCC{'m', 'd', 'f', 't'} // modification time
	propAltt = fourCC{'a', 'l', 't', 't'} // accessibility text
)

// Well-known 'uuid' box types.
var (
	uuidXMP  = [16]byte{0xbe, 0x7a, 0xcf, 0xcb, 0x97, 0xa9, 0x42, 0xe8, 0x9c, 0x71, 0x99, 0x94, 0x91, 0xe3, 0xaf, 0xac} // XMP Specification Part 3, MPEG-4 files
	uuidC2PA = [16]byte{0xd8, 0xfe, 0xc3, 0xd6, 0x1b, 0x0e, 0x48, 0x3c, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7e, 0xc4, 0x81} // C2PA manifest store in BMFF
)

// A heifItem is an item declared in 'iinf' (14496-12 §8.11.6).
type heifItem struct {
	id          uint32
	typ         fourCC
	hidden      bool // flags bit 0: not meant to be displayed (23008-12 §6.4)
	infe        box
	contentType string // of a 'mime' item
	encoding    string // content_encoding of a 'mime' item, such as "deflate"
	uriType     string // of a 'uri ' item
	loc         *heifLocation
	keep        bool
}

// A heifExtent is a run of item data: a file offset (construction method
// 0) or an offset in 'idat' (method 1), and a length.
type heifExtent struct{ off, len uint64 }

// A heifLocation is one 'iloc' entry (14496-12 §8.11.3).
type heifLocation struct {
	off     int64 // file offset of the entry, for errors
	itemID  uint32
	method  uint8
	dataRef uint16
	extents []heifExtent
}

// A heifRef is one reference box of 'iref' (14496-12 §8.11.12).
type heifRef struct {
	typ  fourCC
	from uint32
	to   []uint32
}

// A heifAssoc associates a property (by 1-based index into 'ipco', 0 for
// none) with an item (23008-12 §9.3).
type heifAssoc struct {
	essential bool
	index     uint16
}

type heifIpmaEntry struct {
	id     uint32
	assocs []heifAssoc
}

type heifIpma struct {
	version uint8
	flags   uint32
	entries []heifIpmaEntry
}

// A heifFile is one HEIF file being scanned or scrubbed.
type heifFile struct {
	*scrubber
	data []byte

	ftyp box
	meta box

	metaChildren []box // in file order
	primary      uint32
	items        map[uint32]*heifItem
	order        []*heifItem // in 'iinf' order
	ilocVersion  uint8
	locs         []*heifLocation
	nExtents     int
	iinfVersion  uint8
	irefVersion  uint8
	refs         []heifRef
	iprpChildren []box
	props        []box // 'ipco' children; property index i+1
	keepProp     []bool
	newIndex     []uint16 // property index after removals
	ipmas        []heifIpma
	idat         []byte
	haveIdat     bool
	idatOff      int64
	selfRefs     []bool     // per 'dref' entry: the data is in this file
	groups       [][]uint32 // entity IDs of each 'grpl' group
	groupIDs     map[uint32]bool
	mdats        []box
	needs        map[uint32][]uint32 // item → the items it needs ('dimg', 'base', 'prem'…)
	auxOf        map[uint32][]uint32 // item → its auxiliary images ('auxl')
	thumb        map[uint32]bool     // thumbnails ('thmb')
	parsed       int                 // bytes of metadata parsed for the report
}

func scrubHEIF(s *scrubber) error {
	data, err := io.ReadAll(io.LimitReader(s.in.br, maxHEIFSize+1))
	if err != nil {
		return s.formatError(int64(len(data)), "reading the file", err)
	}
	if len(data) > maxHEIFSize {
		return s.formatError(maxHEIFSize, fmt.Sprintf("file larger than %d bytes", maxHEIFSize), ErrUnsupportedFeature)
	}
	s.in.off = int64(len(data))
	h := &heifFile{scrubber: s, data: data, items: make(map[uint32]*heifItem), groupIDs: make(map[uint32]bool)}
	pieces, err := h.scrub()
	if err != nil {
		var be *bmffError
		if errors.As(err, &be) {
			return s.formatError(be.off, be.reason, be.err)
		}
		return s.formatError(0, err.Error(), nil)
	}
	// Nothing is written until the whole file has been checked and the
	// new index built, so that a refused file leaves no output at all.
	for _, p := range pieces {
		if err := s.write(p); err != nil {
			return err
		}
	}
	return nil
}

// scrub parses and checks the file, reports what it removes, and returns
// the pieces of the new file.
func (h *heifFile) scrub() ([][]byte, error) {
	if err := h.parseTop(); err != nil {
		return nil, err
	}
	if err := h.parseMeta(); err != nil {
		return nil, err
	}
	if err := h.resolveLocations(); err != nil {
		return nil, err
	}
	if err := h.decideItems(); err != nil {
		return nil, err
	}
	if err := h.decideProperties(); err != nil {
		return nil, err
	}
	h.reportItems()
	h.reportUnreferenced()
	return h.build()
}

// parseTop reads the top-level boxes (14496-12 §4.2, §6.2).
func (h *heifFile) parseTop() error {
	r := newBoxReader(h.data, 0, true)
	haveMeta := false
	for first := true; ; first = false {
		bx, ok := r.next()
		if !ok {
			break
		}
		if first && bx.typ != boxFtyp {
			return errorAt(bx.off, nil, "first box is %q, not 'ftyp'", bx.typ)
		}
		switch bx.typ {
		case boxFtyp:
			if !first {
				return errorAt(bx.off, nil, "second 'ftyp' box")
			}
			if len(bx.payload) < 8 {
				return errorAt(bx.off, io.ErrUnexpectedEOF, "'ftyp' box of %d bytes is too short", len(bx.payload))
			}
			h.ftyp = bx
		case boxMeta:
			if haveMeta {
				return errorAt(bx.off, nil, "second 'meta' box")
			}
			haveMeta = true
			h.meta = bx
		case boxMdat:
			h.mdats = append(h.mdats, bx)
		case boxMoov:
			return errorAt(bx.off, ErrUnsupportedFeature, "image sequence ('moov' box)")
		case boxMoof, boxMfra:
			return errorAt(bx.off, ErrUnsupportedFeature, "movie fragments (%q box)", bx.typ)
		case boxFree, boxSkip:
			h.reportPadding("HEIF", bx)
		case boxUUID:
			h.reportUUID(bx)
		default:
			// 'udta', 'meco' (additional metadata), vendor boxes: none
			// is needed to display the items of 'meta'.
			h.rep.add(Other, "HEIF", bx.typ.String(), fmt.Sprintf("(top-level box, %d bytes)", len(bx.payload)))
		}
	}
	if r.err != nil {
		return r.err
	}
	if !haveMeta {
		return errorAt(int64(len(h.data)), nil, "no 'meta' box")
	}
	return nil
}

// reportPadding reports a 'free' or 'skip' box (14496-12 §8.1.2), whose
// contents are ignored by readers but may be left-over data.
func (h *heifFile) reportPadding(container string, bx box) {
	kind := "zero bytes"
	for _, c := range bx.payload {
		if c != 0 {
			kind = "bytes"
			break
		}
	}
	h.rep.add(Other, container, "Padding", fmt.Sprintf("('%s' box, %d %s)", bx.typ, len(bx.payload), kind))
}

// reportUUID reports a top-level 'uuid' box: XMP as in MP4, C2PA
// manifests, or vendor data such as Canon's CMT boxes.
func (h *heifFile) reportUUID(bx box) {
	switch bx.usertype {
	case uuidXMP:
		h.parseXMPBytes(bx.payload)
	case uuidC2PA:
		h.rep.add(Identity, "HEIF uuid", "C2PA", fmt.Sprintf("(%d bytes)", len(bx.payload)))
	default:
		h.rep.add(Other, "HEIF uuid", fmt.Sprintf("%x", bx.usertype), fmt.Sprintf("(%d bytes)", len(bx.payload)))
	}
}

// parseXMPBytes reports an XMP packet, unless the report has already read
// as much metadata as the file holds (overlapping items could otherwise
// make it parse the same bytes again and again).
func (h *heifFile) parseXMPBytes(b []byte) {
	if !h.budget(len(b)) {
		h.rep.add(Other, "XMP", "XMP", fmt.Sprintf("(%d bytes, too large to list)", len(b)))
		return
	}
	parseXMP(h.rep, "XMP", b)
}

// budget reports whether n more bytes of metadata may be parsed for the
// report: at most maxMetadataChunk at once, and no more than the file's
// size in all.
func (h *heifFile) budget(n int) bool {
	if n > maxMetadataChunk || h.parsed+n > len(h.data) {
		return false
	}
	h.parsed += n
	return true
}

// parseMeta reads the children of the 'meta' box (14496-12 §8.11.1).
func (h *heifFile) parseMeta() error {
	c := newCursor(h.meta)
	version, _ := c.fullBox()
	if c.err != nil {
		return c.err
	}
	if version != 0 {
		return errorAt(h.meta.off, ErrUnsupportedFeature, "'meta' box version %d", version)
	}
	seen := make(map[fourCC]bool)
	var hdlr, pitm, iloc, iinf, iref, iprp, idat, dinf box
	r := newBoxReader(c.b[c.pos:], c.off(), false)
	for {
		bx, ok := r.next()
		if !ok {
			break
		}
		keep := true
		switch bx.typ {
		case boxHdlr, boxPitm, boxIloc, boxIinf, boxIref, boxIprp, boxIdat, boxDinf, boxGrpl:
			if seen[bx.typ] {
				return errorAt(bx.off, nil, "second %q box in 'meta'", bx.typ)
			}
			seen[bx.typ] = true
		case boxIpro:
			return errorAt(bx.off, ErrUnsupportedFeature, "protected items ('ipro' box)")
		case boxFree, boxSkip:
			h.reportPadding("HEIF meta", bx)
			keep = false
		default:
			// 'xml ' and 'bxml' (14496-12 §8.11.2) hold XML metadata;
			// other boxes are not part of HEIF.
			if bytes.Contains(bx.payload, []byte("<x:xmpmeta")) || bytes.Contains(bx.payload, []byte("rdf:RDF")) {
				h.parseXMPBytes(bx.payload[min(4, len(bx.payload)):])
			} else {
				h.rep.add(Other, "HEIF meta", bx.typ.String(), fmt.Sprintf("(%d bytes)", len(bx.payload)))
			}
			keep = false
		}
		if !keep {
			continue
		}
		h.metaChildren = append(h.metaChildren, bx)
		switch bx.typ {
		case boxHdlr:
			hdlr = bx
		case boxPitm:
			pitm = bx
		case boxIloc:
			iloc = bx
		case boxIinf:
			iinf = bx
		case boxIref:
			iref = bx
		case boxIprp:
			iprp = bx
		case boxIdat:
			idat = bx
		case boxDinf:
			dinf = bx
		case boxGrpl:
			if err := h.parseGrpl(bx); err != nil {
				return err
			}
		}
	}
	if r.err != nil {
		return r.err
	}
	for _, t := range []fourCC{boxHdlr, boxPitm, boxIinf} {
		if !seen[t] {
			return errorAt(h.meta.off, nil, "'meta' box has no %q box", t)
		}
	}
	if err := h.parseHdlr(hdlr); err != nil {
		return err
	}
	if err := h.parseIinf(iinf); err != nil {
		return err
	}
	if err := h.parsePitm(pitm); err != nil {
		return err
	}
	if seen[boxIdat] {
		h.idat, h.haveIdat, h.idatOff = idat.payload, true, idat.payloadOff()
	}
	if seen[boxDinf] {
		if err := h.parseDinf(dinf); err != nil {
			return err
		}
	}
	if seen[boxIloc] {
		if err := h.parseIloc(iloc); err != nil {
			return err
		}
	}
	if seen[boxIref] {
		if err := h.parseIref(iref); err != nil {
			return err
		}
	}
	if seen[boxIprp] {
		if err := h.parseIprp(iprp); err != nil {
			return err
		}
	}
	return nil
}

// parseHdlr checks the handler (14496-12 §8.4.3): HEIF's is 'pict'
// (23008-12).
func (h *heifFile) parseHdlr(bx box) error {
	c := newCursor(bx)
	c.fullBox()
	c.u32() // pre_defined
	handler := c.fourCC()
	if c.err != nil {
		return c.err
	}
	if handler != (fourCC{'p', 'i', 'c', 't'}) {
		return errorAt(bx.off, ErrUnsupportedFeature, "'meta' handler is %q, not 'pict'", handler)
	}
	return nil
}

// parsePitm reads the primary item (14496-12 §8.11.4).
func (h *heifFile) parsePitm(bx box) error {
	c := newCursor(bx)
	version, _ := c.fullBox()
	if version == 0 {
		h.primary = uint32(c.u16())
	} else {
		h.primary = c.u32()
	}
	if c.err != nil {
		return c.err
	}
	if h.items[h.primary] == nil {
		return errorAt(bx.off, nil, "primary item %d is not in 'iinf'", h.primary)
	}
	return nil
}

// parseIinf reads the item information entries (14496-12 §8.11.6).
func (h *heifFile) parseIinf(bx box) error {
	c := newCursor(bx)
	version, _ := c.fullBox()
	var count uint32
	if version == 0 {
		count = uint32(c.u16())
	} else {
		count = c.u32()
	}
	if c.err != nil {
		return c.err
	}
	h.iinfVersion = version
	r := newBoxReader(c.b[c.pos:], c.off(), false)
	n := uint32(0)
	for {
		bx, ok := r.next()
		if !ok {
			break
		}
		if bx.typ != boxInfe {
			return errorAt(bx.off, nil, "%q box in 'iinf'", bx.typ)
		}
		if err := h.parseInfe(bx); err != nil {
			return err
		}
		n++
	}
	if r.err != nil {
		return r.err
	}
	if n != count {
		return errorAt(bx.off, nil, "'iinf' declares %d entries but holds %d", count, n)
	}
	return nil
}

// parseInfe reads an item information entry (14496-12 §8.11.6.2). HEIF
// uses versions 2 and 3, which carry an item type.
func (h *heifFile) parseInfe(bx box) error {
	c := newCursor(bx)
	version, flags := c.fullBox()
	if c.err != nil {
		return c.err
	}
	if version < 2 || version > 3 {
		return errorAt(bx.off, ErrUnsupportedFeature, "'infe' version %d", version)
	}
	it := &heifItem{infe: bx, hidden: flags&1 != 0}
	if version == 2 {
		it.id = uint32(c.u16())
	} else {
		it.id = c.u32()
	}
	protection := c.u16()
	it.typ = c.fourCC()
	c.str() // item_name
	switch it.typ {
	case itemMime:
		it.contentType = c.str()
		if c.left() > 0 {
			it.encoding = c.str()
		}
	case itemURI:
		it.uriType = c.str()
	}
	if c.err != nil {
		return c.err
	}
	if protection != 0 {
		return errorAt(bx.off, ErrUnsupportedFeature, "item %d is protected", it.id)
	}
	if h.items[it.id] != nil {
		return errorAt(bx.off, nil, "item %d is declared twice", it.id)
	}
	h.items[it.id] = it
	h.order = append(h.order, it)
	return nil
}

// parseDinf reads the data references (14496-12 §8.7.2), to tell which
// iloc data_reference_index values mean "this file".
func (h *heifFile) parseDinf(bx box) error {
	r := newBoxReader(bx.payload, bx.payloadOff(), false)
	for {
		dref, ok := r.next()
		if !ok {
			break
		}
		if dref.typ != boxDref {
			continue
		}
		c := newCursor(dref)
		c.fullBox()
		count := c.u32()
		if c.err != nil {
			return c.err
		}
		er := newBoxReader(c.b[c.pos:], c.off(), false)
		for i := uint32(0); i < count; i++ {
			e, ok := er.next()
			if !ok {
				if er.err != nil {
					return er.err
				}
				return errorAt(dref.off, nil, "'dref' declares %d entries but holds %d", count, i)
			}
			ec := newCursor(e)
			_, flags := ec.fullBox()
			if ec.err != nil {
				return ec.err
			}
			// §8.7.2: flag 1 means the data is in the same file.
			h.selfRefs = append(h.selfRefs, (e.typ == boxURL || e.typ == boxURN) && flags&1 != 0)
		}
	}
	return r.err
}

// parseGrpl reads the entity groups (14496-12 §8.18), so that an item
// Scrub removes is never left named in one.
func (h *heifFile) parseGrpl(bx box) error {
	r := newBoxReader(bx.payload, bx.payloadOff(), false)
	for {
		g, ok := r.next()
		if !ok {
			break
		}
		c := newCursor(g)
		c.fullBox()
		id := c.u32()
		n := c.u32()
		if uint64(n)*4 > uint64(c.left()) {
			return errorAt(g.off, io.ErrUnexpectedEOF, "group %q declares %d entities in %d bytes", g.typ, n, c.left())
		}
		ids := make([]uint32, n)
		for i := range ids {
			ids[i] = c.u32()
		}
		if c.err != nil {
			return c.err
		}
		h.groupIDs[id] = true
		h.groups = append(h.groups, ids)
	}
	return r.err
}

// parseIloc reads the item locations (14496-12 §8.11.3).
func (h *heifFile) parseIloc(bx box) error {
	c := newCursor(bx)
	version, _ := c.fullBox()
	if c.err == nil && version > 2 {
		return errorAt(bx.off, ErrUnsupportedFeature, "'iloc' version %d", version)
	}
	h.ilocVersion = version
	v := c.u8()
	offSize, lenSize := int(v>>4), int(v&15)
	v = c.u8()
	baseSize, indexSize := int(v>>4), int(v&15)
	if version == 0 {
		indexSize = 0 // reserved
	}
	if c.err != nil {
		return c.err
	}
	// §8.11.3.3: each size is 0, 4 or 8 bytes.
	for _, n := range []int{offSize, lenSize, baseSize, indexSize} {
		if n != 0 && n != 4 && n != 8 {
			return errorAt(bx.off, nil, "'iloc' field size %d is not 0, 4 or 8", n)
		}
	}
	var count uint32
	if version < 2 {
		count = uint32(c.u16())
	} else {
		count = c.u32()
	}
	seen := make(map[uint32]bool)
	for i := uint32(0); i < count && c.err == nil; i++ {
		loc := &heifLocation{off: c.off()}
		if version < 2 {
			loc.itemID = uint32(c.u16())
		} else {
			loc.itemID = c.u32()
		}
		if version >= 1 {
			loc.method = uint8(c.u16() & 0xf) // 12 reserved bits, construction_method
		}
		loc.dataRef = c.u16()
		base := c.uintN(baseSize)
		n := int(c.u16())
		if c.err != nil {
			break
		}
		if h.nExtents += n; h.nExtents > maxExtents {
			return errorAt(loc.off, nil, "'iloc' has more than %d extents", maxExtents)
		}
		for j := 0; j < n && c.err == nil; j++ {
			c.uintN(indexSize) // extent_index: only for construction method 2
			off, length := c.uintN(offSize), c.uintN(lenSize)
			if off > math.MaxUint64-base {
				return errorAt(loc.off, nil, "item %d: base_offset %d + extent_offset %d overflows", loc.itemID, base, off)
			}
			loc.extents = append(loc.extents, heifExtent{off: base + off, len: length})
		}
		if c.err != nil {
			break
		}
		if seen[loc.itemID] {
			return errorAt(loc.off, nil, "item %d has two locations", loc.itemID)
		}
		seen[loc.itemID] = true
		h.locs = append(h.locs, loc)
	}
	return c.err
}

// parseIref reads the item references (14496-12 §8.11.12).
func (h *heifFile) parseIref(bx box) error {
	c := newCursor(bx)
	version, _ := c.fullBox()
	if c.err != nil {
		return c.err
	}
	if version > 1 {
		return errorAt(bx.off, ErrUnsupportedFeature, "'iref' version %d", version)
	}
	h.irefVersion = version
	idSize := 2 << version // 16-bit IDs in version 0, 32-bit in 1
	r := newBoxReader(c.b[c.pos:], c.off(), false)
	for {
		rb, ok := r.next()
		if !ok {
			break
		}
		rc := newCursor(rb)
		ref := heifRef{typ: rb.typ}
		ref.from = uint32(rc.uintN(idSize))
		n := int(rc.u16())
		if rc.err != nil {
			return rc.err
		}
		if n*idSize > rc.left() {
			return errorAt(rb.off, io.ErrUnexpectedEOF, "%q reference declares %d items in %d bytes", rb.typ, n, rc.left())
		}
		ref.to = make([]uint32, n)
		for i := range ref.to {
			ref.to[i] = uint32(rc.uintN(idSize))
			if ref.to[i] == ref.from {
				return errorAt(rb.off, nil, "item %d has a %q reference to itself", ref.from, rb.typ)
			}
		}
		h.refs = append(h.refs, ref)
	}
	return r.err
}

// parseIprp reads the item properties (23008-12 §9.3): one 'ipco' with
// the properties, and 'ipma' boxes associating them with items.
func (h *heifFile) parseIprp(bx box) error {
	r := newBoxReader(bx.payload, bx.payloadOff(), false)
	haveIpco := false
	for {
		ch, ok := r.next()
		if !ok {
			break
		}
		switch ch.typ {
		case boxIpco:
			if haveIpco {
				return errorAt(ch.off, nil, "second 'ipco' box")
			}
			haveIpco = true
			pr := newBoxReader(ch.payload, ch.payloadOff(), false)
			for {
				p, ok := pr.next()
				if !ok {
					break
				}
				h.props = append(h.props, p)
			}
			if pr.err != nil {
				return pr.err
			}
		case boxIpma:
			m, err := parseIpma(ch)
			if err != nil {
				return err
			}
			h.ipmas = append(h.ipmas, m)
		default:
			h.rep.add(Other, "HEIF iprp", ch.typ.String(), fmt.Sprintf("(%d bytes)", len(ch.payload)))
			continue
		}
		h.iprpChildren = append(h.iprpChildren, ch)
	}
	if r.err != nil {
		return r.err
	}
	if len(h.ipmas) > 0 && !haveIpco {
		return errorAt(bx.off, nil, "'ipma' without 'ipco'")
	}
	return nil
}

// parseIpma reads a property association box (23008-12 §9.3).
func parseIpma(bx box) (heifIpma, error) {
	c := newCursor(bx)
	version, flags := c.fullBox()
	if c.err == nil && version > 1 {
		return heifIpma{}, errorAt(bx.off, ErrUnsupportedFeature, "'ipma' version %d", version)
	}
	m := heifIpma{version: version, flags: flags}
	count := c.u32()
	for i := uint32(0); i < count && c.err == nil; i++ {
		var e heifIpmaEntry
		if version < 1 {
			e.id = uint32(c.u16())
		} else {
			e.id = c.u32()
		}
		n := int(c.u8())
		for j := 0; j < n && c.err == nil; j++ {
			// essential (1 bit) and property_index (7 or 15 bits).
			var a heifAssoc
			if flags&1 != 0 {
				v := c.u16()
				a = heifAssoc{essential: v&0x8000 != 0, index: v & 0x7fff}
			} else {
				v := c.u8()
				a = heifAssoc{essential: v&0x80 != 0, index: uint16(v & 0x7f)}
			}
			e.assocs = append(e.assocs, a)
		}
		m.entries = append(m.entries, e)
	}
	return m, c.err
}

// resolveLocations checks every extent against the file or 'idat' and
// resolves extent_length 0, which means "to the end" (§8.11.3.3).
// Locations of items that 'iinf' does not declare are dropped.
func (h *heifFile) resolveLocations() error {
	locs := h.locs[:0]
	for _, loc := range h.locs {
		it := h.items[loc.itemID]
		if it == nil {
			h.rep.add(Other, "HEIF iloc", "Location", fmt.Sprintf("(data of undeclared item %d)", loc.itemID))
			continue
		}
		if loc.dataRef != 0 && (int(loc.dataRef) > len(h.selfRefs) || !h.selfRefs[loc.dataRef-1]) {
			return errorAt(loc.off, ErrUnsupportedFeature, "item %d's data is in another file", loc.itemID)
		}
		var size uint64
		switch loc.method {
		case 0: // file offset
			size = uint64(len(h.data))
		case 1: // offset in 'idat'
			if !h.haveIdat {
				return errorAt(loc.off, nil, "item %d is in 'idat', but there is none", loc.itemID)
			}
			size = uint64(len(h.idat))
		default:
			return errorAt(loc.off, ErrUnsupportedFeature, "item %d uses construction method %d", loc.itemID, loc.method)
		}
		for i, e := range loc.extents {
			if e.off > size {
				return errorAt(loc.off, nil, "item %d extent at %d points outside its %d-byte container", loc.itemID, e.off, size)
			}
			if e.len == 0 {
				loc.extents[i].len = size - e.off
			} else if e.len > size-e.off {
				return errorAt(loc.off, nil, "item %d extent %d+%d points outside its %d-byte container", loc.itemID, e.off, e.len, size)
			}
		}
		it.loc = loc
		locs = append(locs, loc)
	}
	h.locs = locs
	return nil
}

// isImage reports whether t is an image item type.
func isImage(t fourCC) bool { return heifImageTypes[t] }

// isMetadata reports whether t is a metadata item type.
func isMetadata(t fourCC) bool { return t == itemExif || t == itemMime || t == itemURI }

// decideItems marks the items Scrub keeps: the primary item, every image
// that is not hidden, a thumbnail or an auxiliary image, the images of
// entity groups, and, transitively, what a kept item needs and the
// auxiliary images of kept items.
func (h *heifFile) decideItems() error {
	if err := h.checkCycles(); err != nil {
		return err
	}
	needs := make(map[uint32][]uint32)
	auxOf := make(map[uint32][]uint32)
	thumb := make(map[uint32]bool)
	aux := make(map[uint32]bool)
	h.needs, h.auxOf, h.thumb = needs, auxOf, thumb
	for _, ref := range h.refs {
		switch ref.typ {
		case refThmb:
			thumb[ref.from] = true
		case refAuxl:
			aux[ref.from] = true
			for _, to := range ref.to {
				auxOf[to] = append(auxOf[to], ref.from)
			}
		case refCdsc:
		default:
			needs[ref.from] = append(needs[ref.from], ref.to...)
		}
	}
	if p := h.items[h.primary]; isMetadata(p.typ) {
		return errorAt(h.meta.off, nil, "primary item %d is a %q metadata item", p.id, p.typ)
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
		if isImage(it.typ) && !it.hidden && !thumb[it.id] && !aux[it.id] {
			mark(it)
		}
	}
	// Images grouped with others (alternatives such as an HDR 'tmap'
	// derivation and its SDR base, stereo pairs, bursts) are kept whether
	// hidden or not (14496-12 §8.18).
	for _, g := range h.groups {
		for _, id := range g {
			if it := h.items[id]; it != nil && isImage(it.typ) && !thumb[id] {
				mark(it)
			}
		}
	}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		for _, id := range needs[it.id] {
			dep := h.items[id]
			switch {
			case dep == nil && h.groupIDs[id]:
			case dep == nil:
				return errorAt(h.meta.off, nil, "item %d refers to item %d, which does not exist", it.id, id)
			case isMetadata(dep.typ):
				return errorAt(h.meta.off, nil, "image item %d is made from %q metadata item %d", it.id, dep.typ, id)
			default:
				mark(dep)
			}
		}
		for _, id := range auxOf[it.id] {
			if a := h.items[id]; a != nil && !isMetadata(a.typ) {
				mark(a)
			}
		}
	}
	for _, g := range h.groups {
		for _, id := range g {
			if it := h.items[id]; it != nil && !it.keep {
				return errorAt(h.meta.off, ErrUnsupportedFeature, "entity group holds item %d, which Scrub removes", id)
			}
		}
	}
	return nil
}

// checkCycles refuses references that go round in a loop within one
// reference type: a grid made of itself, a thumbnail of a thumbnail of
// itself. (Across types a loop is normal: an image refers to its alpha
// plane with 'prem', the alpha plane to the image with 'auxl'.)
func (h *heifFile) checkCycles() error {
	byType := make(map[fourCC]map[uint32][]uint32)
	for _, ref := range h.refs {
		g := byType[ref.typ]
		if g == nil {
			g = make(map[uint32][]uint32)
			byType[ref.typ] = g
		}
		g[ref.from] = append(g[ref.from], ref.to...)
	}
	for typ, g := range byType {
		// Kahn's algorithm: repeatedly remove nodes that nothing points
		// to; what remains is on a cycle.
		indeg := make(map[uint32]int)
		for from, tos := range g {
			if _, ok := indeg[from]; !ok {
				indeg[from] = 0
			}
			for _, to := range tos {
				indeg[to]++
			}
		}
		var queue []uint32
		for id, d := range indeg {
			if d == 0 {
				queue = append(queue, id)
			}
		}
		removed := 0
		for len(queue) > 0 {
			id := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			removed++
			for _, to := range g[id] {
				if indeg[to]--; indeg[to] == 0 {
					queue = append(queue, to)
				}
			}
		}
		if removed < len(indeg) {
			return errorAt(h.meta.off, nil, "%q item references form a loop", typ)
		}
	}
	return nil
}

// decideProperties decides which properties to keep and renumbers them.
func (h *heifFile) decideProperties() error {
	n := len(h.props)
	used := make([]bool, n)
	essential := make([]bool, n)
	for _, m := range h.ipmas {
		for _, e := range m.entries {
			if !h.keepEntry(e.id) {
				continue
			}
			for _, a := range e.assocs {
				if a.index == 0 {
					continue
				}
				if int(a.index) > n {
					return errorAt(h.meta.off, nil, "item %d is associated with property %d of %d", e.id, a.index, n)
				}
				used[a.index-1] = true
				essential[a.index-1] = essential[a.index-1] || a.essential
			}
		}
	}
	h.keepProp = make([]bool, n)
	h.newIndex = make([]uint16, n)
	next := uint16(1)
	for i, p := range h.props {
		keep := false
		switch {
		case p.typ == propUdes || p.typ == propCrtt || p.typ == propMdft || p.typ == propAltt:
			h.reportProperty(p)
		case p.typ == propColr && isICC(p) && h.opts.DropColorProfile:
			if used[i] {
				h.rep.add(Other, "ICC_Profile", "ICC_Profile", fmt.Sprintf("(%d bytes)", len(p.payload)))
			}
		case heifKeptProperties[p.typ]:
			// Properties only removed items used go with them.
			keep = used[i]
		case essential[i]:
			return errorAt(p.off, ErrUnsupportedFeature, "essential property %q is not understood", p.typ)
		default:
			h.rep.add(Other, "HEIF ipco", p.typ.String(), fmt.Sprintf("(%d bytes)", len(p.payload)))
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

// isICC reports whether a 'colr' property holds an ICC profile
// (14496-12 §12.1.5: colour_type 'prof' or 'rICC').
func isICC(p box) bool {
	return len(p.payload) >= 4 && (string(p.payload[:4]) == "prof" || string(p.payload[:4]) == "rICC")
}

// reportProperty reports a metadata property.
func (h *heifFile) reportProperty(p box) {
	c := newCursor(p)
	c.fullBox()
	container := "HEIF " + p.typ.String()
	before := len(h.rep.Findings)
	switch p.typ {
	case propUdes: // lang, name, description, tags
		c.str()
		for _, tag := range []string{"Name", "Description", "Tags"} {
			if v := c.str(); v != "" && c.err == nil {
				h.rep.add(Text, container, tag, v)
			}
		}
	case propAltt: // alt_text, alt_lang
		if v := c.str(); v != "" && c.err == nil {
			h.rep.add(Text, container, "AltText", v)
		}
	case propCrtt, propMdft:
		// Microseconds since 1904-01-01 00:00 UTC.
		us := c.u64()
		if c.err == nil {
			tag := map[fourCC]string{propCrtt: "CreationTime", propMdft: "ModificationTime"}[p.typ]
			h.rep.add(Time, container, tag, mp4Time(us))
		}
	}
	if len(h.rep.Findings) == before {
		h.rep.add(Other, container, p.typ.String(), fmt.Sprintf("(%d bytes)", len(p.payload)))
	}
}

// mp4Time formats a time in microseconds since 1904, the ISO-BMFF epoch.
func mp4Time(us uint64) string {
	const from1904To1970 = 2082844800 // seconds
	const maxSeconds = 1 << 40        // far beyond any real date; avoids overflow
	if us/1e6 > maxSeconds {
		return fmt.Sprintf("%d µs after 1904", us)
	}
	return time.Unix(int64(us/1e6)-from1904To1970, 0).UTC().Format("2006-01-02 15:04:05")
}

// reportItems reports the items Scrub removes.
func (h *heifFile) reportItems() {
	// The tiles and alpha planes of a removed thumbnail are part of it.
	partOfThumb := make(map[uint32]bool)
	var queue []uint32
	for _, it := range h.order {
		if h.thumb[it.id] && !it.keep {
			queue = append(queue, it.id)
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
		case it.keep || partOfThumb[it.id] && !isMetadata(it.typ):
		case it.typ == itemExif:
			h.reportExif(it)
		case it.typ == itemMime:
			h.reportMime(it)
		case it.typ == itemURI:
			h.rep.add(Other, "HEIF item", "URI", fmt.Sprintf("(%s, %d bytes)", it.uriType, h.itemSize(it)))
		case h.thumb[it.id]:
			h.rep.add(Embedded, "HEIF", "ThumbnailImage", h.describeImage(it))
		case isImage(it.typ):
			h.rep.add(Embedded, "HEIF", "OtherImage", h.describeImage(it))
		default:
			h.rep.add(Other, "HEIF item", it.typ.String(), fmt.Sprintf("(item %d, %d bytes)", it.id, h.itemSize(it)))
		}
	}
}

// describeImage describes an image item: type, size in pixels and bytes.
func (h *heifFile) describeImage(it *heifItem) string {
	s := fmt.Sprintf("(%s item %d", it.typ, it.id)
	if w, ht, ok := h.imageSize(it.id); ok {
		s += fmt.Sprintf(", %dx%d", w, ht)
	}
	return s + fmt.Sprintf(", %d bytes)", h.itemSize(it))
}

// imageSize returns the size from an item's 'ispe' property (23008-12
// §6.5: version and flags, then 32-bit width and height).
func (h *heifFile) imageSize(id uint32) (w, ht uint32, ok bool) {
	for _, m := range h.ipmas {
		for _, e := range m.entries {
			if e.id != id {
				continue
			}
			for _, a := range e.assocs {
				if a.index == 0 || int(a.index) > len(h.props) || h.props[a.index-1].typ != propIspe {
					continue
				}
				c := newCursor(h.props[a.index-1])
				c.fullBox()
				w, ht = c.u32(), c.u32()
				return w, ht, c.err == nil
			}
		}
	}
	return 0, 0, false
}

// itemSize is the number of bytes of an item's data.
func (h *heifFile) itemSize(it *heifItem) uint64 {
	var n uint64
	if it.loc != nil {
		for _, e := range it.loc.extents {
			n += e.len
		}
	}
	return n
}

// itemData returns an item's data for the report, or nil when it is
// larger than the report reads (see budget). A single extent is a slice of
// the input; several are copied together.
func (h *heifFile) itemData(it *heifItem) ([]byte, bool) {
	size := h.itemSize(it)
	if size > maxMetadataChunk || !h.budget(int(size)) {
		return nil, false
	}
	if it.loc == nil {
		return nil, true
	}
	src := h.data
	if it.loc.method == 1 {
		src = h.idat
	}
	if len(it.loc.extents) == 1 {
		e := it.loc.extents[0]
		return src[e.off : e.off+e.len], true
	}
	b := make([]byte, 0, size)
	for _, e := range it.loc.extents {
		b = append(b, src[e.off:e.off+e.len]...)
	}
	return b, true
}

// reportExif reports an Exif item. ISO/IEC 23008-12 Annex A: the data
// is a 32-bit exif_tiff_header_offset, that many bytes (normally
// "Exif\0\0", the JPEG APP1 signature), and the TIFF structure.
func (h *heifFile) reportExif(it *heifItem) {
	before := len(h.rep.Findings)
	defer func() {
		if len(h.rep.Findings) == before {
			h.rep.add(Other, "HEIF item", "Exif", fmt.Sprintf("(item %d, %d bytes)", it.id, h.itemSize(it)))
		}
	}()
	b, ok := h.itemData(it)
	switch {
	case !ok:
		h.rep.add(Other, "EXIF", "EXIF", fmt.Sprintf("(item %d, %d bytes, too large to list)", it.id, h.itemSize(it)))
		return
	case len(b) < 4:
		return
	}
	off := binary.BigEndian.Uint32(b)
	if uint64(off) > uint64(len(b)-4) {
		h.rep.add(Other, "EXIF", "EXIF", fmt.Sprintf("unreadable: TIFF header offset %d beyond the item's %d bytes", off, len(b)))
		return
	}
	tiff := b[4+off:]
	// Some writers count the signature in the offset and then write it
	// again; the TIFF header is what follows it.
	tiff = bytes.TrimPrefix(tiff, sigExif[:5])
	tiff = bytes.TrimPrefix(tiff, []byte{0})
	if o := parseEXIF(h.rep, tiff); o > 0 {
		// The image's display orientation is its 'irot' and 'imir'
		// properties, which are kept; the EXIF copy is informative.
		h.rep.add(Other, containerIFD0, "Orientation", fmt.Sprint(o))
	}
}

// reportMime reports a 'mime' item: XMP when its content type is
// application/rdf+xml (23008-12 Annex A), anything else by type.
func (h *heifFile) reportMime(it *heifItem) {
	ct := strings.ToLower(strings.TrimSpace(it.contentType))
	if ct != "application/rdf+xml" {
		h.rep.add(Other, "HEIF item", it.contentType, fmt.Sprintf("(item %d, %d bytes)", it.id, h.itemSize(it)))
		return
	}
	b, ok := h.itemData(it)
	switch {
	case !ok:
		h.rep.add(Other, "XMP", "XMP", fmt.Sprintf("(item %d, %d bytes, too large to list)", it.id, h.itemSize(it)))
		return
	case it.encoding != "":
		// Content-Encoding as in HTTP (14496-12 §8.11.6.3): "deflate"
		// is zlib data.
		if out := inflate(b); len(out) > 0 && strings.EqualFold(it.encoding, "deflate") {
			b = out
		} else {
			h.rep.add(Other, "XMP", "XMP", fmt.Sprintf("(item %d, %d bytes, encoded %q)", it.id, len(b), it.encoding))
			return
		}
	}
	// Apple ends the packet with a NUL, which is not XML.
	parseXMP(h.rep, "XMP", bytes.TrimRight(b, "\x00"))
}

// reportUnreferenced reports bytes of 'mdat' boxes that no item points to:
// left-overs of an edit can hold anything, and Scrub does not copy them.
func (h *heifFile) reportUnreferenced() {
	var all []heifExtent
	for _, loc := range h.locs {
		if loc.method == 0 {
			all = append(all, loc.extents...)
		}
	}
	sp := unionOf(all)
	for _, m := range h.mdats {
		start, end := uint64(m.payloadOff()), uint64(m.end())
		covered := uint64(0)
		for _, s := range sp {
			if lo, hi := max(s.start, start), min(s.end, end); lo < hi {
				covered += hi - lo
			}
		}
		if free := end - start - covered; free > 0 {
			h.rep.add(Other, "HEIF mdat", "Unreferenced", fmt.Sprintf("(%d bytes at offset %d that no item uses)", free, m.off))
		}
	}
}

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
