package exifscrub

import (
	"encoding/xml"
	"fmt"
	"math"
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

// A keepVerdict says what becomes of a node.
type keepVerdict int

const (
	keepNode   keepVerdict = iota
	dropNode               // left out; its parent is kept without it
	rejectNode             // its top-level property is not kept at all
)

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
	for _, desc := range xmp.Descriptions(roots) {
		var cands []*xmp.Node
		for _, a := range desc.Attrs {
			if a.Name.Space == nsRDF || a.Name.Space == nsXML {
				continue // rdf:about, xml:lang
			}
			cands = append(cands, &xmp.Node{Name: a.Name, Text: []byte(a.Value)})
		}
		cands = append(cands, desc.Kids...)
		for _, c := range cands {
			if seen[c.Name] {
				continue
			}
			n, v := k.top(c)
			if v == keepNode && n.HasValue() {
				seen[c.Name] = true
				props = append(props, n)
			}
		}
	}
	if len(props) == 0 {
		return nil
	}
	return xmp.Write(props, declared)
}

// top decides on a top-level property, rounding a coarse position.
func (k *xmpKeeper) top(n *xmp.Node) (*xmp.Node, keepVerdict) {
	if n.Name.Space == nsRDF || !xmp.ValidName(n.Name) {
		return nil, rejectNode
	}
	if k.coarse && (n.Name.Space == nsXMPExif || n.Name.Space == nsXMPExifEX) && strings.HasPrefix(n.Name.Local, "GPS") {
		if n.Name.Local != "GPSLatitude" && n.Name.Local != "GPSLongitude" || len(n.Kids) > 0 || n.Deep {
			return nil, dropNode
		}
		v, ok := coarseXMPCoordinate(string(n.Text), n.Name.Local == "GPSLatitude", k.opts.CoarseLocation)
		if !ok {
			return nil, dropNode
		}
		return &xmp.Node{Name: n.Name, Text: []byte(v)}, keepNode
	}
	return k.node(n)
}

// node decides on a property or an RDF element inside one, returning the
// node as it is written: with its kept attributes and children only.
func (k *xmpKeeper) node(n *xmp.Node) (*xmp.Node, keepVerdict) {
	if n.Deep {
		return nil, rejectNode
	}
	isRDF := n.Name.Space == nsRDF
	if isRDF {
		switch n.Name.Local {
		case "Bag", "Seq", "Alt", "li", "Description", "value":
		default:
			return nil, rejectNode
		}
	} else if v := k.property(n.Name); v != keepNode {
		return nil, v
	}
	out := &xmp.Node{Name: n.Name}
	for _, a := range n.Attrs {
		switch {
		case a.Name.Space == nsXML && a.Name.Local == "lang":
			if !xmp.ValidLangTag(a.Value) {
				return nil, rejectNode
			}
			out.Attrs = append(out.Attrs, a)
		case a.Name.Space == nsRDF && a.Name.Local == "parseType":
			if a.Value != "Resource" {
				return nil, rejectNode // Literal, Collection: not XMP
			}
			out.Attrs = append(out.Attrs, a)
		case a.Name.Space == nsRDF && a.Name.Local == "resource":
			// A property's URI value, which the report reads; on RDF
			// syntax elements the report does not read it, so it goes.
			if !isRDF {
				out.Attrs = append(out.Attrs, a)
			}
		case a.Name.Space == nsRDF || a.Name.Space == nsXML:
			// rdf:about, rdf:ID, rdf:nodeID, rdf:datatype, xml:space:
			// nothing a reader shows as a value.
		default:
			// A field of a structure in attribute form.
			switch v := k.property(a.Name); v {
			case rejectNode:
				return nil, rejectNode
			case keepNode:
				out.Attrs = append(out.Attrs, a)
			}
		}
	}
	for _, c := range n.Kids {
		kc, v := k.node(c)
		switch v {
		case rejectNode:
			return nil, rejectNode
		case keepNode:
			out.Kids = append(out.Kids, kc)
		}
	}
	if len(n.Kids) == 0 {
		out.Text = n.Text
	}
	return out, keepNode
}

// property decides on a property or a structure's field by its name.
func (k *xmpKeeper) property(name xml.Name) keepVerdict {
	if !xmp.ValidName(name) {
		return rejectNode
	}
	cat := classifyXMP(name.Space, name.Local)
	switch {
	case !k.opts.keeps(cat):
		return rejectNode
	case k.coarse && cat == Location && isPrecisePosition(name.Local):
		return dropNode
	}
	return keepNode
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
// degrees and writes it as "DDD,MM.mmmmmmK".
func coarseXMPCoordinate(s string, lat bool, grid float64) (string, bool) {
	d, ok := xmpDegrees(strings.TrimSpace(s))
	if !ok {
		return "", false
	}
	v, err := strconv.ParseFloat(d, 64)
	if err != nil {
		return "", false
	}
	v = roundToGrid(v, grid)
	limit, pos, neg := 180.0, byte('E'), byte('W')
	if lat {
		limit, pos, neg = 90, 'N', 'S'
	}
	v = math.Max(-limit, math.Min(limit, v))
	ref := pos
	if v < 0 {
		ref, v = neg, -v
	}
	micro := int64(math.Round(v * 60e6)) // millionths of a minute
	deg, min := micro/60e6, micro%60e6
	return fmt.Sprintf("%d,%02d.%06d%c", deg, min/1e6, min%1e6, ref), true
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
