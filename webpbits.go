package exifscrub

import (
	"encoding/binary"
	"fmt"
)

// The image chunks of a WebP file are checked against what their decoders
// read, so that they carry nothing else:
//
//   - 'VP8 ' (RFC 6386): the frame header declares the size of the first
//     partition and, after it, of every token partition but the last
//     (§9.1, §9.5), and the chunk must hold them. The last partition runs
//     to the end of the chunk by the format's definition; where its data
//     really ends is known only after decoding every macroblock's tokens,
//     which exifscrub does not do, so bytes appended to a VP8 chunk are not
//     found.
//   - 'VP8L' (RFC 9649 §3): the header is checked; where the lossless
//     bitstream ends is likewise known only after decoding it.
//   - 'ALPH' (RFC 9649 §2.7.1.2): a header byte whose reserved bits must
//     be zero, and for raw (uncompressed) alpha exactly width × height
//     bytes, the size of the frame that follows: bytes beyond those are
//     cut. An ALPH chunk before a VP8L bitstream is dropped: decoders
//     ignore it, since VP8L carries its own alpha.

// vp8FrameHeaderSize is the frame tag (3 bytes), the start code (3) and the
// width and height (2 each) of a key frame (RFC 6386 §9.1, §19.1).
const vp8FrameHeaderSize = 10

// checkVP8 checks the frame header of a VP8 bitstream and that the chunk
// holds the partitions it declares, and returns the frame's size.
func (w *webpScrubber) checkVP8(c webpChunk) (width, height int, err error) {
	b := c.data
	bad := func(msg string) error { return w.formatError(c.off, "VP8 bitstream: "+msg, nil) }
	if len(b) < vp8FrameHeaderSize {
		return 0, 0, bad(fmt.Sprintf("%d bytes, too few for a frame header", len(b)))
	}
	tag := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
	keyFrame := tag&1 == 0
	version := tag >> 1 & 7
	show := tag>>4&1 == 1
	firstPart := int(tag >> 5)
	switch {
	case !keyFrame:
		return 0, 0, bad("not a key frame") // libwebp: "Not a key frame."
	case version > 3:
		return 0, 0, bad(fmt.Sprintf("version %d", version))
	case !show:
		return 0, 0, bad("frame not to be shown")
	case b[3] != 0x9d || b[4] != 0x01 || b[5] != 0x2a:
		return 0, 0, bad("no start code")
	}
	width = int(binary.LittleEndian.Uint16(b[6:]) & 0x3fff)
	height = int(binary.LittleEndian.Uint16(b[8:]) & 0x3fff)
	if width == 0 || height == 0 {
		return 0, 0, bad(fmt.Sprintf("frame size %dx%d", width, height))
	}
	rest := len(b) - vp8FrameHeaderSize
	if firstPart > rest {
		return 0, 0, bad(fmt.Sprintf("first partition of %d bytes, %d in the chunk", firstPart, rest))
	}
	parts, ok := vp8Partitions(b[vp8FrameHeaderSize : vp8FrameHeaderSize+firstPart])
	if !ok {
		return 0, 0, bad("frame header runs past the first partition")
	}
	// §9.5: the sizes of all token partitions but the last, 3 bytes each.
	p := b[vp8FrameHeaderSize+firstPart:]
	if len(p) < 3*(parts-1) {
		return 0, 0, bad(fmt.Sprintf("%d token partitions, no room for their sizes", parts))
	}
	sizes, data := p[:3*(parts-1)], len(p)-3*(parts-1)
	for i := 0; i < parts-1; i++ {
		n := int(sizes[3*i]) | int(sizes[3*i+1])<<8 | int(sizes[3*i+2])<<16
		if n > data {
			return 0, 0, bad(fmt.Sprintf("token partition %d of %d bytes, %d left in the chunk", i, n, data))
		}
		data -= n
	}
	if data == 0 {
		return 0, 0, bad("no data for the last token partition")
	}
	return width, height, nil
}

// A boolDecoder reads the boolean entropy-coded data of a VP8 partition
// (RFC 6386 §7.3); past the end it reads zeros and says so.
type boolDecoder struct {
	b        []byte
	value    uint32
	rng      uint32
	bitCount int
	past     bool
}

func newBoolDecoder(b []byte) *boolDecoder {
	d := &boolDecoder{b: b, rng: 255}
	d.value = uint32(d.next())<<8 | uint32(d.next())
	return d
}

