package makernote

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// The tables: for each maker, the tags of its note that give something
// away, with ExifTool's names (its Tag Names pages, "<Maker> Tags") and
// the category each falls under. Tags not listed are camera settings and
// are not reported one by one (the MakerNote itself is).
//
// Categories follow the root package's EXIF table: serial numbers,
// firmware, model and lens names and unique IDs are Device (as EXIF's
// BodySerialNumber and ImageUniqueID are), an owner's or a recognised
// person's name is Identity (as CameraOwnerName is), places typed into the
// camera are Location, times and time zones are Time.

// A form says how a listed field's value reads.
type form uint8

const (
	formValue  form = iota // as its TIFF type reads; nothing when empty or zero
	formHex                // bytes in hexadecimal (an internal serial number)
	formSub                // a sub-IFD, read with tagInfo.sub
	formImage              // an image or image data: reported by size, as Embedded unless cat says otherwise
	formRecord             // a binary record, read with tagInfo.record
)

type tagInfo struct {
	name   string
	cat    Category
	form   form
	sub    *table
	record []part
	little bool // the record is little-endian whatever the note's order
}

// A table lists the tags of one IFD of a maker's note, and the pair of
// tags (start, length) that locate a preview image, if it has one.
type table struct {
	tags    map[uint16]tagInfo
	preview [2]uint16
}

// A part is one field of a binary record, at a fixed offset.
type part struct {
	at, size int
	kind     partKind
	name     string
	cat      Category
}

type partKind uint8

const (
	partText        partKind = iota // ASCII, up to NUL
	partHex                         // bytes in hexadecimal
	partMinutes16                   // a signed 16-bit time zone in minutes
	partMinutes32                   // a signed 32-bit time zone in minutes
	partSeconds2000                 // unsigned 32-bit seconds since 2000-01-01 (Nintendo)
	partYMDHMS                      // a 16-bit year, then a byte each for month, day, hour, minute, second
	partSMHDMY16                    // six 16-bit numbers: second, minute, hour, month, day, year (Reconyx)
	partDotted16                    // 16-bit numbers joined by dots (a firmware version)
	partUTF16LE                     // UTF-16LE text, up to NUL
	partYMD                         // a 16-bit year, a month byte, a day byte (Pentax Date)
	partHMS                         // an hour, a minute and a second byte (Pentax Time)
)

// read returns the part's printable value in rec, or false when rec is
// too short or the value is zero.
func (p part) read(rec []byte, bo binary.ByteOrder) (string, bool) {
	if p.at < 0 || p.size <= 0 || p.at+p.size > len(rec) {
		return "", false
	}
	b := rec[p.at : p.at+p.size]
	if allZero(b) {
		return "", false
	}
	switch p.kind {
	case partText:
		s := cut(b)
		return s, s != "" && isText(b)
	case partHex:
		return fmt.Sprintf("0x%x", b), true
	case partMinutes16:
		if p.size != 2 {
			return "", false
		}
		return zone(int(int16(bo.Uint16(b)))), true
	case partMinutes32:
		if p.size != 4 {
			return "", false
		}
		return zone(int(int32(bo.Uint32(b)))), true
	case partSeconds2000:
		if p.size != 4 {
			return "", false
		}
		t := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(bo.Uint32(b)) * time.Second)
		return t.Format("2006:01:02 15:04:05"), true
	case partYMDHMS:
		if p.size != 7 {
			return "", false
		}
		return fmt.Sprintf("%04d:%02d:%02d %02d:%02d:%02d", bo.Uint16(b), b[2], b[3], b[4], b[5], b[6]), true
	case partYMD:
		if p.size != 4 {
			return "", false
		}
		return fmt.Sprintf("%04d:%02d:%02d", bo.Uint16(b), b[2], b[3]), true
	case partHMS:
		if p.size != 3 {
			return "", false
		}
		return fmt.Sprintf("%02d:%02d:%02d", b[0], b[1], b[2]), true
	case partSMHDMY16:
		if p.size != 12 {
			return "", false
		}
		v := func(i int) uint16 { return bo.Uint16(b[2*i:]) }
		return fmt.Sprintf("%04d:%02d:%02d %02d:%02d:%02d", v(5), v(3), v(4), v(2), v(1), v(0)), true
	case partDotted16:
		var parts []string
		for i := 0; i+2 <= len(b); i += 2 {
			parts = append(parts, fmt.Sprint(bo.Uint16(b[i:])))
		}
		return strings.Join(parts, "."), true
	case partUTF16LE:
		var r []rune
		for i := 0; i+2 <= len(b); i += 2 {
			c := binary.LittleEndian.Uint16(b[i:])
			if c == 0 {
				break
			}
			if c < 0x20 || c >= 0xd800 && c < 0xe000 {
				return "", false // not text (surrogates are not expected in a serial number)
			}
			r = append(r, rune(c))
		}
		s := strings.TrimSpace(string(r))
		return s, s != ""
	}
	return "", false
}

