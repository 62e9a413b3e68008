package exifscrub

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/exifscrub/exifscrub/internal/iptc"
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
const maxIPTCInAPP13 = 65533 - 14 - iptc.ResourceHeaderSize - 1

// photoshopIPTC returns an APP13 payload holding one image resource block,
// IPTC-IIM (0x0404) with an empty name, holding iim.
func photoshopIPTC(iim []byte) []byte {
	b := make([]byte, 0, len(sigPhotoshop)+iptc.ResourceHeaderSize+len(iim)+1)
	b = append(b, sigPhotoshop...)
	return iptc.AppendResource(b, irbIPTC, iim)
}

// walkPhotoshop adds findings for the image resource blocks in b, passing
// the data of IPTC resources to iptcData.
func walkPhotoshop(rep *Report, b []byte, iptcData func([]byte)) {
	const container = "Photoshop"
	rs := iptc.NewResources(b)
	for {
		res, ok := rs.Next()
		if !ok {
			break
		}
		size := len(res.Data)
		switch res.ID {
		case irbIPTC:
			iptcData(res.Data)
		case irbXMP:
			parseXMP(rep, "XMP", res.Data)
		case irbEXIF:
			parseEXIF(rep, res.Data)
		case irbThumbnail, irbThumbnail4:
			rep.add(Embedded, container, "PhotoshopThumbnail", fmt.Sprintf("(%d bytes)", size))
		default:
			// Resources that hold settings only are Other; the rest (slice
			// names and URLs, paths, captions, plug-in data) are data
			// exifscrub cannot classify.
			cat := Embedded
			if photoshopSettings[res.ID] {
				cat = Other
			}
			rep.add(cat, container, fmt.Sprintf("0x%04x", res.ID), fmt.Sprintf("(%d bytes)", size))
		}
	}
	if err := rs.Err(); err != nil {
		what := "unreadable"
		if errors.Is(err, iptc.ErrTruncated) {
			what = "truncated"
		}
		rep.add(Embedded, container, "ImageResources", fmt.Sprintf("%s (%d bytes)", what, len(b)-iptcOffset(err)))
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

// iptcDataset is what exifscrub knows about an IPTC-IIM dataset: its
// name, category, and the form and largest length in octets that IIM 4.2
// §6 gives its data, which a kept dataset must have (iptc.Valid; a
// dataset exifscrub does not know, max -1, is never kept: only the table
// keeps).
type iptcDataset struct {
	name string
	cat  Category
	form iptc.Form
	max  int
}

// finerThanCity are the datasets a coarse grid drops: sub-location and
// the content location's code and name, which name a place finer than a
// city (Options.CoarseLocation).
var finerThanCity = map[uint8]bool{26: true, 27: true, 92: true}

// iptcDatasets are the Application Record (record 2) datasets, named as in
// IPTC-IIM 4.2 §6 and ExifTool.
var iptcDatasets = map[uint8]iptcDataset{
	5:   {"ObjectName", Text, iptc.FormText, 64},
	15:  {"Category", Text, iptc.FormAlpha, 3},
	20:  {"SupplementalCategories", Text, iptc.FormText, 32},
	25:  {"Keywords", Text, iptc.FormText, 64},
	26:  {"ContentLocationCode", Location, iptc.FormAlpha, 3},
	27:  {"ContentLocationName", Location, iptc.FormText, 64},
	30:  {"ReleaseDate", Time, iptc.FormDate, 8},
	35:  {"ReleaseTime", Time, iptc.FormTime, 11},
	37:  {"ExpirationDate", Time, iptc.FormDate, 8},
	38:  {"ExpirationTime", Time, iptc.FormTime, 11},
	40:  {"SpecialInstructions", Text, iptc.FormText, 256},
	55:  {"DateCreated", Time, iptc.FormDate, 8},
	60:  {"TimeCreated", Time, iptc.FormTime, 11},
	62:  {"DigitalCreationDate", Time, iptc.FormDate, 8},
	63:  {"DigitalCreationTime", Time, iptc.FormTime, 11},
	65:  {"OriginatingProgram", Device, iptc.FormText, 32},
	70:  {"ProgramVersion", Device, iptc.FormText, 10},
	80:  {"By-line", Identity, iptc.FormText, 32},
	85:  {"By-lineTitle", Identity, iptc.FormText, 32},
	90:  {"City", Location, iptc.FormText, 32},
	92:  {"Sub-location", Location, iptc.FormText, 32},
	95:  {"Province-State", Location, iptc.FormText, 32},
	100: {"Country-PrimaryLocationCode", Location, iptc.FormAlpha, 3},
	101: {"Country-PrimaryLocationName", Location, iptc.FormText, 64},
	103: {"OriginalTransmissionReference", Text, iptc.FormText, 32},
	105: {"Headline", Text, iptc.FormText, 256},
	110: {"Credit", Identity, iptc.FormText, 32},
	115: {"Source", Identity, iptc.FormText, 32},
	116: {"CopyrightNotice", Identity, iptc.FormText, 128},
	118: {"Contact", Identity, iptc.FormText, 128},
	120: {"Caption-Abstract", Text, iptc.FormText, 2000},
	122: {"Writer-Editor", Identity, iptc.FormText, 32},
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
		if !ascii && len(charset) > 0 && len(charset) <= 8 && charset[0] == 0x1b {
			head = iptc.AppendDataset(head, iptc.RecordEnvelope, iptc.CodedCharacterSet, charset)
		}
		if len(version) == 2 {
			head = iptc.AppendDataset(head, iptc.RecordApplication, iptc.RecordVersion, version)
		}
		kept = append(head, kept...)
	}()
	r := iptc.NewDatasets(b)
	for {
		ds, ok := r.Next()
		if !ok {
			break
		}
		record, dataset, data := ds.Record, ds.Number, ds.Data
		name := strconv.Itoa(int(record)) + ":" + strconv.Itoa(int(dataset))
		d, ok := iptcDatasets[dataset]
		switch {
		case record == iptc.RecordApplication && ok:
		case record == iptc.RecordEnvelope && dataset == iptc.CodedCharacterSet:
			charset = data
			continue // the coded character set: format bookkeeping
		case dataset == iptc.RecordVersion && (record == iptc.RecordApplication || record == iptc.RecordEnvelope):
			if record == iptc.RecordApplication {
				version = data
			}
			continue // record versions: format bookkeeping
		default:
			// IPTC-IIM datasets are text; one exifscrub does not know is
			// Text when it reads as text, else data it cannot classify.
			d = iptcDataset{name: name, cat: Embedded, max: -1}
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
		if record == iptc.RecordApplication && opts.keeps(d.cat) && iptc.Valid(d.form, d.max, data) &&
			!(opts.CoarseLocation > 0 && finerThanCity[dataset]) &&
			len(kept)+iptc.DatasetHeaderSize+len(data) <= room-len(charset)-12 {
			kept = iptc.AppendDataset(kept, iptc.RecordApplication, dataset, data)
			for _, c := range data {
				ascii = ascii && c < 0x80
			}
			rep.keep(d.cat, container, d.name, v)
			continue
		}
		rep.add(d.cat, container, d.name, v)
	}
	if err := r.Err(); err != nil {
		// Padding ends the records; anything else is data that readers
		// do not show.
		left := len(b) - iptcOffset(err)
		switch {
		case errors.Is(err, iptc.ErrNotDataset):
			rep.add(Embedded, container, "IPTC", fmt.Sprintf("(%d bytes after the records)", left))
		case errors.Is(err, iptc.ErrExtendedLength):
			rep.add(Embedded, container, "IPTC", fmt.Sprintf("unreadable extended dataset (%d bytes)", left))
		default:
			rep.add(Embedded, container, "IPTC", fmt.Sprintf("truncated dataset (%d bytes)", left))
		}
	}
	return kept
}

// iptcOffset returns the offset of err, an *iptc.Error.
func iptcOffset(err error) int {
	var e *iptc.Error
	if errors.As(err, &e) {
		return e.Offset
	}
	return 0
}
