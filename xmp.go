package exifscrub

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// XMP is RDF/XML (XMP Specification Part 1 §7, "RDF serialization").
// Properties are elements or attributes in their schema's namespace;
// arrays are rdf:Bag/Seq/Alt of rdf:li items; structures nest properties.
// exifscrub reports each simple property with its text. By default a
// packet is removed whole; when Options.Keep names categories, keepXMP
// (xmp_write.go) writes a new packet with only their properties.

const (
	nsRDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsXML = "http://www.w3.org/XML/1998/namespace"
)

// xmpPrefixes are the usual prefixes of common schemas, for packets that
// declare them under other names.
var xmpPrefixes = map[string]string{
	"http://ns.adobe.com/xap/1.0/":                     "xmp",
	"http://ns.adobe.com/xap/1.0/mm/":                  "xmpMM",
	"http://ns.adobe.com/xap/1.0/rights/":              "xmpRights",
	"http://purl.org/dc/elements/1.1/":                 "dc",
	"http://ns.adobe.com/exif/1.0/":                    "exif",
	"http://ns.adobe.com/tiff/1.0/":                    "tiff",
	"http://ns.adobe.com/photoshop/1.0/":               "photoshop",
	"http://cipa.jp/exif/1.0/":                         "exifEX",
	"http://ns.adobe.com/exif/1.0/aux/":                "aux",
	"http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/":      "Iptc4xmpCore",
	"http://iptc.org/std/Iptc4xmpExt/2008-02-29/":      "Iptc4xmpExt",
	"http://ns.adobe.com/xap/1.0/sType/ResourceEvent#": "stEvt",
	"http://ns.adobe.com/xap/1.0/sType/ResourceRef#":   "stRef",
	"http://ns.adobe.com/camera-raw-settings/1.0/":     "crs",
	nsXMPPlus:    "plus",
	nsMWGRegions: "mwg-rs",
	nsMSPhoto:    "MicrosoftPhoto",
	nsGPano:      "GPano",
	nsGCamera:    "GCamera",
	nsXMPDM:      "xmpDM",
	nsXMPLR:      "lr",
}

// parseXMP adds a finding for each property in the XMP packet b, in any
// encoding XMP allows (see xmpText). A packet that is not well-formed XML
// is reported as far as it parses, followed by an Embedded finding, data
// that could not be classified: it is removed either way.
func parseXMP(rep *Report, container string, b []byte) {
	p := &xmpParser{rep: rep, container: container, prefixes: make(map[string]string)}
	before := rep.count()
	if err := p.parse(xmpText(b)); err != nil {
		rep.add(Embedded, container, "XMP", fmt.Sprintf("partly unreadable (%d bytes): %v", len(b), err))
	} else if rep.count() == before {
		rep.add(Other, container, "XMP", fmt.Sprintf("(%d bytes, no properties)", len(b)))
	}
}

// xmpText returns an XMP packet as UTF-8. XMP Specification Part 1 §7.3
// (XMP packet wrapper) allows UTF-8, UTF-16 and UTF-32 in either byte
// order, told apart by the byte-order mark that starts the packet or, as
// XML 1.0 Appendix F has it, by the zero bytes around its first '<'. An
// XML declaration may name another encoding, and writers put ISO 8859-1
// text in packets that declare none: a packet that is still not UTF-8 is
// read as ISO 8859-1 (Windows-1252 for 0x80–0x9F), so that nothing in it
// goes unread.
func xmpText(b []byte) []byte {
	switch {
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0, 0, 0xfe, 0xff}):
		return utf32Text(b[4:], binary.BigEndian)
	case bytes.HasPrefix(b, []byte{0xff, 0xfe, 0, 0}):
		return utf32Text(b[4:], binary.LittleEndian)
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		return utf16Text(b[2:], binary.BigEndian)
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		return utf16Text(b[2:], binary.LittleEndian)
	case len(b) >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] != 0:
		return utf32Text(b, binary.BigEndian)
	case len(b) >= 4 && b[0] != 0 && b[1] == 0 && b[2] == 0 && b[3] == 0:
		return utf32Text(b, binary.LittleEndian)
	case len(b) >= 2 && b[0] == 0 && b[1] != 0:
		return utf16Text(b, binary.BigEndian)
	case len(b) >= 2 && b[0] != 0 && b[1] == 0:
		return utf16Text(b, binary.LittleEndian)
	}
	if utf8.Valid(b) {
		return b
	}
	var out []byte
	for _, c := range b {
		out = utf8.AppendRune(out, cp1252(c))
	}
	return out
}

// cp1252 maps a byte of Windows-1252, the superset of ISO 8859-1 that
// HTML5 reads for either label, to its code point.
func cp1252(c byte) rune {
	if c >= 0x80 && c < 0xa0 {
		if r := cp1252High[c-0x80]; r != 0 {
			return r
		}
	}
	return rune(c)
}

var cp1252High = [32]rune{
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
}

