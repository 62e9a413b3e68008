package exifscrub

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// An ICC colour profile (ICC.1:2022, "ICC v4", §7; ICC.1:2001-04 for v2)
// is a 128-byte header, a tag table (a uint32 count, then a 12-byte entry
// per tag: signature, offset and size, all big-endian), and the tags' data,
// each starting with a 4-byte type signature and 4 reserved bytes (§10.1).
//
// A profile is not only colour. Its header names the device manufacturer
// and model, the software that made it and its platform, and the day it was
// made; its 'desc', 'cprt', 'dmnd', 'dmdd' and 'vued' tags are free text.
// A display profile, which desktop screenshots carry, names the monitor
// and the day it was calibrated. sanitizeICC rebuilds a profile from the
// tags that define colour, byte for byte, with neutral required text and a
// header without the identifying fields; reportICC lists what it removes.
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

const (
	iccHeaderSize   = 128
	iccTagEntrySize = 12
	// maxICCProfile bounds a profile held in memory: a JPEG can hold at
	// most 255 APP2 chunks of 65519 bytes (ICC.1:2022 Annex B.4).
	maxICCProfile = 255 * (65535 - 2 - 14)
)

// The neutral text that replaces the required desc and cprt tags.
const (
	iccNeutralDescription = "ICC Profile"
	iccNeutralCopyright   = "No copyright notice"
)

// errInvalidICC reports a profile that colour engines would not use: not a
// profile at all, truncated, or with tags outside it. Such a profile is
// removed, never copied.
var errInvalidICC = errors.New("not a valid ICC profile")

// iccSig is a 4-byte signature, written as its four characters.
type iccSig uint32

func (s iccSig) String() string {
	b := binary.BigEndian.AppendUint32(nil, uint32(s))
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return "0x" + hex.EncodeToString(b)
		}
	}
	return string(b)
}

func sig(s string) iccSig { return iccSig(binary.BigEndian.Uint32([]byte(s))) }

// iccColourTags are the tags sanitizeICC keeps byte for byte.
var iccColourTags = map[iccSig]bool{
	sig("rXYZ"): true, sig("gXYZ"): true, sig("bXYZ"): true,
	sig("rTRC"): true, sig("gTRC"): true, sig("bTRC"): true, sig("kTRC"): true,
	sig("wtpt"): true, sig("bkpt"): true, sig("chad"): true,
	sig("A2B0"): true, sig("A2B1"): true, sig("A2B2"): true,
	sig("B2A0"): true, sig("B2A1"): true, sig("B2A2"): true,
	sig("D2B0"): true, sig("D2B1"): true, sig("D2B2"): true, sig("D2B3"): true,
	sig("B2D0"): true, sig("B2D1"): true, sig("B2D2"): true, sig("B2D3"): true,
	sig("cicp"): true, sig("chrm"): true, sig("lumi"): true, sig("clro"): true,
}

var (
	iccDesc = sig("desc")
	iccCprt = sig("cprt")
)

// iccTagInfo says how reportICC lists a dropped tag: its name and category.
var iccTagInfo = map[iccSig]struct {
	name string
	cat  Category
}{
	sig("desc"): {"ProfileDescription", Text},
	sig("cprt"): {"ProfileCopyright", Identity},
	sig("dmnd"): {"DeviceMfgDesc", Device},
	sig("dmdd"): {"DeviceModelDesc", Device},
	sig("vued"): {"ViewingCondDesc", Text},
	sig("dscm"): {"ProfileDescriptionML", Text},
	sig("mmod"): {"MakeAndModel", Device},
	sig("ndin"): {"NativeDisplayInfo", Device},
	sig("vcgt"): {"VideoCardGamma", Device}, // a calibrated display's own curves
	sig("calt"): {"CalibrationDateTime", Time},
	sig("targ"): {"CharTarget", Text},
	sig("pseq"): {"ProfileSequenceDesc", Device},
	sig("psid"): {"ProfileSequenceIdentifier", Device},
	sig("ncol"): {"NamedColor", Text},
	sig("ncl2"): {"NamedColor2", Text},
	sig("clrt"): {"ColorantTable", Text},
	sig("clot"): {"ColorantTableOut", Text},
	sig("meas"): {"Measurement", Other},
	sig("view"): {"ViewingConditions", Other},
	sig("tech"): {"Technology", Other},
	sig("rig0"): {"PerceptualRenderingIntentGamut", Other},
	sig("rig2"): {"SaturationRenderingIntentGamut", Other},
	sig("ciis"): {"ColorimetricIntentImageState", Other},
	sig("resp"): {"OutputResponse", Other},
	sig("gamt"): {"Gamut", Other},
	sig("pre0"): {"Preview0", Other},
	sig("pre1"): {"Preview1", Other},
	sig("pre2"): {"Preview2", Other},
}

