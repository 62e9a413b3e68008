package exifscrub

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/exifscrub/exifscrub/internal/gainmap"
	"github.com/exifscrub/exifscrub/internal/tiff"
)

// Live Photos (issue 21): an Apple Live Photo is a still (HEIC or JPEG)
// and a MOV that share a content identifier, a UUID in the still's Apple
// MakerNote (tag 0x0011) and in the video's
// com.apple.quicktime.content.identifier. The identifier is unique to
// the owner's library, so Scrub removes it; with Options.KeepMotion and
// Options.LiveIdentifier it writes a new one in its place.

// ContentIdentifier returns the Live Photo content identifier that the
// image or video held, as Scan or Scrub found it: the still's Apple
// MakerNote tag 0x0011, or the video's
// com.apple.quicktime.content.identifier; "" when it has none. A program
// that scrubs both files of a Live Photo pairs them by it, and gives both
// one NewLiveIdentifier. It is not part of the report's JSON form: it
// links the file to its owner's library, and a report is often shared.
func (r *Report) ContentIdentifier() string {
	if r == nil {
		return ""
	}
	return r.liveID
}

// findLiveID sets liveID from the video's content identifier key, when
// the report lists it (removed or kept); a MakerNote's is set as EXIF is
// read (tiff.go).
func (r *Report) findLiveID() {
	for _, fs := range [][]Finding{r.Findings, r.Kept} {
		for _, f := range fs {
			if r.liveID == "" && f.Container == containerKeys && f.Tag == keyContentID && isLiveIdentifier(strings.ToUpper(f.Value)) {
				r.liveID = strings.ToUpper(f.Value)
			}
		}
	}
}

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

// The Apple MakerNote that Scrub writes (one writer for every format,
// gainmap.AppleHDR.MakerNote): the HDR headroom of a version 1 Apple gain
// map, and a Live Photo's new content identifier. Nothing else of the
// original MakerNote is ever written.

// exifAppleNote returns what the Apple MakerNote of the Exif IFD of the
// TIFF structure b holds of HDR headroom and content identifier, and
// whether b has one; the byte order of b; and whether b could be read.
func exifAppleNote(b []byte) (note gainmap.AppleHDR, found bool, order binary.ByteOrder, ok bool) {
	w, err := tiff.Read(b)
	if err != nil {
		return note, false, nil, false
	}
	for _, d := range w.IFDs {
		for _, e := range d.Entries {
			if d.Kind == tiff.Exif && e.Tag == tagMakerNote && e.InBlock && !found {
				note, found = gainmap.ParseAppleMakerNote(e.Value)
			}
		}
	}
	return note, found, w.Order, true
}

// withAppleNote returns the TIFF structure b, one that Scrub rebuilt
// (or nil for none, in the byte order bo), with an Apple MakerNote mn in
// its Exif IFD in place of any it had. Entries are taken from b's IFD0,
// Exif and GPS IFDs, as tiff.Write writes them; it returns nil when b
// cannot be read or the result would be larger than limit.
func withAppleNote(b []byte, bo binary.ByteOrder, mn []byte, limit int) []byte {
	var ifd0, exif, gps []tiff.Entry
	if b != nil {
		w, err := tiff.Read(b)
		if err != nil {
			return nil
		}
		bo = w.Order
		for _, d := range w.IFDs {
			for _, e := range d.Entries {
				switch {
				case !e.InBlock || e.Link || e.Tag == tiff.TagExifIFD || e.Tag == tiff.TagGPSIFD:
				case d.Kind == tiff.IFD0:
					ifd0 = append(ifd0, e)
				case d.Kind == tiff.Exif && e.Tag != tagMakerNote:
					exif = append(exif, e)
				case d.Kind == tiff.GPS:
					gps = append(gps, e)
				}
			}
		}
	}
	exif = append(exif, tiff.Entry{Tag: tagMakerNote, Type: 7, Count: uint32(len(mn)), Value: mn})
	return tiff.Write(bo, ifd0, exif, gps, limit)
}
