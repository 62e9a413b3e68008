package exifscrub

import (
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
	mp4.Trak
	off    int64       // of the 'trak' box
	remove string      // why the track is removed; "" to keep it
	text   string      // what text the track holds (subtitles, chapters); "" for none
	cues   cueCheck    // and what its cues were found to hold (mov_text.go)
	still  *stillTrack // a Live Photo's still-image-time track, kept (mov_live.go)
}

// buildMoov checks and rebuilds a 'moov' box (14496-12 §8.2.1), reporting
// what it removes.
func (f *movFile) buildMoov(moov bmff.Box) (*movMoov, error) {
	f.liveWritten = false
	// First pass: the tracks, and which are removed.
	var tracks []*movTrack
	r := bmff.NewReader(moov.Payload, moov.PayloadOffset(), false)
	for c := range r.All() {
		switch c.Type {
		case mp4.BoxMvex:
			return nil, bmff.ErrorAt(c.Offset, ErrUnsupportedFeature, "fragmented movie ('mvex' box)")
		case mp4.BoxCmov:
			// QTFF "Compressed Movie Atom": the whole index, zlib
			// compressed, whose offsets would not move with the bytes
			// removed. Never copied.
			return nil, bmff.ErrorAt(c.Offset, ErrUnsupportedFeature, "compressed movie header ('cmov' box)")
		case mp4.BoxTrak:
			t, err := parseTrack(c)
			if err != nil {
				return nil, err
			}
			if t.remove != "" && f.liveID() != "" && t.Entry == entryMebx {
				if st, why := f.checkStillTrack(t); st != nil {
					t.remove, t.still = "", st
				} else {
					t.remove += ", " + why
				}
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
			kept[t.ID] = true
			continue
		}
		spans, n, err := mp4.TrackSpans(t.Track())
		if err != nil {
			return nil, err
		}
		mv.zero = append(mv.zero, spans...)
		cat := Embedded
		switch t.Entry {
		case bmff.FourCC{'g', 'p', 'm', 'd'}, bmff.FourCC{'c', 'a', 'm', 'm'}, bmff.FourCC{'d', 'j', 'm', 'd'}:
			cat = Location
		case bmff.FourCC{'t', 'm', 'c', 'd'}:
			cat = Time
		}
		tag := "TimedMetadataTrack"
		if t.text != "" {
			cat, tag = Text, "TextTrack" // cues and chapter titles: mov_text.go
		}
		f.m.add(cat, containerMovie, tag, fmt.Sprintf("(track %d, %s, handler '%s', sample entry '%s', %d bytes of samples)", t.ID, t.remove, t.Handler, t.Entry, n))
		if t.cues.position {
			f.m.add(Location, containerMovie, "CuePosition", formatPosition(t.cues.lat, t.cues.lon, 0, false))
		}
	}
	mv.zero = mp4.MergeSpans(mv.zero)
	var keptTracks []mp4.Track
	for _, t := range tracks {
		if t.remove == "" {
			keptTracks = append(keptTracks, t.Track())
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
		case mp4.BoxMvhd:
			if err := f.writeHeader(w, c, 0); err != nil {
				return nil, err
			}
		case mp4.BoxTrak:
			t := byOff[c.Offset]
			if t.remove == "" {
				if err := f.writeTrack(w, mv, c, t, kept); err != nil {
					return nil, err
				}
			}
		case mp4.BoxIods:
			f.writeIods(w, c, kept)
		default:
			f.writeOther(w, c, bmff.BoxMoov)
		}
	}
	if f.liveID() != "" && !f.liveWritten {
		f.writeLiveMeta(w, false, nil, nil) // a video without keys of its own
	}
	w.End()
	if w.Err() != nil {
		return nil, bmff.ErrorAt(moov.Offset, ErrUnsupportedFeature, "%v", w.Err())
	}
	// A kept chunk that starts in removed samples would lose bytes.
	for _, o := range mv.fields {
		v := int64(min(o.Val, math.MaxInt64))
		mv.maxRef = max(mv.maxRef, v)
		i := sort.Search(len(mv.zero), func(i int) bool { return mv.zero[i].End > v })
		if i < len(mv.zero) && mv.zero[i].Start <= v {
			return nil, bmff.ErrorAt(o.At, ErrUnsupportedFeature, "a kept track shares media data with a removed metadata track")
		}
	}
	mv.b = w.Bytes()
	return mv, nil
}

// writeIods rebuilds an object descriptor box from its fields, with the
// references to removed tracks left out. One it cannot rebuild (with a
// URL, or other descriptors) goes, as any box not on the list does.
func (f *movFile) writeIods(w *bmff.Writer, c bmff.Box, kept map[uint32]bool) {
	iod, ok := mp4.ParseIods(c.Payload)
	if !ok {
		f.dropBox(c, bmff.BoxMoov)
		return
	}
	tracks := iod.Tracks[:0]
	for _, id := range iod.Tracks {
		if kept[id] {
			tracks = append(tracks, id)
		}
	}
	iod.Tracks = tracks
	mp4.WriteIods(w, iod)
}

// writeOther writes a child of 'moov' or 'trak' that is not playback
// structure: metadata goes, or is kept as the policy says (mov_keep.go);
// anything else goes too (dropBox).
func (f *movFile) writeOther(w *bmff.Writer, c bmff.Box, parent bmff.FourCC) {
	if c.Type == bmff.BoxMeta && parent == bmff.BoxMoov && f.liveID() != "" && !f.liveWritten {
		f.keepMeta(w, c, true)
		return
	}
	if f.opts.keepsAny() {
		switch c.Type {
		case bmff.BoxMeta:
			f.keepMeta(w, c, parent == bmff.BoxMoov)
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
// §8.3.2, §8.4.2) with its creation and modification times
// (mp4.HeaderTimes) set to 0 unless the policy keeps Time.
func (f *movFile) copyTimes(w *bmff.Writer, c bmff.Box, name string, track uint32) {
	w.CopyBox(c)
	times := mp4.HeaderTimes(w.Bytes()[w.Len()-len(c.Payload):])
	if times == nil {
		return
	}
	container := containerMovie + " " + name
	if track != 0 {
		container += fmt.Sprintf(" (track %d)", track)
	}
	for i, tag := range []string{"CreationTime", "ModificationTime"} {
		field := times[i]
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

// parseTrack reads what the first pass needs of a 'trak' box, and
// whether the track is removed or holds text.
func parseTrack(trak bmff.Box) (*movTrack, error) {
	pt, err := mp4.ParseTrak(trak)
	if err != nil {
		return nil, err
	}
	t := &movTrack{Trak: pt, off: trak.Offset}
	if why, ok := movMetadataEntries[t.Entry]; ok {
		t.remove = why
	} else if why, ok := movMetadataHandlers[t.Handler]; ok {
		t.remove = why
	} else if why, ok := movTextEntries[t.Entry]; ok {
		t.text = why
	} else if why, ok := movTextHandlers[t.Handler]; ok {
		t.text = why
	}
	return t, nil
}

// writeTrack writes a kept 'trak' box.
func (f *movFile) writeTrack(w *bmff.Writer, mv *movMoov, trak bmff.Box, t *movTrack, kept map[uint32]bool) error {
	w.Start(mp4.BoxTrak)
	r := bmff.NewReader(trak.Payload, trak.PayloadOffset(), false)
	for c := range r.All() {
		var err error
		switch c.Type {
		case mp4.BoxTkhd:
			err = f.writeHeader(w, c, t.ID)
		case mp4.BoxTref:
			mp4.WriteTref(w, c, kept)
		case mp4.BoxEdts:
			err = f.omitted(mp4.WriteEdts(w, c, &f.omit))
		case mp4.BoxTapt:
			err = f.omitted(mp4.WriteTapt(w, c, &f.omit))
		case mp4.BoxMdia:
			err = f.writeMdia(w, mv, c, t)
		default:
			f.writeOther(w, c, mp4.BoxTrak)
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
	w.Start(mp4.BoxMdia)
	r := bmff.NewReader(mdia.Payload, mdia.PayloadOffset(), false)
	for c := range r.All() {
		var err error
		switch c.Type {
		case mp4.BoxMdhd:
			err = f.writeHeader(w, c, t.ID)
		case bmff.BoxHdlr:
			err = f.writeHdlr(w, c)
		case mp4.BoxMinf:
			err = f.writeMinf(w, mv, c, t)
		default:
			f.dropBox(c, mp4.BoxMdia)
		}
		if err != nil {
			return err
		}
	}
	w.End()
	return r.Err()
}

// writeOffsets writes a chunk offset or 'saio' box (mp4.WriteOffsets),
// noting where each offset is.
func (f *movFile) writeOffsets(w *bmff.Writer, mv *movMoov, c bmff.Box) error {
	offs, err := mp4.WriteOffsets(w, c, &f.omit)
	mv.fields = append(mv.fields, offs...)
	return f.omitted(err)
}
