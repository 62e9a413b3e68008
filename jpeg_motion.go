package exifscrub

import (
	"bytes"
	"fmt"
	"io"

	"github.com/exifscrub/exifscrub/internal/motion"
)

// Motion photos (issue 21). A Google Motion Photo (GCamera:MotionPhoto,
// or the older MicroVideo) is a JPEG with an MP4 video after its EOI
// (after the gain map, if it has one); a Samsung motion photo holds the
// MP4 in its SEF trailer, after a "MotionPhoto_Data" record, before the
// "SEFH" directory. Scrub removes the video, as every trailer, and
// reports it as one finding, Embedded "MotionVideo", with the video's own
// private fields (its times, GPS, device) listed as the video scanner
// finds them, in containers prefixed "MotionPhoto ". Keeping the motion
// (--keep-motion) is not done yet.

// scanMotionVideo and scrubMotionVideo are Scan and Scrub, called
// through variables: their format table leads back here. A motion photo's
// video (JPEG trailer, HEIF 'mpvd') is scanned, and with
// Options.KeepMotion scrubbed, as a file of its own.
var (
	scanMotionVideo  func(io.Reader) (*Report, error)
	scrubMotionVideo func(io.Writer, io.Reader, *Options) (*Report, error)
)

func init() { scanMotionVideo, scrubMotionVideo = Scan, Scrub }

// jpegTrailer reports what follows a primary image without a gain map: a
// motion photo's video is read into memory (up to maxHeldTrailer) and
// scanned; anything else is streamed past, as trailer does.
func (j *jpegScrubber) jpegTrailer() error {
	head, _ := j.in.br.Peek(64)
	if i, _, _ := motion.Find(head); i < 0 {
		return j.trailer("Trailer")
	}
	at := j.in.off
	held, total, err := j.holdTrailer()
	if err != nil {
		return err
	}
	return j.reportTrailer(held, total, at)
}

// reportTrailer reports data after an image, which Scrub drops: b is what
// was held of it, total its size, at its input offset.
func (j *jpegScrubber) reportTrailer(b []byte, total, at int64) error {
	rep := j.rep
	switch {
	case total == 0:
		return nil
	case int64(len(b)) == total && allZero(b):
		rep.add(Other, "Trailer", "Padding", fmt.Sprintf("(%d zero bytes after the image)", total))
		return nil
	}
	start, end, samsung := motion.Find(b)
	if start < 0 {
		rep.add(Embedded, "Trailer", "Trailer", fmt.Sprintf("(%d bytes after the image at offset %d: %s)", total, at, trailerKind(b[:min(len(b), 16)])))
		return nil
	}
	mp4 := b[start:end]
	size := int64(len(mp4))
	if int64(len(b)) < total && !samsung {
		size = total - int64(start)
	}
	rep.add(Embedded, "JPEG", "MotionVideo", fmt.Sprintf("(motion video, %s)", megabytes(size)))
	if start > 0 || end < len(b) {
		rep.add(Embedded, "Trailer", "SamsungTrailer", fmt.Sprintf("(%d bytes of SEF trailer around the video)", int64(len(b)-len(mp4))))
	}
	if int64(len(b)) < total {
		rep.add(Embedded, "MotionPhoto", "MP4", fmt.Sprintf("(not read: the data after the image is larger than %d MB)", maxHeldTrailer>>20))
		return nil
	}
	vr, err := scanMotionVideo(bytes.NewReader(mp4))
	if vr != nil {
		for _, f := range vr.Findings {
			f.Container = "MotionPhoto " + f.Container
			rep.addFinding(f, false)
		}
	}
	if err != nil {
		rep.add(Embedded, "MotionPhoto", "MP4", fmt.Sprintf("(not readable as a video: %v)", err))
	}
	return nil
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
