package exifscrub

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/exifscrub/exifscrub/internal/gainmap"
	"github.com/exifscrub/exifscrub/internal/icc"
	"github.com/exifscrub/exifscrub/internal/jpegapp"
	"github.com/exifscrub/exifscrub/internal/jpegscan"
	"github.com/exifscrub/exifscrub/internal/makernote"
	"github.com/exifscrub/exifscrub/internal/mpf"
	"github.com/exifscrub/exifscrub/internal/tiff"
	"github.com/exifscrub/exifscrub/internal/xmp"
)

// A JPEG file (ITU T.81 Annex B) is a sequence of marker segments: 0xFF, a
// marker code, and for most markers a 2-byte big-endian length that counts
// itself and the payload. Each SOS (start of scan) segment is followed by
// entropy-coded data, in which 0xFF bytes are followed by 0x00 (stuffing)
// or a restart marker; any other marker ends the data. Metadata lives in
// APPn and COM segments; scrubJPEG copies every other segment byte for
// byte, and the entropy-coded data that decoders read (internal/jpegscan
// walks it), and stops at the primary image's EOI.

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

// Frame types (T.81 Table B.1) that exifscrub can walk, and those it refuses.
const (
	markerSOF0  = 0xc0 // baseline sequential, Huffman
	markerSOF1  = 0xc1 // extended sequential, Huffman
	markerSOF2  = 0xc2 // progressive, Huffman
	markerSOF3  = 0xc3 // lossless, Huffman
	markerDHT   = 0xc4
	markerJPG   = 0xc8 // reserved for JPEG extensions
	markerDAC   = 0xcc // arithmetic coding conditioning
	markerSOF15 = 0xcf
	markerDQT   = 0xdb
	markerDNL   = 0xdc
	markerDRI   = 0xdd
	markerDHP   = 0xde
	markerEXP   = 0xdf
	markerJPG0  = 0xf0
	markerSOF55 = 0xf7 // JPEG-LS (T.87) frame
	markerLSE   = 0xf8 // JPEG-LS parameters
	markerJPG13 = 0xfd
)

// Signatures at the start of APPn payloads.
var (
	sigJFXX        = []byte(jpegapp.JFXXSignature)              // JFIF 1.02 extension APP0
	sigExif        = []byte("Exif\x00")                         // CIPA DC-008 §4.7.2; the sixth byte is padding
	sigXMP         = []byte("http://ns.adobe.com/xap/1.0/\x00") // XMP Part 3 §1.1.3
	sigExtendedXMP = []byte(xmp.ExtendedSignature)              // XMP Part 3 §1.1.3.1
	sigICC         = []byte(icc.JPEGSignature)                  // ICC.1:2022 Annex B.4
	sigMPF         = []byte(mpf.Signature)                      // CIPA DC-007 §5.2
	sigPhotoshop   = []byte("Photoshop 3.0\x00")
)

const (
	// maxSegment is the largest payload of a marker segment.
	maxSegment = 65535 - 2
	// maxStandardXMP is the largest XMP packet written in one APP1
	// segment: the limit of the XMP SDK and ExifTool, a little under the
	// 65535 bytes less the length and signature that the segment holds.
	// A rebuilt packet is never split into Extended XMP.
	maxStandardXMP = 65502
	// maxExtraneous bounds the garbage bytes tolerated before a marker
	// outside entropy-coded data; libjpeg skips such bytes with a warning.
	maxExtraneous = 1 << 16
)

