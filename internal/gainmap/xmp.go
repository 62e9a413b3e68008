package gainmap

import (
	"bytes"
	"encoding/xml"
	"math"
	"strconv"
	"strings"

	"github.com/exifscrub/exifscrub/internal/xmp"
)

// Namespaces of the gain-map XMP: Adobe's hdrgm (the Ultra HDR and Adobe
// gain-map specifications), Apple's, and Google's Container (the Ultra HDR
// and Motion Photo formats' directory of the images in a file).
const (
	nsRDF            = xmp.NamespaceRDF
	nsHDRGainMap     = "http://ns.adobe.com/hdr-gain-map/1.0/"
	nsAppleHDR       = "http://ns.apple.com/HDRGainMap/1.0/"
	nsApplePixelData = "http://ns.apple.com/pixeldatainfo/1.0/"
	nsContainer      = "http://ns.google.com/photos/1.0/container/"
	nsItem           = "http://ns.google.com/photos/1.0/container/item/"
	nsGCamera        = "http://ns.google.com/photos/1.0/camera/"
)

// appleGainMapType is the apdi:AuxiliaryImageType of Apple's gain map.
const appleGainMapType = "urn:com:apple:photo:2020:aux:hdrgainmap"

// A Container is what a primary image's XMP says of a gain map: its
// hdrgm:Version and its Container:Directory.
type Container struct {
	Version string // hdrgm:Version, checked; "" when absent or not a version
	Items   []Item
	Gain    int // index in Items of the GainMap item, -1 if none
	Motion  int // index in Items of the MotionPhoto item, -1 if none
}

// An Item is an item of a Container:Directory.
type Item struct {
	Semantic, Mime string
	Length         int64 // -1 when absent
	Padding        bool  // had an Item:Padding
}

// ParseContainer reads what a primary's XMP packet (after the JPEG APP1
// signature) says of a gain map, or returns nil when it says nothing or
// cannot be read.
func ParseContainer(p []byte) *Container {
	c := ParseDirectory(p)
	if c == nil || c.Version == "" && c.Gain < 0 {
		return nil
	}
	return c
}

// ParseDirectory reads the hdrgm:Version and Container:Directory of a
// primary's XMP packet whatever its items (a motion photo's too), or
// returns nil when the packet cannot be read.
func ParseDirectory(p []byte) *Container {
	roots, _, err := xmp.ReadTree(xmp.Text(p))
	if err != nil {
		return nil
	}
	c := &Container{Gain: -1, Motion: -1}
	var dir *xmp.Node
	for _, n := range xmp.TopProperties(roots) {
		switch {
		case n.Name == xml.Name{Space: nsHDRGainMap, Local: "Version"} && c.Version == "":
			c.Version, _ = checkVersion(string(n.Text))
		case n.Name == xml.Name{Space: nsContainer, Local: "Directory"} && dir == nil:
			dir = n
		}
	}
	if dir != nil {
		c.Items = containerItems(dir)
		for i, it := range c.Items {
			if it.Semantic == "GainMap" && c.Gain < 0 {
				c.Gain = i
			}
			if it.Semantic == "MotionPhoto" && c.Motion < 0 {
				c.Motion = i
			}
		}
	}
	return c
}

// containerItems reads the items of a Container:Directory: an rdf:Seq
// of rdf:li, each holding a Container:Item whose fields are attributes
// or elements.
func containerItems(dir *xmp.Node) []Item {
	var items []Item
	for _, seq := range dir.Kids {
		if seq.Name != (xml.Name{Space: nsRDF, Local: "Seq"}) {
			continue
		}
		for _, li := range seq.Kids {
			for _, it := range li.Kids {
				if it.Name != (xml.Name{Space: nsContainer, Local: "Item"}) {
					continue
				}
				item := Item{Length: -1}
				field := func(local, v string) {
					v = strings.TrimSpace(v)
					switch local {
					case "Semantic":
						item.Semantic = v
					case "Mime":
						item.Mime = v
					case "Length":
						if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
							item.Length = n
						}
					case "Padding":
						item.Padding = true
					}
				}
				for _, a := range it.Attrs {
					if a.Name.Space == nsItem {
						field(a.Name.Local, a.Value)
					}
				}
				for _, k := range it.Kids {
					if k.Name.Space == nsItem {
						field(k.Name.Local, string(k.Text))
					}
				}
				items = append(items, item)
			}
		}
	}
	return items
}