// An iccTag is one entry of the tag table.
type iccTag struct {
	sig       iccSig
	off, size uint32
}

// An iccProfile is a parsed profile. b is cut to the header's size.
type iccProfile struct {
	b     []byte
	extra []byte // bytes after the header's size
	major byte
	tags  []iccTag
}

// parseICC checks a profile's header and tag table. It returns an error
// wrapping errInvalidICC for what is not a usable profile, and one wrapping
// ErrUnsupportedFeature for a profile a colour engine would use but that
// sanitizeICC cannot rebuild safely.
func parseICC(p []byte) (*iccProfile, error) {
	invalid := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", errInvalidICC, fmt.Sprintf(format, a...))
	}
	unsupported := func(format string, a ...any) error {
		return fmt.Errorf("ICC profile: %s: %w", fmt.Sprintf(format, a...), ErrUnsupportedFeature)
	}
	if len(p) < iccHeaderSize+4 {
		return nil, invalid("%d bytes, too short for a header and tag count", len(p))
	}
	if string(p[36:40]) != "acsp" { // §7.2.9 profile file signature
		return nil, invalid("no 'acsp' signature")
	}
	size := uint64(binary.BigEndian.Uint32(p))
	switch {
	case size < iccHeaderSize+4:
		return nil, invalid("profile size %d is less than %d", size, iccHeaderSize+4)
	case size > uint64(len(p)):
		return nil, invalid("profile size %d exceeds the %d bytes present", size, len(p))
	case size > maxICCProfile:
		return nil, unsupported("profile size %d exceeds %d", size, maxICCProfile)
	}
	pr := &iccProfile{b: p[:size], extra: p[size:], major: p[8]}
	if pr.major != 2 && pr.major != 4 {
		// §7.2.4: version 4 and, for v2, ICC.1:2001-04. iccMAX (5)
		// profiles have other tags that define colour.
		return nil, unsupported("version %d.%d is not 2 or 4", p[8], p[9]>>4)
	}
	count := uint64(binary.BigEndian.Uint32(p[iccHeaderSize:]))
	tableEnd := iccHeaderSize + 4 + count*iccTagEntrySize
	if tableEnd > size {
		return nil, invalid("%d tags do not fit in %d bytes", count, size)
	}
	pr.tags = make([]iccTag, 0, count)
	seen := make(map[iccSig]bool)
	for i := uint64(0); i < count; i++ {
		e := p[iccHeaderSize+4+i*iccTagEntrySize:]
		t := iccTag{
			sig:  iccSig(binary.BigEndian.Uint32(e)),
			off:  binary.BigEndian.Uint32(e[4:]),
			size: binary.BigEndian.Uint32(e[8:]),
		}
		end := uint64(t.off) + uint64(t.size)
		switch {
		case end > size:
			return nil, invalid("tag %v at offset %d, %d bytes, ends after the profile's %d bytes", t.sig, t.off, t.size, size)
		case !iccColourTags[t.sig]:
		case uint64(t.off) < tableEnd:
			return nil, unsupported("tag %v at offset %d overlaps the header or tag table", t.sig, t.off)
		case t.size < 8:
			return nil, unsupported("tag %v of %d bytes has no type", t.sig, t.size)
		case seen[t.sig]:
			return nil, unsupported("tag %v appears twice", t.sig)
		}
		seen[t.sig] = true
		pr.tags = append(pr.tags, t)
	}
	return pr, nil
}

