package exifscrub

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/exifscrub/exifscrub/internal/av1"
	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/nal"
)

// What the media data of a video may carry, and what Scrub does with it
// as the 'mdat' boxes stream past (mov_write.go):
//
//   - Bytes that no sample of a kept track references (before the first
//     chunk, between chunks, after the last): written as zeros, and
//     reported (Embedded) when they were not zeros already. Samples of
//     removed tracks are zeros too, reported with their track (mov_moov.go).
//   - Samples of H.264, HEVC and VVC tracks (sample entries with 'avcC',
//     'hvcC' or 'vvcC'): every NAL unit is read, and SEI, filler data and
//     units of reserved or unspecified types are rewritten in place at
//     their length by nal.NeutralizeSample: SEI user data (where encoders
//     write their settings and dash cams and drones their telemetry), time
//     codes and unknown messages become filler payload, the timing,
//     recovery point and HDR messages a player uses stay. Dolby Vision's
//     RPU and enhancement layer units (HEVC types 62 and 63) stay in
//     tracks with a Dolby Vision configuration ('dvcC', 'dvvC').
//   - Samples of AV1 tracks ('av1C'): metadata OBUs other than HDR become
//     padding OBUs of the same size (av1.Neutralize).
//
// Every size and offset stays as it is, so the index needs no new offsets
// and the file still streams in one pass; the decoded frames are those of
// the input. Samples are read one at a time; a sample larger than
// maxMOVSample is refused (ErrUnsupportedFeature). Where a sample stops
// being the NAL units or OBUs its sample entry says (a length past its
// end, a unit shorter than its header), decoders read nothing more of it:
// the rest of the sample is zeroed and reported (Embedded), so that what
// no decoder reads cannot carry anything out, and a second scrub finds
// only zeros there and leaves them. Encrypted samples ('encv') are copied
// as they are.

// maxMOVSample bounds the coded sample held in memory to be neutralised.
const maxMOVSample = 64 << 20

// A movMedia is what Scrub knows of the media data from the index: which
// bytes the samples of kept tracks occupy, and which of those samples are
// read and neutralised.
type movMedia struct {
	keep   []movSpan       // samples of kept tracks, sorted, disjoint
	chunks []movCodedChunk // chunks whose samples are neutralised, sorted, disjoint
	tracks []*movCoded
	// noGaps: some bytes of 'mdat' are referenced other than by chunks,
	// in a way not read here ('saio' of several entries): bytes outside
	// the samples are copied, not zeroed.
	noGaps bool
	gaps   int64 // bytes outside every sample that were not zero
}

// A movCoded is a track whose samples are neutralised.
type movCoded struct {
	id    uint32
	rm    nal.Removed // what was removed, over all its samples
	bad   int         // samples whose unreadable rest was zeroed
	bytes int64       // the bytes zeroed
}

// A movCodedChunk is a chunk whose samples are neutralised.
type movCodedChunk struct {
	start, end int64
	sizes      []uint32 // of its samples, in order; nil when they are all fixed bytes
	fixed      int64    // the size of every sample, from 'stsz' (no table)
	codec      movCodec
	track      *movCoded
	next       int   // sampleAt's place: a sample index
	at         int64 // and its offset
}

// A movCodec says how to neutralise the samples of one sample entry.
type movCodec struct {
	av1     bool
	nal     nal.Codec
	lenSize int
	keep    []int // NAL unit types kept although unspecified
}

// Configuration boxes of sample entries (ISO/IEC 14496-15 §5.4.2, §8.4.1,
// §11.2.4; AV1-ISOBMFF §2.3; Dolby "Dolby Vision Streams Within the ISO
// Base Media File Format" §3.2).
var (
	boxAv1C = bmff.FourCC{'a', 'v', '1', 'C'}
	boxDvcC = bmff.FourCC{'d', 'v', 'c', 'C'}
	boxDvvC = bmff.FourCC{'d', 'v', 'v', 'C'}
	boxSaiz = bmff.FourCC{'s', 'a', 'i', 'z'}
	// 14496-12 §8.12: a protected sample entry; its samples are encrypted.
	entryEncv = bmff.FourCC{'e', 'n', 'c', 'v'}
)

