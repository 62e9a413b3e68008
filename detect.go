package exifscrub

import (
	"bytes"
	"encoding/binary"
	"strings"
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
	{MOV, isMOV, scrubMOV},
	{MP4, isMP4, scrubMOV},
}

// otherFormats are the magic bytes of common files that exifscrub does
// not read, so that errors can name them. They never decide what is read.
var otherFormats = []struct{ magic, name string }{
	{"GIF87a", "GIF"}, {"GIF89a", "GIF"},
	{"II*\x00\x10\x00\x00\x00CR", "CR2 (Canon raw)"},
	{"II*\x00", "TIFF"}, {"MM\x00*", "TIFF"},
	{"IIRO", "ORF (Olympus raw)"}, {"IIU\x00", "RW2 (Panasonic raw)"},
	{"FUJIFILMCCD-RAW", "RAF (Fujifilm raw)"},
	{"BM", "BMP"}, {"8BPS", "PSD"}, {"\x00\x00\x01\x00", "ICO"}, {"icns", "ICNS"},
	{"\xff\x0a", "JPEG XL"}, {"\x00\x00\x00\x0cJXL ", "JPEG XL"},
	{"\x00\x00\x00\x0cjP  ", "JPEG 2000"}, {"qoif", "QOI"}, {"DDS ", "DDS"},
	{"%PDF-", "PDF"}, {"<svg", "SVG"}, {"PK\x03\x04", "ZIP"}, {"\x1f\x8b", "gzip"},
}

// unsupported returns the error for an input starting with head that is
// no format of the table, naming it when it is a common one.
func unsupported(head []byte) *UnsupportedFormatError {
	for _, f := range otherFormats {
		if bytes.HasPrefix(head, []byte(f.magic)) {
			return &UnsupportedFormatError{Name: f.name}
		}
	}
	if len(head) >= 12 && string(head[4:8]) == "ftyp" {
		return &UnsupportedFormatError{Name: "ISO media (" + brand(head[8:12]) + ")"}
	}
	if len(head) >= 12 && string(head[:4]) == "RIFF" {
		return &UnsupportedFormatError{Name: "RIFF " + brand(head[8:12])}
	}
	return &UnsupportedFormatError{}
}

// brand returns a four-character code for a message: printable ASCII, '?'
// for any other byte, without spaces around it.
func brand(b []byte) string {
	r := []byte(string(b))
	for i, c := range r {
		if c < 0x20 || c > 0x7e {
			r[i] = '?'
		}
	}
	return strings.TrimSpace(string(r))
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

// videoFormat returns MOV or MP4 for a QuickTime or ISO base media video,
// or "". HEIF and AVIF files share the 'ftyp' box with videos and are told
// apart first, by heifFormat: their image sequences ('msf1', 'hevc',
// 'avis') stay HEIF files, which exifscrub refuses.
func videoFormat(head []byte) Format {
	if heifFormat(head) != "" {
		return ""
	}
	major, compatible, ok := ftypBrands(head)
	if !ok {
		// QuickTime File Format (Apple, "Overview of QTFF"): 'ftyp' is
		// optional, and older movies start with the movie or media data
		// atom, or with the 'wide', 'free' and 'skip' atoms that pad them.
		if len(head) >= 8 && binary.BigEndian.Uint32(head) != 0 {
			switch string(head[4:8]) {
			case "moov", "mdat", "wide", "free", "skip", "pnot":
				if size := binary.BigEndian.Uint32(head); size == 1 || size >= 8 {
					return MOV
				}
			}
		}
		return ""
	}
	if f := videoBrand(major); f != "" {
		return f
	}
	switch major {
	case "crx ", // Canon CR3 raw photos: ISO-BMFF, but not a video to play
		"jp2 ", "jpx ", "jpm ", "jph ", "jxl ": // JPEG 2000 (ISO/IEC 15444), JPEG XL (18181-2)
		return ""
	}
	for _, b := range compatible {
		if f := videoBrand(b); f != "" {
			return f
		}
	}
	return ""
}

// videoBrand says what an 'ftyp' brand means: 'qt  ' is QuickTime
// (QTFF "File Type Compatibility Atom"); the others are brands of ISO/IEC
// 14496-12 §E (isom, iso2…), 14496-14 (mp41, mp42), 14496-15 (avc1),
// 3GPP TS 26.244 (3gp*, 3g2*) and vendors (Apple M4V/M4A, Sony MSNV,
// Adobe F4V, Nero ND*, DASH).
func videoBrand(brand string) Format {
	if brand == "qt  " {
		return MOV
	}
	switch brand {
	case "isom", "mp41", "mp42", "mp71", "avc1", "hvc1", "dby1", "av01",
		"M4V ", "M4VH", "M4VP", "M4A ", "M4B ", "M4P ",
		"F4V ", "F4P ", "F4A ", "F4B ", "MSNV", "XAVC", "mmp4", "dash", "iso6", "CAEP", "caqv", "MPPI", "kddi", "KDDI":
		return MP4
	}
	switch {
	case len(brand) == 4 && brand[:3] == "iso" && brand[3] >= '2' && brand[3] <= '9',
		strings.HasPrefix(brand, "3gp"), strings.HasPrefix(brand, "3g2"),
		strings.HasPrefix(brand, "3ge"), strings.HasPrefix(brand, "3gg"), strings.HasPrefix(brand, "3gs"),
		strings.HasPrefix(brand, "3gr"), strings.HasPrefix(brand, "3gt"),
		strings.HasPrefix(brand, "NDS"), strings.HasPrefix(brand, "NDX"):
		return MP4
	}
	return ""
}

func isMOV(head []byte) bool { return videoFormat(head) == MOV }
func isMP4(head []byte) bool { return videoFormat(head) == MP4 }
