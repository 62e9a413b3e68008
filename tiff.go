package exifscrub

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

//go:generate go run ./tools/gentags -o tagnames.go

// EXIF metadata is a TIFF structure: a byte-order mark, a first-IFD offset,
// and a chain of IFDs (image file directories) of 12-byte entries, some of
// which point to further IFDs. References: TIFF 6.0 §2 "TIFF Structure";
// CIPA DC-008 (EXIF 2.32/3.0) §4.6.

// Tags that point to other IFDs or to a thumbnail (CIPA DC-008 §4.6.3, §4.6.4;
// TIFF 6.0 §8 for JPEGInterchangeFormat; Adobe TIFF Supplement 1 for SubIFDs).
const (
	tagOrientation       = 0x0112
	tagSubIFDs           = 0x014a
	tagJPEGInterchange   = 0x0201
	tagJPEGInterchangeLn = 0x0202
	tagXMLPacket         = 0x02bc // XMP embedded in TIFF (XMP spec part 3 §1.1.4)
	tagIPTC              = 0x83bb // IPTC-NAA records (TIFF/EP)
	tagExifIFD           = 0x8769
	tagGPSIFD            = 0x8825
	tagInteropIFD        = 0xa005
	tagMakerNote         = 0x927c
	tagUserComment       = 0x9286
	tagGPSLatitudeRef    = 0x0001
	tagGPSLatitude       = 0x0002
	tagGPSLongitudeRef   = 0x0003
	tagGPSLongitude      = 0x0004
)

// An ifdKind says which IFD a tag was found in; tag numbers mean different
// things in different IFDs.
type ifdKind uint8

const (
	ifd0 ifdKind = iota
	ifd1
	ifdExif
	ifdGPS
	ifdInterop
	ifdSub
)

// Containers, named after ExifTool's group names so that its output and
// ours can be compared line by line.
const (
	containerIFD0    = "EXIF IFD0"
	containerGPS     = "EXIF GPS"
	containerExifIFD = "EXIF ExifIFD"
)

var ifdContainer = [...]string{
	ifd0:       containerIFD0,
	ifd1:       "EXIF IFD1",
	ifdExif:    containerExifIFD,
	ifdGPS:     containerGPS,
	ifdInterop: "EXIF InteropIFD",
	ifdSub:     "EXIF SubIFD",
}

// Limits that make a hostile EXIF block cost no more than its size: each
// IFD is visited once, and the walk stops after this many IFDs or entries.
const (
	maxIFDs       = 64
	maxIFDEntries = 8192
	maxValueItems = 16 // numbers shown in one value before "…"
)

// A tagInfo is what exifscrub knows about a privacy-relevant tag.
type tagInfo struct {
	name string
	cat  Category
}

type tagKey struct {
	ifd ifdKind
	tag uint16
}

