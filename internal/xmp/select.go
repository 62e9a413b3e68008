package xmp

import (
	"encoding/xml"
	"strings"
)

// TopProperties returns the top-level properties of a packet that
// ReadTree has read: those of every rdf:Description of rdf:RDF (Part 1
// §7.4), each Description's properties in attribute form first, as Nodes
// holding only their text, then those in element form, in the packet's
// order. RDF and XML attributes (rdf:about, xml:lang) are not properties.
func TopProperties(roots []*Node) []*Node {
	var props []*Node
	for _, desc := range descriptions(roots) {
		for _, a := range desc.Attrs {
			if a.Name.Space == NamespaceRDF || a.Name.Space == NamespaceXML {
				continue
			}
			props = append(props, &Node{Name: a.Name, Text: []byte(a.Value)})
		}
		props = append(props, desc.Kids...)
	}
	return props
}

// descriptions returns the rdf:Description elements of rdf:RDF, at the
// root or inside x:xmpmeta (or the older x:xapmeta), whose children and
// attributes are the packet's top-level properties (Part 1 §7.4).
func descriptions(roots []*Node) []*Node {
	var rdfs, descs []*Node
	for _, r := range roots {
		switch {
		case r.Name.Space == NamespaceRDF && r.Name.Local == "RDF":
			rdfs = append(rdfs, r)
		case r.Name.Space == NamespaceMeta:
			for _, c := range r.Kids {
				if c.Name.Space == NamespaceRDF && c.Name.Local == "RDF" {
					rdfs = append(rdfs, c)
				}
			}
		}
	}
	for _, r := range rdfs {
		for _, c := range r.Kids {
			if c.Name.Space == NamespaceRDF && c.Name.Local == "Description" {
				descs = append(descs, c)
			}
		}
	}
	return descs
}

// A Verdict says what Select makes of a property or a field.
type Verdict int

const (
	Keep   Verdict = iota
	Drop           // left out; what holds it is kept without it
	Reject         // the top-level property holding it is not kept at all
)

// A Decision is Select's caller's decision on a name (a property, a
// structure's field, a qualifier).
type Decision struct {
	Verdict Verdict
	// Name is written in place of the name read, when it is not zero:
	// the caller's own spelling of it, so that nothing of how the file
	// spelled a name is written.
	Name xml.Name
	// Value checks a value of the property (its text, an array item's
	// or a qualifier's text, its rdf:resource URI, or the value of a
	// field in attribute form) and returns it as it is written, or false
	// to leave the value out. Nil writes values as they are.
	Value func(string) (string, bool)
}

// Select returns the property n as Write should write it, with only the
// fields, array items and qualifiers that are kept, deciding on n's own
// name and on every name nested in it, element or attribute, by decide:
// a name that ValidName refuses, or that decide rejects, rejects the
// whole of n; one that decide drops is left out. Every value goes
// through the Value of the innermost property or field holding it (the
// text of rdf:li and rdf:value is their property's), trimmed of white
// space; a value it refuses is left out with the element or attribute
// holding it, and an element left with no value (HasValue) goes too.
//
// Of the RDF syntax inside a property, Select keeps rdf:Bag, Seq, Alt,
// li, Description and value, rdf:parseType="Resource", rdf:resource on a
// property (not on RDF syntax, where no reader shows it) and xml:lang
// with a valid tag (ValidLangTag), and rejects other RDF elements, other
// parse types (Literal, Collection: not XMP), invalid tags and a property
// with elements too deep to be read (Node.Deep). Other RDF and XML
// attributes (rdf:about, rdf:ID, rdf:nodeID, rdf:datatype, xml:space) are
// left out: no reader shows them as a value. A node with children keeps
// no text. An rdf: element is RDF syntax wherever it is: one at the top,
// where a property belongs, is the caller's to refuse.
func Select(n *Node, decide func(xml.Name) Decision) (*Node, Verdict) {
	return selectNode(n, decide, nil)
}

// selectNode is Select for a node whose values, if it is RDF syntax, go
// through value, its property's.
func selectNode(n *Node, decide func(xml.Name) Decision, value func(string) (string, bool)) (*Node, Verdict) {
	if n.Deep {
		return nil, Reject
	}
	out := &Node{Name: n.Name}
	isRDF := n.Name.Space == NamespaceRDF
	if isRDF {
		switch n.Name.Local {
		case "Bag", "Seq", "Alt", "li", "Description", "value":
		default:
			return nil, Reject
		}
	} else {
		d := decideName(n.Name, decide)
		if d.Verdict != Keep {
			return nil, d.Verdict
		}
		if d.Name != (xml.Name{}) {
			out.Name = d.Name
		}
		value = d.Value
	}
	for _, a := range n.Attrs {
		switch {
		case a.Name.Space == NamespaceXML && a.Name.Local == "lang":
			if !ValidLangTag(a.Value) {
				return nil, Reject
			}
			out.Attrs = append(out.Attrs, a)
		case a.Name.Space == NamespaceRDF && a.Name.Local == "parseType":
			if a.Value != "Resource" {
				return nil, Reject
			}
			out.Attrs = append(out.Attrs, a)
		case a.Name.Space == NamespaceRDF && a.Name.Local == "resource":
			if v, ok := check(value, a.Value); !isRDF && ok {
				out.Attrs = append(out.Attrs, xml.Attr{Name: a.Name, Value: v})
			}
		case a.Name.Space == NamespaceRDF || a.Name.Space == NamespaceXML:
		default:
			// A field of a structure in attribute form.
			d := decideName(a.Name, decide)
			if d.Verdict == Reject {
				return nil, Reject
			}
			name := a.Name
			if d.Name != (xml.Name{}) {
				name = d.Name
			}
			if v, ok := check(d.Value, a.Value); d.Verdict == Keep && ok {
				out.Attrs = append(out.Attrs, xml.Attr{Name: name, Value: v})
			}
		}
	}
	for _, c := range n.Kids {
		kc, v := selectNode(c, decide, value)
		switch v {
		case Reject:
			return nil, Reject
		case Keep:
			out.Kids = append(out.Kids, kc)
		}
	}
	if len(n.Kids) == 0 {
		if v, ok := check(value, string(n.Text)); ok {
			out.Text = []byte(v)
		}
	}
	if !out.HasValue() {
		return nil, Drop
	}
	return out, Keep
}

// check returns a value trimmed of white space, as value writes it, and
// false when it is empty or value refuses it.
func check(value func(string) (string, bool), s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	if value == nil {
		return s, true
	}
	return value(s)
}

// decideName rejects a name that cannot be written, else asks decide; it
// rejects a name decide would write in its place that cannot be written.
func decideName(name xml.Name, decide func(xml.Name) Decision) Decision {
	if !ValidName(name) {
		return Decision{Verdict: Reject}
	}
	d := decide(name)
	if d.Name != (xml.Name{}) && (!ValidName(d.Name) || d.Name.Space == NamespaceRDF) {
		return Decision{Verdict: Reject}
	}
	return d
}
