package exifscrub

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/heif"
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
	// maxPooledHEIF bounds the buffers heifBuffers keeps: a phone's
	// photo, not the largest file read.
	maxPooledHEIF = 32 << 20
)

// heifBuffers holds the buffers files were read into, for the next file
// (a *[]byte each, as sync.Pool advises). Finding and clearing 3 MB of new
// memory for each photo, and collecting it after, cost more than copying
// the photo into it: a page cleaning one photo after another, or the
// rescan that follows a scrub, reuses the memory (docs/web-bench.md).
var heifBuffers sync.Pool

// Item reference types (23008-12 §6.4).
var (
	refThmb = bmff.FourCC{'t', 'h', 'm', 'b'} // thumbnail: from the thumbnail to its image
	refAuxl = bmff.FourCC{'a', 'u', 'x', 'l'} // auxiliary image: from it to its master
	refCdsc = bmff.FourCC{'c', 'd', 's', 'c'} // content description: from metadata to image
	// Every other type ('dimg' derived image inputs, 'base', 'prem', and
	// types we do not know) is read as "the referencing item needs the
	// referenced ones".
)

// heifKeptProperties are the properties that say how to decode and
// display an image. Other properties are metadata or unknown.
var heifKeptProperties = map[bmff.FourCC]bool{
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
	propUdes = bmff.FourCC{'u', 'd', 'e', 's'} // user description: name, description, tags
	propCrtt = bmff.FourCC{'c', 'r', 't', 't'} // creation time
	propMdft = bmff.FourCC{'m', 'd', 'f', 't'} // modification time
	propAltt = bmff.FourCC{'a', 'l', 't', 't'} // accessibility text
)

// Well-known 'uuid' box types.
var (
	uuidXMP  = [16]byte{0xbe, 0x7a, 0xcf, 0xcb, 0x97, 0xa9, 0x42, 0xe8, 0x9c, 0x71, 0x99, 0x94, 0x91, 0xe3, 0xaf, 0xac} // XMP Specification Part 3, MPEG-4 files
	uuidC2PA = [16]byte{0xd8, 0xfe, 0xc3, 0xd6, 0x1b, 0x0e, 0x48, 0x3c, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7e, 0xc4, 0x81} // C2PA manifest store in BMFF
)

// A heifItem is an item declared in 'iinf' (14496-12 §8.11.6), its
// location, and whether Scrub keeps it. Scrub empties its name.
type heifItem struct {
	heif.Item
	loc  *heif.Location
	keep bool
}

// A heifFile is one HEIF file being scanned or scrubbed.
// maxMdats bounds the number of top-level 'mdat' boxes, whose index is
// kept in memory.
const maxMdats = 1024

type heifFile struct {
	*scrubber
	// container names the findings of rebuilt properties: "HEIF" when
	// empty; videos, whose sample entries hold the same configuration
	// boxes, rebuild them through rebuildProperty as "QuickTime".
	container string

	data []byte

	ftyp   bmff.Box
	meta   bmff.Box
	major  bmff.FourCC   // ftyp major brand
	brands []bmff.FourCC // ftyp compatible brands

	metaChildren []bmff.Box // in file order
	primary      uint32
	items        map[uint32]*heifItem
	order        []*heifItem // in 'iinf' order
	ilocVersion  uint8
	locs         []*heif.Location
	iinfVersion  uint8
	irefVersion  uint8
	refs         []heif.Ref
	iprpChildren []bmff.Box
	props        []bmff.Box // 'ipco' children; property index i+1
	keepProp     []bool
	newIndex     []uint16                // property index after removals
	newProps     [][]byte                // the kept properties, rebuilt from their fields
	newData      map[uint32][]byte       // items whose data build writes anew
	keptMeta     map[uint32][]byte       // Exif and XMP items written anew (keepAnew)
	reported     map[uint32]bool         // items reported before reportItems
	assocs       map[uint32][]heif.Assoc // ipma associations by item, built on demand
	ipmas        []heif.Ipma
	idat         []byte
	haveIdat     bool
	idatOff      int64
	selfRefs     []bool       // per 'dref' entry: the data is in this file
	haveDinf     bool         // 'meta' has a 'dinf' box, which build rebuilds
	groups       []heif.Group // the entity groups of 'grpl'
	groupIDs     map[uint32]bool
	mdats        []bmff.Box
	mpvd, sefd   *bmff.Box           // a Samsung motion photo's video and SEF trailer (heic_motion.go)
	needs        map[uint32][]uint32 // item → the items it needs ('dimg', 'base', 'prem'…)
	auxOf        map[uint32][]uint32 // item → its auxiliary images ('auxl')
	thumb        map[uint32]bool     // thumbnails ('thmb')
	aux          map[uint32]bool     // auxiliary images ('auxl')
	parsed       int                 // bytes of metadata parsed for the report
}

