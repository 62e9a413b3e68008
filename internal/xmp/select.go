package xmp

import "encoding/xml"

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

// Select returns the property n as Write should write it, with only the
// fields, array items and qualifiers that are kept, deciding on n's own
// name and on every name nested in it, element or attribute, by decide:
// a name that ValidName refuses, or that decide rejects, rejects the
// whole of n; one that decide drops is left out. Of the RDF syntax inside
// a property, Select keeps rdf:Bag, Seq, Alt, li, Description and value,
// rdf:parseType="Resource", rdf:resource on a property (not on RDF syntax,
// where no reader shows it) and xml:lang with a valid tag (ValidLangTag),
// and rejects other RDF elements, other parse types (Literal, Collection:
// not XMP), invalid tags and a property with elements too deep to be read
// (Node.Deep). Other RDF and XML attributes (rdf:about, rdf:ID,
// rdf:nodeID, rdf:datatype, xml:space) are left out: no reader shows them
// as a value. A node with children keeps no text.
// An rdf: element is RDF syntax wherever it is: one at the top, where a
// property belongs, is the caller's to refuse.
func Select(n *Node, decide func(xml.Name) Verdict) (*Node, Verdict) {
	if n.Deep {
		return nil, Reject
	}
	isRDF := n.Name.Space == NamespaceRDF
	if isRDF {
		switch n.Name.Local {
		case "Bag", "Seq", "Alt", "li", "Description", "value":
		default:
			return nil, Reject
		}
	} else if v := decideName(n.Name, decide); v != Keep {
		return nil, v
	}
	out := &Node{Name: n.Name}
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
			if !isRDF {
				out.Attrs = append(out.Attrs, a)
			}
		case a.Name.Space == NamespaceRDF || a.Name.Space == NamespaceXML:
		default:
			// A field of a structure in attribute form.
			switch decideName(a.Name, decide) {
			case Reject:
				return nil, Reject
			case Keep:
				out.Attrs = append(out.Attrs, a)
			}
		}
	}
	for _, c := range n.Kids {
		kc, v := Select(c, decide)
		switch v {
		case Reject:
			return nil, Reject
		case Keep:
			out.Kids = append(out.Kids, kc)
		}
	}
	if len(n.Kids) == 0 {
		out.Text = n.Text
	}
	return out, Keep
}

// decideName rejects a name that cannot be written, else asks decide.
func decideName(name xml.Name, decide func(xml.Name) Verdict) Verdict {
	if !ValidName(name) {
		return Reject
	}
	return decide(name)
}
