// Package vp8 checks the image bitstreams of a WebP file against what
// their decoders read, so that a caller can tell whether a chunk carries
// anything else:
//
//   - VP8 (RFC 6386), the lossy bitstream of a 'VP8 ' chunk:
//     DecodeFrameHeader reads a key frame's header (§9.1, §19.1) and, with
//     a boolean entropy decoder (§7.3), the frame header at the start of
//     the first partition (§19.2) as far as the number of token partitions
//     (§9.5), and checks that the bitstream holds the partitions it
//     declares.
//
//   - VP8L (RFC 9649 §3), the lossless bitstream of a 'VP8L' chunk:
//     CheckLosslessHeader checks its signature and version.
//
//   - ALPH (RFC 9649 §2.7.1.2), the alpha plane of a lossy image:
//     CheckAlpha checks its header byte and returns how much of it
//     decoders read.
//
//   - FrameEnd walks a key frame's entropy-coded data without
//     reconstructing pixels (the rest of the frame header, each
//     macroblock's modes and coefficient tokens, RFC 6386 §13, §19.3) and
//     returns how many bytes decoders read: bytes appended inside the last
//     token partition, which runs to the end of the chunk, are found.
//
// Its model is golang.org/x/image/vp8 and vp8l, and libwebp, whose frame
// reading it follows, but it decodes no pixels. Where a VP8L bitstream or
// a compressed alpha plane ends is known only after decoding it, which
// this package does not do, so bytes appended to them are not found.
//
// Every function reads only the bytes it is given, never panics, and
// returns its errors as *Error values with the offset, in those bytes,
// where the problem was found.
package vp8

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// An Error is a bitstream that decoders refuse. Offset is where in the
// bytes given the problem was found; Reason says what it is.
type Error struct {
	Offset int64
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("vp8: %s (offset %d)", e.Reason, e.Offset) }

func errorAt(off int, format string, a ...any) error {
	return &Error{Offset: int64(off), Reason: fmt.Sprintf(format, a...)}
}

// frameHeaderSize is the frame tag (3 bytes), the start code (3) and the
// width and height (2 each) of a key frame (RFC 6386 §9.1, §19.1).
const frameHeaderSize = 10

// A FrameHeader is what a VP8 key frame declares of itself.
type FrameHeader struct {
	Version           int // §9.1: 0 to 3
	Width, Height     int // §19.1: 14 bits each, the scaling bits not included
	FirstPartitionLen int // §9.1: the size of the first partition
	Partitions        int // §9.5: the number of DCT token partitions, 1, 2, 4 or 8
}

// DecodeFrameHeader checks the frame header of a VP8 bitstream b, such as
// the payload of a WebP 'VP8 ' chunk, and that b holds the partitions it
// declares: the first partition, the sizes of all token partitions but
// the last (3 bytes each, §9.5), the partitions of those sizes, and at
// least one byte for the last partition, which runs to the end of b by the
// format's definition. It refuses what libwebp refuses: a frame that is
// not a key frame or not to be shown, a version above 3, and an empty
// frame size.
func DecodeFrameHeader(b []byte) (FrameHeader, error) {
	var h FrameHeader
	if len(b) < frameHeaderSize {
		return h, errorAt(0, "%d bytes, too few for a frame header", len(b))
	}
	tag := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
	keyFrame := tag&1 == 0
	h.Version = int(tag >> 1 & 7)
	show := tag>>4&1 == 1
	h.FirstPartitionLen = int(tag >> 5)
	switch {
	case !keyFrame:
		return h, errorAt(0, "not a key frame") // libwebp: "Not a key frame."
	case h.Version > 3:
		return h, errorAt(0, "version %d", h.Version)
	case !show:
		return h, errorAt(0, "frame not to be shown")
	case b[3] != 0x9d || b[4] != 0x01 || b[5] != 0x2a:
		return h, errorAt(3, "no start code")
	}
	h.Width = int(binary.LittleEndian.Uint16(b[6:]) & 0x3fff)
	h.Height = int(binary.LittleEndian.Uint16(b[8:]) & 0x3fff)
	if h.Width == 0 || h.Height == 0 {
		return h, errorAt(6, "frame size %dx%d", h.Width, h.Height)
	}
	rest := len(b) - frameHeaderSize
	if h.FirstPartitionLen > rest {
		return h, errorAt(0, "first partition of %d bytes, %d in the chunk", h.FirstPartitionLen, rest)
	}
	end := frameHeaderSize + h.FirstPartitionLen
	parts, ok := partitions(b[frameHeaderSize:end])
	if !ok {
		return h, errorAt(end, "frame header runs past the first partition")
	}
	h.Partitions = parts
	// §9.5: the sizes of all token partitions but the last, 3 bytes each.
	p := b[end:]
	if len(p) < 3*(parts-1) {
		return h, errorAt(end, "%d token partitions, no room for their sizes", parts)
	}
	sizes, data := p[:3*(parts-1)], len(p)-3*(parts-1)
	for i := 0; i < parts-1; i++ {
		n := int(sizes[3*i]) | int(sizes[3*i+1])<<8 | int(sizes[3*i+2])<<16
		if n > data {
			return h, errorAt(end+3*i, "token partition %d of %d bytes, %d left in the chunk", i, n, data)
		}
		data -= n
	}
	if data == 0 {
		return h, errorAt(len(b), "no data for the last token partition")
	}
	return h, nil
}

