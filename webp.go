package exifscrub

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/exifscrub/exifscrub/internal/riff"
	"github.com/exifscrub/exifscrub/internal/tiff"
	"github.com/exifscrub/exifscrub/internal/vp8"
	iwebp "github.com/exifscrub/exifscrub/internal/webp"
)

// A WebP file (RFC 9649 §2) is a RIFF container: "RIFF", a 4-byte
// little-endian size, "WEBP", and a list of chunks, each a FourCC, a 4-byte
// little-endian size and the payload, padded to an even length (§2.3).
//
// A simple file (§2.5, §2.6) holds one 'VP8 ' (lossy) or 'VP8L' (lossless)
// bitstream chunk. An extended file (§2.7) starts with a 'VP8X' chunk whose
// flags announce the optional parts, then, in this order: an 'ICCP' colour
// profile, an 'ANIM' chunk and 'ANMF' frames for an animation, or 'ALPH'
// and a bitstream for a still image; then the 'EXIF' and 'XMP ' metadata
// and unknown chunks, which may also appear anywhere else.
//
// scrubWebP copies the chunks needed to render the image byte for byte,
// removes the rest, fixes the VP8X flags to match, and keeps the EXIF
// orientation in a minimal 'EXIF' chunk after the image data. The RIFF
// size comes before the chunks, so the output cannot be streamed: the
// file is read into memory (as much of it as actually arrives, never more
// than its size field claims), and the output, which refers to the input's
// bytes, is written once everything has been checked. Memory use is about
// the size of the file.

// webpInitialBuffer bounds the buffer first allocated for the file; it
// grows only as bytes arrive, whatever the RIFF size claims.
const webpInitialBuffer = 64 << 10

// sigExifChunk is JPEG's APP1 "Exif\0\0" header. RFC 9649 §2.7.1.5 says
// only that the EXIF chunk holds "image metadata in Exif format": libwebp
// and ExifTool write the TIFF structure alone, some writers put this header
// first (pillow__flower.webp in the corpus), and ExifTool reads both.
var sigExifChunk = []byte("Exif\x00\x00")

// isWebP reports whether head starts a WebP file (RFC 9649 §2.4).
func isWebP(head []byte) bool { return iwebp.IsWebP(head) }

type webpScrubber struct {
	*scrubber
	out iwebp.Builder // the chunks to write

	vp8x        [iwebp.VP8XSize]byte // the rewritten VP8X payload
	iccKept     bool
	alpha       bool   // an image chunk kept has transparency
	sawEXIF     bool   // the first top-level EXIF chunk has been read
	orientation int    // kept from the first EXIF chunk; 0 for none
	exifPrefix  bool   // the first EXIF chunk starts with "Exif\0\0"
	keptEXIF    []byte // the tags Options.Keep keeps from the first EXIF chunk
	sawXMP      bool   // the first top-level XMP chunk has been read (Options.Keep)
	xmp         []byte // its kept properties (Options.Keep), or nil

	riffHdr [riff.HeaderSize]byte // scratch for writing
	pad     [1]byte               // a zero padding byte
}

