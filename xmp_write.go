package exifscrub

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Keeping XMP (issue 11). A packet is never filtered in place: keepXMP
// reads it into a tree, selects the top-level properties of every
// rdf:Description whose category Options.Keep names, and writes a new
// packet, in UTF-8, holding only those, in the RDF forms of XMP
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

// xmpPacketID is the id of every XMP packet wrapper (Part 1 §7.3.2).
const xmpPacketID = "W5M0MpCehiHzreSzNTczkc9d"

// maxXMPDepth bounds how deep the tree of a packet is built: a property
// nested deeper is not kept.
const maxXMPDepth = 32

// nsXMPMeta is the namespace of x:xmpmeta (Part 1 §7.3.3).
const nsXMPMeta = "adobe:ns:meta/"

// An xmpNode is an element of a packet, or a property in attribute form
// (then it has text only).
type xmpNode struct {
	name  xml.Name
	attrs []xml.Attr // without namespace declarations
	kids  []*xmpNode
	text  []byte
	deep  bool // elements below it were not read (maxXMPDepth)
}

// readXMPTree parses a UTF-8 packet into its top-level elements, with
// the prefixes it declares (namespace URI → first prefix), reading it as
// parseXMP does. It fails where parseXMP reports the packet unreadable.
func readXMPTree(b []byte) (roots []*xmpNode, prefixes map[string]string, err error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	prefixes = make(map[string]string)
	var stack []*xmpNode // nil for elements below maxXMPDepth
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if len(stack) > 0 {
				return nil, nil, fmt.Errorf("XML: %d elements not closed", len(stack))
			}
			return roots, prefixes, nil
		}
		if err != nil {
			return nil, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var attrs []xml.Attr
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns":
					if _, ok := prefixes[a.Value]; !ok {
						prefixes[a.Value] = a.Name.Local
					}
				case a.Name.Space == "" && a.Name.Local == "xmlns":
				default:
					attrs = append(attrs, a)
				}
			}
			var n *xmpNode
			switch {
			case len(stack) == 0:
				n = &xmpNode{name: t.Name, attrs: attrs}
				roots = append(roots, n)
			case len(stack) >= maxXMPDepth:
				for _, up := range stack {
					if up != nil {
						up.deep = true
					}
				}
			case stack[len(stack)-1] != nil:
				n = &xmpNode{name: t.Name, attrs: attrs}
				parent := stack[len(stack)-1]
				parent.kids = append(parent.kids, n)
			}
			stack = append(stack, n)
		case xml.CharData:
			if len(stack) > 0 && stack[len(stack)-1] != nil {
				n := stack[len(stack)-1]
				n.text = append(n.text, t...)
			}
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, nil, fmt.Errorf("XML at byte %d: unbalanced end element", d.InputOffset())
			}
			stack = stack[:len(stack)-1]
		}
	}
}

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
	roots, declared, err := readXMPTree(xmpText(b))
	if err != nil {
		return nil
	}
	k := &xmpKeeper{opts: opts, coarse: opts.CoarseLocation > 0 && opts.keeps(Location)}
	var props []*xmpNode
	seen := make(map[xml.Name]bool)
	for _, desc := range xmpDescriptions(roots) {
		var cands []*xmpNode
		for _, a := range desc.attrs {
			if a.Name.Space == nsRDF || a.Name.Space == nsXML {
				continue // rdf:about, xml:lang
			}
			cands = append(cands, &xmpNode{name: a.Name, text: []byte(a.Value)})
		}
		cands = append(cands, desc.kids...)
		for _, c := range cands {
			if seen[c.name] {
				continue
			}
			n, v := k.top(c)
			if v == keepNode && n.hasValue() {
				seen[c.name] = true
				props = append(props, n)
			}
		}
	}
	if len(props) == 0 {
		return nil
	}
	return writeXMP(props, declared)
}

// xmpDescriptions returns the rdf:Description elements of rdf:RDF, at the
// root or inside x:xmpmeta (or the older x:xapmeta).
func xmpDescriptions(roots []*xmpNode) []*xmpNode {
	var rdfs, descs []*xmpNode
	for _, r := range roots {
		switch {
		case r.name.Space == nsRDF && r.name.Local == "RDF":
			rdfs = append(rdfs, r)
		case r.name.Space == nsXMPMeta:
			for _, c := range r.kids {
				if c.name.Space == nsRDF && c.name.Local == "RDF" {
					rdfs = append(rdfs, c)
				}
			}
		}
	}
	for _, r := range rdfs {
		for _, c := range r.kids {
			if c.name.Space == nsRDF && c.name.Local == "Description" {
				descs = append(descs, c)
			}
		}
	}
	return descs
}

