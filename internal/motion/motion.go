// Package motion reads and writes the parts of a motion photo that say
// where its video is. A Google Motion Photo (the Motion Photo format 1.0,
// GCamera:MotionPhoto, and the older MicroVideo) appends an MP4 file to a
// JPEG image, whose first box is its ftyp; a Samsung motion photo holds
// the MP4 in its SEF trailer, after the name of a "MotionPhoto_Data"
// record and before the "SEFH" directory that ends the trailer.
//
// Find locates the video in the data that follows the image's EOI by its
// bytes alone. ParseXMP reads the GCamera properties of the primary's
// XMP, each parsed as an integer and checked, and Fields.Props gives them
// for a new packet with the video's offset recomputed. ParseSEF reads the
// records of a Samsung SEF trailer (a JPEG's, or a HEIC's 'sefd' box) and
// AppendSEF writes one anew, with the records the caller keeps.
//
// The package does not read the MP4's boxes (the caller scans or scrubs
// the video as a file of its own), the Container:Directory of the XMP
// (internal/gainmap reads and writes it, for gain maps and motion photos
// alike), or what the other records of a SEF trailer hold.
package motion

import "bytes"

// samsungTag names the SEF record that holds a motion photo's MP4.
var samsungTag = []byte("MotionPhoto_Data")

// headSize is how far into the data the start of a video is looked for:
// a Samsung trailer puts the record's name near its start.
const headSize = 64

// Find returns where the MP4 of a motion photo lies in b, the data after
// an image from its start: b[start:end], and whether it is in a Samsung
// SEF trailer. start is -1 when b does not start with a video. A Google
// video runs to the end of b; a Samsung one to the trailer's last "SEFH"
// after its start, or to the end of b when there is none.
func Find(b []byte) (start, end int, samsung bool) {
	if len(b) >= 8 && string(b[4:8]) == "ftyp" {
		return 0, len(b), false // ISO/IEC 14496-12 §4.3: ftyp comes first
	}
	i := bytes.Index(b[:min(len(b), headSize)], samsungTag)
	if i < 0 {
		return -1, -1, false
	}
	start, end = i+len(samsungTag), len(b)
	if k := bytes.LastIndex(b, []byte("SEFH")); k > start {
		end = k
	}
	return start, end, true
}
