package exifscrub

import (
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/exifscrub/exifscrub/internal/xmp"
)

// Keeping XMP (issues 11 and 20). A packet is never filtered in place:
// keepXMP reads it into a tree (xmp.ReadTree), selects the top-level
// properties of every rdf:Description whose category Options.Keep names,
// and writes a new packet (xmp.Write), in UTF-8, holding only those, in
// the RDF forms of XMP Specification Part 1 §7.9 (simple values,
// rdf:Bag/Seq/Alt arrays with their xml:lang qualifiers, structures as
// rdf:parseType="Resource" or a nested rdf:Description). Nothing of the
// original packet is copied as bytes, so its padding, comments,
// processing instructions, unknown RDF attributes (rdf:about, rdf:ID,
// rdf:nodeID) and whatever else it held are gone, and only the tables
// decide (xmp_schema.go):
//   - a property, or a structure's field, is kept only when the tables
//     list its namespace URI and its name, in a kept category; it is
//     written with the table's prefix, namespace URI and spelling of the
//     name. A property of a namespace no table lists is never kept,
//     whatever its name says ("vendor:ArtistGPSLatitude");
//   - every value is checked by its property's type (xmpValue: dates,
//     numbers, rationals, GPS coordinates, text) and written anew from
//     what it parsed into; a value that is not of its type is left out,
//     and a property left with no value is not kept;
//   - xml:lang is kept only when it is a BCP 47 tag (xmp.ValidLangTag).
//
// A structure or array is kept whole or not at all: every property nested
// in it (a structure's fields, in their own namespace: the stEvt fields of
// xmpMM:History, the Iptc4xmpExt fields of LocationCreated) must also be
// listed, of a kept category, so that nothing the policy did not choose
// rides along inside something it did. Of two properties of the same name
// (in two rdf:Description elements), the first is kept.
//
// Under Options.CoarseLocation, GPS latitudes and longitudes
// (exif:GPSLatitude, exifEX:, and those of the IPTC location structures)
// are rounded to the grid and written as "DDD,MM.mmmmmmK" (Part 2 §3.3.2,
// GPSCoordinate); every property finer than a city goes (xmpFine: the
// rest of GPS, altitudes, the heading, the IPTC sub-location, location
// name and identifier, Iptc4xmpCore:Location, xmpDM:shotLocation,
// dc:coverage, any Location name ending in "Position"). Cities, regions
// and countries stay.

// An xmpKeeper selects the properties that a policy keeps.
type xmpKeeper struct {
	opts *Options
	grid float64 // CoarseLocation, when Location is kept
}

// rebuildXMP returns a new packet with the properties of b that opts
// keeps, or nil when there are none or b does not parse.
func rebuildXMP(b []byte, opts *Options) []byte {
	roots, _, err := xmp.ReadTree(xmp.Text(b))
	if err != nil {
		return nil
	}
	k := &xmpKeeper{opts: opts}
	if opts.keeps(Location) {
		k.grid = opts.CoarseLocation
	}
	var props []*xmp.Node
	seen := make(map[xml.Name]bool)
	for _, c := range xmp.TopProperties(roots) {
		if c.Name.Space == nsRDF {
			continue
		}
		n, v := xmp.Select(c, k.decide)
		if v == xmp.Keep && !seen[n.Name] {
			seen[n.Name] = true
			props = append(props, n)
		}
	}
	if len(props) == 0 {
		return nil
	}
	return xmp.Write(props, xmpPrefixes)
}

// decide decides on a property or a structure's field by its name: kept
// only if the tables list it in a kept category, dropped under a coarse
// grid if it is finer than a city, its values checked by its type.
func (k *xmpKeeper) decide(n xml.Name) xmp.Decision {
	name, cat, ok := xmpKeepable(n)
	switch {
	case !ok || !k.opts.keeps(cat):
		return xmp.Decision{Verdict: xmp.Reject}
	case k.grid > 0 && cat == Location && xmpIsFine(name):
		return xmp.Decision{Verdict: xmp.Drop}
	}
	t, lat := xmpTypes[name], strings.HasSuffix(name.Local, "Latitude")
	return xmp.Decision{Name: name, Value: func(s string) (string, bool) {
		return xmpValue(t, s, lat, k.grid)
	}}
}

// coarseXMPCoordinate rounds an XMP GPS coordinate to a grid of the given
// degrees and writes it as "DDD,MM.mmmmmmK".
func coarseXMPCoordinate(s string, lat bool, grid float64) (string, bool) {
	return xmpValue(xmp.TypeCoordinate, strings.TrimSpace(s), lat, grid)
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
	// What the new packet holds is what is kept, read back from it; a
	// finding of the original that it does not hold as it is (a value
	// written anew differently, a rounded position) was removed.
	type key struct{ space, local, value string }
	left := make(map[key]int, len(keptFs))
	for _, f := range keptFs {
		left[key{f.space, strings.ToLower(f.name), f.value}]++
	}
	p := &xmpParser{rep: rep, container: container}
	p.sink = func(cat Category, prop xml.Name, name, value string) {
		k := key{prop.Space, strings.ToLower(xmpFindingName(prop, name)), value}
		if left[k] > 0 && opts.keeps(cat) {
			left[k]--
			return
		}
		rep.add(cat, container, name, value)
	}
	p.parse(xmp.Text(b)) // it parsed for rebuildXMP
	p.sink = func(cat Category, prop xml.Name, name, value string) {
		rep.keep(cat, container, name, value)
	}
	p.parse(kept)
	return kept
}
