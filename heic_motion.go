package exifscrub

import (
	"bytes"
	"fmt"
	"math"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/motion"
)

// Samsung motion photos in HEIF (issue 21). A Galaxy phone's HEIC motion
// photo holds the video, a whole MP4 file, as the payload of a top-level
// 'mpvd' box after 'meta' and 'mdat', and ends with a 'sefd' box holding a
// SEF trailer (internal/motion): the capture time (Image_UTC_Data), the
// network's mobile country code (MCC_Data), the camera mode, and a
// MotionPhoto_Data record, "mpv2" with the offset and length of the
// 'mpvd' payload in the file, which is how Samsung's Gallery finds the
// video. Neither box is part of HEIF: readers of the image skip both.
//
// By default both go. The video is reported as one Embedded finding
// "MotionVideo" ("motion video, 3.2 MB, 3.1 s") with the MP4's own
// findings (its times, GPS, device) in their categories, in containers
// prefixed "MotionPhoto "; each SEF record is reported in its category.
//
// With Options.KeepMotion the MP4 is scrubbed as a file of its own, under
// the same policy (scrubMotionVideo), and written after the image's
// 'mdat' in a new 'mpvd' box of its new size; the 'sefd' box is written
// anew with a single record, MotionPhoto_Data, pointing at the new
// payload: the capture time and the country code are private, the mode
// is not needed to play the video, and a record this code does not know
// could hold anything (Samsung writes images and audio there too). A
// video that cannot be scrubbed (damaged, or not an MP4) is removed and
// reported as by default: its bytes are never kept as they were.

var (
	boxMpvd = bmff.FourCC{'m', 'p', 'v', 'd'}
	boxSefd = bmff.FourCC{'s', 'e', 'f', 'd'}
)

// holdMotion notes a top-level 'mpvd' or 'sefd' box for motionPieces, and
// reports whether it did: a second one of either is reported as any
// other top-level box.
func (h *heifFile) holdMotion(bx bmff.Box) bool {
	switch {
	case bx.Type == boxMpvd && h.mpvd == nil:
		h.mpvd = &bx
	case bx.Type == boxSefd && h.sefd == nil:
		h.sefd = &bx
	default:
		return false
	}
	return true
}

// motionPieces reports the motion photo's boxes and returns, under
// Options.KeepMotion, the pieces of the new 'mpvd' and 'sefd' boxes, to
// be written after pieces, the rest of the new file.
func (h *heifFile) motionPieces(pieces [][]byte) ([][]byte, error) {
	var video []byte
	if h.mpvd != nil && h.opts.KeepMotion {
		video = h.scrubMotion(h.mpvd.Payload)
	} else if h.mpvd != nil {
		h.rep.scanMotion("HEIF", h.mpvd.Payload)
	}
	version := h.reportSEF(video != nil)
	if video == nil {
		return nil, nil
	}
	at := uint64(0)
	for _, p := range pieces {
		at += uint64(len(p))
	}
	var w bmff.Writer
	w.Header(boxMpvd, nil, uint64(len(video)))
	head := w.Bytes()
	payloadAt := at + uint64(len(head))
	if payloadAt+uint64(len(video)) > math.MaxUint32 {
		return nil, bmff.ErrorAt(h.mpvd.Offset, ErrUnsupportedFeature, "the motion video would end past 4 GB, beyond the reach of its SEF record")
	}
	out := [][]byte{head, video}
	if h.sefd != nil {
		sef := motion.AppendSEF(nil, version, []motion.Record{{Type: motion.SEFMotionPhoto, Name: "MotionPhoto_Data",
			Data: motion.AppendHEIFVideo(nil, uint32(payloadAt), uint32(len(video)))}})
		var s bmff.Writer
		s.Start(boxSefd)
		s.Append(sef)
		s.End()
		out = append(out, s.Bytes())
	}
	return out, nil
}

// scrubMotion scrubs the MP4 of an 'mpvd' box under the file's policy and
// returns it, reporting what it removed; or, when it cannot, reports the
// video as removed and returns nil.
func (h *heifFile) scrubMotion(mp4b []byte) []byte {
	opts := *h.opts
	opts.LiveIdentifier = "" // Samsung's videos have none; Live Photos are two files
	var out bytes.Buffer
	vr, err := scrubMotionVideo(&out, bytes.NewReader(mp4b), &opts)
	if err == nil && !vr.Format.IsVideo() {
		err = fmt.Errorf("a %s file, not a video", vr.Format)
	}
	if err != nil {
		h.rep.add(Embedded, "HEIF", "MotionVideo", fmt.Sprintf("(%s, removed: it cannot be scrubbed: %v)", motionText(mp4b, int64(len(mp4b))), err))
		vr, _ := scanMotionVideo(bytes.NewReader(mp4b))
		h.rep.addMotionFindings(vr)
		return nil
	}
	h.rep.addMotionFindings(vr)
	return out.Bytes()
}

// reportSEF reports the records of the 'sefd' box; that of the motion
// photo's video only when it is not kept, written anew (kept). It returns
// the trailer's version, to write again, or 0 when it does not read.
func (h *heifFile) reportSEF(kept bool) uint32 {
	if h.sefd == nil {
		return 0
	}
	const container = "HEIF sefd"
	sef, err := motion.ParseSEF(h.sefd.Payload)
	if err != nil {
		h.rep.add(Embedded, container, "SEF", fmt.Sprintf("(%d bytes: %v)", len(h.sefd.Payload), err))
		return 0
	}
	for _, r := range sef.Records {
		if _, _, ok := motion.HEIFVideo(r.Data); r.Type == motion.SEFMotionPhoto && !(ok && kept) {
			h.rep.add(Other, container, r.Name, fmt.Sprintf("(where the motion video is, %d bytes)", len(r.Data)))
		}
	}
	h.rep.reportSEF(container, sef)
	return sef.Version
}
