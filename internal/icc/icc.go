// Package icc parses and sanitises ICC colour profiles (ICC.1:2022, "ICC
// v4", §7; ICC.1:2001-04 for v2).
//
// A profile is a 128-byte header, a tag table (a uint32 count, then a
// 12-byte entry per tag: signature, offset and size, all big-endian), and
// the tags' data, each starting with a 4-byte type signature and 4
// reserved bytes (§10.1).
//
// A profile is not only colour. Its header names the device manufacturer
// and model, the software that made it and its platform, and the day it was
// made; its 'desc', 'cprt', 'dmnd', 'dmdd' and 'vued' tags are free text.
// A display profile, which desktop screenshots carry, names the monitor
// and the day it was calibrated. Sanitize rebuilds a profile from the tags
// that define colour, byte for byte, with neutral required text and a
// header without the identifying fields. Parse returns the facts a caller
// needs to say what Sanitize removes: the header's fields (Header), the
// tag table (Profile.Tags), and the bytes no tag covers; the package does
// not judge what they reveal.
//
// What is kept, and why (ICC.1:2022 §8, §9.2):
//
//   - the matrix/TRC model: rXYZ, gXYZ, bXYZ, rTRC, gTRC, bTRC, kTRC;
//   - the white and black points and the adaptation: wtpt, bkpt, chad;
//   - the LUT models: A2B0–A2B2, B2A0–B2A2, D2B0–D2B3, B2D0–B2D3;
//   - cicp (coding-independent code points, v4.4), chrm (chromaticity of
//     the colorants, used by some CMMs to build the matrix), lumi (absolute
//     luminance, which HDR rendering uses), clro (colorant order, numbers
//     only, used when an N-colour device's channels are mapped).
//
// What is dropped: every text tag except the required desc and cprt, which
// are replaced; the tags that only describe measurement or viewing
// (meas, view, tech, rig0, rig2, ciis, resp), those only used for gamut
// checks and soft proofing (gamt, pre0–pre2), the named-colour and colorant
// tables (ncol, ncl2, clrt, clot), which hold names, device link history
// (pseq, psid), calibration data and dates (calt, targ, vcgt, ndin) and
// private tags. None of these is read when an image is converted from the
// profile to a display's colour space: littleCMS's transforms use the tags
// kept above, and so do skcms and ColorSync.
//
// The header's size and tag table are rebuilt, tag data is 4-byte aligned
// (§7.1.2), tags that shared data still share it, and the preferred CMM,
// date, platform, device manufacturer, model and attributes, creator,
// profile ID and reserved bytes are zero, which §7.2 allows for each
// ("If there is no ... identified, this field shall be set to zero"; a
// zero profile ID means it was not computed, §7.2.18).
//
// Simple tag types are cut to the length their fields define (XYZType,
// curveType, parametricCurveType, s15Fixed16ArrayType, chromaticityType,
// cicpType, lut8Type, lut16Type), so that nothing follows their values;
// other types are copied whole within the size the tag table gives. The
// reserved bytes of every kept tag are zeroed.
//
// The contract: Sanitize never panics and allocates only what the profile
// holds; its output is a fixed point (Sanitize of it returns the same
// bytes); the colour tags are copied byte for byte but for their reserved
// bytes and what follows their values. Errors are *Error values wrapping
// ErrInvalid (not a profile a colour engine would use: remove it) or
// ErrUnsupported (one it would use that Sanitize cannot rebuild safely).
//
// Chunks and JPEGChunks collect and split the APP2 chunks that carry a
// profile in a JPEG file (Annex B.4), refusing those libjpeg refuses.
//
// The package does not convert colour, check that a profile's LUTs or
// curves make sense, or read iccMAX (version 5) profiles.
package icc

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/adler32"
	"hash/crc32"
	"sort"
	"strings"
	"unicode/utf16"
)

const (
	headerSize   = 128
	tagEntrySize = 12
	// MaxSize bounds a profile held in memory: a JPEG can hold at most
	// 255 APP2 chunks of 65519 bytes (ICC.1:2022 Annex B.4).
	MaxSize = 255 * (65535 - 2 - 14)
)

// The neutral text that replaces the required desc and cprt tags.
const (
	NeutralDescription = "ICC Profile"
	NeutralCopyright   = "No copyright notice"
)

