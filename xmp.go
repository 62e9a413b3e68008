package exifscrub

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/exifscrub/exifscrub/internal/xmp"
)

// XMP is RDF/XML (XMP Specification Part 1 §7, "RDF serialization").
// Properties are elements or attributes in their schema's namespace;
// arrays are rdf:Bag/Seq/Alt of rdf:li items; structures nest properties.
// exifscrub reports each simple property with its text, as internal/xmp
// reads it, in the category of its namespace and name (classifyXMP). By
// default a packet is removed whole; when Options.Keep names categories,
// keepXMP (xmp_write.go) writes a new packet with only their properties.

// nsRDF and nsXML are the namespaces of RDF and of xml:lang.
const (
	nsRDF = xmp.NamespaceRDF
	nsXML = xmp.NamespaceXML
)

// parseXMP adds a finding for each property in the XMP packet b, in any
// encoding XMP allows (see xmp.Text). A packet that is not well-formed XML
// is reported as far as it parses, followed by an Embedded finding, data
// that could not be classified: it is removed either way.
func parseXMP(rep *Report, container string, b []byte) {
	p := &xmpParser{rep: rep, container: container}
	before := rep.count()
	if err := p.parse(xmp.Text(b)); err != nil {
		rep.add(Embedded, container, "XMP", fmt.Sprintf("partly unreadable (%d bytes): %v", len(b), err))
	} else if rep.count() == before {
		rep.add(Other, container, "XMP", fmt.Sprintf("(%d bytes, no properties)", len(b)))
	}
}

// An xmpParser reports the properties an xmp.Reader reads.
type xmpParser struct {
	rep       *Report
	container string
	// sink, when set, receives each finding instead of rep (see keepXMP);
	// prop is the property's namespace and local name, zero for text and
	// comments outside properties.
	sink func(cat Category, prop xml.Name, name, value string)
}

// parse reports the properties of the UTF-8 text b; it returns the
// *xmp.Error where b stops being XML, after reporting what came before.
func (p *xmpParser) parse(b []byte) error {
	r := xmp.NewReader(b)
	for {
		prop, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch prop.Kind {
		case xmp.KindProperty:
			p.emit(prop.Name, prop.QName, prop.Value)
		case xmp.KindText:
			// Readers show no text outside properties, but it is
			// there to be read, and removed with the packet.
			p.emitAs(Text, xml.Name{}, "XMP:Text", prop.Value)
		case xmp.KindComment:
			p.emitAs(Text, xml.Name{}, "XMP:Comment", prop.Value)
		}
	}
}

// emit reports the property prop, named name, with its value.
func (p *xmpParser) emit(prop xml.Name, name, value string) {
	// The edit history of a much-edited file can repeat the same few
	// properties thousands of times; the report counts the repeats (see
	// MaxSameKind) rather than list them, so every property is still read.
	local := name[strings.LastIndexByte(name, ':')+1:]
	if local == "GPSLatitude" || local == "GPSLongitude" {
		if d, ok := xmpDegrees(value); ok {
			value = d
		}
	}
	p.emitAs(classifyXMP(prop.Space, prop.Local), prop, name, value)
}

// emitAs adds a finding of the given category.
func (p *xmpParser) emitAs(cat Category, prop xml.Name, name, value string) {
	if p.sink != nil {
		p.sink(cat, prop, name, value)
		return
	}
	p.rep.add(cat, p.container, name, value)
}

// xmpDegrees converts an XMP GPS coordinate (xmp.ParseGPSCoordinate) to
// signed decimal degrees, as the report shows them.
func xmpDegrees(s string) (string, bool) {
	d, ok := xmp.ParseGPSCoordinate(s)
	if !ok {
		return "", false
	}
	return strconv.FormatFloat(d, 'f', 6, 64), true
}
