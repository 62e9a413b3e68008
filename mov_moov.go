package exifscrub

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"sort"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// Rebuilding the 'moov' box of a video: which tracks stay, their headers
// without times, sample descriptions, the chunk offsets that will move,
// and the metadata that goes (see mov.go) or that a policy keeps
// (mov_keep.go).

// A movTrack is what the first pass over a 'trak' box learns.
type movTrack struct {
	off     int64 // of the 'trak' box
	id      uint32
	handler bmff.FourCC
	entry   bmff.FourCC // the type of the first sample entry
	remove  string      // why the track is removed; "" to keep it
	stbl    bmff.Box
	hasStbl bool
}

// buildMoov checks and rebuilds a 'moov' box (14496-12 §8.2.1), reporting
// what it removes.
func (f *movFile) buildMoov(moov bmff.Box) (*movMoov, error) {
	// First pass: the tracks, and which are removed.
	var tracks []*movTrack
	r := bmff.NewReader(moov.Payload, moov.PayloadOffset(), false)
	for c := range r.All() {
		switch c.Type {
		case boxMvex:
			return nil, bmff.ErrorAt(c.Offset, ErrUnsupportedFeature, "fragmented movie ('mvex' box)")
		case boxTrak:
			t, err := parseTrack(c)
			if err != nil {
				return nil, err
			}
			tracks = append(tracks, t)
		}
	}
	if r.Err() != nil {
		return nil, r.Err()
	}
	mv := &movMoov{maxRef: -1}
	var err error
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
		case bmff.FourCC{'g', 'p', 'm', 'd'}, bmff.FourCC{'c', 'a', 'm', 'm'}, bmff.FourCC{'d', 'j', 'm', 'd'}:
			cat = Location
		case bmff.FourCC{'t', 'm', 'c', 'd'}:
			cat = Time
		}
		f.m.add(cat, containerMovie, "TimedMetadataTrack", fmt.Sprintf("(track %d, %s, handler '%s', sample entry '%s', %d bytes of samples)", t.id, t.remove, t.handler, t.entry, n))
	}
	mv.zero = mergeSpans(mv.zero)
	if mv.media, err = mediaPlan(tracks); err != nil {
		return nil, err
	}

	// Second pass: write the new box.
	w := &bmff.Writer{}
	w.Start(bmff.BoxMoov)
	r = bmff.NewReader(moov.Payload, moov.PayloadOffset(), false)
	for c := range r.All() {
		switch c.Type {
		case boxMvhd:
			f.copyTimes(w, c, "mvhd", 0)
		case boxTrak:
			t := byOff[c.Offset]
			if t.remove == "" {
				if err := f.writeTrack(w, mv, c, t, removed); err != nil {
					return nil, err
				}
			}
		default:
			f.writeOther(w, c)
		}
	}
	w.End()
	if w.Err() != nil {
		return nil, bmff.ErrorAt(moov.Offset, ErrUnsupportedFeature, "%v", w.Err())
	}
	// A kept chunk that starts in removed samples would lose bytes.
	for _, o := range mv.fields {
		v := int64(min(o.val, math.MaxInt64))
		mv.maxRef = max(mv.maxRef, v)
		i := sort.Search(len(mv.zero), func(i int) bool { return mv.zero[i].end > v })
		if i < len(mv.zero) && mv.zero[i].start <= v {
			return nil, bmff.ErrorAt(o.at, ErrUnsupportedFeature, "a kept track shares media data with a removed metadata track")
		}
	}
	mv.b = w.Bytes()
	return mv, nil
}

