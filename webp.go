package exifscrub

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/exifscrub/exifscrub/internal/riff"
	"github.com/exifscrub/exifscrub/internal/vp8"
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

// Chunk types (RFC 9649 §2.4–§2.7), read by internal/riff; the first
// character is the low byte.
const (
	fccRIFF riff.FourCC = 'R' | 'I'<<8 | 'F'<<16 | 'F'<<24
	fccWEBP riff.FourCC = 'W' | 'E'<<8 | 'B'<<16 | 'P'<<24
	fccVP8  riff.FourCC = 'V' | 'P'<<8 | '8'<<16 | ' '<<24 // note the space (§2.7.1.3)
	fccVP8L riff.FourCC = 'V' | 'P'<<8 | '8'<<16 | 'L'<<24
	fccVP8X riff.FourCC = 'V' | 'P'<<8 | '8'<<16 | 'X'<<24
	fccALPH riff.FourCC = 'A' | 'L'<<8 | 'P'<<16 | 'H'<<24
	fccANIM riff.FourCC = 'A' | 'N'<<8 | 'I'<<16 | 'M'<<24
	fccANMF riff.FourCC = 'A' | 'N'<<8 | 'M'<<16 | 'F'<<24
	fccICCP riff.FourCC = 'I' | 'C'<<8 | 'C'<<16 | 'P'<<24
	fccEXIF riff.FourCC = 'E' | 'X'<<8 | 'I'<<16 | 'F'<<24
	fccXMP  riff.FourCC = 'X' | 'M'<<8 | 'P'<<16 | ' '<<24
)

const (
	// maxRIFFSize is the largest RIFF size: "2^32 minus 10 bytes" (§2.4).
	maxRIFFSize = 1<<32 - 10
	// vp8xSize is the VP8X payload (§2.7): a flags byte, 3 reserved
	// bytes, and the canvas width and height minus one in 24 bits each.
	vp8xSize = 10
	// animSize is the ANIM payload (§2.7.1.1): a background colour
	// (uint32) and a loop count (uint16).
	animSize = 6
	// anmfHeaderSize is the ANMF header before the frame's chunks
	// (§2.7.1.1): X/2, Y/2, width-1, height-1 and duration in 24 bits
	// each, and a byte of reserved bits and blending/disposal flags.
	anmfHeaderSize = 16
	// anmfMethods are the blending and disposal bits of the ANMF header's
	// last byte; the other six are reserved.
	anmfMethods = 0x03
	// webpInitialBuffer bounds the buffer first allocated for the file;
	// it grows only as bytes arrive, whatever the RIFF size claims.
	webpInitialBuffer = 64 << 10
)

// VP8X flags (RFC 9649 §2.7, bits "Rsv Rsv I L E X A R" from the most
// significant); libwebp's WebPFeatureFlags has the same values.
const (
	vp8xICC       = 0x20 // I: the file has an ICCP chunk
	vp8xAlpha     = 0x10 // L: some frame has transparency
	vp8xEXIF      = 0x08 // E: the file has EXIF metadata
	vp8xXMP       = 0x04 // X: the file has XMP metadata
	vp8xAnimation = 0x02 // A: the image is animated (ANIM, ANMF)
)

// The header of a VP8L bitstream (RFC 9649 §3, "RIFF Header"): the
// signature byte 0x2f, then a little-endian 32-bit field of the width and
// height minus one (14 bits each), alpha_is_used (1 bit) and the version
// (3 bits); alpha_is_used is bit 4 of the field's last byte.
const (
	vp8lSignature   = 0x2f
	vp8lAlphaByte   = 4
	vp8lAlphaIsUsed = 0x10
)

// sigExifChunk is JPEG's APP1 "Exif\0\0" header. RFC 9649 §2.7.1.5 says
// only that the EXIF chunk holds "image metadata in Exif format": libwebp
// and ExifTool write the TIFF structure alone, some writers put this header
// first (pillow__flower.webp in the corpus), and ExifTool reads both.
var sigExifChunk = []byte("Exif\x00\x00")