var (
	// ErrInvalid is the Err of an Error for a profile that colour engines
	// would not use: not a profile at all, truncated, or with tags outside
	// it. Such a profile is removed, never copied.
	ErrInvalid = errors.New("not a valid ICC profile")
	// ErrUnsupported is the Err of an Error for a profile colour engines
	// would use but that Sanitize cannot rebuild safely.
	ErrUnsupported = errors.New("unsupported ICC profile")
)

// An Error is a profile that Parse or Sanitize refuses. Offset is where in
// the profile the problem was found.
type Error struct {
	Offset int64
	Reason string
	Err    error // ErrInvalid or ErrUnsupported
}

func (e *Error) Error() string { return e.Err.Error() + ": " + e.Reason }

func (e *Error) Unwrap() error { return e.Err }

// A Sig is a 4-byte signature, written as its four characters.
type Sig uint32

func (s Sig) String() string {
	b := binary.BigEndian.AppendUint32(nil, uint32(s))
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return "0x" + hex.EncodeToString(b)
		}
	}
	return string(b)
}

// SigOf returns the signature of four characters, such as "desc".
func SigOf(s string) Sig { return Sig(binary.BigEndian.Uint32([]byte(s))) }

// colourTags are the tags Sanitize keeps byte for byte.
var colourTags = map[Sig]bool{
	SigOf("rXYZ"): true, SigOf("gXYZ"): true, SigOf("bXYZ"): true,
	SigOf("rTRC"): true, SigOf("gTRC"): true, SigOf("bTRC"): true, SigOf("kTRC"): true,
	SigOf("wtpt"): true, SigOf("bkpt"): true, SigOf("chad"): true,
	SigOf("A2B0"): true, SigOf("A2B1"): true, SigOf("A2B2"): true,
	SigOf("B2A0"): true, SigOf("B2A1"): true, SigOf("B2A2"): true,
	SigOf("D2B0"): true, SigOf("D2B1"): true, SigOf("D2B2"): true, SigOf("D2B3"): true,
	SigOf("B2D0"): true, SigOf("B2D1"): true, SigOf("B2D2"): true, SigOf("B2D3"): true,
	SigOf("cicp"): true, SigOf("chrm"): true, SigOf("lumi"): true, SigOf("clro"): true,
}

// IsColourTag reports whether Sanitize keeps the tag s (see the package
// comment).
func IsColourTag(s Sig) bool { return colourTags[s] }

// singleValue are the colour tags whose array type holds exactly one
// value (§9.2.3, 9.2.9, 9.2.18, 9.2.33, 9.2.34, 9.2.44, 9.2.49): an
// XYZNumber, or chad's 3×3 matrix.
var singleValue = map[Sig]struct {
	typ  string
	size int
}{
	SigOf("rXYZ"): {"XYZ ", 20}, SigOf("gXYZ"): {"XYZ ", 20}, SigOf("bXYZ"): {"XYZ ", 20},
	SigOf("wtpt"): {"XYZ ", 20}, SigOf("bkpt"): {"XYZ ", 20}, SigOf("lumi"): {"XYZ ", 20},
	SigOf("chad"): {"sf32", 44},
}

var (
	tagDesc = SigOf("desc")
	tagCprt = SigOf("cprt")
)

// A Tag is one entry of the tag table. Offset and Size are checked to lie
// within the profile.
type Tag struct {
	Sig          Sig
	Offset, Size uint32
}

// The Header holds the fields of a profile's header (ICC.1:2022 §7.2)
// that Sanitize sets to zero.
type Header struct {
	CMM          Sig       // preferred CMM type, §7.2.3
	Platform     Sig       // primary platform, §7.2.10
	Manufacturer Sig       // device manufacturer, §7.2.12
	Model        Sig       // device model, §7.2.13
	Creator      Sig       // profile creator, §7.2.17
	Date         [6]uint16 // year, month, day, hours, minutes, seconds (§7.2.8); zero if not set
	Attributes   [8]byte   // device attributes, §7.2.14
	ID           [16]byte  // profile ID, §7.2.18
	// Reserved reports non-zero bytes where §7.2 reserves them: after the
	// version (§7.2.4), in the flags other than the two it defines
	// (§7.2.11), in the rendering intent's high 16 bits (§7.2.15) and
	// after the profile ID (§7.2.19).
	Reserved bool
}