// writeOther writes a child of 'moov', 'trak', 'mdia' or 'minf' that has
// no rule of its own: metadata goes, anything else is copied.
func (f *movFile) writeOther(w *bmff.Writer, c bmff.Box) {
	if f.opts.keepsAny() {
		switch c.Type {
		case bmff.BoxMeta:
			f.keepMeta(w, c)
			return
		case bmff.BoxUUID:
			f.keepUUID(w, c)
			return
		}
	}
	switch c.Type {
	case boxUdta:
		f.writeUserData(w, c)
	case bmff.BoxMeta:
		f.m.reportMeta(c)
	case bmff.BoxUUID:
		f.m.reportUUID(c)
	case bmff.BoxFree, bmff.BoxSkip, boxWide:
		for _, b := range c.Payload {
			if b != 0 {
				f.m.add(Other, containerMovie, "Padding", fmt.Sprintf("('%s' box of %d bytes, not all zero)", c.Type, len(c.Payload)))
				break
			}
		}
	default:
		w.CopyBox(c)
	}
}

// writeUserData writes a 'udta' box with the children a player uses and
// those Options.Keep keeps, rebuilt (mov_keep.go), and reports the rest as
// removed. A 'udta' that does not parse keeps nothing.
func (f *movFile) writeUserData(w *bmff.Writer, c bmff.Box) {
	var kept bmff.Writer
	r := bmff.NewReader(c.Payload, c.PayloadOffset(), false)
	for k := range r.All() {
		switch {
		case isMOVKeptUserData(k.Type):
			kept.CopyBox(k)
		case f.opts.keepsAny():
			kept.Append(f.keepUserDataAtom(k))
		default:
			f.m.reportUserDataAtom(k)
		}
	}
	if r.Err() != nil {
		f.m.add(Other, containerUserData, "UserData", fmt.Sprintf("(%d bytes, partly unreadable)", len(c.Payload)))
		return
	}
	if kept.Len() == 0 {
		return
	}
	w.Start(boxUdta)
	w.Append(kept.Bytes())
	w.End()
}

