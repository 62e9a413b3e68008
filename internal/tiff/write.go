package tiff

import (
	"encoding/binary"
	"sort"
)

// A Field is an entry to write: Field returns its tag, type, count and
// value bytes (in the byte order of the block written); the other fields
// of the Entry are not used. Entry is a Field; a caller's own type that
// carries more may be one too, so that Write sorts it in place.
type Field interface{ Field() Entry }

// Field returns e.
func (e Entry) Field() Entry { return e }

// Write lays out a new TIFF structure in byte order bo: the header, IFD0
// (with pointers to the Exif and GPS IFDs when they have entries), the
// Exif IFD and the GPS IFD, each followed by the values that do not fit in
// their entries, on word boundaries (TIFF 6.0 §2: "the Value Offset ...
// must be an even number"). Offsets are computed anew; no IFD follows IFD0
// (no IFD1, no thumbnail). ifd0 must not hold the pointer tags, which
// Write adds.
//
// Entries are sorted by tag, as TIFF 6.0 §2 requires (stably): exif's and
// gps's in place, one after the other as Write lays them out, and ifd0's
// in a copy, to which it adds the pointers.
//
// It returns nil, before allocating, when the block would be larger than
// limit bytes: entries that share one value in their input are written
// with a value each, so the block can be larger than the input.
func Write[F Field](bo binary.ByteOrder, ifd0, exif, gps []F, limit int) []byte {
	const (
		at0 = iota
		atExif
		atGPS
	)
	var ptrs [3][]byte // the values of the pointers to the Exif and GPS IFDs
	first := entries(ifd0)
	for i, ptr := range []struct {
		tag   uint16
		write bool
	}{atExif: {TagExifIFD, len(exif) > 0}, atGPS: {TagGPSIFD, len(gps) > 0}} {
		if ptr.write {
			ptrs[i] = make([]byte, 4)
			first = append(first, Entry{Tag: ptr.tag, Type: 4, Count: 1, Value: ptrs[i]})
		}
	}
	var all [3][]Entry
	// Offsets first: each IFD, then its values.
	var at [3]uint32
	off := uint64(8)
	for i, in := range [3][]F{nil, exif, gps} {
		var es []Entry
		if i == at0 {
			es = first
			sort.SliceStable(es, func(a, b int) bool { return es[a].Tag < es[b].Tag })
		} else {
			sort.SliceStable(in, func(a, b int) bool { return in[a].Field().Tag < in[b].Field().Tag })
			es = entries(in)
		}
		if len(es) == 0 {
			continue
		}
		all[i] = es
		at[i] = uint32(off)
		off += 2 + 12*uint64(len(es)) + 4
		for _, e := range es {
			if len(e.Value) > 4 {
				off += uint64(len(e.Value) + len(e.Value)%2)
			}
		}
		if off > uint64(limit) {
			return nil
		}
	}
	for i, p := range ptrs {
		if p != nil {
			bo.PutUint32(p, at[i])
		}
	}
	ab := bo.(binary.AppendByteOrder) // binary.LittleEndian or BigEndian
	out := make([]byte, 8, off)
	if bo == binary.LittleEndian {
		copy(out, "II")
	} else {
		copy(out, "MM")
	}
	bo.PutUint16(out[2:], 42)
	bo.PutUint32(out[4:], 8)
	for i, es := range all {
		if len(es) == 0 {
			continue
		}
		values := at[i] + 2 + 12*uint32(len(es)) + 4
		out = ab.AppendUint16(out, uint16(len(es)))
		var area []byte
		for _, e := range es {
			out = ab.AppendUint16(out, e.Tag)
			out = ab.AppendUint16(out, e.Type)
			out = ab.AppendUint32(out, e.Count)
			if len(e.Value) <= 4 {
				var inline [4]byte
				copy(inline[:], e.Value)
				out = append(out, inline[:]...)
				continue
			}
			out = ab.AppendUint32(out, values+uint32(len(area)))
			area = append(area, e.Value...)
			if len(e.Value)%2 == 1 {
				area = append(area, 0)
			}
		}
		out = ab.AppendUint32(out, 0) // no next IFD
		out = append(out, area...)
	}
	return out
}

// entries returns the Entries of fs.
func entries[F Field](fs []F) []Entry {
	es := make([]Entry, len(fs))
	for i, f := range fs {
		es[i] = f.Field()
	}
	return es
}
