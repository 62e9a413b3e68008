package motion

import (
	"encoding/binary"
	"strconv"
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
	SEFMotionPhoto = 0x0a30 // "MotionPhoto_Data": in a JPEG the MP4; in a HEIC "mpv2" and where the 'mpvd' video is
	SEFCaptureTime = 0x0a01 // "Image_UTC_Data": milliseconds since 1970, in digits
	SEFCountryCode = 0x0aa1 // "MCC_Data": the mobile country code of the network, in digits
)

// SEF directory fields.
const (
	sefHeader    = "SEFH"
	sefFooter    = "SEFT"
	sefEntryLen  = 12
	sefDirHead   = 12 // "SEFH", version, count
	sefRecordMin = 8  // u16 0, type, name length
	maxSEFCount  = 4096
	// sefVersion is written for a version not from 100 to 199 (Samsung's
	// files have 101 to 107; Galaxy S22 HEICs 107).
	sefVersion = 107
)

// SEFTail is the length of what follows the last record of a trailer
// with one record: its directory, the directory's length and "SEFT".
const SEFTail = sefDirHead + sefEntryLen + 8

// A SEFError is a Samsung trailer that ParseSEF cannot read, at Offset
// in it.
type SEFError struct {
	Offset int
	Reason string
}

func (e *SEFError) Error() string {
	return "SEF trailer: offset " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// A SEF is what ParseSEF reads of a Samsung trailer.
type SEF struct {
	Version uint32
	Records []Record // in directory order
}

// A Record is one record of a SEF trailer.
type Record struct {
	Type uint16
	Name string
	Data []byte // in the trailer parsed, not a copy
	At   int    // where Data starts in the trailer parsed
}

// Video returns the first MotionPhoto_Data record of s, which in a JPEG
// holds the motion photo's MP4.
func (s *SEF) Video() (Record, bool) {
	for _, r := range s.Records {
		if r.Type == SEFMotionPhoto && r.Name == string(samsungTag) {
			return r, true
		}
	}
	return Record{}, false
}

// ParseSEF reads the records of a SEF trailer, b from its first record
// to its "SEFT": every directory entry must point inside b before the
// directory and hold a header and name that fit. Errors are a *SEFError.
func ParseSEF(b []byte) (*SEF, error) {
	le := binary.LittleEndian
	n := len(b)
	if n < 8 || string(b[n-4:]) != sefFooter {
		return nil, &SEFError{max(n-4, 0), `no "SEFT" at the end of the trailer`}
	}
	dirLen := uint64(le.Uint32(b[n-8:]))
	if dirLen < sefDirHead || dirLen+8 > uint64(n) {
		return nil, &SEFError{n - 8, "a directory of " + strconv.FormatUint(dirLen, 10) + " bytes does not fit the trailer"}
	}
	dirAt := n - 8 - int(dirLen)
	dir := b[dirAt : n-8]
	if string(dir[:4]) != sefHeader {
		return nil, &SEFError{dirAt, `no "SEFH" where the directory starts`}
	}
	count := uint64(le.Uint32(dir[8:]))
	if count > maxSEFCount || sefDirHead+sefEntryLen*count != dirLen {
		return nil, &SEFError{dirAt + 8, strconv.FormatUint(count, 10) + " entries do not fill the directory"}
	}
	s := &SEF{Version: le.Uint32(dir[4:]), Records: make([]Record, 0, count)}
	for i := range int(count) {
		at := dirAt + sefDirHead + sefEntryLen*i
		e := b[at:]
		typ, back, size := le.Uint16(e[2:]), uint64(le.Uint32(e[4:])), uint64(le.Uint32(e[8:]))
		if back > uint64(dirAt) || size > back || size < sefRecordMin {
			return nil, &SEFError{at, "the entry's record is not in the trailer"}
		}
		start := dirAt - int(back)
		r := b[start : start+int(size)]
		nameLen := uint64(le.Uint32(r[4:]))
		if sefRecordMin+nameLen > size {
			return nil, &SEFError{start + 4, "the record's name is longer than the record"}
		}
		dataAt := start + sefRecordMin + int(nameLen)
		s.Records = append(s.Records, Record{Type: typ, Name: string(r[8 : dataAt-start]), Data: r[dataAt-start:], At: dataAt})
	}
	return s, nil
}

// AppendSEF appends to dst a SEF trailer of the given version (one not
// from 100 to 199 is written as 107) holding recs, one after the other,
// and their directory. Their At fields are not read. It returns nil when
// the trailer would not fit the format's 32-bit fields.
func AppendSEF(dst []byte, version uint32, recs []Record) []byte {
	if version < 100 || version > 199 {
		version = sefVersion
	}
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
	dst = le.AppendUint32(dst, version)
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

// AppendVideoSEF appends to dst a trailer of the given version holding
// only a JPEG motion photo's MP4 video, in one MotionPhoto_Data record.
func AppendVideoSEF(dst []byte, version uint32, video []byte) []byte {
	return AppendSEF(dst, version, []Record{{Type: SEFMotionPhoto, Name: string(samsungTag), Data: video}})
}

// VideoSEFLen is the length of the trailer AppendVideoSEF writes for a
// video of n bytes.
func VideoSEFLen(n int) int { return sefRecordMin + len(samsungTag) + n + SEFTail }

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
