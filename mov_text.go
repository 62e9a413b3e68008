package exifscrub

import (
	"github.com/exifscrub/exifscrub/internal/mp4"
	"github.com/exifscrub/exifscrub/internal/timedtext"
)

// What a video's text tracks say. Drones and dash cams write the
// position of the aircraft or car into every subtitle cue, so a text
// track's cues are read (package timedtext) when the input can be read
// at any offset (a file, or bytes in memory): a position in a cue is
// reported as Location, and a track kept with Keep Text is removed all
// the same when one of its cues holds a position and the policy does not
// keep Location. A track whose cues cannot all be read first (from a
// stream, whose cues come after the index is written; or cues whose text
// timedtext does not read) is kept with Keep Text only when Location is
// kept as well.

// Bounds on the cues read of one track: a subtitle track of an hour's
// flight has a cue a second, a few dozen bytes each.
const (
	maxCueSamples = 1 << 16
	maxCueBytes   = 8 << 20
)

// A cueCheck is what the cues of a text track were found to hold.
type cueCheck struct {
	read     bool // every cue was read, or one holds a position
	position bool // and one holds a position: lat, lon
	lat, lon float64
}

// checkCues reads the cues of text track t from the input, if it can be
// read at any offset. A track with more cues than the bounds above, or a
// cue that is not read whole or whose text Cue cannot read, counts as not
// read.
func (f *movFile) checkCues(t *movTrack) cueCheck {
	if f.inAt == nil {
		return cueCheck{}
	}
	// The 'moov' read ahead (readAhead) and the one reached are the
	// same bytes: their tracks' cues are read once.
	if c, ok := f.cues[t.off]; ok {
		return c
	}
	c := f.readCues(t)
	f.cues[t.off] = c
	return c
}

// readCues reads what checkCues returns.
func (f *movFile) readCues(t *movTrack) cueCheck {
	var c cueCheck
	var buf []byte
	samples, total, complete := 0, 0, true
	_, err := mp4.Chunks(t.Track(), func(ch mp4.Chunk) {
		pos := ch.Start
		for i := ch.First; i < ch.First+ch.N && complete && !c.position; i++ {
			n := ch.Size(i)
			samples++
			if samples > maxCueSamples || n > timedtext.MaxSample || total+int(n) > maxCueBytes {
				complete = false
				return
			}
			total += int(n)
			if cap(buf) < int(n) {
				buf = make([]byte, timedtext.MaxSample)
			}
			buf = buf[:n]
			if k, _ := f.inAt.ReadAt(buf, f.inBase+pos); k != int(n) {
				complete = false
				return
			}
			s, ok := timedtext.Cue(t.Entry, buf)
			if !ok { // CEA-608 pairs, TTML, damaged cues: text not read
				complete = false
				return
			}
			c.lat, c.lon, c.position = timedtext.Position(s)
			pos += int64(n)
		}
	})
	c.read = err == nil && (complete || c.position)
	return c
}
