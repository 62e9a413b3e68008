package mp4

import (
	"encoding/binary"
	"io"
	"math"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// The byte ranges of a track's samples, from its sample tables: what a
// removed track's samples occupy in 'mdat', to be overwritten with zeros,
// and where a kept track's coded samples lie.

// A Track is what the sample table readers need of a 'trak' box.
type Track struct {
	ID      uint32
	Video   bool     // its handler is 'vide' (14496-12 §8.4.3): its samples may be neutralised
	Stbl    bmff.Box // its sample table ('stbl', §8.5.1)
	HasStbl bool
}

// TrackSpans returns the byte ranges of a track's samples, from its
// sample-to-chunk, sample size and chunk offset tables (14496-12 §8.7.3
// to §8.7.5), and their total size. Every count is checked against the
// bytes of its table before it is used.
func TrackSpans(t Track) ([]Span, int64, error) {
	var spans []Span
	total, err := Chunks(t, func(c Chunk) {
		if c.End > c.Start {
			spans = append(spans, Span{c.Start, c.End})
		}
	})
	return spans, total, err
}

// A Chunk is one chunk of a track (14496-12 §8.7.4): its byte range, its
// samples (First, the index of the first in 'stsz', and N) and the sample
// description they use (1-based, as 'stsc' numbers them).
type Chunk struct {
	Start, End int64
	First, N   uint64
	Entry      uint32
	Fixed      uint64 // the size of every sample, or 0: see Size
	sizes      sampleSizes
}

// Size returns the size of sample i of the track, First <= i < First+N.
func (c *Chunk) Size(i uint64) uint64 { return c.sizes.size(i) }

// sampleSizes is a track's sample size table: one size for all, or a
// table of 4-, 8-, 16- or 32-bit sizes, checked to hold every sample.
type sampleSizes struct {
	fixed uint64
	bits  int
	table []byte
}

func (s *sampleSizes) size(i uint64) uint64 {
	if s.fixed != 0 {
		return s.fixed
	}
	switch s.bits {
	case 4:
		b := s.table[i/2]
		if i%2 == 0 {
			return uint64(b >> 4)
		}
		return uint64(b & 15)
	case 8:
		return uint64(s.table[i])
	case 16:
		return uint64(binary.BigEndian.Uint16(s.table[2*i:]))
	}
	return uint64(binary.BigEndian.Uint32(s.table[4*i:]))
}

// Chunks calls fn for each chunk of a track, in the order of 'stco', and
// returns the total size of its samples.
func Chunks(t Track, fn func(Chunk)) (int64, error) {
	if !t.HasStbl {
		return 0, nil
	}
	var stsc, stsz, stco bmff.Box
	var haveStsc, haveStsz, haveStco bool
	r := bmff.NewReader(t.Stbl.Payload, t.Stbl.PayloadOffset(), false)
	for c := range r.All() {
		switch c.Type {
		case BoxStsc:
			stsc, haveStsc = c, true
		case BoxStsz, BoxStz2:
			stsz, haveStsz = c, true
		case BoxStco, BoxCo64:
			stco, haveStco = c, true
		}
	}
	if r.Err() != nil {
		return 0, r.Err()
	}
	if !haveStco {
		return 0, nil
	}
	if !haveStsc || !haveStsz {
		return 0, bmff.ErrorAt(t.Stbl.Offset, nil, "sample table of track %d without 'stsc' or 'stsz'", t.ID)
	}
	// Chunk offsets.
	oc := bmff.NewCursor(stco)
	oc.FullBox()
	nChunks := oc.U32()
	osize := 4
	if stco.Type == BoxCo64 {
		osize = 8
	}
	if oc.Err() != nil || uint64(nChunks)*uint64(osize) > uint64(oc.Left()) {
		return 0, bmff.ErrorAt(stco.Offset, io.ErrUnexpectedEOF, "%q box cannot hold %d offsets", stco.Type, nChunks)
	}
	// Sample sizes: one size for all, or a table of 4-, 8- or 16-bit sizes.
	sc := bmff.NewCursor(stsz)
	sc.FullBox()
	sizes := sampleSizes{bits: 32}
	if stsz.Type == BoxStz2 {
		sc.Take(3)
		sizes.bits = int(sc.U8())
		if sizes.bits != 4 && sizes.bits != 8 && sizes.bits != 16 {
			return 0, bmff.ErrorAt(stsz.Offset, nil, "'stz2' field size %d", sizes.bits)
		}
	} else {
		sizes.fixed = uint64(sc.U32())
	}
	nSamples := uint64(sc.U32())
	if sc.Err() != nil {
		return 0, sc.Err()
	}
	sizes.table = sc.Rest()
	fixed := sizes.fixed
	if fixed == 0 && nSamples*uint64(sizes.bits) > uint64(len(sizes.table))*8 {
		return 0, bmff.ErrorAt(stsz.Offset, io.ErrUnexpectedEOF, "%q box cannot hold %d sample sizes", stsz.Type, nSamples)
	}
	// Sample to chunk: runs of chunks with the same number of samples.
	cc := bmff.NewCursor(stsc)
	cc.FullBox()
	nRuns := cc.U32()
	if cc.Err() != nil || uint64(nRuns)*12 > uint64(cc.Left()) {
		return 0, bmff.ErrorAt(stsc.Offset, io.ErrUnexpectedEOF, "'stsc' box cannot hold %d entries", nRuns)
	}
	type run struct{ first, perChunk, entry uint32 }
	runs := make([]run, nRuns)
	for i := range runs {
		runs[i] = run{cc.U32(), cc.U32(), cc.U32()}
		if runs[i].first == 0 || i > 0 && runs[i].first <= runs[i-1].first {
			return 0, bmff.ErrorAt(stsc.Offset, nil, "'stsc' entry %d starts at chunk %d", i, runs[i].first)
		}
	}
	var sample, total uint64
	ri := 0
	for chunk := uint32(1); chunk <= nChunks; chunk++ {
		for ri+1 < len(runs) && runs[ri+1].first <= chunk {
			ri++
		}
		if len(runs) == 0 || runs[ri].first > chunk {
			return 0, bmff.ErrorAt(stsc.Offset, nil, "'stsc' does not cover chunk %d", chunk)
		}
		per := uint64(runs[ri].perChunk)
		if sample+per > nSamples {
			return 0, bmff.ErrorAt(stsc.Offset, nil, "track %d: chunks hold more samples than 'stsz' lists", t.ID)
		}
		var size uint64
		if fixed != 0 {
			size = per * fixed
		} else {
			for i := sample; i < sample+per; i++ {
				size += sizes.size(i)
			}
		}
		sample += per
		at := chunk - 1
		var off uint64
		if osize == 8 {
			off = binary.BigEndian.Uint64(oc.Rest()[8*int(at):])
		} else {
			off = uint64(binary.BigEndian.Uint32(oc.Rest()[4*int(at):]))
		}
		if off > math.MaxInt64/2 || size > math.MaxInt64/2 {
			return 0, bmff.ErrorAt(stco.Offset, nil, "track %d: chunk %d at offset %d of %d bytes", t.ID, chunk, off, size)
		}
		total = min(total+size, math.MaxInt64)
		fn(Chunk{Start: int64(off), End: int64(off + size), First: sample - per, N: per, Entry: runs[ri].entry, Fixed: fixed, sizes: sizes})
	}
	return int64(min(total, math.MaxInt64)), nil
}