// KeptNames counts, by their prefixed names (hdrgm:Version,
// Item:Semantic, …), the properties of the primary's XMP that the packet
// of Packet holds.
func (c *Container) KeptNames() map[string]int {
	kept := map[string]int{}
	if c.Version != "" {
		kept["hdrgm:Version"]++
	}
	for _, it := range c.KeptItems() {
		kept["Item:Semantic"]++
		kept["Item:Mime"]++
		if it.Length >= 0 {
			kept["Item:Length"]++
		}
		if it.Padding {
			kept["Item:Padding"]++
		}
	}
	return kept
}

// PrimaryPadding reports whether the directory's Primary item has an
// Item:Padding (which a new packet writes as 0); c may be nil.
func (c *Container) PrimaryPadding() bool {
	if c == nil {
		return false
	}
	for _, it := range c.Items {
		if it.Semantic == "Primary" {
			return it.Padding
		}
	}
	return false
}

// KeptItems returns the Primary and GainMap items of the directory, in
// its order, when both are JPEG, or nil.
func (c *Container) KeptItems() []Item {
	if c.Gain < 0 {
		return nil
	}
	var items []Item
	for i, it := range c.Items {
		if i == c.Gain || it.Semantic == "Primary" && i < c.Gain {
			if it.Mime != "image/jpeg" {
				return nil
			}
			items = append(items, it)
		}
	}
	if len(items) != 2 {
		return nil
	}
	return items
}

// Packet returns the primary's new XMP packet, for a gain map of gainLen
// bytes: hdrgm:Version and the Container:Directory of the kept items, in
// the RDF forms libultrahdr reads (simple values as attributes of
// rdf:Description).
func (c *Container) Packet(gainLen int64) []byte {
	return c.PacketWithMotion(gainLen, nil)
}

// A Motion is what a motion photo's kept video adds to the primary's new
// packet: its properties (GCamera:…, as internal/motion gives them:
// names and decimal integers, which need no escaping) and, when Item is
// set, a MotionPhoto item of Length bytes at the end of the directory.
type Motion struct {
	Props  [][2]string
	Item   bool
	Length int64
}

// PacketWithMotion is Packet for a primary whose gain map (when gainLen
// is not negative) and motion video m (when not nil) are kept: the
// directory lists, in file order, the Primary item, the GainMap item and
// the MotionPhoto item; hdrgm:Version is written only with a gain map.
func (c *Container) PacketWithMotion(gainLen int64, m *Motion) []byte {
	var w xmpWriter
	ns := map[string]string{"hdrgm": nsHDRGainMap, "Container": nsContainer, "Item": nsItem}
	if m != nil {
		ns["GCamera"] = nsGCamera
		if gainLen < 0 || c.Version == "" {
			delete(ns, "hdrgm")
		}
	}
	w.start(ns)
	if c.Version != "" && gainLen >= 0 {
		w.attr("hdrgm:Version", c.Version)
	}
	var items []Item
	if gainLen >= 0 {
		items = c.KeptItems()
	}
	if m != nil {
		for _, p := range m.Props {
			w.attr(p[0], p[1])
		}
		if m.Item {
			if items == nil {
				items = []Item{{Semantic: "Primary", Mime: "image/jpeg", Padding: c.PrimaryPadding()}}
			}
			items = append(items, Item{Semantic: "MotionPhoto", Mime: "video/mp4", Length: m.Length})
		}
	}
	if len(items) == 0 {
		return w.end()
	}
	w.elem(`<Container:Directory><rdf:Seq>`)
	for _, it := range items {
		mime := "image/jpeg"
		if it.Semantic == "MotionPhoto" {
			mime = "video/mp4"
		}
		w.elem(`<rdf:li rdf:parseType="Resource"><Container:Item Item:Semantic="` + it.Semantic + `" Item:Mime="` + mime + `"`)
		switch it.Semantic {
		case "GainMap":
			w.elem(` Item:Length="` + strconv.FormatInt(gainLen, 10) + `"`)
		case "MotionPhoto":
			w.elem(` Item:Length="` + strconv.FormatInt(it.Length, 10) + `"`)
		}
		if it.Padding {
			w.elem(` Item:Padding="0"`)
		}
		w.elem(`/></rdf:li>`)
	}
	w.elem(`</rdf:Seq></Container:Directory>`)
	return w.end()
}