type jpegScrubber struct {
	*scrubber
	sawEXIF     bool
	sawXMP      bool // a standard XMP segment was rebuilt (Options.Keep)
	sawIPTC     bool // a Photoshop segment was rebuilt (Options.Keep)
	extendedXMP xmp.Extended
	mpImages    int             // secondary images the MPF index announces
	frame       *jpegscan.Frame // pooled: its Huffman tables are 11 KB

	// The ICC profile's APP2 chunks, collected until all have arrived,
	// then sanitised and written as new chunks.
	icc icc.Chunks

	// HDR gain maps (jpeg_gainmap.go).
	width, height int               // the frame's, from its SOF
	count         *outCounter       // the output, counted; nil when scanning
	gm            *gainMapState     // a primary image's; nil in a gain map
	isGainMap     bool              // this is a gain map, scrubbed into memory
	gmXMP         *gainmap.XMP      // a gain map's kept XMP
	gmISO         *gainmap.Metadata // a gain map's ISO 21496-1 metadata
	segAt         int64             // input offset of the segment's payload

	// Motion photos (jpeg_motion.go): why a video was not kept under
	// Options.KeepMotion, for its finding.
	motionWhy string

	// The primary's Apple MakerNote (jpeg_apple.go).
	apple     *appleHold // the output held from the EXIF segment on
	appleDone bool       // the first EXIF segment was seen
}

func scrubJPEG(s *scrubber) error {
	j := newJPEGScrubber(s)
	defer j.frame.Release()
	j.gm = &gainMapState{}
	if !s.scan {
		j.count = &outCounter{w: s.out}
		s.out = j.count
	}
	return j.run()
}

// newJPEGScrubber returns a scrubber of the JPEG image s reads.
func newJPEGScrubber(s *scrubber) *jpegScrubber {
	return &jpegScrubber{scrubber: s, frame: jpegscan.NewFrame()}
}

// run scrubs the image.
func (j *jpegScrubber) run() error {
	s := j.scrubber
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
			if err := j.appleRelease(code, nil); err != nil {
				return err
			}
			j.iccGiveUp()
			if err := j.writeMarker(code, fill); err != nil {
				return err
			}
			return j.afterEOI()
		case code == markerSOI:
			return s.formatError(start, "SOI marker inside the image", nil)
		case code == markerTEM || (code >= markerRST0 && code <= markerRST7):
			// Stand-alone markers without a length (T.81 B.1.1.3).
			if err := j.writeMarker(code, fill); err != nil {
				return err
			}
			continue
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
		j.segAt = r.off
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
		if code == markerSOS {
			// Decoders read the profile's chunks before the first scan
			// (libjpeg saves markers in jpeg_read_header).
			j.iccGiveUp()
		}
		if err := j.appleRelease(code, payload); err != nil {
			return err
		}
		keep := true
		var scan *jpegscan.ScanHeader
		orig := payload
		if (code >= markerAPP0 && code <= markerAPP15) || code == markerCOM {
			keep, payload, err = j.appSegment(code, payload)
		} else {
			keep, payload, scan, err = j.imageSegment(start, code, payload)
		}
		if err != nil {
			return err
		}
		if code == markerAPP1 && j.holdApple(orig, keep, payload, fill) {
			continue
		}
		if keep {
			if err := j.writeSegment(code, fill, payload); err != nil {
				return err
			}
		}
		if scan != nil {
			sawSOS = true
			if err := j.entropyData(scan); err != nil {
				if isTruncation(err) {
					return j.truncated(r.off)
				}
				return err
			}
		}
	}
}

// isTruncation reports whether err says that the input ended inside
// entropy-coded data (a *FormatError wrapping io.ErrUnexpectedEOF), as
// opposed to an error from the caller's reader or writer.
func isTruncation(err error) bool {
	var fe *FormatError
	return errors.As(err, &fe) && errors.Is(fe.Err, io.ErrUnexpectedEOF)
}

// truncated ends an image whose input stops before its EOI marker, after
// at least one scan: decoders show what arrived (libjpeg warns "Premature
// end of JPEG file" and supplies the EOI itself), so Scrub keeps the image
// data as it is, writes the EOI the decoder would have supplied, and
// reports the damage. It is not private, so the finding is Other.
func (j *jpegScrubber) truncated(off int64) error {
	j.rep.Damaged = true
	j.rep.add(Other, "JPEG", "ImageData", fmt.Sprintf("damaged: image data truncated at offset %d (no EOI)", off))
	if err := j.writeMarker(markerEOI, 0); err != nil {
		return err
	}
	j.finishXMP()
	return j.endTruncated()
}

