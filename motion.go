package exifscrub

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/exifscrub/exifscrub/internal/motion"
	"github.com/exifscrub/exifscrub/internal/mp4"
)

// What the motion photos of every format share (issue 21): how their
// video is described in a report, and how its own metadata is listed.

// motionText describes a motion photo's video b of size bytes for its
// Embedded "MotionVideo" finding: "motion video, 3.2 MB, 3.1 s", the time
// its first video track plays, when it says.
func motionText(b []byte, size int64) string {
	s := "motion video, " + megabytes(size)
	if d, ok := mp4.VideoSeconds(b); ok {
		s += fmt.Sprintf(", %.1f s", d)
	}
	return s
}

// megabytes formats a size for a report: "3.2 MB", "812 KB".
func megabytes(n int64) string {
	if n < 1000 {
		return fmt.Sprintf("%d bytes", n)
	}
	if n < 1_000_000 {
		return fmt.Sprintf("%d KB", (n+500)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// addMotionFindings adds to rep the findings of vr, the report of a
// motion photo's video, as its own: in their categories, in containers
// prefixed "MotionPhoto " ("MotionPhoto QuickTime mvhd"). Those vr kept
// go to rep.Kept the same way.
func (rep *Report) addMotionFindings(vr *Report) {
	if vr == nil {
		return
	}
	for _, f := range vr.Findings {
		f.Container = "MotionPhoto " + f.Container
		rep.addFinding(f, false)
	}
	for _, f := range vr.Kept {
		rep.keep(f.Category, "MotionPhoto "+f.Container, f.Tag, f.Value)
	}
}

// scanMotion reports the motion photo's video mp4, which Scrub removes:
// one Embedded finding "MotionVideo" of container, and the video's own
// findings (addMotionFindings), or why they could not be read.
func (rep *Report) scanMotion(container string, mp4b []byte) {
	rep.add(Embedded, container, "MotionVideo", "("+motionText(mp4b, int64(len(mp4b)))+")")
	vr, err := scanMotionVideo(bytes.NewReader(mp4b))
	rep.addMotionFindings(vr)
	if err != nil {
		rep.add(Embedded, "MotionPhoto", "MP4", fmt.Sprintf("(not readable as a video: %v)", err))
	}
}

// reportSEF reports the records of a Samsung SEF trailer in container
// but the MotionPhoto_Data records, which the caller reports: the
// capture time (Image_UTC_Data) as Time, named TimeStamp as ExifTool
// names it, the network's country code
// (MCC_Data) as Location, a short text (Camera_Capture_Mode_Info "1") as
// Other, and anything else, which may be an image or a sound (depth
// maps, edit data), as Embedded.
func (rep *Report) reportSEF(container string, s *motion.SEF) {
	for _, r := range s.Records {
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("%#04x", r.Type)
		}
		switch {
		case r.Type == motion.SEFMotionPhoto:
		case r.Type == motion.SEFCaptureTime:
			rep.add(Time, container, "TimeStamp", sefTime(r.Data)) // as ExifTool names it
		case r.Type == motion.SEFCountryCode:
			rep.add(Location, container, name, fmt.Sprintf("mobile country code %s", r.Data))
		case len(r.Data) <= 64 && isText(r.Data):
			rep.add(Other, container, name, string(r.Data))
		default:
			rep.add(Embedded, container, name, fmt.Sprintf("(SEF record %#04x, %d bytes)", r.Type, len(r.Data)))
		}
	}
}

// sefTime formats the capture time of a SEF record, milliseconds since
// 1970 in digits, or quotes what it holds instead.
func sefTime(b []byte) string {
	ms, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || ms < 0 || ms > 253402300799999 { // before 10000-01-01
		return fmt.Sprintf("%q", b)
	}
	return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05.000 UTC")
}