// exifTags lists the tags that give the owner away. Names follow ExifTool's
// where they differ from CIPA DC-008's (DateTime is ExifTool's ModifyDate),
// so that reports can be checked against it. Other tags are named from
// go-exif's tag table and reported as Other.
var exifTags = map[tagKey]tagInfo{
	// TIFF 6.0 §8 and CIPA DC-008 §4.6.4 A, IFD0.
	{ifd0, 0x000b}: {"ProcessingSoftware", Device}, // Adobe DNG; gThumb, darktable
	{ifd0, 0x010d}: {"DocumentName", Text},
	{ifd0, 0x010e}: {"ImageDescription", Text},
	{ifd0, 0x010f}: {"Make", Device},
	{ifd0, 0x0110}: {"Model", Device},
	{ifd0, 0x0131}: {"Software", Device},
	{ifd0, 0x0132}: {"ModifyDate", Time},
	{ifd0, 0x013b}: {"Artist", Identity},
	{ifd0, 0x013c}: {"HostComputer", Device},
	{ifd0, 0x8298}: {"Copyright", Identity},
	{ifd0, 0x882a}: {"TimeZoneOffset", Time}, // TIFF/EP
	{ifd0, 0x9c9b}: {"XPTitle", Text},        // Windows Explorer tags
	{ifd0, 0x9c9c}: {"XPComment", Text},
	{ifd0, 0x9c9d}: {"XPAuthor", Identity},
	{ifd0, 0x9c9e}: {"XPKeywords", Text},
	{ifd0, 0x9c9f}: {"XPSubject", Text},
	{ifd0, 0xc614}: {"UniqueCameraModel", Device}, // DNG 1.4 §"UniqueCameraModel"
	{ifd0, 0xc615}: {"LocalizedCameraModel", Device},
	{ifd0, 0xc62f}: {"CameraSerialNumber", Device},
	{ifd0, 0xfde8}: {"OwnerName", Identity}, // Microsoft Photo
	{ifd0, 0xfde9}: {"SerialNumber", Device},
	{ifd0, 0xfdea}: {"Lens", Device},
	// CIPA DC-008 §4.6.5, Exif IFD.
	{ifdExif, 0x9003}: {"DateTimeOriginal", Time},
	{ifdExif, 0x9004}: {"CreateDate", Time}, // DateTimeDigitized
	{ifdExif, 0x9010}: {"OffsetTime", Time},
	{ifdExif, 0x9011}: {"OffsetTimeOriginal", Time},
	{ifdExif, 0x9012}: {"OffsetTimeDigitized", Time},
	{ifdExif, 0x9290}: {"SubSecTime", Time},
	{ifdExif, 0x9291}: {"SubSecTimeOriginal", Time},
	{ifdExif, 0x9292}: {"SubSecTimeDigitized", Time},
	{ifdExif, 0x927c}: {"MakerNote", Device}, // vendor data: serial numbers, owner, times
	{ifdExif, 0x9286}: {"UserComment", Text},
	{ifdExif, 0xa420}: {"ImageUniqueID", Device},
	{ifdExif, 0xa430}: {"OwnerName", Identity},  // CameraOwnerName
	{ifdExif, 0xa431}: {"SerialNumber", Device}, // BodySerialNumber
	{ifdExif, 0xa432}: {"LensInfo", Device},     // LensSpecification
	{ifdExif, 0xa433}: {"LensMake", Device},
	{ifdExif, 0xa434}: {"LensModel", Device},
	{ifdExif, 0xa435}: {"LensSerialNumber", Device},
	{ifdExif, 0xa436}: {"ImageTitle", Text}, // EXIF 3.0
	{ifdExif, 0xa437}: {"Photographer", Identity},
	{ifdExif, 0xa438}: {"ImageEditor", Identity},
	{ifdExif, 0xa439}: {"CameraFirmware", Device},
	{ifdExif, 0xa43a}: {"RAWDevelopingSoftware", Device},
	{ifdExif, 0xa43b}: {"ImageEditingSoftware", Device},
	{ifdExif, 0xa43c}: {"MetadataEditingSoftware", Device},
	// CIPA DC-008 §4.6.6: every GPS tag is Location, but for the UTC time stamp.
	{ifdGPS, 0x0007}: {"GPSTimeStamp", Time},
	{ifdGPS, 0x001d}: {"GPSDateStamp", Time},
	// EXIF 2.31 added GPSHPositioningError, which go-exif's table lacks;
	// iPhones write it.
	{ifdGPS, 0x001f}: {"GPSHPositioningError", Location},
}

// lookupTag finds a tag in exifTags. Tags are also looked for where
// writers misplace them: TIFF tags in IFD1 and SubIFDs, which describe other
// images with the same tags as IFD0, and Exif IFD tags in IFD0 and back.
func lookupTag(kind ifdKind, tag uint16) (tagInfo, bool) {
	if info, ok := exifTags[tagKey{kind, tag}]; ok {
		return info, true
	}
	switch kind {
	case ifd1, ifdSub, ifdExif:
		info, ok := exifTags[tagKey{ifd0, tag}]
		return info, ok
	case ifd0:
		info, ok := exifTags[tagKey{ifdExif, tag}]
		return info, ok
	}
	return tagInfo{}, false
}