// A Profile is a parsed profile.
type Profile struct {
	Header Header
	Tags   []Tag  // in the order of the tag table
	Extra  []byte // bytes after the size the header gives
	b      []byte // the profile, cut to the header's size
	major  byte
}

// Parse checks a profile's header and tag table. It returns an *Error
// wrapping ErrInvalid for what is not a usable profile, and one wrapping
// ErrUnsupported for a profile a colour engine would use but that
// Sanitize cannot rebuild safely.
func Parse(p []byte) (*Profile, error) {
	invalid := func(off int, format string, a ...any) error {
		return &Error{Offset: int64(off), Reason: fmt.Sprintf(format, a...), Err: ErrInvalid}
	}
	unsupported := func(off int, format string, a ...any) error {
		return &Error{Offset: int64(off), Reason: fmt.Sprintf(format, a...), Err: ErrUnsupported}
	}
	if len(p) < headerSize+4 {
		return nil, invalid(0, "%d bytes, too short for a header and tag count", len(p))
	}
	if string(p[36:40]) != "acsp" { // §7.2.9 profile file signature
		return nil, invalid(36, "no 'acsp' signature")
	}
	size := uint64(binary.BigEndian.Uint32(p))
	switch {
	case size < headerSize+4:
		return nil, invalid(0, "profile size %d is less than %d", size, headerSize+4)
	case size > uint64(len(p)):
		return nil, invalid(0, "profile size %d exceeds the %d bytes present", size, len(p))
	case size > MaxSize:
		return nil, unsupported(0, "profile size %d exceeds %d", size, MaxSize)
	}
	pr := &Profile{b: p[:size], Extra: p[size:], major: p[8]}
	if pr.major != 2 && pr.major != 4 {
		// §7.2.4: version 4 and, for v2, ICC.1:2001-04. iccMAX (5)
		// profiles have other tags that define colour.
		return nil, unsupported(8, "version %d.%d is not 2 or 4", p[8], p[9]>>4)
	}
	count := uint64(binary.BigEndian.Uint32(p[headerSize:]))
	tableEnd := headerSize + 4 + count*tagEntrySize
	if tableEnd > size {
		return nil, invalid(headerSize, "%d tags do not fit in %d bytes", count, size)
	}
	pr.Tags = make([]Tag, 0, count)
	seen := make(map[Sig]bool)
	for i := uint64(0); i < count; i++ {
		at := headerSize + 4 + int(i)*tagEntrySize
		e := p[at:]
		t := Tag{
			Sig:    Sig(binary.BigEndian.Uint32(e)),
			Offset: binary.BigEndian.Uint32(e[4:]),
			Size:   binary.BigEndian.Uint32(e[8:]),
		}
		end := uint64(t.Offset) + uint64(t.Size)
		switch {
		case end > size:
			return nil, invalid(at, "tag %v at offset %d, %d bytes, ends after the profile's %d bytes", t.Sig, t.Offset, t.Size, size)
		case !colourTags[t.Sig]:
		case uint64(t.Offset) < tableEnd:
			return nil, unsupported(at, "tag %v at offset %d overlaps the header or tag table", t.Sig, t.Offset)
		case t.Size < 8:
			return nil, unsupported(at, "tag %v of %d bytes has no type", t.Sig, t.Size)
		case seen[t.Sig]:
			return nil, unsupported(at, "tag %v appears twice", t.Sig)
		}
		seen[t.Sig] = true
		pr.Tags = append(pr.Tags, t)
	}
	pr.Header = header(p)
	return pr, nil
}

// header reads the header fields of p, at least headerSize bytes.
func header(h []byte) Header {
	u32 := func(off int) Sig { return Sig(binary.BigEndian.Uint32(h[off:])) }
	hd := Header{
		CMM:          u32(4),
		Platform:     u32(40),
		Manufacturer: u32(48),
		Model:        u32(52),
		Creator:      u32(80),
		Reserved: !isZero(h[10:12]) || h[44]|h[45]|h[46]|h[47]&^3 != 0 ||
			!isZero(h[64:66]) || !isZero(h[100:128]),
	}
	for i := range hd.Date {
		hd.Date[i] = binary.BigEndian.Uint16(h[24+2*i:])
	}
	copy(hd.Attributes[:], h[56:64])
	copy(hd.ID[:], h[84:100])
	return hd
}

