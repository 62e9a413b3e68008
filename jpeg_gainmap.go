package exifscrub

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/exifscrub/exifscrub/internal/gainmap"
	"github.com/exifscrub/exifscrub/internal/mpf"
	"github.com/exifscrub/exifscrub/internal/xmp"
)

// HDR gain maps in JPEG (issue 21). An Ultra HDR (Google, Samsung), Adobe
// or ISO 21496-1 JPEG, and Apple's HDR JPEG, is an SDR primary image
// followed, after its EOI, by a second JPEG: the gain map, which a
// renderer applies to the primary to show it in HDR. The primary points to
// it with an MPF index (CIPA DC-007), and for Ultra HDR also with an XMP
// Container:Directory and hdrgm:Version, or an ISO 21496-1 version block;
// the gain map carries its parameters in its own XMP (hdrgm:*, or Apple's
// HDRGainMap:*) or ISO 21496-1 block. Scrub keeps the gain map by default,
// rebuilt as orientation and colour are: every structure is parsed into
// the fields display needs and written anew, so that nothing else of the
// input passes.
//
// What counts as a gain map: the first image of the primary's MPF index
// after the primary whose type is "Undefined" and format JPEG (as
// libultrahdr and Apple write it; thumbnails, panorama and stereo frames
// have types of their own and are dropped as before), that lies wholly
// after the primary's EOI, whose own metadata says it is a gain map
// (hdrgm:Version, Apple's HDRGainMap:HDRGainMapVersion, or an ISO 21496-1
// metadata block), that is a JPEG Scrub can walk, whose aspect ratio is
// the primary's (to the rounding of a downscale), and whose size, when the
// primary has a Container:Directory, is its GainMap item's Length. Any
// other image, and a gain map that fails a test, is removed and reported
// as before.
//
// The output is: the primary's segments as by default, with a new MPF
// index (two entries, sizes and offsets of the new file), a new XMP packet
// holding only hdrgm:Version and the Container:Directory (Primary and
// GainMap items: Semantic, Mime, Length, Padding 0) when the primary had
// them, and the ISO 21496-1 version block when it had one, all three
// where the first of them was; then the gain map, scrubbed by the same
// JPEG scrubber, with only its gain-map XMP (rebuilt), its ISO 21496-1
// block (rebuilt) and its ICC profile (sanitised). The MPF index holds
// offsets past the primary's scan data, so from the first of these
// segments on the primary's output is held in memory until its EOI.

// Namespaces of the gain-map XMP that xmp_schema.go does not name.
const nsApplePixelData = "http://ns.apple.com/pixeldatainfo/1.0/"

// appleGainMapType is the apdi:AuxiliaryImageType of Apple's gain map.
const appleGainMapType = "urn:com:apple:photo:2020:aux:hdrgainmap"

// maxHeldTrailer bounds the data after a primary's EOI that is held in
// memory to find its gain map and motion video; past it, the rest is
// counted, not read.
const maxHeldTrailer = 64 << 20

// sigISO starts an ISO 21496-1 APP2 payload.
var sigISO = []byte(gainmap.URN + "\x00")

// A gainMapState is what a primary image's segments say about its gain
// map, and the output held until its EOI.
type gainMapState struct {
	mpf      *mpf.Index
	mpfAt    int64 // the input offset of the index's TIFF header, from which its offsets count
	xmp      *containerXMP
	xmpRaw   []byte  // the primary's standard XMP, reported at the end
	xmpOut   []byte  // under Options.Keep, the packet of the kept properties
	xmpRep   *Report // what the primary's XMP holds
	iso      *gainmap.Version
	isoBytes int // the ISO payload's length, for the report

	diverted bool
	before   int64     // bytes written before the first gain-map segment
	real     io.Writer // the output, while s.out is buf
	buf      bytes.Buffer
}

// A containerXMP is what a primary's XMP says of a gain map.
type containerXMP struct {
	version string // hdrgm:Version, checked
	items   []containerItem
	gain    int // index in items of the GainMap item, -1 if none
}

// A containerItem is an item of a Container:Directory.
type containerItem struct {
	semantic, mime string
	length         int64 // -1 when absent
	padding        bool  // had an Item:Padding
}