// isWebP reports whether head starts a WebP file (RFC 9649 §2.4).
func isWebP(head []byte) bool {
	return len(head) >= riff.HeaderSize &&
		riff.FourCC(binary.LittleEndian.Uint32(head[0:4])) == fccRIFF &&
		riff.FourCC(binary.LittleEndian.Uint32(head[8:12])) == fccWEBP
}

// A webpPart is one chunk of the output: a header, and a payload that is a
// slice of the input (or of a rebuilt VP8X or EXIF block).
type webpPart struct {
	hdr  [riff.ChunkHeaderSize]byte
	data []byte
	pad  bool // a zero byte follows data (RFC 9649 §2.3)
}

type webpScrubber struct {
	*scrubber
	parts []webpPart
	size  uint64 // bytes in parts, headers and padding included

	vp8x        [vp8xSize]byte // the rewritten VP8X payload
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
	if !isWebP(hdr) {
		return s.formatError(0, "not a RIFF WEBP header", nil)
	}
	// RFC 9649 §2.4: the size counts "WEBP" and the chunks, not the first
	// 8 bytes.
	size := binary.LittleEndian.Uint32(hdr[4:8])
	switch {
	case size < 4+riff.ChunkHeaderSize:
		return s.formatError(4, fmt.Sprintf("RIFF size %d leaves no room for a chunk", size), nil)
	case size > maxRIFFSize:
		return s.formatError(4, fmt.Sprintf("RIFF size %d exceeds 2^32-10", size), nil)
	}
	body, err := w.readRIFF(int64(size) - 4)
	if err != nil {
		return err
	}
	l := riff.NewList(fccRIFF, body, riff.HeaderSize)
	first, _, err := w.nextChunk(l)
	if err != nil {
		return err
	}
	switch first.ID {
	case fccVP8, fccVP8L:
		err = w.simple(first, l)
	case fccVP8X:
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

// keep adds a chunk to the output and returns its index in w.parts.
func (w *webpScrubber) keep(id riff.FourCC, data []byte) int {
	switch {
	case id == fccALPH:
		w.alpha = true
	case id == fccVP8L && len(data) > vp8lAlphaByte && data[0] == vp8lSignature:
		w.alpha = w.alpha || data[vp8lAlphaByte]&vp8lAlphaIsUsed != 0
	}
	p := webpPart{data: data, pad: len(data)%2 == 1}
	riff.PutChunkHeader(p.hdr[:], id, uint32(len(data)))
	w.parts = append(w.parts, p)
	w.size += riff.ChunkHeaderSize + uint64(len(data)) + uint64(len(data)%2)
	return len(w.parts) - 1
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
	if bits.ID == fccVP8L {
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
		w.keep(fccALPH, alph.Data[:n])
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
		switch c.ID {
		case fccVP8X, fccVP8, fccVP8L, fccALPH, fccANIM, fccANMF, fccICCP:
			return w.formatError(c.Offset, fmt.Sprintf("chunk %s in a simple-format file (no VP8X chunk) after its %s bitstream", c.ID.Quoted(), bitstream.ID.Quoted()), nil)
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
	switch {
	case len(vp8x.Data) < vp8xSize:
		return w.formatError(vp8x.Offset, fmt.Sprintf("VP8X size %d is less than %d", len(vp8x.Data), vp8xSize), nil)
	case len(vp8x.Data) > vp8xSize:
		// Fields a future version may add; libwebp refuses them too.
		return w.formatError(vp8x.Offset, fmt.Sprintf("VP8X size %d is larger than %d", len(vp8x.Data), vp8xSize), ErrUnsupportedFeature)
	}
	flags := vp8x.Data[0]
	animated := flags&vp8xAnimation != 0
	// Keep the flags that describe the image and the canvas size; the
	// reserved bits and bytes "MUST be 0", and the ICC and EXIF flags are
	// set in flush to match the chunks written.
	w.vp8x[0] = flags & (vp8xAlpha | vp8xAnimation)
	copy(w.vp8x[4:], vp8x.Data[4:vp8xSize])
	w.keep(fccVP8X, w.vp8x[:])

	var sawICCP, sawANIM, sawImage, sawALPH, sawBitstream bool
	var alph *riff.Chunk // kept once the bitstream after it is checked
	frames := 0
	for {
		c, ok, err := w.nextChunk(l)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch c.ID {
		case fccVP8X:
			return w.formatError(c.Offset, "second VP8X chunk", nil)
		case fccICCP:
			switch {
			case sawICCP:
				return w.formatError(c.Offset, "second ICCP chunk", nil)
			case sawANIM || sawImage:
				// §2.7.1.4: "This chunk MUST appear before the image data."
				return w.formatError(c.Offset, "ICCP chunk after the ANIM chunk or the image data", nil)
			}
			sawICCP = true
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
		case fccANIM:
			switch {
			case !animated:
				return w.formatError(c.Offset, "ANIM chunk, but the VP8X animation flag is clear", nil)
			case sawANIM:
				// Frames need an ANIM before them, so this is also
				// the check for an ANIM after the image data.
				return w.formatError(c.Offset, "second ANIM chunk", nil)
			case len(c.Data) != animSize:
				return w.formatError(c.Offset, fmt.Sprintf("ANIM size %d, want %d", len(c.Data), animSize), nil)
			}
			sawANIM = true
			w.keep(c.ID, c.Data)
		case fccANMF:
			switch {
			case !animated:
				return w.formatError(c.Offset, "ANMF chunk, but the VP8X animation flag is clear", nil)
			case !sawANIM:
				return w.formatError(c.Offset, "ANMF chunk before the ANIM chunk", nil)
			}
			if err := w.frame(c); err != nil {
				return err
			}
			sawImage = true
			frames++
		case fccALPH, fccVP8, fccVP8L:
			switch {
			case animated:
				return w.formatError(c.Offset, fmt.Sprintf("chunk %s outside an ANMF frame of an animated image", c.ID.Quoted()), nil)
			case sawBitstream:
				return w.formatError(c.Offset, fmt.Sprintf("chunk %s after the bitstream of a still image", c.ID.Quoted()), nil)
			case c.ID == fccALPH && sawALPH:
				return w.formatError(c.Offset, "second ALPH chunk", nil)
			}
			sawImage = true
			sawALPH = sawALPH || c.ID == fccALPH
			sawBitstream = c.ID != fccALPH
			if c.ID == fccALPH {
				alph = &c
			} else if err := w.image(alph, c); err != nil {
				return err
			}
		default:
			w.drop(c, true)
		}
	}
	switch {
	case animated && frames == 0:
		return w.formatError(l.Offset(), "animated image without ANMF frames", nil)
	case !animated && !sawBitstream:
		return w.formatError(l.Offset(), "no \"VP8 \" or \"VP8L\" bitstream chunk", nil)
	}
	return nil
}

// frame copies an ANMF chunk (RFC 9649 §2.7.1.1): its header, an optional
// ALPH chunk and a bitstream. Unknown chunks at the end of the frame data
// are removed, and the ANMF size is fixed to match.
func (w *webpScrubber) frame(c riff.Chunk) error {
	if len(c.Data) < anmfHeaderSize {
		return w.formatError(c.Offset, fmt.Sprintf("ANMF size %d is less than %d", len(c.Data), anmfHeaderSize), nil)
	}
	// The header's last byte holds 6 reserved bits, which "MUST be 0",
	// then the blending and disposal methods.
	hdr := append([]byte(nil), c.Data[:anmfHeaderSize]...)
	if hdr[anmfHeaderSize-1]&^anmfMethods != 0 {
		w.rep.add(Embedded, "WebP ANMF", "ANMF", fmt.Sprintf("(data in the reserved bits of the frame header at offset %d)", c.Offset))
		hdr[anmfHeaderSize-1] &= anmfMethods
	}
	i := w.keep(c.ID, hdr)
	start := w.size
	l := riff.NewList(fccANMF, c.Data[anmfHeaderSize:], c.Offset+riff.ChunkHeaderSize+anmfHeaderSize)
	var sawALPH, sawBitstream bool
	var alph *riff.Chunk
	for {
		sub, ok, err := w.nextChunk(l)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch sub.ID {
		case fccALPH, fccVP8, fccVP8L:
			switch {
			case sawBitstream:
				return w.formatError(sub.Offset, fmt.Sprintf("chunk %s after the bitstream of a frame", sub.ID.Quoted()), nil)
			case sub.ID == fccALPH && sawALPH:
				return w.formatError(sub.Offset, "second ALPH chunk in a frame", nil)
			}
			sawALPH = sawALPH || sub.ID == fccALPH
			sawBitstream = sub.ID != fccALPH
			if sub.ID == fccALPH {
				alph = &sub
			} else if err := w.image(alph, sub); err != nil {
				return err
			}
		default:
			w.drop(sub, false)
		}
	}
	if !sawBitstream {
		return w.formatError(c.Offset, "ANMF frame without a bitstream chunk", nil)
	}
	// The frame's chunks are padded, so the new size is even: no pad.
	binary.LittleEndian.PutUint32(w.parts[i].hdr[4:], uint32(anmfHeaderSize+w.size-start))
	return nil
}

// drop reports a chunk that Scrub removes. The first top-level EXIF chunk
// is the one viewers read (RFC 9649 §2.7.1.5: readers MAY ignore all but
// the first); its orientation is kept.
func (w *webpScrubber) drop(c riff.Chunk, topLevel bool) {
	name := c.ID.String()
	switch c.ID {
	case fccEXIF, fccXMP:
		if len(c.Data) > maxMetadataChunk {
			w.rep.add(Embedded, "WebP "+name, name, fmt.Sprintf("(%d bytes, too large to list)", len(c.Data)))
			w.sawEXIF = w.sawEXIF || (topLevel && c.ID == fccEXIF)
			return
		}
	}
	switch c.ID {
	case fccEXIF:
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
	case fccXMP:
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
			exif = minimalEXIF(w.orientation)
		}
		if w.exifPrefix {
			exif = append(append([]byte(nil), sigExifChunk...), exif...)
		}
		w.keep(fccEXIF, exif)
		w.vp8x[0] |= vp8xEXIF // written only if the file has a VP8X chunk
	}
	if w.xmp != nil {
		// After EXIF, where RFC 9649 §2.7 puts XMP.
		w.keep(fccXMP, w.xmp)
		w.vp8x[0] |= vp8xXMP
	}
	if w.iccKept {
		w.vp8x[0] |= vp8xICC
	}
	if w.alpha {
		// The alpha flag is kept as it was, and set when an image chunk
		// has transparency: ExifTool 12.57 leaves it clear when it turns
		// a simple lossless file with alpha into an extended one, which
		// libwebp's webpinfo and webpmux then refuse.
		w.vp8x[0] |= vp8xAlpha
	}
	if w.scan {
		return nil
	}
	size := 4 + w.size
	if size > maxRIFFSize {
		return w.formatError(4, fmt.Sprintf("the scrubbed RIFF size %d would exceed 2^32-10", size), ErrUnsupportedFeature)
	}
	hdr := w.riffHdr[:]
	binary.LittleEndian.PutUint32(hdr[0:4], uint32(fccRIFF))
	binary.LittleEndian.PutUint32(hdr[4:8], uint32(size))
	binary.LittleEndian.PutUint32(hdr[8:12], uint32(fccWEBP))
	if err := w.write(hdr); err != nil {
		return err
	}
	for i := range w.parts {
		p := &w.parts[i]
		if err := w.write(p.hdr[:]); err != nil {
			return err
		}
		if err := w.write(p.data); err != nil {
			return err
		}
		if p.pad {
			if err := w.write(w.pad[:]); err != nil {
				return err
			}
		}
	}
	return nil
}