// isZero reports whether every byte of b is zero.
func isZero(b []byte) bool { return len(bytes.TrimLeft(b, "\x00")) == 0 }

// data returns a tag's bytes.
func (pr *Profile) data(t Tag) []byte { return pr.b[t.Offset : t.Offset+t.Size] }

// typeLength returns the length the fields of a tag's type define, or ok ==
// false for a type whose length Sanitize does not compute. It returns an
// error when the fields claim more than the tag holds.
func typeLength(d []byte) (n int, ok bool, err error) {
	if len(d) < 8 {
		return 0, false, fmt.Errorf("%d bytes", len(d))
	}
	need := func(k int) (int, bool, error) {
		if k > len(d) {
			return 0, false, fmt.Errorf("type %q needs %d bytes, tag has %d", d[:4], k, len(d))
		}
		return k, true, nil
	}
	u16 := func(i int) int {
		if i+2 > len(d) {
			return -1
		}
		return int(binary.BigEndian.Uint16(d[i:]))
	}
	switch string(d[:4]) {
	case "XYZ ": // §10.31: 12 bytes per XYZNumber
		return 8 + (len(d)-8)/12*12, true, nil
	case "sf32": // §10.22: 4 bytes per s15Fixed16Number
		return 8 + (len(d)-8)/4*4, true, nil
	case "curv": // §10.6: a count, then uInt16Numbers
		if len(d) < 12 {
			return need(12)
		}
		return need(12 + 2*int(binary.BigEndian.Uint32(d[8:])))
	case "para": // §10.18: a function type and its parameters
		params := map[int]int{0: 1, 1: 3, 2: 4, 3: 5, 4: 7}
		n, known := params[u16(8)]
		if !known {
			return 0, false, nil
		}
		return need(12 + 4*n)
	case "chrm": // §10.2: channels, colorant type, an xy pair per channel
		if u16(8) < 0 {
			return need(12)
		}
		return need(12 + 8*u16(8))
	case "cicp": // §10.3: four 1-byte fields
		return need(12)
	case "mft1": // §10.11: lut8Type
		if len(d) < 48 {
			return need(48)
		}
		in, out, grid := int(d[8]), int(d[9]), int(d[10])
		clut := uint64(out)
		for i := 0; i < in; i++ {
			clut *= uint64(grid)
			if clut > uint64(len(d)) {
				return need(len(d) + 1)
			}
		}
		return need(48 + 256*in + int(clut) + 256*out)
	case "mft2": // §10.10: lut16Type
		if len(d) < 52 {
			return need(52)
		}
		in, out, grid := int(d[8]), int(d[9]), int(d[10])
		inEntries, outEntries := int(binary.BigEndian.Uint16(d[48:])), int(binary.BigEndian.Uint16(d[50:]))
		clut := uint64(out)
		for i := 0; i < in; i++ {
			clut *= uint64(grid)
			if clut > uint64(len(d)) {
				return need(len(d) + 1)
			}
		}
		return need(52 + 2*in*inEntries + 2*int(clut) + 2*out*outEntries)
	}
	return 0, false, nil
}

// keptTag returns the bytes Sanitize writes for a colour tag: cut to
// its type's length, with the reserved bytes zero (§10.1; parametricCurveType
// has two more, §10.18).
func keptTag(s Sig, d []byte) ([]byte, error) {
	n, ok, err := typeLength(d)
	if err != nil {
		return nil, err
	}
	if !ok {
		n = len(d)
	}
	if want, one := singleValue[s]; one && string(d[:4]) == want.typ {
		// These tags hold one value of their type (§9.2): an array
		// type's room after it holds nothing a reader uses.
		if n < want.size {
			return nil, fmt.Errorf("%d bytes, want %d", n, want.size)
		}
		n = want.size
	}
	out := append([]byte(nil), d[:n]...)
	clear(out[4:8])
	if string(out[:4]) == "para" && len(out) >= 12 {
		clear(out[10:12])
	}
	return out, nil
}

