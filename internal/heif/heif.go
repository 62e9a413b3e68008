// Package heif decodes the index boxes of a HEIF (ISO/IEC 23008-12) or
// AVIF 'meta' box into plain values: the handler, the primary item, the
// item information entries, their locations, references and property
// associations, the data references and the entity groups.
//
// A HEIF file is an ISO-BMFF file (ISO/IEC 14496-12) whose top-level
// 'meta' box (§8.11.1) indexes "items": each has an entry in 'iinf'
// (§8.11.6, its type), may have a location in 'iloc' (§8.11.3: extents in
// the file or in 'idat'), references to other items in 'iref' (§8.11.12),
// and properties in 'iprp' (23008-12 §9.3) shared through the indexes of
// 'ipma'. Each Parse function reads one of these boxes, as found by a
// [bmff.Reader], and checks what the box itself defines: versions, field
// sizes, counts against the bytes that hold them, duplicate IDs, offsets
// that overflow.
//
// The contract: no function panics, and none allocates from a count read
// out of the input before checking it against the bytes that hold it.
// Errors are *Error values carrying the file offset of the problem;
// those whose Err is ErrUnsupported are valid files that use a feature a
// scrubber cannot copy safely (protected items, versions it does not
// know). A Parse function that fails part way returns, with its error,
// what it read before it, so that a caller reports the same facts in the
// same order either way. Bytes a box holds after its defined fields are
// returned as a [Trailing] value, for the caller to report.
//
// The Write functions (write.go) write the index boxes of a rebuilt file
// from such values, as the caller filtered them: 'iloc' with its extents
// laid end to end ([UnionOf]), 'iinf', 'iref', 'grpl', 'ipma', 'pitm' and
// 'dinf'. [RebuildProperty] (props.go) writes a property anew from its
// fields (23008-12 §6.5, 14496-15 decoder configurations, whose SEI and
// metadata OBUs packages nal and av1 remove) and returns what it left
// out. The item-graph checks (graph.go) find reference loops ([Loop]) and
// items whose data share bytes ([Overlap]); items.go reads what resolved
// items hold: their data, 'ispe' sizes, NAL length sizes, the TIFF
// structure of an Exif item, the bytes no item uses.
//
// The package does not decide which items or properties to keep, or how
// anything is reported; it reads no ICC profile ('colr' is the caller's)
// and no metadata item beyond the header of an Exif item's data.
package heif

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// Box types of the 'meta' box (ISO/IEC 14496-12 §8 and ISO/IEC 23008-12
// §9), as variables because Go has no array constants; nothing assigns to
// them. Those QuickTime files share ('hdlr', 'dinf', 'dref') are in
// package bmff.
var (
	BoxPitm = bmff.FourCC{'p', 'i', 't', 'm'} // §8.11.4 primary item
	BoxIloc = bmff.FourCC{'i', 'l', 'o', 'c'} // §8.11.3 item location
	BoxIinf = bmff.FourCC{'i', 'i', 'n', 'f'} // §8.11.6 item information
	BoxInfe = bmff.FourCC{'i', 'n', 'f', 'e'} // §8.11.6 item information entry
	BoxIref = bmff.FourCC{'i', 'r', 'e', 'f'} // §8.11.12 item reference
	BoxIdat = bmff.FourCC{'i', 'd', 'a', 't'} // §8.11.11 item data
	BoxIpro = bmff.FourCC{'i', 'p', 'r', 'o'} // §8.11.5 item protection
	BoxURL  = bmff.FourCC{'u', 'r', 'l', ' '} // §8.7.2 data entry URL
	BoxURN  = bmff.FourCC{'u', 'r', 'n', ' '} // §8.7.2 data entry URN
	BoxGrpl = bmff.FourCC{'g', 'r', 'p', 'l'} // §8.18.3 groups list
	BoxIprp = bmff.FourCC{'i', 'p', 'r', 'p'} // 23008-12 §9.3 item properties
	BoxIpco = bmff.FourCC{'i', 'p', 'c', 'o'} // 23008-12 §9.3 property container
	BoxIpma = bmff.FourCC{'i', 'p', 'm', 'a'} // 23008-12 §9.3 property association
)

// Item types of metadata. A 'mime' and a 'uri ' entry carry more fields
// (14496-12 §8.11.6.2).
var (
	ItemExif = bmff.FourCC{'E', 'x', 'i', 'f'} // 23008-12 Annex A
	ItemMime = bmff.FourCC{'m', 'i', 'm', 'e'} // 14496-12 §8.11.6.2
	ItemURI  = bmff.FourCC{'u', 'r', 'i', ' '} // 14496-12 §8.11.6.2
)