// data returns a tag's bytes.
func (pr *iccProfile) data(t iccTag) []byte { return pr.b[t.off : t.off+t.size] }

// typeLength returns the length the fields of a tag's type define, or ok ==
// false for a type whose length sanitizeICC does not compute. It returns an
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

// keptTag returns the bytes sanitizeICC writes for a colour tag: cut to
// its type's length, with the reserved bytes zero (§10.1; parametricCurveType
// has two more, §10.18).
func keptTag(d []byte) ([]byte, error) {
	n, ok, err := typeLength(d)
	if err != nil {
		return nil, err
	}
	if !ok {
		n = len(d)
	}
	out := append([]byte(nil), d[:n]...)
	clear(out[4:8])
	if string(out[:4]) == "para" {
		clear(out[10:12])
	}
	return out, nil
}

// neutralText returns the tag data for a required text tag in the type the
// profile's version needs: for v2, textDescriptionType for desc
// (ICC.1:2001-04 §6.5.17) and textType for cprt (§6.5.18); for v4,
// multiLocalizedUnicodeType (ICC.1:2022 §10.15) for both.
func neutralText(major byte, s iccSig) []byte {
	text := iccNeutralCopyright
	if s == iccDesc {
		text = iccNeutralDescription
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
	case s == iccDesc:
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

// sanitizeICC returns p rebuilt from the tags that define colour, byte for
// byte, with neutral desc and cprt tags and the identifying header fields
// zero (see the comment at the top of icc.go). The result is a fixed point:
// sanitizeICC of it returns the same bytes, and reportICC finds nothing.
//
// An error wrapping errInvalidICC means p is not a usable profile: callers
// remove it (reportICC has reported it as Embedded). An error wrapping
// ErrUnsupportedFeature means colour engines would use p but it cannot be
// rebuilt safely: callers refuse the image, unless the profile is being
// dropped anyway (Options.DropColorProfile).
func sanitizeICC(p []byte) ([]byte, error) {
	pr, err := parseICC(p)
	if err != nil {
		return nil, err
	}
	return pr.sanitize()
}

func (pr *iccProfile) sanitize() ([]byte, error) {
	type outTag struct {
		sig  iccSig
		data []byte
		src  uint64 // original offset<<32 | size, to share data; 0 for new
	}
	var tags []outTag
	var haveDesc, haveCprt bool
	for _, t := range pr.tags {
		switch {
		case t.sig == iccDesc && !haveDesc:
			haveDesc = true
			tags = append(tags, outTag{sig: t.sig, data: neutralText(pr.major, t.sig)})
		case t.sig == iccCprt && !haveCprt:
			haveCprt = true
			tags = append(tags, outTag{sig: t.sig, data: neutralText(pr.major, t.sig)})
		case iccColourTags[t.sig]:
			d, err := keptTag(pr.data(t))
			if err != nil {
				return nil, fmt.Errorf("ICC profile: tag %v: %v: %w", t.sig, err, ErrUnsupportedFeature)
			}
			tags = append(tags, outTag{sig: t.sig, data: d, src: uint64(t.off)<<32 | uint64(t.size)})
		}
	}
	// Both are required in every profile class (§8.2); a profile without
	// them gets them, first, as sanitizing it again would leave them.
	if !haveCprt {
		tags = append([]outTag{{sig: iccCprt, data: neutralText(pr.major, iccCprt)}}, tags...)
	}
	if !haveDesc {
		tags = append([]outTag{{sig: iccDesc, data: neutralText(pr.major, iccDesc)}}, tags...)
	}

	out := make([]byte, iccHeaderSize, iccHeaderSize+4+len(tags)*iccTagEntrySize)
	h := pr.b
	copy(out[8:10], h[8:10])   // version: major, minor and bug fix (§7.2.4)
	copy(out[12:24], h[12:24]) // device class, colour space, PCS (§7.2.5–7.2.7)
	copy(out[36:40], h[36:40]) // 'acsp'
	out[47] = h[47] & 0x03     // flags: embedded, not independent (§7.2.11)
	copy(out[66:68], h[66:68]) // rendering intent, high 16 bits zero (§7.2.15)
	copy(out[68:80], h[68:80]) // PCS illuminant (§7.2.16)
	out = binary.BigEndian.AppendUint32(out, uint32(len(tags)))
	table := len(out)
	out = append(out, make([]byte, len(tags)*iccTagEntrySize)...)
	placed := make(map[uint64][2]uint32)
	for i, t := range tags {
		e := out[table+i*iccTagEntrySize:]
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

// standardICC lists well-known profiles by their exact description and the
// creator signature of those who publish them. A profile that matches, and
// whose other text is that profile's published text, is listed as one
// finding of category Other: it tells nothing about the photographer.
var standardICC = map[string][]string{
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

// standardText is the published text of the profiles in standardICC.
var standardText = map[string]bool{
	"Copyright (c) 1998 Hewlett-Packard Company":        true,
	"IEC http://www.iec.ch":                             true,
	"IEC 61966-2.1 Default RGB colour space - sRGB":     true,
	"Reference Viewing Condition in IEC61966-2.1":       true,
	"Copyright 2007 Apple Inc., all rights reserved.":   true,
	"Copyright 1999 Adobe Systems Incorporated":         true,
	"Copyright (c) 1997 Heidelberger Druckmaschinen AG": true,
}

// isStandardText reports whether s is the published text of a standard
// profile. Apple's profiles carry the year they were built.
func isStandardText(s string) bool {
	if standardText[s] {
		return true
	}
	year, ok := strings.CutPrefix(s, "Copyright Apple Inc., ")
	return ok && len(year) == 4 && strings.Trim(year, "0123456789") == ""
}

// reportICC adds to rep what profile p reveals that sanitizeICC removes,
// under container (such as "ICC_Profile"). It adds nothing for a profile
// that sanitizeICC leaves unchanged, an Embedded finding for one that is
// not a valid profile (which callers remove), and nothing for one
// sanitizeICC refuses with ErrUnsupportedFeature (callers report the error).
//
// A well-known standard profile (see standardICC) gives one finding of
// category Other. Any other profile gives a finding per field: the header's
// device, creator and platform as Device, its date as Time, text tags by
// what they say, and unreferenced non-zero bytes as Embedded.
func reportICC(rep *Report, container string, p []byte) {
	pr, err := parseICC(p)
	if errors.Is(err, errInvalidICC) {
		rep.add(Embedded, container, "ICC_Profile", fmt.Sprintf("(%d bytes, %v)", len(p), err))
		return
	}
	if err != nil {
		return
	}
	clean, err := pr.sanitize()
	if err != nil {
		return
	}
	if bytes.Equal(clean, p) {
		return
	}
	var r Report
	h := pr.b
	sigField := func(cat Category, tag string, off int) {
		if v := binary.BigEndian.Uint32(h[off:]); v != 0 {
			r.add(cat, container, tag, iccSig(v).String())
		}
	}
	sigField(Device, "ProfileCMMType", 4)
	sigField(Device, "PrimaryPlatform", 40)
	sigField(Device, "DeviceManufacturer", 48)
	sigField(Device, "DeviceModel", 52)
	sigField(Device, "ProfileCreator", 80)
	if !allZero(h[24:36]) {
		d := func(i int) uint16 { return binary.BigEndian.Uint16(h[24+2*i:]) }
		r.add(Time, container, "ProfileDateTime", fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", d(0), d(1), d(2), d(3), d(4), d(5)))
	}
	if !allZero(h[56:64]) {
		r.add(Device, container, "DeviceAttributes", hex.EncodeToString(h[56:64]))
	}
	if !allZero(h[84:100]) {
		r.add(Device, container, "ProfileID", hex.EncodeToString(h[84:100]))
	}
	if !allZero(h[10:12]) || h[44]|h[45]|h[46]|h[47]&^3 != 0 || !allZero(h[64:66]) || !allZero(h[100:128]) {
		r.add(Embedded, container, "Header", "(data in reserved header bytes)")
	}
	var desc string
	texts := true // every text is a standard profile's
	for _, t := range pr.tags {
		if iccColourTags[t.sig] {
			if d := pr.data(t); len(d) >= 8 && !allZero(d[4:8]) {
				r.add(Embedded, container, t.sig.String(), "(data in reserved tag bytes)")
			} else if n, ok, _ := typeLength(d); ok && !allZero(d[n:]) {
				r.add(Embedded, container, t.sig.String(), fmt.Sprintf("(%d bytes after the tag's values)", len(d)-n))
			}
			continue
		}
		info, known := iccTagInfo[t.sig]
		d := pr.data(t)
		switch {
		case !known:
			r.add(Embedded, container, t.sig.String(), fmt.Sprintf("(private tag, %d bytes)", len(d)))
			texts = false
		case info.cat == Other:
			r.add(Other, container, info.name, fmt.Sprintf("(%d bytes)", len(d)))
		default:
			s, ok := iccText(d)
			if !ok {
				s = fmt.Sprintf("(%d bytes)", len(d))
			}
			if t.sig == iccDesc {
				if s == iccNeutralDescription {
					continue
				}
				desc = s
			} else if t.sig == iccCprt && s == iccNeutralCopyright {
				continue
			}
			switch {
			case t.sig == iccDesc:
			case t.sig == sig("dscm") && s == desc:
			case !ok || !isStandardText(s):
				texts = false
			}
			r.add(info.cat, container, info.name, s)
		}
	}
	if hidden := pr.hiddenBytes(); hidden > 0 {
		r.add(Embedded, container, "ICC_Profile", fmt.Sprintf("(%d non-zero bytes outside the tags)", hidden))
	}
	if len(pr.extra) > 0 {
		cat := Embedded
		if allZero(pr.extra) {
			cat = Other
		}
		r.add(cat, container, "ICC_Profile", fmt.Sprintf("(%d bytes after the profile)", len(pr.extra)))
	}
	creator := iccSig(binary.BigEndian.Uint32(h[80:])).String()
	standard := texts && !r.Has(Embedded) && desc != ""
	if standard {
		found := false
		for _, c := range standardICC[desc] {
			found = found || c == creator
		}
		standard = found
	}
	switch {
	case standard:
		rep.add(Other, container, "ProfileDescription", desc+" (standard profile, rewritten)")
	case len(r.Findings) == 0:
		rep.add(Other, container, "ICC_Profile", "(rewritten)")
	default:
		rep.Findings = append(rep.Findings, r.Findings...)
	}
}

// hiddenBytes counts the non-zero bytes after the tag table that no tag
// covers.
func (pr *iccProfile) hiddenBytes() int {
	covered := make([]bool, len(pr.b))
	start := iccHeaderSize + 4 + len(pr.tags)*iccTagEntrySize
	for i := 0; i < start && i < len(covered); i++ {
		covered[i] = true
	}
	for _, t := range pr.tags {
		for i := t.off; i < t.off+t.size; i++ {
			covered[i] = true
		}
	}
	n := 0
	for i, c := range pr.b {
		if !covered[i] && c != 0 {
			n++
		}
	}
	return n
}

// iccText returns the text of a textType, textDescriptionType or
// multiLocalizedUnicodeType tag (the English record, or the first).
func iccText(d []byte) (string, bool) {
	if len(d) < 12 {
		return "", false
	}
	switch string(d[:4]) {
	case "text":
		return cString(d[8:]), true
	case "desc":
		n := uint64(binary.BigEndian.Uint32(d[8:]))
		if 12+n > uint64(len(d)) {
			return "", false
		}
		return cString(d[12 : 12+n]), true
	case "mluc":
		count := uint64(binary.BigEndian.Uint32(d[8:]))
		if len(d) < 16 || binary.BigEndian.Uint32(d[12:]) != 12 || 16+12*count > uint64(len(d)) {
			return "", false
		}
		best := -1
		for i := 0; i < int(count); i++ {
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
		return strings.TrimRight(utf16BE(d[off:off+n]), "\x00"), true
	}
	return "", false
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
