// Package webp holds the chunk rules of the WebP container (RFC 9649 §2)
// that do not depend on what a scrubber keeps: the chunk types, the VP8X
// header and its flags (§2.7), the order an extended file's chunks must
// come in (Layout, §2.7: VP8X, ICCP, ANIM, then ANMF frames or ALPH and a
// bitstream) and a frame's (FrameLayout, §2.7.1.1), the ANMF header
// (FrameHeader), whether an image chunk has transparency (HasAlpha), and
// the output's chunks and RIFF header (Builder).
//
// The chunks themselves are read by internal/riff, the bitstreams checked
// by internal/vp8. Errors are *Error values carrying the offset of the
// chunk at fault; Err is ErrUnsupported for a file that is well formed but
// of a form this package does not handle. Nothing panics.
//
// The package does not read a file, and does not decide which chunk is
// private: metadata and unknown chunks pass through Layout unchecked, and
// dropping, reporting and rewriting them is the caller's.
package webp

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/exifscrub/exifscrub/internal/riff"
)

// Chunk types (RFC 9649 §2.4–§2.7); the first character is the low byte.
const (
	RIFF riff.FourCC = 'R' | 'I'<<8 | 'F'<<16 | 'F'<<24
	WEBP riff.FourCC = 'W' | 'E'<<8 | 'B'<<16 | 'P'<<24
	VP8  riff.FourCC = 'V' | 'P'<<8 | '8'<<16 | ' '<<24 // note the space (§2.7.1.3)
	VP8L riff.FourCC = 'V' | 'P'<<8 | '8'<<16 | 'L'<<24
	VP8X riff.FourCC = 'V' | 'P'<<8 | '8'<<16 | 'X'<<24
	ALPH riff.FourCC = 'A' | 'L'<<8 | 'P'<<16 | 'H'<<24
	ANIM riff.FourCC = 'A' | 'N'<<8 | 'I'<<16 | 'M'<<24
	ANMF riff.FourCC = 'A' | 'N'<<8 | 'M'<<16 | 'F'<<24
	ICCP riff.FourCC = 'I' | 'C'<<8 | 'C'<<16 | 'P'<<24
	EXIF riff.FourCC = 'E' | 'X'<<8 | 'I'<<16 | 'F'<<24
	XMP  riff.FourCC = 'X' | 'M'<<8 | 'P'<<16 | ' '<<24
)

const (
	// MaxRIFFSize is the largest RIFF size: "2^32 minus 10 bytes" (§2.4).
	MaxRIFFSize = 1<<32 - 10
	// VP8XSize is the VP8X payload (§2.7): a flags byte, 3 reserved
	// bytes, and the canvas width and height minus one in 24 bits each.
	VP8XSize = 10
	// ANIMSize is the ANIM payload (§2.7.1.1): a background colour
	// (uint32) and a loop count (uint16).
	ANIMSize = 6
	// ANMFHeaderSize is the ANMF header before the frame's chunks
	// (§2.7.1.1): X/2, Y/2, width-1, height-1 and duration in 24 bits
	// each, and a byte of reserved bits and blending/disposal flags.
	ANMFHeaderSize = 16
	// anmfMethods are the blending and disposal bits of the ANMF header's
	// last byte; the other six are reserved.
	anmfMethods = 0x03
)

