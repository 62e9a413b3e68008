package exifscrub

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// A JPEG file (ITU T.81 Annex B) is a sequence of marker segments: 0xFF, a
// marker code, and for most markers a 2-byte big-endian length that counts
// itself and the payload. Each SOS (start of scan) segment is followed by
// entropy-coded data, in which 0xFF bytes are followed by 0x00 (stuffing)
// or a restart marker; any other marker ends the data. Metadata lives in
// APPn and COM segments; scrubJPEG copies every other segment and all
// entropy-coded data byte for byte, and stops at the primary image's EOI.

// Marker codes (T.81 Table B.1).
const (
	markerTEM   = 0x01
	markerRST0  = 0xd0
	markerRST7  = 0xd7
	markerSOI   = 0xd8
	markerEOI   = 0xd9
	markerSOS   = 0xda
	markerAPP0  = 0xe0
	markerAPP1  = 0xe1
	markerAPP2  = 0xe2
	markerAPP11 = 0xeb
	markerAPP12 = 0xec
	markerAPP13 = 0xed
	markerAPP14 = 0xee
	markerAPP15 = 0xef
	markerCOM   = 0xfe
)

// Signatures at the start of APPn payloads.
var (
	sigJFIF        = []byte("JFIF\x00")                               // JFIF 1.02 §"JPEG Marker APP0"
	sigJFXX        = []byte("JFXX\x00")                               // JFIF 1.02 extension APP0
	sigExif        = []byte("Exif\x00")                               // CIPA DC-008 §4.7.2; the sixth byte is padding
	sigXMP         = []byte("http://ns.adobe.com/xap/1.0/\x00")       // XMP Part 3 §1.1.3
	sigExtendedXMP = []byte("http://ns.adobe.com/xmp/extension/\x00") // XMP Part 3 §1.1.3.1
	sigICC         = []byte("ICC_PROFILE\x00")                        // ICC.1:2022 Annex B.4
	sigMPF         = []byte("MPF\x00")                                // CIPA DC-007 §5.2
	sigPhotoshop   = []byte("Photoshop 3.0\x00")
	sigAdobe       = []byte("Adobe") // Adobe TN 5116 §18 "Adobe Application-Specific JPEG Marker"
)

const (
	// maxExtendedXMP bounds the Extended XMP kept in memory for the report.
	// Larger packets are removed all the same, and reported by size.
	maxExtendedXMP = 1 << 20
	// maxExtraneous bounds the garbage bytes tolerated before a marker
	// outside entropy-coded data; libjpeg skips such bytes with a warning.
	maxExtraneous = 1 << 16
)

type jpegScrubber struct {
	*scrubber
	sawEXIF     bool
	extendedXMP []byte
	extendedLen int // bytes of Extended XMP seen, kept or not
	mpImages    int // secondary images the MPF index announces
}

func scrubJPEG(s *scrubber) error {
	j := &jpegScrubber{scrubber: s}
	r := s.in
	soi, err := r.next(2)
	if err != nil || soi[0] != 0xff || soi[1] != markerSOI {
		return s.formatError(0, "missing SOI marker", err)
	}
	if err := s.write(soi); err != nil {
		return err
	}
	sawSOS := false
	for {
		start := r.off
		code, fill, skipped, err := j.readMarker()
		if skipped > 0 {
			// libjpeg skips bytes outside segments with a warning;
			// readers show nothing of them, and Scrub drops them.
			j.rep.add(Embedded, "JPEG", "ExtraneousData", fmt.Sprintf("(%d bytes outside any segment at offset %d)", skipped, start))
		}
		if err != nil {
			if sawSOS && err == io.ErrUnexpectedEOF {
				return j.truncated(start)
			}
			return s.formatError(start, "reading marker", err)
		}
		switch {
		case code == markerEOI:
			if err := j.writeMarker(code, fill); err != nil {
				return err
			}
			j.finishXMP()
			return j.trailer("Trailer")
		case code == markerSOI:
			return s.formatError(start, "SOI marker inside the image", nil)
		case code == markerTEM || (code >= markerRST0 && code <= markerRST7):
			// Stand-alone markers without a length (T.81 B.1.1.3).
			if err := j.writeMarker(code, fill); err != nil {
				return err
			}
			continue
		case code == 0:
			return s.formatError(start, "0xFF00 outside entropy-coded data", nil)
		}
		lenOff := r.off
		lb, err := r.next(2)
		if err != nil {
			if sawSOS && err == io.ErrUnexpectedEOF {
				return j.truncated(start)
			}
			return s.formatError(lenOff, "reading segment length", err)
		}
		n := int(binary.BigEndian.Uint16(lb))
		if n < 2 {
			return s.formatError(lenOff, fmt.Sprintf("segment length %d is less than 2", n), nil)
		}
		payload, err := r.next(n - 2)
		if err != nil {
			if sawSOS && err == io.ErrUnexpectedEOF {
				// A segment cut short between scans cannot be used;
				// the scans before it can, and are kept.
				cat := Other
				if (code >= markerAPP0 && code <= markerAPP15) || code == markerCOM {
					cat = Embedded // metadata that cannot be read
				}
				j.rep.add(cat, "JPEG", fmt.Sprintf("0x%02X", code), fmt.Sprintf("(segment of %d bytes cut short at the end of the file, dropped)", n))
				return j.truncated(start)
			}
			return s.formatError(lenOff+2, fmt.Sprintf("segment 0x%02X of %d bytes is truncated", code, n), err)
		}
		keep := true
		if (code >= markerAPP0 && code <= markerAPP15) || code == markerCOM {
			keep, payload, err = j.appSegment(code, payload)
			if err != nil {
				return err
			}
		}
		if keep {
			if err := j.writeSegment(code, fill, payload); err != nil {
				return err
			}
		}
		if code == markerSOS {
			sawSOS = true
			if err := j.entropyData(); err != nil {
				if err == errDataTruncated {
					return j.truncated(r.off)
				}
				return err
			}
		}
	}
}