// Unused reports what a colour tag holds that Sanitize does not copy:
// whether its reserved bytes (§10.1) are set and, if they are not, how
// many bytes follow its values when any of them is not zero (0 if none
// does).
func (pr *Profile) Unused(t Tag) (reserved bool, after int) {
	d := pr.data(t)
	if len(d) >= 8 && !isZero(d[4:8]) {
		return true, 0
	}
	if k, err := keptTag(t.Sig, d); err == nil && !isZero(d[len(k):]) {
		return false, len(d) - len(k)
	}
	return false, 0
}

// neutralText returns the tag data for a required text tag in the type the
// profile's version needs: for v2, textDescriptionType for desc
// (ICC.1:2001-04 §6.5.17) and textType for cprt (§6.5.18); for v4,
// multiLocalizedUnicodeType (ICC.1:2022 §10.15) for both.
func neutralText(major byte, s Sig) []byte {
	text := NeutralCopyright
	if s == tagDesc {
		text = NeutralDescription
	}
	var b []byte
	switch {
	case major >= 4:
		u := utf16.Encode([]rune(text))
		b = append(b, "mluc\x00\x00\x00\x00"...)
		b = binary.BigEndian.AppendUint32(b, 1)  // number of records
		b = binary.BigEndian.AppendUint32(b, 12) // record size
		b = append(b, "enUS"...)
		b = binary.BigEndian.AppendUint32(b, uint32(2*len(u)))
		b = binary.BigEndian.AppendUint32(b, 28) // offset from the tag's start
		for _, c := range u {
			b = binary.BigEndian.AppendUint16(b, c)
		}
	case s == tagDesc:
		b = append(b, "desc\x00\x00\x00\x00"...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(text)+1))
		b = append(b, text...)
		b = append(b, 0)
		b = binary.BigEndian.AppendUint32(b, 0) // Unicode language code
		b = binary.BigEndian.AppendUint32(b, 0) // Unicode count
		b = binary.BigEndian.AppendUint16(b, 0) // ScriptCode code
		b = append(b, 0)                        // ScriptCode count
		b = append(b, make([]byte, 67)...)      // Macintosh description
	default:
		b = append(b, "text\x00\x00\x00\x00"...)
		b = append(b, text...)
		b = append(b, 0)
	}
	return b
}

// Sanitize returns p rebuilt from the tags that define colour, byte for
// byte, with neutral desc and cprt tags and the identifying header fields
// zero (see the package comment). The result is a fixed point: Sanitize of
// it returns the same bytes.
//
// An error wrapping ErrInvalid means p is not a usable profile: callers
// remove it. An error wrapping ErrUnsupported means colour engines would
// use p but it cannot be rebuilt safely: callers refuse the image, unless
// the profile is being dropped anyway.
func Sanitize(p []byte) ([]byte, error) {
	pr, err := Parse(p)
	if err != nil {
		return nil, err
	}
	return pr.Sanitize()
}

// publishedSRGB lists the sRGB profiles that the ICC and HP/Microsoft
// published, by length, Adler-32 and CRC-32, as libpng's png_sRGB_checks
// identifies them (png.c). A profile byte-identical to one of them is the
// same file in every image that carries it and says nothing about who made
// the image; and libpng, so ImageMagick and others, reads it as the sRGB
// colour space rather than as a profile. Sanitize keeps such a profile
// as it is, so those readers display the image as before.
var publishedSRGB = []struct{ length, adler, crc uint32 }{
	{3048, 0x0a3fd9f6, 0x3b8772b9},  // sRGB_IEC61966-2-1_black_scaled.icc
	{3052, 0x4909e5e1, 0x427ebb21},  // sRGB_IEC61966-2-1_no_black_scaling.icc
	{60988, 0xfd2144a1, 0x306fd8ae}, // sRGB_v4_ICC_preference_displayclass.icc
	{60960, 0x209c35d2, 0xbbef7812}, // sRGB_v4_ICC_preference.icc
	{3024, 0xa054d762, 0x5d5129ce},  // sRGB_IEC61966-2-1_noBPC.icc
	{3144, 0xf784f3fb, 0x182ea552},  // HP-Microsoft sRGB v2 perceptual
	{3144, 0x0398f3fc, 0xf29e526d},  // HP-Microsoft sRGB v2 media-relative
}

// isPublishedSRGB reports whether p is one of publishedSRGB.
func isPublishedSRGB(p []byte) bool {
	for _, k := range publishedSRGB {
		if uint32(len(p)) == k.length && adler32.Checksum(p) == k.adler && crc32.ChecksumIEEE(p) == k.crc {
			return true
		}
	}
	return false
}

