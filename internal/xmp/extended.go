package xmp

import "encoding/binary"

// A packet too large for one JPEG APP1 segment continues in Extended XMP
// (Part 3 §1.1.3.1): APP1 segments whose payload is ExtendedSignature, a
// 32-byte GUID (the packet's MD5 digest in hex), the full length and this
// chunk's offset in the packet (uint32 each, big-endian), then the data.

// ExtendedSignature starts the APP1 payload of an Extended XMP chunk.
const ExtendedSignature = "http://ns.adobe.com/xmp/extension/\x00"

const (
	// extendedHeader is the GUID, the full length and the offset.
	extendedHeader = 32 + 4 + 4
	// maxExtended bounds the Extended XMP kept in memory. Larger packets
	// are only counted.
	maxExtended = 1 << 20
)

// Extended collects the chunks of Extended XMP in the order they come,
// as long as each continues the packet where the one before ended. It
// does not check the GUIDs or the full length: what it holds is the
// packet only when it is all that was seen (Packet). The zero value is
// ready to use.
type Extended struct {
	packet []byte
	seen   int // bytes of data seen, kept or not
}

// Add collects the chunk p, the APP1 payload after ExtendedSignature. It
// returns false, and collects nothing, when p is shorter than a chunk's
// header. p is copied.
func (e *Extended) Add(p []byte) bool {
	if len(p) < extendedHeader {
		return false
	}
	data := p[extendedHeader:]
	e.seen += len(data)
	off := uint64(binary.BigEndian.Uint32(p[36:]))
	if off == uint64(len(e.packet)) && off+uint64(len(data)) <= maxExtended {
		e.packet = append(e.packet, data...)
	}
	return true
}

// Packet returns the packet collected, whether it holds all the data seen
// (when it does not, chunks came out of order or the packet is too large
// to hold, and what it says is unknown), and the bytes of data seen.
func (e *Extended) Packet() (packet []byte, whole bool, seen int) {
	return e.packet, len(e.packet) == e.seen, e.seen
}