// sampleCodecs returns the codec of each sample entry of a track, in
// order; an entry whose samples are not neutralised has ok false.
func sampleCodecs(stbl bmff.Box) (codecs []movCodec, ok []bool) {
	r := bmff.NewReader(stbl.Payload, stbl.PayloadOffset(), false)
	for s := range r.All() {
		if s.Type != boxStsd || len(s.Payload) < 8 {
			continue
		}
		er := bmff.NewReader(s.Payload[8:], s.PayloadOffset()+8, false)
		for e := range er.All() {
			c, good := sampleCodec(e)
			codecs, ok = append(codecs, c), append(ok, good)
		}
		break
	}
	return codecs, ok
}

// sampleCodec reads a visual sample entry's configuration box.
func sampleCodec(e bmff.Box) (movCodec, bool) {
	if len(e.Payload) < visualEntryFields || e.Type == entryEncv {
		return movCodec{}, false
	}
	var c movCodec
	found, dv := false, false
	r := bmff.NewReader(e.Payload[visualEntryFields:], e.PayloadOffset()+visualEntryFields, false)
	for b := range r.All() {
		at, shift := -1, 0
		switch b.Type {
		case propAvcC:
			c.nal, at = nal.AVC, 4
		case propHvcC:
			c.nal, at = nal.HEVC, 21
		case propVvcC:
			c.nal, at, shift = nal.VVC, 4, 1
		case boxAv1C:
			c.av1, found = true, true
		case boxDvcC, boxDvvC:
			dv = true
		}
		if at >= 0 && !found && len(b.Payload) > at {
			c.lenSize = int(b.Payload[at]>>shift&3) + 1
			found = c.lenSize != 3
		}
	}
	if dv && c.nal.Name == "HEVC" {
		c.keep = []int{62, 63} // Dolby Vision RPU and enhancement layer
	}
	return c, found
}

// mediaPlan learns from the kept tracks which bytes of 'mdat' hold their
// samples, and which samples are neutralised.
func mediaPlan(tracks []*movTrack) (*movMedia, error) {
	m := &movMedia{}
	for _, t := range tracks {
		if t.remove != "" || !t.hasStbl {
			continue
		}
		if hasBox(t.stbl, boxSaio) && !singleSaio(t.stbl) {
			m.noGaps = true
		}
		var codecs []movCodec
		var ok []bool
		if t.handler == handlerVide {
			codecs, ok = sampleCodecs(t.stbl)
		}
		var coded *movCoded
		var sizes []uint32 // of the track's neutralised samples, one array for all its chunks
		var chunks []movCodedChunk
		_, err := walkChunks(t, func(c movChunk) {
			if c.end > c.start {
				m.keep = append(m.keep, movSpan{c.start, c.end})
			}
			e := int(c.entry) - 1
			if e < 0 || e >= len(codecs) || !ok[e] || c.end == c.start {
				return
			}
			if coded == nil {
				coded = &movCoded{id: t.id}
				m.tracks = append(m.tracks, coded)
			}
			cc := movCodedChunk{start: c.start, end: c.end, codec: codecs[e], track: coded}
			if c.fixed > 0 {
				// No table to copy: the count is not bounded by the file.
				cc.fixed = int64(c.fixed)
			} else {
				from := len(sizes)
				for i := c.first; i < c.first+c.n; i++ {
					sizes = append(sizes, uint32(min(c.size(i), 1<<32-1)))
				}
				cc.sizes = sizes[from:len(sizes):len(sizes)]
			}
			chunks = append(chunks, cc)
		})
		if err != nil {
			return nil, err
		}
		m.chunks = append(m.chunks, chunks...)
	}
	for _, t := range tracks {
		// Auxiliary information ('saiz', 'saio': 14496-12 §8.7.8, §8.7.9)
		// lies in 'mdat' too; keep it.
		if t.remove == "" && t.hasStbl {
			if s, ok := saioSpan(t.stbl); ok {
				m.keep = append(m.keep, s)
			}
		}
	}
	m.keep = mergeSpans(m.keep)
	sort.Slice(m.chunks, func(i, j int) bool { return m.chunks[i].start < m.chunks[j].start })
	for i := 1; i < len(m.chunks); i++ {
		if m.chunks[i].start < m.chunks[i-1].end {
			return nil, bmff.ErrorAt(m.chunks[i].start, ErrUnsupportedFeature, "video samples of tracks %d and %d overlap", m.chunks[i-1].track.id, m.chunks[i].track.id)
		}
	}
	return m, nil
}