func (d *boolDecoder) next() byte {
	if len(d.b) == 0 {
		d.past = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *boolDecoder) bool(prob uint32) bool {
	split := 1 + (d.rng-1)*prob>>8
	bigSplit := split << 8
	var bit bool
	if d.value >= bigSplit {
		bit = true
		d.rng -= split
		d.value -= bigSplit
	} else {
		d.rng = split
	}
	for d.rng < 128 {
		d.value <<= 1
		d.rng <<= 1
		if d.bitCount++; d.bitCount == 8 {
			d.bitCount = 0
			d.value |= uint32(d.next())
		}
	}
	return bit
}

// literal reads an n-bit unsigned literal, L(n) in §19.2.
func (d *boolDecoder) literal(n int) int {
	v := 0
	for ; n > 0; n-- {
		v <<= 1
		if d.bool(128) {
			v |= 1
		}
	}
	return v
}

// optional reads a flag and, when it is set, an n-bit value and (if
// signed) its sign.
func (d *boolDecoder) optional(n int, signed bool) {
	if d.bool(128) {
		d.literal(n)
		if signed {
			d.literal(1)
		}
	}
}

// vp8Partitions reads the frame header at the start of the first
// partition of a key frame (RFC 6386 §19.2) as far as the number of token
// partitions, and returns it.
func vp8Partitions(first []byte) (int, bool) {
	d := newBoolDecoder(first)
	d.literal(2)     // color_space, clamping_type
	if d.bool(128) { // segmentation_enabled
		updateMap := d.bool(128)
		if d.bool(128) { // update_segment_feature_data
			d.literal(1) // segment_feature_mode
			for i := 0; i < 4; i++ {
				d.optional(7, true) // quantizer
			}
			for i := 0; i < 4; i++ {
				d.optional(6, true) // loop filter level
			}
		}
		if updateMap {
			for i := 0; i < 3; i++ {
				d.optional(8, false) // segment_prob
			}
		}
	}
	d.literal(1 + 6 + 3) // filter_type, loop_filter_level, sharpness_level
	if d.bool(128) {     // loop_filter_adj_enable
		if d.bool(128) { // mode_ref_lf_delta_update
			for i := 0; i < 8; i++ {
				d.optional(6, true) // ref_frame and mb_mode deltas
			}
		}
	}
	parts := 1 << d.literal(2) // log2_nbr_of_dct_partitions
	return parts, !d.past
}

// checkVP8L checks the header of a VP8L bitstream (RFC 9649 §3): the
// signature, and a version of 0, which decoders require.
func (w *webpScrubber) checkVP8L(c webpChunk) error {
	b := c.data
	switch {
	case len(b) < 5:
		return w.formatError(c.off, fmt.Sprintf("VP8L bitstream of %d bytes", len(b)), nil)
	case b[0] != vp8lSignature:
		return w.formatError(c.off, fmt.Sprintf("VP8L signature 0x%02x", b[0]), nil)
	case b[4]>>5 != 0:
		return w.formatError(c.off, fmt.Sprintf("VP8L version %d", b[4]>>5), nil)
	}
	return nil
}

// ALPH header fields (RFC 9649 §2.7.1.2): Rsv(2) P(2) F(2) C(2), from the
// most significant bit.
const (
	alphRawCompression      = 0
	alphLosslessCompression = 1
)

// image keeps an image's bitstream chunk and the ALPH chunk read before it
// (nil if none), after checking both.
func (w *webpScrubber) image(alph *webpChunk, bits webpChunk) error {
	if bits.id == fccVP8L {
		if err := w.checkVP8L(bits); err != nil {
			return err
		}
		if alph != nil {
			w.rep.add(Embedded, "WebP ALPH", "ALPH", fmt.Sprintf("(%d bytes before a VP8L bitstream, which decoders ignore)", len(alph.data)))
		}
		w.keep(bits.id, bits.data)
		return nil
	}
	width, height, err := w.checkVP8(bits)
	if err != nil {
		return err
	}
	if alph != nil {
		data, err := w.checkALPH(*alph, width, height)
		if err != nil {
			return err
		}
		w.keep(fccALPH, data)
	}
	w.keep(bits.id, bits.data)
	return nil
}

// checkALPH checks an ALPH chunk for a frame of the given size and returns
// what of it decoders read.
func (w *webpScrubber) checkALPH(c webpChunk, width, height int) ([]byte, error) {
	b := c.data
	if len(b) < 1 {
		return nil, w.formatError(c.off, "empty ALPH chunk", nil)
	}
	rsv, pre, method := b[0]>>6, b[0]>>4&3, b[0]&3
	// libwebp's ALPHInit refuses the same.
	switch {
	case rsv != 0:
		return nil, w.formatError(c.off, fmt.Sprintf("ALPH reserved bits %d", rsv), nil)
	case pre > 1:
		return nil, w.formatError(c.off, fmt.Sprintf("ALPH pre-processing %d", pre), nil)
	case method > alphLosslessCompression:
		return nil, w.formatError(c.off, fmt.Sprintf("ALPH compression method %d", method), nil)
	}
	if method != alphRawCompression {
		return b, nil
	}
	need := 1 + width*height
	if len(b) < need {
		return nil, w.formatError(c.off, fmt.Sprintf("raw ALPH of %d bytes for a %dx%d frame", len(b)-1, width, height), nil)
	}
	if len(b) > need {
		w.rep.add(Embedded, "WebP ALPH", "DataAfterAlpha", fmt.Sprintf("(%d bytes after the %dx%d alpha plane, at offset %d)", len(b)-need, width, height, c.off+chunkHeaderSize+int64(need)))
	}
	return b[:need], nil
}
