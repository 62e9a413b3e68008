package exifscrub

import (
	"crypto/rand"
	"fmt"
)

// Live Photos (issue 21): an Apple Live Photo is a still (HEIC or JPEG)
// and a MOV that share a content identifier, a UUID in the still's Apple
// MakerNote (tag 0x0011) and in the video's
// com.apple.quicktime.content.identifier. The identifier is unique to
// the owner's library, so Scrub removes it; with Options.KeepMotion and
// Options.LiveIdentifier it writes a new one in its place.

// NewLiveIdentifier returns a fresh random content identifier for a Live
// Photo's still and video, for Options.LiveIdentifier: a version 4 UUID
// (RFC 9562 §5.4) in the uppercase form Apple writes.
func NewLiveIdentifier() string {
	var b [16]byte
	rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// isLiveIdentifier reports whether s is an uppercase UUID, 8-4-4-4-12
// hexadecimal digits: the only form Options.LiveIdentifier accepts, so
// that nothing else can be written where Apple's readers look.
func isLiveIdentifier(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