// Sanitize returns the profile rebuilt, as the function Sanitize does.
func (pr *Profile) Sanitize() ([]byte, error) {
	if isPublishedSRGB(pr.b) {
		return append([]byte(nil), pr.b...), nil
	}
	type outTag struct {
		sig  Sig
		data []byte
		src  uint64 // original offset<<32 | size, to share data; 0 for new
	}
	var tags []outTag
	var haveDesc, haveCprt bool
	for _, t := range pr.Tags {
		switch {
		case t.Sig == tagDesc && !haveDesc:
			haveDesc = true
			tags = append(tags, outTag{sig: t.Sig, data: neutralText(pr.major, t.Sig)})
		case t.Sig == tagCprt && !haveCprt:
			haveCprt = true
			tags = append(tags, outTag{sig: t.Sig, data: neutralText(pr.major, t.Sig)})
		case colourTags[t.Sig]:
			d, err := keptTag(t.Sig, pr.data(t))
			if err != nil {
				return nil, &Error{Offset: int64(t.Offset), Reason: fmt.Sprintf("tag %v: %v", t.Sig, err), Err: ErrUnsupported}
			}
			tags = append(tags, outTag{sig: t.Sig, data: d, src: uint64(t.Offset)<<32 | uint64(t.Size)})
		}
	}
	// Both are required in every profile class (§8.2); a profile without
	// them gets them, first, as sanitizing it again would leave them.
	if !haveCprt {
		tags = append([]outTag{{sig: tagCprt, data: neutralText(pr.major, tagCprt)}}, tags...)
	}
	if !haveDesc {
		tags = append([]outTag{{sig: tagDesc, data: neutralText(pr.major, tagDesc)}}, tags...)
	}

	out := make([]byte, headerSize, headerSize+4+len(tags)*tagEntrySize)
	h := pr.b
	copy(out[8:10], h[8:10])   // version: major, minor and bug fix (§7.2.4)
	copy(out[12:24], h[12:24]) // device class, colour space, PCS (§7.2.5–7.2.7)
	copy(out[36:40], h[36:40]) // 'acsp'
	out[47] = h[47] & 0x03     // flags: embedded, not independent (§7.2.11)
	copy(out[66:68], h[66:68]) // rendering intent, high 16 bits zero (§7.2.15)
	copy(out[68:80], h[68:80]) // PCS illuminant (§7.2.16)
	out = binary.BigEndian.AppendUint32(out, uint32(len(tags)))
	table := len(out)
	out = append(out, make([]byte, len(tags)*tagEntrySize)...)
	placed := make(map[uint64][2]uint32)
	for i, t := range tags {
		e := out[table+i*tagEntrySize:]
		binary.BigEndian.PutUint32(e, uint32(t.sig))
		if at, ok := placed[t.src]; ok && t.src != 0 {
			binary.BigEndian.PutUint32(e[4:], at[0])
			binary.BigEndian.PutUint32(e[8:], at[1])
			continue
		}
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		at := [2]uint32{uint32(len(out)), uint32(len(t.data))}
		placed[t.src] = at
		binary.BigEndian.PutUint32(e[4:], at[0])
		binary.BigEndian.PutUint32(e[8:], at[1])
		out = append(out, t.data...)
	}
	for len(out)%4 != 0 {
		out = append(out, 0)
	}
	binary.BigEndian.PutUint32(out, uint32(len(out)))
	return out, nil
}