// tiff is a bounds-checked view of a TIFF structure.
type tiff struct {
	b  []byte
	bo binary.ByteOrder
}

func (t *tiff) u16(off uint64) (uint16, bool) {
	if off+2 > uint64(len(t.b)) {
		return 0, false
	}
	return t.bo.Uint16(t.b[off:]), true
}

func (t *tiff) u32(off uint64) (uint32, bool) {
	if off+4 > uint64(len(t.b)) {
		return 0, false
	}
	return t.bo.Uint32(t.b[off:]), true
}

// newTIFF checks the 8-byte TIFF header (TIFF 6.0 §2 "Image File Header")
// and returns the view and the offset of IFD0.
func newTIFF(b []byte) (*tiff, uint32, error) {
	if len(b) < 8 {
		return nil, 0, fmt.Errorf("TIFF header truncated (%d bytes)", len(b))
	}
	t := &tiff{b: b}
	switch string(b[:2]) {
	case "II":
		t.bo = binary.LittleEndian
	case "MM":
		t.bo = binary.BigEndian
	default:
		return nil, 0, fmt.Errorf("bad TIFF byte order %q", b[:2])
	}
	if magic, _ := t.u16(2); magic != 42 {
		return nil, 0, fmt.Errorf("bad TIFF magic %d", magic)
	}
	first, _ := t.u32(4)
	return t, first, nil
}

// exifWalk is the state of one walk over an EXIF block.
type exifWalk struct {
	t           *tiff
	rep         *Report
	visited     map[ifdVisit]bool
	entries     int
	orientation int
	// unread and damage describe what the walk could not read: unread
	// for data it skipped (a bad header, a budget), damage for pointers
	// that lead nowhere or back to an IFD already read.
	unread, damage []string
	stopped        bool // the entry budget is spent: no further IFDs are read
	// read lists the spans of the block that the walk read: the header,
	// IFDs and values, so that bytes nothing points to can be found.
	read []span // their newStart is unused
	// keep, when set, collects the entries that Options.Keep keeps
	// instead of reporting them (see keepEXIF).
	keep *exifKeep
}

// An ifdVisit is an IFD read once: the same offset may be read again as
// another kind of IFD, where its tags mean something else (a GPS pointer
// that points at the Exif IFD), but never twice as the same kind.
type ifdVisit struct {
	off  uint32
	kind ifdKind
}

// maxDamageNotes bounds the findings that describe damage in one block.
const maxDamageNotes = 8

// parseEXIF adds a finding for every tag in the TIFF-structured EXIF
// block b (which starts at the byte-order mark) and returns the IFD0
// orientation, or 0 when there is none.
//
// The walk reads every IFD that a common reader would: IFD0 and the chain
// after it, and the Exif, GPS, Interop and SubIFDs that any IFD but a GPS
// IFD points to (ExifTool and libexif follow a GPS pointer in the Exif IFD
// or IFD1 too). Damage stops only the part of the walk it is in: an IFD
// that is out of range, or read before, is skipped and the rest is walked;
// an IFD whose entry count claims more entries than the block holds yields
// the entries that fit, as libexif and ImageMagick read them. A malformed
// block is reported as far as it can be read, followed by a finding that
// says where it broke: the block is removed either way, so it is never an
// error for Scrub. What could not be read is reported as Embedded, data
// that cannot be classified.
func parseEXIF(rep *Report, b []byte) (orientation int) {
	w := walkEXIF(rep, b, nil)
	if w == nil {
		return 0
	}
	return w.orientation
}