// utf16Text converts UTF-16 to UTF-8; an odd byte at the end is dropped.
func utf16Text(b []byte, bo binary.ByteOrder) []byte {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = bo.Uint16(b[2*i:])
	}
	return []byte(string(utf16.Decode(u)))
}

// utf32Text converts UTF-32 to UTF-8; invalid code points become U+FFFD.
func utf32Text(b []byte, bo binary.ByteOrder) []byte {
	out := make([]byte, 0, len(b)/4)
	for i := 0; i+4 <= len(b); i += 4 {
		r := rune(bo.Uint32(b[i:]))
		if !utf8.ValidRune(r) {
			r = utf8.RuneError
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

type xmpParser struct {
	rep       *Report
	container string
	prefixes  map[string]string // namespace URI → prefix declared in the packet
	// sink, when set, receives each finding instead of rep (see keepXMP);
	// prop is the property's namespace and local name, zero for text and
	// comments outside properties.
	sink func(cat Category, prop xml.Name, name, value string)
}

// An xmpFrame is an open element: a property collects the text of its
// array items; RDF syntax elements only pass text on to their property.
type xmpFrame struct {
	name     string   // "prefix:Local" of a property, "" for RDF syntax
	prop     xml.Name // the property's namespace URI and local name
	text     []string
	children bool // holds nested properties, so it is a structure
}

func (p *xmpParser) parse(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	// xmpText has made the packet UTF-8, whatever its declaration says.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var stack []xmpFrame
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return fmt.Errorf("XML at byte %d: %v", d.InputOffset(), err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" {
					if _, ok := p.prefixes[a.Value]; !ok {
						p.prefixes[a.Value] = a.Name.Local
					}
				}
			}
			f := xmpFrame{}
			if p.isProperty(t.Name) && len(stack) > 0 {
				f.name, f.prop = p.qualified(t.Name), t.Name
				if parent := p.property(stack); parent != nil {
					parent.children = true
				}
			}
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns" || a.Name.Space == nsXML || a.Name.Local == "xmlns":
				case a.Name.Space == nsRDF:
					if a.Name.Local == "resource" && f.name != "" {
						f.text = append(f.text, a.Value)
					}
				case a.Name.Space == "" && len(stack) == 0:
					// attributes of x:xmpmeta's own (x:xmptk) arrive unqualified
				default:
					if a.Name.Space == "adobe:ns:meta/" {
						continue // x:xmptk, the writing toolkit's version
					}
					p.emit(a.Name, p.qualified(a.Name), a.Value)
				}
			}
			stack = append(stack, f)
		case xml.CharData:
			s := strings.TrimSpace(string(t))
			if s == "" {
				continue
			}
			if prop := p.property(stack); prop != nil {
				prop.text = append(prop.text, s)
			} else {
				// Readers show no text outside properties, but it is
				// there to be read, and removed with the packet.
				p.emitAs(Text, xml.Name{}, "XMP:Text", s)
			}
		case xml.Comment:
			if s := strings.TrimSpace(string(t)); s != "" {
				p.emitAs(Text, xml.Name{}, "XMP:Comment", s)
			}
		case xml.EndElement:
			if len(stack) == 0 {
				return fmt.Errorf("XML at byte %d: unbalanced end element", d.InputOffset())
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if f.name != "" && !f.children && len(f.text) > 0 {
				p.emit(f.prop, f.name, strings.Join(f.text, "; "))
			}
		}
	}
}

// isProperty reports whether an element is a property rather than RDF or
// XMP packet syntax.
func (p *xmpParser) isProperty(n xml.Name) bool {
	switch n.Space {
	case nsRDF, "adobe:ns:meta/", "":
		return false
	}
	return true
}

// property returns the innermost open property, which collects text.
func (p *xmpParser) property(stack []xmpFrame) *xmpFrame {
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i].name != "" {
			return &stack[i]
		}
	}
	return nil
}

func (p *xmpParser) qualified(n xml.Name) string {
	prefix, ok := xmpPrefixes[n.Space]
	if !ok {
		prefix = p.prefixes[n.Space]
	}
	if prefix == "" {
		return n.Local
	}
	return prefix + ":" + n.Local
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

// xmpDegrees converts an XMP GPS coordinate, "DDD,MM,SSk" or "DDD,MM.mmk"
// with k one of N, S, E, W (XMP Specification Part 2 §3.3.2, "GPSCoordinate"),
// to signed decimal degrees.
func xmpDegrees(s string) (string, bool) {
	if len(s) < 2 {
		return "", false
	}
	sign := 1.0
	switch s[len(s)-1] {
	case 'S', 's', 'W', 'w':
		sign = -1
	case 'N', 'n', 'E', 'e':
	default:
		return "", false
	}
	parts := strings.Split(s[:len(s)-1], ",")
	if len(parts) < 2 || len(parts) > 3 {
		return "", false
	}
	var d float64
	for i, part := range parts {
		v, err := strconv.ParseFloat(part, 64)
		if err != nil {
			return "", false
		}
		d += v / [3]float64{1, 60, 3600}[i]
	}
	return strconv.FormatFloat(sign*d, 'f', 6, 64), true
}
