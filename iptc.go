package exifscrub

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
)

// Photoshop stores IPTC-IIM records, thumbnails and XMP as image resource
// blocks ("8BIM" blocks), in JPEG APP13 segments after "Photoshop 3.0\0"
// (Adobe Photoshop File Formats Specification, "Image Resource Blocks").

// Image resource IDs that exifscrub looks inside.
const (
	irbIPTC       = 0x0404
	irbThumbnail4 = 0x0409 // Photoshop 4.0 thumbnail
	irbThumbnail  = 0x040c
	irbEXIF       = 0x0422
	irbXMP        = 0x0424
)

// parsePhotoshop adds findings for the image resource blocks in b.
func parsePhotoshop(rep *Report, b []byte) {
	walkPhotoshop(rep, b, func(data []byte) { parseIPTC(rep, data) })
}

// keepPhotoshopIPTC reports the image resource blocks in b and returns
// the IPTC-IIM datasets of the first IPTC resource that opts keeps,
// rebuilt by keepIPTC, or nil. Every other resource is removed: thumbnails,
// XMP and EXIF copies, settings, and the IPTC digest (0x0425), an MD5 of
// the original IPTC that the kept datasets would no longer match.
func keepPhotoshopIPTC(rep *Report, b []byte, opts *Options) []byte {
	var kept []byte
	seen := false
	walkPhotoshop(rep, b, func(data []byte) {
		if seen {
			parseIPTC(rep, data)
			return
		}
		seen = true
		kept = keepIPTC(rep, data, opts, maxIPTCInAPP13)
	})
	return kept
}

// maxIPTCInAPP13 is the room for IPTC-IIM datasets in an APP13 segment
// written by photoshopIPTC: 65533 bytes less the signature, the resource
// header and a padding byte.
const maxIPTCInAPP13 = 65533 - 14 - 12 - 1