// walkEXIF is parseEXIF with an optional collector of kept entries; it
// returns nil when the block has no readable TIFF header.
func walkEXIF(rep *Report, b []byte, keep *exifKeep) *exifWalk {
	t, first, err := newTIFF(b)
	if err != nil {
		rep.add(Embedded, "EXIF", "EXIF", fmt.Sprintf("unreadable (%d bytes): %v", len(b), err))
		return nil
	}
	w := &exifWalk{t: t, rep: rep, visited: make(map[ifdVisit]bool), read: []span{{start: 0, end: 8}}, keep: keep}
	before := rep.count()
	w.walk(first, ifd0)
	if rep.count() == before {
		// Nothing but an orientation, or nothing: data that no IFD
		// points to is all the block could hide, and Scrub removes it,
		// so it must not pass a check.
		if n := w.hidden(); n > 0 {
			rep.add(Embedded, "EXIF", "EXIF", fmt.Sprintf("(%d bytes that no IFD points to)", n))
		}
	}
	for _, d := range w.unread {
		rep.add(Embedded, "EXIF", "EXIF", "partly unreadable: "+d)
	}
	for _, d := range w.damage {
		rep.add(Other, "EXIF", "EXIF", "damaged: "+d)
	}
	if rep.count() == before && w.orientation == 0 && keep.empty() {
		// An EXIF block with nothing in it is still a block we remove.
		rep.add(Other, "EXIF", "EXIF", fmt.Sprintf("(%d bytes)", len(b)))
	}
	return w
}

// note records damage; unread says whether data was left unread because
// of it.
func (w *exifWalk) note(unread bool, format string, args ...any) {
	if len(w.unread)+len(w.damage) >= maxDamageNotes {
		return
	}
	s := fmt.Sprintf(format, args...)
	if unread {
		w.unread = append(w.unread, s)
	} else {
		w.damage = append(w.damage, s)
	}
}

// walk reads the IFD at off and the IFDs it points to. IFD0's successor is
// IFD1, the thumbnail's IFD (CIPA DC-008 §4.5.2).
func (w *exifWalk) walk(off uint32, kind ifdKind) {
	for off != 0 && !w.stopped {
		v := ifdVisit{off, kind}
		if w.visited[v] {
			w.note(false, "%s at offset %d is pointed to again (loop)", ifdContainer[kind], off)
			return
		}
		if len(w.visited) >= maxIFDs {
			w.note(true, "more than %d IFDs", maxIFDs)
			w.stopped = true
			return
		}
		w.visited[v] = true
		next, ok := w.ifd(off, kind)
		if !ok {
			return
		}
		switch kind {
		case ifd0:
			kind = ifd1
		case ifd1, ifdSub:
			// later IFDs in the chain hold further images
		default:
			return // Exif, GPS and Interop IFDs have no successors
		}
		off = next
	}
}