func scrubHEIF(s *scrubber) error {
	// One allocation when the input says its size (a bytes.Reader, the
	// web page's file source): io.ReadAll would grow its buffer a dozen
	// times for a phone's photo. The buffer of the last file is used
	// again (heifBuffers).
	var buf *bytes.Buffer
	if p, ok := heifBuffers.Get().(*[]byte); ok {
		buf = bytes.NewBuffer((*p)[:0])
	} else {
		buf = new(bytes.Buffer)
	}
	if sz, ok := s.src.(interface{ Size() int64 }); ok && sz.Size() > 0 {
		buf.Grow(int(min(sz.Size(), maxHEIFSize)) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(s.in.br, maxHEIFSize+1))
	data := buf.Bytes()
	// Nothing refers to data once the file is written: the pieces went to
	// the writer, which may not retain them (io.Writer), and findings are
	// strings, copied.
	defer func() {
		if cap(data) <= maxPooledHEIF {
			b := data[:0]
			heifBuffers.Put(&b)
		}
	}()
	if err != nil {
		return s.formatError(int64(len(data)), "reading the file", err)
	}
	if len(data) > maxHEIFSize {
		return s.formatError(maxHEIFSize, fmt.Sprintf("file larger than %d bytes", maxHEIFSize), ErrUnsupportedFeature)
	}
	s.in.off = int64(len(data))
	h := &heifFile{scrubber: s, data: data, items: make(map[uint32]*heifItem), groupIDs: make(map[uint32]bool),
		keptMeta: make(map[uint32][]byte), reported: make(map[uint32]bool)}
	pieces, err := h.scrub()
	if err != nil {
		var be *bmff.Error
		if errors.As(err, &be) {
			return s.formatError(be.Offset, be.Reason, be.Err)
		}
		var he *heif.Error
		if errors.As(err, &he) {
			return s.heifError(he)
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

// heifError turns an error of package heif into a *FormatError.
func (s *scrubber) heifError(he *heif.Error) error {
	if he.Err == heif.ErrUnsupported {
		return s.formatError(he.Offset, he.Reason, ErrUnsupportedFeature)
	}
	return s.formatError(he.Offset, he.Reason, he.Err)
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
	h.keepGainMapXMP() // whatever the policy: before keepMetadata
	h.keepMetadata()
	h.keepAppleHeadroom()
	if err := h.decideProperties(); err != nil {
		return nil, err
	}
	if err := h.rewriteItems(); err != nil {
		return nil, err
	}
	h.reportItems()
	h.reportUnreferenced()
	pieces, err := h.build()
	if err != nil {
		return nil, err
	}
	more, err := h.motionPieces(pieces)
	return append(pieces, more...), err
}

// parseTop reads the top-level boxes (14496-12 §4.2, §6.2).
func (h *heifFile) parseTop() error {
	r := bmff.NewReader(h.data, 0, true)
	haveMeta := false
	for first := true; ; first = false {
		bx, ok := r.Next()
		if !ok {
			break
		}
		if first && bx.Type != bmff.BoxFtyp {
			return bmff.ErrorAt(bx.Offset, nil, "first box is %q, not 'ftyp'", bx.Type)
		}
		switch bx.Type {
		case bmff.BoxFtyp:
			if !first {
				return bmff.ErrorAt(bx.Offset, nil, "second 'ftyp' box")
			}
			if len(bx.Payload) < 8 {
				return bmff.ErrorAt(bx.Offset, io.ErrUnexpectedEOF, "'ftyp' box of %d bytes is too short", len(bx.Payload))
			}
			h.ftyp = bx
			h.parseFtyp(bx)
		case bmff.BoxMeta:
			if haveMeta {
				return bmff.ErrorAt(bx.Offset, nil, "second 'meta' box")
			}
			haveMeta = true
			h.meta = bx
		case bmff.BoxMdat:
			// Files have one; thousands would only cost memory per box.
			if len(h.mdats) == maxMdats {
				return bmff.ErrorAt(bx.Offset, ErrUnsupportedFeature, "more than %d 'mdat' boxes", maxMdats)
			}
			h.mdats = append(h.mdats, bx)
		case bmff.BoxMoov:
			return bmff.ErrorAt(bx.Offset, ErrUnsupportedFeature, "image sequence ('moov' box)")
		case bmff.BoxMoof, bmff.BoxMfra:
			return bmff.ErrorAt(bx.Offset, ErrUnsupportedFeature, "movie fragments (%q box)", bx.Type)
		case bmff.BoxFree, bmff.BoxSkip:
			h.reportPadding("HEIF", bx)
		case bmff.BoxUUID:
			h.reportUUID(bx)
		default:
			// 'udta', 'meco' (additional metadata), vendor boxes: none
			// is needed to display the items of 'meta'.
			if h.holdMotion(bx) {
				continue
			}
			h.rep.add(Other, "HEIF", bx.Type.String(), fmt.Sprintf("(top-level box, %d bytes)", len(bx.Payload)))
		}
	}
	if r.Err() != nil {
		return r.Err()
	}
	if !haveMeta {
		return bmff.ErrorAt(int64(len(h.data)), nil, "no 'meta' box")
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
var heifBrands = map[bmff.FourCC]bool{
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
func (h *heifFile) parseFtyp(bx bmff.Box) {
	c := bmff.NewCursor(bx)
	h.major = c.FourCC()
	if minor := c.U32(); minor != 0 {
		h.rep.add(Other, "HEIF ftyp", "MinorVersion", fmt.Sprint(minor))
	}
	seen := make(map[bmff.FourCC]bool)
	var dropped []string
	for c.Left() >= 4 {
		b := c.FourCC()
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
	h.reportTrailing(heif.TrailingOf(c))
}

// reportPadding reports a 'free' or 'skip' box (14496-12 §8.1.2), whose
// contents are ignored by readers but may be left-over data.
func (h *heifFile) reportPadding(container string, bx bmff.Box) {
	kind := "zero bytes"
	for _, c := range bx.Payload {
		if c != 0 {
			kind = "bytes"
			break
		}
	}
	h.rep.add(Other, container, "Padding", fmt.Sprintf("('%s' box, %d %s)", bx.Type, len(bx.Payload), kind))
}

// reportUUID reports a top-level 'uuid' box: XMP as in MP4, C2PA
// manifests, or vendor data such as Canon's CMT boxes.
func (h *heifFile) reportUUID(bx bmff.Box) {
	switch bx.UserType {
	case uuidXMP:
		h.parseXMPBytes(bx.Payload)
	case uuidC2PA:
		h.rep.add(Identity, "HEIF uuid", "C2PA", fmt.Sprintf("(%d bytes)", len(bx.Payload)))
	default:
		h.rep.add(Other, "HEIF uuid", fmt.Sprintf("%x", bx.UserType), fmt.Sprintf("(%d bytes)", len(bx.Payload)))
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
	c := bmff.NewCursor(h.meta)
	version, _ := c.FullBox()
	if c.Err() != nil {
		return c.Err()
	}
	if version != 0 {
		return bmff.ErrorAt(h.meta.Offset, ErrUnsupportedFeature, "'meta' box version %d", version)
	}
	seen := make(map[bmff.FourCC]bool)
	var hdlr, pitm, iloc, iinf, iref, iprp, idat, dinf bmff.Box
	r := bmff.NewReader(c.Rest(), c.Offset(), false)
	for {
		bx, ok := r.Next()
		if !ok {
			break
		}
		keep := true
		switch bx.Type {
		case bmff.BoxHdlr, heif.BoxPitm, heif.BoxIloc, heif.BoxIinf, heif.BoxIref, heif.BoxIprp, heif.BoxIdat, bmff.BoxDinf, heif.BoxGrpl:
			if seen[bx.Type] {
				return bmff.ErrorAt(bx.Offset, nil, "second %q box in 'meta'", bx.Type)
			}
			seen[bx.Type] = true
		case heif.BoxIpro:
			return bmff.ErrorAt(bx.Offset, ErrUnsupportedFeature, "protected items ('ipro' box)")
		case bmff.BoxFree, bmff.BoxSkip:
			h.reportPadding("HEIF meta", bx)
			keep = false
		default:
			// 'xml ' and 'bxml' (14496-12 §8.11.2) hold XML metadata;
			// other boxes are not part of HEIF.
			if bytes.Contains(bx.Payload, []byte("<x:xmpmeta")) || bytes.Contains(bx.Payload, []byte("rdf:RDF")) {
				h.parseXMPBytes(bx.Payload[min(4, len(bx.Payload)):])
			} else {
				h.rep.add(Other, "HEIF meta", bx.Type.String(), fmt.Sprintf("(%d bytes)", len(bx.Payload)))
			}
			keep = false
		}
		if !keep {
			continue
		}
		h.metaChildren = append(h.metaChildren, bx)
		switch bx.Type {
		case bmff.BoxHdlr:
			hdlr = bx
		case heif.BoxPitm:
			pitm = bx
		case heif.BoxIloc:
			iloc = bx
		case heif.BoxIinf:
			iinf = bx
		case heif.BoxIref:
			iref = bx
		case heif.BoxIprp:
			iprp = bx
		case heif.BoxIdat:
			idat = bx
		case bmff.BoxDinf:
			dinf = bx
		case heif.BoxGrpl:
			if err := h.parseGrpl(bx); err != nil {
				return err
			}
		}
	}
	if r.Err() != nil {
		return r.Err()
	}
	for _, t := range []bmff.FourCC{bmff.BoxHdlr, heif.BoxPitm, heif.BoxIinf} {
		if !seen[t] {
			return bmff.ErrorAt(h.meta.Offset, nil, "'meta' box has no %q box", t)
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
	if seen[heif.BoxIdat] {
		h.idat, h.haveIdat, h.idatOff = idat.Payload, true, idat.PayloadOffset()
	}
	if seen[bmff.BoxDinf] {
		if err := h.parseDinf(dinf); err != nil {
			return err
		}
	}
	if seen[heif.BoxIloc] {
		if err := h.parseIloc(iloc); err != nil {
			return err
		}
	}
	if seen[heif.BoxIref] {
		if err := h.parseIref(iref); err != nil {
			return err
		}
	}
	if seen[heif.BoxIprp] {
		if err := h.parseIprp(iprp); err != nil {
			return err
		}
	}
	return nil
}

// parseHdlr checks the handler (14496-12 §8.4.3) and reports its name,
// which writers fill with their own ("libavif"); build writes an empty
// one.
func (h *heifFile) parseHdlr(bx bmff.Box) error {
	name, t, err := heif.ParseHdlr(bx)
	if err != nil {
		return err
	}
	if strings.Trim(name, "\x00 ") != "" {
		h.rep.add(Device, "HEIF hdlr", "HandlerName", name)
	}
	h.reportTrailing(t)
	return nil
}

// reportTrailing reports the bytes left in a box after its defined fields
// (see heif.Trailing): readers skip them, so they can hold anything.
// Scrub writes the box from its fields, without them.
func (h *heifFile) reportTrailing(t heif.Trailing) {
	if t.Len > 0 {
		h.rep.add(Embedded, h.where(""), "TrailingBytes", fmt.Sprintf("(%d bytes after the fields of %s at offset %d)", t.Len, t.Box, t.Offset))
	}
}

// where names the container of a finding about box t ("" for the file).
func (h *heifFile) where(t string) string {
	c := h.container
	if c == "" {
		c = "HEIF"
	}
	if t == "" {
		return c
	}
	return c + " " + t
}

// parsePitm reads the primary item (14496-12 §8.11.4).
func (h *heifFile) parsePitm(bx bmff.Box) error {
	var err error
	if h.primary, err = heif.ParsePitm(bx); err != nil {
		return err
	}
	if h.items[h.primary] == nil {
		return bmff.ErrorAt(bx.Offset, nil, "primary item %d is not in 'iinf'", h.primary)
	}
	return nil
}

// parseIinf reads the item information entries (14496-12 §8.11.6) and
// reports their names, which are free text ("Color", "Exif" in libavif's
// files). The entries read before an error are reported too.
func (h *heifFile) parseIinf(bx bmff.Box) error {
	version, items, err := heif.ParseIinf(bx)
	h.iinfVersion = version
	for _, e := range items {
		if name := strings.Trim(e.Name, "\x00 "); name != "" {
			h.rep.add(Text, "HEIF infe", "ItemName", fmt.Sprintf("%s (item %d)", name, e.ID))
		}
		h.reportTrailing(e.Trailing)
		// After an error (the last entry may be a duplicate) nothing
		// reads the items.
		it := &heifItem{Item: e}
		h.items[e.ID] = it
		h.order = append(h.order, it)
	}
	return err
}

// parseDinf reads the data references (14496-12 §8.7.2), to tell which
// iloc data_reference_index values mean "this file".
//
// build writes a 'dinf' with one self-contained 'url ' entry; what the
// entries say (a URL or URN string, which a self-contained entry should
// not have) and any other box is reported.
func (h *heifFile) parseDinf(bx bmff.Box) error {
	h.haveDinf = true
	entries, err := heif.ParseDinf(bx)
	for _, e := range entries {
		switch {
		case !e.InDref:
			h.rep.add(Embedded, "HEIF dinf", e.Box.Type.String(), fmt.Sprintf("(%d bytes)", len(e.Box.Payload)))
			continue
		case e.Box.Type != heif.BoxURL && e.Box.Type != heif.BoxURN:
			h.rep.add(Embedded, "HEIF dref", e.Box.Type.String(), fmt.Sprintf("(%d bytes)", len(e.Box.Payload)))
		case len(e.Location) > 0:
			h.rep.add(Embedded, "HEIF dref", "DataReference", strings.Trim(string(e.Location), "\x00"))
		}
		h.selfRefs = append(h.selfRefs, e.SelfContained)
	}
	return err
}

// parseGrpl reads the entity groups (14496-12 §8.18), so that an item
// Scrub removes is never left named in one; build writes the IDs alone.
func (h *heifFile) parseGrpl(bx bmff.Box) error {
	groups, err := heif.ParseGrpl(bx)
	for _, g := range groups {
		h.reportTrailing(g.Trailing)
		h.groupIDs[g.ID] = true
		h.groups = append(h.groups, g)
	}
	return err
}

// parseIloc reads the item locations (14496-12 §8.11.3).
func (h *heifFile) parseIloc(bx bmff.Box) error {
	version, locs, err := heif.ParseIloc(bx)
	h.ilocVersion = version
	for i := range locs {
		h.locs = append(h.locs, &locs[i])
	}
	return err
}

// parseIref reads the item references (14496-12 §8.11.12).
func (h *heifFile) parseIref(bx bmff.Box) error {
	var err error
	h.irefVersion, h.refs, err = heif.ParseIref(bx)
	return err
}

// parseIprp reads the item properties (23008-12 §9.3) and reports the
// boxes of 'iprp' that are not HEIF's.
func (h *heifFile) parseIprp(bx bmff.Box) error {
	p, err := heif.ParseIprp(bx)
	for _, ch := range p.Other {
		h.rep.add(Other, "HEIF iprp", ch.Type.String(), fmt.Sprintf("(%d bytes)", len(ch.Payload)))
	}
	h.props, h.ipmas, h.iprpChildren = p.Props, p.Ipmas, p.Children
	return err
}

// resolveLocations checks every location (see heif.Location.Resolve).
// Locations of items that 'iinf' does not declare are dropped.
func (h *heifFile) resolveLocations() error {
	idatSize := int64(-1)
	if h.haveIdat {
		idatSize = int64(len(h.idat))
	}
	locs := h.locs[:0]
	for _, loc := range h.locs {
		it := h.items[loc.ItemID]
		if it == nil {
			h.rep.add(Other, "HEIF iloc", "Location", fmt.Sprintf("(data of undeclared item %d)", loc.ItemID))
			continue
		}
		if err := loc.Resolve(uint64(len(h.data)), idatSize, h.selfRefs); err != nil {
			return err
		}
		it.loc = loc
		locs = append(locs, loc)
	}
	h.locs = locs
	return nil
}