func scrubWebP(s *scrubber) error {
	w := &webpScrubber{scrubber: s}
	r := s.in
	hdr, err := r.next(riff.HeaderSize)
	if err != nil {
		return s.formatError(0, "reading the RIFF header", err)
	}
	if !iwebp.IsWebP(hdr) {
		return s.formatError(0, "not a RIFF WEBP header", nil)
	}
	// RFC 9649 §2.4: the size counts "WEBP" and the chunks, not the first
	// 8 bytes.
	size := binary.LittleEndian.Uint32(hdr[4:8])
	switch {
	case size < 4+riff.ChunkHeaderSize:
		return s.formatError(4, fmt.Sprintf("RIFF size %d leaves no room for a chunk", size), nil)
	case size > iwebp.MaxRIFFSize:
		return s.formatError(4, fmt.Sprintf("RIFF size %d exceeds 2^32-10", size), nil)
	}
	body, err := w.readRIFF(int64(size) - 4)
	if err != nil {
		return err
	}
	l := riff.NewList(iwebp.RIFF, body, riff.HeaderSize)
	first, _, err := w.nextChunk(l)
	if err != nil {
		return err
	}
	switch first.ID {
	case iwebp.VP8, iwebp.VP8L:
		err = w.simple(first, l)
	case iwebp.VP8X:
		err = w.extended(first, l)
	default:
		err = w.formatError(first.Offset, fmt.Sprintf("first chunk is %s, not \"VP8 \", \"VP8L\" or \"VP8X\"", first.ID.Quoted()), nil)
	}
	if err != nil {
		return err
	}
	// RFC 9649 §2.4: "The file SHOULD NOT contain any data after the data
	// specified by File Size. Readers MAY parse such files, ignoring the
	// trailing data." Scrub reports it and drops it.
	if err := s.trailer("WebP"); err != nil {
		return err
	}
	return w.flush()
}

// readRIFF reads the n bytes of the RIFF payload after "WEBP". The buffer
// grows as bytes arrive, so a size field claiming more than the input holds
// costs nothing.
func (w *webpScrubber) readRIFF(n int64) ([]byte, error) {
	r := w.in
	b := make([]byte, 0, min(n, webpInitialBuffer))
	for int64(len(b)) < n {
		chunk, err := r.buffered()
		if err == io.EOF {
			return nil, w.formatError(r.off, fmt.Sprintf("RIFF size %d is larger than the file: it ends %d bytes into the RIFF payload",
				n+4, len(b)+4), io.ErrUnexpectedEOF)
		}
		if err != nil {
			return nil, w.formatError(r.off, "reading the RIFF payload", err)
		}
		if int64(len(chunk)) > n-int64(len(b)) {
			chunk = chunk[:n-int64(len(b))]
		}
		b = append(b, chunk...)
		r.consume(len(chunk))
	}
	return b, nil
}

// nextChunk returns the next chunk of l, or ok == false at its end, its
// errors (*riff.Error) as FormatErrors.
func (w *webpScrubber) nextChunk(l *riff.List) (c riff.Chunk, ok bool, err error) {
	c, ok, err = l.Next()
	if err != nil {
		var e *riff.Error
		if errors.As(err, &e) {
			return c, false, w.formatError(e.Offset, e.Reason, nil)
		}
	}
	return c, ok, err
}

// ruleError returns an *iwebp.Error as a FormatError.
func (w *webpScrubber) ruleError(err error) error {
	e := err.(*iwebp.Error)
	if e.Err == iwebp.ErrUnsupported {
		return w.formatError(e.Offset, e.Reason, ErrUnsupportedFeature)
	}
	return w.formatError(e.Offset, e.Reason, nil)
}

// keep adds a chunk to the output and returns its index in w.out.Parts.
func (w *webpScrubber) keep(id riff.FourCC, data []byte) int {
	w.alpha = w.alpha || iwebp.HasAlpha(id, data)
	return w.out.Add(id, data)
}

