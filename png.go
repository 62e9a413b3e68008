package exifscrub

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	izlib "github.com/exifscrub/exifscrub/internal/zlib"
)

// A PNG file (ISO/IEC 15948, PNG Third Edition §5) is a signature and a
// sequence of chunks: a 4-byte length, a 4-byte type, the data, and a CRC
// of type and data. A type's first letter is uppercase for critical chunks,
// which a decoder must understand, and lowercase for ancillary ones, which
// it may ignore. scrubPNG copies the critical chunks and the ancillary
// chunks that change how the image looks, and drops the rest.

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngKeep lists the chunks Scrub copies. Critical chunks (§11.2) and the
// ancillary chunks that affect display: transparency, colour space (§11.3),
// physical size, background, bit depth, HDR (cICP, mDCV, cLLI), and APNG
// animation (acTL, fcTL, fdAT).
var pngKeep = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true,
	"tRNS": true, "gAMA": true, "cHRM": true, "sRGB": true, "iCCP": true, "sBIT": true,
	"cICP": true, "mDCV": true, "cLLI": true,
	"pHYs": true, "bKGD": true,
	"acTL": true, "fcTL": true, "fdAT": true,
}

const (
	// maxPNGLength is the largest chunk length allowed (§5.3).
	maxPNGLength = 1<<31 - 1
	// maxMetadataChunk bounds how much of a removed chunk is kept in
	// memory to list its contents; the rest is checked and dropped.
	maxMetadataChunk = 4 << 20
	// maxInflated bounds the decompressed text of a zTXt or iTXt chunk
	// read for the report, so a compression bomb costs nothing.
	maxInflated = 1 << 20
	// maxInflatedTotal bounds what all the compressed chunks of one file
	// inflate to together, so that thousands of small bombs cost no more
	// than a few: past it, chunks are still removed, and reported as not
	// read in category Embedded.
	maxInflatedTotal = 16 << 20
)

type pngScrubber struct {
	*scrubber
	crc              hash.Hash32
	wroteOrientation bool
	zr               *izlib.Inflater // reused for each zlib stream
	idatDone         bool            // the IDAT stream has been read to its end
	fdatDone         bool            // the current APNG frame's stream too
	colorType        byte            // from IHDR (§11.2.1)
	paletteEntries   int             // from PLTE (§11.2.2)
	exifPrefix       bool            // the eXIf chunk starts with "Exif\0\0"
	triedKeep        bool            // the first EXIF block was read for Options.Keep
	sawXMP           bool            // an XMP packet was kept or dropped (Options.Keep)
	sawIPTC          bool            // an IPTC raw profile was kept or dropped (Options.Keep)
}

func scrubPNG(s *scrubber) error {
	p := &pngScrubber{scrubber: s, crc: crc32.NewIEEE()}
	r := s.in
	sig, err := r.next(len(pngSignature))
	if err != nil || !bytes.Equal(sig, pngSignature) {
		return s.formatError(0, "bad signature", err)
	}
	if err := s.write(sig); err != nil {
		return err
	}
	for first := true; ; first = false {
		start := r.off
		hdr, err := r.next(8)
		if err != nil {
			return s.formatError(start, "reading chunk header (missing IEND?)", err)
		}
		length := binary.BigEndian.Uint32(hdr)
		var typ [4]byte
		copy(typ[:], hdr[4:])
		name := string(typ[:])
		switch {
		case length > maxPNGLength:
			return s.formatError(start, fmt.Sprintf("chunk %q length %d exceeds 2^31-1", name, length), nil)
		case !isChunkType(typ):
			return s.formatError(start+4, fmt.Sprintf("bad chunk type %q", name), nil)
		case first && name != "IHDR":
			return s.formatError(start, fmt.Sprintf("first chunk is %q, not IHDR", name), nil)
		}
		p.crc.Reset()
		p.crc.Write(typ[:])
		keep := pngKeep[name] && !(name == "iCCP" && s.opts.DropColorProfile)
		switch {
		case name == "IDAT" && !p.idatDone:
			p.idatDone = true
			err = p.copyStream(start, typ, length)
		case name == "IDAT":
			err = p.afterStream(start, name, length)
		case name == "fdAT" && !p.fdatDone:
			p.fdatDone = true
			err = p.copyStream(start, typ, length)
		case name == "fdAT":
			// Dropping it would leave a gap in the APNG sequence
			// numbers, which decoders refuse.
			err = s.formatError(start, "fdAT chunk after the end of its frame's zlib stream", ErrUnsupportedFeature)
		case keep && name == "IEND":
			err = p.copyChunk(start, typ, length)
		case keep:
			if name == "fcTL" {
				p.fdatDone = false // a new frame
			}
			err = p.rebuildChunk(start, name, length)
		default:
			if typ[0]&0x20 == 0 {
				// An unknown critical chunk: decoders must refuse the
				// image, and it may hold anything.
				return s.formatError(start, fmt.Sprintf("unknown critical chunk %q", name), ErrUnsupportedFeature)
			}
			err = p.dropChunk(start, name, length)
		}
		if err != nil {
			return err
		}
		if name == "IEND" {
			return s.trailer("PNG")
		}
	}
}