// hasBox reports whether a box has a child of type t.
func hasBox(b bmff.Box, t bmff.FourCC) bool {
	r := bmff.NewReader(b.Payload, b.PayloadOffset(), false)
	for c := range r.All() {
		if c.Type == t {
			return true
		}
	}
	return false
}

// singleSaio reports whether every 'saio' of a sample table has at most
// one offset, which saioSpan reads.
func singleSaio(stbl bmff.Box) bool {
	r := bmff.NewReader(stbl.Payload, stbl.PayloadOffset(), false)
	for c := range r.All() {
		if c.Type != boxSaio {
			continue
		}
		cur := bmff.NewCursor(c)
		_, flags := cur.FullBox()
		if flags&1 != 0 {
			cur.Take(8)
		}
		if n := cur.U32(); cur.Err() != nil || n > 1 {
			return false
		}
	}
	return true
}

// saioSpan returns the bytes of the auxiliary information of a sample
// table with one 'saio' offset: the sum of the 'saiz' sizes from there.
func saioSpan(stbl bmff.Box) (movSpan, bool) {
	var off, size uint64
	var haveOff, haveSize bool
	r := bmff.NewReader(stbl.Payload, stbl.PayloadOffset(), false)
	for c := range r.All() {
		cur := bmff.NewCursor(c)
		switch c.Type {
		case boxSaio:
			version, flags := cur.FullBox()
			if flags&1 != 0 {
				cur.Take(8)
			}
			if cur.U32() != 1 {
				return movSpan{}, false
			}
			if version == 0 {
				off = uint64(cur.U32())
			} else {
				off = cur.U64()
			}
			haveOff = cur.Err() == nil
		case boxSaiz:
			_, flags := cur.FullBox()
			if flags&1 != 0 {
				cur.Take(8)
			}
			def := cur.U8()
			n := cur.U32()
			if def != 0 {
				size = uint64(def) * uint64(n)
			} else {
				t := cur.Take(int(min(n, uint32(cur.Left()))))
				for _, x := range t {
					size += uint64(x)
				}
			}
			haveSize = cur.Err() == nil
		}
	}
	if !haveOff || !haveSize || off > 1<<62 || size > 1<<62 || size == 0 {
		return movSpan{}, false
	}
	return movSpan{int64(off), int64(off + size)}, true
}

// Kinds of the bytes of 'mdat', as movMedia sees them.
const (
	mediaCopy  = iota // samples copied as they are
	mediaZero         // samples of a removed track
	mediaGap          // bytes no sample references
	mediaCoded        // samples to neutralise (chunk says which)
)

// region returns the kind of the byte at input offset pos, where that
// kind ends (at most limit), and for mediaCoded the chunk. zero are the
// samples of removed tracks; m may be nil (no index yet: copy).
func (m *movMedia) region(pos, limit int64, zero []movSpan) (kind int, end int64, chunk *movCodedChunk) {
	end = limit
	if i := sort.Search(len(zero), func(i int) bool { return zero[i].end > pos }); i < len(zero) {
		if zero[i].start <= pos {
			return mediaZero, min(end, zero[i].end), nil
		}
		end = min(end, zero[i].start)
	}
	if m == nil {
		return mediaCopy, end, nil
	}
	if i := sort.Search(len(m.chunks), func(i int) bool { return m.chunks[i].end > pos }); i < len(m.chunks) {
		c := &m.chunks[i]
		if c.start <= pos {
			return mediaCoded, min(end, c.end), c
		}
		end = min(end, c.start)
	}
	if i := sort.Search(len(m.keep), func(i int) bool { return m.keep[i].end > pos }); i < len(m.keep) {
		if m.keep[i].start <= pos {
			return mediaCopy, min(end, m.keep[i].end), nil
		}
		end = min(end, m.keep[i].start)
	}
	if m.noGaps {
		return mediaCopy, end, nil
	}
	return mediaGap, end, nil
}