// ifd reads one IFD and returns the offset of the next one in its chain,
// and false when there is no readable chain to follow.
func (w *exifWalk) ifd(off uint32, kind ifdKind) (next uint32, ok bool) {
	t := w.t
	n, ok := t.u16(uint64(off))
	if !ok {
		w.note(false, "%s offset %d is past the end (%d bytes)", ifdContainer[kind], off, len(t.b))
		return 0, false
	}
	end := uint64(off) + 2 + 12*uint64(n)
	chained := true
	if end > uint64(len(t.b)) {
		// libexif and ImageMagick read the entries that fit; so do we,
		// so that the report shows what they show.
		fit := (uint64(len(t.b)) - uint64(off) - 2) / 12
		w.note(false, "%s at offset %d claims %d entries; the block holds %d", ifdContainer[kind], off, n, fit)
		n = uint16(fit)
		end = uint64(off) + 2 + 12*uint64(n)
		chained = false
	}
	if w.entries+int(n) > maxIFDEntries {
		w.note(true, "more than %d IFD entries", maxIFDEntries)
		w.stopped = true
		n = uint16(maxIFDEntries - w.entries)
		chained = false
	}
	w.entries += int(n)
	w.read = append(w.read, span{start: uint64(off), end: min(end+4, uint64(len(t.b)))})
	// GPS coordinates are reported in signed decimal degrees, which needs
	// the hemisphere references wherever they are in the IFD.
	var latRef, lonRef string
	if kind == ifdGPS {
		latRef, lonRef = w.gpsRefs(off, n)
	}
	var thumbOff, thumbLen uint32
	for i := uint64(0); i < uint64(n); i++ {
		e := uint64(off) + 2 + 12*i
		tag, _ := t.u16(e)
		typ, _ := t.u16(e + 2)
		count, _ := t.u32(e + 4)
		val, ok := w.value(e, typ, count)
		if !ok {
			info := w.info(kind, tag)
			w.rep.add(info.cat, ifdContainer[kind], info.name, "(value outside the EXIF block)")
			continue
		}
		if tag == tagOrientation && kind == ifd0 {
			if v, ok := t.uint(val, typ, 0); ok && v >= 1 && v <= 8 {
				w.orientation = int(v)
				continue // kept, so not reported
			}
		}
		if kind != ifdGPS {
			// ExifTool reads every IFD but the GPS IFD with the same tag
			// table, so it follows a pointer wherever it is; so do we.
			if ptr, isPtr := ifdPointers[tag]; isPtr {
				for j := uint32(0); j < count && j < maxIFDs; j++ {
					sub, ok := t.uint(val, typ, int(j))
					if !ok {
						break
					}
					w.walk(uint32(sub), ptr)
				}
				continue
			}
			switch tag {
			case tagJPEGInterchange:
				v, _ := t.uint(val, typ, 0)
				thumbOff = uint32(v)
				continue
			case tagJPEGInterchangeLn:
				v, _ := t.uint(val, typ, 0)
				thumbLen = uint32(v)
				continue
			}
		}
		switch tag {
		case tagXMLPacket:
			if kind == ifd0 {
				parseXMP(w.rep, "XMP", val)
				continue
			}
		case tagIPTC:
			if kind == ifd0 {
				parseIPTC(w.rep, val)
				continue
			}
		}
		info := w.info(kind, tag)
		var s string
		switch {
		case kind == ifdGPS && tag == tagGPSLatitude:
			s = t.degrees(val, typ, latRef)
		case kind == ifdGPS && tag == tagGPSLongitude:
			s = t.degrees(val, typ, lonRef)
		case tag == tagMakerNote && kind == ifdExif:
			s = fmt.Sprintf("(%d bytes)", len(val))
		default:
			s = t.format(tag, typ, count, val)
		}
		if info.cat == Other {
			info.cat = otherCategory(kind, tag, typ, val, info.name)
		}
		if w.keep != nil && w.keep.collect(kind, tag, typ, count, val, info, s) {
			continue
		}
		w.rep.add(info.cat, ifdContainer[kind], info.name, s)
	}
	switch {
	case thumbLen == 0:
	case uint64(thumbOff)+uint64(thumbLen) > uint64(len(t.b)):
		// Nothing there to show: a pointer that leads outside the block.
		w.rep.add(Other, ifdContainer[kind], "ThumbnailImage", fmt.Sprintf("(%d bytes at offset %d, outside the EXIF block)", thumbLen, thumbOff))
	default:
		w.rep.add(Embedded, ifdContainer[kind], "ThumbnailImage", fmt.Sprintf("(%d bytes at offset %d)", thumbLen, thumbOff))
	}
	if !chained || kind != ifd0 && kind != ifd1 && kind != ifdSub {
		return 0, false
	}
	next, ok = t.u32(end)
	if !ok {
		w.note(false, "%s at offset %d has no next-IFD offset", ifdContainer[kind], off)
	}
	return next, ok
}

// info returns the name and category of a tag: from exifTags, else named
// from the standard's tables and reported as Other, but for any tag of the
// GPS IFD, which is Location.
func (w *exifWalk) info(kind ifdKind, tag uint16) tagInfo {
	if info, known := lookupTag(kind, tag); known {
		return info
	}
	info := tagInfo{name: w.tagName(kind, tag), cat: Other}
	if kind == ifdGPS {
		info.cat = Location
	}
	return info
}

