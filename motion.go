package exifscrub

import (
	"bytes"
	"fmt"
	"time"

	"github.com/exifscrub/exifscrub/internal/mp4"
)

// What the motion photos of every format share (issue 21): how their
// video is described in a report, and how its own metadata is listed.

// motionText describes a motion photo's video for its Embedded
// "MotionVideo" finding: "motion video, 3.2 MB, 3.1 s", without the
// duration when the video's header gives none (dur < 0).
func motionText(size int64, dur time.Duration) string {
	if dur < 0 {
		return fmt.Sprintf("motion video, %s", megabytes(size))
	}
	return fmt.Sprintf("motion video, %s, %.1f s", megabytes(size), dur.Seconds())
}

// motionDuration returns the duration of the movie mp4 from its movie
// header, or -1 when it has none.
func motionDuration(mp4b []byte) time.Duration {
	if d, ok := mp4.MovieDuration(mp4b); ok {
		return d
	}
	return -1
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
	rep.add(Embedded, container, "MotionVideo", "("+motionText(int64(len(mp4b)), motionDuration(mp4b))+")")
	vr, err := scanMotionVideo(bytes.NewReader(mp4b))
	rep.addMotionFindings(vr)
	if err != nil {
		rep.add(Embedded, "MotionPhoto", "MP4", fmt.Sprintf("(not readable as a video: %v)", err))
	}
}
