// Package xmp reads and writes XMP packets: RDF/XML in which properties
// are elements or attributes in their schema's namespace, arrays are
// rdf:Bag/Seq/Alt of rdf:li items and structures nest properties. It
// follows the serialization of XMP Specification Part 1 (Adobe, 2012) §7,
// which ISO 16684-1 (clause 7, "Serialization") standardises with the
// same section numbers: §7.3, the optional outer XML (the xpacket wrapper,
// x:xmpmeta); §7.4, rdf:RDF and rdf:Description; §7.9, the RDF forms of
// simple, array and structure values and their qualifiers. GPS
// coordinates follow Part 2 §3.3.2 ("GPSCoordinate").
//
// It holds the format and nothing of what a property means:
//   - Text turns a packet in any encoding XMP allows (UTF-8, UTF-16 and
//     UTF-32 in either byte order, ISO 8859-1/Windows-1252) into UTF-8
//     (Part 1 §7.3, XML 1.0 Appendix F);
//   - a Reader streams the simple properties of a packet's text, with
//     their namespace, their prefixed name and their value, and the
//     comments and text outside properties, as far as the packet parses;
//   - ReadTree reads the packet into a tree of Nodes (elements with their
//     attributes, children and text, to a depth of 32), TopProperties
//     lists the top-level properties of its rdf:Description elements;
//   - Select copies a property with only the fields and items its
//     caller's verdict on each name keeps, and the RDF syntax that XMP
//     uses; Write writes chosen property Nodes as a new packet, in UTF-8,
//     in the RDF forms of Part 1 §7.9, Merge two packets as one; ValidName
//     and ValidLangTag say which names and xml:lang tags it can write;
//   - ParseGPSCoordinate and FormatGPSCoordinate read and write the
//     GPSCoordinate value type;
//   - Value checks a value of one of the value types of Part 1 ("XMP data
//     types": Date, Integer, Real, Text) and Part 2 §3.3 (Rational,
//     GPSCoordinate, and the closed choices of the exif: GPS properties)
//     and writes it anew from what it parsed into.
//
// Errors are *Error values carrying the byte offset in the UTF-8 text
// where encoding/xml stopped. The package does not classify properties,
// know which property has which value type, decide which ones to keep
// (its caller's decide function does, for Select), or report anything. It reads the packet
// with a non-strict encoding/xml Decoder, so it does not check namespaces
// beyond what that resolves, nor the RDF grammar beyond what it needs to
// tell properties from syntax. Extended collects the chunks of extended
// XMP (Part 3 §1.1.3.1) that its caller finds in a JPEG file.
package xmp

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
)

// The namespaces of RDF, of XML (xml:lang) and of x:xmpmeta (Part 1
// §7.3.3).
const (
	NamespaceRDF  = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	NamespaceXML  = "http://www.w3.org/XML/1998/namespace"
	NamespaceMeta = "adobe:ns:meta/"
)

// usualPrefixes are the usual prefixes of common schemas, for packets
// that declare them under other names.
var usualPrefixes = map[string]string{
	"http://ns.adobe.com/xap/1.0/":                         "xmp",
	"http://ns.adobe.com/xap/1.0/mm/":                      "xmpMM",
	"http://ns.adobe.com/xap/1.0/rights/":                  "xmpRights",
	"http://purl.org/dc/elements/1.1/":                     "dc",
	"http://ns.adobe.com/exif/1.0/":                        "exif",
	"http://ns.adobe.com/tiff/1.0/":                        "tiff",
	"http://ns.adobe.com/photoshop/1.0/":                   "photoshop",
	"http://cipa.jp/exif/1.0/":                             "exifEX",
	"http://ns.adobe.com/exif/1.0/aux/":                    "aux",
	"http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/":          "Iptc4xmpCore",
	"http://iptc.org/std/Iptc4xmpExt/2008-02-29/":          "Iptc4xmpExt",
	"http://ns.adobe.com/xap/1.0/sType/ResourceEvent#":     "stEvt",
	"http://ns.adobe.com/xap/1.0/sType/ResourceRef#":       "stRef",
	"http://ns.adobe.com/camera-raw-settings/1.0/":         "crs",
	"http://ns.useplus.org/ldf/xmp/1.0/":                   "plus",
	"http://www.metadataworkinggroup.com/schemas/regions/": "mwg-rs",
	"http://ns.microsoft.com/photo/1.0/":                   "MicrosoftPhoto",
	"http://ns.google.com/photos/1.0/panorama/":            "GPano",
	"http://ns.google.com/photos/1.0/camera/":              "GCamera",
	"http://ns.adobe.com/xmp/1.0/DynamicMedia/":            "xmpDM",
	"http://ns.adobe.com/lightroom/1.0/":                   "lr",
}

// UsualNamespace returns the namespace URI whose usual prefix is prefix,
// or "" when no common schema uses it.
func UsualNamespace(prefix string) string {
	for uri, p := range usualPrefixes {
		if p == prefix {
			return uri
		}
	}
	return ""
}

// An Error says where a packet stopped parsing.
type Error struct {
	Offset int64  // in the packet's UTF-8 text (see Text), where encoding/xml stopped
	Reason string // what is wrong, when Err is nil
	Err    error  // encoding/xml's error, if it found one
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("XML at byte %d: %v", e.Offset, e.Err)
	}
	return fmt.Sprintf("XML at byte %d: %s", e.Offset, e.Reason)
}

func (e *Error) Unwrap() error { return e.Err }

// newDecoder returns the decoder that the Reader and ReadTree share: not
// strict, as writers put undeclared entities and unclosed elements in
// packets, and taking the text as UTF-8 whatever its declaration says,
// since Text has made it so.
func newDecoder(text []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(text))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	return d
}