// otherTextTags are the tags reported as Other whose text is a fixed word
// of a standard, not free text.
var otherTextTags = map[tagKey]bool{
	{ifdInterop, 0x0001}: true, // InteroperabilityIndex, "R98" (CIPA DC-008 §4.6.7)
	{ifdInterop, 0x1000}: true, // RelatedImageFileFormat, "JPEG Exif Ver 2.2"
	{ifd0, 0xc4a5}:       true, // PrintIM: "PrintIM", then printer settings
}

// otherCategory is the category of a tag that no table classifies, so
// that nothing a person wrote hides among the camera settings: text in
// it is Text, whatever the tag (an ASCII value, or readable UNDEFINED
// bytes, longer than a 4-character version such as ExifVersion's "0232");
// data in a tag that no standard names is Embedded, data that cannot be
// classified, unless it is all zeros.
func otherCategory(kind ifdKind, tag, typ uint16, val []byte, name string) Category {
	if otherTextTags[tagKey{kind, tag}] || otherTextTags[tagKey{ifd0, tag}] {
		return Other
	}
	switch {
	case (typ == 2 || typ == 7 && isText(val)) && len(cString(val)) > 4:
		return Text
	case strings.HasPrefix(name, "0x") && !allZero(val):
		return Embedded
	}
	return Other
}

// ifdPointers maps the tags that hold IFD offsets to the kind of IFD they
// point to.
var ifdPointers = map[uint16]ifdKind{
	tagExifIFD:    ifdExif,
	tagGPSIFD:     ifdGPS,
	tagInteropIFD: ifdInterop,
	tagSubIFDs:    ifdSub,
}

func (w *exifWalk) gpsRefs(off uint32, n uint16) (latRef, lonRef string) {
	t := w.t
	for i := uint64(0); i < uint64(n); i++ {
		e := uint64(off) + 2 + 12*i
		tag, _ := t.u16(e)
		typ, _ := t.u16(e + 2)
		count, _ := t.u32(e + 4)
		if tag != tagGPSLatitudeRef && tag != tagGPSLongitudeRef {
			continue
		}
		val, ok := w.value(e, typ, count)
		if !ok || len(val) == 0 {
			continue
		}
		if tag == tagGPSLatitudeRef {
			latRef = string(val[:1])
		} else {
			lonRef = string(val[:1])
		}
	}
	return latRef, lonRef
}

// typeSize is the size in bytes of one value of each TIFF field type
// (TIFF 6.0 §2 "Types"; CIPA DC-008 §4.6.2 Table 1).
var typeSize = [...]uint64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}

// value returns the bytes of the entry at e: inline when they fit in four
// bytes, else at the offset the entry holds (TIFF 6.0 §2 "Value Offset").
func (w *exifWalk) value(e uint64, typ uint16, count uint32) ([]byte, bool) {
	t := w.t
	if int(typ) >= len(typeSize) || typeSize[typ] == 0 {
		return nil, true // unknown type: no value to show
	}
	size := typeSize[typ] * uint64(count)
	if size <= 4 {
		return t.b[e+8 : e+8+size], e+12 <= uint64(len(t.b))
	}
	off, ok := t.u32(e + 8)
	if !ok || uint64(off)+size > uint64(len(t.b)) {
		return nil, false
	}
	w.read = append(w.read, span{start: uint64(off), end: uint64(off) + size})
	return t.b[off : uint64(off)+size], true
}

