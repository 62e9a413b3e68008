package exifscrub

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/exifscrub/exifscrub/internal/tiff"
)

// Keeping chosen EXIF tags (Options.Keep): the walk of tiff.go collects
// the entries of IFD0, the Exif IFD and the GPS IFD whose category the
// policy keeps, and keepEXIF writes them into a new TIFF structure
// (tiff.Write) with
// nothing else: no IFD1 or thumbnail, no MakerNote, no Interop IFD or
// SubIFDs, no unknown tags, and no byte of the old block's value areas or
// padding. Offsets are computed anew (TIFF 6.0 §2; CIPA DC-008 §4.6.2).

// The IFDs a kept entry goes to.
const (
	keptIFD0 = iota
	keptExif
	keptGPS
	nKeptIFDs
)

// GPS tags of CIPA DC-008 §4.6.6 that the keep policy treats apart.
const (
	tagGPSVersionID    = 0x0000
	tagGPSLatitudeRef  = tiff.TagGPSLatitudeRef
	tagGPSLatitude     = tiff.TagGPSLatitude
	tagGPSLongitudeRef = tiff.TagGPSLongitudeRef
	tagGPSLongitude    = tiff.TagGPSLongitude
	tagGPSTimeStamp    = 0x0007
	tagGPSDateStamp    = 0x001d
)

// A keptEntry is an entry written into the new block: its type, count and
// value bytes as keepValue wrote them anew (in the input's byte order),
// and how the report names it.
type keptEntry struct {
	tag, typ uint16
	count    uint32
	val      []byte
	cat      Category
	name     string
}

// Field returns the entry as tiff.Write writes it.
func (e keptEntry) Field() tiff.Entry {
	return tiff.Entry{Tag: e.tag, Type: e.typ, Count: e.count, Value: e.val}
}

// An exifKeep collects the entries of one EXIF block that a policy keeps.
type exifKeep struct {
	opts    *Options
	rep     *Report
	bo      binary.ByteOrder
	entries [nKeptIFDs][]keptEntry
	seen    map[tagKey]bool
}

func (k *exifKeep) empty() bool {
	if k == nil {
		return true
	}
	for _, es := range k.entries {
		if len(es) > 0 {
			return false
		}
	}
	return true
}

// neverKept are the tags that stay out whatever their category: the
// MakerNote (an opaque vendor blob, CIPA DC-008 §4.6.5), padding, and XMP
// and IPTC blocks inside the TIFF structure, which their own keepers
// rebuild.
var neverKept = map[uint16]bool{
	tagMakerNote: true, tagXMLPacket: true, tagIPTC: true, 0xea1c: true,
	tagJPEGInterchange: true, tagJPEGInterchangeLn: true, tagOrientation: true,
	tagExifIFD: true, tagGPSIFD: true, tagInteropIFD: true, tagSubIFDs: true,
}

// collect records an entry the policy keeps, and reports whether it did;
// an entry not collected is reported as removed by the caller. Only
// entries of IFD0, the Exif IFD and the GPS IFD are kept; tags that
// writers misplace in IFD1, SubIFDs or the Interop IFD go with them. An
// entry is kept only when tiff.SpecOf gives its tag a spec and its value is of
// the tag's type, count and form; it is kept parsed and written anew
// (tiff.Rewrite). Bytes hidden after its value (after the NUL of a text) go,
// and are reported as removed.
func (k *exifKeep) collect(kind ifdKind, tag, typ uint16, count uint32, val []byte, info tagInfo) bool {
	var dst int
	switch kind {
	case ifd0:
		dst = keptIFD0
	case ifdExif:
		dst = keptExif
	case ifdGPS:
		dst = keptGPS
	default:
		return false
	}
	spec, listed := tiff.SpecOf(kind, tag)
	switch {
	case !k.opts.keeps(info.cat), !listed,
		kind != ifdGPS && neverKept[tag],
		typ == 0 || typ > 12 || count == 0, // no value to copy, or an IFD
		uint64(len(val)) != tiff.TypeSize(typ)*uint64(count):
		return false
	}
	if kind == ifdGPS && k.opts.CoarseLocation > 0 && !coarseGPS[tag] {
		return false // finer than the grid
	}
	key := tagKey{kind, tag}
	if k.seen[key] {
		return false // a duplicate: the first one is kept
	}
	typ, count, val, hidden, ok := tiff.Rewrite(k.bo, spec, typ, count, val)
	if !ok {
		return false
	}
	if k.seen == nil {
		k.seen = make(map[tagKey]bool)
	}
	k.seen[key] = true
	if hidden > 0 {
		k.rep.add(info.cat, ifdContainer[kind], info.name, fmt.Sprintf("(%d bytes after the value)", hidden))
	}
	k.entries[dst] = append(k.entries[dst], keptEntry{tag: tag, typ: typ, count: count, val: val, cat: info.cat, name: info.name})
	return true
}