// errDataTruncated says that the input ends inside entropy-coded data.
var errDataTruncated = errors.New("entropy-coded data is truncated")

// truncated ends an image whose input stops before its EOI marker, after
// at least one scan: decoders show what arrived (libjpeg warns "Premature
// end of JPEG file" and supplies the EOI itself), so Scrub keeps the image
// data as it is, writes the EOI the decoder would have supplied, and
// reports the damage. It is not private, so the finding is Other.
func (j *jpegScrubber) truncated(off int64) error {
	j.rep.add(Other, "JPEG", "ImageData", fmt.Sprintf("damaged: image data truncated at offset %d (no EOI)", off))
	if err := j.writeMarker(markerEOI, 0); err != nil {
		return err
	}
	j.finishXMP()
	return nil
}

// readMarker reads a marker: optional extraneous bytes, one or more 0xFF
// bytes (any beyond the first are fill bytes, T.81 B.1.1.2), and the code.
func (j *jpegScrubber) readMarker() (code byte, fill, skipped int, err error) {
	r := j.in
	for ; ; skipped++ {
		c, err := r.readByte()
		if err != nil {
			return 0, 0, skipped, err
		}
		if c == 0xff {
			break
		}
		if skipped == maxExtraneous {
			return 0, 0, skipped, fmt.Errorf("no marker in %d bytes", maxExtraneous)
		}
	}
	for {
		c, err := r.readByte()
		if err != nil {
			return 0, 0, skipped, err
		}
		if c != 0xff {
			return c, fill, skipped, nil
		}
		fill++
	}
}

// entropyData copies entropy-coded data up to the marker that ends it,
// which it leaves unread. Within the data, 0xFF is followed by 0x00 (a
// stuffed byte) or RST0-RST7 (T.81 B.1.1.5, F.1.2.3).
func (j *jpegScrubber) entropyData() error {
	r := j.in
	for {
		b, err := r.buffered()
		if err == nil && len(b) < 2 {
			b, err = r.peek(2)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			// The input ends inside the data: keep what arrived.
			if err := j.write(b); err != nil {
				return err
			}
			r.consume(len(b))
			return errDataTruncated
		}
		if err != nil {
			return j.formatError(r.off, "reading entropy-coded data", err)
		}
		i := 0
		for {
			k := bytes.IndexByte(b[i:], 0xff)
			if k < 0 {
				i = len(b)
				break
			}
			i += k
			if i+1 == len(b) {
				break // the byte after 0xFF is not buffered yet
			}
			switch c := b[i+1]; {
			case c == 0xff:
				// A fill byte, or damage; the last 0xFF of a run
				// decides. Fill bytes copied here are copied all the same.
				i++
				continue
			case c < 0xc0 || (c >= markerRST0 && c <= markerRST7):
				// 0x00 is a stuffed byte, RSTn a restart marker. Codes
				// below 0xC0 are reserved and cannot start a segment;
				// they appear in damaged files, and libjpeg skips them, so
				// they are image data as far as Scrub is concerned.
				i += 2
				continue
			}
			// A marker ends the data.
			if err := j.write(b[:i]); err != nil {
				return err
			}
			r.consume(i)
			return nil
		}
		if err := j.write(b[:i]); err != nil {
			return err
		}
		r.consume(i)
	}
}