// readMarker reads a marker: optional extraneous bytes, one or more 0xFF
// bytes (any beyond the first are fill bytes, T.81 B.1.1.2), and the code.
// As libjpeg's next_marker does, it counts an 0xFF00 pair (stuffed
// data, not a marker) among the extraneous bytes and reads on.
func (j *jpegScrubber) readMarker() (code byte, fill, skipped int, err error) {
	r := j.in
	for {
		for ; ; skipped++ {
			c, err := r.readByte()
			if err != nil {
				return 0, 0, skipped, err
			}
			if c == 0xff {
				break
			}
			if skipped >= maxExtraneous {
				return 0, 0, skipped, fmt.Errorf("no marker in %d bytes", maxExtraneous)
			}
		}
		fill = 0
		for {
			c, err := r.readByte()
			if err != nil {
				return 0, 0, skipped, err
			}
			if c == 0 {
				skipped += 2 + fill
				break
			}
			if c != 0xff {
				return c, fill, skipped, nil
			}
			fill++
		}
	}
}

// imageSegment checks a segment that is not APPn or COM, records what the
// scan walker needs, and decides whether to keep it. Every segment kept is
// parsed whole, so that it holds only its defined fields: libjpeg refuses
// one whose length disagrees with its content (JERR_BAD_LENGTH).
func (j *jpegScrubber) imageSegment(start int64, code byte, p []byte) (keep bool, out []byte, scan *jpegscan.ScanHeader, err error) {
	f := j.frame
	bad := func(msg string) error { return j.formatError(start, msg, nil) }
	switch {
	case code == markerSOF0 || code == markerSOF1 || code == markerSOF2:
		msg, err := f.ParseSOF(code, p)
		if msg != "" {
			return false, nil, nil, j.formatError(start, msg, walkerCause(err))
		}
		j.width, j.height = int(p[3])<<8|int(p[4]), int(p[1])<<8|int(p[2])
	case code == markerSOF3 || code > markerDHT && code <= markerSOF15 && code != markerJPG || code == markerDHP || code == markerEXP ||
		code == markerSOF55 || code == markerLSE:
		// Lossless, hierarchical and arithmetic-coded frames (and
		// JPEG-LS): rare, and their data is not walked, so it could hide
		// anything after its end.
		return false, nil, nil, j.formatError(start, fmt.Sprintf("frame type or coding 0x%02X (lossless, hierarchical, arithmetic or JPEG-LS)", code), ErrUnsupportedFeature)
	case code == markerDHT:
		if msg := f.ParseDHT(p); msg != "" {
			return false, nil, nil, bad(msg)
		}
	case code == markerDQT:
		if msg := jpegscan.ParseDQT(p); msg != "" {
			return false, nil, nil, bad(msg)
		}
	case code == markerDRI:
		if msg := f.ParseDRI(p); msg != "" {
			return false, nil, nil, bad(msg)
		}
	case code == markerDNL:
		// B.2.5: the number of lines, 2 bytes. A frame whose height is
		// set is refused above when it is 0, so this one only repeats it.
		if len(p) < 2 {
			return false, nil, nil, bad(fmt.Sprintf("DNL segment of %d bytes, want 2", len(p)))
		}
		if len(p) > 2 {
			j.rep.add(Embedded, "JPEG DNL", "DNL", fmt.Sprintf("(%d bytes after the number of lines)", len(p)-2))
			p = p[:2]
		}
	case code == markerSOS:
		sh, msg := f.ParseSOS(p)
		if msg != "" {
			return false, nil, nil, bad(msg)
		}
		return true, p, sh, nil
	case code == markerJPG || code >= markerJPG0 && code <= markerJPG13 || code < markerSOF0:
		// Reserved codes (T.81 Table B.1): no decoder reads them.
		j.rep.add(Embedded, "JPEG", fmt.Sprintf("0x%02X", code), fmt.Sprintf("(reserved marker segment of %d bytes)", len(p)))
		return false, nil, nil, nil
	}
	return true, p, nil, nil
}