// isChunkType reports whether t is four ASCII letters (§5.3).
func isChunkType(t [4]byte) bool {
	for _, c := range t {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// copyChunk copies a chunk whose header has been read, checking its CRC.
func (p *pngScrubber) copyChunk(start int64, typ [4]byte, length uint32) error {
	var hdr [8]byte
	binary.BigEndian.PutUint32(hdr[:], length)
	copy(hdr[4:], typ[:])
	if err := p.write(hdr[:]); err != nil {
		return err
	}
	if err := p.in.copyN(p.out, p.crc, int64(length)); err != nil {
		return p.formatError(p.in.off, fmt.Sprintf("chunk %q is truncated", typ), err)
	}
	crc, err := p.checkCRC(start, string(typ[:]))
	if err != nil {
		return err
	}
	return p.write(crc)
}

// pngFixedLength gives the length of each kept chunk whose length does not
// depend on the image (PNG Third Edition §11.2.1, §11.3; APNG acTL, fcTL).
var pngFixedLength = map[string]int{
	"IHDR": 13, "gAMA": 4, "sRGB": 1, "cHRM": 32, "cICP": 4, "mDCV": 24, "cLLI": 8,
	"pHYs": 9, "acTL": 8, "fcTL": 26,
}

// pngNeeded are the chunks without which the image cannot display as
// intended: a wrong length there is an error, not a chunk to drop.
var pngNeeded = map[string]bool{"IHDR": true, "PLTE": true, "acTL": true, "fcTL": true}

// wantLength returns the length the fields of a kept chunk define, given
// the image's colour type and palette, or -1 when any length is wrong.
func (p *pngScrubber) wantLength(name string, length uint32) int {
	if n, ok := pngFixedLength[name]; ok {
		return n
	}
	ct := p.colorType
	switch name {
	case "PLTE": // §11.2.2: 1 to 256 entries of 3 bytes
		if length%3 == 0 && length >= 3 && length <= 768 {
			return int(length)
		}
		return -1
	case "sBIT": // §11.3.2.4: one byte per channel of the colour type
		return byColorType(ct, 1, 3, 3, 2, 4)
	case "bKGD": // §11.3.4.1: a grey level, an RGB triple, or a palette index
		return byColorType(ct, 2, 6, 1, 2, 6)
	case "tRNS": // §11.3.2.1: a grey level, an RGB triple, or up to one alpha per palette entry
		switch ct {
		case 0:
			return 2
		case 2:
			return 6
		case 3:
			if length >= 1 && int(length) <= p.paletteEntries {
				return int(length)
			}
		}
		return -1
	case "iCCP":
		return int(length) // rebuilt by iccp
	}
	return -1
}

// byColorType returns the value for colour type ct: greyscale (0),
// truecolour (2), indexed (3), greyscale with alpha (4), truecolour with
// alpha (6); -1 for any other.
func byColorType(ct byte, grey, rgb, indexed, greyAlpha, rgbAlpha int) int {
	switch ct {
	case 0:
		return grey
	case 2:
		return rgb
	case 3:
		return indexed
	case 4:
		return greyAlpha
	case 6:
		return rgbAlpha
	}
	return -1
}

// rebuildChunk reads a kept chunk other than image data and writes it
// again from its defined fields. Libpng ignores an ancillary chunk of the
// wrong length ("invalid", a benign error); Scrub drops and reports it,
// so nothing after its fields is copied. IHDR, PLTE and APNG's acTL and
// fcTL of the wrong length make the image undisplayable as intended, and
// are refused.
func (p *pngScrubber) rebuildChunk(start int64, name string, length uint32) error {
	limit := int64(1024) // more than any fixed-length chunk holds
	if name == "iCCP" {
		limit = maxICCProfile
	}
	data, complete, crcErr, err := p.readChunk(name, length, limit)
	if err != nil {
		return err
	}
	if crcErr != "" {
		if pngNeeded[name] || name[0]&0x20 == 0 {
			return p.formatError(start, crcErr, nil)
		}
		// A decoder ignores an ancillary chunk with a bad CRC (PNG Third
		// Edition §13.2; libpng warns and discards it), so Scrub drops it
		// and reports it as data it cannot classify.
		p.rep.add(Embedded, "PNG "+name, name, fmt.Sprintf("damaged, dropped (%d bytes at offset %d): %s", length, start, crcErr))
		return nil
	}
	if name == "iCCP" {
		if !complete {
			p.rep.add(Embedded, "PNG iCCP", "iCCP", fmt.Sprintf("(%d bytes, too large for a colour profile)", length))
			return nil
		}
		return p.iccp(start, data)
	}
	want := p.wantLength(name, length)
	if !complete || want != int(length) {
		reason := fmt.Sprintf("chunk %q has length %d, want %d", name, length, want)
		if want < 0 {
			reason = fmt.Sprintf("chunk %q has length %d, which is invalid here", name, length)
		}
		if pngNeeded[name] {
			return p.formatError(start, reason, nil)
		}
		p.rep.add(Embedded, "PNG "+name, name, fmt.Sprintf("(%d bytes, removed: %s)", length, reason))
		return nil
	}
	switch name {
	case "IHDR":
		p.colorType = data[9]
	case "PLTE":
		p.paletteEntries = len(data) / 3
	}
	return p.writeChunk(name, data)
}

// iccpName is the profile name Scrub writes: the profile's own name can be
// anything, and ImageMagick writes "icc".
const iccpName = "ICC Profile"

// iccpCommonNames are profile names that writers use for any profile.
var iccpCommonNames = map[string]bool{
	iccpName: true, "icc": true, "ICC profile": true, "Photoshop ICC profile": true,
	"sRGB": true, "sRGB IEC61966-2.1": true, "Embedded Profile": true,
}

// iccp rebuilds an iCCP chunk (§11.3.2.3): a profile name of 1 to 79
// Latin-1 characters, a NUL, a compression method (0, zlib) and the
// compressed profile. The name is replaced by iccpName, the profile is
// sanitised (icc.go) and compressed again. A chunk libpng cannot read is
// removed and reported.
func (p *pngScrubber) iccp(start int64, data []byte) error {
	const container = "PNG iCCP"
	bad := func(why string) error {
		p.rep.add(Embedded, container, "iCCP", fmt.Sprintf("(%d bytes, %s)", len(data), why))
		return nil
	}
	i := bytes.IndexByte(data, 0)
	if i < 1 || i > 79 || i+2 > len(data) || data[i+1] != 0 {
		return bad("no profile name or compression method")
	}
	if name := latin1(data[:i]); name != iccpName {
		cat := Text
		if iccpCommonNames[name] {
			cat = Other
		}
		p.rep.add(cat, container, "ProfileName", name)
	}
	br := bytes.NewReader(data[i+2:]) // an io.ByteReader: zlib reads no further than its stream
	zr, err := zlib.NewReader(br)
	if err != nil {
		return bad("the profile does not decompress")
	}
	profile, err := io.ReadAll(io.LimitReader(zr, maxICCProfile+1))
	switch {
	case err != nil:
		return bad("the profile does not decompress")
	case len(profile) > maxICCProfile:
		return bad("the profile is too large")
	case br.Len() > 0:
		extraBytes(p.rep, container, "iCCP", data[len(data)-br.Len():])
	}
	clean, err := scrubICC(p.rep, "ICC_Profile", profile)
	switch {
	case errors.Is(err, ErrUnsupportedFeature):
		return p.formatError(start, err.Error(), ErrUnsupportedFeature)
	case err != nil:
		return nil // not a profile: reported, and removed
	case p.scan:
		return nil
	}
	var b bytes.Buffer
	b.WriteString(iccpName)
	b.Write([]byte{0, 0})
	zw := zlib.NewWriter(&b)
	zw.Write(clean) // writes to a bytes.Buffer do not fail
	zw.Close()
	return p.writeChunk("iCCP", b.Bytes())
}

// checkCRC reads a chunk's CRC and compares it with the one computed.
func (p *pngScrubber) checkCRC(start int64, name string) ([]byte, error) {
	b, crcErr, err := p.readCRC(name)
	if err != nil {
		return nil, err
	}
	if crcErr != "" {
		return nil, p.formatError(start, crcErr, nil)
	}
	return b, nil
}

// afterStream drops an IDAT chunk after the end of the zlib stream: no
// decoder reads it.
func (p *pngScrubber) afterStream(start int64, name string, length uint32) error {
	if _, _, err := p.in.readN(p.crc, int64(length), 0); err != nil {
		return p.formatError(p.in.off, fmt.Sprintf("chunk %q is truncated", name), err)
	}
	if _, err := p.checkCRC(start, name); err != nil {
		return err
	}
	if length > 0 {
		p.rep.add(Embedded, "PNG "+name, "DataAfterStream", fmt.Sprintf("(%q chunk of %d bytes after the end of the zlib stream, at offset %d)", name, length, start))
	}
	return nil
}

// readChunk reads the data of a chunk, keeping at most limit bytes of it
// (complete says whether that was all), and its CRC, a mismatch of which
// is described in crcErr.
func (p *pngScrubber) readChunk(name string, length uint32, limit int64) (data []byte, complete bool, crcErr string, err error) {
	data, complete, err = p.in.readN(p.crc, int64(length), limit)
	if err != nil {
		return nil, false, "", p.formatError(p.in.off, fmt.Sprintf("chunk %q is truncated", name), err)
	}
	_, crcErr, err = p.readCRC(name)
	return data, complete, crcErr, err
}

// readCRC reads a chunk's CRC and compares it with the one computed; a
// mismatch is described in crcErr.
func (p *pngScrubber) readCRC(name string) (b []byte, crcErr string, err error) {
	off := p.in.off
	b, err = p.in.next(4)
	if err != nil {
		return nil, "", p.formatError(off, fmt.Sprintf("chunk %q CRC is truncated", name), err)
	}
	if got, want := binary.BigEndian.Uint32(b), p.crc.Sum32(); got != want {
		return nil, fmt.Sprintf("chunk %q CRC is %08x, want %08x", name, got, want), nil
	}
	return b, "", nil
}

// dropChunk reads a chunk that Scrub removes, checks it, and reports it.
func (p *pngScrubber) dropChunk(start int64, name string, length uint32) error {
	limit := int64(0)
	switch name {
	case "eXIf", "tEXt", "zTXt", "iTXt", "tIME":
		limit = maxMetadataChunk
	}
	data, complete, crcErr, err := p.readChunk(name, length, limit)
	if err != nil {
		return err
	}
	if crcErr != "" {
		// A decoder ignores the chunk (§13.2), but ExifTool, which does
		// not check CRCs, still reads it: report it as ExifTool shows it.
		p.rep.add(Embedded, "PNG "+name, name, fmt.Sprintf("damaged (%d bytes at offset %d): %s", length, start, crcErr))
	}
	listed := true
	switch {
	case limit > 0 && !complete:
		p.rep.add(Embedded, "PNG "+name, name, fmt.Sprintf("(%d bytes, too large to list)", length))
	case name == "eXIf":
		// PNG Third Edition §11.3.4.5: a TIFF structure, as in JPEG.
		// Some writers put JPEG's APP1 "Exif\0\0" first; ExifTool and
		// ImageMagick read both forms, and the orientation kept goes back
		// in the form it came in.
		tiff, prefixed := bytes.CutPrefix(data, sigExifChunk)
		p.exifPrefix = prefixed
		if crcErr == "" && p.keepsEXIF() {
			return p.keepEXIF(tiff, false)
		}
		o := parseEXIF(p.rep, tiff)
		if crcErr != "" {
			o = 0 // viewers ignored it, so they did not turn the image
		}
		if err := p.orientation(o, false); err != nil {
			return err
		}
	case name == "tIME" && len(data) == 7: // §11.3.6.1: year, month, day, hour, minute, second
		v := fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", binary.BigEndian.Uint16(data), data[2], data[3], data[4], data[5], data[6])
		if crcErr == "" && p.opts.keeps(Time) && validPNGTime(data) {
			p.rep.keep(Time, "PNG tIME", "ModifyDate", v)
			return p.writeChunk("tIME", data)
		}
		p.rep.add(Time, "PNG tIME", "ModifyDate", v)
	case name == "tEXt", name == "zTXt", name == "iTXt":
		if err := p.text(name, data, crcErr == ""); err != nil {
			return err
		}
	case name == "caBX":
		p.rep.add(Identity, "PNG caBX", "C2PA", fmt.Sprintf("(%d bytes)", length))
	default:
		listed = false
	}
	if !listed {
		// Chunks that exifscrub cannot read are data it cannot
		// classify, but for a few of fixed size that hold numbers only.
		cat := Embedded
		if n, ok := pngNumbers[name]; ok && (n == int(length) || n == 0 && length <= 512 && length%2 == 0) {
			cat = Other
		}
		p.rep.add(cat, "PNG "+name, name, fmt.Sprintf("(%d bytes)", length))
	}
	return nil
}

// pngNumbers are the removed chunks that hold only numbers, with their
// size, or 0 for hIST's up to 256 16-bit counts: oFFs and sTER (§11.3.5;
// the PNG extensions), hIST (§11.3.4.3), and the vpAg of ImageMagick.
var pngNumbers = map[string]int{"oFFs": 9, "sTER": 1, "hIST": 0, "vpAg": 9}

// orientation writes a minimal EXIF block holding a non-default
// orientation, once, in place of the chunk it came from and in the same
// form, so that every viewer that turned the original turns the copy: an
// eXIf chunk, or for ImageMagick's raw profile a tEXt chunk of its own
// form (ImageMagick 6 reads orientation only from there).
func (p *pngScrubber) orientation(o int, rawProfile bool) error {
	if o <= 1 || p.wroteOrientation {
		return nil
	}
	p.wroteOrientation = true
	if p.opts.DropOrientation {
		p.rep.add(Other, containerIFD0, "Orientation", fmt.Sprint(o))
		return nil
	}
	if rawProfile {
		exif := append([]byte("Exif\x00\x00"), minimalEXIF(o)...)
		text := fmt.Sprintf("Raw profile type exif\x00\nexif\n%8d\n%x\n", len(exif), exif)
		return p.writeChunk("tEXt", []byte(text))
	}
	if p.exifPrefix {
		return p.writeChunk("eXIf", append(append([]byte(nil), sigExifChunk...), minimalEXIF(o)...))
	}
	return p.writeChunk("eXIf", minimalEXIF(o))
}

// keepsEXIF reports whether the policy keeps EXIF tags and no EXIF block
// has been written yet: only the first one is read (as the orientation),
// the others go as by default.
func (p *pngScrubber) keepsEXIF() bool {
	return p.opts.keepsAny() && !p.wroteOrientation && !p.triedKeep
}

// keepEXIF writes the EXIF tags the policy keeps, with the orientation, in
// a new block of the form the old one had, where it was: an eXIf chunk
// (PNG Third Edition §11.3.4.5), or ImageMagick's raw profile in a tEXt
// chunk. With no tag kept, it does as orientation does.
func (p *pngScrubber) keepEXIF(tiff []byte, rawProfile bool) error {
	p.triedKeep = true
	o, kept := keepEXIF(p.rep, tiff, p.opts, !p.opts.DropOrientation, maxMetadataChunk)
	if kept == nil {
		return p.orientation(o, rawProfile)
	}
	p.wroteOrientation = true
	if o > 1 && p.opts.DropOrientation {
		p.rep.add(Other, containerIFD0, "Orientation", fmt.Sprint(o))
	}
	switch {
	case rawProfile:
		exif := append([]byte("Exif\x00\x00"), kept...)
		text := fmt.Sprintf("Raw profile type exif\x00\nexif\n%8d\n%x\n", len(exif), exif)
		return p.writeChunk("tEXt", []byte(text))
	case p.exifPrefix:
		return p.writeChunk("eXIf", append(append([]byte(nil), sigExifChunk...), kept...))
	}
	return p.writeChunk("eXIf", kept)
}

// writeChunk writes a new chunk with its CRC.
func (p *pngScrubber) writeChunk(name string, data []byte) error {
	b := make([]byte, 8, 12+len(data))
	binary.BigEndian.PutUint32(b, uint32(len(data)))
	copy(b[4:], name)
	b = append(b, data...)
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
	return p.write(b)
}

// text reports a textual chunk (§11.3.3): a keyword, a NUL, and the text;
// zTXt compresses the text, and iTXt may, after language tags. Under
// Options.Keep, a chunk that decoders read (intact: its CRC is right)
// whose keyword's category is kept is written anew, uncompressed (see
// keepText); XMP and raw profiles are rebuilt with only what is kept.
func (p *pngScrubber) text(name string, data []byte, intact bool) error {
	container := "PNG " + name
	i := bytes.IndexByte(data, 0)
	if i < 0 {
		p.rep.add(Other, container, name, "malformed: no keyword")
		return nil
	}
	keyword, rest := latin1(data[:i]), data[i+1:]
	keep := intact && p.opts.keepsAny()
	var lang, translated []byte // iTXt's language tag and translated keyword
	var text, raw []byte        // raw: tEXt and zTXt text as the file holds it
	switch name {
	case "tEXt":
		raw = rest
		text = []byte(latin1(rest))
	case "zTXt":
		if len(rest) < 1 {
			p.rep.add(Other, container, keyword, "malformed")
			return nil
		}
		t, ok := p.inflate(rest[1:])
		if !ok {
			p.rep.add(Embedded, container, keyword, p.notInflated())
			return nil
		}
		raw, text = t, []byte(latin1(t))
	case "iTXt":
		// compression flag, method, language tag\0, translated keyword\0
		if len(rest) < 2 {
			p.rep.add(Other, container, keyword, "malformed")
			return nil
		}
		compressed, rest := rest[0] == 1, rest[2:]
		for k := 0; k < 2; k++ {
			j := bytes.IndexByte(rest, 0)
			if j < 0 {
				p.rep.add(Other, container, keyword, "malformed")
				return nil
			}
			lang, translated = translated, rest[:j]
			rest = rest[j+1:]
		}
		text = rest
		if compressed {
			var ok bool
			if text, ok = p.inflate(rest); !ok {
				p.rep.add(Embedded, container, keyword, p.notInflated())
				return nil
			}
		}
	}
	switch {
	case keyword == "XML:com.adobe.xmp" && keep:
		return p.keepXMP(text)
	case keyword == "XML:com.adobe.xmp":
		parseXMP(p.rep, "XMP", text)
	case strings.HasPrefix(keyword, "Raw profile type "):
		return p.rawProfile(container, strings.TrimPrefix(keyword, "Raw profile type "), text, keep)
	case keep:
		if name == "iTXt" {
			raw = text
		}
		return p.keepText(container, data[:i], lang, name == "iTXt", raw)
	default:
		p.rep.add(classifyPNGKeyword(keyword), container, keyword, string(text))
	}
	return nil
}

// validPNGTime reports whether the fields of a tIME chunk are in the
// ranges of §11.3.6.1 (a leap second allowed), so that a kept chunk holds
// a time and nothing else.
func validPNGTime(d []byte) bool {
	return d[2] >= 1 && d[2] <= 12 && d[3] >= 1 && d[3] <= 31 && d[4] <= 23 && d[5] <= 59 && d[6] <= 60
}

// validPNGKeyword reports whether a decoder accepts a keyword (§11.3.3.1).
func validPNGKeyword(k []byte) bool {
	if len(k) < 1 || len(k) > 79 || k[0] == ' ' || k[len(k)-1] == ' ' || bytes.Contains(k, []byte("  ")) {
		return false
	}
	for _, c := range k {
		if c < 32 || c > 126 && c < 161 {
			return false
		}
	}
	return true
}

// keepXMP writes the first XMP packet of the file rebuilt with the kept
// properties, in a new uncompressed iTXt chunk (XMP Part 3 §1.1.5); any
// other packet is removed, as readers take one.
func (p *pngScrubber) keepXMP(packet []byte) error {
	if p.sawXMP {
		parseXMP(p.rep, "XMP", packet)
		return nil
	}
	p.sawXMP = true
	kept := keepXMP(p.rep, "XMP", packet, p.opts)
	if kept == nil {
		return nil
	}
	return p.writeChunk("iTXt", append([]byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"), kept...))
}

// rawProfile reports the metadata ImageMagick stores in text chunks as
// "Raw profile type exif" (or APP1, xmp, iptc, 8bim): a newline, the type,
// a newline, the length in decimal, and the bytes in hex.
func (p *pngScrubber) rawProfile(container, kind string, text []byte, keep bool) error {
	raw := rawProfileBytes(text)
	if len(raw) == 0 {
		p.rep.add(Other, container, "Raw profile type "+kind, fmt.Sprintf("(%d bytes)", len(text)))
		return nil
	}
	switch strings.ToLower(kind) {
	case "exif", "app1":
		raw = bytes.TrimPrefix(raw, []byte("Exif\x00\x00"))
		if p.keepsEXIF() {
			return p.keepEXIF(raw, true)
		}
		return p.orientation(parseEXIF(p.rep, raw), true)
	case "xmp":
		if keep {
			return p.keepXMP(raw)
		}
		parseXMP(p.rep, "XMP", raw)
	case "iptc", "8bim":
		// IPTC-IIM datasets, or image resources holding them (ExifTool
		// writes its "iptc" profile so), rebuilt in the same form with
		// only the kept datasets.
		irb := strings.EqualFold(kind, "8bim") || bytes.HasPrefix(raw, []byte("8BIM"))
		switch {
		case keep && !p.sawIPTC:
			p.sawIPTC = true
			if irb {
				if iim := keepPhotoshopIPTC(p.rep, raw, p.opts); iim != nil {
					return p.writeRawProfile(kind, photoshopIPTC(iim)[len(sigPhotoshop):])
				}
			} else if iim := keepIPTC(p.rep, raw, p.opts, maxMetadataChunk); iim != nil {
				return p.writeRawProfile(kind, iim)
			}
		case irb:
			parsePhotoshop(p.rep, raw)
		default:
			parseIPTC(p.rep, raw)
		}
	default:
		p.rep.add(Other, container, "Raw profile type "+kind, fmt.Sprintf("(%d bytes)", len(raw)))
	}
	return nil
}

// rawProfileBytes decodes the hex of a raw profile: after a newline, a
// description line ("exif", or ExifTool's "IPTC profile"), the length in
// decimal on a line of its own, then the hex digits over many lines. A
// text without a length line is read as whitespace-separated fields: a
// kind, the length, then hex.
func rawProfileBytes(text []byte) []byte {
	lines := strings.SplitN(strings.TrimLeft(string(text), "\n"), "\n", 3)
	if len(lines) == 3 {
		if n, err := strconv.Atoi(strings.TrimSpace(lines[1])); err == nil && n > 0 {
			if raw, err := hex.DecodeString(strings.Join(strings.Fields(lines[2]), "")); err == nil && len(raw) > 0 {
				return raw
			}
		}
	}
	fields := strings.Fields(string(text))
	if len(fields) < 3 {
		return nil
	}
	raw, _ := hex.DecodeString(strings.Join(fields[2:], ""))
	return raw
}

// writeRawProfile writes a tEXt chunk "Raw profile type kind" in
// ImageMagick's form: a newline, the kind, a newline, the length in
// decimal, and the bytes in hex.
func (p *pngScrubber) writeRawProfile(kind string, b []byte) error {
	return p.writeChunk("tEXt", fmt.Appendf(nil, "Raw profile type %s\x00\n%s\n%8d\n%x\n", kind, kind, len(b), b))
}

// inflate decompresses zlib data for the report, up to maxInflated bytes
// and within the file's budget of maxInflatedTotal; what cannot be
// decompressed is returned as far as it went. It reports false when it
// stopped at a limit, with data left: a caller must then report the block
// as not read (see notInflated), since what it holds is unknown.
func (s *scrubber) inflate(b []byte) ([]byte, bool) {
	room := maxInflatedTotal - s.inflated
	if room <= 0 {
		return nil, false
	}
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, true
	}
	limit := min(maxInflated, room)
	out, _ := io.ReadAll(io.LimitReader(zr, limit+1))
	complete := int64(len(out)) <= limit
	if !complete {
		out = out[:limit]
	}
	s.inflated += int64(len(out))
	return out, complete
}

// notInflated is the value of a finding whose compressed data inflate
// could not read whole.
func (s *scrubber) notInflated() string {
	if s.inflated >= maxInflatedTotal {
		return fmt.Sprintf("(compressed, not read: the file's chunks inflated to %d MiB already)", maxInflatedTotal>>20)
	}
	return fmt.Sprintf("(compressed, inflates to more than %d MiB; not read)", maxInflated>>20)
}

// latin1 converts ISO 8859-1 text, which tEXt and zTXt hold, to UTF-8.
func latin1(b []byte) string {
	if utf8.Valid(b) {
		return string(b) // ASCII, or a writer that ignored the spec
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