// appSegment reports an APPn or COM segment and decides whether to keep it.
// It may return a replacement payload.
func (j *jpegScrubber) appSegment(code byte, p []byte) (keep bool, out []byte, err error) {
	rep := j.rep
	before := rep.count()
	switch code {
	case markerAPP0:
		switch {
		case bytes.HasPrefix(p, sigJFIF) && len(p) >= 14:
			// JFIF 1.02: version, units, densities, then a thumbnail of
			// Xthumbnail × Ythumbnail RGB pixels. Keep all but the thumbnail.
			if w, h := int(p[12]), int(p[13]); w*h > 0 {
				rep.add(Embedded, "JFIF", "ThumbnailImage", fmt.Sprintf("(%dx%d pixels)", w, h))
				q := append([]byte(nil), p[:14]...)
				q[12], q[13] = 0, 0
				return true, q, nil
			}
			return true, p, nil
		case bytes.HasPrefix(p, sigJFXX):
			rep.add(Embedded, "JFIF", "ThumbnailImage", fmt.Sprintf("(JFXX extension, %d bytes)", len(p)))
		}
	case markerAPP1:
		switch {
		case bytes.HasPrefix(p, sigExif) && len(p) >= 6:
			orientation := parseEXIF(rep, p[6:])
			first := !j.sawEXIF
			j.sawEXIF = true
			switch {
			case !first || orientation <= 1:
				// Only the first EXIF segment counts for display, and 1
				// is the default. An orientation is all parseEXIF leaves
				// unreported, so there is nothing more to report.
			case j.opts.DropOrientation:
				rep.add(Other, containerIFD0, "Orientation", fmt.Sprint(orientation))
			default:
				// Keep orientation where the EXIF was, so the photo still
				// displays the right way up.
				return true, append(append([]byte(nil), "Exif\x00\x00"...), minimalEXIF(orientation)...), nil
			}
			return false, nil, nil
		case bytes.HasPrefix(p, sigXMP):
			parseXMP(rep, "XMP", p[len(sigXMP):])
		case bytes.HasPrefix(p, sigExtendedXMP):
			// Reported once for all its chunks, by finishXMP.
			j.extendedXMPChunk(p[len(sigExtendedXMP):])
			return false, nil, nil
		}
	case markerAPP2:
		switch {
		case bytes.HasPrefix(p, sigICC):
			if !j.opts.DropColorProfile {
				return true, p, nil
			}
			rep.add(Other, "ICC_Profile", "ICC_Profile", fmt.Sprintf("(%d bytes)", len(p)))
		case bytes.HasPrefix(p, sigMPF):
			j.parseMPF(p[len(sigMPF):])
		}
	case markerAPP11:
		// ISO/IEC 19566-5 JUMBF boxes carry C2PA content credentials:
		// signer certificates, software, times.
		if bytes.HasPrefix(p, []byte("JP")) {
			rep.add(Identity, "JUMBF", "C2PA", fmt.Sprintf("(%d bytes)", len(p)))
		}
	case markerAPP12:
		j.app12(p)
	case markerAPP13:
		if bytes.HasPrefix(p, sigPhotoshop) {
			parsePhotoshop(rep, p[len(sigPhotoshop):])
		}
	case markerAPP14:
		if bytes.HasPrefix(p, sigAdobe) {
			return true, p, nil // its transform flag changes how colours decode
		}
	case markerCOM:
		rep.add(Text, "JPEG COM", "Comment", string(p))
	}
	if rep.count() == before {
		// Application segments nobody documents are written by cameras
		// and their software: vendor data, like a maker note, which
		// exifscrub cannot classify.
		rep.add(Embedded, fmt.Sprintf("JPEG APP%d", code-markerAPP0), appSignature(p), fmt.Sprintf("(%d bytes)", len(p)))
	}
	return false, nil, nil
}

// app12 reports an APP12 segment. Olympus, Agfa and Sony cameras write
// "[picture info]" text of Key=Value lines there; Photoshop's Save for Web
// writes "Ducky" records of quality, comment and copyright.
func (j *jpegScrubber) app12(p []byte) {
	const container = "JPEG APP12"
	if bytes.HasPrefix(p, []byte("Ducky")) {
		for b := p[5:]; len(b) >= 4; {
			tag, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
			if tag == 0 || 4+n > len(b) {
				break
			}
			data := b[4 : 4+n]
			b = b[4+n:]
			switch {
			case tag == 2 && n > 4:
				j.rep.add(Text, container, "Comment", utf16BE(data[4:]))
			case tag == 3 && n > 4:
				j.rep.add(Identity, container, "Copyright", utf16BE(data[4:]))
			}
		}
		return
	}
	i := bytes.Index(p, []byte("[picture info]"))
	if i < 0 {
		return
	}
	for _, line := range strings.FieldsFunc(string(p[i:]), func(r rune) bool { return r == '\r' || r == '\n' || r == 0 }) {
		key, value, ok := strings.Cut(line, "=")
		if !ok || key == "" {
			continue
		}
		cat := classifyName(key)
		if key == "Type" || key == "ID" {
			cat = Device // the camera model
		}
		j.rep.add(cat, container, key, value)
	}
}