// hidden returns the number of bytes of the block, other than zeros, that
// the walk did not read: data that no IFD or value points to.
func (w *exifWalk) hidden() int {
	sort.Slice(w.read, func(i, j int) bool { return w.read[i].start < w.read[j].start })
	n := 0
	var pos uint64
	count := func(b []byte) {
		for _, c := range b {
			if c != 0 {
				n++
			}
		}
	}
	for _, s := range w.read {
		if s.start > pos {
			count(w.t.b[pos:s.start])
		}
		pos = max(pos, s.end)
	}
	if pos < uint64(len(w.t.b)) {
		count(w.t.b[pos:])
	}
	return n
}

// uint returns the i'th value of an integer field.
func (t *tiff) uint(val []byte, typ uint16, i int) (uint64, bool) {
	switch typ {
	case 1, 7:
		if i < len(val) {
			return uint64(val[i]), true
		}
	case 3:
		if 2*i+2 <= len(val) {
			return uint64(t.bo.Uint16(val[2*i:])), true
		}
	case 4, 13:
		if 4*i+4 <= len(val) {
			return uint64(t.bo.Uint32(val[4*i:])), true
		}
	}
	return 0, false
}

// degrees formats a GPS coordinate, three RATIONALs of degrees, minutes
// and seconds (CIPA DC-008 §4.6.6 GPSLatitude), as signed decimal degrees.
func (t *tiff) degrees(val []byte, typ uint16, ref string) string {
	if typ != 5 || len(val) < 24 {
		return t.format(0, typ, uint32(len(val)/8), val)
	}
	var dms [3]float64
	for i := range dms {
		num, den := t.bo.Uint32(val[8*i:]), t.bo.Uint32(val[8*i+4:])
		if den == 0 {
			return t.format(0, typ, 3, val)
		}
		dms[i] = float64(num) / float64(den)
	}
	d := dms[0] + dms[1]/60 + dms[2]/3600
	if ref == "S" || ref == "W" {
		d = -d
	}
	return strconv.FormatFloat(d, 'f', 6, 64)
}

// format returns a printable form of a field's value.
func (t *tiff) format(tag, typ uint16, count uint32, val []byte) string {
	switch typ {
	case 2: // ASCII
		return cString(val)
	case 7: // UNDEFINED
		if tag == tagUserComment {
			return userComment(val)
		}
		if isText(val) {
			return cString(val)
		}
		return fmt.Sprintf("(%d bytes)", len(val))
	case 1:
		if tag >= 0x9c9b && tag <= 0x9c9f { // XP tags: UCS-2 little-endian text
			return ucs2(val)
		}
	}
	n := int(count)
	if int(typ) < len(typeSize) && typeSize[typ] > 0 && uint64(len(val)) < typeSize[typ]*uint64(count) {
		n = len(val) / int(typeSize[typ])
	}
	var parts []string
	for i := 0; i < n && i < maxValueItems; i++ {
		parts = append(parts, t.number(typ, val, i))
	}
	s := strings.Join(parts, " ")
	if n > maxValueItems {
		s += " …"
	}
	return s
}

// number formats the i'th value of a numeric field.
func (t *tiff) number(typ uint16, val []byte, i int) string {
	bo := t.bo
	switch typ {
	case 1, 7:
		return strconv.Itoa(int(val[i]))
	case 6:
		return strconv.Itoa(int(int8(val[i])))
	case 3:
		return strconv.Itoa(int(bo.Uint16(val[2*i:])))
	case 8:
		return strconv.Itoa(int(int16(bo.Uint16(val[2*i:]))))
	case 4, 13:
		return strconv.FormatUint(uint64(bo.Uint32(val[4*i:])), 10)
	case 9:
		return strconv.Itoa(int(int32(bo.Uint32(val[4*i:]))))
	case 5:
		return rational(int64(bo.Uint32(val[8*i:])), int64(bo.Uint32(val[8*i+4:])))
	case 10:
		return rational(int64(int32(bo.Uint32(val[8*i:]))), int64(int32(bo.Uint32(val[8*i+4:]))))
	case 11:
		return strconv.FormatFloat(float64(math.Float32frombits(bo.Uint32(val[4*i:]))), 'g', -1, 32)
	case 12:
		return strconv.FormatFloat(math.Float64frombits(bo.Uint64(val[8*i:])), 'g', -1, 64)
	}
	return "?"
}