// imageTypes are the item types of coded and derived images.
var imageTypes = map[bmff.FourCC]bool{
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

// IsImage reports whether t is the item type of a coded or derived image.
func IsImage(t bmff.FourCC) bool { return imageTypes[t] }

// IsMetadata reports whether t is the item type of metadata: Exif, a MIME
// type such as XMP's, or a URI.
func IsMetadata(t bmff.FourCC) bool { return t == ItemExif || t == ItemMime || t == ItemURI }

const (
	// MaxExtents bounds the iloc extents of a file: an extent with
	// offset_size and length_size 0 costs no bytes of the file.
	MaxExtents = 1 << 18
	// MaxProperties bounds the properties of 'ipco': 'ipma' indexes are
	// at most 15 bits (ISO/IEC 23008-12 §9.3.2), so more could never be
	// used, only cost memory.
	MaxProperties = 1<<15 - 1
)

// ErrUnsupported is the Err of an Error about a valid file that uses a
// feature this package's callers cannot copy: a version it does not know,
// protected items, a handler other than 'pict', too many properties.
var ErrUnsupported = errors.New("unsupported HEIF feature")

// An Error is a problem found at an offset of a HEIF file.
type Error struct {
	Offset int64  // file offset of the problem
	Reason string // what is wrong there
	Err    error  // ErrUnsupported, io.ErrUnexpectedEOF or nil
}

func (e *Error) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Reason) }
func (e *Error) Unwrap() error { return e.Err }

// errorAt returns an *Error at file offset off, wrapping err (which may be
// nil), with a reason formatted as fmt.Sprintf does.
func errorAt(off int64, err error, format string, args ...any) *Error {
	return &Error{Offset: off, Reason: fmt.Sprintf(format, args...), Err: err}
}

// wrap turns the *bmff.Error of a Reader or Cursor into an *Error with the
// same offset, reason and Err; nil stays nil.
func wrap(err error) error {
	var be *bmff.Error
	if errors.As(err, &be) {
		return &Error{Offset: be.Offset, Reason: be.Reason, Err: be.Err}
	}
	return err
}

// Trailing is what a box holds after its defined fields, when any of it
// is not zero: readers skip such bytes, so they can hold anything. The
// zero value (Len 0) means there are none.
type Trailing struct {
	Offset int64  // file offset of the first byte after the fields
	Len    int    // number of bytes
	Box    string // the box, as "box 'infe'"
}

// TrailingOf returns the bytes c has left, unless c failed or they are
// all zero (a second NUL after a name says nothing).
func TrailingOf(c *bmff.Cursor) Trailing {
	if n := c.Left(); n > 0 && c.Err() == nil && len(bytes.Trim(c.Rest(), "\x00")) > 0 {
		return Trailing{Offset: c.Offset(), Len: n, Box: c.What()}
	}
	return Trailing{}
}

// ParseHdlr reads the handler of a 'meta' box (14496-12 §8.4.3), which is
// 'pict' in HEIF (23008-12), and returns its name: text for people to
// read, which writers fill with their own name ("libavif").
func ParseHdlr(bx bmff.Box) (name string, t Trailing, err error) {
	c := bmff.NewCursor(bx)
	handler, err := bmff.HandlerType(c)
	if err != nil {
		return "", Trailing{}, wrap(err)
	}
	if handler != (bmff.FourCC{'p', 'i', 'c', 't'}) {
		return "", Trailing{}, errorAt(bx.Offset, ErrUnsupported, "'meta' handler is %q, not 'pict'", handler)
	}
	c.Take(12) // three reserved 32-bit words
	name = c.UTF8String()
	return name, TrailingOf(c), nil
}

// ParsePitm reads the primary item's ID (14496-12 §8.11.4).
func ParsePitm(bx bmff.Box) (uint32, error) {
	c := bmff.NewCursor(bx)
	version, _ := c.FullBox()
	var id uint32
	if version == 0 {
		id = uint32(c.U16())
	} else {
		id = c.U32()
	}
	return id, wrap(c.Err())
}

