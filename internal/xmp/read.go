package xmp

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// A Kind says what a Reader has read.
type Kind int

const (
	// KindProperty is a simple property: an element holding text or an
	// rdf:resource URI, the text of its array items joined with "; ", or
	// a property in attribute form. A structure's fields are properties
	// of their own; the structure itself is not one.
	KindProperty Kind = iota
	// KindText is text outside any property. Readers show none, but it is
	// there to be read.
	KindText
	// KindComment is the text of an XML comment.
	KindComment
)

// A Property is what a Reader reads: a property, or text or a comment
// outside properties.
type Property struct {
	Kind Kind
	// Name is a property's namespace URI and local name; zero for text
	// and comments.
	Name xml.Name
	// QName is a property's name as "prefix:Local", with the usual prefix
	// of its namespace, else the first the packet declared for it, else
	// the local name alone; "" for text and comments.
	QName string
	// Value is the property's value, or the text or comment, trimmed of
	// white space.
	Value string
}

// A Reader streams the properties of a packet's text, in the order they
// end: a property in attribute form where its element starts, one in
// element form where it ends. It has no depth limit, and holds only the
// elements still open.
type Reader struct {
	d        *xml.Decoder
	prefixes map[string]string // namespace URI → prefix first declared in the packet
	stack    []frame
	queue    []Property // read from the last token, not yet returned
	next     int        // queue[next] is returned next
	err      error      // sticky: io.EOF or an *Error
}

// A frame is an open element: a property collects the text of its array
// items; RDF syntax elements only pass text on to their property.
type frame struct {
	name     string   // "prefix:Local" of a property, "" for RDF syntax
	prop     xml.Name // the property's namespace URI and local name
	text     []string
	children bool // holds nested properties, so it is a structure
}

// NewReader returns a Reader of the UTF-8 text of a packet (see Text).
func NewReader(text []byte) *Reader {
	return &Reader{d: newDecoder(text), prefixes: make(map[string]string)}
}

// Next returns the next property. At the end of the packet it returns
// io.EOF; where the packet stops being XML (encoding/xml also counts a
// packet that ends with elements open) it returns an *Error, after every
// property read before, and again on every later call.
func (r *Reader) Next() (Property, error) {
	for r.next == len(r.queue) {
		if r.err != nil {
			return Property{}, r.err
		}
		r.queue, r.next = r.queue[:0], 0
		r.err = r.step()
	}
	p := r.queue[r.next]
	r.next++
	return p, nil
}

// step reads one token, queueing what it completes.
func (r *Reader) step() error {
	tok, err := r.d.Token()
	if err != nil {
		if err == io.EOF {
			return io.EOF
		}
		return &Error{Offset: r.d.InputOffset(), Err: err}
	}
	switch t := tok.(type) {
	case xml.StartElement:
		for _, a := range t.Attr {
			if a.Name.Space == "xmlns" {
				if _, ok := r.prefixes[a.Value]; !ok {
					r.prefixes[a.Value] = a.Name.Local
				}
			}
		}
		f := frame{}
		if isProperty(t.Name) && len(r.stack) > 0 {
			f.name, f.prop = r.qualified(t.Name), t.Name
			if parent := r.property(); parent != nil {
				parent.children = true
			}
		}
		for _, a := range t.Attr {
			switch {
			case a.Name.Space == "xmlns" || a.Name.Space == NamespaceXML || a.Name.Local == "xmlns":
			case a.Name.Space == NamespaceRDF:
				if a.Name.Local == "resource" && f.name != "" {
					f.text = append(f.text, a.Value)
				}
			case a.Name.Space == "" && len(r.stack) == 0:
				// attributes of x:xmpmeta's own (x:xmptk) arrive unqualified
			default:
				if a.Name.Space == NamespaceMeta {
					continue // x:xmptk, the writing toolkit's version
				}
				r.queue = append(r.queue, Property{Kind: KindProperty, Name: a.Name, QName: r.qualified(a.Name), Value: a.Value})
			}
		}
		r.stack = append(r.stack, f)
	case xml.CharData:
		s := strings.TrimSpace(string(t))
		if s == "" {
			return nil
		}
		if prop := r.property(); prop != nil {
			prop.text = append(prop.text, s)
		} else {
			r.queue = append(r.queue, Property{Kind: KindText, Value: s})
		}
	case xml.Comment:
		if s := strings.TrimSpace(string(t)); s != "" {
			r.queue = append(r.queue, Property{Kind: KindComment, Value: s})
		}
	case xml.EndElement:
		if len(r.stack) == 0 {
			return &Error{Offset: r.d.InputOffset(), Reason: "unbalanced end element"}
		}
		f := r.stack[len(r.stack)-1]
		r.stack = r.stack[:len(r.stack)-1]
		if f.name != "" && !f.children && len(f.text) > 0 {
			r.queue = append(r.queue, Property{Kind: KindProperty, Name: f.prop, QName: f.name, Value: strings.Join(f.text, "; ")})
		}
	}
	return nil
}