// zone prints a time zone of m minutes east of UTC as ExifTool does.
func zone(m int) string {
	sign := '+'
	if m < 0 {
		sign, m = '-', -m
	}
	return fmt.Sprintf("%c%02d:%02d", sign, m/60, m%60)
}

// Canon (ExifTool "Canon Tags"; the note is an IFD, offsets from the EXIF
// header).
var canonTable = table{tags: map[uint16]tagInfo{
	0x0006: {name: "CanonImageType", cat: Device},
	0x0007: {name: "CanonFirmwareVersion", cat: Device},
	0x0009: {name: "OwnerName", cat: Identity},
	0x000c: {name: "SerialNumber", cat: Device},
	0x0010: {name: "CanonModelID", cat: Device},
	0x001c: {name: "DateStampMode", cat: Time}, // a date printed on the picture; 0 is Off
	0x001e: {name: "FirmwareRevision", cat: Device},
	0x0028: {name: "ImageUniqueID", cat: Device, form: formHex},
	0x0035: {name: "TimeInfo", form: formRecord, record: []part{ // int32s array, index 1 (Canon TimeInfo Tags)
		{at: 4, size: 4, kind: partMinutes32, name: "TimeZone", cat: Time},
	}},
	0x0095: {name: "LensModel", cat: Device},
	0x0096: {name: "InternalSerialNumber", cat: Device},
	0x4010: {name: "CustomPictureStyleFileName", cat: Text},
}}

// Nikon (ExifTool "Nikon Tags"; type 3 has its own TIFF header).
var nikonTable = table{tags: map[uint16]tagInfo{
	0x0011: {name: "PreviewIFD", form: formSub, sub: &nikonPreviewTable},
	0x001d: {name: "SerialNumber", cat: Device},
	0x0024: {name: "WorldTime", form: formRecord, record: []part{ // Nikon WorldTime Tags
		{at: 0, size: 2, kind: partMinutes16, name: "TimeZone", cat: Time},
	}},
	0x0084: {name: "Lens", cat: Device},
	0x009d: {name: "DateStampMode", cat: Time}, // 0 is Off
	0x00a0: {name: "SerialNumber", cat: Device},
	0x00a7: {name: "ShutterCount", cat: Device}, // counts the body's pictures: tells one camera from another
	0x00b6: {name: "PowerUpTime", form: formRecord, record: []part{
		{at: 0, size: 7, kind: partYMDHMS, name: "PowerUpTime", cat: Time},
	}},
}}

var nikonPreviewTable = table{preview: [2]uint16{0x0201, 0x0202}}

