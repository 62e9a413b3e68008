package exifscrub

import "bytes"

// A format is one entry of the table that detects and scrubs a container,
// in the manner of image.RegisterFormat, but fixed.
type format struct {
	name  Format
	match func(head []byte) bool
	scrub func(s *scrubber) error
}

// maxMagicLen is how many leading bytes detection looks at: enough for an
// ISO-BMFF 'ftyp' box with a few compatible brands.
const maxMagicLen = 64

var formats = []format{
	{JPEG, isJPEG, scrubJPEG},
	{PNG, isPNG, scrubPNG},
	{WebP, isWebP, scrubWebP},
}

// detect returns the format of an input starting with head, or nil.
func detect(head []byte) *format {
	for i := range formats {
		if formats[i].match(head) {
			return &formats[i]
		}
	}
	return nil
}

// DetectFormat returns the format of an image that starts with head (64
// bytes suffice), or "" when exifscrub does not support it.
func DetectFormat(head []byte) Format {
	if f := detect(head); f != nil {
		return f.name
	}
	return ""
}

// JPEG (ITU T.81 B.1.1.3): SOI, then the marker of the first segment.
func isJPEG(head []byte) bool { return bytes.HasPrefix(head, []byte{0xff, 0xd8, 0xff}) }

// PNG (ISO/IEC 15948 §5.2): the 8-byte signature.
func isPNG(head []byte) bool { return bytes.HasPrefix(head, pngSignature) }