// image keeps an image's bitstream chunk and the ALPH chunk read before it
// (nil if none), after checking both against what their decoders read
// (internal/vp8): the VP8 frame header and the partitions it declares
// (RFC 6386 §9.1, §9.5), the VP8L header (RFC 9649 §3), and the ALPH
// header byte (§2.7.1.2). Of raw alpha, exactly width × height bytes are
// kept: bytes beyond those are cut and reported. An ALPH chunk before a
// VP8L bitstream is dropped: decoders ignore it, since VP8L carries its
// own alpha. A VP8 frame is walked to where decoders stop reading it
// (vp8.FrameEnd): more than vp8Slack bytes after that are cut and
// reported; up to vp8Slack are an encoder's flush and stay. A frame the
// walk cannot finish is kept as it is (libwebp refuses it too). Where a
// VP8L bitstream ends is known only after decoding it, which exifscrub
// does not do, so bytes appended to one are not found.
func (w *webpScrubber) image(alph *riff.Chunk, bits riff.Chunk) error {
	if bits.ID == iwebp.VP8L {
		if err := vp8.CheckLosslessHeader(bits.Data); err != nil {
			return w.bitstreamError(bits, "", err)
		}
		if alph != nil {
			w.rep.add(Embedded, "WebP ALPH", "ALPH", fmt.Sprintf("(%d bytes before a VP8L bitstream, which decoders ignore)", len(alph.Data)))
		}
		w.keep(bits.ID, bits.Data)
		return nil
	}
	frame, err := vp8.DecodeFrameHeader(bits.Data)
	if err != nil {
		return w.bitstreamError(bits, "VP8 bitstream: ", err)
	}
	if alph != nil {
		n, err := vp8.CheckAlpha(alph.Data, frame.Width, frame.Height)
		if err != nil {
			return w.bitstreamError(*alph, "", err)
		}
		if extra := len(alph.Data) - n; extra > 0 {
			w.rep.add(Embedded, "WebP ALPH", "DataAfterAlpha", fmt.Sprintf("(%d bytes after the %dx%d alpha plane, at offset %d)", extra, frame.Width, frame.Height, alph.Offset+riff.ChunkHeaderSize+int64(n)))
		}
		w.keep(iwebp.ALPH, alph.Data[:n])
	}
	data := bits.Data
	if n, err := vp8.FrameEnd(data); err == nil && len(data)-n > vp8Slack {
		w.rep.add(Embedded, "WebP VP8", "DataAfterFrame", fmt.Sprintf("(%d bytes after the frame's last partition, at offset %d)", len(data)-n, bits.Offset+riff.ChunkHeaderSize+int64(n)))
		data = data[:n]
	}
	w.keep(bits.ID, data)
	return nil
}

// vp8Slack is how many bytes after the end of a VP8 frame are kept as an
// encoder's flush: libwebp's boolean encoder ends 1 to 3 bytes past what
// its decoder reads (the corpus, TestFrameEnd in internal/vp8).
const vp8Slack = 8

// bitstreamError returns err, a *vp8.Error, as the FormatError of chunk c,
// its reason after prefix.
func (w *webpScrubber) bitstreamError(c riff.Chunk, prefix string, err error) error {
	reason := err.Error()
	var e *vp8.Error
	if errors.As(err, &e) {
		reason = e.Reason
	}
	return w.formatError(c.Offset, prefix+reason, nil)
}

// simple walks the chunks after the bitstream of a simple-format file
// (RFC 9649 §2.5, §2.6), which should have none. Metadata and unknown
// chunks there are removed; image chunks need a VP8X chunk to mean
// anything, so their presence is an error.
//
// A non-default orientation in an EXIF chunk there is kept as in an
// extended file, in a minimal EXIF chunk after the bitstream, but with no
// VP8X flag to announce it: the file then reads and displays as it did
// (ExifTool sees the orientation; viewers, which look for EXIF only when
// the VP8X flag says so, do not). Adding a VP8X chunk would change that.
// libwebp's strict mux API (webpmux) refuses such a file before and after.
func (w *webpScrubber) simple(bitstream riff.Chunk, l *riff.List) error {
	if err := w.image(nil, bitstream); err != nil {
		return err
	}
	for {
		c, ok, err := w.nextChunk(l)
		if err != nil || !ok {
			return err
		}
		if err := iwebp.CheckSimple(c, bitstream.ID); err != nil {
			return w.ruleError(err)
		}
		w.drop(c, true)
	}
}

