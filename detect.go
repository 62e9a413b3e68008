package exifscrub

import (
	"bytes"
	"encoding/binary"
)

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
	{AVIF, isAVIF, scrubHEIF},
	{HEIF, isHEIF, scrubHEIF},
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

// ftypBrands returns the major brand and the compatible brands of an
// ISO-BMFF file's leading 'ftyp' box (ISO/IEC 14496-12 §4.3), as far as
// head holds them.
func ftypBrands(head []byte) (major string, compatible []string, ok bool) {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return "", nil, false
	}
	size := uint64(binary.BigEndian.Uint32(head))
	if size == 1 {
		// A 64-bit largesize; the brands follow it.
		size = binary.BigEndian.Uint64(head[8:])
		if size < 24 {
			return "", nil, false
		}
		size -= 8
		head = append(head[:8:8], head[16:]...)
	}
	if size < 16 || len(head) < 16 {
		return "", nil, false
	}
	end := min(size, uint64(len(head)))
	for i := uint64(16); i+4 <= end; i += 4 {
		compatible = append(compatible, string(head[i:i+4]))
	}
	return string(head[8:12]), compatible, true
}

// heifBrand says what an 'ftyp' brand means (ISO/IEC 23008-12 Annex B.4,
// and §10.2 for the structural brands; AV1 Image File Format §6).
func heifBrand(brand string) Format {
	switch brand {
	case "avif", "avis", "avio":
		return AVIF
	case "heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs",
		"mif1", "mif2", "msf1", "miaf", "heif":
		return HEIF
	}
	return ""
}

// heifFormat returns AVIF or HEIF for an HEIF-family file, or "". A
// specific major brand decides; after a structural one ('mif1', 'msf1',
// 'miaf'), an AV1 compatible brand makes the file AVIF.
func heifFormat(head []byte) Format {
	major, compatible, ok := ftypBrands(head)
	if !ok {
		return ""
	}
	switch major {
	case "mif1", "mif2", "msf1", "miaf", "heif":
	default:
		if f := heifBrand(major); f != "" {
			return f
		}
	}
	f := heifBrand(major)
	for _, b := range compatible {
		switch heifBrand(b) {
		case AVIF:
			return AVIF
		case HEIF:
			f = HEIF
		}
	}
	return f
}

func isHEIF(head []byte) bool { return heifFormat(head) == HEIF }
func isAVIF(head []byte) bool { return heifFormat(head) == AVIF }