// An Item is an item information entry (14496-12 §8.11.6.2).
type Item struct {
	ID          uint32
	Type        bmff.FourCC
	Hidden      bool   // flags bit 0: not meant to be displayed (23008-12 §6.4)
	Name        string // item_name: free text ("Color", "Exif" in libavif's files)
	ContentType string // of a 'mime' item
	Encoding    string // content_encoding of a 'mime' item, such as "deflate"
	URIType     string // of a 'uri ' item
	Trailing    Trailing
}

// ParseIinf reads the item information entries (14496-12 §8.11.6), in
// order, and the box's version. An entry whose fields were read but which
// is refused (a protected item, an ID declared twice) is the last of the
// items returned with the error.
func ParseIinf(bx bmff.Box) (version uint8, items []Item, err error) {
	c := bmff.NewCursor(bx)
	version, _ = c.FullBox()
	var count uint32
	if version == 0 {
		count = uint32(c.U16())
	} else {
		count = c.U32()
	}
	if c.Err() != nil {
		return version, nil, wrap(c.Err())
	}
	seen := make(map[uint32]bool)
	r := bmff.NewReader(c.Rest(), c.Offset(), false)
	n := uint32(0)
	for {
		e, ok := r.Next()
		if !ok {
			break
		}
		if e.Type != BoxInfe {
			return version, items, errorAt(e.Offset, nil, "%q box in 'iinf'", e.Type)
		}
		it, protection, err := parseInfe(e)
		if err != nil {
			return version, items, err
		}
		items = append(items, it)
		if protection != 0 {
			return version, items, errorAt(e.Offset, ErrUnsupported, "item %d is protected", it.ID)
		}
		if seen[it.ID] {
			return version, items, errorAt(e.Offset, nil, "item %d is declared twice", it.ID)
		}
		seen[it.ID] = true
		n++
	}
	if r.Err() != nil {
		return version, items, wrap(r.Err())
	}
	if n != count {
		return version, items, errorAt(bx.Offset, nil, "'iinf' declares %d entries but holds %d", count, n)
	}
	return version, items, nil
}

// parseInfe reads an item information entry (14496-12 §8.11.6.2) and its
// item_protection_index. HEIF uses versions 2 and 3, which carry an item
// type.
func parseInfe(bx bmff.Box) (Item, uint16, error) {
	c := bmff.NewCursor(bx)
	version, flags := c.FullBox()
	if c.Err() != nil {
		return Item{}, 0, wrap(c.Err())
	}
	if version < 2 || version > 3 {
		return Item{}, 0, errorAt(bx.Offset, ErrUnsupported, "'infe' version %d", version)
	}
	it := Item{Hidden: flags&1 != 0}
	if version == 2 {
		it.ID = uint32(c.U16())
	} else {
		it.ID = c.U32()
	}
	protection := c.U16()
	it.Type = c.FourCC()
	it.Name = c.UTF8String()
	switch it.Type {
	case ItemMime:
		it.ContentType = c.UTF8String()
		if c.Left() > 0 {
			it.Encoding = c.UTF8String()
		}
	case ItemURI:
		it.URIType = c.UTF8String()
	}
	if c.Err() != nil {
		return Item{}, 0, wrap(c.Err())
	}
	it.Trailing = TrailingOf(c)
	return it, protection, nil
}

// A DataEntry is one box of a 'dinf' box (14496-12 §8.7.1): an entry of
// a 'dref' (§8.7.2), or a child of 'dinf' that is not a 'dref'.
type DataEntry struct {
	Box    bmff.Box
	InDref bool // an entry of a 'dref' box
	// Location is what follows the version and flags of an entry:
	// §8.7.2.3, a NUL-terminated URL or URN, which a self-contained entry
	// should not have.
	Location []byte
	// SelfContained is flag 1 of a 'url ' or 'urn ' entry (§8.7.2): the
	// data is in the same file.
	SelfContained bool
}