// coarseGPS are the GPS tags that stay under CoarseLocation (CIPA DC-008
// §4.6.6): the position, rounded by exifKeep.position, the version that
// tells how to read it, and the GPS time and date stamps, which say when,
// not where (kept only when Time is). Altitude, speed, direction,
// destination, accuracy, satellites, map datum, processing method and
// area name are finer than a grid, or free text.
var coarseGPS = map[uint16]bool{
	tagGPSVersionID: true, tagGPSLatitudeRef: true, tagGPSLatitude: true, tagGPSLongitudeRef: true, tagGPSLongitude: true,
	tagGPSTimeStamp: true, tagGPSDateStamp: true,
}

// keepEXIF reports the EXIF block b as parseEXIF does, but for the tags
// that opts keeps, and returns the IFD0 orientation and a new TIFF block
// (from the byte-order mark) holding the kept tags, and the orientation
// when withOrientation is set and it is not 1. out is nil when no tag is
// kept, or when the new block would be larger than limit bytes (or than
// twice the input): the caller then does as by default, and the tags are
// reported as removed. The kept tags are listed in Kept as a scan of the
// new block shows them.
func keepEXIF(rep *Report, b []byte, opts *Options, withOrientation bool, limit int) (orientation int, out []byte) {
	k := &exifKeep{opts: opts}
	w := walkEXIF(rep, b, k)
	if w == nil {
		return 0, nil
	}
	bo := w.r.Order
	k.position(rep, bo)
	if k.empty() {
		return w.orientation, nil
	}
	ifds := k.entries
	if withOrientation && w.orientation > 1 {
		v := make([]byte, 2)
		bo.PutUint16(v, uint16(w.orientation))
		ifds[keptIFD0] = append(ifds[keptIFD0], keptEntry{tag: tagOrientation, typ: 3, count: 1, val: v})
	}
	// Values that entries of the input share are written once per
	// entry: a block that would grow far beyond the input is not
	// rebuilt (its tags go). tiff.Write sorts the kept entries of the
	// Exif and GPS IFDs in place, so they are reported in its order.
	out = tiff.Write(bo, ifds[keptIFD0], ifds[keptExif], ifds[keptGPS], min(limit, 2*len(b)+64))
	containers := [...]string{containerIFD0, containerExifIFD, containerGPS}
	kinds := [...]ifdKind{ifd0, ifdExif, ifdGPS}
	latRef, lonRef := keptRefs(k.entries[keptGPS])
	for i, es := range k.entries {
		for _, e := range es {
			v := tiff.String(bo, kinds[i], e.tag, e.typ, e.count, e.val, latRef, lonRef)
			if out == nil {
				rep.add(e.cat, containers[i], e.name, v)
			} else {
				rep.keep(e.cat, containers[i], e.name, v)
			}
		}
	}
	return w.orientation, out
}

// keptRefs returns the hemisphere references among kept GPS entries.
func keptRefs(es []keptEntry) (latRef, lonRef string) {
	for _, e := range es {
		switch e.tag {
		case tagGPSLatitudeRef:
			latRef = cString(e.val)
		case tagGPSLongitudeRef:
			lonRef = cString(e.val)
		}
	}
	return latRef, lonRef
}

