package xmp

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"unicode"
)

// packetID is the id of every XMP packet wrapper (Part 1 §7.3.2).
const packetID = "W5M0MpCehiHzreSzNTczkc9d"

// Write returns a new packet, in UTF-8, holding props as the properties
// of one rdf:Description, in the RDF forms of Part 1 §7.9: simple values,
// rdf:Bag/Seq/Alt arrays with their xml:lang qualifiers, structures as
// rdf:parseType="Resource" or a nested rdf:Description, as the nodes
// have them. Names and values go through the XML escaping of encoding/xml;
// a node's text is written only when it has no children and is not all
// white space. Each namespace gets the prefix that prefixes gives it
// (namespace URI → prefix) if it is valid and free, else its usual one,
// else ns1, ns2…: a caller that gives the prefixes of its own table
// writes nothing of how the packet it read spelled them.
//
// Write does not check names: every element and attribute name must be
// one ValidName accepts, or an rdf: or xml: name whose local part is a
// name of that form; then the packet is well-formed XML that ReadTree
// reads back as props.
func Write(props []*Node, prefixes map[string]string) []byte {
	w := &writer{prefixes: prefixes, prefix: make(map[string]string), used: map[string]bool{"x": true, "rdf": true}}
	for _, p := range props {
		w.node(p)
	}
	var out bytes.Buffer
	out.WriteString(`<?xpacket begin="` + "\ufeff" + `" id="` + packetID + `"?>`)
	out.WriteString(`<x:xmpmeta xmlns:x="` + NamespaceMeta + `"><rdf:RDF xmlns:rdf="` + NamespaceRDF + `"><rdf:Description rdf:about=""`)
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

// Merge returns one packet holding the top-level properties of the
// packets a and b, in that order, written as Write writes them; when
// either packet does not read, it returns b as it is. Readers take one
// standard packet per file (Part 3 §1.1.3), so two packets a writer made
// go out as one.
func Merge(a, b []byte, prefixes map[string]string) []byte {
	var props []*Node
	for _, p := range [][]byte{a, b} {
		roots, _, err := ReadTree(p)
		if err != nil {
			return b
		}
		props = append(props, TopProperties(roots)...)
	}
	return Write(props, prefixes)
}

// A writer writes a packet's properties, choosing each namespace's
// prefix on first use.
type writer struct {
	buf      bytes.Buffer
	prefixes map[string]string // the caller's prefixes
	prefix   map[string]string // namespace URI → prefix written
	used     map[string]bool
	order    []string // namespace URIs in order of first use
}

// node writes an element with its attributes, children or text.
func (w *writer) node(n *Node) {
	name := w.qname(n.Name)
	w.buf.WriteString("<" + name)
	for _, a := range n.Attrs {
		w.buf.WriteString(" " + w.qname(a.Name) + `="`)
		xml.EscapeText(&w.buf, []byte(a.Value))
		w.buf.WriteByte('"')
	}
	switch {
	case len(n.Kids) > 0:
		w.buf.WriteByte('>')
		for _, c := range n.Kids {
			w.node(c)
		}
	case len(n.Text) > 0 && len(bytes.TrimSpace(n.Text)) > 0:
		w.buf.WriteByte('>')
		xml.EscapeText(&w.buf, n.Text)
	default:
		w.buf.WriteString("/>")
		return
	}
	w.buf.WriteString("</" + name + ">")
}

// qname returns prefix:local for a name, choosing the prefix of a
// namespace on its first use: the caller's if it is free and valid, else
// the usual one (usualPrefixes) if it is free, else ns1, ns2….
func (w *writer) qname(n xml.Name) string {
	switch n.Space {
	case NamespaceRDF:
		return "rdf:" + n.Local
	case NamespaceXML:
		return "xml:" + n.Local
	}
	p, ok := w.prefix[n.Space]
	if !ok {
		if c := w.prefixes[n.Space]; validPrefix(c, n.Space) && !w.used[c] {
			p = c
		} else if u := usualPrefixes[n.Space]; u != "" && !w.used[u] {
			p = u
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

// validPrefix reports whether a prefix can be written for the namespace
// uri: an ASCII NCName that is not reserved (xml…, x, rdf) nor the usual
// prefix of another namespace.
func validPrefix(p, uri string) bool {
	if !validNCName(p) || len(p) >= 3 && strings.EqualFold(p[:3], "xml") || p == "x" || p == "rdf" {
		return false
	}
	for _, c := range []byte(p) {
		if c >= 0x80 {
			return false
		}
	}
	for known, usual := range usualPrefixes {
		if p == usual && known != uri {
			return false
		}
	}
	return true
}

// ValidName reports whether a property name can be written: a
// namespace URI (an undeclared prefix leaves encoding/xml's Space without
// a colon) and a local name that is an XML NCName. Every RDF name is
// valid; names in the namespaces of XML, of x:xmpmeta and of namespace
// declarations are not.
func ValidName(n xml.Name) bool {
	switch n.Space {
	case NamespaceRDF, NamespaceXML, NamespaceMeta, "http://www.w3.org/2000/xmlns/":
		return n.Space == NamespaceRDF
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
