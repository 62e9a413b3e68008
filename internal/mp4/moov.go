package mp4

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// The structure of the movie box: its tracks, their headers, references,
// media and sample descriptions, read and written from their fields.

// Box types of the movie structure (14496-12 §8 and QTFF).
var (
	BoxTrak = bmff.FourCC{'t', 'r', 'a', 'k'} // §8.3.1 track
	BoxMvhd = bmff.FourCC{'m', 'v', 'h', 'd'} // §8.2.2 movie header
	BoxTkhd = bmff.FourCC{'t', 'k', 'h', 'd'} // §8.3.2 track header
	BoxTref = bmff.FourCC{'t', 'r', 'e', 'f'} // §8.3.3 track references
	BoxMdia = bmff.FourCC{'m', 'd', 'i', 'a'} // §8.4.1 media
	BoxMdhd = bmff.FourCC{'m', 'd', 'h', 'd'} // §8.4.2 media header
	BoxMinf = bmff.FourCC{'m', 'i', 'n', 'f'} // §8.4.4 media information
	BoxStbl = bmff.FourCC{'s', 't', 'b', 'l'} // §8.5.1 sample table
	BoxMvex = bmff.FourCC{'m', 'v', 'e', 'x'} // §8.8.1 movie extends: fragments follow
	BoxSidx = bmff.FourCC{'s', 'i', 'd', 'x'} // §8.16.3 segment index
	BoxSsix = bmff.FourCC{'s', 's', 'i', 'x'} // §8.16.4 subsegment index
	BoxStyp = bmff.FourCC{'s', 't', 'y', 'p'} // §8.16.2 segment type
	BoxWide = bmff.FourCC{'w', 'i', 'd', 'e'} // QTFF: room for a 64-bit 'mdat' header
	BoxCmov = bmff.FourCC{'c', 'm', 'o', 'v'} // QTFF "Compressed Movie Atom"
	BoxWave = bmff.FourCC{'w', 'a', 'v', 'e'} // QTFF "Sound Sample Description (Version 1)": 'wave' extension
)

// Handler types (14496-12 §8.4.3) of the tracks whose sample entries have
// fields of their own.
var (
	HandlerVide = bmff.FourCC{'v', 'i', 'd', 'e'} // video
	HandlerSoun = bmff.FourCC{'s', 'o', 'u', 'n'} // audio
)

// A Trak is what ParseTrak reads of a 'trak' box.
type Trak struct {
	ID      uint32      // track_ID, of 'tkhd'
	Handler bmff.FourCC // handler_type, of the 'hdlr' of 'mdia'
	Entry   bmff.FourCC // the type of the first sample entry of 'stsd'
	Stbl    bmff.Box    // the sample table, if HasStbl
	HasStbl bool
}

// Track returns what Plan and TrackSpans read of t.
func (t Trak) Track() Track {
	return Track{ID: t.ID, Video: t.Handler == HandlerVide, Stbl: t.Stbl, HasStbl: t.HasStbl}
}

// ParseTrak reads a 'trak' box (14496-12 §8.3.1): the track ID of its
// header, the handler and sample table of its media, the type of its
// first sample entry. A 'dinf' that names media in another file is
// ErrUnsupported (CheckDinf).
func ParseTrak(trak bmff.Box) (Trak, error) {
	var t Trak
	r := bmff.NewReader(trak.Payload, trak.PayloadOffset(), false)
	for c := range r.All() {
		switch c.Type {
		case BoxTkhd:
			// §8.3.2: two times of 32 bits in version 0, 64 in 1, then
			// track_ID.
			cur := bmff.NewCursor(c)
			v, _ := cur.FullBox()
			if v == 1 {
				cur.Take(16)
			} else {
				cur.Take(8)
			}
			t.ID = cur.U32()
			if cur.Err() != nil {
				return Trak{}, cur.Err()
			}
		case BoxMdia:
			if err := t.parseMdia(c); err != nil {
				return Trak{}, err
			}
		}
	}
	return t, r.Err()
}

