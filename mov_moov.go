package exifscrub

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
)

// Rebuilding the 'moov' box of a video: which tracks stay, their headers
// without times, sample descriptions, the chunk offsets that will move,
// and the metadata that goes (see mov.go) or that a policy keeps
// (mov_keep.go).

// A movTrack is what the first pass over a 'trak' box learns.
type movTrack struct {
	off     int64 // of the 'trak' box
	id      uint32
	handler fourCC
	entry   fourCC // the type of the first sample entry
	remove  string // why the track is removed; "" to keep it
	stbl    box
	hasStbl bool
}

// buildMoov checks and rebuilds a 'moov' box (14496-12 §8.2.1), reporting
// what it removes.
func (f *movFile) buildMoov(moov box) (*movMoov, error) {
	// First pass: the tracks, and which are removed.
	var tracks []*movTrack
	r := newBoxReader(moov.payload, moov.payloadOff(), false)
	for c := range r.all() {
		switch c.typ {
		case boxMvex:
			return nil, errorAt(c.off, ErrUnsupportedFeature, "fragmented movie ('mvex' box)")
		case boxTrak:
			t, err := parseTrack(c)
			if err != nil {
				return nil, err
			}
			tracks = append(tracks, t)
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	mv := &movMoov{maxRef: -1}
	removed := make(map[uint32]bool)
	byOff := make(map[int64]*movTrack)
	for _, t := range tracks {
		byOff[t.off] = t
		if t.remove == "" {
			continue
		}
		removed[t.id] = true
		spans, n, err := trackSpans(t)
		if err != nil {
			return nil, err
		}
		mv.zero = append(mv.zero, spans...)
		cat := Embedded
		switch t.entry {
		case fourCC{'g', 'p', 'm', 'd'}, fourCC{'c', 'a', 'm', 'm'}, fourCC{'d', 'j', 'm', 'd'}:
			cat = Location
		case fourCC{'t', 'm', 'c', 'd'}:
			cat = Time
		}
		f.m.add(cat, containerMovie, "TimedMetadataTrack", fmt.Sprintf("(track %d, %s, handler '%s', sample entry '%s', %d bytes of samples)", t.id, t.remove, t.handler, t.entry, n))
	}
	mv.zero = mergeSpans(mv.zero)

	// Second pass: write the new box.
	w := &boxWriter{}
	w.start(boxMoov)
	r = newBoxReader(moov.payload, moov.payloadOff(), false)
	for c := range r.all() {
		switch c.typ {
		case boxMvhd:
			f.copyTimes(w, c, "mvhd", 0)
		case boxTrak:
			t := byOff[c.off]
			if t.remove == "" {
				if err := f.writeTrack(w, mv, c, t, removed); err != nil {
					return nil, err
				}
			}
		default:
			f.writeOther(w, c)
		}
	}
	w.end()
	if w.err != nil {
		return nil, errorAt(moov.off, ErrUnsupportedFeature, "%v", w.err)
	}
	// A kept chunk that starts in removed samples would lose bytes.
	for _, o := range mv.fields {
		v := int64(min(o.val, math.MaxInt64))
		mv.maxRef = max(mv.maxRef, v)
		i := sort.Search(len(mv.zero), func(i int) bool { return mv.zero[i].end > v })
		if i < len(mv.zero) && mv.zero[i].start <= v {
			return nil, errorAt(o.at, ErrUnsupportedFeature, "a kept track shares media data with a removed metadata track")
		}
	}
	mv.b = w.b
	return mv, nil
}

// writeOther writes a child of 'moov', 'trak', 'mdia' or 'minf' that has
// no rule of its own: metadata goes, anything else is copied.
func (f *movFile) writeOther(w *boxWriter, c box) {
	if f.opts.keepsAny() {
		switch c.typ {
		case boxMeta:
			f.keepMeta(w, c)
			return
		case boxUUID:
			f.keepUUID(w, c)
			return
		}
	}
	switch c.typ {
	case boxUdta:
		f.writeUserData(w, c)
	case boxMeta:
		f.m.reportMeta(c)
	case boxUUID:
		f.m.reportUUID(c)
	case boxFree, boxSkip, boxWide:
		for _, b := range c.payload {
			if b != 0 {
				f.m.add(Other, containerMovie, "Padding", fmt.Sprintf("('%s' box of %d bytes, not all zero)", c.typ, len(c.payload)))
				break
			}
		}
	default:
		w.copyBox(c)
	}
}

// writeUserData writes a 'udta' box with the children a player uses and
// those Options.Keep keeps, rebuilt (mov_keep.go), and reports the rest as
// removed. A 'udta' that does not parse keeps nothing.
func (f *movFile) writeUserData(w *boxWriter, c box) {
	var kept boxWriter
	r := newBoxReader(c.payload, c.payloadOff(), false)
	for k := range r.all() {
		switch {
		case isMOVKeptUserData(k.typ):
			kept.copyBox(k)
		case f.opts.keepsAny():
			kept.bytes(f.keepUserDataAtom(k))
		default:
			f.m.reportUserDataAtom(k)
		}
	}
	if r.err != nil {
		f.m.add(Other, containerUserData, "UserData", fmt.Sprintf("(%d bytes, partly unreadable)", len(c.payload)))
		return
	}
	if len(kept.b) == 0 {
		return
	}
	w.start(boxUdta)
	w.bytes(kept.b)
	w.end()
}

// copyTimes copies a movie, track or media header (14496-12 §8.2.2,
// §8.3.2, §8.4.2) with its creation and modification times set to 0
// unless the policy keeps Time;
// they are the first fields after the version and flags, 32 bits each in
// version 0 and 64 bits in version 1.
func (f *movFile) copyTimes(w *boxWriter, c box, name string, track uint32) {
	w.copyBox(c)
	p := w.b[len(w.b)-len(c.payload):]
	if len(p) < 4 {
		return
	}
	size := 4
	if p[0] == 1 {
		size = 8
	}
	if len(p) < 4+2*size {
		return
	}
	container := containerMovie + " " + name
	if track != 0 {
		container += fmt.Sprintf(" (track %d)", track)
	}
	for i, tag := range []string{"CreationTime", "ModificationTime"} {
		field := p[4+i*size : 4+(i+1)*size]
		var v uint64
		for _, b := range field {
			v = v<<8 | uint64(b)
		}
		switch {
		case v == 0:
		case f.opts.keeps(Time):
			f.rep.keep(Time, container, tag, movTime(v))
		default:
			f.m.add(Time, container, tag, movTime(v))
			clear(field)
		}
	}
}

// parseTrack reads what the first pass needs of a 'trak' box.
func parseTrack(trak box) (*movTrack, error) {
	t := &movTrack{off: trak.off}
	r := newBoxReader(trak.payload, trak.payloadOff(), false)
	for c := range r.all() {
		switch c.typ {
		case boxTkhd:
			cur := newCursor(c)
			v, _ := cur.fullBox()
			if v == 1 {
				cur.take(16)
			} else {
				cur.take(8)
			}
			t.id = cur.u32()
			if cur.err != nil {
				return nil, cur.err
			}
		case boxMdia:
			if err := t.parseMedia(c); err != nil {
				return nil, err
			}
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if why, ok := movMetadataEntries[t.entry]; ok {
		t.remove = why
	} else if why, ok := movMetadataHandlers[t.handler]; ok {
		t.remove = why
	}
	return t, nil
}

// parseMedia reads the handler and sample table of a 'mdia' box.
func (t *movTrack) parseMedia(mdia box) error {
	r := newBoxReader(mdia.payload, mdia.payloadOff(), false)
	for c := range r.all() {
		switch c.typ {
		case boxHdlr:
			h, err := handlerType(newCursor(c))
			if err != nil {
				return err
			}
			t.handler = h
		case boxMinf:
			mr := newBoxReader(c.payload, c.payloadOff(), false)
			for m := range mr.all() {
				switch m.typ {
				case boxStbl:
					t.stbl, t.hasStbl = m, true
					sr := newBoxReader(m.payload, m.payloadOff(), false)
					for s := range sr.all() {
						if s.typ == boxStsd {
							cur := newCursor(s)
							cur.fullBox()
							if cur.u32() > 0 {
								cur.u32() // size of the first entry
								t.entry = cur.fourCC()
							}
						}
					}
					if sr.err != nil {
						return sr.err
					}
				case boxDinf:
					if err := checkDinf(m); err != nil {
						return err
					}
				}
			}
			if mr.err != nil {
				return mr.err
			}
		}
	}
	return r.err
}

// checkDinf refuses media in another file: a data reference (14496-12
// §8.7.2) whose flags do not say "in this file" and that names a place.
func checkDinf(dinf box) error {
	r := newBoxReader(dinf.payload, dinf.payloadOff(), false)
	for c := range r.all() {
		if c.typ != boxDref {
			continue
		}
		cur := newCursor(c)
		cur.fullBox()
		n := cur.u32()
		if cur.err != nil {
			return cur.err
		}
		er := newBoxReader(c.payload[8:], c.payloadOff()+8, false)
		for i := uint32(0); i < n; i++ {
			e, ok := er.next()
			if !ok {
				break
			}
			if len(e.payload) > 4 && e.payload[3]&1 == 0 {
				return errorAt(e.off, ErrUnsupportedFeature, "media data in another file ('%s' data reference)", e.typ)
			}
		}
	}
	return r.err
}

// writeTrack writes a kept 'trak' box.
func (f *movFile) writeTrack(w *boxWriter, mv *movMoov, trak box, t *movTrack, removed map[uint32]bool) error {
	w.start(boxTrak)
	r := newBoxReader(trak.payload, trak.payloadOff(), false)
	for c := range r.all() {
		switch c.typ {
		case boxTkhd:
			f.copyTimes(w, c, "tkhd", t.id)
		case boxTref:
			writeTref(w, c, removed)
		case boxMdia:
			if err := f.writeContainer(w, mv, c, t); err != nil {
				return err
			}
		default:
			f.writeOther(w, c)
		}
	}
	w.end()
	return r.err
}

// writeTref writes a track reference box (14496-12 §8.3.3) without the
// references to removed tracks; a reference left with no track goes.
func writeTref(w *boxWriter, tref box, removed map[uint32]bool) {
	var kept []box
	var ids [][]uint32
	r := newBoxReader(tref.payload, tref.payloadOff(), false)
	for c := range r.all() {
		var keep []uint32
		for i := 0; i+4 <= len(c.payload); i += 4 {
			if id := binary.BigEndian.Uint32(c.payload[i:]); !removed[id] {
				keep = append(keep, id)
			}
		}
		if len(keep) > 0 {
			kept = append(kept, c)
			ids = append(ids, keep)
		}
	}
	if len(kept) == 0 {
		return
	}
	w.start(boxTref)
	for i, c := range kept {
		w.start(c.typ)
		for _, id := range ids[i] {
			w.u32(id)
		}
		w.end()
	}
	w.end()
}

// writeContainer writes a 'mdia', 'minf' or 'stbl' box of a kept track.
func (f *movFile) writeContainer(w *boxWriter, mv *movMoov, bx box, t *movTrack) error {
	w.start(bx.typ)
	r := newBoxReader(bx.payload, bx.payloadOff(), false)
	for c := range r.all() {
		switch {
		case c.typ == boxMdhd:
			f.copyTimes(w, c, "mdhd", t.id)
		case c.typ == boxMinf || c.typ == boxStbl:
			if err := f.writeContainer(w, mv, c, t); err != nil {
				return err
			}
		case bx.typ == boxStbl && c.typ == boxStsd && t.handler == handlerVide:
			if err := f.writeStsd(w, c); err != nil {
				return err
			}
		case bx.typ == boxStbl && (c.typ == boxStco || c.typ == boxCo64 || c.typ == boxSaio):
			if err := writeOffsets(w, mv, c); err != nil {
				return err
			}
		case bx.typ == boxStbl:
			w.copyBox(c) // sample tables are copied as they are, even 'udta'-like names
		default:
			f.writeOther(w, c)
		}
	}
	w.end()
	return r.err
}

// handlerVide is the handler type of a video track (14496-12 §8.4.3).
var handlerVide = fourCC{'v', 'i', 'd', 'e'}

// visualEntryFields is the size of the fields of a visual sample entry
// before its boxes (14496-12 §12.1.3.2; QTFF "Video sample description"):
// the sample entry's reserved bytes and data reference index, then
// version, sizes, resolutions, frame count, compressor name and depth.
const visualEntryFields = 8 + 70

// writeStsd writes the sample description box (14496-12 §8.5.2) of a
// video track. A colour box ('colr') in a visual sample entry that holds
// an ICC profile is written by writeColr, sanitised like a photo's (or
// dropped with DropColorProfile); everything else is copied. The entries
// of a description without such a box, or whose boxes do not parse, are
// copied as they are.
func (f *movFile) writeStsd(w *boxWriter, stsd box) error {
	cur := newCursor(stsd)
	version, flags := cur.fullBox()
	n := cur.u32()
	if cur.err != nil || !bytes.Contains(stsd.payload, []byte("colr")) {
		w.copyBox(stsd)
		return nil
	}
	var sw boxWriter
	sw.startFull(boxStsd, version, flags)
	sw.u32(n)
	r := newBoxReader(cur.take(cur.left()), cur.off(), false)
	for e := range r.all() {
		if err := f.writeVisualEntry(&sw, e); err != nil {
			return err
		}
	}
	if r.err != nil || sw.err != nil {
		w.copyBox(stsd)
		return nil
	}
	sw.end()
	w.bytes(sw.b)
	return nil
}

// writeVisualEntry writes one visual sample entry, with any ICC profile in
// its 'colr' box sanitised.
func (f *movFile) writeVisualEntry(w *boxWriter, e box) error {
	if len(e.payload) < visualEntryFields || e.typ == boxUUID {
		w.copyBox(e)
		return nil
	}
	r := newBoxReader(e.payload[visualEntryFields:], e.payloadOff()+visualEntryFields, false)
	var children []box
	for c := range r.all() {
		children = append(children, c)
	}
	if r.err != nil {
		w.copyBox(e) // not boxes (QuickTime allows a zero terminator): nothing to rebuild
		return nil
	}
	w.start(e.typ)
	w.bytes(e.payload[:visualEntryFields])
	for _, c := range children {
		if c.typ != propColr || !isICC(c) {
			w.copyBox(c)
			continue
		}
		if f.opts.DropColorProfile {
			f.rep.add(Other, "ICC_Profile", "ICC_Profile", fmt.Sprintf("(%d bytes)", len(c.payload)))
			continue
		}
		var cw boxWriter
		cw.start(propColr)
		keep, err := writeColr(f.rep, "QuickTime colr", &cw, newCursor(c))
		if err != nil {
			return errorAt(c.off, ErrUnsupportedFeature, "'colr' ICC profile: %v", err)
		}
		if keep {
			cw.end()
			w.bytes(cw.b)
		}
	}
	w.end()
	return nil
}

// writeOffsets copies a chunk offset box ('stco', 'co64': 14496-12
// §8.7.5) or a sample auxiliary information offsets box ('saio', §8.7.9,
// whose offsets are absolute in a 'trak'), noting where each offset is.
func writeOffsets(w *boxWriter, mv *movMoov, c box) error {
	cur := newCursor(c)
	version, flags := cur.fullBox()
	wide := c.typ == boxCo64
	if c.typ == boxSaio {
		if flags&1 != 0 {
			cur.take(8) // aux_info_type, aux_info_type_parameter
		}
		wide = version != 0
	}
	n := cur.u32()
	if cur.err != nil {
		return cur.err
	}
	size := 4
	if wide {
		size = 8
	}
	if uint64(n)*uint64(size) > uint64(cur.left()) {
		return errorAt(c.off, nil, "%q box of %d bytes cannot hold %d offsets", c.typ, len(c.payload), n)
	}
	start := cur.pos
	w.copyBox(c)
	base := len(w.b) - len(c.payload)
	for i := 0; i < int(n); i++ {
		at := start + i*size
		var v uint64
		if wide {
			v = binary.BigEndian.Uint64(c.payload[at:])
		} else {
			v = uint64(binary.BigEndian.Uint32(c.payload[at:]))
		}
		mv.fields = append(mv.fields, movOffset{pos: base + at, wide: wide, val: v, at: c.payloadOff() + int64(at)})
	}
	return nil
}