// utf16BE decodes big-endian UTF-16 text.
func utf16BE(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, binary.BigEndian.Uint16(b[i:]))
	}
	return string(utf16.Decode(u))
}

// appSignature returns the printable identifier that starts most APPn
// payloads, such as "FPXR" or "HPQC".
func appSignature(p []byte) string {
	n := 0
	for n < len(p) && n < 32 && p[n] >= 0x20 && p[n] < 0x7f {
		n++
	}
	if n == 0 {
		return "(unnamed)"
	}
	return string(p[:n])
}

// extendedXMPChunk collects one chunk of Extended XMP: a 32-byte GUID, the
// full length and this chunk's offset (XMP Part 3 §1.1.3.1), then data.
func (j *jpegScrubber) extendedXMPChunk(p []byte) {
	if len(p) < 40 {
		j.rep.add(Embedded, "XMP", "ExtendedXMP", fmt.Sprintf("malformed chunk (%d bytes)", len(p)))
		return
	}
	data := p[40:]
	j.extendedLen += len(data)
	off := uint64(binary.BigEndian.Uint32(p[36:]))
	if off == uint64(len(j.extendedXMP)) && off+uint64(len(data)) <= maxExtendedXMP {
		j.extendedXMP = append(j.extendedXMP, data...)
	}
}

// finishXMP reports the Extended XMP collected from all its chunks.
func (j *jpegScrubber) finishXMP() {
	switch {
	case j.extendedLen == 0:
	case len(j.extendedXMP) == j.extendedLen:
		parseXMP(j.rep, "XMP ExtendedXMP", j.extendedXMP)
	default:
		// Out of order or larger than it reads: what it holds is unknown,
		// so it must not pass a check.
		j.rep.add(Embedded, "XMP ExtendedXMP", "ExtendedXMP", fmt.Sprintf("(%d bytes, not read)", j.extendedLen))
	}
	j.extendedXMP = nil
}

// parseMPF reports the images of a Multi-Picture Format index: a TIFF
// structure whose MP Index IFD holds a 16-byte MP Entry per image (CIPA
// DC-007 §5.2.3). The images after the first follow the primary image's
// EOI, where trailer removes them.
func (j *jpegScrubber) parseMPF(b []byte) {
	const tagMPEntry = 0xb002
	t, first, err := newTIFF(b)
	n, ok := uint16(0), false
	if err == nil {
		n, ok = t.u16(uint64(first))
	}
	if !ok {
		j.rep.add(Embedded, "MPF", "MPF", "unreadable index")
		return
	}
	w := &exifWalk{t: t}
	for i := uint64(0); i < uint64(n); i++ {
		e := uint64(first) + 2 + 12*i
		tag, ok := t.u16(e)
		if !ok {
			break
		}
		if tag != tagMPEntry {
			continue
		}
		typ, _ := t.u16(e + 2)
		count, _ := t.u32(e + 4)
		val, ok := w.value(e, typ, count)
		if !ok {
			break
		}
		for k := 16; k+16 <= len(val); k += 16 { // the first entry is this image
			size := t.bo.Uint32(val[k+4:])
			j.mpImages++
			j.rep.add(Embedded, "MPF", fmt.Sprintf("MPImage%d", k/16+1), fmt.Sprintf("(%d bytes)", size))
		}
	}
	if j.mpImages == 0 {
		j.rep.add(Other, "MPF", "MPF", fmt.Sprintf("(%d bytes)", len(b)))
	}
}

// writeMarker writes a marker with its fill bytes.
func (j *jpegScrubber) writeMarker(code byte, fill int) error {
	for ; fill > 0; fill-- {
		if err := j.write([]byte{0xff}); err != nil {
			return err
		}
	}
	return j.write([]byte{0xff, code})
}

// writeSegment writes a marker, its length and its payload.
func (j *jpegScrubber) writeSegment(code byte, fill int, payload []byte) error {
	if err := j.writeMarker(code, fill); err != nil {
		return err
	}
	var n [2]byte
	binary.BigEndian.PutUint16(n[:], uint16(len(payload)+2))
	if err := j.write(n[:]); err != nil {
		return err
	}
	return j.write(payload)
}