// isProperty reports whether an element is a property rather than RDF or
// XMP packet syntax.
func isProperty(n xml.Name) bool {
	switch n.Space {
	case NamespaceRDF, NamespaceMeta, "":
		return false
	}
	return true
}

// property returns the innermost open property, which collects text.
func (r *Reader) property() *frame {
	for i := len(r.stack) - 1; i >= 0; i-- {
		if r.stack[i].name != "" {
			return &r.stack[i]
		}
	}
	return nil
}

func (r *Reader) qualified(n xml.Name) string {
	prefix, ok := usualPrefixes[n.Space]
	if !ok {
		prefix = r.prefixes[n.Space]
	}
	if prefix == "" {
		return n.Local
	}
	return prefix + ":" + n.Local
}

// maxDepth bounds how deep ReadTree builds the tree of a packet.
const maxDepth = 32

// A Node is an element of a packet, or a property in attribute form
// (then it has text only).
type Node struct {
	Name  xml.Name
	Attrs []xml.Attr // without namespace declarations
	Kids  []*Node
	Text  []byte // the element's own character data, white space included
	Deep  bool   // elements below it were not read (they are more than 32 deep)
}

// ReadTree parses the UTF-8 text of a packet (see Text) into its
// top-level elements, with the prefixes it declares (namespace URI →
// first prefix), reading it as a Reader does; elements nested deeper than
// 32 are not read, and their ancestors are marked Deep. It fails, with an
// *Error, where a Reader does.
func ReadTree(text []byte) (roots []*Node, prefixes map[string]string, err error) {
	d := newDecoder(text)
	prefixes = make(map[string]string)
	var stack []*Node // nil for elements below maxDepth
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if len(stack) > 0 {
				return nil, nil, &Error{Offset: d.InputOffset(), Reason: fmt.Sprintf("%d elements not closed", len(stack))}
			}
			return roots, prefixes, nil
		}
		if err != nil {
			return nil, nil, &Error{Offset: d.InputOffset(), Err: err}
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
			var n *Node
			switch {
			case len(stack) == 0:
				n = &Node{Name: t.Name, Attrs: attrs}
				roots = append(roots, n)
			case len(stack) >= maxDepth:
				// Below maxDepth the stack holds only nils: looking at
				// them all would take time quadratic in the nesting.
				for _, up := range stack[:maxDepth] {
					if up != nil {
						up.Deep = true
					}
				}
			case stack[len(stack)-1] != nil:
				n = &Node{Name: t.Name, Attrs: attrs}
				parent := stack[len(stack)-1]
				parent.Kids = append(parent.Kids, n)
			}
			stack = append(stack, n)
		case xml.CharData:
			if len(stack) > 0 && stack[len(stack)-1] != nil {
				n := stack[len(stack)-1]
				n.Text = append(n.Text, t...)
			}
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, nil, &Error{Offset: d.InputOffset(), Reason: "unbalanced end element"}
			}
			stack = stack[:len(stack)-1]
		}
	}
}

// HasValue reports whether a node holds anything a reader shows: text, a
// URI, or a field in attribute form.
func (n *Node) HasValue() bool {
	if len(bytes.TrimSpace(n.Text)) > 0 {
		return true
	}
	for _, a := range n.Attrs {
		if a.Name.Space != NamespaceXML && (a.Name.Space != NamespaceRDF || a.Name.Local == "resource") {
			return true
		}
	}
	for _, c := range n.Kids {
		if c.HasValue() {
			return true
		}
	}
	return false
}