// HiddenBytes counts the non-zero bytes after the tag table that no tag
// covers. Tags are sorted by offset, so that the cost is linear in the
// profile's size whatever the tags claim.
func (pr *Profile) HiddenBytes() int {
	spans := make([][2]uint32, 0, len(pr.Tags))
	for _, t := range pr.Tags {
		spans = append(spans, [2]uint32{t.Offset, t.Offset + t.Size}) // checked: within the profile
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	n := 0
	at := uint32(headerSize + 4 + len(pr.Tags)*tagEntrySize)
	count := func(b []byte) {
		for _, c := range b {
			if c != 0 {
				n++
			}
		}
	}
	for _, sp := range spans {
		if sp[0] > at {
			count(pr.b[at:sp[0]])
		}
		at = max(at, sp[1])
	}
	if int(at) < len(pr.b) {
		count(pr.b[at:])
	}
	return n
}

// Text returns the text of a tag of textType, textDescriptionType or
// multiLocalizedUnicodeType (the English record, or the first), decoded
// from at most limit bytes of it, so that many tags over the same large
// data cost little; ok is false for other types and for text that does
// not fit in the tag.
func (pr *Profile) Text(t Tag, limit int) (s string, ok bool) {
	return text(pr.data(t), limit)
}

func text(d []byte, limit int) (string, bool) {
	if len(d) < 12 {
		return "", false
	}
	cut := func(b []byte) []byte { return b[:min(len(b), limit)] }
	switch string(d[:4]) {
	case "text":
		return cString(cut(d[8:])), true
	case "desc":
		n := uint64(binary.BigEndian.Uint32(d[8:]))
		if 12+n > uint64(len(d)) {
			return "", false
		}
		return cString(cut(d[12 : 12+n])), true
	case "mluc":
		count := uint64(binary.BigEndian.Uint32(d[8:]))
		if len(d) < 16 || binary.BigEndian.Uint32(d[12:]) != 12 || 16+12*count > uint64(len(d)) {
			return "", false
		}
		best := -1
		for i := 0; i < int(min(count, 64)); i++ {
			if string(d[16+12*i:20+12*i]) == "enUS" || best < 0 {
				best = i
			}
		}
		if best < 0 {
			return "", true
		}
		r := d[16+12*best:]
		n, off := uint64(binary.BigEndian.Uint32(r[4:])), uint64(binary.BigEndian.Uint32(r[8:]))
		if off+n > uint64(len(d)) {
			return "", false
		}
		b := cut(d[off : off+n])
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = binary.BigEndian.Uint16(b[2*i:])
		}
		return strings.TrimRight(string(utf16.Decode(u)), "\x00"), true
	}
	return "", false
}

// cString returns b up to its first NUL, without surrounding space.
func cString(b []byte) string {
	b, _, _ = bytes.Cut(b, []byte{0})
	return strings.TrimSpace(string(b))
}

// standardProfiles lists well-known profiles by their exact description
// and the creator signatures of those who publish them.
var standardProfiles = map[string][]string{
	"sRGB IEC61966-2.1":              {"HP  ", "appl", "GOOG", "MSFT"},
	"Display P3":                     {"appl"},
	"Adobe RGB (1998)":               {"ADBE"},
	"Generic RGB Profile":            {"appl"},
	"Generic Gray Profile":           {"appl"},
	"Generic Gray Gamma 2.2 Profile": {"appl"},
	"Generic CMYK Profile":           {"appl"},
	"ColorMatch RGB":                 {"appl", "ADBE"},
	"Apple RGB":                      {"appl", "ADBE"},
	"ProPhoto RGB":                   {"KODA", "ADBE"},
	"TIFF RGB":                       {"HDM "},
}

// standardText is the published text of the profiles in standardProfiles.
var standardText = map[string]bool{
	"Copyright (c) 1998 Hewlett-Packard Company":        true,
	"IEC http://www.iec.ch":                             true,
	"IEC 61966-2.1 Default RGB colour space - sRGB":     true,
	"Reference Viewing Condition in IEC61966-2.1":       true,
	"Copyright 2007 Apple Inc., all rights reserved.":   true,
	"Copyright 1999 Adobe Systems Incorporated":         true,
	"Copyright (c) 1997 Heidelberger Druckmaschinen AG": true,
}

// IsStandard reports whether a profile of description desc and creator
// signature creator (its header's, as Sig.String gives it) is one of the
// well-known standard profiles: one that tells nothing about who made the
// image, if its other text is that profile's published text.
func IsStandard(desc, creator string) bool {
	for _, c := range standardProfiles[desc] {
		if c == creator {
			return true
		}
	}
	return false
}

// IsStandardText reports whether s is the published text of a standard
// profile. Apple's profiles carry the year they were built.
func IsStandardText(s string) bool {
	if standardText[s] {
		return true
	}
	year, ok := strings.CutPrefix(s, "Copyright Apple Inc., ")
	return ok && len(year) == 4 && strings.Trim(year, "0123456789") == ""
}
