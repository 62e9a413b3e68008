package exifscrub

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"strings"

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

// GPS tags that stay under CoarseLocation (CIPA DC-008 §4.6.6).
const tagGPSVersionID = 0x0000

// A keptEntry is an entry copied into the new block: its type, count and
// value bytes as they were (in the input's byte order), and how the
// report names and shows it.
type keptEntry struct {
	tag, typ uint16
	count    uint32
	val      []byte
	cat      Category
	name     string
	value    string
}

// Field returns the entry as tiff.Write writes it.
func (e keptEntry) Field() tiff.Entry {
	return tiff.Entry{Tag: e.tag, Type: e.typ, Count: e.count, Value: e.val}
}

// An exifKeep collects the entries of one EXIF block that a policy keeps.
type exifKeep struct {
	opts    *Options
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
// writers misplace in IFD1, SubIFDs or the Interop IFD go with them.
func (k *exifKeep) collect(kind ifdKind, tag, typ uint16, count uint32, val []byte, info tagInfo, value string) bool {
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
	switch {
	case !k.opts.keeps(info.cat),
		kind != ifdGPS && neverKept[tag],
		strings.HasPrefix(info.name, "0x"), // a tag no standard names
		typ == 0 || typ > 12,               // no value to copy, or an IFD
		uint64(len(val)) != tiff.TypeSize(typ)*uint64(count):
		return false
	}
	if kind == ifdGPS && k.opts.CoarseLocation > 0 {
		// Only the position stays, rounded by keepEXIF, and the
		// version that tells how to read it.
		switch tag {
		case tagGPSVersionID, tagGPSLatitudeRef, tagGPSLatitude, tagGPSLongitudeRef, tagGPSLongitude:
		default:
			return false
		}
		if !k.opts.keeps(Location) {
			return false
		}
	}
	key := tagKey{kind, tag}
	if k.seen[key] {
		return false // a duplicate: the first one is kept
	}
	if k.seen == nil {
		k.seen = make(map[tagKey]bool)
	}
	k.seen[key] = true
	k.entries[dst] = append(k.entries[dst], keptEntry{tag: tag, typ: typ, count: count, val: val, cat: info.cat, name: info.name, value: value})
	return true
}

// keepEXIF reports the EXIF block b as parseEXIF does, but for the tags
// that opts keeps, and returns the IFD0 orientation and a new TIFF block
// (from the byte-order mark) holding the kept tags, and the orientation
// when withOrientation is set and it is not 1. out is nil when no tag is
// kept, or when the new block would be larger than limit bytes (or than
// twice the input): the caller then does as by default, and the tags are
// reported as removed.
func keepEXIF(rep *Report, b []byte, opts *Options, withOrientation bool, limit int) (orientation int, out []byte) {
	k := &exifKeep{opts: opts}
	w := walkEXIF(rep, b, k)
	if w == nil {
		return 0, nil
	}
	bo := w.r.Order
	if opts.CoarseLocation > 0 {
		k.coarsen(rep, bo)
	}
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
	if out == nil {
		for i, es := range k.entries {
			for _, e := range es {
				rep.add(e.cat, [...]string{containerIFD0, containerExifIFD, containerGPS}[i], e.name, e.value)
			}
		}
		return w.orientation, nil
	}
	for i, es := range k.entries {
		for _, e := range es {
			rep.keep(e.cat, [...]string{containerIFD0, containerExifIFD, containerGPS}[i], e.name, e.value)
		}
	}
	return w.orientation, out
}

// coarsen rounds the kept GPS position to the grid of CoarseLocation
// degrees: the precise position is reported as removed, the rounded one
// as kept, with hemisphere references that match its sign. A coordinate
// that cannot be read as three RATIONALs is removed, with its reference.
func (k *exifKeep) coarsen(rep *Report, bo binary.ByteOrder) {
	grid := k.opts.CoarseLocation
	es := k.entries[keptGPS]
	refs := map[uint16]string{}
	for _, e := range es {
		if (e.tag == tagGPSLatitudeRef || e.tag == tagGPSLongitudeRef) && len(e.val) > 0 {
			refs[e.tag] = string(e.val[:1])
		}
	}
	var kept []keptEntry
	coords := map[uint16]float64{}
	for _, e := range es {
		switch e.tag {
		case tagGPSLatitude, tagGPSLongitude:
			d, ok := dmsDegrees(bo, e.typ, e.val)
			if !ok {
				rep.add(e.cat, containerGPS, e.name, e.value)
				continue
			}
			if r := refs[e.tag-1]; r == "S" || r == "W" {
				d = -d
			}
			r := roundToGrid(d, grid)
			coords[e.tag] = r
			if !bytes.Equal(e.val, dmsRationals(bo, math.Abs(r))) {
				// The precise position goes (unless it was on the
				// grid already, written as coarsen writes it).
				rep.add(e.cat, containerGPS, e.name, e.value)
			}
		case tagGPSLatitudeRef, tagGPSLongitudeRef:
			// Rewritten below to match the rounded position.
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
		kept = append(kept,
			keptEntry{tag: tag - 1, typ: 2, count: 2, val: []byte{ref[0], 0}, cat: Location, name: name + "Ref", value: ref},
			keptEntry{tag: tag, typ: 5, count: 3, val: dmsRationals(bo, math.Abs(d)), cat: Location, name: name, value: strconv.FormatFloat(d, 'f', 6, 64)})
	}
	for _, e := range es {
		if (e.tag == tagGPSLatitudeRef || e.tag == tagGPSLongitudeRef) && !hasCoord(coords, e.tag+1) {
			rep.add(e.cat, containerGPS, e.name, e.value) // its coordinate is gone
		}
	}
	if len(kept) == 1 && kept[0].tag == tagGPSVersionID {
		// A version with no position says nothing worth a GPS IFD.
		rep.add(kept[0].cat, containerGPS, kept[0].name, kept[0].value)
		kept = nil
	}
	k.entries[keptGPS] = kept
}

func hasCoord(m map[uint16]float64, tag uint16) bool { _, ok := m[tag]; return ok }

// dmsDegrees reads a GPS coordinate, three RATIONALs of degrees, minutes
// and seconds (CIPA DC-008 §4.6.6), as decimal degrees.
func dmsDegrees(bo binary.ByteOrder, typ uint16, val []byte) (float64, bool) {
	if typ != 5 || len(val) != 24 {
		return 0, false
	}
	var d float64
	for i, scale := range []float64{1, 60, 3600} {
		num, den := bo.Uint32(val[8*i:]), bo.Uint32(val[8*i+4:])
		if den == 0 {
			return 0, false
		}
		d += float64(num) / float64(den) / scale
	}
	return d, d <= 180
}

// dmsRationals writes a non-negative number of degrees as whole degrees,
// whole minutes and seconds in millionths, which read back as the same
// decimal degrees within 3e-10.
func dmsRationals(bo binary.ByteOrder, d float64) []byte {
	const perDegree = 3600 * 1000000 // microarcseconds
	total := int64(math.Round(d * perDegree))
	v := make([]byte, 24)
	for i, x := range [][2]uint32{
		{uint32(total / perDegree), 1},
		{uint32(total % perDegree / 60000000), 1},
		{uint32(total % 60000000), 1000000},
	} {
		bo.PutUint32(v[8*i:], x[0])
		bo.PutUint32(v[8*i+4:], x[1])
	}
	return v
}
