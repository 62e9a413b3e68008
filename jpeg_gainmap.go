package exifscrub

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/exifscrub/exifscrub/internal/gainmap"
	"github.com/exifscrub/exifscrub/internal/motion"
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
	xmp      *gainmap.Container
	xmpRaw   []byte  // the primary's standard XMP, reported at the end
	xmpOut   []byte  // under Options.Keep, the packet of the kept properties
	xmpRep   *Report // what the primary's XMP holds
	iso      *gainmap.Version
	isoBytes int // the ISO payload's length, for the report

	// Under Options.KeepMotion, what the primary's XMP says of a motion
	// photo's video, and its Container:Directory (jpeg_motion.go).
	motion *motion.Fields
	dir    *gainmap.Container

	diverted bool
	before   int64     // bytes written before the first gain-map segment
	real     io.Writer // the output, while s.out is buf
	buf      bytes.Buffer
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
// Container:Directory), or under Options.KeepMotion a motion photo, is
// held, and reported, until the EOI. It reports whether it took the
// packet.
func (j *jpegScrubber) primaryXMP(p []byte) bool {
	if j.gm == nil || j.sawXMP || j.gm.xmpRaw != nil {
		return false
	}
	c := gainmap.ParseContainer(p[len(sigXMP):])
	var mf *motion.Fields
	if j.opts.KeepMotion {
		mf = motion.ParseXMP(p[len(sigXMP):])
	}
	if c == nil && mf == nil {
		return false
	}
	j.sawXMP = true
	g := j.gm
	g.xmp = c
	if mf != nil {
		g.motion, g.dir = mf, gainmap.ParseDirectory(p[len(sigXMP):])
	}
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
	// A motion photo's video follows the gain map, if there is one.
	after := 0
	if gm != nil {
		after = gm.end
	}
	mv := j.keepMotion(held[after:], total-int64(after), g.motion)
	m := j.motionXMP(mv)
	if gm == nil {
		if err := j.dropGainMap(why, m); err != nil {
			return err
		}
		if mv != nil {
			return j.write(mv.out)
		}
		return j.reportTrailer(held, total, primaryEnd)
	}
	// The gain map is kept: what the primary's XMP held besides the
	// gain-map fields is reported.
	if g.xmpRep != nil {
		var kept map[string]int
		if g.xmp != nil {
			kept = g.xmp.KeptNames()
		}
		j.rep.mergeExcept(g.xmpRep, motionKeptNames(kept, m, false, false))
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
	if c := j.directory(); c != nil {
		packet := c.PacketWithMotion(int64(len(gm.out)), m)
		if g.xmpOut != nil {
			// Under Options.Keep, the kept properties and the gain
			// map's go in one packet: readers take one.
			packet = xmp.Merge(g.xmpOut, packet, xmpPrefixes)
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
	if mv != nil {
		return j.write(mv.out)
	}
	return j.reportTrailer(held[gm.end:], total-int64(gm.end), primaryEnd+int64(gm.end))
}

// directory returns what the new XMP packet of a primary whose gain map
// is kept is written from: the gain map's directory, or the motion
// photo's; nil when the primary had neither.
func (j *jpegScrubber) directory() *gainmap.Container {
	switch g := j.gm; {
	case g.xmp != nil:
		return g.xmp
	case g.motion != nil && g.dir != nil:
		return g.dir
	case g.motion != nil:
		return &gainmap.Container{Gain: -1, Motion: -1}
	}
	return nil
}

// dropGainMap reports the primary's gain-map segments as if there were
// no gain map, and writes the held output with only, under Options.Keep,
// the packet of the kept XMP properties, and the motion photo's
// properties m of a kept video.
func (j *jpegScrubber) dropGainMap(why string, m *gainmap.Motion) error {
	g := j.gm
	if g.mpf != nil {
		j.reportMPF(g.mpf, -1, why)
	} else if why != "" {
		j.rep.add(Embedded, "JPEG", "GainMap", "(removed: "+why+")")
	}
	if g.xmpRep != nil {
		if m != nil {
			j.rep.Damaged = j.rep.Damaged || g.xmpRep.Damaged
			j.rep.mergeExcept(g.xmpRep, motionKeptNames(nil, m, true, g.dir.PrimaryPadding()))
		} else {
			j.rep.merge(g.xmpRep)
		}
		j.rep.Kept = append(j.rep.Kept, g.xmpRep.Kept...)
	}
	if g.iso != nil {
		j.rep.add(Embedded, "JPEG APP2", gainmap.URN, fmt.Sprintf("(%d bytes)", g.isoBytes+len(sigISO)))
	}
	packet := g.xmpOut
	if m != nil {
		packet = j.directory().PacketWithMotion(-1, m)
		if g.xmpOut != nil {
			packet = xmp.Merge(g.xmpOut, packet, xmpPrefixes)
		}
	}
	var segs []byte
	if packet != nil {
		segs = jpegSegment(markerAPP1, append(append([]byte(nil), sigXMP...), packet...))
	}
	return j.endDivert(segs, nil)
}

// endTruncated ends a primary image cut short: its gain map, which would
// follow it, is not there.
func (j *jpegScrubber) endTruncated() error {
	if j.gm == nil || !j.gm.diverted {
		return nil
	}
	return j.dropGainMap("the primary image is cut short", nil)
}

// jpegSegment returns a marker segment.
func jpegSegment(code byte, payload []byte) []byte {
	n := len(payload) + 2
	return append([]byte{0xff, code, byte(n >> 8), byte(n)}, payload...)
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
		if g.xmp != nil && g.xmp.Gain >= 0 || g.iso != nil {
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
		if g.xmp.Gain < 0 || g.xmp.KeptItems() == nil {
			// The new packet needs the directory's Primary and GainMap
			// items, both JPEG, for readers to find the gain map.
			return nil, "the primary's Container:Directory has no Primary and GainMap items of type image/jpeg"
		}
		if l := g.xmp.Items[g.xmp.Gain].Length; l != int64(e.Size) {
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
	case !gainmap.SameAspect(j.width, j.height, sub.width, sub.height):
		return nil, fmt.Sprintf("its %dx%d pixels are not the shape of the primary's %dx%d", sub.width, sub.height, j.width, j.height)
	}
	out := sub.count.w.(*bytes.Buffer).Bytes()
	return &keptGainMap{entry: k, start: int(start), end: int(end), out: out, rep: sub.rep, iso: sub.gmISO}, ""
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

// gainMapXMPSegment handles the first standard XMP segment of a gain map:
// the gain-map properties are kept in a new packet, the rest reported.
func (j *jpegScrubber) gainMapXMPSegment(p []byte) (keep bool, out []byte) {
	b := p[len(sigXMP):]
	g := gainmap.ParseXMP(b)
	if g == nil {
		parseXMP(j.rep, "XMP", b)
		return false, nil
	}
	j.gmXMP = g
	var tmp Report
	parseXMP(&tmp, "XMP", b)
	j.rep.mergeExcept(&tmp, g.Kept)
	return true, append(append([]byte(nil), sigXMP...), g.Packet...)
}