// outCounter counts what it passes on.
type outCounter struct {
	w io.Writer
	n int64
}

func (c *outCounter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// divert starts holding the primary's output: the gain-map segments are
// written here, once their values are known.
func (j *jpegScrubber) divert() {
	g := j.gm
	if g.diverted {
		return
	}
	g.diverted = true
	if j.scan {
		return
	}
	g.before = j.count.n
	g.real = j.out
	j.out = &g.buf
}

// primaryXMP looks at the primary's first standard XMP packet: one that
// names a gain map (hdrgm:Version, or a GainMap item in its
// Container:Directory) is held, and reported, until the EOI. It reports
// whether it took the packet.
func (j *jpegScrubber) primaryXMP(p []byte) bool {
	if j.gm == nil || j.sawXMP || j.gm.xmpRaw != nil {
		return false
	}
	c := parseContainerXMP(p)
	if c == nil {
		return false
	}
	j.sawXMP = true
	g := j.gm
	g.xmp = c
	p = p[len(sigXMP):]
	g.xmpRaw = append([]byte(nil), p...)
	g.xmpRep = &Report{}
	if j.opts.keepsAny() {
		g.xmpOut = keepXMPMax(g.xmpRep, "XMP", p, j.opts, maxStandardXMP)
	} else {
		parseXMP(g.xmpRep, "XMP", p)
	}
	j.divert()
	return true
}

// isoSegment handles an ISO 21496-1 APP2 segment: in a primary, its
// version block is held until the EOI; in a gain map, the metadata is
// parsed and written anew. Anything else is removed and reported.
func (j *jpegScrubber) isoSegment(p []byte) (keep bool, out []byte) {
	b := p[len(sigISO):]
	const container = "ISO 21496-1"
	switch {
	case j.isGainMap && j.gmISO == nil:
		m, n, reserved, err := gainmap.Parse(b)
		if err != nil {
			j.rep.add(Embedded, container, "GainMapMetadata", fmt.Sprintf("(%d bytes, %v)", len(b), err))
			return false, nil
		}
		if reserved != 0 {
			j.rep.add(Embedded, container, "Flags", fmt.Sprintf("(reserved bits %#02x)", reserved))
		}
		extraBytes(j.rep, container, "GainMapMetadata", b[n:])
		out, err := gainmap.Append(append([]byte(nil), sigISO...), m)
		if err != nil {
			return false, nil // cannot happen: a parsed block is written
		}
		j.gmISO = m
		return true, out
	case j.gm != nil && j.gm.iso == nil:
		v, n, err := gainmap.ParseVersion(b)
		if err != nil {
			j.rep.add(Embedded, container, "Version", fmt.Sprintf("(%d bytes, %v)", len(b), err))
			return false, nil
		}
		extraBytes(j.rep, container, "Version", b[n:])
		j.gm.iso = &v
		j.gm.isoBytes = len(b)
		j.divert()
		return false, nil
	}
	j.rep.add(Embedded, container, "ISO21496", fmt.Sprintf("(%d bytes, a second block)", len(b)))
	return false, nil
}

// mpfSegment reads the primary's MPF index: one that announces an image
// that may be a gain map is held until the EOI; others are reported as
// parseMPF does.
func (j *jpegScrubber) mpfSegment(p []byte) {
	if j.gm == nil || j.gm.mpf != nil {
		j.parseMPF(p[len(sigMPF):])
		return
	}
	m, ok := mpf.Parse(p[len(sigMPF):])
	if !ok || len(m.Entries) == 0 || m.GainMapEntry() < 0 {
		j.parseMPF(p[len(sigMPF):])
		return
	}
	j.gm.mpfAt = j.segAt + int64(len(sigMPF))
	j.gm.mpf = m
	j.divert()
}

// reportMPF reports the images of an MP index that Scrub removes, as
// parseMPF does; kept is the entry kept, or -1; why, when not empty, says
// why the gain map entry was not kept.
func (j *jpegScrubber) reportMPF(m *mpf.Index, kept int, why string) {
	for i, e := range m.Entries[1:] {
		switch {
		case i+1 == kept:
		case i+1 == m.GainMapEntry() && why != "":
			j.rep.add(Embedded, "MPF", fmt.Sprintf("MPImage%d", i+2), fmt.Sprintf("(%d bytes; gain map removed: %s)", e.Size, why))
		default:
			j.rep.add(Embedded, "MPF", fmt.Sprintf("MPImage%d", i+2), fmt.Sprintf("(%d bytes)", e.Size))
		}
	}
}

// afterEOI ends a JPEG after its EOI marker has been written: a gain map
// is kept or removed, and whatever else follows is reported.
func (j *jpegScrubber) afterEOI() error {
	j.finishXMP()
	if j.gm == nil || !j.gm.diverted {
		if j.isGainMap {
			return j.trailer("Trailer")
		}
		return j.jpegTrailer()
	}
	return j.finishGainMap()
}

// endDivert writes the held output with the gain-map segments, if any,
// in front of it, then the gain map, and stops holding.
func (j *jpegScrubber) endDivert(segs, gain []byte) error {
	g := j.gm
	if j.scan || g == nil || !g.diverted || g.real == nil {
		return nil
	}
	j.out = g.real
	g.real = nil
	if err := j.write(segs); err != nil {
		return err
	}
	if err := j.write(g.buf.Bytes()); err != nil {
		return err
	}
	g.buf = bytes.Buffer{}
	return j.write(gain)
}

// finishGainMap reads what follows the primary's EOI, decides on the gain
// map and writes the held output.
func (j *jpegScrubber) finishGainMap() error {
	g := j.gm
	primaryEnd := j.in.off
	held, total, err := j.holdTrailer()
	if err != nil {
		return err
	}
	gm, why := j.findGainMap(held, primaryEnd)
	if gm == nil {
		if err := j.dropGainMap(why); err != nil {
			return err
		}
		return j.reportTrailer(held, total, primaryEnd)
	}
	// The gain map is kept: what the primary's XMP held besides the
	// gain-map fields is reported.
	if g.xmpRep != nil {
		j.mergeExcept(g.xmpRep, g.xmp.keptNames())
		j.rep.Kept = append(j.rep.Kept, g.xmpRep.Kept...)
	}
	if g.mpf != nil {
		j.reportMPF(g.mpf, gm.entry, "")
	}
	if g.iso != nil && gm.iso == nil {
		j.rep.add(Embedded, "JPEG APP2", gainmap.URN, fmt.Sprintf("(%d bytes, the gain map has no ISO 21496-1 metadata)", g.isoBytes+len(sigISO)))
	}
	for _, f := range gm.rep.Findings {
		f.Container = "GainMap " + f.Container
		j.rep.addFinding(f, false)
	}
	var segs []byte
	if g.xmp != nil {
		packet := g.xmp.write(int64(len(gm.out)))
		if g.xmpOut != nil {
			packet = mergeXMP(g.xmpOut, packet)
		}
		segs = append(segs, jpegSegment(markerAPP1, append(append([]byte(nil), sigXMP...), packet...))...)
	}
	if g.iso != nil && gm.iso != nil {
		segs = append(segs, jpegSegment(markerAPP2, gainmap.AppendVersion(append([]byte(nil), sigISO...), *g.iso))...)
	}
	if !j.scan {
		// The MPF segment comes after what was written before it and the
		// segments in front of it.
		segs = append(segs, g.mpf.GainMapSegment(gm.entry, g.before+int64(len(segs)), int64(g.buf.Len()), int64(len(gm.out)))...)
	}
	if err := j.endDivert(segs, gm.out); err != nil {
		return err
	}
	// What lies around the gain map in the trailer goes.
	if err := j.reportTrailer(held[:gm.start], int64(gm.start), primaryEnd); err != nil {
		return err
	}
	return j.reportTrailer(held[gm.end:], total-int64(gm.end), primaryEnd+int64(gm.end))
}

// dropGainMap reports the primary's gain-map segments as if there were
// no gain map, and writes the held output with only, under Options.Keep,
// the packet of the kept XMP properties.
func (j *jpegScrubber) dropGainMap(why string) error {
	g := j.gm
	if g.mpf != nil {
		j.reportMPF(g.mpf, -1, why)
	} else if why != "" {
		j.rep.add(Embedded, "JPEG", "GainMap", "(removed: "+why+")")
	}
	if g.xmpRep != nil {
		j.rep.merge(g.xmpRep)
		j.rep.Kept = append(j.rep.Kept, g.xmpRep.Kept...)
	}
	if g.iso != nil {
		j.rep.add(Embedded, "JPEG APP2", gainmap.URN, fmt.Sprintf("(%d bytes)", g.isoBytes+len(sigISO)))
	}
	var segs []byte
	if g.xmpOut != nil {
		segs = jpegSegment(markerAPP1, append(append([]byte(nil), sigXMP...), g.xmpOut...))
	}
	return j.endDivert(segs, nil)
}

// endTruncated ends a primary image cut short: its gain map, which would
// follow it, is not there.
func (j *jpegScrubber) endTruncated() error {
	if j.gm == nil || !j.gm.diverted {
		return nil
	}
	return j.dropGainMap("the primary image is cut short")
}

// jpegSegment returns a marker segment.
func jpegSegment(code byte, payload []byte) []byte {
	n := len(payload) + 2
	return append([]byte{0xff, code, byte(n >> 8), byte(n)}, payload...)
}

// mergeExcept adds the findings of o to the report but for the first of
// each of the given property names, which are kept.
func (j *jpegScrubber) mergeExcept(o *Report, kept map[string]int) {
	for _, f := range o.Findings {
		if f.Container == "XMP" && kept[f.Tag] > 0 {
			kept[f.Tag]--
			continue
		}
		j.rep.addFinding(f, false)
	}
}

// holdTrailer reads what follows the image into memory, up to
// maxHeldTrailer bytes, and returns it with the size of the whole.
func (j *jpegScrubber) holdTrailer() (held []byte, total int64, err error) {
	r := j.in
	var buf bytes.Buffer
	for {
		b, err := r.buffered()
		if err == io.EOF {
			return buf.Bytes(), total, nil
		}
		if err != nil {
			return nil, 0, j.formatError(r.off, "reading after the end of the image", err)
		}
		if room := maxHeldTrailer - buf.Len(); room > 0 {
			buf.Write(b[:min(len(b), room)])
		}
		total += int64(len(b))
		r.consume(len(b))
	}
}

// A keptGainMap is a gain map found and scrubbed.
type keptGainMap struct {
	entry      int // in the MP index
	start, end int // in the trailer
	out        []byte
	rep        *Report
	iso        *gainmap.Metadata
}

// findGainMap finds the gain map in the trailer held (which starts at
// input offset at) and scrubs it; it returns nil and why when there is
// none that can be kept ("" when nothing announced one).
func (j *jpegScrubber) findGainMap(held []byte, at int64) (*keptGainMap, string) {
	g := j.gm
	if g.mpf == nil {
		if g.xmp != nil && g.xmp.gain >= 0 || g.iso != nil {
			return nil, "no MPF index points to it"
		}
		return nil, ""
	}
	k := g.mpf.GainMapEntry()
	e := g.mpf.Entries[k]
	start := g.mpfAt + int64(e.Offset) - at
	end := start + int64(e.Size)
	if e.Offset == 0 || start < 0 || end > int64(len(held)) {
		return nil, fmt.Sprintf("its MPF offset %d and size %d are not in the data after the primary image", e.Offset, e.Size)
	}
	if g.xmp != nil {
		if g.xmp.gain < 0 || g.xmp.keptItems() == nil {
			// The new packet needs the directory's Primary and GainMap
			// items, both JPEG, for readers to find the gain map.
			return nil, "the primary's Container:Directory has no Primary and GainMap items of type image/jpeg"
		}
		if l := g.xmp.items[g.xmp.gain].length; l != int64(e.Size) {
			return nil, fmt.Sprintf("its Container:Directory length %d is not its MPF size %d", l, e.Size)
		}
	}
	b := held[start:end]
	if len(b) < 2 || b[0] != 0xff || b[1] != markerSOI {
		return nil, "its MPF offset does not point to a JPEG image"
	}
	sub, err := j.scrubGainMap(b)
	switch {
	case err != nil:
		return nil, fmt.Sprintf("not a JPEG image Scrub can walk (%v)", err)
	case sub.rep.Damaged:
		return nil, "its image data is damaged"
	case !sub.isGainMapImage():
		return nil, "its metadata does not say it is a gain map (no hdrgm, HDRGainMap or ISO 21496-1 metadata)"
	case !sameAspect(j.width, j.height, sub.width, sub.height):
		return nil, fmt.Sprintf("its %dx%d pixels are not the shape of the primary's %dx%d", sub.width, sub.height, j.width, j.height)
	}
	out := sub.count.w.(*bytes.Buffer).Bytes()
	return &keptGainMap{entry: k, start: int(start), end: int(end), out: out, rep: sub.rep, iso: sub.gmISO}, ""
}

// sameAspect reports whether a w2×h2 image is a w1×h1 one scaled, each
// side rounded to a whole pixel.
func sameAspect(w1, h1, w2, h2 int) bool {
	if w1 <= 0 || h1 <= 0 || w2 <= 0 || h2 <= 0 {
		return false
	}
	d := int64(w2)*int64(h1) - int64(h2)*int64(w1)
	return max(d, -d) <= int64(max(w1+h1, w2+h2))
}

// isGainMapImage reports whether a gain map's own metadata says it is one.
func (j *jpegScrubber) isGainMapImage() bool {
	return j.gmXMP != nil || j.gmISO != nil
}

// scrubGainMap scrubs the gain-map JPEG b, into memory, by the default
// policy (nothing is kept in it but what displays it), with the primary's
// colour-profile option.
func (j *jpegScrubber) scrubGainMap(b []byte) (*jpegScrubber, error) {
	opts := &Options{DropColorProfile: j.opts.DropColorProfile, DropOrientation: j.opts.DropOrientation}
	var out bytes.Buffer
	s := &scrubber{in: &reader{br: bufio.NewReaderSize(bytes.NewReader(b), readerSize)}, opts: opts,
		rep: &Report{Format: JPEG, Findings: []Finding{}}, scan: j.scan, src: bytes.NewReader(b), dst: io.Discard}
	s.out = io.Discard
	if !j.scan {
		s.out = &out
	}
	sub := newJPEGScrubber(s)
	sub.isGainMap = true
	sub.count = &outCounter{w: &out}
	defer sub.frame.Release()
	err := sub.run()
	return sub, err
}

// parseContainerXMP reads what a primary's XMP packet says of a gain map,
// or returns nil when it says nothing.
func parseContainerXMP(p []byte) *containerXMP {
	roots, _, err := xmp.ReadTree(xmp.Text(p[len(sigXMP):]))
	if err != nil {
		return nil
	}
	c := &containerXMP{gain: -1}
	var dir *xmp.Node
	for _, n := range xmp.TopProperties(roots) {
		switch {
		case n.Name == xml.Name{Space: nsHDRGainMap, Local: "Version"} && c.version == "":
			c.version, _ = gainMapVersion(string(n.Text))
		case n.Name == xml.Name{Space: nsGContainer, Local: "Directory"} && dir == nil:
			dir = n
		}
	}
	if dir != nil {
		c.items = containerItems(dir)
		for i, it := range c.items {
			if it.semantic == "GainMap" && c.gain < 0 {
				c.gain = i
			}
		}
	}
	if c.version == "" && c.gain < 0 {
		return nil
	}
	return c
}

// containerItems reads the items of a Container:Directory: an rdf:Seq
// of rdf:li, each holding a Container:Item whose fields are attributes
// or elements.
func containerItems(dir *xmp.Node) []containerItem {
	var items []containerItem
	for _, seq := range dir.Kids {
		if seq.Name != (xml.Name{Space: nsRDF, Local: "Seq"}) {
			continue
		}
		for _, li := range seq.Kids {
			for _, it := range li.Kids {
				if it.Name != (xml.Name{Space: nsGContainer, Local: "Item"}) {
					continue
				}
				item := containerItem{length: -1}
				field := func(local, v string) {
					v = strings.TrimSpace(v)
					switch local {
					case "Semantic":
						item.semantic = v
					case "Mime":
						item.mime = v
					case "Length":
						if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
							item.length = n
						}
					case "Padding":
						item.padding = true
					}
				}
				for _, a := range it.Attrs {
					if a.Name.Space == nsGItem {
						field(a.Name.Local, a.Value)
					}
				}
				for _, k := range it.Kids {
					if k.Name.Space == nsGItem {
						field(k.Name.Local, string(k.Text))
					}
				}
				items = append(items, item)
			}
		}
	}
	return items
}

