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
// keep Location. From a stream, whose cues come after the index is
// written, they cannot be read first: such a track is kept with Keep
// Text only when Location is kept as well.

// Bounds on the cues read of one track: a subtitle track of an hour's
// flight has a cue a second, a few dozen bytes each.
const (
	maxCueSamples = 1 << 16
	maxCueBytes   = 8 << 20
)

// A cueCheck is what the cues of a text track were found to hold.
type cueCheck struct {
	read     bool // the cues were read (as far as the bounds above)
	position bool // and one holds a position: lat, lon
	lat, lon float64
}

// checkCues reads the cues of text track t from the input, if it can be
// read at any offset.
func (f *movFile) checkCues(t *movTrack) cueCheck {
	if f.inAt == nil {
		return cueCheck{}
	}
	c := cueCheck{read: true}
	var buf []byte
	samples, total := 0, 0
	_, err := mp4.Chunks(t.Track(), func(ch mp4.Chunk) {
		pos := ch.Start
		for i := ch.First; i < ch.First+ch.N; i++ {
			n := ch.Size(i)
			if c.position || samples == maxCueSamples || total+int(min(n, maxCueBytes)) > maxCueBytes {
				return
			}
			samples++
			if n <= timedtext.MaxSample {
				total += int(n)
				buf = append(buf[:0], make([]byte, n)...)
				if k, _ := f.inAt.ReadAt(buf, f.inBase+pos); k == int(n) {
					if s, ok := timedtext.Cue(t.Entry, buf); ok {
						c.lat, c.lon, c.position = timedtext.Position(s)
					}
				}
			}
			pos += int64(n)
		}
	})
	if err != nil {
		return cueCheck{}
	}
	return c
}