// An xmpWriter writes a packet of one rdf:Description from checked
// values: names are the caller's constants, values numbers or fixed
// words, so nothing needs escaping.
type xmpWriter struct {
	head, body bytes.Buffer
}

func (w *xmpWriter) start(ns map[string]string) {
	w.head.WriteString(`<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="` + nsRDF + `"><rdf:Description rdf:about=""`)
	for _, p := range []string{"hdrgm", "GCamera", "Container", "Item", "HDRGainMap", "apdi"} {
		if uri, ok := ns[p]; ok {
			w.head.WriteString(` xmlns:` + p + `="` + uri + `"`)
		}
	}
}

func (w *xmpWriter) attr(name, value string) { w.head.WriteString(" " + name + `="` + value + `"`) }
func (w *xmpWriter) elem(s string)           { w.body.WriteString(s) }

func (w *xmpWriter) end() []byte {
	if w.body.Len() == 0 {
		w.head.WriteString(`/>`)
	} else {
		w.head.WriteString(`>`)
		w.head.Write(w.body.Bytes())
		w.head.WriteString(`</rdf:Description>`)
	}
	w.head.WriteString(`</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`)
	return w.head.Bytes()
}

// checkVersion checks a version string such as "1.0".
func checkVersion(s string) (string, bool) {
	s = strings.TrimSpace(s)
	parts := strings.Split(s, ".")
	if len(parts) > 3 || len(s) > 11 {
		return "", false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return "", false
		}
	}
	return s, true
}

// checkReal checks a real number of a gain map's parameters (log2
// values, gammas, offsets: small) and writes it anew.
func checkReal(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 40 {
		return "", false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.Abs(v) > 1e6 {
		return "", false
	}
	return strconv.FormatFloat(v, 'f', -1, 64), true
}

// checkUint checks an unsigned 32-bit integer.
func checkUint(s string) (string, bool) {
	v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return "", false
	}
	return strconv.FormatUint(v, 10), true
}

// checkBool checks an XMP Boolean.
func checkBool(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return "True", true
	case "false":
		return "False", true
	}
	return "", false
}

// The properties of a gain map's own XMP that are kept, with the check of
// their values: Adobe's hdrgm (Ultra HDR), whose real parameters may be
// one value or an rdf:Seq of three (one per channel), and Apple's.
var gainMapProps = []struct {
	name  xml.Name
	qname string
	check func(string) (string, bool)
	seq   bool // may be an rdf:Seq of 3
}{
	{xml.Name{Space: nsHDRGainMap, Local: "Version"}, "hdrgm:Version", checkVersion, false},
	{xml.Name{Space: nsHDRGainMap, Local: "BaseRenditionIsHDR"}, "hdrgm:BaseRenditionIsHDR", checkBool, false},
	{xml.Name{Space: nsHDRGainMap, Local: "GainMapMin"}, "hdrgm:GainMapMin", checkReal, true},
	{xml.Name{Space: nsHDRGainMap, Local: "GainMapMax"}, "hdrgm:GainMapMax", checkReal, true},
	{xml.Name{Space: nsHDRGainMap, Local: "Gamma"}, "hdrgm:Gamma", checkReal, true},
	{xml.Name{Space: nsHDRGainMap, Local: "OffsetSDR"}, "hdrgm:OffsetSDR", checkReal, true},
	{xml.Name{Space: nsHDRGainMap, Local: "OffsetHDR"}, "hdrgm:OffsetHDR", checkReal, true},
	{xml.Name{Space: nsHDRGainMap, Local: "HDRCapacityMin"}, "hdrgm:HDRCapacityMin", checkReal, false},
	{xml.Name{Space: nsHDRGainMap, Local: "HDRCapacityMax"}, "hdrgm:HDRCapacityMax", checkReal, false},
	{xml.Name{Space: nsAppleHDR, Local: "HDRGainMapVersion"}, "HDRGainMap:HDRGainMapVersion", checkUint, false},
	{xml.Name{Space: nsAppleHDR, Local: "HDRGainMapHeadroom"}, "HDRGainMap:HDRGainMapHeadroom", checkReal, false},
	{xml.Name{Space: nsApplePixelData, Local: "AuxiliaryImageType"}, "apdi:AuxiliaryImageType", func(s string) (string, bool) {
		return appleGainMapType, strings.TrimSpace(s) == appleGainMapType
	}, false},
	{xml.Name{Space: nsApplePixelData, Local: "NativeFormat"}, "apdi:NativeFormat", checkUint, false},
	{xml.Name{Space: nsApplePixelData, Local: "StoredFormat"}, "apdi:StoredFormat", checkUint, false},
}

