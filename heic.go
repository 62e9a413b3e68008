package exifscrub

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
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
	name        string // item_name, which Scrub empties
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

// A heifGroup is one entity group of 'grpl' (14496-12 §8.18.3).
type heifGroup struct {
	typ fourCC // 'altr', 'ster', 'burs'…
	id  uint32
	ids []uint32 // entity IDs: items, or tracks (not in HEIF images)
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
// maxMdats bounds the number of top-level 'mdat' boxes, whose index is
// kept in memory.
const maxMdats = 1024

type heifFile struct {
	*scrubber
	data []byte

	ftyp   box
	meta   box
	major  fourCC   // ftyp major brand
	brands []fourCC // ftyp compatible brands

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
	newIndex     []uint16               // property index after removals
	newProps     [][]byte               // the kept properties, rebuilt from their fields
	newData      map[uint32][]byte      // items whose data build writes anew
	keptMeta     map[uint32][]byte      // Exif and XMP items rebuilt under Options.Keep
	reported     map[uint32]bool        // items reported by keepMetadata
	assocs       map[uint32][]heifAssoc // ipma associations by item, built on demand
	ipmas        []heifIpma
	idat         []byte
	haveIdat     bool
	idatOff      int64
	selfRefs     []bool      // per 'dref' entry: the data is in this file
	haveDinf     bool        // 'meta' has a 'dinf' box, which build rebuilds
	groups       []heifGroup // the entity groups of 'grpl'
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
	h.keepMetadata()
	if err := h.decideProperties(); err != nil {
		return nil, err
	}
	if err := h.rewriteItems(); err != nil {
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
			h.parseFtyp(bx)
		case boxMeta:
			if haveMeta {
				return errorAt(bx.off, nil, "second 'meta' box")
			}
			haveMeta = true
			h.meta = bx
		case boxMdat:
			// Files have one; thousands would only cost memory per box.
			if len(h.mdats) == maxMdats {
				return errorAt(bx.off, ErrUnsupportedFeature, "more than %d 'mdat' boxes", maxMdats)
			}
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

// heifBrands are the 'ftyp' brands build keeps, when the input has them:
// the HEIF structural and image brands (23008-12 Annex B and §10), MIAF's
// (ISO/IEC 23000-22 §10), AVIF's (AV1 Image File Format §6, §7) and the
// unified-IDs and gain-map brands. A brand promises a reader what the
// file holds; none of these promises is broken by removing metadata,
// thumbnails or image sequences' absent tracks. Brands for image
// sequences and tracks ('msf1', 'avis', 'hevc'…) are dropped, since Scrub
// refuses files with tracks, and so is any brand not listed here: four
// free bytes each.
var heifBrands = map[fourCC]bool{
	{'m', 'i', 'f', '1'}: true, {'m', 'i', 'f', '2'}: true, {'m', 'i', 'f', '3'}: true,
	{'h', 'e', 'i', 'c'}: true, {'h', 'e', 'i', 'x'}: true, {'h', 'e', 'i', 'm'}: true, {'h', 'e', 'i', 's'}: true,
	{'h', 'e', 'i', 'f'}: true,
	{'a', 'v', 'c', 'i'}: true, {'j', 'p', 'e', 'g'}: true, {'v', 'v', 'i', 'c'}: true,
	{'e', 'v', 'b', 'i'}: true, {'e', 'v', 'm', 'i'}: true, {'j', '2', 'k', 'i'}: true,
	{'m', 'i', 'a', 'f'}: true, {'M', 'i', 'H', 'A'}: true, {'M', 'i', 'H', 'B'}: true, {'M', 'i', 'H', 'E'}: true,
	{'M', 'i', 'P', 'r'}: true, {'M', 'i', 'C', 'm'}: true, {'M', 'i', 'C', 's'}: true, {'M', 'i', 'A', 'C'}: true,
	{'a', 'v', 'i', 'f'}: true, {'a', 'v', 'i', 'o'}: true, {'M', 'A', '1', 'B'}: true, {'M', 'A', '1', 'A'}: true,
	{'u', 'n', 'i', 'f'}: true, {'t', 'm', 'a', 'p'}: true,
}

// parseFtyp reads the brands (14496-12 §4.3). build writes the major
// brand, minor version 0 and the compatible brands of heifBrands; the
// others are reported.
func (h *heifFile) parseFtyp(bx box) {
	c := newCursor(bx)
	h.major = c.fourCC()
	if minor := c.u32(); minor != 0 {
		h.rep.add(Other, "HEIF ftyp", "MinorVersion", fmt.Sprint(minor))
	}
	seen := make(map[fourCC]bool)
	var dropped []string
	for c.left() >= 4 {
		b := c.fourCC()
		switch {
		case seen[b]:
		case heifBrands[b]:
			h.brands = append(h.brands, b)
		default:
			dropped = append(dropped, b.String())
		}
		seen[b] = true
	}
	if !heifBrands[h.major] {
		dropped = append([]string{h.major.String()}, dropped...)
	}
	if len(dropped) > 0 {
		h.rep.add(Embedded, "HEIF ftyp", "Brands", strings.Join(dropped, ", "))
	}
	h.reportTrailing(c)
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
		h.rep.add(Embedded, "XMP", "XMP", fmt.Sprintf("(%d bytes, too large to list)", len(b)))
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
	handler, err := handlerType(c)
	if err != nil {
		return err
	}
	if handler != (fourCC{'p', 'i', 'c', 't'}) {
		return errorAt(bx.off, ErrUnsupportedFeature, "'meta' handler is %q, not 'pict'", handler)
	}
	// Three reserved 32-bit words, then a name for people to read, which
	// writers fill with their own name ("libavif"); build writes an
	// empty one.
	c.take(12)
	if name := c.str(); strings.Trim(name, "\x00 ") != "" {
		h.rep.add(Device, "HEIF hdlr", "HandlerName", name)
	}
	h.reportTrailing(c)
	return nil
}

// reportTrailing reports the bytes left in a box after its defined fields,
// unless they are all zero:
// readers skip them, so they can hold anything. Scrub writes the box
// from its fields, without them.
func (h *heifFile) reportTrailing(c *cursor) {
	// Zero bytes (a second NUL after a name) say nothing.
	if n := c.left(); n > 0 && c.err == nil && len(bytes.Trim(c.b[c.pos:], "\x00")) > 0 {
		h.rep.add(Embedded, "HEIF", "TrailingBytes", fmt.Sprintf("(%d bytes after the fields of %s at offset %d)", n, c.what, c.off()))
	}
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
	it.name = c.str()
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
	// Item names ("Color", "Exif" in libavif's files) are free text.
	if name := strings.Trim(it.name, "\x00 "); name != "" {
		h.rep.add(Text, "HEIF infe", "ItemName", fmt.Sprintf("%s (item %d)", name, it.id))
	}
	h.reportTrailing(c)
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
//
// build writes a 'dinf' with one self-contained 'url ' entry; what the
// entries say (a URL or URN string, which a self-contained entry should
// not have) and any other box is reported.
func (h *heifFile) parseDinf(bx box) error {
	h.haveDinf = true
	r := newBoxReader(bx.payload, bx.payloadOff(), false)
	for {
		dref, ok := r.next()
		if !ok {
			break
		}
		if dref.typ != boxDref {
			h.rep.add(Embedded, "HEIF dinf", dref.typ.String(), fmt.Sprintf("(%d bytes)", len(dref.payload)))
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
			switch {
			case e.typ != boxURL && e.typ != boxURN:
				h.rep.add(Embedded, "HEIF dref", e.typ.String(), fmt.Sprintf("(%d bytes)", len(e.payload)))
			case ec.left() > 0:
				// §8.7.2.3: url and urn are NUL-terminated strings.
				h.rep.add(Embedded, "HEIF dref", "DataReference", strings.Trim(string(ec.b[ec.pos:]), "\x00"))
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
		// Groups of the types HEIF defines carry nothing after the IDs
		// (23008-12 §6.8); build writes the IDs alone.
		h.reportTrailing(c)
		h.groupIDs[id] = true
		h.groups = append(h.groups, heifGroup{typ: g.typ, id: id, ids: ids})
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
				// 'ipma' indexes are at most 15 bits (ISO/IEC 23008-12 §9.3.2): more
				// properties could never be used, only cost memory.
				if len(h.props) == 1<<15-1 {
					return errorAt(p.off, ErrUnsupportedFeature, "more than %d properties in 'ipco'", 1<<15-1)
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
