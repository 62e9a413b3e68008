package exifscrub

import (
	"bytes"
	"fmt"
	"io"
	"strconv"

	"github.com/exifscrub/exifscrub/internal/gainmap"
	"github.com/exifscrub/exifscrub/internal/motion"
)

// Motion photos (issue 21). A Google Motion Photo (GCamera:MotionPhoto,
// or the older MicroVideo) is a JPEG with an MP4 video after its EOI
// (after the gain map, if it has one); a Samsung motion photo holds the
// MP4 in its SEF trailer, after a "MotionPhoto_Data" record, before the
// "SEFH" directory. By default Scrub removes the video, as every trailer,
// and reports it as one finding, Embedded "MotionVideo" ("motion video,
// 3.2 MB, 3.1 s": its size, and how long its pictures play), with the
// video's own private fields (its times, GPS, device) listed as the video
// scanner finds them, in containers prefixed "MotionPhoto ".
//
// With Options.KeepMotion the video is kept, scrubbed as Scrub scrubs any
// video under the same options (its samples copied, its metadata and
// metadata tracks removed, Google's motion-photo metadata track among
// them), and written after the images: as it was for a Google photo,
// whose primary's XMP then holds, in a new packet, only the properties a
// gallery reads, parsed as integers and written anew (GCamera:MotionPhoto,
// MotionPhotoVersion, MotionPhotoPresentationTimestampUs, MicroVideo,
// MicroVideoVersion, MicroVideoOffset recomputed, and
// MicroVideoPresentationTimestampUs), with the Container:Directory of
// the kept items (Primary, GainMap, MotionPhoto, lengths recomputed),
// beside the gain map's hdrgm:Version when it has one; in a new SEF
// trailer, holding only the MotionPhoto_Data record and a directory
// listing it, for a Samsung photo. A Google video needs its primary's XMP
// to say it is a motion photo (no gallery plays it otherwise). The
// video's findings are listed as by default, and the video itself in
// Report.Kept. A video that cannot be scrubbed (damaged, not an MP4 or
// QuickTime movie, more than maxHeldTrailer bytes) is removed as by
// default, with the reason in its finding: nothing of it is kept
// unscrubbed.

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
// scanned, or under Options.KeepMotion kept when it can be; anything else
// is streamed past, as trailer does.
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
	if mv := j.keepMotion(held, total, nil); mv != nil {
		return j.write(mv.out)
	}
	return j.reportTrailer(held, total, at)
}

// A keptMotion is a motion photo's video, scrubbed, in the form it
// follows the images in the output.
type keptMotion struct {
	out     []byte // the MP4, or a SEF trailer holding it
	fromEnd int64  // bytes from the video's start to the end of the output
}

