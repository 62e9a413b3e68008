package exifscrub

import (
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
	const container = "Photoshop"
	for len(b) > 0 {
		// Signature "8BIM" (4), ID (2), Pascal name padded to even length,
		// data size (4), data padded to even length.
		if len(b) < 7 || string(b[:4]) != "8BIM" {
			rep.add(Other, container, "ImageResources", fmt.Sprintf("unreadable (%d bytes)", len(b)))
			return
		}
		id := binary.BigEndian.Uint16(b[4:])
		nameLen := int(b[6])
		pos := 7 + nameLen
		pos += pos & 1
		if pos+4 > len(b) {
			rep.add(Other, container, "ImageResources", "truncated")
			return
		}
		size := uint64(binary.BigEndian.Uint32(b[pos:]))
		pos += 4
		if uint64(pos)+size > uint64(len(b)) {
			rep.add(Other, container, "ImageResources", "truncated")
			return
		}
		data := b[pos : pos+int(size)]
		switch id {
		case irbIPTC:
			parseIPTC(rep, data)
		case irbXMP:
			parseXMP(rep, "XMP", data)
		case irbEXIF:
			parseEXIF(rep, data)
		case irbThumbnail, irbThumbnail4:
			rep.add(Embedded, container, "PhotoshopThumbnail", fmt.Sprintf("(%d bytes)", size))
		default:
			rep.add(Other, container, fmt.Sprintf("0x%04x", id), fmt.Sprintf("(%d bytes)", size))
		}
		next := uint64(pos) + size + size&1
		if next > uint64(len(b)) {
			return
		}
		b = b[next:]
	}
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
	const container = "IPTC"
	for len(b) >= 5 {
		if b[0] != 0x1c {
			return // padding, or the end of the records
		}
		record, dataset := b[1], b[2]
		n := uint64(binary.BigEndian.Uint16(b[3:]))
		pos := uint64(5)
		if n&0x8000 != 0 {
			// Extended DataSet: the low bits give the size of the length.
			k := n & 0x7fff
			if k > 4 || pos+k > uint64(len(b)) {
				rep.add(Other, container, "IPTC", "unreadable extended dataset")
				return
			}
			n = 0
			for _, c := range b[pos : pos+k] {
				n = n<<8 | uint64(c)
			}
			pos += k
		}
		if pos+n > uint64(len(b)) {
			rep.add(Other, container, "IPTC", "truncated dataset")
			return
		}
		data := b[pos : pos+n]
		b = b[pos+n:]
		if record != 2 {
			rep.add(Other, container, strconv.Itoa(int(record))+":"+strconv.Itoa(int(dataset)), fmt.Sprintf("(%d bytes)", len(data)))
			continue
		}
		d, ok := iptcDatasets[dataset]
		if !ok {
			if dataset == 0 {
				continue // ApplicationRecordVersion: format bookkeeping
			}
			d = iptcDataset{name: "2:" + strconv.Itoa(int(dataset)), cat: Other}
		}
		v := string(data)
		if !isText(data) {
			v = fmt.Sprintf("(%d bytes)", len(data))
		}
		rep.add(d.cat, container, d.name, v)
	}
}
