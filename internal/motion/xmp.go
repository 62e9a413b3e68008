package motion

import (
	"encoding/xml"
	"strconv"
	"strings"

	"github.com/exifscrub/exifscrub/internal/xmp"
)

// NamespaceGCamera is the namespace of Google's camera properties, which
// the Motion Photo format 1.0 and the older MicroVideo use.
const NamespaceGCamera = "http://ns.google.com/photos/1.0/camera/"

// The GCamera properties of a motion photo's primary XMP, each an XMP
// Integer, with the range it may take. Motion Photo format 1.0:
// MotionPhoto is 1 for a motion photo (0 says it is not one),
// MotionPhotoVersion 1, MotionPhotoPresentationTimestampUs the time in
// the video of the still, -1 when unknown. MicroVideo likewise, with
// MicroVideoOffset the bytes from the video's start to the end of the
// file.
var props = [...]struct {
	name     string
	min, max int64
}{
	{"MotionPhoto", 0, 1},
	{"MotionPhotoVersion", 0, 1<<31 - 1},
	{"MotionPhotoPresentationTimestampUs", -1, 1<<53 - 1},
	{"MicroVideo", 0, 1},
	{"MicroVideoVersion", 0, 1<<31 - 1},
	{"MicroVideoOffset", 0, 1<<53 - 1},
	{"MicroVideoPresentationTimestampUs", -1, 1<<53 - 1},
}

// Indexes in props.
const (
	motionPhoto = iota
	_
	_
	microVideo
	_
	microVideoOffset
)

// Fields are the GCamera properties of a motion photo's primary XMP,
// parsed as integers and checked against their ranges; one absent or
// not valid is not set.
type Fields struct {
	v   [len(props)]int64
	set [len(props)]bool
}

// ParseXMP reads the GCamera properties of a primary's XMP packet (after
// the JPEG APP1 signature), or returns nil when the packet does not say
// the image is a motion photo (GCamera:MotionPhoto or GCamera:MicroVideo
// 1) or cannot be read.
func ParseXMP(p []byte) *Fields {
	roots, _, err := xmp.ReadTree(xmp.Text(p))
	if err != nil {
		return nil
	}
	f := &Fields{}
	for _, n := range xmp.TopProperties(roots) {
		if n.Name.Space != NamespaceGCamera || len(n.Kids) > 0 {
			continue
		}
		for i, pr := range props {
			if n.Name != (xml.Name{Space: NamespaceGCamera, Local: pr.name}) || f.set[i] {
				continue
			}
			v, err := strconv.ParseInt(strings.TrimSpace(string(n.Text)), 10, 64)
			if err == nil && pr.min <= v && v <= pr.max {
				f.v[i], f.set[i] = v, true
			}
		}
	}
	if !f.is(motionPhoto) && !f.is(microVideo) {
		return nil
	}
	return f
}

// is reports whether the flag property i is set to 1.
func (f *Fields) is(i int) bool { return f.set[i] && f.v[i] == 1 }

// Props returns the properties of the new packet for a video that starts
// fromEnd bytes before the end of the file, as prefixed names (GCamera:…)
// and values: those of the Motion Photo format when MotionPhoto is 1,
// those of MicroVideo when MicroVideo is 1, with MicroVideoOffset
// fromEnd; the values are decimal integers, which need no escaping.
func (f *Fields) Props(fromEnd int64) [][2]string {
	var out [][2]string
	for i, pr := range props {
		group := motionPhoto
		if i >= microVideo {
			group = microVideo
		}
		v := f.v[i]
		switch {
		case !f.is(group):
			continue
		case i == microVideoOffset:
			v = fromEnd
		case !f.set[i]:
			continue
		}
		out = append(out, [2]string{"GCamera:" + pr.name, strconv.FormatInt(v, 10)})
	}
	return out
}
