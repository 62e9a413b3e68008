package exifscrub

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"strings"

	ipng "github.com/exifscrub/exifscrub/internal/png"
	"github.com/exifscrub/exifscrub/internal/tiff"
)

// A PNG file (ISO/IEC 15948, PNG Third Edition §5) is a signature and a
// sequence of chunks: a 4-byte length, a 4-byte type, the data, and a CRC
// of type and data. A type's first letter is uppercase for critical chunks,
// which a decoder must understand, and lowercase for ancillary ones, which
// it may ignore. scrubPNG copies the critical chunks and the ancillary
// chunks that change how the image looks, and drops the rest.

// pngSignature starts a PNG file (§5.2).
var pngSignature = ipng.Signature

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
	stream           *ipng.Stream // reused for each zlib stream
	idatDone         bool         // the IDAT stream has been read to its end
	fdatDone         bool         // the current APNG frame's stream too
	colorType        byte         // from IHDR (§11.2.1)
	paletteEntries   int          // from PLTE (§11.2.2)
	exifPrefix       bool         // the eXIf chunk starts with "Exif\0\0"
	triedKeep        bool         // the first EXIF block was read for Options.Keep
	sawXMP           bool         // an XMP packet was kept or dropped (Options.Keep)
	sawIPTC          bool         // an IPTC raw profile was kept or dropped (Options.Keep)
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
		hdr, err := r.next(ipng.HeaderSize)
		if err != nil {
			return s.formatError(start, "reading chunk header (missing IEND?)", err)
		}
		length, typ, err := ipng.ParseHeader(hdr)
		if err != nil {
			return p.headerError(start, err)
		}
		name := string(typ[:])
		if first && name != "IHDR" {
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

// headerError returns the *ipng.Error of the chunk header at start as a
// FormatError.
func (p *pngScrubber) headerError(start int64, err error) error {
	e := err.(*ipng.Error)
	return p.formatError(start+e.Offset, e.Reason, nil)
}

// copyChunk copies a chunk whose header has been read, checking its CRC.
func (p *pngScrubber) copyChunk(start int64, typ [4]byte, length uint32) error {
	var hdr [ipng.HeaderSize]byte
	if err := p.write(ipng.AppendHeader(hdr[:0], length, typ)); err != nil {
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

// pngNeeded are the chunks without which the image cannot display as
// intended: a wrong length there is an error, not a chunk to drop.
var pngNeeded = map[string]bool{"IHDR": true, "PLTE": true, "acTL": true, "fcTL": true}

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
	want := ipng.WantLength(name, length, p.colorType, p.paletteEntries)
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
	rawName, compressed, err := ipng.ParseICCP(data)
	if err != nil {
		return bad(err.Error())
	}
	if name := ipng.Latin1(rawName); name != iccpName {
		cat := Text
		if iccpCommonNames[name] {
			cat = Other
		}
		p.rep.add(cat, container, "ProfileName", name)
	}
	profile, rest, err := ipng.InflateICCP(compressed, maxICCProfile)
	switch {
	case err != nil:
		return bad(err.Error())
	case rest > 0:
		extraBytes(p.rep, container, "iCCP", data[len(data)-rest:])
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
	return p.writeChunk("iCCP", ipng.AppendICCP(nil, iccpName, clean))
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
		v := ipng.FormatTime(data)
		if crcErr == "" && p.opts.keeps(Time) && ipng.ValidTime(data) {
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
		return p.writeRawProfile("exif", append([]byte("Exif\x00\x00"), tiff.Minimal(o)...))
	}
	if p.exifPrefix {
		return p.writeChunk("eXIf", append(append([]byte(nil), sigExifChunk...), tiff.Minimal(o)...))
	}
	return p.writeChunk("eXIf", tiff.Minimal(o))
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
		return p.writeRawProfile("exif", append([]byte("Exif\x00\x00"), kept...))
	case p.exifPrefix:
		return p.writeChunk("eXIf", append(append([]byte(nil), sigExifChunk...), kept...))
	}
	return p.writeChunk("eXIf", kept)
}

// writeChunk writes a new chunk with its CRC.
func (p *pngScrubber) writeChunk(name string, data []byte) error {
	return p.write(ipng.AppendChunk(make([]byte, 0, 12+len(data)), name, data))
}

// text reports a textual chunk (§11.3.3): a keyword, a NUL, and the text;
// zTXt compresses the text, and iTXt may, after language tags. Under
// Options.Keep, a chunk that decoders read (intact: its CRC is right)
// whose keyword's category is kept is written anew, uncompressed (see
// keepText); XMP and raw profiles are rebuilt with only what is kept.
func (p *pngScrubber) text(name string, data []byte, intact bool) error {
	container := "PNG " + name
	t, err := ipng.ParseText(name, data)
	if err == ipng.ErrNoKeyword {
		p.rep.add(Other, container, name, "malformed: no keyword")
		return nil
	}
	keyword := ipng.Latin1(t.Keyword)
	if err != nil {
		p.rep.add(Other, container, keyword, "malformed")
		return nil
	}
	keep := intact && p.opts.keepsAny()
	text, raw := t.Text, t.Text // raw: tEXt and zTXt text as the file holds it
	if t.Compressed {
		var ok bool
		if text, ok = p.inflate(t.Text); !ok {
			p.rep.add(Embedded, container, keyword, p.notInflated())
			return nil
		}
		raw = text
	}
	if name != "iTXt" {
		text = []byte(ipng.Latin1(raw))
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
		return p.keepText(container, t.Keyword, t.Lang, name == "iTXt", raw)
	default:
		p.rep.add(classifyPNGKeyword(keyword), container, keyword, string(text))
	}
	return nil
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
	return p.writeChunk("iTXt", ipng.AppendITXt(nil, "XML:com.adobe.xmp", nil, string(kept)))
}

// rawProfile reports the metadata ImageMagick stores in text chunks as
// "Raw profile type exif" (or APP1, xmp, iptc, 8bim): a newline, the type,
// a newline, the length in decimal, and the bytes in hex.
func (p *pngScrubber) rawProfile(container, kind string, text []byte, keep bool) error {
	raw := ipng.RawProfile(text)
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

// writeRawProfile writes a tEXt chunk "Raw profile type kind" in
// ImageMagick's form: a newline, the kind, a newline, the length in
// decimal, and the bytes in hex.
func (p *pngScrubber) writeRawProfile(kind string, b []byte) error {
	return p.writeChunk("tEXt", ipng.AppendRawProfile(nil, kind, b))
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
