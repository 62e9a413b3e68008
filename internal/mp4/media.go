package mp4

import (
	"sort"

	"github.com/exifscrub/exifscrub/internal/av1"
	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/nal"
)

// What the media data of a movie holds, as its index says: which bytes
// the samples of kept tracks occupy, and which of those samples are coded
// video whose SEI messages (H.264, HEVC, VVC: nal.NeutralizeSample) or
// metadata OBUs (AV1: av1.Neutralize) are rewritten in place at their
// length. Every size and offset stays as it is.

// VisualEntryFields is the size of the fields of a visual sample entry
// before its boxes (14496-12 §12.1.3.2; QTFF "Video sample description"):
// the sample entry's reserved bytes and data reference index, then
// version, revision, vendor, qualities, sizes, resolutions, data size,
// frame count, compressor name, depth and colour table.
const VisualEntryFields = 8 + 70

// Configuration boxes of sample entries (ISO/IEC 14496-15 §5.4.2, §8.4.1,
// §11.2.4; AV1-ISOBMFF §2.3; Dolby "Dolby Vision Streams Within the ISO
// Base Media File Format" §3.2).
var (
	BoxAvcC = bmff.FourCC{'a', 'v', 'c', 'C'} // 14496-15 §5.4.2: AVC configuration
	BoxHvcC = bmff.FourCC{'h', 'v', 'c', 'C'} // §8.4.1: HEVC configuration
	BoxVvcC = bmff.FourCC{'v', 'v', 'c', 'C'} // §11.2.4: VVC configuration
	BoxLhvC = bmff.FourCC{'l', 'h', 'v', 'C'} // §9.5: layered HEVC configuration
	BoxAv1C = bmff.FourCC{'a', 'v', '1', 'C'} // AV1-ISOBMFF §2.3: AV1 configuration
	boxDvcC = bmff.FourCC{'d', 'v', 'c', 'C'} // Dolby Vision §3.2: configuration, profiles up to 7
	boxDvvC = bmff.FourCC{'d', 'v', 'v', 'C'} // Dolby Vision §3.2: configuration, profiles above 7
	// 14496-12 §8.12: a protected sample entry; its samples are encrypted.
	entryEncv = bmff.FourCC{'e', 'n', 'c', 'v'}
)

// A Media is what the index says of the media data: which bytes the
// samples of kept tracks occupy, and which of those samples are read and
// neutralised.
type Media struct {
	Keep   []Span       // samples of kept tracks, sorted, disjoint
	Chunks []CodedChunk // chunks whose samples are neutralised, sorted, disjoint
	Tracks []*CodedTrack
	// NoGaps: some bytes of 'mdat' are referenced other than by chunks,
	// in a way not read here ('saio' of several entries): bytes outside
	// the samples are copied, not zeroed.
	NoGaps bool
	Gaps   int64 // bytes outside every sample that were not zero, counted by the caller
}

// A CodedTrack is a track whose samples are neutralised, with what
// Neutralize removed over all of them.
type CodedTrack struct {
	ID      uint32
	Removed nal.Removed // what was removed, over all its samples
	Bad     int         // samples whose unreadable rest was zeroed
	Bytes   int64       // the bytes zeroed
}

// A CodedChunk is a chunk whose samples are neutralised.
type CodedChunk struct {
	Start, End int64
	Track      *CodedTrack
	sizes      []uint32 // of its samples, in order; nil when they are all fixed bytes
	fixed      int64    // the size of every sample, from 'stsz' (no table)
	codec      codec
	next       int   // SampleAt's place: a sample index
	at         int64 // and its offset
}

// A codec says how to neutralise the samples of one sample entry.
type codec struct {
	av1     bool
	nal     nal.Codec
	lenSize int
	keep    []int // NAL unit types kept although unspecified
}

