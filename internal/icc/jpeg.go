package icc

import (
	"bytes"
	"fmt"
)

// A JPEG file embeds a profile in APP2 segments (ICC.1:2022 Annex B.4):
// each payload is JPEGSignature, a sequence number from 1, the number of
// chunks, and a piece of the profile; the pieces in sequence are the
// profile. Chunks collects them as libjpeg's jpeg_read_icc_profile reads
// them, and JPEGChunks splits a profile into new ones.

// JPEGSignature starts the APP2 payload of a chunk.
const JPEGSignature = "ICC_PROFILE\x00"

const (
	// jpegChunkHeader is JPEGSignature, the sequence number and the count.
	jpegChunkHeader = len(JPEGSignature) + 2
	// maxJPEGChunk is the profile data one APP2 segment holds: a segment's
	// length field counts itself and at most 65535 bytes (T.81 B.1.1.4).
	maxJPEGChunk = 65535 - 2 - jpegChunkHeader
)

// Chunks collects the chunks of the first profile in a JPEG file. The zero
// value is ready to use.
type Chunks struct {
	chunks [][]byte // by sequence number - 1
	count  int      // chunks announced; 0 before the first
	got    int      // chunks collected
	done   bool     // the profile was complete, or given up on
}

// Add collects the APP2 payload p, which starts with JPEGSignature. It
// returns the profile when p completes it. A chunk that
// jpeg_read_icc_profile would refuse (a bad number, a count that changes,
// a duplicate), and any chunk after the first profile, is not collected:
// refused says why ("" when p was collected). p is copied.
func (c *Chunks) Add(p []byte) (profile []byte, refused string) {
	if len(p) < jpegChunkHeader {
		return nil, "no chunk header"
	}
	seq, count := int(p[len(JPEGSignature)]), int(p[len(JPEGSignature)+1])
	switch {
	case c.done:
		return nil, "after the first profile"
	case seq == 0 || count == 0 || seq > count:
		return nil, fmt.Sprintf("chunk %d of %d", seq, count)
	case c.count != 0 && count != c.count:
		return nil, fmt.Sprintf("chunk %d of %d, but earlier chunks say %d", seq, count, c.count)
	}
	if c.count == 0 {
		c.count = count
		c.chunks = make([][]byte, count)
	}
	if c.chunks[seq-1] != nil {
		return nil, fmt.Sprintf("chunk %d again", seq)
	}
	c.chunks[seq-1] = append([]byte{}, p[jpegChunkHeader:]...)
	c.got++
	if c.got < c.count {
		return nil, ""
	}
	c.done = true
	profile = bytes.Join(c.chunks, nil)
	c.chunks = nil
	return profile, ""
}

// GiveUp ends the collection, as the image data starts: decoders read the
// profile's chunks before the first scan (libjpeg saves markers in
// jpeg_read_header). It reports a profile left incomplete, with the number
// of chunks collected and announced. Once a profile has begun, later
// chunks are refused; before, a chunk still begins one.
func (c *Chunks) GiveUp() (incomplete bool, got, count int) {
	if c.done || c.count == 0 {
		return false, 0, 0
	}
	c.done = true
	c.chunks = nil
	return true, c.got, c.count
}

// JPEGChunks splits profile into the APP2 payloads of its chunks. It
// returns false when the profile needs more than the 255 chunks a count
// byte can announce.
func JPEGChunks(profile []byte) ([][]byte, bool) {
	n := (len(profile) + maxJPEGChunk - 1) / maxJPEGChunk
	if n > 255 {
		return nil, false
	}
	segs := make([][]byte, n)
	for i := range segs {
		piece := profile[i*maxJPEGChunk : min(len(profile), (i+1)*maxJPEGChunk)]
		seg := make([]byte, 0, jpegChunkHeader+len(piece))
		segs[i] = append(append(append(seg, JPEGSignature...), byte(i+1), byte(n)), piece...)
	}
	return segs, true
}
