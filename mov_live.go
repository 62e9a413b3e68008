package exifscrub

import (
	"bytes"
	"encoding/binary"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/mp4"
)

// The still-image-time track of a Live Photo's video (issue 21): a timed
// metadata track (handler 'meta', sample entry 'mebx', QTFF "Timed
// Metadata Media") whose one key, com.apple.quicktime.still-image-time,
// marks the frame the still was taken at; Apple's Photos pairs a still
// and a video only when the video has it. Scrub removes it with the other
// metadata tracks, but under KeepMotion with a LiveIdentifier it keeps it
// when it is exactly that: a sample entry declaring that one key (of the
// 'mdta' namespace, with at most a well-known data type), and samples
// that each hold only that key's item with the value 0 or -1 (an 8-bit
// integer), read first from the input. The sample entry is written anew
// from those fields; the samples, which were read and found to be what
// they must be, are copied. A track that is anything else, or whose
// samples cannot be read first (from a stream, whose samples come after
// the index is written), is removed as before.

var (
	entryMebx      = bmff.FourCC{'m', 'e', 'b', 'x'}
	boxKeyd        = bmff.FourCC{'k', 'e', 'y', 'd'}
	boxDtyp        = bmff.FourCC{'d', 't', 'y', 'p'}
	handlerMeta    = bmff.FourCC{'m', 'e', 't', 'a'}
	namespaceMdta  = "mdta"
	keyStillImage  = "com.apple.quicktime.still-image-time"
	maxStillSample = 64 // samples read of one track: Apple writes one
)

// A stillTrack is what Scrub writes of a kept still-image-time track.
type stillTrack struct {
	key      uint32 // the local key ID of the sample entry and the samples
	dref     uint16 // the entry's data_reference_index
	dataType uint32 // its well-known data type (QTFF), 0 when none was given
}

// checkStillTrack returns what to write of track t when it is a Live
// Photo's still-image-time track, or why it is not.
func (f *movFile) checkStillTrack(t *movTrack) (*stillTrack, string) {
	if t.Handler != handlerMeta || t.Entry != entryMebx || !t.HasStbl {
		return nil, "not a still-image-time track"
	}
	var st *stillTrack
	for c := range bmff.NewReader(t.Stbl.Payload, t.Stbl.PayloadOffset(), false).All() {
		if c.Type == mp4.BoxStsd {
			st = parseStillEntry(c)
		}
	}
	if st == nil {
		return nil, "its sample entry is not that of a still-image-time track"
	}
	if f.inAt == nil {
		return nil, "kept only when its samples can be read first (not from a stream)"
	}
	want := binary.BigEndian.AppendUint32([]byte{0, 0, 0, 9}, st.key)
	samples, good := 0, true
	buf := make([]byte, 9)
	_, err := mp4.Chunks(t.Track(), func(ch mp4.Chunk) {
		pos := ch.Start
		for i := ch.First; i < ch.First+ch.N && good; i++ {
			samples++
			if samples > maxStillSample || ch.Size(i) != 9 {
				good = false
				return
			}
			k, _ := f.inAt.ReadAt(buf, f.inBase+pos)
			good = k == 9 && bytes.Equal(buf[:8], want) && (buf[8] == 0 || buf[8] == 0xff)
			pos += 9
		}
	})
	if err != nil || !good || samples == 0 {
		return nil, "a sample is not the still-image-time item alone"
	}
	return st, ""
}

// parseStillEntry reads a sample description box: one 'mebx' entry whose
// key table ('keys') declares one key, the still-image-time key of the
// 'mdta' namespace ('keyd'), with at most a data type of the well-known
// namespace ('dtyp', namespace 0). Other boxes of the entry are not
// written. It returns nil when the box is anything else.
func parseStillEntry(stsd bmff.Box) *stillTrack {
	cur := bmff.NewCursor(stsd)
	cur.FullBox()
	if cur.U32() != 1 || cur.Err() != nil {
		return nil
	}
	r := bmff.NewReader(cur.Rest(), cur.Offset(), false)
	e, ok := r.Next()
	if !ok || e.Type != entryMebx || len(e.Payload) < 8 {
		return nil
	}
	st := &stillTrack{dref: binary.BigEndian.Uint16(e.Payload[6:])}
	tables := 0
	for k := range bmff.NewReader(e.Payload[8:], e.PayloadOffset()+8, false).All() {
		if k.Type != boxKeys {
			continue
		}
		tables++
		n := 0
		for key := range bmff.NewReader(k.Payload, k.PayloadOffset(), false).All() {
			n++
			st.key = binary.BigEndian.Uint32(key.Type[:])
			declared := false
			for d := range bmff.NewReader(key.Payload, key.PayloadOffset(), false).All() {
				switch {
				case d.Type == boxKeyd:
					declared = string(d.Payload) == namespaceMdta+keyStillImage
				case d.Type == boxDtyp && len(d.Payload) == 8 && binary.BigEndian.Uint32(d.Payload) == 0:
					st.dataType = binary.BigEndian.Uint32(d.Payload[4:])
				case d.Type == boxDtyp:
					return nil
				}
			}
			if !declared {
				return nil
			}
		}
		if n != 1 || st.key == 0 {
			return nil
		}
	}
	if tables != 1 {
		return nil
	}
	return st
}

// writeStillEntry writes the 'mebx' sample entry of a kept
// still-image-time track from its fields: the SampleEntry header with
// its data reference (14496-12 §8.5.2.2), and a key table of the one key.
func writeStillEntry(w *bmff.Writer, st *stillTrack) {
	w.Start(entryMebx)
	w.Append(make([]byte, 6))
	w.U16(st.dref)
	w.Start(boxKeys)
	w.Start(bmff.FourCC(binary.BigEndian.AppendUint32(nil, st.key)))
	w.Start(boxKeyd)
	w.Append([]byte(namespaceMdta + keyStillImage))
	w.End()
	if st.dataType != 0 {
		w.Start(boxDtyp)
		w.U32(0)
		w.U32(st.dataType)
		w.End()
	}
	w.End()
	w.End()
	w.End()
}