// copyTimes copies a movie, track or media header (14496-12 §8.2.2,
// §8.3.2, §8.4.2) with its creation and modification times set to 0
// unless the policy keeps Time;
// they are the first fields after the version and flags, 32 bits each in
// version 0 and 64 bits in version 1.
func (f *movFile) copyTimes(w *bmff.Writer, c bmff.Box, name string, track uint32) {
	w.CopyBox(c)
	p := w.Bytes()[w.Len()-len(c.Payload):]
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
func parseTrack(trak bmff.Box) (*movTrack, error) {
	t := &movTrack{off: trak.Offset}
	r := bmff.NewReader(trak.Payload, trak.PayloadOffset(), false)
	for c := range r.All() {
		switch c.Type {
		case boxTkhd:
			cur := bmff.NewCursor(c)
			v, _ := cur.FullBox()
			if v == 1 {
				cur.Take(16)
			} else {
				cur.Take(8)
			}
			t.id = cur.U32()
			if cur.Err() != nil {
				return nil, cur.Err()
			}
		case boxMdia:
			if err := t.parseMedia(c); err != nil {
				return nil, err
			}
		}
	}
	if r.Err() != nil {
		return nil, r.Err()
	}
	if why, ok := movMetadataEntries[t.entry]; ok {
		t.remove = why
	} else if why, ok := movMetadataHandlers[t.handler]; ok {
		t.remove = why
	}
	return t, nil
}

// parseMedia reads the handler and sample table of a 'mdia' box.
func (t *movTrack) parseMedia(mdia bmff.Box) error {
	r := bmff.NewReader(mdia.Payload, mdia.PayloadOffset(), false)
	for c := range r.All() {
		switch c.Type {
		case bmff.BoxHdlr:
			h, err := bmff.HandlerType(bmff.NewCursor(c))
			if err != nil {
				return err
			}
			t.handler = h
		case boxMinf:
			mr := bmff.NewReader(c.Payload, c.PayloadOffset(), false)
			for m := range mr.All() {
				switch m.Type {
				case boxStbl:
					t.stbl, t.hasStbl = m, true
					sr := bmff.NewReader(m.Payload, m.PayloadOffset(), false)
					for s := range sr.All() {
						if s.Type == boxStsd {
							cur := bmff.NewCursor(s)
							cur.FullBox()
							if cur.U32() > 0 {
								cur.U32() // size of the first entry
								t.entry = cur.FourCC()
							}
						}
					}
					if sr.Err() != nil {
						return sr.Err()
					}
				case bmff.BoxDinf:
					if err := checkDinf(m); err != nil {
						return err
					}
				}
			}
			if mr.Err() != nil {
				return mr.Err()
			}
		}
	}
	return r.Err()
}

// checkDinf refuses media in another file: a data reference (14496-12
// §8.7.2) whose flags do not say "in this file" and that names a place.
func checkDinf(dinf bmff.Box) error {
	r := bmff.NewReader(dinf.Payload, dinf.PayloadOffset(), false)
	for c := range r.All() {
		if c.Type != bmff.BoxDref {
			continue
		}
		cur := bmff.NewCursor(c)
		cur.FullBox()
		n := cur.U32()
		if cur.Err() != nil {
			return cur.Err()
		}
		er := bmff.NewReader(c.Payload[8:], c.PayloadOffset()+8, false)
		for i := uint32(0); i < n; i++ {
			e, ok := er.Next()
			if !ok {
				break
			}
			if len(e.Payload) > 4 && e.Payload[3]&1 == 0 {
				return bmff.ErrorAt(e.Offset, ErrUnsupportedFeature, "media data in another file ('%s' data reference)", e.Type)
			}
		}
	}
	return r.Err()
}

// writeTrack writes a kept 'trak' box.
func (f *movFile) writeTrack(w *bmff.Writer, mv *movMoov, trak bmff.Box, t *movTrack, removed map[uint32]bool) error {
	w.Start(boxTrak)
	r := bmff.NewReader(trak.Payload, trak.PayloadOffset(), false)
	for c := range r.All() {
		switch c.Type {
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
	w.End()
	return r.Err()
}

// writeTref writes a track reference box (14496-12 §8.3.3) without the
// references to removed tracks; a reference left with no track goes.
func writeTref(w *bmff.Writer, tref bmff.Box, removed map[uint32]bool) {
	var kept []bmff.Box
	var ids [][]uint32
	r := bmff.NewReader(tref.Payload, tref.PayloadOffset(), false)
	for c := range r.All() {
		var keep []uint32
		for i := 0; i+4 <= len(c.Payload); i += 4 {
			if id := binary.BigEndian.Uint32(c.Payload[i:]); !removed[id] {
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
	w.Start(boxTref)
	for i, c := range kept {
		w.Start(c.Type)
		for _, id := range ids[i] {
			w.U32(id)
		}
		w.End()
	}
	w.End()
}

// writeContainer writes a 'mdia', 'minf' or 'stbl' box of a kept track.
func (f *movFile) writeContainer(w *bmff.Writer, mv *movMoov, bx bmff.Box, t *movTrack) error {
	w.Start(bx.Type)
	r := bmff.NewReader(bx.Payload, bx.PayloadOffset(), false)
	for c := range r.All() {
		switch {
		case c.Type == boxMdhd:
			f.copyTimes(w, c, "mdhd", t.id)
		case c.Type == boxMinf || c.Type == boxStbl:
			if err := f.writeContainer(w, mv, c, t); err != nil {
				return err
			}
		case bx.Type == boxStbl && c.Type == boxStsd && t.handler == handlerVide:
			if err := f.writeStsd(w, c); err != nil {
				return err
			}
		case bx.Type == boxStbl && (c.Type == boxStco || c.Type == boxCo64 || c.Type == boxSaio):
			if err := writeOffsets(w, mv, c); err != nil {
				return err
			}
		case bx.Type == boxStbl:
			w.CopyBox(c) // sample tables are copied as they are, even 'udta'-like names
		default:
			f.writeOther(w, c)
		}
	}
	w.End()
	return r.Err()
}

// handlerVide is the handler type of a video track (14496-12 §8.4.3).
var handlerVide = bmff.FourCC{'v', 'i', 'd', 'e'}

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
func (f *movFile) writeStsd(w *bmff.Writer, stsd bmff.Box) error {
	cur := bmff.NewCursor(stsd)
	version, flags := cur.FullBox()
	n := cur.U32()
	if cur.Err() != nil || !bytes.Contains(stsd.Payload, []byte("colr")) {
		w.CopyBox(stsd)
		return nil
	}
	var sw bmff.Writer
	sw.StartFull(boxStsd, version, flags)
	sw.U32(n)
	r := bmff.NewReader(cur.Take(cur.Left()), cur.Offset(), false)
	for e := range r.All() {
		if err := f.writeVisualEntry(&sw, e); err != nil {
			return err
		}
	}
	if r.Err() != nil || sw.Err() != nil {
		w.CopyBox(stsd)
		return nil
	}
	sw.End()
	w.Append(sw.Bytes())
	return nil
}

// writeVisualEntry writes one visual sample entry, with any ICC profile in
// its 'colr' box sanitised.
func (f *movFile) writeVisualEntry(w *bmff.Writer, e bmff.Box) error {
	if len(e.Payload) < visualEntryFields || e.Type == bmff.BoxUUID {
		w.CopyBox(e)
		return nil
	}
	r := bmff.NewReader(e.Payload[visualEntryFields:], e.PayloadOffset()+visualEntryFields, false)
	var children []bmff.Box
	for c := range r.All() {
		children = append(children, c)
	}
	if r.Err() != nil {
		w.CopyBox(e) // not boxes (QuickTime allows a zero terminator): nothing to rebuild
		return nil
	}
	w.Start(e.Type)
	w.Append(e.Payload[:visualEntryFields])
	for _, c := range children {
		if c.Type != propColr || !isICC(c) {
			w.CopyBox(c)
			continue
		}
		if f.opts.DropColorProfile {
			f.rep.add(Other, "ICC_Profile", "ICC_Profile", fmt.Sprintf("(%d bytes)", len(c.Payload)))
			continue
		}
		var cw bmff.Writer
		cw.Start(propColr)
		keep, err := writeColr(f.rep, "QuickTime colr", &cw, bmff.NewCursor(c))
		if err != nil {
			return bmff.ErrorAt(c.Offset, ErrUnsupportedFeature, "'colr' ICC profile: %v", err)
		}
		if keep {
			cw.End()
			w.Append(cw.Bytes())
		}
	}
	w.End()
	return nil
}

// writeOffsets copies a chunk offset box ('stco', 'co64': 14496-12
// §8.7.5) or a sample auxiliary information offsets box ('saio', §8.7.9,
// whose offsets are absolute in a 'trak'), noting where each offset is.
func writeOffsets(w *bmff.Writer, mv *movMoov, c bmff.Box) error {
	cur := bmff.NewCursor(c)
	version, flags := cur.FullBox()
	wide := c.Type == boxCo64
	if c.Type == boxSaio {
		if flags&1 != 0 {
			cur.Take(8) // aux_info_type, aux_info_type_parameter
		}
		wide = version != 0
	}
	n := cur.U32()
	if cur.Err() != nil {
		return cur.Err()
	}
	size := 4
	if wide {
		size = 8
	}
	if uint64(n)*uint64(size) > uint64(cur.Left()) {
		return bmff.ErrorAt(c.Offset, nil, "%q box of %d bytes cannot hold %d offsets", c.Type, len(c.Payload), n)
	}
	start := len(c.Payload) - cur.Left()
	w.CopyBox(c)
	base := w.Len() - len(c.Payload)
	for i := 0; i < int(n); i++ {
		at := start + i*size
		var v uint64
		if wide {
			v = binary.BigEndian.Uint64(c.Payload[at:])
		} else {
			v = uint64(binary.BigEndian.Uint32(c.Payload[at:]))
		}
		mv.fields = append(mv.fields, movOffset{pos: base + at, wide: wide, val: v, at: c.PayloadOffset() + int64(at)})
	}
	return nil
}