// Olympus (ExifTool "Olympus Tags", "Olympus Equipment Tags", "Olympus
// CameraSettings Tags").
var olympusTable = table{tags: map[uint16]tagInfo{
	0x0081: {name: "PreviewImageData", form: formImage},
	0x0100: {name: "ThumbnailImage", form: formImage},
	0x0207: {name: "CameraType", cat: Device},
	0x0209: {name: "CameraID", cat: Device},
	0x0404: {name: "SerialNumber", cat: Device},
	0x0405: {name: "Firmware", cat: Device},
	0x101a: {name: "SerialNumber", cat: Device},
	0x2010: {name: "Equipment", form: formSub, sub: &olympusEquipmentTable},
	0x2020: {name: "CameraSettings", form: formSub, sub: &olympusSettingsTable},
}, preview: [2]uint16{0x0088, 0x0089}}

var olympusEquipmentTable = table{tags: map[uint16]tagInfo{
	0x0101: {name: "SerialNumber", cat: Device},
	0x0102: {name: "InternalSerialNumber", cat: Device},
	0x0104: {name: "BodyFirmwareVersion", cat: Device},
	0x0202: {name: "LensSerialNumber", cat: Device},
	0x0203: {name: "LensModel", cat: Device},
	0x0204: {name: "LensFirmwareVersion", cat: Device},
	0x0303: {name: "ExtenderModel", cat: Device},
	0x0302: {name: "ExtenderSerialNumber", cat: Device},
	0x1002: {name: "FlashFirmwareVersion", cat: Device},
	0x1003: {name: "FlashSerialNumber", cat: Device},
}}

var olympusSettingsTable = table{tags: map[uint16]tagInfo{
	0x0908: {name: "DateTimeUTC", cat: Time},
}, preview: [2]uint16{0x0101, 0x0102}}

// Fujifilm (ExifTool "FujiFilm Tags"; offsets from the note).
var fujiTable = table{tags: map[uint16]tagInfo{
	0x0010: {name: "InternalSerialNumber", cat: Device},
	0x4282: {name: "FaceRecInfo", cat: Identity}, // names of recognised faces
}}

// Panasonic (ExifTool "Panasonic Tags").
var panasonicTable = table{tags: map[uint16]tagInfo{
	0x0002: {name: "FirmwareVersion", cat: Device},
	0x0025: {name: "InternalSerialNumber", cat: Device},
	0x0033: {name: "BabyAge", cat: Identity},
	0x0051: {name: "LensType", cat: Device},
	0x0052: {name: "LensSerialNumber", cat: Device},
	0x0054: {name: "AccessorySerialNumber", cat: Device},
	0x0060: {name: "LensFirmwareVersion", cat: Device},
	0x0061: {name: "FaceRecInfo", cat: Identity, form: formImage}, // names of recognised faces, in a record
	0x0065: {name: "Title", cat: Text},
	0x0066: {name: "BabyName", cat: Identity},
	0x0067: {name: "Location", cat: Location},
	0x0069: {name: "Country", cat: Location},
	0x006b: {name: "State", cat: Location},
	0x006d: {name: "City", cat: Location},
	0x006f: {name: "Landmark", cat: Location},
	0x0080: {name: "City2", cat: Location},
	0x00af: {name: "TimeStamp", cat: Time},
	0x8010: {name: "BabyAge", cat: Identity},
}}

// Sony (ExifTool "Sony Tags").
var sonyTable = table{tags: map[uint16]tagInfo{
	0x2001: {name: "PreviewImage", form: formImage},
	0x2031: {name: "SerialNumber", cat: Device},
}}

// Pentax (ExifTool "Pentax Tags").
var pentaxTable = table{tags: map[uint16]tagInfo{
	0x0005: {name: "PentaxModelID", cat: Device},
	0x0006: {name: "Date", form: formRecord, record: []part{{at: 0, size: 4, kind: partYMD, name: "Date", cat: Time}}},
	0x0007: {name: "Time", form: formRecord, record: []part{{at: 0, size: 3, kind: partHMS, name: "Time", cat: Time}}},
	0x0023: {name: "HometownCity", cat: Location},
	0x0024: {name: "DestinationCity", cat: Location},
	0x0027: {name: "DSPFirmwareVersion", cat: Device},
	0x0028: {name: "CPUFirmwareVersion", cat: Device},
	0x0229: {name: "SerialNumber", cat: Device},
	0x022e: {name: "Artist", cat: Identity},
	0x022f: {name: "Copyright", cat: Identity},
	0x0230: {name: "FirmwareVersion", cat: Device},
	0x023f: {name: "Model", cat: Device},
}, preview: [2]uint16{0x0004, 0x0003}}