// sampleAt returns the size of the sample of chunk c that starts at pos,
// or, when pos is not the start of one, ok false and the bytes to the
// next sample. Calls in increasing pos are linear in the chunk's samples.
func (c *movCodedChunk) sampleAt(pos int64) (n int64, ok bool) {
	if c.fixed > 0 { // the chunk's size is a multiple of fixed
		if pos < c.start || pos >= c.end {
			return c.end - pos, false
		}
		if k := (pos - c.start) % c.fixed; k != 0 {
			return c.fixed - k, false
		}
		return c.fixed, true
	}
	if pos < c.at || c.next == 0 {
		c.next, c.at = 0, c.start
	}
	for c.next < len(c.sizes) {
		s := int64(c.sizes[c.next])
		if c.at+s > pos || c.at == pos && s > 0 {
			break
		}
		c.at += s
		c.next++
	}
	switch {
	case c.next == len(c.sizes):
		return c.end - pos, false
	case c.at == pos:
		return int64(c.sizes[c.next]), true
	}
	return c.at + int64(c.sizes[c.next]) - pos, false
}

// neutralize rewrites one sample of chunk c in place, counting what goes,
// and reports whether it changed anything. Where the sample stops being
// coded data, the rest of it is zeroed unless it is zero already.
func (c *movCodedChunk) neutralize(sample []byte) bool {
	var rm nal.Removed
	var err error
	bad := -1 // where the sample stops being readable
	if c.codec.av1 {
		var r av1.Removed
		r, err = av1.Neutralize(sample)
		rm = nal.Removed(r)
		if e, ok := err.(*av1.Error); ok {
			bad = e.Offset
		}
	} else {
		rm, err = c.codec.nal.NeutralizeSample(sample, c.codec.lenSize, c.codec.keep...)
		if e, ok := err.(*nal.Error); ok {
			bad = e.Offset
		}
	}
	if err != nil && bad < 0 {
		bad = 0 // an error without an offset: nothing of the sample is read
	}
	t := c.track
	for k, v := range rm {
		if t.rm == nil {
			t.rm = make(nal.Removed)
		}
		x := t.rm[k]
		x.N += v.N
		x.Bytes += v.Bytes
		t.rm[k] = x
	}
	changed := rm != nil
	if bad >= 0 && bad < len(sample) && !bytesAreZero(sample[bad:]) {
		clear(sample[bad:])
		t.bad++
		t.bytes += int64(len(sample) - bad)
		changed = true
	}
	return changed
}

// report reports what the media data carried.
func (m *movMedia) report(r *movReport) {
	if m == nil {
		return
	}
	if m.gaps > 0 {
		r.add(Embedded, containerMovie, "UnreferencedMediaData", fmt.Sprintf("(%d bytes of 'mdat' that no sample references, not zero)", m.gaps))
	}
	for _, t := range m.tracks {
		names := make([]string, 0, len(t.rm))
		for k := range t.rm {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			v := t.rm[k]
			cat := Embedded
			if k == "SEI136" || k == "Metadata5" { // H.265 D.2.27 time code; AV1 §6.7.1 timecode
				cat = Time
			}
			r.add(cat, containerMovie, "Sample"+k, fmt.Sprintf("(track %d: %d in the samples, %d bytes)", t.id, v.N, v.Bytes))
		}
		if t.bad > 0 {
			r.add(Embedded, containerMovie, "UnreadableSampleData", fmt.Sprintf("(track %d: %d bytes at the end of %d samples, not the coded data their sample entry says, zeroed)", t.id, t.bytes, t.bad))
		}
	}
}

// sameMedia reports whether two plans agree on what they would change:
// the index read ahead and the one read in order must be the same.
func sameMedia(a, b *movMedia) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	if a == nil {
		return true
	}
	if !sameSpans(a.keep, b.keep) || len(a.chunks) != len(b.chunks) || a.noGaps != b.noGaps {
		return false
	}
	for i := range a.chunks {
		if a.chunks[i].start != b.chunks[i].start || a.chunks[i].end != b.chunks[i].end {
			return false
		}
	}
	return true
}

// bytesAreZero reports whether b is all zero bytes.
func bytesAreZero(b []byte) bool {
	return len(bytes.Trim(b, "\x00")) == 0
}