// An XMP is the kept part of a gain map's own XMP.
type XMP struct {
	Packet []byte         // the new packet
	Kept   map[string]int // the properties it holds, by prefixed name
}

// ParseXMP reads a gain map's XMP packet (after the JPEG APP1 signature)
// and writes a new one with only the gain-map properties whose values
// pass their checks, or returns nil when it names none that identify a
// gain map (hdrgm:Version, HDRGainMap:HDRGainMapVersion) or cannot be
// read.
func ParseXMP(p []byte) *XMP {
	roots, _, err := xmp.ReadTree(xmp.Text(p))
	if err != nil {
		return nil
	}
	type value struct {
		one  string
		seq  []string
		have bool
	}
	values := make([]value, len(gainMapProps))
	for _, n := range xmp.TopProperties(roots) {
		for i, gp := range gainMapProps {
			if n.Name != gp.name || values[i].have {
				continue
			}
			if len(n.Kids) == 0 {
				if v, ok := gp.check(string(n.Text)); ok {
					values[i] = value{one: v, have: true}
				}
				continue
			}
			if !gp.seq || len(n.Kids) != 1 || n.Kids[0].Name != (xml.Name{Space: nsRDF, Local: "Seq"}) || len(n.Kids[0].Kids) != 3 {
				continue
			}
			var seq []string
			for _, li := range n.Kids[0].Kids {
				v, ok := gp.check(string(li.Text))
				if li.Name != (xml.Name{Space: nsRDF, Local: "li"}) || len(li.Kids) > 0 || !ok {
					seq = nil
					break
				}
				seq = append(seq, v)
			}
			if seq != nil {
				values[i] = value{seq: seq, have: true}
			}
		}
	}
	if !values[0].have && !values[9].have { // hdrgm:Version, HDRGainMapVersion
		return nil
	}
	var w xmpWriter
	ns := map[string]string{}
	for i, gp := range gainMapProps {
		if values[i].have {
			prefix, _, _ := strings.Cut(gp.qname, ":")
			ns[prefix] = gp.name.Space
		}
	}
	w.start(ns)
	g := &XMP{Kept: map[string]int{}}
	for i, gp := range gainMapProps {
		v := values[i]
		switch {
		case !v.have:
			continue
		case v.seq != nil:
			w.elem("<" + gp.qname + "><rdf:Seq>")
			for _, s := range v.seq {
				w.elem("<rdf:li>" + s + "</rdf:li>")
			}
			w.elem("</rdf:Seq></" + gp.qname + ">")
		default:
			w.attr(gp.qname, v.one)
		}
		g.Kept[gp.qname]++
	}
	g.Packet = w.end()
	return g
}

// SameAspect reports whether a w2×h2 image (a gain map) is a w1×h1 one
// (its primary) scaled, each side rounded to a whole pixel.
func SameAspect(w1, h1, w2, h2 int) bool {
	if w1 <= 0 || h1 <= 0 || w2 <= 0 || h2 <= 0 {
		return false
	}
	d := int64(w2)*int64(h1) - int64(h2)*int64(w1)
	return max(d, -d) <= int64(max(w1+h1, w2+h2))
}