// extended walks an extended-format file (RFC 9649 §2.7). The chunks that
// reconstruct the image and correct its colours MUST come in this order:
// VP8X, ICCP, ANIM, then ANMF frames or ALPH and a bitstream; "Readers
// SHOULD fail when" they do not. Metadata and unknown chunks may appear
// anywhere and are removed.
func (w *webpScrubber) extended(vp8x riff.Chunk, l *riff.List) error {
	flags, clean, err := iwebp.ParseVP8X(vp8x)
	if err != nil {
		return w.ruleError(err)
	}
	// The ICC and EXIF flags are set in flush to match the chunks written.
	w.vp8x = clean
	w.keep(iwebp.VP8X, w.vp8x[:])
	layout := iwebp.NewLayout(flags)
	var alph *riff.Chunk // kept once the bitstream after it is checked
	for {
		c, ok, err := w.nextChunk(l)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if err := layout.Add(c); err != nil {
			return w.ruleError(err)
		}
		switch c.ID {
		case iwebp.ICCP:
			if w.opts.DropColorProfile {
				w.rep.add(Other, "WebP ICCP", "ICCP", fmt.Sprintf("(%d bytes)", len(c.Data)))
				continue
			}
			clean, err := scrubICC(w.rep, "ICC_Profile", c.Data)
			switch {
			case errors.Is(err, ErrUnsupportedFeature):
				return w.formatError(c.Offset, err.Error(), ErrUnsupportedFeature)
			case err != nil:
				continue // not a profile: reported, and removed
			}
			w.keep(c.ID, clean)
			w.iccKept = true
		case iwebp.ANIM:
			w.keep(c.ID, c.Data)
		case iwebp.ANMF:
			if err := w.frame(c); err != nil {
				return err
			}
		case iwebp.ALPH:
			alph = &c
		case iwebp.VP8, iwebp.VP8L:
			if err := w.image(alph, c); err != nil {
				return err
			}
		default:
			w.drop(c, true)
		}
	}
	if err := layout.End(l.Offset()); err != nil {
		return w.ruleError(err)
	}
	return nil
}

// frame copies an ANMF chunk (RFC 9649 §2.7.1.1): its header, an optional
// ALPH chunk and a bitstream. Unknown chunks at the end of the frame data
// are removed, and the ANMF size is fixed to match.
func (w *webpScrubber) frame(c riff.Chunk) error {
	hdr, reserved, err := iwebp.FrameHeader(c)
	if err != nil {
		return w.ruleError(err)
	}
	if reserved {
		w.rep.add(Embedded, "WebP ANMF", "ANMF", fmt.Sprintf("(data in the reserved bits of the frame header at offset %d)", c.Offset))
	}
	i := w.keep(c.ID, hdr)
	start := w.out.Size
	l := riff.NewList(iwebp.ANMF, c.Data[iwebp.ANMFHeaderSize:], c.Offset+riff.ChunkHeaderSize+iwebp.ANMFHeaderSize)
	var layout iwebp.FrameLayout
	var alph *riff.Chunk
	for {
		sub, ok, err := w.nextChunk(l)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if err := layout.Add(sub); err != nil {
			return w.ruleError(err)
		}
		switch sub.ID {
		case iwebp.ALPH:
			alph = &sub
		case iwebp.VP8, iwebp.VP8L:
			if err := w.image(alph, sub); err != nil {
				return err
			}
		default:
			w.drop(sub, false)
		}
	}
	if err := layout.End(c.Offset); err != nil {
		return w.ruleError(err)
	}
	w.out.SetSize(i, uint32(iwebp.ANMFHeaderSize+w.out.Size-start))
	return nil
}