// photoshopIPTC returns an APP13 payload holding one image resource block,
// IPTC-IIM (0x0404) with an empty name, holding iim.
func photoshopIPTC(iim []byte) []byte {
	b := make([]byte, 0, len(sigPhotoshop)+12+len(iim)+1)
	b = append(b, sigPhotoshop...)
	b = append(b, "8BIM\x04\x04\x00\x00"...) // ID, an empty Pascal name padded to even length
	b = binary.BigEndian.AppendUint32(b, uint32(len(iim)))
	b = append(b, iim...)
	if len(iim)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// walkPhotoshop adds findings for the image resource blocks in b, passing
// the data of IPTC resources to iptc.
func walkPhotoshop(rep *Report, b []byte, iptc func([]byte)) {
	const container = "Photoshop"
	for len(b) > 0 {
		// Signature "8BIM" (4), ID (2), Pascal name padded to even length,
		// data size (4), data padded to even length.
		if len(b) < 7 || string(b[:4]) != "8BIM" {
			if !allZero(b) {
				rep.add(Embedded, container, "ImageResources", fmt.Sprintf("unreadable (%d bytes)", len(b)))
			}
			return
		}
		id := binary.BigEndian.Uint16(b[4:])
		nameLen := int(b[6])
		pos := 7 + nameLen
		pos += pos & 1
		if pos+4 > len(b) {
			rep.add(Embedded, container, "ImageResources", fmt.Sprintf("truncated (%d bytes)", len(b)))
			return
		}
		size := uint64(binary.BigEndian.Uint32(b[pos:]))
		pos += 4
		if uint64(pos)+size > uint64(len(b)) {
			rep.add(Embedded, container, "ImageResources", fmt.Sprintf("truncated (%d bytes)", len(b)))
			return
		}
		data := b[pos : pos+int(size)]
		switch id {
		case irbIPTC:
			iptc(data)
		case irbXMP:
			parseXMP(rep, "XMP", data)
		case irbEXIF:
			parseEXIF(rep, data)
		case irbThumbnail, irbThumbnail4:
			rep.add(Embedded, container, "PhotoshopThumbnail", fmt.Sprintf("(%d bytes)", size))
		default:
			// Resources that hold settings only are Other; the rest (slice
			// names and URLs, paths, captions, plug-in data) are data
			// exifscrub cannot classify.
			cat := Embedded
			if photoshopSettings[id] {
				cat = Other
			}
			rep.add(cat, container, fmt.Sprintf("0x%04x", id), fmt.Sprintf("(%d bytes)", size))
		}
		next := uint64(pos) + size + size&1
		if next > uint64(len(b)) {
			return
		}
		b = b[next:]
	}
}

// photoshopSettings are the image resources that hold numbers and flags
// only (Adobe Photoshop File Formats Specification, "Image Resource IDs"):
// ResolutionInfo, print flags, halftoning and transfer functions, grid and
// guides, copyright flag, global angle and altitude, document-specific ID
// seed, IPTC digest, print scale, pixel aspect ratio, layer state and
// group information, JPEG quality, the untagged-profile flag.
var photoshopSettings = map[uint16]bool{
	0x03ed: true, 0x03f3: true, 0x03f5: true, 0x03f8: true, 0x0400: true, 0x0402: true,
	0x0406: true, 0x0408: true, 0x040a: true, 0x040d: true, 0x0414: true, 0x0419: true,
	0x0411: true, 0x0425: true, 0x0426: true, 0x0428: true, 0x0430: true, 0x2710: true,
}

// iptcDataset is what exifscrub knows about an IPTC-IIM dataset.
type iptcDataset struct {
	name string
	cat  Category
}

// iptcDatasets are the Application Record (record 2) datasets, named as in
// IPTC-IIM 4.2 §6 and ExifTool.
var iptcDatasets = map[uint8]iptcDataset{
	5:   {"ObjectName", Text},
	15:  {"Category", Text},
	20:  {"SupplementalCategories", Text},
	25:  {"Keywords", Text},
	26:  {"ContentLocationCode", Location},
	27:  {"ContentLocationName", Location},
	30:  {"ReleaseDate", Time},
	35:  {"ReleaseTime", Time},
	37:  {"ExpirationDate", Time},
	38:  {"ExpirationTime", Time},
	40:  {"SpecialInstructions", Text},
	55:  {"DateCreated", Time},
	60:  {"TimeCreated", Time},
	62:  {"DigitalCreationDate", Time},
	63:  {"DigitalCreationTime", Time},
	65:  {"OriginatingProgram", Device},
	70:  {"ProgramVersion", Device},
	80:  {"By-line", Identity},
	85:  {"By-lineTitle", Identity},
	90:  {"City", Location},
	92:  {"Sub-location", Location},
	95:  {"Province-State", Location},
	100: {"Country-PrimaryLocationCode", Location},
	101: {"Country-PrimaryLocationName", Location},
	103: {"OriginalTransmissionReference", Text},
	105: {"Headline", Text},
	110: {"Credit", Identity},
	115: {"Source", Identity},
	116: {"CopyrightNotice", Identity},
	118: {"Contact", Identity},
	120: {"Caption-Abstract", Text},
	122: {"Writer-Editor", Identity},
}

// parseIPTC adds a finding for each IPTC-IIM dataset in b. Each dataset is
// a tag marker 0x1C, record and dataset numbers, a length, and the data
// (IPTC-IIM 4.2 §1.5 "Standard DataSet Tag").
func parseIPTC(rep *Report, b []byte) {
	keepIPTC(rep, b, nil, 0)
}

// keepIPTC reports the datasets in b as parseIPTC does and returns new
// IPTC-IIM records holding those of the Application Record (record 2)
// whose category opts keeps, as they were, or nil when none is kept.
// Kept datasets go to the report's Kept, and must fit in room bytes; the
// rest are removed and reported as by default. The new records start with
// the original's coded character set 1:90 when the kept text is not ASCII
// (IPTC-IIM 4.2 §1.6: ESC % G for UTF-8; without it readers take the text
// as Latin-1), then its record version 2:00, if it had them.
func keepIPTC(rep *Report, b []byte, opts *Options, room int) (kept []byte) {
	const container = "IPTC"
	var charset, version []byte
	ascii := true
	defer func() {
		if kept == nil {
			return
		}
		var head []byte
		if len(version) == 2 {
			head = append([]byte{0x1c, 2, 0, 0, 2}, version...)
		}
		if !ascii && len(charset) > 0 && len(charset) <= 8 && charset[0] == 0x1b {
			head = append(append([]byte{0x1c, 1, 90, 0, byte(len(charset))}, charset...), head...)
		}
		kept = append(head, kept...)
	}()
	for len(b) >= 5 {
		if b[0] != 0x1c {
			// Padding ends the records; anything else is data that
			// readers do not show.
			if !allZero(b) {
				rep.add(Embedded, container, "IPTC", fmt.Sprintf("(%d bytes after the records)", len(b)))
			}
			return
		}
		record, dataset := b[1], b[2]
		n := uint64(binary.BigEndian.Uint16(b[3:]))
		pos := uint64(5)
		if n&0x8000 != 0 {
			// Extended DataSet: the low bits give the size of the length.
			k := n & 0x7fff
			if k > 4 || pos+k > uint64(len(b)) {
				rep.add(Embedded, container, "IPTC", fmt.Sprintf("unreadable extended dataset (%d bytes)", len(b)))
				return
			}
			n = 0
			for _, c := range b[pos : pos+k] {
				n = n<<8 | uint64(c)
			}
			pos += k
		}
		if pos+n > uint64(len(b)) {
			rep.add(Embedded, container, "IPTC", fmt.Sprintf("truncated dataset (%d bytes)", len(b)))
			return
		}
		data := b[pos : pos+n]
		b = b[pos+n:]
		name := strconv.Itoa(int(record)) + ":" + strconv.Itoa(int(dataset))
		d, ok := iptcDatasets[dataset]
		switch {
		case record == 2 && ok:
		case record == 1 && dataset == 90:
			charset = data
			continue // the coded character set: format bookkeeping
		case record == 2 && dataset == 0, record == 1 && dataset == 0:
			if record == 2 {
				version = data
			}
			continue // record versions: format bookkeeping
		default:
			// IPTC-IIM datasets are text; one exifscrub does not know is
			// Text when it reads as text, else data it cannot classify.
			d = iptcDataset{name: name, cat: Embedded}
			if isText(data) {
				d.cat = Text
			}
		}
		v := string(data)
		if !isText(data) {
			v = fmt.Sprintf("(%d bytes)", len(data))
		}
		// Only text is kept: a value that is not, or that hides bytes
		// after a NUL, is data the report cannot show.
		if record == 2 && opts.keeps(d.cat) && isText(data) && bytes.IndexByte(data, 0) < 0 &&
			n < 0x8000 && len(kept)+5+int(n) <= room-len(charset)-12 {
			kept = append(append(kept, 0x1c, 2, dataset, byte(n>>8), byte(n)), data...)
			for _, c := range data {
				ascii = ascii && c < 0x80
			}
			rep.keep(d.cat, container, d.name, v)
			continue
		}
		rep.add(d.cat, container, d.name, v)
	}
	return kept
}
