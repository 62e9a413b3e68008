package exifscrub

import (
	"bytes"
	"encoding/binary"
	"io"

	"github.com/exifscrub/exifscrub/internal/gainmap"
	"github.com/exifscrub/exifscrub/internal/mpf"
)

// The Apple MakerNote of a JPEG (issue 21): an iPhone HDR JPEG whose gain
// map is of version 1 has no headroom of its own, and Apple's renderer
// scales it by tags 0x0021 (HDRHeadroom) and 0x0030 (HDRGain) of the
// primary's MakerNote; a Live Photo's JPEG still holds its content
// identifier there (tag 0x0011). Scrub writes a MakerNote of those tags
// alone (gainmap.AppleHDR.MakerNote, as for HEIF) into the primary's EXIF
// segment: the headroom when the primary's MPF index names a gain map,
// the new identifier under Options.KeepMotion with LiveIdentifier.
//
// The EXIF segment comes first, and the MPF index after it, so the
// output from the EXIF segment on is held in memory until the MPF
// segment, or the first scan when there is none: a few header segments.
// The choice is made then, before the gain map itself is read: a gain
// map of version 2 (iOS 18, headroom in its own XMP) gets the two numbers
// too, which its renderer ignores, and so does one that is later dropped
// (see jpeg_gainmap.go); they are ratios of the scene's brightness, not
// private.

// An appleHold is the primary's output held from its EXIF segment on.
type appleHold struct {
	note  gainmap.AppleHDR // the original's HDR tags
	plain []byte           // the EXIF payload as by default (nil: no segment)
	fill  int
	real  io.Writer
	buf   bytes.Buffer
}

// holdApple takes the primary's first EXIF segment p (its payload
// before appSegment; keep and out what appSegment made of it) when it has
// an Apple MakerNote with HDR tags, or when a Live identifier is to be
// written, and starts holding the output. It reports whether it took
// the segment, which the caller then does not write.
func (j *jpegScrubber) holdApple(p []byte, keep bool, out []byte, fill int) bool {
	if j.gm == nil || j.count == nil || j.apple != nil || j.appleDone || !bytes.HasPrefix(p, sigExif) || len(p) < 6 {
		return false
	}
	j.appleDone = true // the first EXIF segment only
	note, _, _, ok := exifAppleNote(p[6:])
	live := j.opts.KeepMotion && j.opts.LiveIdentifier != ""
	if !ok || !note.HasHeadroom && !note.HasGain && !live {
		return false
	}
	h := &appleHold{note: note.HDR(), fill: fill, real: j.count.w}
	if keep {
		h.plain = out
	}
	j.apple = h
	j.count.w = &h.buf
	return true
}

// releaseApple writes the held EXIF segment, with the Apple MakerNote when
// gain says the MPF index names a gain map or a Live identifier is to be
// written, then the held output, and stops holding.
func (j *jpegScrubber) releaseApple(gain bool) error {
	h := j.apple
	if h == nil {
		return nil
	}
	j.apple = nil
	j.count.w = h.real
	note := gainmap.AppleHDR{}
	if gain {
		note = h.note
	}
	if j.opts.KeepMotion {
		note.ContentIdentifier = j.opts.LiveIdentifier
	}
	seg := h.plain
	if note.HasHeadroom || note.HasGain || note.ContentIdentifier != "" {
		var block []byte
		if h.plain != nil {
			block = h.plain[6:]
		}
		if b := withAppleNote(block, binary.BigEndian, note.MakerNote(), maxSegment-len(sigExif)-1); b != nil {
			seg = append(append([]byte(nil), "Exif\x00\x00"...), b...)
		}
	}
	if seg != nil {
		// Written through the counter: the MPF index counts what is
		// before it.
		if err := j.writeSegment(markerAPP1, h.fill, seg); err != nil {
			return err
		}
	}
	_, err := h.real.Write(h.buf.Bytes())
	if err != nil {
		return &writeError{err}
	}
	return nil
}

// appleRelease is releaseApple at the segment code of payload p, when it
// ends the hold: an MPF segment (which says whether there is a gain
// map), a scan, or the end of the image.
func (j *jpegScrubber) appleRelease(code byte, p []byte) error {
	switch {
	case j.apple == nil:
		return nil
	case code == markerAPP2 && bytes.HasPrefix(p, sigMPF):
		m, ok := mpf.Parse(p[len(sigMPF):])
		return j.releaseApple(ok && len(m.Entries) > 0 && m.GainMapEntry() > 0)
	case code == markerSOS || code == markerEOI:
		return j.releaseApple(false)
	}
	return nil
}
