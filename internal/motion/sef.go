package motion

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Samsung's SEF trailer ("Samsung Extended Format"), as Galaxy phones
// append it to a JPEG and put it in the top-level 'sefd' box of a HEIC. No
// specification is published; this follows ExifTool's reader
// (Image::ExifTool::Samsung::ProcessSamsung) and the files: a sequence of
// records, then a directory block, all little-endian.
//
//	record:    u16 0, u16 type, u32 name length, name, data
//	directory: "SEFH", u32 version, u32 count,
//	           count × (u16 0, u16 type, u32 back, u32 size),
//	           u32 directory length (12 + 12×count), "SEFT"
//
// back is how far before "SEFH" a record starts, size its length with its
// header and name. Records need not touch: ParseSEF reads each through
// the directory.

// SEF record types that a gallery reads (ExifTool's Samsung::Trailer
// table).
const (
	SEFMotionPhoto = 0x0a30 // "MotionPhoto_Data": the MP4, or in a HEIC "mpv2" and where the 'mpvd' video is
	SEFCaptureTime = 0x0a01 // "Image_UTC_Data": milliseconds since 1970, in digits
	SEFCountryCode = 0x0aa1 // "MCC_Data": the mobile country code of the network, in digits
)

// A Record is one record of a SEF trailer.
type Record struct {
	Type uint16
	Name string
	Data []byte // in the trailer parsed, not a copy
}

// SEF directory fields.
const (
	sefHeader    = "SEFH"
	sefFooter    = "SEFT"
	sefVersion   = 107 // what Galaxy S22 HEICs write; ExifTool reads any
	sefEntryLen  = 12
	sefDirHead   = 12 // "SEFH", version, count
	sefRecordMin = 8  // u16 0, type, name length
	maxSEFCount  = 4096
)

// ErrSEF is the error ParseSEF wraps for a trailer it cannot read.
var ErrSEF = errors.New("invalid SEF trailer")

// ParseSEF reads the records of a SEF trailer, b from its first record
// to its "SEFT": every directory entry must point inside b before the
// directory and hold a header and name that fit. The records are in
// directory order.
func ParseSEF(b []byte) ([]Record, error) {
	le := binary.LittleEndian
	if len(b) < 8 || string(b[len(b)-4:]) != sefFooter {
		return nil, fmt.Errorf("%w: no %q at its end", ErrSEF, sefFooter)
	}
	dirLen := uint64(le.Uint32(b[len(b)-8:]))
	if dirLen < sefDirHead || dirLen+8 > uint64(len(b)) {
		return nil, fmt.Errorf("%w: directory of %d bytes in a trailer of %d", ErrSEF, dirLen, len(b))
	}
	dirAt := len(b) - 8 - int(dirLen)
	dir := b[dirAt : len(b)-8]
	if string(dir[:4]) != sefHeader {
		return nil, fmt.Errorf("%w: no %q at offset %d", ErrSEF, sefHeader, dirAt)
	}
	count := uint64(le.Uint32(dir[8:]))
	if count > maxSEFCount || sefDirHead+sefEntryLen*count != dirLen {
		return nil, fmt.Errorf("%w: %d entries in a directory of %d bytes", ErrSEF, count, dirLen)
	}
	recs := make([]Record, 0, count)
	for i := range int(count) {
		e := dir[sefDirHead+sefEntryLen*i:]
		typ, back, size := le.Uint16(e[2:]), uint64(le.Uint32(e[4:])), uint64(le.Uint32(e[8:]))
		if back > uint64(dirAt) || size > back || size < sefRecordMin {
			return nil, fmt.Errorf("%w: entry %d points %d bytes back for %d bytes, from offset %d", ErrSEF, i, back, size, dirAt)
		}
		r := b[dirAt-int(back) : dirAt-int(back)+int(size)]
		nameLen := uint64(le.Uint32(r[4:]))
		if sefRecordMin+nameLen > size {
			return nil, fmt.Errorf("%w: record %d has a name of %d bytes in %d", ErrSEF, i, nameLen, size)
		}
		recs = append(recs, Record{Type: typ, Name: string(r[8 : 8+nameLen]), Data: r[8+nameLen:]})
	}
	return recs, nil
}

// AppendSEF appends to dst a SEF trailer of the records, one after the
// other, and their directory. It returns nil when the trailer would not
// fit the format's 32-bit fields.
func AppendSEF(dst []byte, recs []Record) []byte {
	le := binary.LittleEndian
	start := len(dst)
	at := make([]int, len(recs))
	for i, r := range recs {
		at[i] = len(dst) - start
		dst = le.AppendUint16(dst, 0)
		dst = le.AppendUint16(dst, r.Type)
		dst = le.AppendUint32(dst, uint32(len(r.Name)))
		dst = append(dst, r.Name...)
		dst = append(dst, r.Data...)
	}
	dirAt := len(dst) - start
	if uint64(dirAt) > 1<<32-1 || len(recs) > maxSEFCount {
		return nil
	}
	dst = append(dst, sefHeader...)
	dst = le.AppendUint32(dst, sefVersion)
	dst = le.AppendUint32(dst, uint32(len(recs)))
	for i, r := range recs {
		size := sefRecordMin + len(r.Name) + len(r.Data)
		dst = le.AppendUint16(dst, 0)
		dst = le.AppendUint16(dst, r.Type)
		dst = le.AppendUint32(dst, uint32(dirAt-at[i]))
		dst = le.AppendUint32(dst, uint32(size))
	}
	dst = le.AppendUint32(dst, uint32(sefDirHead+sefEntryLen*len(recs)))
	return append(dst, sefFooter...)
}

// HEIFVideo reads the data of a HEIC's "MotionPhoto_Data" record: "mpv2",
// then the offset and the length of the video in the file, big-endian,
// which Galaxy phones write pointing at the payload of the 'mpvd' box.
func HEIFVideo(data []byte) (off, n uint32, ok bool) {
	if len(data) != 12 || string(data[:4]) != "mpv2" {
		return 0, 0, false
	}
	be := binary.BigEndian
	return be.Uint32(data[4:]), be.Uint32(data[8:]), true
}

// AppendHEIFVideo appends the data of a HEIC's "MotionPhoto_Data" record
// (HEIFVideo).
func AppendHEIFVideo(dst []byte, off, n uint32) []byte {
	dst = append(dst, "mpv2"...)
	dst = binary.BigEndian.AppendUint32(dst, off)
	return binary.BigEndian.AppendUint32(dst, n)
}
