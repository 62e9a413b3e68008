package mp4

import "github.com/exifscrub/exifscrub/internal/bmff"

// BoxIods is the object descriptor box (ISO/IEC 14496-14 §4.1): an MPEG-4
// Systems initial object descriptor, which some muxers still write
// (GPAC, ffmpeg with -skip_iods 0) and players do not need.
var BoxIods = bmff.FourCC{'i', 'o', 'd', 's'}

// Descriptor tags (ISO/IEC 14496-1 §7.2.2.1 and 14496-14 §3.1.2).
const (
	tagIOD      = 0x10 // MP4_IOD_Tag
	tagESIDInc  = 0x0e // ES_ID_IncTag
	maxIODBytes = 1 << 10
	maxIODRefs  = 20 // so that WriteIods's sizes fit in a byte
)

// An IOD is what an 'iods' box says, as far as it is rebuilt: the
// initial object descriptor's ID, its includeInlineProfileLevelFlag and
// five profile levels (14496-1 §7.2.6.4: OD, scene, audio, visual,
// graphics), and the tracks its ES_ID_Inc descriptors name (14496-14
// §3.1.2.2).
type IOD struct {
	ID       uint16 // 10 bits
	Inline   bool
	Profiles [5]byte
	Tracks   []uint32
}

// ParseIods reads the payload of an 'iods' box. It returns false unless
// the box is exactly a version 0 FullBox with an initial object
// descriptor of the fields above: a descriptor with a URL (which points
// elsewhere, and is text), any other descriptor inside it (OCI, IPMP,
// extensions) or bytes after it are not rebuilt, and the caller drops
// the box. So are more than 20 ES_ID_Inc descriptors.
func ParseIods(p []byte) (IOD, bool) {
	if len(p) < 4 || len(p) > maxIODBytes || p[0] != 0 {
		return IOD{}, false
	}
	tag, body, rest, ok := descriptor(p[4:])
	if !ok || tag != tagIOD || len(rest) != 0 || len(body) < 7 {
		return IOD{}, false
	}
	v := uint16(body[0])<<8 | uint16(body[1])
	if v&0x20 != 0 { // URL_Flag
		return IOD{}, false
	}
	iod := IOD{ID: v >> 6, Inline: v&0x10 != 0}
	copy(iod.Profiles[:], body[2:7])
	for b := body[7:]; len(b) > 0; {
		tag, d, r, ok := descriptor(b)
		if !ok || tag != tagESIDInc || len(d) != 4 {
			return IOD{}, false
		}
		if len(iod.Tracks) == maxIODRefs {
			return IOD{}, false
		}
		iod.Tracks = append(iod.Tracks, uint32(d[0])<<24|uint32(d[1])<<16|uint32(d[2])<<8|uint32(d[3]))
		b = r
	}
	return iod, true
}

// descriptor splits off the first descriptor of b (14496-1 §8.3.3: a tag
// byte, then a size of up to four bytes of seven bits each).
func descriptor(b []byte) (tag byte, body, rest []byte, ok bool) {
	if len(b) < 2 {
		return 0, nil, nil, false
	}
	tag = b[0]
	n, i := 0, 1
	for ; i <= 4; i++ {
		if i >= len(b) {
			return 0, nil, nil, false
		}
		n = n<<7 | int(b[i]&0x7f)
		if b[i]&0x80 == 0 {
			break
		}
	}
	if i > 4 || n > len(b)-i-1 {
		return 0, nil, nil, false
	}
	return tag, b[i+1 : i+1+n], b[i+1+n:], true
}

// WriteIods writes an 'iods' box anew from iod, each descriptor's size
// in one byte.
func WriteIods(w *bmff.Writer, iod IOD) {
	w.StartFull(BoxIods, 0, 0)
	w.U8(tagIOD)
	w.U8(byte(7 + 6*len(iod.Tracks)))
	v := iod.ID<<6 | 0x0f // reserved bits set
	if iod.Inline {
		v |= 0x10
	}
	w.U16(v)
	w.Append(iod.Profiles[:])
	for _, id := range iod.Tracks {
		w.U8(tagESIDInc)
		w.U8(4)
		w.U32(id)
	}
	w.End()
}