// top decides on a top-level property, rounding a coarse position.
func (k *xmpKeeper) top(n *xmpNode) (*xmpNode, keepVerdict) {
	if n.name.Space == nsRDF || !validXMPName(n.name) {
		return nil, rejectNode
	}
	if k.coarse && (n.name.Space == nsXMPExif || n.name.Space == nsXMPExifEX) && strings.HasPrefix(n.name.Local, "GPS") {
		if n.name.Local != "GPSLatitude" && n.name.Local != "GPSLongitude" || len(n.kids) > 0 || n.deep {
			return nil, dropNode
		}
		v, ok := coarseXMPCoordinate(string(n.text), n.name.Local == "GPSLatitude", k.opts.CoarseLocation)
		if !ok {
			return nil, dropNode
		}
		return &xmpNode{name: n.name, text: []byte(v)}, keepNode
	}
	return k.node(n)
}

// node decides on a property or an RDF element inside one, returning the
// node as it is written: with its kept attributes and children only.
func (k *xmpKeeper) node(n *xmpNode) (*xmpNode, keepVerdict) {
	if n.deep {
		return nil, rejectNode
	}
	isRDF := n.name.Space == nsRDF
	if isRDF {
		switch n.name.Local {
		case "Bag", "Seq", "Alt", "li", "Description", "value":
		default:
			return nil, rejectNode
		}
	} else if v := k.property(n.name); v != keepNode {
		return nil, v
	}
	out := &xmpNode{name: n.name}
	for _, a := range n.attrs {
		switch {
		case a.Name.Space == nsXML && a.Name.Local == "lang":
			if !validLangTag(a.Value) {
				return nil, rejectNode
			}
			out.attrs = append(out.attrs, a)
		case a.Name.Space == nsRDF && a.Name.Local == "parseType":
			if a.Value != "Resource" {
				return nil, rejectNode // Literal, Collection: not XMP
			}
			out.attrs = append(out.attrs, a)
		case a.Name.Space == nsRDF && a.Name.Local == "resource":
			// A property's URI value, which the report reads; on RDF
			// syntax elements the report does not read it, so it goes.
			if !isRDF {
				out.attrs = append(out.attrs, a)
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
				out.attrs = append(out.attrs, a)
			}
		}
	}
	for _, c := range n.kids {
		kc, v := k.node(c)
		switch v {
		case rejectNode:
			return nil, rejectNode
		case keepNode:
			out.kids = append(out.kids, kc)
		}
	}
	if len(n.kids) == 0 {
		out.text = n.text
	}
	return out, keepNode
}