func rational(num, den int64) string {
	switch {
	case den == 0:
		return "undefined"
	case den == 1:
		return strconv.FormatInt(num, 10)
	case num%den == 0:
		return strconv.FormatInt(num/den, 10)
	}
	return strconv.FormatFloat(float64(num)/float64(den), 'g', 6, 64)
}

// userComment decodes a UserComment: an 8-byte character code, then the
// text (CIPA DC-008 §4.6.5 Table 9).
func userComment(val []byte) string {
	if len(val) < 8 {
		return cString(val)
	}
	code, text := string(val[:8]), val[8:]
	switch {
	case strings.HasPrefix(code, "UNICODE"):
		return ucs2(text)
	case strings.HasPrefix(code, "ASCII"), code == "\x00\x00\x00\x00\x00\x00\x00\x00":
		return cString(text)
	}
	if isText(text) {
		return cString(text)
	}
	return fmt.Sprintf("(%d bytes)", len(val))
}

// ucs2 decodes UTF-16 little-endian text, as Windows writes it.
func ucs2(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := uint16(b[i]) | uint16(b[i+1])<<8
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// tagName names a tag: from exifTags, else from go-exif's table of the
// tags of the EXIF and TIFF standards (tagnames.go), else by number.
func (w *exifWalk) tagName(kind ifdKind, tag uint16) string {
	if info, ok := lookupTag(kind, tag); ok {
		return info.name
	}
	if kind == ifd1 || kind == ifdSub {
		kind = ifd0 // the same TIFF tags, describing another image
	}
	// Writers misplace tags between IFD0, the Exif IFD and the Interop
	// IFD; a tag is named from its own IFD's table first.
	kinds := []ifdKind{kind, ifd0, ifdExif, ifdInterop}
	if kind == ifdGPS {
		kinds = kinds[:1]
	}
	for _, kind := range kinds {
		k := tagKey{kind, tag}
		if name, ok := extraTagNames[k]; ok {
			return name
		}
		i := sort.Search(len(exifTagNames), func(i int) bool { return !exifTagNames[i].key.less(k) })
		if i < len(exifTagNames) && exifTagNames[i].key == k {
			return exifTagNames[i].name
		}
	}
	return fmt.Sprintf("0x%04x", tag)
}

// extraTagNames names tags that go-exif's table lacks, as ExifTool does:
// EXIF 2.32's composite-image tags (CIPA DC-008-2019 §4.6.5) and the
// padding Microsoft's Windows writes to leave room for edits.
var extraTagNames = map[tagKey]string{
	{ifdExif, 0xa460}: "CompositeImage",
	{ifdExif, 0xa461}: "CompositeImageCount",
	{ifdExif, 0xa462}: "CompositeImageExposureTimes",
	{ifd0, 0xea1c}:    "Padding",
	{ifdExif, 0xea1c}: "Padding",
	{ifdExif, 0xea1d}: "OffsetSchema",
	{ifdExif, 0xa500}: "Gamma", // EXIF 2.2 §4.6.5
}

// A tagName is an entry of exifTagNames.
type tagName struct {
	key  tagKey
	name string
}

func (k tagKey) less(l tagKey) bool { return k.ifd < l.ifd || k.ifd == l.ifd && k.tag < l.tag }

// minimalEXIF returns a TIFF-structured EXIF block that holds only the
// given orientation: a big-endian header, and IFD0 with one SHORT entry
// (CIPA DC-008 §4.6.4 A "Orientation").
func minimalEXIF(orientation int) []byte {
	return []byte{
		'M', 'M', 0, 42, 0, 0, 0, 8, // header; IFD0 at offset 8
		0, 1, // one entry
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(orientation), 0, 0, // Orientation, SHORT, 1
		0, 0, 0, 0, // no IFD1
	}
}