// parseMdia reads the handler and sample table of a 'mdia' box.
func (t *Trak) parseMdia(mdia bmff.Box) error {
	r := bmff.NewReader(mdia.Payload, mdia.PayloadOffset(), false)
	for c := range r.All() {
		switch c.Type {
		case bmff.BoxHdlr:
			h, err := bmff.HandlerType(bmff.NewCursor(c))
			if err != nil {
				return err
			}
			t.Handler = h
		case BoxMinf:
			mr := bmff.NewReader(c.Payload, c.PayloadOffset(), false)
			for m := range mr.All() {
				switch m.Type {
				case BoxStbl:
					t.Stbl, t.HasStbl = m, true
					sr := bmff.NewReader(m.Payload, m.PayloadOffset(), false)
					for s := range sr.All() {
						if s.Type == BoxStsd {
							// §8.5.2: an entry count, then entries.
							cur := bmff.NewCursor(s)
							cur.FullBox()
							if cur.U32() > 0 {
								cur.U32() // size of the first entry
								t.Entry = cur.FourCC()
							}
						}
					}
					if sr.Err() != nil {
						return sr.Err()
					}
				case bmff.BoxDinf:
					if err := CheckDinf(m); err != nil {
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

// headerLen is the size of the payload of a movie, track or media header
// (14496-12 §8.2.2, §8.3.2, §8.4.2), version and flags included, in
// version 0 and 1.
var headerLen = map[bmff.FourCC][2]int{
	BoxMvhd: {100, 112},
	BoxTkhd: {84, 96},
	BoxMdhd: {24, 36},
}

// HeaderFields returns the size of the fields of a movie, track or media
// header c, which is written through them: a version other than 0 and 1
// is ErrUnsupported, a shorter box an error.
func HeaderFields(c bmff.Box) (int, error) {
	lens := headerLen[c.Type]
	if len(c.Payload) < 4 || c.Payload[0] > 1 {
		return 0, bmff.ErrorAt(c.Offset, ErrUnsupported, "%q box of an unknown version", c.Type)
	}
	n := lens[c.Payload[0]]
	if len(c.Payload) < n {
		return 0, bmff.ErrorAt(c.Offset, nil, "%q box of %d bytes, shorter than its %d bytes of fields", c.Type, len(c.Payload), n)
	}
	return n, nil
}

// HeaderTimes returns the creation_time and modification_time fields of
// the payload p of a movie, track or media header (14496-12 §8.2.2,
// §8.3.2, §8.4.2): the first fields after the version and flags, 32 bits
// each in version 0 and 64 bits in version 1. They alias p. It returns
// nil when p is too short to hold them.
func HeaderTimes(p []byte) [][]byte {
	if len(p) < 4 {
		return nil
	}
	size := 4
	if p[0] == 1 {
		size = 8
	}
	if len(p) < 4+2*size {
		return nil
	}
	return [][]byte{p[4 : 4+size], p[4+size : 4+2*size]}
}

// MovieDuration returns the duration of the movie in b, a whole MP4 or
// QuickTime file in memory: the duration of the first 'moov' box's 'mvhd'
// (14496-12 §8.2.2) in its timescale, converted. It reports false when
// there is none, the header is of an unknown version or too short, the
// timescale is 0, or the duration unknown (all ones).
func MovieDuration(b []byte) (time.Duration, bool) {
	r := bmff.NewReader(b, 0, true)
	for bx := range r.All() {
		if bx.Type != bmff.BoxMoov {
			continue
		}
		for c := range bmff.NewReader(bx.Payload, bx.PayloadOffset(), false).All() {
			if c.Type != BoxMvhd {
				continue
			}
			if _, err := HeaderFields(c); err != nil {
				return 0, false
			}
			p := c.Payload
			var scale uint32
			var d uint64
			if p[0] == 1 {
				scale, d = binary.BigEndian.Uint32(p[20:]), binary.BigEndian.Uint64(p[24:])
			} else {
				scale, d = binary.BigEndian.Uint32(p[12:]), uint64(binary.BigEndian.Uint32(p[16:]))
				if d == math.MaxUint32 {
					d = math.MaxUint64
				}
			}
			if scale == 0 || d == math.MaxUint64 {
				return 0, false
			}
			// In seconds first: a duration of 2^64 ticks overflows
			// nanoseconds at any timescale.
			secs := float64(d) / float64(scale)
			if secs > float64(math.MaxInt64/int64(time.Second)) {
				return 0, false
			}
			return time.Duration(secs * float64(time.Second)), true
		}
		return 0, false
	}
	return 0, false
}

// WriteTref writes a track reference box (14496-12 §8.3.3) without the
// references to tracks not in keptIDs (removed, or not in the file); a
// reference left with no track goes, and so do bytes after the last
// track ID. No box is written when no reference is left.
func WriteTref(w *bmff.Writer, tref bmff.Box, keptIDs map[uint32]bool) {
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
	w.Start(BoxTref)
	for i, c := range kept {
		w.Start(c.Type)
		for _, id := range ids[i] {
			w.U32(id)
		}
		w.End()
	}
	w.End()
}

// An Offset is an absolute file offset that a rebuilt box holds: a chunk
// offset or an 'saio' offset, at Pos in the Writer's bytes, 4 or 8 bytes
// wide, of value Val, read at file offset At. Its caller sets it once it
// knows where the data moves.
type Offset struct {
	Pos  int
	Wide bool
	Val  uint64
	At   int64
}

// WriteOffsets writes a chunk offset box ('stco', 'co64': 14496-12
// §8.7.5) or a sample auxiliary information offsets box ('saio', §8.7.9,
// whose offsets are absolute in a 'trak') through its last entry, and
// returns where each offset is. Bytes after the last entry are logged.
func WriteOffsets(w *bmff.Writer, c bmff.Box, log *Log) ([]Offset, error) {
	cur := bmff.NewCursor(c)
	version, flags := cur.FullBox()
	wide := c.Type == BoxCo64
	if c.Type == BoxSaio {
		if flags&1 != 0 {
			cur.Take(8) // aux_info_type, aux_info_type_parameter
		}
		wide = version != 0
	}
	n := cur.U32()
	if cur.Err() != nil {
		return nil, cur.Err()
	}
	size := 4
	if wide {
		size = 8
	}
	if uint64(n)*uint64(size) > uint64(cur.Left()) {
		return nil, bmff.ErrorAt(c.Offset, nil, "%q box of %d bytes cannot hold %d offsets", c.Type, len(c.Payload), n)
	}
	start := len(c.Payload) - cur.Left()
	end := start + int(n)*size
	w.Start(c.Type)
	base := w.Len()
	w.Append(c.Payload[:end])
	w.End()
	log.trailing(c, end)
	offs := make([]Offset, 0, n)
	for i := 0; i < int(n); i++ {
		at := start + i*size
		var v uint64
		if wide {
			v = binary.BigEndian.Uint64(c.Payload[at:])
		} else {
			v = uint64(binary.BigEndian.Uint32(c.Payload[at:]))
		}
		offs = append(offs, Offset{Pos: base + at, Wide: wide, Val: v, At: c.PayloadOffset() + int64(at)})
	}
	return offs, nil
}

// EntryHead returns a copy of the fields of sample entry e before its
// boxes (14496-12 §8.5.2.2: reserved bytes and data_reference_index; then,
// in a track of handler HandlerVide, the visual fields of §12.1.3.2, and
// in one of HandlerSoun the sound fields of QTFF versions 0 to 2), with
// the reserved bytes and a visual or sound entry's vendor (QTFF) zero. A
// sound entry of another version, an entry shorter than its fields and a
// 'uuid' entry are ErrUnsupported.
func EntryHead(e bmff.Box, handler bmff.FourCC) ([]byte, error) {
	fields := 8
	switch handler {
	case HandlerVide:
		fields = VisualEntryFields
	case HandlerSoun:
		if len(e.Payload) >= 10 && e.Payload[8] == 0 && e.Payload[9] <= 2 {
			fields = AudioEntryFields[e.Payload[9]]
		} else {
			return nil, bmff.ErrorAt(e.Offset, ErrUnsupported, "sound sample entry %q of an unknown version", e.Type)
		}
	}
	if len(e.Payload) < fields || e.Type == bmff.BoxUUID {
		return nil, bmff.ErrorAt(e.Offset, ErrUnsupported, "sample entry %q of %d bytes", e.Type, len(e.Payload))
	}
	head := append([]byte(nil), e.Payload[:fields]...)
	clear(head[:6]) // reserved
	if handler == HandlerVide || handler == HandlerSoun {
		clear(head[12:16]) // vendor
	}
	return head, nil
}

// A Header is the header of a top-level box, read from its first bytes
// by PeekHeader.
type Header struct {
	Type   bmff.FourCC
	Size   int64 // of the whole box; -1: to the end of the file
	Large  bool  // the size is a 64-bit largesize
	HdrLen int   // 8, 16 with a largesize, +16 for a 'uuid' extended type
}

// PeekHeader reads the header of a top-level box that starts at file
// offset start from b, its first (up to) 16 bytes (14496-12 §4.2). It
// returns false for bytes that are not a box header: fewer than 8 bytes
// or 16 for a largesize, a type that IsBoxType refuses, a size smaller
// than the header or past the largest offset.
func PeekHeader(b []byte, start int64) (Header, bool) {
	if len(b) < 8 || !IsBoxType(b[4:8]) {
		return Header{}, false
	}
	h := Header{HdrLen: 8}
	copy(h.Type[:], b[4:8])
	size := uint64(binary.BigEndian.Uint32(b))
	switch size {
	case 0:
		h.Size = -1
	case 1:
		if len(b) < 16 {
			return Header{}, false
		}
		size = binary.BigEndian.Uint64(b[8:])
		h.HdrLen, h.Large = 16, true
	}
	if h.Type == bmff.BoxUUID {
		h.HdrLen += 16
	}
	if h.Size == 0 {
		if size < uint64(h.HdrLen) || size > math.MaxInt64-uint64(start) {
			return Header{}, false
		}
		h.Size = int64(size)
	}
	return h, true
}

// IsBoxType reports whether b looks like a box type: four printable
// characters, or '©' and three (QTFF user data atoms).
func IsBoxType(b []byte) bool {
	for i, c := range b {
		if (c < 0x20 || c > 0x7e) && !(i == 0 && c == 0xa9) {
			return false
		}
	}
	return true
}
