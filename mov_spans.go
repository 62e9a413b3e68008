package exifscrub

import (
	"encoding/binary"
	"io"
	"math"
	"sort"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// The byte ranges of a track's samples, from its sample tables: what a
// removed track's samples occupy in 'mdat', to be overwritten with zeros.

// trackSpans returns the byte ranges of a track's samples, from its
// sample-to-chunk, sample size and chunk offset tables (14496-12 §8.7.3
// to §8.7.5), and their total size. Every count is checked against the
// bytes of its table before it is used.
func trackSpans(t *movTrack) ([]movSpan, int64, error) {
	var spans []movSpan
	total, err := walkChunks(t, func(c movChunk) {
		if c.end > c.start {
			spans = append(spans, movSpan{c.start, c.end})
		}
	})
	return spans, total, err
}

// A movChunk is one chunk of a track (14496-12 §8.7.4): its byte range,
// its samples (first, the index of the first in 'stsz', and n) and the
// sample description they use (1-based, as 'stsc' numbers them).
type movChunk struct {
	start, end int64
	first, n   uint64
	entry      uint32
	size       func(i uint64) uint64 // the size of sample i
	fixed      uint64                // the size of every sample, or 0: see size
}

// walkChunks calls fn for each chunk of a track, in the order of 'stco',
// and returns the total size of its samples.
func walkChunks(t *movTrack, fn func(movChunk)) (int64, error) {
	if !t.hasStbl {
		return 0, nil
	}
	var stsc, stsz, stco bmff.Box
	var haveStsc, haveStsz, haveStco bool
	r := bmff.NewReader(t.stbl.Payload, t.stbl.PayloadOffset(), false)
	for c := range r.All() {
		switch c.Type {
		case boxStsc:
			stsc, haveStsc = c, true
		case boxStsz, boxStz2:
			stsz, haveStsz = c, true
		case boxStco, boxCo64:
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
		return 0, bmff.ErrorAt(t.stbl.Offset, nil, "sample table of track %d without 'stsc' or 'stsz'", t.id)
	}
	// Chunk offsets.
	oc := bmff.NewCursor(stco)
	oc.FullBox()
	nChunks := oc.U32()
	osize := 4
	if stco.Type == boxCo64 {
		osize = 8
	}
	if oc.Err() != nil || uint64(nChunks)*uint64(osize) > uint64(oc.Left()) {
		return 0, bmff.ErrorAt(stco.Offset, io.ErrUnexpectedEOF, "%q box cannot hold %d offsets", stco.Type, nChunks)
	}
	// Sample sizes: one size for all, or a table of 4-, 8- or 16-bit sizes.
	sc := bmff.NewCursor(stsz)
	sc.FullBox()
	var fixed uint64
	fieldBits := 32
	if stsz.Type == boxStz2 {
		sc.Take(3)
		fieldBits = int(sc.U8())
		if fieldBits != 4 && fieldBits != 8 && fieldBits != 16 {
			return 0, bmff.ErrorAt(stsz.Offset, nil, "'stz2' field size %d", fieldBits)
		}
	} else {
		fixed = uint64(sc.U32())
	}
	nSamples := uint64(sc.U32())
	if sc.Err() != nil {
		return 0, sc.Err()
	}
	table := sc.Rest()
	if fixed == 0 && nSamples*uint64(fieldBits) > uint64(len(table))*8 {
		return 0, bmff.ErrorAt(stsz.Offset, io.ErrUnexpectedEOF, "%q box cannot hold %d sample sizes", stsz.Type, nSamples)
	}
	sampleSize := func(i uint64) uint64 {
		if fixed != 0 {
			return fixed
		}
		switch fieldBits {
		case 4:
			b := table[i/2]
			if i%2 == 0 {
				return uint64(b >> 4)
			}
			return uint64(b & 15)
		case 8:
			return uint64(table[i])
		case 16:
			return uint64(binary.BigEndian.Uint16(table[2*i:]))
		}
		return uint64(binary.BigEndian.Uint32(table[4*i:]))
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
			return 0, bmff.ErrorAt(stsc.Offset, nil, "track %d: chunks hold more samples than 'stsz' lists", t.id)
		}
		var size uint64
		if fixed != 0 {
			size = per * fixed
		} else {
			for i := sample; i < sample+per; i++ {
				size += sampleSize(i)
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
			return 0, bmff.ErrorAt(stco.Offset, nil, "track %d: chunk %d at offset %d of %d bytes", t.id, chunk, off, size)
		}
		total = min(total+size, math.MaxInt64)
		fn(movChunk{start: int64(off), end: int64(off + size), first: sample - per, n: per, entry: runs[ri].entry, size: sampleSize, fixed: fixed})
	}
	return int64(min(total, math.MaxInt64)), nil
}

// overlap reports whether two sorted lists of disjoint spans share a
// byte, and the first such offset.
func overlap(a, b []movSpan) (int64, bool) {
	for len(a) > 0 && len(b) > 0 {
		if start := max(a[0].start, b[0].start); start < min(a[0].end, b[0].end) {
			return start, true
		}
		if a[0].end <= b[0].end {
			a = a[1:]
		} else {
			b = b[1:]
		}
	}
	return 0, false
}

// mergeSpans sorts spans and joins those that overlap or touch.
func mergeSpans(s []movSpan) []movSpan {
	sort.Slice(s, func(i, j int) bool { return s[i].start < s[j].start })
	var out []movSpan
	for _, x := range s {
		if n := len(out); n > 0 && x.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, x.end)
			continue
		}
		out = append(out, x)
	}
	return out
}