// entropyData walks the entropy-coded data of a scan whose header has been
// read, copying what the decoder reads and dropping anything after its
// last MCU (see jpegscan.Frame.Walk); it leaves the marker that ends the
// data unread.
func (j *jpegScrubber) entropyData(sh *jpegscan.ScanHeader) error {
	r := j.in
	res, err := j.frame.Walk(sh, r.br, r.off, walkerOutput{j.scrubber})
	r.off = res.End
	if res.Dropped > 0 {
		j.rep.add(Embedded, "JPEG", "DataAfterScan", fmt.Sprintf("(%d bytes after the last MCU of an interval, first at offset %d)", res.Dropped, res.DroppedAt))
	}
	if e, ok := err.(*jpegscan.Error); ok {
		return j.formatError(e.Offset, e.Reason, walkerCause(e.Err))
	}
	return err // the caller's reader's or writer's, or nil
}

// walkerOutput is the output as the walker writes it: through write, so
// that nothing is written when scanning and errors say they are the
// writer's.
type walkerOutput struct{ *scrubber }

func (o walkerOutput) Write(b []byte) (int, error) {
	if err := o.write(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// walkerCause is the Err of a FormatError for the cause of a walker's
// error: its jpegscan.ErrUnsupported is ErrUnsupportedFeature.
func walkerCause(err error) error {
	if err == jpegscan.ErrUnsupported {
		return ErrUnsupportedFeature
	}
	return err
}

// appSegment reports an APPn or COM segment and decides whether to keep it.
// It may return a replacement payload.
func (j *jpegScrubber) appSegment(code byte, p []byte) (keep bool, out []byte, err error) {
	rep := j.rep
	before := rep.count()
	switch code {
	case markerAPP0:
		// JFIF is rebuilt from the fields that affect display, with no
		// thumbnail and nothing after.
		if clean, w, h, extra, ok := jpegapp.JFIF(p); ok {
			if w*h > 0 {
				rep.add(Embedded, "JFIF", "ThumbnailImage", fmt.Sprintf("(%dx%d pixels)", w, h))
			}
			extraBytes(rep, "JFIF", "JFIF", extra)
			return true, clean, nil
		}
		if bytes.HasPrefix(p, sigJFXX) {
			rep.add(Embedded, "JFIF", "ThumbnailImage", fmt.Sprintf("(JFXX extension, %d bytes)", len(p)))
		}
		if makernote.IsCIFF(p) {
			// Canon's older cameras: a CIFF heap of camera records, removed
			// whole as today, its owner, camera and time named by category.
			rep.add(Embedded, "JPEG APP0", jpegapp.Signature(p), fmt.Sprintf("(%d bytes)", len(p)))
			for _, f := range makernote.ReadCIFF(p) {
				rep.add(Category(f.Category), "CIFF", f.Name, f.Value)
			}
		}
	case markerAPP1:
		switch {
		case bytes.HasPrefix(p, sigExif) && len(p) >= 6:
			first := !j.sawEXIF
			j.sawEXIF = true
			var orientation int
			var kept []byte
			if first && j.opts.keepsAny() {
				// The tags the policy keeps, in a new block where the
				// old one was, with the orientation.
				orientation, kept = keepEXIF(rep, p[6:], j.opts, !j.opts.DropOrientation, maxSegment-len(sigExif)-1)
			} else {
				orientation = parseEXIF(rep, p[6:])
			}
			switch {
			case kept != nil:
				if orientation > 1 && j.opts.DropOrientation {
					rep.add(Other, containerIFD0, "Orientation", fmt.Sprint(orientation))
				}
				return true, append(append([]byte(nil), "Exif\x00\x00"...), kept...), nil
			case !first || orientation <= 1:
				// Only the first EXIF segment counts for display, and 1
				// is the default. An orientation is all parseEXIF leaves
				// unreported, so there is nothing more to report.
			case j.opts.DropOrientation:
				rep.add(Other, containerIFD0, "Orientation", fmt.Sprint(orientation))
			default:
				// Keep orientation where the EXIF was, so the photo still
				// displays the right way up.
				return true, append(append([]byte(nil), "Exif\x00\x00"...), tiff.Minimal(orientation)...), nil
			}
			return false, nil, nil
		case bytes.HasPrefix(p, sigXMP) && j.isGainMap && !j.sawXMP:
			j.sawXMP = true
			keep, out := j.gainMapXMPSegment(p)
			return keep, out, nil
		case bytes.HasPrefix(p, sigXMP) && j.primaryXMP(p):
			return false, nil, nil
		case bytes.HasPrefix(p, sigXMP):
			if j.opts.keepsAny() && !j.sawXMP {
				// Readers take one standard XMP segment (XMP Part 3
				// §1.1.3); the first is rebuilt with the kept properties
				// and any later one is removed, as by default.
				j.sawXMP = true
				if kept := keepXMPMax(rep, "XMP", p[len(sigXMP):], j.opts, maxStandardXMP); kept != nil {
					return true, append(append([]byte(nil), sigXMP...), kept...), nil
				}
				return false, nil, nil
			}
			parseXMP(rep, "XMP", p[len(sigXMP):])
		case bytes.HasPrefix(p, sigExtendedXMP):
			// Reported once for all its chunks, by finishXMP.
			if !j.extendedXMP.Add(p[len(sigExtendedXMP):]) {
				rep.add(Embedded, "XMP", "ExtendedXMP", fmt.Sprintf("malformed chunk (%d bytes)", len(p)-len(sigExtendedXMP)))
			}
			return false, nil, nil
		}
	case markerAPP2:
		switch {
		case bytes.HasPrefix(p, sigICC):
			return false, nil, j.iccChunk(p)
		case bytes.HasPrefix(p, sigMPF):
			j.mpfSegment(p)
			return false, nil, nil
		case bytes.HasPrefix(p, sigISO):
			keep, out := j.isoSegment(p)
			return keep, out, nil
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
		if bytes.HasPrefix(p, sigPhotoshop) && j.opts.keepsAny() && !j.sawIPTC {
			j.sawIPTC = true
			if iptc := keepPhotoshopIPTC(rep, p[len(sigPhotoshop):], j.opts); iptc != nil {
				return true, photoshopIPTC(iptc), nil
			}
			return false, nil, nil
		}
		if bytes.HasPrefix(p, sigPhotoshop) {
			parsePhotoshop(rep, p[len(sigPhotoshop):])
		}
	case markerAPP14:
		if clean, extra, ok := jpegapp.Adobe(p); ok {
			// Its transform flag changes how colours decode. libjpeg
			// reads the 12 bytes and ignores what follows; so does the
			// rebuilt segment's reader, as there is nothing.
			extraBytes(rep, "Adobe", "APP14", extra)
			return true, clean, nil
		}
	case markerCOM:
		if t, ok := plainText(p); ok && j.opts.keeps(Text) {
			// The comment is the user's text, kept up to any NUL; one
			// that is not printable UTF-8 text goes.
			rep.keep(Text, "JPEG COM", "Comment", string(t))
			return true, t, nil
		}
		rep.add(Text, "JPEG COM", "Comment", string(p))
	}
	if rep.count() == before {
		// Application segments nobody documents are written by cameras
		// and their software: vendor data, like a maker note, which
		// exifscrub cannot classify.
		rep.add(Embedded, fmt.Sprintf("JPEG APP%d", code-markerAPP0), jpegapp.Signature(p), fmt.Sprintf("(%d bytes)", len(p)))
	}
	return false, nil, nil
}

// app12 reports an APP12 segment. Olympus, Agfa and Sony cameras write
// "[picture info]" text of Key=Value lines there; Photoshop's Save for Web
// writes "Ducky" records of quality, comment and copyright.
func (j *jpegScrubber) app12(p []byte) {
	const container = "JPEG APP12"
	if texts, ok := jpegapp.Ducky(p); ok {
		for _, t := range texts {
			if t.Tag == jpegapp.DuckyComment {
				j.rep.add(Text, container, "Comment", t.Text)
			} else {
				j.rep.add(Identity, container, "Copyright", t.Text)
			}
		}
		return
	}
	for _, f := range jpegapp.PictureInfo(p) {
		j.rep.add(pictureInfoKeys.classify(f.Key), container, f.Key, f.Value)
	}
}

// finishXMP reports the Extended XMP collected from all its chunks.
func (j *jpegScrubber) finishXMP() {
	packet, whole, seen := j.extendedXMP.Packet()
	switch {
	case seen == 0:
	case whole:
		parseXMP(j.rep, "XMP ExtendedXMP", packet)
	default:
		// Out of order or larger than it reads: what it holds is unknown,
		// so it must not pass a check.
		j.rep.add(Embedded, "XMP ExtendedXMP", "ExtendedXMP", fmt.Sprintf("(%d bytes, not read)", seen))
	}
	j.extendedXMP = xmp.Extended{}
}

// parseMPF reports the images of a Multi-Picture Format index: a TIFF
// structure whose MP Index IFD holds a 16-byte MP Entry per image (CIPA
// DC-007 §5.2.3). The images after the first follow the primary image's
// EOI, where trailer removes them.
func (j *jpegScrubber) parseMPF(b []byte) {
	m, ok := mpf.Parse(b)
	if !ok {
		j.rep.add(Embedded, "MPF", "MPF", "unreadable index")
		return
	}
	for k, e := range m.Entries {
		if k > 0 { // the first entry is this image
			j.mpImages++
			j.rep.add(Embedded, "MPF", fmt.Sprintf("MPImage%d", k+1), fmt.Sprintf("(%d bytes)", e.Size))
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

// extraBytes reports bytes after the defined fields of a segment that
// Scrub rebuilds: zero padding is Other, anything else is hidden data.
func extraBytes(rep *Report, container, tag string, b []byte) {
	switch {
	case len(b) == 0:
	case allZero(b):
		rep.add(Other, container, tag, fmt.Sprintf("(%d zero bytes after the defined fields)", len(b)))
	default:
		rep.add(Embedded, container, tag, fmt.Sprintf("(%d bytes after the defined fields)", len(b)))
	}
}

// iccChunk collects one APP2 ICC_PROFILE chunk (see icc.Chunks). Chunks
// that libjpeg's jpeg_read_icc_profile would refuse, and any chunk after
// the first profile, are removed and reported: no reader uses them. When
// the last chunk arrives, the profile is sanitised and written in new
// chunks.
func (j *jpegScrubber) iccChunk(p []byte) error {
	const container = "ICC_Profile"
	profile, refused := j.icc.Add(p)
	if refused != "" {
		j.rep.add(Embedded, container, "ICC_PROFILE", fmt.Sprintf("(%d bytes, %s)", len(p), refused))
		return nil
	}
	if profile == nil {
		return nil
	}
	if j.opts.DropColorProfile {
		j.rep.add(Other, container, "ICC_Profile", fmt.Sprintf("(%d bytes)", len(profile)))
		return nil
	}
	clean, err := scrubICC(j.rep, container, profile)
	switch {
	case errors.Is(err, ErrUnsupportedFeature):
		return j.formatError(j.in.off, err.Error(), ErrUnsupportedFeature)
	case err != nil:
		return nil // not a profile: reported, and removed
	}
	segs, ok := icc.JPEGChunks(clean)
	if !ok {
		return j.formatError(j.in.off, fmt.Sprintf("sanitised ICC profile of %d bytes needs more than 255 chunks", len(clean)), ErrUnsupportedFeature)
	}
	for _, seg := range segs {
		if err := j.writeSegment(markerAPP2, 0, seg); err != nil {
			return err
		}
	}
	return nil
}

// iccGiveUp drops the chunks of a profile that is incomplete when the
// image data starts: readers do not use it.
func (j *jpegScrubber) iccGiveUp() {
	if incomplete, got, count := j.icc.GiveUp(); incomplete {
		j.rep.add(Embedded, "ICC_Profile", "ICC_PROFILE", fmt.Sprintf("(incomplete profile: %d of %d chunks)", got, count))
	}
}