// position rewrites the kept GPS position as CIPA DC-008 §4.6.6 gives it:
// each coordinate as three RATIONALs of its magnitude, read as decoders
// read it (tiff.Coordinate: RATIONAL or SRATIONAL, one to three numbers),
// with a hemisphere reference that matches its sign, and under
// CoarseLocation rounded to the grid. A coordinate that cannot be read
// (or a latitude past 90 degrees) is removed with its reference, and so
// is a reference without its coordinate, and the version without a
// position. A coordinate that is three RATIONALs of the reference's
// hemisphere is kept as it was; one that rounding changed is reported as
// removed too (its precise value), the rounded one as kept.
func (k *exifKeep) position(rep *Report, bo binary.ByteOrder) {
	grid := k.opts.CoarseLocation
	es := k.entries[keptGPS]
	refs := map[uint16]string{}
	for _, e := range es {
		if e.tag == tagGPSLatitudeRef || e.tag == tagGPSLongitudeRef {
			refs[e.tag] = cString(e.val)
		}
	}
	var kept []keptEntry
	coords := map[uint16]float64{}
	exact := map[uint16]keptEntry{}
	for _, e := range es {
		switch e.tag {
		case tagGPSLatitude, tagGPSLongitude:
			ref := refs[e.tag-1]
			d, ok := tiff.Coordinate(bo, e.typ, e.val, ref)
			if !ok || e.tag == tagGPSLatitude && math.Abs(d) > 90 {
				rep.add(e.cat, containerGPS, e.name, tiff.Degrees(bo, e.val, e.typ, ref))
				continue
			}
			if grid > 0 {
				r := roundToGrid(d, grid)
				if e.typ != tiff.TypeRational || !bytes.Equal(e.val, tiff.DMS(bo, math.Abs(r))) {
					// The precise position goes (unless it was on the
					// grid already, written as position writes it).
					rep.add(e.cat, containerGPS, e.name, tiff.Degrees(bo, e.val, e.typ, ref))
				}
				d = r
			} else if e.typ == tiff.TypeRational && e.count == 3 && ref != "" {
				exact[e.tag] = e // as it was: tiff.Coordinate read it with its reference
			}
			coords[e.tag] = d
		case tagGPSLatitudeRef, tagGPSLongitudeRef:
			// Rewritten below to match the position's sign.
		default:
			kept = append(kept, e)
		}
	}
	for _, tag := range []uint16{tagGPSLatitude, tagGPSLongitude} {
		d, ok := coords[tag]
		if !ok {
			continue
		}
		ref := map[bool]string{true: "N", false: "S"}[d >= 0]
		name := "GPSLatitude"
		if tag == tagGPSLongitude {
			ref = map[bool]string{true: "E", false: "W"}[d >= 0]
			name = "GPSLongitude"
		}
		coord, isExact := exact[tag]
		if !isExact {
			coord = keptEntry{tag: tag, typ: tiff.TypeRational, count: 3, val: tiff.DMS(bo, math.Abs(d)), cat: Location, name: name}
		}
		kept = append(kept, keptEntry{tag: tag - 1, typ: tiff.TypeASCII, count: 2, val: []byte{ref[0], 0}, cat: Location, name: name + "Ref"}, coord)
	}
	for _, e := range es {
		if (e.tag == tagGPSLatitudeRef || e.tag == tagGPSLongitudeRef) && !hasCoord(coords, e.tag+1) {
			rep.add(e.cat, containerGPS, e.name, cString(e.val)) // its coordinate is gone
		}
	}
	if len(coords) == 0 {
		// A version with no position says nothing worth keeping.
		for i, e := range kept {
			if e.tag == tagGPSVersionID {
				rep.add(e.cat, containerGPS, e.name, tiff.String(bo, ifdGPS, e.tag, e.typ, e.count, e.val, "", ""))
				kept = append(kept[:i], kept[i+1:]...)
				break
			}
		}
	}
	k.entries[keptGPS] = kept
}

func hasCoord(m map[uint16]float64, tag uint16) bool { _, ok := m[tag]; return ok }