// Samsung EXIF-style notes (ExifTool "Samsung Type2 Tags").
var samsungTable = table{tags: map[uint16]tagInfo{
	0x0003: {name: "SamsungModelID", cat: Device},
	0x0030: {name: "LocalLocationName", cat: Location},
	0x0031: {name: "LocationName", cat: Location},
	0x0035: {name: "PreviewIFD", form: formSub, sub: &nikonPreviewTable},
	0xa001: {name: "FirmwareName", cat: Device},
	0xa002: {name: "SerialNumber", cat: Device},
	0xa004: {name: "LensFirmware", cat: Device},
	0xa005: {name: "InternalLensSerialNumber", cat: Device},
}}

// Apple (ExifTool "Apple Tags"): identifiers that tie a photo to its Live
// Photo video, its burst and the phone's library.
var appleTable = table{tags: map[uint16]tagInfo{
	0x000b: {name: "BurstUUID", cat: Device},
	0x0011: {name: "ContentIdentifier", cat: Device}, // as QuickTime's content.identifier
	0x0015: {name: "ImageUniqueID", cat: Device},
	0x0020: {name: "ImageCaptureRequestID", cat: Device},
	0x002b: {name: "PhotoIdentifier", cat: Device},
}}

// Nintendo (ExifTool "Nintendo Tags", "Nintendo CameraInfo Tags").
var nintendoTable = table{tags: map[uint16]tagInfo{
	0x1101: {name: "CameraInfo", form: formRecord, little: true, record: []part{
		{at: 0x00, size: 4, kind: partText, name: "ModelID", cat: Device},
		{at: 0x08, size: 4, kind: partSeconds2000, name: "TimeStamp", cat: Time},
		{at: 0x18, size: 4, kind: partHex, name: "InternalSerialNumber", cat: Device},
	}},
}}

// Minolta (ExifTool "Minolta Tags").
var minoltaTable = table{tags: map[uint16]tagInfo{
	0x0081: {name: "ThumbnailImage", form: formImage},
}, preview: [2]uint16{0x0088, 0x0089}}

// Casio (ExifTool "Casio Tags" and "Casio Type2 Tags").
var casioTable = table{tags: map[uint16]tagInfo{
	0x0015: {name: "FirmwareDate", cat: Time},
	0x2000: {name: "PreviewImage", form: formImage},
	0x3006: {name: "HometownCity", cat: Location},
}, preview: [2]uint16{0x0004, 0x0003}}

// Ricoh (ExifTool "Ricoh Tags").
var ricohTable = table{tags: map[uint16]tagInfo{
	0x0002: {name: "FirmwareVersion", cat: Device},
	0x0005: {name: "SerialNumber", cat: Device},
}}

// Sanyo (ExifTool "Sanyo Tags").
var sanyoTable = table{tags: map[uint16]tagInfo{
	0x0100: {name: "SanyoThumbnail", form: formImage},
}}

// Reconyx trail cameras (ExifTool "Reconyx HyperFire Tags"): not an IFD
// but a record of little-endian 16-bit words, "\x01\xf1" first. Its
// FirmwareDate is when the firmware was built, not the photo's time, and
// is not reported.
var reconyxRecord = []part{
	{at: 2, size: 6, kind: partDotted16, name: "FirmwareVersion", cat: Device},
	{at: 22, size: 12, kind: partSMHDMY16, name: "DateTimeOriginal", cat: Time},
	{at: 42, size: 30, kind: partUTF16LE, name: "SerialNumber", cat: Device},
	{at: 86, size: 22, kind: partText, name: "UserLabel", cat: Text},
}