// keepMotion keeps, under Options.KeepMotion, the video of a motion photo
// in b, the data after the images (all of it when it holds total bytes),
// whose primary's XMP says what fields (nil when it says nothing): it
// scrubs the video, reports what it removed and writes it in its new
// form. It returns nil when there is no video to keep, or it cannot be
// kept; then reportTrailer reports it, and j.motionWhy says why.
func (j *jpegScrubber) keepMotion(b []byte, total int64, fields *motion.Fields) *keptMotion {
	if !j.opts.KeepMotion || total == 0 || int64(len(b)) < total {
		return nil // reportTrailer says what is not read
	}
	start, end, samsung := motion.Find(b)
	if start < 0 {
		return nil
	}
	var sef *motion.SEF
	if samsung {
		s, err := motion.ParseSEF(b)
		if err != nil {
			j.motionWhy = "its Samsung trailer does not read: " + err.Error()
			return nil
		}
		v, ok := s.Video()
		if !ok {
			j.motionWhy = "its Samsung trailer lists no MotionPhoto_Data record"
			return nil
		}
		start, end, sef = v.At, v.At+len(v.Data), s
	} else if fields == nil {
		j.motionWhy = "the primary's XMP does not say it is a motion photo"
		return nil
	}
	var video bytes.Buffer
	vr, err := scrubMotionVideo(&video, bytes.NewReader(b[start:end]), j.opts)
	switch {
	case err != nil:
		j.motionWhy = "not a video Scrub can rebuild: " + err.Error()
		return nil
	case vr.Format != MP4 && vr.Format != MOV:
		j.motionWhy = "a " + string(vr.Format) + " file, not a video"
		return nil
	case vr.Damaged:
		j.motionWhy = "its data is damaged"
		return nil
	}
	mv := &keptMotion{out: video.Bytes(), fromEnd: int64(video.Len())}
	if sef != nil {
		mv.out = motion.AppendVideoSEF(nil, sef.Version, video.Bytes())
		mv.fromEnd = int64(video.Len() + motion.SEFTail)
		if len(sef.Records) > 1 || len(b) != motion.VideoSEFLen(end-start) {
			// What the new trailer does not hold goes.
			j.rep.add(Embedded, "Trailer", "SamsungTrailer", "("+strconv.Itoa(len(b)-(end-start))+" bytes of SEF trailer around the video; a new one holds only the video)")
			j.rep.reportSEF("Samsung", sef)
		}
	}
	for _, f := range vr.Findings {
		f.Container = "MotionPhoto " + f.Container
		j.rep.addFinding(f, false)
	}
	for _, f := range vr.Kept {
		j.rep.keep(f.Category, "MotionPhoto "+f.Container, f.Tag, f.Value)
	}
	j.rep.keep(Embedded, "JPEG", "MotionVideo", "("+motionText(video.Bytes(), int64(video.Len()))+", scrubbed)")
	return mv
}

// motionXMP returns what a kept video adds to the primary's new XMP
// packet, or nil.
func (j *jpegScrubber) motionXMP(mv *keptMotion) *gainmap.Motion {
	g := j.gm
	if mv == nil || g.motion == nil {
		return nil
	}
	return &gainmap.Motion{Props: g.motion.Props(mv.fromEnd), Item: g.dir != nil && g.dir.Motion >= 0, Length: mv.fromEnd}
}

// motionKeptNames adds to kept the properties of the primary's XMP that
// the new packet holds for m (see mergeExcept); primary says that the
// directory's Primary item is kept for it, padding that it has an
// Item:Padding.
func motionKeptNames(kept map[string]int, m *gainmap.Motion, primary, padding bool) map[string]int {
	if kept == nil {
		kept = map[string]int{}
	}
	if m == nil {
		return kept
	}
	for _, p := range m.Props {
		kept[p[0]]++
	}
	if m.Item {
		n := 1
		if primary {
			n = 2
		}
		kept["Item:Semantic"] += n
		kept["Item:Mime"] += n
		kept["Item:Length"]++
		if primary && padding {
			kept["Item:Padding"]++
		}
	}
	return kept
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
	video := b[start:end]
	size := int64(len(video))
	if int64(len(b)) < total && !samsung {
		size = total - int64(start)
	}
	desc := "(motion video, " + megabytes(size) + ")"
	if int64(len(b)) == total {
		desc = "(" + motionText(video, size) + ")"
	}
	if j.motionWhy != "" {
		desc = desc[:len(desc)-1] + "; not kept: " + j.motionWhy + ")"
	}
	rep.add(Embedded, "JPEG", "MotionVideo", desc)
	if start > 0 || end < len(b) {
		rep.add(Embedded, "Trailer", "SamsungTrailer", fmt.Sprintf("(%d bytes of SEF trailer around the video)", int64(len(b)-len(video))))
		if sef, err := motion.ParseSEF(b); err == nil && int64(len(b)) == total {
			rep.reportSEF("Samsung", sef)
		}
	}
	if int64(len(b)) < total {
		rep.add(Embedded, "MotionPhoto", "MP4", fmt.Sprintf("(not read: the data after the image is larger than %d MB)", maxHeldTrailer>>20))
		return nil
	}
	vr, err := scanMotionVideo(bytes.NewReader(video))
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