// VP8X flags (RFC 9649 §2.7, bits "Rsv Rsv I L E X A R" from the most
// significant); libwebp's WebPFeatureFlags has the same values.
const (
	FlagICC       = 0x20 // I: the file has an ICCP chunk
	FlagAlpha     = 0x10 // L: some frame has transparency
	FlagEXIF      = 0x08 // E: the file has EXIF metadata
	FlagXMP       = 0x04 // X: the file has XMP metadata
	FlagAnimation = 0x02 // A: the image is animated (ANIM, ANMF)
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

// ErrUnsupported is the Err of an *Error for a file that is well formed
// but of a form a decoder may not read: a VP8X chunk larger than this
// version defines, or output larger than a RIFF file holds.
var ErrUnsupported = errors.New("unsupported")

// An Error is a chunk that breaks the rules. Offset is the offset of its
// chunk header, counted as the riff.List's offsets are.
type Error struct {
	Offset int64
	Reason string
	Err    error // nil, or ErrUnsupported
}

func (e *Error) Error() string { return fmt.Sprintf("webp: %s (offset %d)", e.Reason, e.Offset) }

func errorAt(off int64, format string, a ...any) error {
	return &Error{Offset: off, Reason: fmt.Sprintf(format, a...)}
}

// IsWebP reports whether head starts a WebP file (RFC 9649 §2.4).
func IsWebP(head []byte) bool {
	return len(head) >= riff.HeaderSize &&
		riff.FourCC(binary.LittleEndian.Uint32(head[0:4])) == RIFF &&
		riff.FourCC(binary.LittleEndian.Uint32(head[8:12])) == WEBP
}

// ParseVP8X checks the size of a VP8X chunk and returns its flags and its
// payload rewritten: the flags that describe the image (alpha, animation)
// and the canvas size, with the reserved bits and bytes, which "MUST be
// 0", cleared, and the ICC, EXIF and XMP flags left for the caller to set
// to match the chunks it writes.
func ParseVP8X(c riff.Chunk) (flags byte, clean [VP8XSize]byte, err error) {
	switch {
	case len(c.Data) < VP8XSize:
		return 0, clean, errorAt(c.Offset, "VP8X size %d is less than %d", len(c.Data), VP8XSize)
	case len(c.Data) > VP8XSize:
		// Fields a future version may add; libwebp refuses them too.
		return 0, clean, &Error{c.Offset, fmt.Sprintf("VP8X size %d is larger than %d", len(c.Data), VP8XSize), ErrUnsupported}
	}
	flags = c.Data[0]
	clean[0] = flags & (FlagAlpha | FlagAnimation)
	copy(clean[4:], c.Data[4:VP8XSize])
	return flags, clean, nil
}

// HasAlpha reports whether an image chunk has transparency: an ALPH
// chunk, or a VP8L bitstream whose header sets alpha_is_used.
func HasAlpha(id riff.FourCC, data []byte) bool {
	switch {
	case id == ALPH:
		return true
	case id == VP8L && len(data) > vp8lAlphaByte && data[0] == vp8lSignature:
		return data[vp8lAlphaByte]&vp8lAlphaIsUsed != 0
	}
	return false
}

// FrameHeader returns a copy of the header of ANMF chunk c (§2.7.1.1)
// with its 6 reserved bits, which "MUST be 0", cleared, and whether any
// was set.
func FrameHeader(c riff.Chunk) (hdr []byte, reserved bool, err error) {
	if len(c.Data) < ANMFHeaderSize {
		return nil, false, errorAt(c.Offset, "ANMF size %d is less than %d", len(c.Data), ANMFHeaderSize)
	}
	hdr = append([]byte(nil), c.Data[:ANMFHeaderSize]...)
	if hdr[ANMFHeaderSize-1]&^anmfMethods != 0 {
		hdr[ANMFHeaderSize-1] &= anmfMethods
		return hdr, true, nil
	}
	return hdr, false, nil
}

// CheckSimple checks a chunk after the bitstream of a simple-format file
// (RFC 9649 §2.5, §2.6): image chunks need a VP8X chunk to mean anything,
// so they are an error there; metadata and unknown chunks are not.
func CheckSimple(c riff.Chunk, bitstream riff.FourCC) error {
	switch c.ID {
	case VP8X, VP8, VP8L, ALPH, ANIM, ANMF, ICCP:
		return errorAt(c.Offset, "chunk %s in a simple-format file (no VP8X chunk) after its %s bitstream", c.ID.Quoted(), bitstream.Quoted())
	}
	return nil
}

// A Layout checks the order of the chunks after the VP8X chunk of an
// extended file (RFC 9649 §2.7). The chunks that reconstruct the image and
// correct its colours MUST come in this order: VP8X, ICCP, ANIM, then ANMF
// frames or ALPH and a bitstream; "Readers SHOULD fail when" they do not.
// Metadata and unknown chunks may appear anywhere.
type Layout struct {
	animated                                          bool
	sawICCP, sawANIM, sawImage, sawALPH, sawBitstream bool
	frames                                            int
}

// NewLayout returns a Layout for a file with the given VP8X flags.
func NewLayout(flags byte) Layout { return Layout{animated: flags&FlagAnimation != 0} }

// Add checks that chunk c may come next, and records it.
func (l *Layout) Add(c riff.Chunk) error {
	switch c.ID {
	case VP8X:
		return errorAt(c.Offset, "second VP8X chunk")
	case ICCP:
		switch {
		case l.sawICCP:
			return errorAt(c.Offset, "second ICCP chunk")
		case l.sawANIM || l.sawImage:
			// §2.7.1.4: "This chunk MUST appear before the image data."
			return errorAt(c.Offset, "ICCP chunk after the ANIM chunk or the image data")
		}
		l.sawICCP = true
	case ANIM:
		switch {
		case !l.animated:
			return errorAt(c.Offset, "ANIM chunk, but the VP8X animation flag is clear")
		case l.sawANIM:
			// Frames need an ANIM before them, so this is also the
			// check for an ANIM after the image data.
			return errorAt(c.Offset, "second ANIM chunk")
		case len(c.Data) != ANIMSize:
			return errorAt(c.Offset, "ANIM size %d, want %d", len(c.Data), ANIMSize)
		}
		l.sawANIM = true
	case ANMF:
		switch {
		case !l.animated:
			return errorAt(c.Offset, "ANMF chunk, but the VP8X animation flag is clear")
		case !l.sawANIM:
			return errorAt(c.Offset, "ANMF chunk before the ANIM chunk")
		}
		l.sawImage = true
		l.frames++
	case ALPH, VP8, VP8L:
		switch {
		case l.animated:
			return errorAt(c.Offset, "chunk %s outside an ANMF frame of an animated image", c.ID.Quoted())
		case l.sawBitstream:
			return errorAt(c.Offset, "chunk %s after the bitstream of a still image", c.ID.Quoted())
		case c.ID == ALPH && l.sawALPH:
			return errorAt(c.Offset, "second ALPH chunk")
		}
		l.sawImage = true
		l.sawALPH = l.sawALPH || c.ID == ALPH
		l.sawBitstream = c.ID != ALPH
	}
	return nil
}

// End checks that the file, whose chunks end at offset off, holds an
// image: frames if animated, a bitstream if not.
func (l *Layout) End(off int64) error {
	switch {
	case l.animated && l.frames == 0:
		return errorAt(off, "animated image without ANMF frames")
	case !l.animated && !l.sawBitstream:
		return errorAt(off, "no \"VP8 \" or \"VP8L\" bitstream chunk")
	}
	return nil
}

// A FrameLayout checks the chunks of an ANMF frame (§2.7.1.1): an
// optional ALPH chunk, then a bitstream; other chunks may follow.
type FrameLayout struct{ sawALPH, sawBitstream bool }

// Add checks that chunk c may come next in the frame, and records it.
func (l *FrameLayout) Add(c riff.Chunk) error {
	switch c.ID {
	case ALPH, VP8, VP8L:
		switch {
		case l.sawBitstream:
			return errorAt(c.Offset, "chunk %s after the bitstream of a frame", c.ID.Quoted())
		case c.ID == ALPH && l.sawALPH:
			return errorAt(c.Offset, "second ALPH chunk in a frame")
		}
		l.sawALPH = l.sawALPH || c.ID == ALPH
		l.sawBitstream = c.ID != ALPH
	}
	return nil
}

// End checks that the frame of the ANMF chunk at off holds a bitstream.
func (l *FrameLayout) End(off int64) error {
	if !l.sawBitstream {
		return errorAt(off, "ANMF frame without a bitstream chunk")
	}
	return nil
}

// A Part is one chunk of the output: a header, and a payload that is a
// slice of the input (or of a rebuilt block).
type Part struct {
	Header [riff.ChunkHeaderSize]byte
	Data   []byte
	Pad    bool // a zero byte follows Data (RFC 9649 §2.3)
}

// A Builder collects the chunks of a WebP file to write.
type Builder struct {
	Parts []Part
	Size  uint64 // bytes in Parts, headers and padding included
}

// Add adds a chunk and returns its index in Parts.
func (b *Builder) Add(id riff.FourCC, data []byte) int {
	p := Part{Data: data, Pad: len(data)%2 == 1}
	riff.PutChunkHeader(p.Header[:], id, uint32(len(data)))
	b.Parts = append(b.Parts, p)
	b.Size += riff.ChunkHeaderSize + uint64(len(data)) + uint64(len(data)%2)
	return len(b.Parts) - 1
}

// SetSize sets the size in the header of Parts[i], for a chunk holding
// the chunks added after it (ANMF). They are padded, so size is even.
func (b *Builder) SetSize(i int, size uint32) {
	binary.LittleEndian.PutUint32(b.Parts[i].Header[4:], size)
}

// Header returns the RIFF header of the file (§2.4): its size counts
// "WEBP" and the chunks, and must not exceed MaxRIFFSize, else Header
// returns an *Error at offset 4 wrapping ErrUnsupported.
func (b *Builder) Header() ([riff.HeaderSize]byte, error) {
	var hdr [riff.HeaderSize]byte
	size := 4 + b.Size
	if size > MaxRIFFSize {
		return hdr, &Error{4, fmt.Sprintf("the scrubbed RIFF size %d would exceed 2^32-10", size), ErrUnsupported}
	}
	binary.LittleEndian.PutUint32(hdr[0:4], uint32(RIFF))
	binary.LittleEndian.PutUint32(hdr[4:8], uint32(size))
	binary.LittleEndian.PutUint32(hdr[8:12], uint32(WEBP))
	return hdr, nil
}
