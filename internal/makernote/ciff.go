package makernote

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// CIFF, Canon's Camera Image File Format (CIFF specification 1.0r4, 1997),
// is the maker data of Canon's CRW files and of the JPEGs of its older
// PowerShots, which carry it in an APP0 segment ("II\x1a\0\0\0HEAPJPGM"):
// a byte order, the header's length, "HEAP" and a type ("JPGM" in a JPEG),
// then a heap of records. A heap ends with the offset of its directory, a
// count and 10-byte records of a tag, a size and an offset (from the
// heap's start); a record whose tag has 0x4000 set holds its 8 bytes of
// data in place, and one of type 0x28 or 0x30 (tag bits 0x3800) is a heap
// of its own. The names and categories are those of ExifTool's "CanonRaw
// Tags"; ReadCIFF, like Read, reports only the listed records.

// CIFFSignature is what follows the byte order and header length in a
// CIFF heap that a JPEG's APP0 carries.
const CIFFSignature = "HEAPJPGM"

// IsCIFF reports whether an APP0 payload is a CIFF heap.
func IsCIFF(p []byte) bool {
	return orderAt(p, 0) != nil && len(p) >= 14 && string(p[6:14]) == CIFFSignature
}

// Limits of a CIFF walk: nested heaps, and records read in all.
const (
	maxCIFFDepth   = 8
	maxCIFFRecords = 4096
)

// A ciffInfo is a listed CIFF record.
type ciffInfo struct {
	name string
	cat  Category
	kind ciffKind
}

type ciffKind uint8

const (
	ciffText      ciffKind = iota // ASCII up to NUL
	ciffMakeModel                 // "Canon\0" then the model, NUL-ended (CanonRaw MakeModel Tags)
	ciffUint32                    // a 32-bit number
	ciffTimeStamp                 // seconds since 1970 in local time, then a time zone code (CanonRaw TimeStamp Tags)
	ciffImage                     // image data, reported by size
)

// ciffTags are the records ReadCIFF reports, by tag ID (the tag's low 14
// bits).
var ciffTags = map[uint16]ciffInfo{
	0x0805: {"UserComment", Text, ciffText}, // CanonFileDescription in the ImageDescription heap
	0x080a: {"CanonRawMakeModel", Device, ciffMakeModel},
	0x080b: {"CanonFirmwareVersion", Device, ciffText},
	0x0810: {"OwnerName", Identity, ciffText},
	0x0815: {"CanonImageType", Device, ciffText},
	0x0816: {"OriginalFileName", Text, ciffText},
	0x0817: {"ThumbnailFileName", Text, ciffText},
	0x180b: {"SerialNumber", Device, ciffUint32},
	0x180e: {"DateTimeOriginal", Time, ciffTimeStamp},
	0x1834: {"CanonModelID", Device, ciffUint32},
	0x2007: {"JpgFromRaw", Embedded, ciffImage},
	0x2008: {"ThumbnailImage", Embedded, ciffImage},
}

// ReadCIFF returns the listed records of the CIFF heap p (an APP0
// payload, or a CRW file's start), or none when p is not one. Damage ends
// the heap it is in.
func ReadCIFF(p []byte) []Field {
	if !IsCIFF(p) {
		return nil
	}
	c := &ciff{b: p, order: orderAt(p, 0)}
	hlen := uint64(c.order.Uint32(p[2:]))
	if hlen < 14 || hlen > uint64(len(p)) {
		return nil
	}
	c.heap(hlen, uint64(len(p)), 0)
	return c.fields
}

type ciff struct {
	b       []byte
	order   binary.ByteOrder
	records int
	fields  []Field
}

// heap reads the heap at [start, end) of c.b.
func (c *ciff) heap(start, end uint64, depth int) {
	if depth > maxCIFFDepth || end < start+4 || end > uint64(len(c.b)) {
		return
	}
	dir := start + uint64(c.order.Uint32(c.b[end-4:]))
	if dir+2 > end-4 {
		return
	}
	count := uint64(c.order.Uint16(c.b[dir:]))
	for i := uint64(0); i < count; i++ {
		e := dir + 2 + 10*i
		if e+10 > end-4 || c.records >= maxCIFFRecords || len(c.fields) >= maxFields {
			return
		}
		c.records++
		tag := c.order.Uint16(c.b[e:])
		if tag&0x8000 != 0 {
			return // ExifTool: "Bad CRW directory entry"
		}
		var val []byte
		if tag&0x4000 != 0 {
			val = c.b[e+2 : e+10] // the data in place of size and offset
		} else {
			size := uint64(c.order.Uint32(c.b[e+2:]))
			off := start + uint64(c.order.Uint32(c.b[e+6:]))
			if off+size > end-4 || off < start {
				continue
			}
			val = c.b[off : off+size]
			if typ := tag >> 8 & 0x38; typ == 0x28 || typ == 0x30 {
				c.heap(off, off+size, depth+1)
				continue
			}
		}
		c.record(tag&0x3fff, val)
	}
}

// record reports a listed record.
func (c *ciff) record(id uint16, val []byte) {
	info, ok := ciffTags[id]
	if !ok || allZero(val) {
		return
	}
	add := func(name string, cat Category, s string) {
		if s != "" && len(c.fields) < maxFields {
			c.fields = append(c.fields, Field{id, name, cat, s})
		}
	}
	switch info.kind {
	case ciffText:
		if isText(val) {
			add(info.name, info.cat, cut(val))
		}
	case ciffMakeModel:
		mk, model, _ := bytes.Cut(val, []byte{0})
		add("Make", Device, strings.TrimSpace(string(mk)))
		if isText(model) {
			add("Model", Device, cut(model))
		}
	case ciffUint32:
		if len(val) >= 4 {
			add(info.name, info.cat, fmt.Sprint(c.order.Uint32(val)))
		}
	case ciffTimeStamp:
		if len(val) >= 4 {
			t := time.Unix(int64(c.order.Uint32(val)), 0).UTC()
			add(info.name, info.cat, t.Format("2006:01:02 15:04:05"))
		}
	case ciffImage:
		add(info.name, info.cat, fmt.Sprintf("(%d bytes)", len(val)))
	}
}
