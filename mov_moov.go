package exifscrub

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/mp4"
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
	text    string      // what text the track holds (subtitles, chapters); "" for none
	cues    cueCheck    // and what its cues were found to hold (mov_text.go)
	stbl    bmff.Box
	hasStbl bool
}

// plain returns what package mp4 reads of t.
func (t *movTrack) plain() mp4.Track {
	return mp4.Track{ID: t.id, Video: t.handler == handlerVide, Stbl: t.stbl, HasStbl: t.hasStbl}
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
		case boxCmov:
			// QTFF "Compressed Movie Atom": the whole index, zlib
			// compressed, whose offsets would not move with the bytes
			// removed. Never copied.
			return nil, bmff.ErrorAt(c.Offset, ErrUnsupportedFeature, "compressed movie header ('cmov' box)")
		case boxTrak:
			t, err := parseTrack(c)
			if err != nil {
				return nil, err
			}
			if t.remove == "" && t.text != "" {
				t.cues = f.checkCues(t)
				switch {
				case !f.opts.keeps(Text):
					t.remove = t.text
				case f.opts.keeps(Location):
				case !t.cues.read:
					t.remove = t.text + ", kept only when its cues can be read first (not from a stream)"
				case t.cues.position:
					t.remove = t.text + ", a cue holds a position"
				}
			}
			tracks = append(tracks, t)
		}
	}
	if r.Err() != nil {
		return nil, r.Err()
	}
	mv := &movMoov{maxRef: -1}
	var err error
	kept := make(map[uint32]bool) // the IDs a track reference may point to
	byOff := make(map[int64]*movTrack)
	for _, t := range tracks {
		byOff[t.off] = t
		if t.remove == "" {
			kept[t.id] = true
			continue
		}
		spans, n, err := mp4.TrackSpans(t.plain())
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
		tag := "TimedMetadataTrack"
		if t.text != "" {
			cat, tag = Text, "TextTrack" // cues and chapter titles: mov_text.go
		}
		f.m.add(cat, containerMovie, tag, fmt.Sprintf("(track %d, %s, handler '%s', sample entry '%s', %d bytes of samples)", t.id, t.remove, t.handler, t.entry, n))
		if t.cues.position {
			f.m.add(Location, containerMovie, "CuePosition", formatPosition(t.cues.lat, t.cues.lon, 0, false))
		}
	}
	mv.zero = mp4.MergeSpans(mv.zero)
	var keptTracks []mp4.Track
	for _, t := range tracks {
		if t.remove == "" {
			keptTracks = append(keptTracks, t.plain())
		}
	}
	if mv.media, err = mp4.Plan(keptTracks); err != nil {
		return nil, err
	}
	// Removed samples inside kept ones would be zeroed in the middle of a
	// kept sample, which would then be copied unread.
	if at, ok := mp4.Overlap(mv.zero, mv.media.Keep); ok {
		return nil, bmff.ErrorAt(at, ErrUnsupportedFeature, "a kept track shares media data with a removed metadata track")
	}

	// Second pass: write the new box.
	w := &bmff.Writer{}
	w.Start(bmff.BoxMoov)
	r = bmff.NewReader(moov.Payload, moov.PayloadOffset(), false)
	for c := range r.All() {
		switch c.Type {
		case boxMvhd:
			if err := f.writeHeader(w, c, 0); err != nil {
				return nil, err
			}
		case boxTrak:
			t := byOff[c.Offset]
			if t.remove == "" {
				if err := f.writeTrack(w, mv, c, t, kept); err != nil {
					return nil, err
				}
			}
		default:
			f.writeOther(w, c, bmff.BoxMoov)
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
		i := sort.Search(len(mv.zero), func(i int) bool { return mv.zero[i].End > v })
		if i < len(mv.zero) && mv.zero[i].Start <= v {
			return nil, bmff.ErrorAt(o.at, ErrUnsupportedFeature, "a kept track shares media data with a removed metadata track")
		}
	}
	mv.b = w.Bytes()
	return mv, nil
}

// writeOther writes a child of 'moov' or 'trak' that is not playback
// structure: metadata goes, or is kept as the policy says (mov_keep.go);
// anything else goes too (dropBox).
func (f *movFile) writeOther(w *bmff.Writer, c bmff.Box, parent bmff.FourCC) {
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
	default:
		f.dropBox(c, parent)
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
	} else if why, ok := movTextEntries[t.entry]; ok {
		t.text = why
	} else if why, ok := movTextHandlers[t.handler]; ok {
		t.text = why
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
					if err := mp4.CheckDinf(m); err != nil {
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

// writeTrack writes a kept 'trak' box.
func (f *movFile) writeTrack(w *bmff.Writer, mv *movMoov, trak bmff.Box, t *movTrack, kept map[uint32]bool) error {
	w.Start(boxTrak)
	r := bmff.NewReader(trak.Payload, trak.PayloadOffset(), false)
	for c := range r.All() {
		var err error
		switch c.Type {
		case boxTkhd:
			err = f.writeHeader(w, c, t.id)
		case boxTref:
			writeTref(w, c, kept)
		case mp4.BoxEdts:
			err = f.omitted(mp4.WriteEdts(w, c, &f.omit))
		case mp4.BoxTapt:
			err = f.omitted(mp4.WriteTapt(w, c, &f.omit))
		case boxMdia:
			err = f.writeMdia(w, mv, c, t)
		default:
			f.writeOther(w, c, boxTrak)
		}
		if err != nil {
			return err
		}
	}
	w.End()
	return r.Err()
}

// writeMdia writes a media box (14496-12 §8.4.1): its header, handler
// and media information.
func (f *movFile) writeMdia(w *bmff.Writer, mv *movMoov, mdia bmff.Box, t *movTrack) error {
	w.Start(boxMdia)
	r := bmff.NewReader(mdia.Payload, mdia.PayloadOffset(), false)
	for c := range r.All() {
		var err error
		switch c.Type {
		case boxMdhd:
			err = f.writeHeader(w, c, t.id)
		case bmff.BoxHdlr:
			err = f.writeHdlr(w, c)
		case boxMinf:
			err = f.writeMinf(w, mv, c, t)
		default:
			f.dropBox(c, boxMdia)
		}
		if err != nil {
			return err
		}
	}
	w.End()
	return r.Err()
}

// writeTref writes a track reference box (14496-12 §8.3.3) without the
// references to tracks it does not keep (removed, or not in the file);
// a reference left with no track goes, and so do bytes after the last
// track ID.
func writeTref(w *bmff.Writer, tref bmff.Box, keptIDs map[uint32]bool) {
	var kept []bmff.Box
	var ids [][]uint32
	r := bmff.NewReader(tref.Payload, tref.PayloadOffset(), false)
	for c := range r.All() {
		var keep []uint32
		for i := 0; i+4 <= len(c.Payload); i += 4 {
			if id := binary.BigEndian.Uint32(c.Payload[i:]); keptIDs[id] {
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

// writeOffsets writes a chunk offset box ('stco', 'co64': 14496-12
// §8.7.5) or a sample auxiliary information offsets box ('saio', §8.7.9,
// whose offsets are absolute in a 'trak') through its last entry, noting
// where each offset is.
func (f *movFile) writeOffsets(w *bmff.Writer, mv *movMoov, c bmff.Box) error {
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
	end := start + int(n)*size
	w.Start(c.Type)
	base := w.Len()
	w.Append(c.Payload[:end])
	w.End()
	f.trailing(c, end)
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