// drop reports a chunk that Scrub removes. The first top-level EXIF chunk
// is the one viewers read (RFC 9649 §2.7.1.5: readers MAY ignore all but
// the first); its orientation is kept.
func (w *webpScrubber) drop(c riff.Chunk, topLevel bool) {
	name := c.ID.String()
	switch c.ID {
	case iwebp.EXIF, iwebp.XMP:
		if len(c.Data) > maxMetadataChunk {
			w.rep.add(Embedded, "WebP "+name, name, fmt.Sprintf("(%d bytes, too large to list)", len(c.Data)))
			w.sawEXIF = w.sawEXIF || (topLevel && c.ID == iwebp.EXIF)
			return
		}
	}
	switch c.ID {
	case iwebp.EXIF:
		tiff, prefixed := bytes.CutPrefix(c.Data, sigExifChunk)
		first := topLevel && !w.sawEXIF
		var o int
		if first && w.opts.keepsAny() {
			o, w.keptEXIF = keepEXIF(w.rep, tiff, w.opts, !w.opts.DropOrientation, maxMetadataChunk)
		} else {
			o = parseEXIF(w.rep, tiff)
		}
		if !first {
			return
		}
		w.sawEXIF = true
		w.exifPrefix = prefixed
		switch {
		case w.keptEXIF != nil:
			if o > 1 && w.opts.DropOrientation {
				w.rep.add(Other, containerIFD0, "Orientation", fmt.Sprint(o))
			}
		case o <= 1:
		case w.opts.DropOrientation:
			w.rep.add(Other, containerIFD0, "Orientation", fmt.Sprint(o))
		default:
			w.orientation = o
		}
	case iwebp.XMP:
		if w.opts.keepsAny() && topLevel && !w.sawXMP {
			// The first top-level packet, rebuilt with the kept
			// properties; readers take one.
			w.sawXMP = true
			w.xmp = keepXMP(w.rep, "XMP", c.Data, w.opts)
			return
		}
		parseXMP(w.rep, "XMP", c.Data)
	default:
		// A chunk exifscrub cannot read is data it cannot classify.
		w.rep.add(Embedded, "WebP "+name, name, fmt.Sprintf("(%d bytes)", len(c.Data)))
	}
}

// flush adds the minimal EXIF chunk that keeps a non-default orientation,
// after the image data where RFC 9649 §2.7 puts EXIF, sets the VP8X flags
// to match the chunks kept, and writes the file.
func (w *webpScrubber) flush() error {
	if w.orientation > 1 || w.keptEXIF != nil {
		// In the form it came in: ImageMagick reads a WebP orientation
		// only after an "Exif\0\0" header, libwebp-based viewers and
		// ExifTool in either form. With Options.Keep, the block holds
		// the kept tags too.
		exif := w.keptEXIF
		if exif == nil {
			exif = tiff.Minimal(w.orientation)
		}
		if w.exifPrefix {
			exif = append(append([]byte(nil), sigExifChunk...), exif...)
		}
		w.keep(iwebp.EXIF, exif)
		w.vp8x[0] |= iwebp.FlagEXIF // written only if the file has a VP8X chunk
	}
	if w.xmp != nil {
		// After EXIF, where RFC 9649 §2.7 puts XMP.
		w.keep(iwebp.XMP, w.xmp)
		w.vp8x[0] |= iwebp.FlagXMP
	}
	if w.iccKept {
		w.vp8x[0] |= iwebp.FlagICC
	}
	if w.alpha {
		// The alpha flag is kept as it was, and set when an image chunk
		// has transparency: ExifTool 12.57 leaves it clear when it turns
		// a simple lossless file with alpha into an extended one, which
		// libwebp's webpinfo and webpmux then refuse.
		w.vp8x[0] |= iwebp.FlagAlpha
	}
	if w.scan {
		return nil
	}
	var err error
	if w.riffHdr, err = w.out.Header(); err != nil {
		return w.ruleError(err)
	}
	if err := w.write(w.riffHdr[:]); err != nil {
		return err
	}
	for i := range w.out.Parts {
		p := &w.out.Parts[i]
		if err := w.write(p.Header[:]); err != nil {
			return err
		}
		if err := w.write(p.Data); err != nil {
			return err
		}
		if p.Pad {
			if err := w.write(w.pad[:]); err != nil {
				return err
			}
		}
	}
	return nil
}
