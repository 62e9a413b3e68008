package exifscrub

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	"github.com/exifscrub/exifscrub/internal/xmp"
)

// Keeping XMP (issue 11). A packet is never filtered in place: keepXMP
// reads it into a tree (xmp.ReadTree), selects the top-level properties of
// every rdf:Description whose category Options.Keep names, and writes a
// new packet (xmp.Write), in UTF-8, holding only those, in the RDF forms of XMP
// Specification Part 1 §7.9 (simple values, rdf:Bag/Seq/Alt arrays with
// their xml:lang qualifiers, structures as rdf:parseType="Resource" or a
// nested rdf:Description). Names and values go through the XML escaping
// of encoding/xml; nothing of the original packet is copied as bytes, so
// its padding, comments, processing instructions, unknown RDF attributes
// (rdf:about, rdf:ID, rdf:nodeID) and whatever else it held are gone.
//
// A structure or array is kept whole or not at all: every property nested
// in it (a structure's fields, in their own namespace: the stEvt fields of
// xmpMM:History, the Iptc4xmpExt fields of LocationCreated) must also be
// of a kept category, so that nothing the policy did not choose rides
// along inside something it did. Of two properties of the same name (in
// two rdf:Description elements), the first is kept.
//
// Under Options.CoarseLocation, exif:GPSLatitude and exif:GPSLongitude
// are rounded to the grid and written as "DDD,MM.mmmmmmK" (Part 2 §3.3.2,
// GPSCoordinate); every other exif:GPS* property goes, and so does any
// other Location property or field that holds a position, an altitude or
// a heading (Iptc4xmpExt:GPSLatitude inside LocationCreated,
// GPano:PoseHeadingDegrees). Place names stay.

// An xmpKeeper selects the properties that a policy keeps.
type xmpKeeper struct {
	opts   *Options
	coarse bool // round the position, drop the rest of GPS
}

// rebuildXMP returns a new packet with the properties of b that opts
// keeps, or nil when there are none or b does not parse.
func rebuildXMP(b []byte, opts *Options) []byte {
	roots, declared, err := xmp.ReadTree(xmp.Text(b))
	if err != nil {
		return nil
	}
	k := &xmpKeeper{opts: opts, coarse: opts.CoarseLocation > 0 && opts.keeps(Location)}
	var props []*xmp.Node
	seen := make(map[xml.Name]bool)
	for _, c := range xmp.TopProperties(roots) {
		if seen[c.Name] {
			continue
		}
		n, v := k.top(c)
		if v == xmp.Keep && n.HasValue() {
			seen[c.Name] = true
			props = append(props, n)
		}
	}
	if len(props) == 0 {
		return nil
	}
	return xmp.Write(props, declared)
}

// top decides on a top-level property, rounding a coarse position.
func (k *xmpKeeper) top(n *xmp.Node) (*xmp.Node, xmp.Verdict) {
	if n.Name.Space == nsRDF || !xmp.ValidName(n.Name) {
		return nil, xmp.Reject
	}
	if k.coarse && (n.Name.Space == nsXMPExif || n.Name.Space == nsXMPExifEX) && strings.HasPrefix(n.Name.Local, "GPS") {
		if n.Name.Local != "GPSLatitude" && n.Name.Local != "GPSLongitude" || len(n.Kids) > 0 || n.Deep {
			return nil, xmp.Drop
		}
		v, ok := coarseXMPCoordinate(string(n.Text), n.Name.Local == "GPSLatitude", k.opts.CoarseLocation)
		if !ok {
			return nil, xmp.Drop
		}
		return &xmp.Node{Name: n.Name, Text: []byte(v)}, xmp.Keep
	}
	return xmp.Select(n, k.property)
}

// property decides on a property or a structure's field by its name.
func (k *xmpKeeper) property(name xml.Name) xmp.Verdict {
	cat := classifyXMP(name.Space, name.Local)
	switch {
	case !k.opts.keeps(cat):
		return xmp.Reject
	case k.coarse && cat == Location && isPrecisePosition(name.Local):
		return xmp.Drop
	}
	return xmp.Keep
}