// ParseDinf reads the data references of a 'dinf' box (14496-12 §8.7.2),
// which iloc's data_reference_index values count, from 1, across its
// 'dref' boxes; other children of 'dinf' are returned too, in order.
func ParseDinf(bx bmff.Box) ([]DataEntry, error) {
	var entries []DataEntry
	r := bmff.NewReader(bx.Payload, bx.PayloadOffset(), false)
	for {
		dref, ok := r.Next()
		if !ok {
			break
		}
		if dref.Type != bmff.BoxDref {
			entries = append(entries, DataEntry{Box: dref})
			continue
		}
		c := bmff.NewCursor(dref)
		c.FullBox()
		count := c.U32()
		if c.Err() != nil {
			return entries, wrap(c.Err())
		}
		er := bmff.NewReader(c.Rest(), c.Offset(), false)
		for i := uint32(0); i < count; i++ {
			e, ok := er.Next()
			if !ok {
				if er.Err() != nil {
					return entries, wrap(er.Err())
				}
				return entries, errorAt(dref.Offset, nil, "'dref' declares %d entries but holds %d", count, i)
			}
			ec := bmff.NewCursor(e)
			_, flags := ec.FullBox()
			if ec.Err() != nil {
				return entries, wrap(ec.Err())
			}
			url := e.Type == BoxURL || e.Type == BoxURN
			entries = append(entries, DataEntry{Box: e, InDref: true, Location: ec.Rest(), SelfContained: url && flags&1 != 0})
		}
	}
	return entries, wrap(r.Err())
}

// A Group is one entity group of 'grpl' (14496-12 §8.18.3).
type Group struct {
	Type bmff.FourCC // 'altr', 'ster', 'burs'…
	ID   uint32
	IDs  []uint32 // entity IDs: items, or tracks (not in HEIF images)
	// Trailing is what follows the IDs: groups of the types HEIF defines
	// carry nothing after them (23008-12 §6.8).
	Trailing Trailing
}

// ParseGrpl reads the entity groups of a 'grpl' box (14496-12 §8.18), in
// order.
func ParseGrpl(bx bmff.Box) ([]Group, error) {
	var groups []Group
	r := bmff.NewReader(bx.Payload, bx.PayloadOffset(), false)
	for {
		g, ok := r.Next()
		if !ok {
			break
		}
		c := bmff.NewCursor(g)
		c.FullBox()
		id := c.U32()
		n := c.U32()
		if uint64(n)*4 > uint64(c.Left()) {
			return groups, errorAt(g.Offset, io.ErrUnexpectedEOF, "group %q declares %d entities in %d bytes", g.Type, n, c.Left())
		}
		ids := make([]uint32, n)
		for i := range ids {
			ids[i] = c.U32()
		}
		if c.Err() != nil {
			return groups, wrap(c.Err())
		}
		groups = append(groups, Group{Type: g.Type, ID: id, IDs: ids, Trailing: TrailingOf(c)})
	}
	return groups, wrap(r.Err())
}

// An Extent is a run of item data: a file offset (construction method 0)
// or an offset in 'idat' (method 1), and a length, 0 for "to the end"
// until Resolve.
type Extent struct{ Off, Len uint64 }

// A Location is one 'iloc' entry (14496-12 §8.11.3).
type Location struct {
	Offset  int64 // file offset of the entry, for errors
	ItemID  uint32
	Method  uint8  // construction_method: 0 file offset, 1 'idat', 2 other items
	DataRef uint16 // data_reference_index: 0 this file, else a 'dref' entry
	Extents []Extent
}

// ParseIloc reads the item locations (14496-12 §8.11.3) and the box's
// version. The extents' offsets include base_offset; extent_index is
// skipped. At most MaxExtents extents are read.
func ParseIloc(bx bmff.Box) (version uint8, locs []Location, err error) {
	c := bmff.NewCursor(bx)
	version, _ = c.FullBox()
	if c.Err() == nil && version > 2 {
		return version, nil, errorAt(bx.Offset, ErrUnsupported, "'iloc' version %d", version)
	}
	v := c.U8()
	offSize, lenSize := int(v>>4), int(v&15)
	v = c.U8()
	baseSize, indexSize := int(v>>4), int(v&15)
	if version == 0 {
		indexSize = 0 // reserved
	}
	if c.Err() != nil {
		return version, nil, wrap(c.Err())
	}
	// §8.11.3.3: each size is 0, 4 or 8 bytes.
	for _, n := range []int{offSize, lenSize, baseSize, indexSize} {
		if n != 0 && n != 4 && n != 8 {
			return version, nil, errorAt(bx.Offset, nil, "'iloc' field size %d is not 0, 4 or 8", n)
		}
	}
	var count uint32
	if version < 2 {
		count = uint32(c.U16())
	} else {
		count = c.U32()
	}
	seen := make(map[uint32]bool)
	nExtents := 0
	for i := uint32(0); i < count && c.Err() == nil; i++ {
		loc := Location{Offset: c.Offset()}
		if version < 2 {
			loc.ItemID = uint32(c.U16())
		} else {
			loc.ItemID = c.U32()
		}
		if version >= 1 {
			loc.Method = uint8(c.U16() & 0xf) // 12 reserved bits, construction_method
		}
		loc.DataRef = c.U16()
		base := c.UintN(baseSize)
		n := int(c.U16())
		if c.Err() != nil {
			break
		}
		if nExtents += n; nExtents > MaxExtents {
			return version, locs, errorAt(loc.Offset, nil, "'iloc' has more than %d extents", MaxExtents)
		}
		for j := 0; j < n && c.Err() == nil; j++ {
			c.UintN(indexSize) // extent_index: only for construction method 2
			off, length := c.UintN(offSize), c.UintN(lenSize)
			if off > math.MaxUint64-base {
				return version, locs, errorAt(loc.Offset, nil, "item %d: base_offset %d + extent_offset %d overflows", loc.ItemID, base, off)
			}
			loc.Extents = append(loc.Extents, Extent{Off: base + off, Len: length})
		}
		if c.Err() != nil {
			break
		}
		if seen[loc.ItemID] {
			return version, locs, errorAt(loc.Offset, nil, "item %d has two locations", loc.ItemID)
		}
		seen[loc.ItemID] = true
		locs = append(locs, loc)
	}
	return version, locs, wrap(c.Err())
}