// keptNames counts, by the names parseXMP reports them under, the
// properties of the primary's XMP that the new packet holds.
func (c *containerXMP) keptNames() map[string]int {
	kept := map[string]int{}
	if c.version != "" {
		kept["hdrgm:Version"]++
	}
	for _, it := range c.keptItems() {
		kept["Item:Semantic"]++
		kept["Item:Mime"]++
		if it.length >= 0 {
			kept["Item:Length"]++
		}
		if it.padding {
			kept["Item:Padding"]++
		}
	}
	return kept
}

// keptItems returns the Primary and GainMap items of the directory, in
// its order, when both are JPEG.
func (c *containerXMP) keptItems() []containerItem {
	if c.gain < 0 {
		return nil
	}
	var items []containerItem
	for i, it := range c.items {
		if i == c.gain || it.semantic == "Primary" && i < c.gain {
			if it.mime != "image/jpeg" {
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

// write returns the primary's new XMP packet, for a gain map of gainLen
// bytes: hdrgm:Version and the Container:Directory, in the RDF forms
// libultrahdr reads (simple values as attributes of rdf:Description).
func (c *containerXMP) write(gainLen int64) []byte {
	var w xmpWriter
	w.start(map[string]string{"hdrgm": nsHDRGainMap, "Container": nsGContainer, "Item": nsGItem})
	if c.version != "" {
		w.attr("hdrgm:Version", c.version)
	}
	items := c.keptItems()
	if len(items) == 0 {
		return w.end()
	}
	w.elem(`<Container:Directory><rdf:Seq>`)
	for _, it := range items {
		w.elem(`<rdf:li rdf:parseType="Resource"><Container:Item Item:Semantic="` + it.semantic + `" Item:Mime="image/jpeg"`)
		if it.semantic == "GainMap" {
			w.elem(` Item:Length="` + strconv.FormatInt(gainLen, 10) + `"`)
		}
		if it.padding {
			w.elem(` Item:Padding="0"`)
		}
		w.elem(`/></rdf:li>`)
	}
	w.elem(`</rdf:Seq></Container:Directory>`)
	return w.end()
}

// mergeXMP returns one packet holding the properties of the packets a and
// b, both written by exifscrub (under Options.Keep, the kept properties
// and the gain map's): readers take one standard XMP packet.
func mergeXMP(a, b []byte) []byte {
	var props []*xmp.Node
	for _, p := range [][]byte{a, b} {
		roots, _, err := xmp.ReadTree(p)
		if err != nil {
			return b
		}
		props = append(props, xmp.TopProperties(roots)...)
	}
	return xmp.Write(props, xmpPrefixes)
}

// An xmpWriter writes a packet of one rdf:Description from checked
// values: names are the caller's constants, values numbers or fixed
// words, so nothing needs escaping.
type xmpWriter struct {
	head, body bytes.Buffer
}

func (w *xmpWriter) start(ns map[string]string) {
	w.head.WriteString(`<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="` + nsRDF + `"><rdf:Description rdf:about=""`)
	for _, p := range []string{"hdrgm", "Container", "Item", "HDRGainMap", "apdi"} {
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

// gainMapVersion checks a version string such as "1.0".
func gainMapVersion(s string) (string, bool) {
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

// gainMapReal checks a real number of a gain map's parameters (log2
// values, gammas, offsets: small) and writes it anew.
func gainMapReal(s string) (string, bool) {
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

// gainMapUint checks an unsigned 32-bit integer.
func gainMapUint(s string) (string, bool) {
	v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return "", false
	}
	return strconv.FormatUint(v, 10), true
}

// gainMapBool checks an XMP Boolean.
func gainMapBool(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return "True", true
	case "false":
		return "False", true
	}
	return "", false
}

// The properties of a gain map's own XMP that Scrub keeps, with the check
// of their values: Adobe's hdrgm (Ultra HDR), whose real parameters may be
// one value or an rdf:Seq of three (one per channel), and Apple's.
var gainMapProps = []struct {
	name  xml.Name
	qname string
	check func(string) (string, bool)
	seq   bool // may be an rdf:Seq of 3
}{
	{xml.Name{Space: nsHDRGainMap, Local: "Version"}, "hdrgm:Version", gainMapVersion, false},
	{xml.Name{Space: nsHDRGainMap, Local: "BaseRenditionIsHDR"}, "hdrgm:BaseRenditionIsHDR", gainMapBool, false},
	{xml.Name{Space: nsHDRGainMap, Local: "GainMapMin"}, "hdrgm:GainMapMin", gainMapReal, true},
	{xml.Name{Space: nsHDRGainMap, Local: "GainMapMax"}, "hdrgm:GainMapMax", gainMapReal, true},
	{xml.Name{Space: nsHDRGainMap, Local: "Gamma"}, "hdrgm:Gamma", gainMapReal, true},
	{xml.Name{Space: nsHDRGainMap, Local: "OffsetSDR"}, "hdrgm:OffsetSDR", gainMapReal, true},
	{xml.Name{Space: nsHDRGainMap, Local: "OffsetHDR"}, "hdrgm:OffsetHDR", gainMapReal, true},
	{xml.Name{Space: nsHDRGainMap, Local: "HDRCapacityMin"}, "hdrgm:HDRCapacityMin", gainMapReal, false},
	{xml.Name{Space: nsHDRGainMap, Local: "HDRCapacityMax"}, "hdrgm:HDRCapacityMax", gainMapReal, false},
	{xml.Name{Space: nsAppleHDR, Local: "HDRGainMapVersion"}, "HDRGainMap:HDRGainMapVersion", gainMapUint, false},
	{xml.Name{Space: nsAppleHDR, Local: "HDRGainMapHeadroom"}, "HDRGainMap:HDRGainMapHeadroom", gainMapReal, false},
	{xml.Name{Space: nsApplePixelData, Local: "AuxiliaryImageType"}, "apdi:AuxiliaryImageType", func(s string) (string, bool) {
		return appleGainMapType, strings.TrimSpace(s) == appleGainMapType
	}, false},
	{xml.Name{Space: nsApplePixelData, Local: "NativeFormat"}, "apdi:NativeFormat", gainMapUint, false},
	{xml.Name{Space: nsApplePixelData, Local: "StoredFormat"}, "apdi:StoredFormat", gainMapUint, false},
}

// A gainMapXMP is the kept part of a gain map's XMP.
type gainMapXMP struct {
	packet []byte
	kept   map[string]int // by reported name
}

// gainMapXMPPacket reads a gain map's XMP packet and writes a new one
// with only the gain-map properties, or returns nil when it names none
// that identify a gain map (hdrgm:Version, HDRGainMap:HDRGainMapVersion).
func gainMapXMPPacket(p []byte) *gainMapXMP {
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
	g := &gainMapXMP{kept: map[string]int{}}
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
		g.kept[gp.qname]++
	}
	g.packet = w.end()
	return g
}

// gainMapXMPSegment handles the first standard XMP segment of a gain map:
// the gain-map properties are kept in a new packet, the rest reported.
func (j *jpegScrubber) gainMapXMPSegment(p []byte) (keep bool, out []byte) {
	b := p[len(sigXMP):]
	g := gainMapXMPPacket(b)
	if g == nil {
		parseXMP(j.rep, "XMP", b)
		return false, nil
	}
	j.gmXMP = g
	var tmp Report
	parseXMP(&tmp, "XMP", b)
	kept := g.kept
	for _, f := range tmp.Findings {
		if kept[f.Tag] > 0 {
			kept[f.Tag]--
			continue
		}
		j.rep.addFinding(f, false)
	}
	return true, append(append([]byte(nil), sigXMP...), g.packet...)
}