// isPrecisePosition reports whether a Location property holds a position,
// an altitude or a direction rather than a place name.
func isPrecisePosition(local string) bool {
	l := strings.ToLower(local)
	for _, w := range []string{"gps", "latitude", "longitude", "altitude", "heading", "bearing", "coordinat", "6709", "geo", "direction", "speed", "accuracy"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// coarseXMPCoordinate rounds an XMP GPS coordinate to a grid of the given
// degrees and writes it as "DDD,MM.mmmmmmK". It rounds the degrees as the
// report shows them (xmpDegrees).
func coarseXMPCoordinate(s string, lat bool, grid float64) (string, bool) {
	d, ok := xmpDegrees(strings.TrimSpace(s))
	if !ok {
		return "", false
	}
	v, err := strconv.ParseFloat(d, 64)
	if err != nil {
		return "", false
	}
	return xmp.FormatGPSCoordinate(roundToGrid(v, grid), lat), true
}

// An xmpFinding is a finding of a packet's report, by property.
type xmpFinding struct {
	cat                Category
	space, name, value string
}

// xmpFindings returns what parseXMP reports for a packet, in order.
func xmpFindings(b []byte) ([]xmpFinding, error) {
	var fs []xmpFinding
	p := &xmpParser{sink: func(cat Category, prop xml.Name, name, value string) {
		fs = append(fs, xmpFinding{cat, prop.Space, xmpFindingName(prop, name), value})
	}}
	err := p.parse(xmp.Text(b))
	return fs, err
}

// xmpFindingName identifies a finding's property by its namespace URI
// and local name rather than by the prefix, which the new packet may
// write differently.
func xmpFindingName(prop xml.Name, name string) string {
	if prop.Space != "" {
		return prop.Local
	}
	return name
}

// keepXMP reports the XMP packet b as parseXMP does and returns a new
// packet holding only the properties of the categories opts keeps, or nil
// when there are none: the caller then removes the packet, as by default.
// The kept properties are reported in Kept, as read back from the new
// packet (a rounded position as rounded), the rest in Findings.
func keepXMP(rep *Report, container string, b []byte, opts *Options) []byte {
	return keepXMPMax(rep, container, b, opts, 0)
}

// keepXMPMax is keepXMP for a container that holds at most limit bytes
// (0 for no limit): a larger packet is not kept.
func keepXMPMax(rep *Report, container string, b []byte, opts *Options, limit int) []byte {
	if !opts.keepsAny() {
		parseXMP(rep, container, b)
		return nil
	}
	kept := rebuildXMP(b, opts)
	if kept != nil && limit > 0 && len(kept) > limit {
		rep.add(Other, container, "XMP", fmt.Sprintf("(the kept properties need %d bytes, more than the %d the container holds: not kept)", len(kept), limit))
		kept = nil
	}
	var keptFs []xmpFinding
	if kept != nil {
		fs, err := xmpFindings(kept)
		ok := err == nil && len(fs) > 0
		for _, f := range fs {
			ok = ok && opts.keeps(f.cat)
		}
		if ok {
			keptFs = fs
		} else {
			kept = nil // cannot happen: what was selected reads back as kept
		}
	}
	if kept == nil {
		parseXMP(rep, container, b)
		return nil
	}
	left := make(map[xmpFinding]int, len(keptFs))
	for _, f := range keptFs {
		left[f]++
	}
	p := &xmpParser{rep: rep, container: container}
	p.sink = func(cat Category, prop xml.Name, name, value string) {
		f := xmpFinding{cat, prop.Space, xmpFindingName(prop, name), value}
		if left[f] > 0 {
			left[f]--
			rep.keep(cat, container, name, value)
			return
		}
		rep.add(cat, container, name, value)
	}
	p.parse(xmp.Text(b)) // it parsed for rebuildXMP
	// What the original does not hold as it is kept: rounded positions.
	p.sink = func(cat Category, prop xml.Name, name, value string) {
		f := xmpFinding{cat, prop.Space, xmpFindingName(prop, name), value}
		if left[f] > 0 {
			left[f]--
			rep.keep(cat, container, name, value)
		}
	}
	p.parse(kept)
	return kept
}