// A boolDecoder reads the boolean entropy-coded data of a VP8 partition
// (RFC 6386 §7.3). Its arithmetic is the RFC's, in libwebp's form: the
// RFC's decoder keeps 2 bytes in value and compares it with split << 8,
// whose low byte is zero, so only the top 8 bits of value decide a bool
// and the low byte is lookahead. Here that 8-bit window is value >> bits,
// and a byte is loaded only when the window needs it (libwebp's
// VP8GetBit, x/image/vp8's readBit). A window that runs past the data
// sets eof and reads zeros; decoders then stop ("Premature end-of-file
// encountered", libwebp; io.ErrUnexpectedEOF, x/image/vp8).
type boolDecoder struct {
	b     []byte
	pos   int    // bytes of b loaded into value
	value uint64 // the window, then bits loaded bits below it
	bits  int    // loaded bits below the window; negative: it needs a byte
	rng   uint32 // range minus 1, 127 to 254 between bools
	eof   bool   // the window has run past b
	mark  int    // bits before the last bool read (see used)
	// invalid: a window was above the range, which no encoder writes
	// (the arithmetic decoder's value stays below its range, §7.3).
	// Decoders then read bits that depend on how many bytes they load
	// at once, so where such a frame ends is not known.
	invalid bool
}

func newBoolDecoder(b []byte) *boolDecoder {
	d := &boolDecoder{}
	d.init(b)
	return d
}

func (d *boolDecoder) init(b []byte) {
	*d = boolDecoder{b: b, bits: -8, mark: -8, rng: 254}
}

// load fills value: 7 bytes at once while 8 remain, then a byte at a
// time, then zeros with eof set. It is not inlined, so that bool is.
//
//go:noinline
func (d *boolDecoder) load() {
	switch {
	case d.pos+8 <= len(d.b):
		d.value = d.value<<56 | binary.BigEndian.Uint64(d.b[d.pos:])>>8
		d.pos += 7
		d.bits += 56
	case d.pos < len(d.b):
		d.value = d.value<<8 | uint64(d.b[d.pos])
		d.pos++
		d.bits += 8
	default:
		d.value <<= 8
		d.bits += 8
		d.eof = true
	}
}

func (d *boolDecoder) bool(prob uint8) bool {
	if d.bits < 0 {
		d.load()
	}
	d.mark = d.bits
	split := d.rng * uint32(prob) >> 8
	r := split + 1 // the new range for a zero
	v := uint32(d.value >> uint(d.bits))
	d.invalid = d.invalid || v > d.rng
	bit := v > split
	if bit {
		r = d.rng - split
		d.value -= uint64(split+1) << uint(d.bits)
	}
	// Renormalize (§7.3): shift until the range is 128 or more.
	shift := 8 - bits.Len32(r)
	d.rng = r<<shift - 1
	d.bits -= shift
	return bit
}

