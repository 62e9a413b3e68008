package exifscrub

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/exifscrub/exifscrub/internal/mp4"
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

// reportMedia reports what the media data carried (what the copy loop
// counted in m and neutralised in its samples).
func reportMedia(m *mp4.Media, r *movReport) {
	if m == nil {
		return
	}
	if m.Gaps > 0 {
		r.add(Embedded, containerMovie, "UnreferencedMediaData", fmt.Sprintf("(%d bytes of 'mdat' that no sample references, not zero)", m.Gaps))
	}
	for _, t := range m.Tracks {
		names := make([]string, 0, len(t.Removed))
		for k := range t.Removed {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			v := t.Removed[k]
			cat := Embedded
			if k == "SEI136" || k == "Metadata5" { // H.265 D.2.27 time code; AV1 §6.7.1 timecode
				cat = Time
			}
			r.add(cat, containerMovie, "Sample"+k, fmt.Sprintf("(track %d: %d in the samples, %d bytes)", t.ID, v.N, v.Bytes))
		}
		if t.Bad > 0 {
			r.add(Embedded, containerMovie, "UnreadableSampleData", fmt.Sprintf("(track %d: %d bytes at the end of %d samples, not the coded data their sample entry says, zeroed)", t.ID, t.Bytes, t.Bad))
		}
	}
}

// bytesAreZero reports whether b is all zero bytes.
func bytesAreZero(b []byte) bool {
	return len(bytes.Trim(b, "\x00")) == 0
}