// Resolve checks that l's data is in this file and every extent within
// its container, and resolves extent_length 0, which means "to the end"
// (14496-12 §8.11.3.3). The container is the file, of fileSize bytes, for
// construction method 0, and 'idat', of idatSize bytes (-1 when there is
// none), for method 1; method 2 (data built from other items) is
// ErrUnsupported. A data_reference_index other than 0 must name a
// self-contained entry of 'dinf' (§8.7.2): selfRefs says, per entry,
// whether it is one (DataEntry.SelfContained).
func (l *Location) Resolve(fileSize uint64, idatSize int64, selfRefs []bool) error {
	if l.DataRef != 0 && (int(l.DataRef) > len(selfRefs) || !selfRefs[l.DataRef-1]) {
		return errorAt(l.Offset, ErrUnsupported, "item %d's data is in another file", l.ItemID)
	}
	var size uint64
	switch l.Method {
	case 0: // file offset
		size = fileSize
	case 1: // offset in 'idat'
		if idatSize < 0 {
			return errorAt(l.Offset, nil, "item %d is in 'idat', but there is none", l.ItemID)
		}
		size = uint64(idatSize)
	default:
		return errorAt(l.Offset, ErrUnsupported, "item %d uses construction method %d", l.ItemID, l.Method)
	}
	for i, e := range l.Extents {
		if e.Off > size {
			return errorAt(l.Offset, nil, "item %d extent at %d points outside its %d-byte container", l.ItemID, e.Off, size)
		}
		if e.Len == 0 {
			l.Extents[i].Len = size - e.Off
		} else if e.Len > size-e.Off {
			return errorAt(l.Offset, nil, "item %d extent %d+%d points outside its %d-byte container", l.ItemID, e.Off, e.Len, size)
		}
	}
	return nil
}

// A Ref is one reference box of 'iref' (14496-12 §8.11.12): from one item
// to others, of a type.
type Ref struct {
	Type bmff.FourCC
	From uint32
	To   []uint32
}

// ParseIref reads the item references (14496-12 §8.11.12), in order, and
// the box's version.
func ParseIref(bx bmff.Box) (version uint8, refs []Ref, err error) {
	c := bmff.NewCursor(bx)
	version, _ = c.FullBox()
	if c.Err() != nil {
		return version, nil, wrap(c.Err())
	}
	if version > 1 {
		return version, nil, errorAt(bx.Offset, ErrUnsupported, "'iref' version %d", version)
	}
	idSize := 2 << version // 16-bit IDs in version 0, 32-bit in 1
	r := bmff.NewReader(c.Rest(), c.Offset(), false)
	for {
		rb, ok := r.Next()
		if !ok {
			break
		}
		rc := bmff.NewCursor(rb)
		ref := Ref{Type: rb.Type}
		ref.From = uint32(rc.UintN(idSize))
		n := int(rc.U16())
		if rc.Err() != nil {
			return version, refs, wrap(rc.Err())
		}
		if n*idSize > rc.Left() {
			return version, refs, errorAt(rb.Offset, io.ErrUnexpectedEOF, "%q reference declares %d items in %d bytes", rb.Type, n, rc.Left())
		}
		ref.To = make([]uint32, n)
		for i := range ref.To {
			ref.To[i] = uint32(rc.UintN(idSize))
			if ref.To[i] == ref.From {
				return version, refs, errorAt(rb.Offset, nil, "item %d has a %q reference to itself", ref.From, rb.Type)
			}
		}
		refs = append(refs, ref)
	}
	return version, refs, wrap(r.Err())
}