// sampleCodecs returns the codec of each sample entry of a track, in
// order; an entry whose samples are not neutralised has ok false.
func sampleCodecs(stbl bmff.Box) (codecs []codec, ok []bool) {
	r := bmff.NewReader(stbl.Payload, stbl.PayloadOffset(), false)
	for s := range r.All() {
		if s.Type != BoxStsd || len(s.Payload) < 8 {
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
func sampleCodec(e bmff.Box) (codec, bool) {
	if len(e.Payload) < VisualEntryFields || e.Type == entryEncv {
		return codec{}, false
	}
	var c codec
	found, dv := false, false
	r := bmff.NewReader(e.Payload[VisualEntryFields:], e.PayloadOffset()+VisualEntryFields, false)
	for b := range r.All() {
		at, shift := -1, 0
		switch b.Type {
		case BoxAvcC:
			c.nal, at = nal.AVC, 4
		case BoxHvcC:
			c.nal, at = nal.HEVC, 21
		case BoxVvcC:
			c.nal, at, shift = nal.VVC, 4, 1
		case BoxAv1C:
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

// Plan learns from the kept tracks which bytes of 'mdat' hold their
// samples, and which samples are neutralised: those of video tracks whose
// sample entry has an 'avcC', 'hvcC', 'vvcC' or 'av1C' box, and is not
// encrypted ('encv'). Samples of two tracks that overlap are refused.
func Plan(tracks []Track) (*Media, error) {
	m := &Media{}
	for _, t := range tracks {
		if !t.HasStbl {
			continue
		}
		if hasBox(t.Stbl, BoxSaio) && !singleSaio(t.Stbl) {
			m.NoGaps = true
		}
		var codecs []codec
		var ok []bool
		if t.Video {
			codecs, ok = sampleCodecs(t.Stbl)
		}
		var coded *CodedTrack
		var sizes []uint32 // of the track's neutralised samples, one array for all its chunks
		var chunks []CodedChunk
		_, err := Chunks(t, func(c Chunk) {
			if c.End > c.Start {
				m.Keep = append(m.Keep, Span{c.Start, c.End})
			}
			e := int(c.Entry) - 1
			if e < 0 || e >= len(codecs) || !ok[e] || c.End == c.Start {
				return
			}
			if coded == nil {
				coded = &CodedTrack{ID: t.ID}
				m.Tracks = append(m.Tracks, coded)
			}
			cc := CodedChunk{Start: c.Start, End: c.End, codec: codecs[e], Track: coded}
			if c.Fixed > 0 {
				// No table to copy: the count is not bounded by the file.
				cc.fixed = int64(c.Fixed)
			} else {
				from := len(sizes)
				for i := c.First; i < c.First+c.N; i++ {
					sizes = append(sizes, uint32(min(c.Size(i), 1<<32-1)))
				}
				cc.sizes = sizes[from:len(sizes):len(sizes)]
			}
			chunks = append(chunks, cc)
		})
		if err != nil {
			return nil, err
		}
		m.Chunks = append(m.Chunks, chunks...)
	}
	for _, t := range tracks {
		// Auxiliary information ('saiz', 'saio': 14496-12 §8.7.8, §8.7.9)
		// lies in 'mdat' too; keep it.
		if t.HasStbl {
			if s, ok := saioSpan(t.Stbl); ok {
				m.Keep = append(m.Keep, s)
			}
		}
	}
	m.Keep = MergeSpans(m.Keep)
	sort.Slice(m.Chunks, func(i, j int) bool { return m.Chunks[i].Start < m.Chunks[j].Start })
	for i := 1; i < len(m.Chunks); i++ {
		if m.Chunks[i].Start < m.Chunks[i-1].End {
			return nil, bmff.ErrorAt(m.Chunks[i].Start, ErrUnsupported, "video samples of tracks %d and %d overlap", m.Chunks[i-1].Track.ID, m.Chunks[i].Track.ID)
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
		if c.Type != BoxSaio {
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
func saioSpan(stbl bmff.Box) (Span, bool) {
	var off, size uint64
	var haveOff, haveSize bool
	r := bmff.NewReader(stbl.Payload, stbl.PayloadOffset(), false)
	for c := range r.All() {
		cur := bmff.NewCursor(c)
		switch c.Type {
		case BoxSaio:
			version, flags := cur.FullBox()
			if flags&1 != 0 {
				cur.Take(8)
			}
			if cur.U32() != 1 {
				return Span{}, false
			}
			if version == 0 {
				off = uint64(cur.U32())
			} else {
				off = cur.U64()
			}
			haveOff = cur.Err() == nil
		case BoxSaiz:
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
		return Span{}, false
	}
	return Span{int64(off), int64(off + size)}, true
}

// A Kind is what the bytes of 'mdat' are, as a Media sees them.
type Kind int

// Kinds of the bytes of 'mdat'.
const (
	Copy  Kind = iota // samples copied as they are
	Zero              // samples of a removed track
	Gap               // bytes no sample references
	Coded             // samples to neutralise (the chunk says which)
)

// Region returns the kind of the byte at file offset pos, where that
// kind ends (at most limit), and for Coded the chunk. zero are the
// samples of removed tracks; m may be nil (no index yet: Copy).
func (m *Media) Region(pos, limit int64, zero []Span) (kind Kind, end int64, chunk *CodedChunk) {
	end = limit
	if i := sort.Search(len(zero), func(i int) bool { return zero[i].End > pos }); i < len(zero) {
		if zero[i].Start <= pos {
			return Zero, min(end, zero[i].End), nil
		}
		end = min(end, zero[i].Start)
	}
	if m == nil {
		return Copy, end, nil
	}
	if i := sort.Search(len(m.Chunks), func(i int) bool { return m.Chunks[i].End > pos }); i < len(m.Chunks) {
		c := &m.Chunks[i]
		if c.Start <= pos {
			return Coded, min(end, c.End), c
		}
		end = min(end, c.Start)
	}
	if i := sort.Search(len(m.Keep), func(i int) bool { return m.Keep[i].End > pos }); i < len(m.Keep) {
		if m.Keep[i].Start <= pos {
			return Copy, min(end, m.Keep[i].End), nil
		}
		end = min(end, m.Keep[i].Start)
	}
	if m.NoGaps {
		return Copy, end, nil
	}
	return Gap, end, nil
}

// SampleAt returns the size of the sample of chunk c that starts at pos,
// or, when pos is not the start of one, ok false and the bytes to the
// next sample. Calls in increasing pos are linear in the chunk's samples.
func (c *CodedChunk) SampleAt(pos int64) (n int64, ok bool) {
	if c.fixed > 0 { // the chunk's size is a multiple of fixed
		if pos < c.Start || pos >= c.End {
			return c.End - pos, false
		}
		if k := (pos - c.Start) % c.fixed; k != 0 {
			return c.fixed - k, false
		}
		return c.fixed, true
	}
	if pos < c.at || c.next == 0 {
		c.next, c.at = 0, c.Start
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
		return c.End - pos, false
	case c.at == pos:
		return int64(c.sizes[c.next]), true
	}
	return c.at + int64(c.sizes[c.next]) - pos, false
}

// Neutralize rewrites one sample of chunk c in place, counting what goes
// in c.Track, and reports whether it changed anything. Where the sample
// stops being coded data, the rest of it is zeroed unless it is zero
// already.
func (c *CodedChunk) Neutralize(sample []byte) bool {
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
	t := c.Track
	for k, v := range rm {
		if t.Removed == nil {
			t.Removed = make(nal.Removed)
		}
		x := t.Removed[k]
		x.N += v.N
		x.Bytes += v.Bytes
		t.Removed[k] = x
	}
	changed := rm != nil
	if bad >= 0 && bad < len(sample) && !isZero(sample[bad:]) {
		clear(sample[bad:])
		t.Bad++
		t.Bytes += int64(len(sample) - bad)
		changed = true
	}
	return changed
}

// SameMedia reports whether two plans agree on what they would change.
func SameMedia(a, b *Media) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	if a == nil {
		return true
	}
	if !SameSpans(a.Keep, b.Keep) || len(a.Chunks) != len(b.Chunks) || a.NoGaps != b.NoGaps {
		return false
	}
	for i := range a.Chunks {
		if a.Chunks[i].Start != b.Chunks[i].Start || a.Chunks[i].End != b.Chunks[i].End {
			return false
		}
	}
	return true
}