// property decides on a property or a structure's field by its name.
func (k *xmpKeeper) property(name xml.Name) keepVerdict {
	if !validXMPName(name) {
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

// hasValue reports whether a node holds anything a reader shows: text, a
// URI, or a field in attribute form.
func (n *xmpNode) hasValue() bool {
	if len(bytes.TrimSpace(n.text)) > 0 {
		return true
	}
	for _, a := range n.attrs {
		if a.Name.Space != nsXML && (a.Name.Space != nsRDF || a.Name.Local == "resource") {
			return true
		}
	}
	for _, c := range n.kids {
		if c.hasValue() {
			return true
		}
	}
	return false
}

// validXMPName reports whether a property name can be written: a
// namespace URI (an undeclared prefix leaves encoding/xml's Space without
// a colon) and a local name that is an XML NCName.
func validXMPName(n xml.Name) bool {
	switch n.Space {
	case nsRDF, nsXML, nsXMPMeta, "http://www.w3.org/2000/xmlns/":
		return n.Space == nsRDF
	}
	return strings.Contains(n.Space, ":") && validNCName(n.Local)
}

// validNCName reports whether s is a name without a colon (Namespaces in
// XML 1.0 §3), restricted to letters, digits, '_', '-' and '.'.
func validNCName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || r == '_':
		case i > 0 && (unicode.IsDigit(r) || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// validLangTag reports whether s looks like an RFC 3066 language tag, as
// xml:lang holds in an rdf:Alt (Part 1 §7.6): letters, digits and
// hyphens, such as "x-default" or "fr-CA".
func validLangTag(s string) bool {
	if s == "" || len(s) > 35 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
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

// An xmpWriter writes a packet's properties, choosing each namespace's
// prefix on first use.
type xmpWriter struct {
	buf      bytes.Buffer
	declared map[string]string // the packet's own prefixes
	prefix   map[string]string // namespace URI → prefix written
	used     map[string]bool
	order    []string // namespace URIs in order of first use
}

// writeXMP writes a packet holding props.
func writeXMP(props []*xmpNode, declared map[string]string) []byte {
	w := &xmpWriter{declared: declared, prefix: make(map[string]string), used: map[string]bool{"x": true, "rdf": true}}
	for _, p := range props {
		w.node(p)
	}
	var out bytes.Buffer
	out.WriteString(`<?xpacket begin="` + "\ufeff" + `" id="` + xmpPacketID + `"?>`)
	out.WriteString(`<x:xmpmeta xmlns:x="` + nsXMPMeta + `"><rdf:RDF xmlns:rdf="` + nsRDF + `"><rdf:Description rdf:about=""`)
	for _, uri := range w.order {
		out.WriteString(" xmlns:" + w.prefix[uri] + `="`)
		xml.EscapeText(&out, []byte(uri)) // writes to a bytes.Buffer do not fail
		out.WriteByte('"')
	}
	out.WriteByte('>')
	out.Write(w.buf.Bytes())
	out.WriteString(`</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`)
	return out.Bytes()
}

// node writes an element with its attributes, children or text.
func (w *xmpWriter) node(n *xmpNode) {
	name := w.qname(n.name)
	w.buf.WriteString("<" + name)
	for _, a := range n.attrs {
		w.buf.WriteString(" " + w.qname(a.Name) + `="`)
		xml.EscapeText(&w.buf, []byte(a.Value))
		w.buf.WriteByte('"')
	}
	switch {
	case len(n.kids) > 0:
		w.buf.WriteByte('>')
		for _, c := range n.kids {
			w.node(c)
		}
	case len(n.text) > 0 && len(bytes.TrimSpace(n.text)) > 0:
		w.buf.WriteByte('>')
		xml.EscapeText(&w.buf, n.text)
	default:
		w.buf.WriteString("/>")
		return
	}
	w.buf.WriteString("</" + name + ">")
}

// qname returns prefix:local for a name, choosing the prefix of a
// namespace on its first use: the usual one (xmpPrefixes), else the one
// the packet declared if it is free and valid, else ns1, ns2….
func (w *xmpWriter) qname(n xml.Name) string {
	switch n.Space {
	case nsRDF:
		return "rdf:" + n.Local
	case nsXML:
		return "xml:" + n.Local
	}
	p, ok := w.prefix[n.Space]
	if !ok {
		p = xmpPrefixes[n.Space]
		if p == "" {
			if d := w.declared[n.Space]; validPrefix(d) && !w.used[d] {
				p = d
			}
		}
		for i := 1; p == ""; i++ {
			if c := "ns" + strconv.Itoa(i); !w.used[c] {
				p = c
			}
		}
		w.prefix[n.Space] = p
		w.used[p] = true
		w.order = append(w.order, n.Space)
	}
	return p + ":" + n.Local
}

// validPrefix reports whether a declared prefix can be written for a
// namespace that has no usual one: an ASCII NCName that is not reserved
// (xml…, x, rdf) nor the usual prefix of another namespace.
func validPrefix(p string) bool {
	if !validNCName(p) || len(p) >= 3 && strings.EqualFold(p[:3], "xml") || p == "x" || p == "rdf" {
		return false
	}
	for _, c := range []byte(p) {
		if c >= 0x80 {
			return false
		}
	}
	for _, known := range xmpPrefixes {
		if p == known {
			return false
		}
	}
	return true
}

// An xmpFinding is a finding of a packet's report, by property.
type xmpFinding struct {
	cat                Category
	space, name, value string
}

// xmpFindings returns what parseXMP reports for a packet, in order.
func xmpFindings(b []byte) ([]xmpFinding, error) {
	var fs []xmpFinding
	p := &xmpParser{prefixes: make(map[string]string), sink: func(cat Category, prop xml.Name, name, value string) {
		fs = append(fs, xmpFinding{cat, prop.Space, xmpFindingName(prop, name), value})
	}}
	err := p.parse(xmpText(b))
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
	p := &xmpParser{rep: rep, container: container, prefixes: make(map[string]string)}
	p.sink = func(cat Category, prop xml.Name, name, value string) {
		f := xmpFinding{cat, prop.Space, xmpFindingName(prop, name), value}
		if left[f] > 0 {
			left[f]--
			rep.keep(cat, container, name, value)
			return
		}
		rep.add(cat, container, name, value)
	}
	p.parse(xmpText(b)) // it parsed for rebuildXMP
	// What the original does not hold as it is kept: rounded positions.
	p.prefixes = make(map[string]string)
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