// An Iprp is what an 'iprp' box holds (23008-12 §9.3): one 'ipco' with
// the properties, and 'ipma' boxes associating them with items.
type Iprp struct {
	Props    []bmff.Box // the children of 'ipco': property index i+1 is Props[i]
	Ipmas    []Ipma
	Children []bmff.Box // the 'ipco' and 'ipma' boxes, in order
	Other    []bmff.Box // other children, in order, which HEIF does not define
}

// ParseIprp reads an 'iprp' box (23008-12 §9.3). It refuses a second
// 'ipco', 'ipma' without 'ipco', and more than MaxProperties properties.
func ParseIprp(bx bmff.Box) (Iprp, error) {
	var p Iprp
	r := bmff.NewReader(bx.Payload, bx.PayloadOffset(), false)
	haveIpco := false
	for {
		ch, ok := r.Next()
		if !ok {
			break
		}
		switch ch.Type {
		case BoxIpco:
			if haveIpco {
				return p, errorAt(ch.Offset, nil, "second 'ipco' box")
			}
			haveIpco = true
			var err error
			if p.Props, err = parseIpco(ch); err != nil {
				return p, err
			}
		case BoxIpma:
			m, err := ParseIpma(ch)
			if err != nil {
				return p, err
			}
			p.Ipmas = append(p.Ipmas, m)
		default:
			p.Other = append(p.Other, ch)
			continue
		}
		p.Children = append(p.Children, ch)
	}
	if r.Err() != nil {
		return p, wrap(r.Err())
	}
	if len(p.Ipmas) > 0 && !haveIpco {
		return p, errorAt(bx.Offset, nil, "'ipma' without 'ipco'")
	}
	return p, nil
}

// parseIpco returns the properties of an 'ipco' box (23008-12 §9.3), in
// order, refusing more than MaxProperties.
func parseIpco(bx bmff.Box) ([]bmff.Box, error) {
	var props []bmff.Box
	r := bmff.NewReader(bx.Payload, bx.PayloadOffset(), false)
	for {
		p, ok := r.Next()
		if !ok {
			break
		}
		if len(props) == MaxProperties {
			return props, errorAt(p.Offset, ErrUnsupported, "more than %d properties in 'ipco'", MaxProperties)
		}
		props = append(props, p)
	}
	return props, wrap(r.Err())
}

// An Assoc associates a property (by 1-based index into 'ipco', 0 for
// none) with an item (23008-12 §9.3).
type Assoc struct {
	Essential bool
	Index     uint16
}

// An IpmaEntry is the properties of one item or entity group.
type IpmaEntry struct {
	ID     uint32
	Assocs []Assoc
}

// An Ipma is a property association box (23008-12 §9.3). Flags bit 0 says
// the indexes are 15 bits rather than 7.
type Ipma struct {
	Version uint8
	Flags   uint32
	Entries []IpmaEntry
}

// ParseIpma reads a property association box (23008-12 §9.3).
func ParseIpma(bx bmff.Box) (Ipma, error) {
	c := bmff.NewCursor(bx)
	version, flags := c.FullBox()
	if c.Err() == nil && version > 1 {
		return Ipma{}, errorAt(bx.Offset, ErrUnsupported, "'ipma' version %d", version)
	}
	m := Ipma{Version: version, Flags: flags}
	count := c.U32()
	for i := uint32(0); i < count && c.Err() == nil; i++ {
		var e IpmaEntry
		if version < 1 {
			e.ID = uint32(c.U16())
		} else {
			e.ID = c.U32()
		}
		n := int(c.U8())
		for j := 0; j < n && c.Err() == nil; j++ {
			// essential (1 bit) and property_index (7 or 15 bits).
			var a Assoc
			if flags&1 != 0 {
				v := c.U16()
				a = Assoc{Essential: v&0x8000 != 0, Index: v & 0x7fff}
			} else {
				v := c.U8()
				a = Assoc{Essential: v&0x80 != 0, Index: uint16(v & 0x7f)}
			}
			e.Assocs = append(e.Assocs, a)
		}
		m.Entries = append(m.Entries, e)
	}
	return m, wrap(c.Err())
}