// used returns how many bytes of the partition the bools read so far
// needed: those the 8-bit window covered at the last bool. Bytes after
// them decide nothing, so cutting the partition there changes no bool and
// never makes a decoder run out. A partition never read needs 1 byte,
// which libwebp requires of the last partition.
func (d *boolDecoder) used() int {
	return d.pos - d.mark>>3
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
// signed) its sign; it returns the value, or def when the flag is clear.
func (d *boolDecoder) optional(n int, signed bool, def int) int {
	if !d.bool(128) {
		return def
	}
	v := d.literal(n)
	if signed {
		d.literal(1)
	}
	return v
}

// A segmentMap is what the macroblock headers need of the segmentation
// header (RFC 6386 §9.3): whether each macroblock has a segment id, and
// the probabilities of its tree.
type segmentMap struct {
	update bool
	probs  [3]uint8
}

// readPartitions reads the frame header at the start of the first
// partition of a key frame (RFC 6386 §19.2) as far as the number of token
// partitions, and returns it.
func readPartitions(d *boolDecoder, seg *segmentMap) int {
	d.literal(2)     // color_space, clamping_type
	if d.bool(128) { // segmentation_enabled
		seg.update = d.bool(128) // update_mb_segmentation_map
		if d.bool(128) {         // update_segment_feature_data
			d.literal(1) // segment_feature_mode
			for i := 0; i < 4; i++ {
				d.optional(7, true, 0) // quantizer
			}
			for i := 0; i < 4; i++ {
				d.optional(6, true, 0) // loop filter level
			}
		}
		if seg.update {
			// §9.3: a probability not sent is 255.
			for i := range seg.probs {
				seg.probs[i] = uint8(d.optional(8, false, 255)) // segment_prob
			}
		}
	}
	d.literal(1 + 6 + 3) // filter_type, loop_filter_level, sharpness_level
	if d.bool(128) {     // loop_filter_adj_enable
		if d.bool(128) { // mode_ref_lf_delta_update
			for i := 0; i < 8; i++ {
				d.optional(6, true, 0) // ref_frame and mb_mode deltas
			}
		}
	}
	return 1 << d.literal(2) // log2_nbr_of_dct_partitions
}

// partitions reads the frame header at the start of the first partition
// of a key frame as far as the number of token partitions, and returns
// it; ok is false if the header runs past first.
func partitions(first []byte) (n int, ok bool) {
	d := newBoolDecoder(first)
	var seg segmentMap
	n = readPartitions(d, &seg)
	return n, !d.eof
}

// losslessSignature is the first byte of a VP8L bitstream (RFC 9649 §3).
const losslessSignature = 0x2f

// CheckLosslessHeader checks the header of a VP8L bitstream b (RFC 9649
// §3): the signature byte, and a version of 0, which decoders require
// (the 3 bits at the top of the fifth byte).
func CheckLosslessHeader(b []byte) error {
	switch {
	case len(b) < 5:
		return errorAt(0, "VP8L bitstream of %d bytes", len(b))
	case b[0] != losslessSignature:
		return errorAt(0, "VP8L signature 0x%02x", b[0])
	case b[4]>>5 != 0:
		return errorAt(4, "VP8L version %d", b[4]>>5)
	}
	return nil
}

// ALPH header fields (RFC 9649 §2.7.1.2): Rsv(2) P(2) F(2) C(2), from the
// most significant bit; C is the compression method.
const (
	alphaRaw      = 0
	alphaLossless = 1
)

// CheckAlpha checks the payload b of an ALPH chunk for a frame of width ×
// height and returns how many of its bytes decoders read: for raw
// (uncompressed) alpha, the header byte and exactly width × height bytes;
// for compressed alpha, all of b. It refuses what libwebp's ALPHInit
// refuses: reserved bits set, a pre-processing or compression method it
// does not define, and raw alpha shorter than the frame.
func CheckAlpha(b []byte, width, height int) (n int, err error) {
	if len(b) < 1 {
		return 0, errorAt(0, "empty ALPH chunk")
	}
	rsv, pre, method := b[0]>>6, b[0]>>4&3, b[0]&3
	switch {
	case rsv != 0:
		return 0, errorAt(0, "ALPH reserved bits %d", rsv)
	case pre > 1:
		return 0, errorAt(0, "ALPH pre-processing %d", pre)
	case method > alphaLossless:
		return 0, errorAt(0, "ALPH compression method %d", method)
	}
	if method != alphaRaw {
		return len(b), nil
	}
	need := 1 + width*height
	if len(b) < need {
		return 0, errorAt(len(b), "raw ALPH of %d bytes for a %dx%d frame", len(b)-1, width, height)
	}
	return need, nil
}
