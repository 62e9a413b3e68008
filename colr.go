package exifscrub

import (
	"errors"
	"fmt"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// The colour information box (ISO/IEC 14496-12 §12.1.5; QTFF "Color
// parameter atom"), which HEIF files hold as an item property and videos
// in their visual sample entries: both rebuild it with writeColr.

// propColr is the colour information box's type.
var propColr = bmff.FourCC{'c', 'o', 'l', 'r'}

// isICC reports whether a 'colr' property holds an ICC profile
// (14496-12 §12.1.5: colour_type 'prof' or 'rICC').
func isICC(p bmff.Box) bool {
	return len(p.Payload) >= 4 && (string(p.Payload[:4]) == "prof" || string(p.Payload[:4]) == "rICC")
}

// writeColr writes the fields of a colour information box (14496-12
// §12.1.5, QTFF "Color parameter atom") after its header: 'nclx' as its
// code points and full-range flag, QuickTime's 'nclc' as its code points,
// an ICC profile ('prof', 'rICC') sanitised (icc.go): its colour tags,
// without the dates, devices and text. A profile colour engines would not
// use, and other colour types, are dropped and reported as found in
// container; one that would be used but cannot be rebuilt is an error.
// HEIF item properties and video sample entries share it.
func writeColr(rep *Report, container string, w *bmff.Writer, c *bmff.Cursor) (bool, error) {
	typ := c.FourCC()
	w.Append(typ[:])
	switch typ {
	case bmff.FourCC{'n', 'c', 'l', 'x'}:
		w.Append(c.Take(6))
		w.U8(c.U8() & 0x80)
	case bmff.FourCC{'n', 'c', 'l', 'c'}:
		w.Append(c.Take(6))
	case bmff.FourCC{'p', 'r', 'o', 'f'}, bmff.FourCC{'r', 'I', 'C', 'C'}:
		p := c.Take(c.Left())
		if c.Err() != nil {
			return false, nil
		}
		out, err := scrubICC(rep, "ICC_Profile", p)
		switch {
		case errors.Is(err, ErrUnsupportedFeature):
			return false, err
		case err != nil:
			return false, nil // reported by scrubICC
		}
		w.Append(out)
	default:
		if c.Err() == nil {
			rep.add(Embedded, container, typ.String(), fmt.Sprintf("(%d bytes)", c.Left()))
		}
		c.Take(c.Left())
		return false, nil
	}
	return true, nil
}
