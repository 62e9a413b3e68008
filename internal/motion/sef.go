package motion

import (
	"bytes"
	"encoding/binary"
	"strconv"
)

// Samsung's SEF trailer (as ExifTool's Samsung.pm reads it; Samsung has
// published no specification). After the JPEG's EOI come records, each
//
//	u16 0, u16 type, u32 name length, name, data
//
// then a directory, "SEFH", u32 version, u32 count, and count entries of
//
//	u16 0, u16 type, u32 offset back from "SEFH" to the record, u32 record size
//
// and last the directory's length (u32) and "SEFT". Integers are
// little-endian. A motion photo's MP4 is the data of a record of type
// 0x0a30 named "MotionPhoto_Data".

// SEF record types and tags.
const (
	sefMotionPhoto = 0x0a30
	sefDirectory   = "SEFH"
	sefFooter      = "SEFT"
	// sefVersion is written when the input's version is not one seen in
	// Samsung's files (101 to 107 in ExifTool's samples and ours).
	sefVersion = 106
)

// A SEFError is a Samsung trailer that ParseSEF cannot read, at Offset
// in it.
type SEFError struct {
	Offset int
	Reason string
}

func (e *SEFError) Error() string { return "offset " + strconv.Itoa(e.Offset) + ": " + e.Reason }

// A SEF is what ParseSEF reads of a Samsung trailer.
type SEF struct {
	Version    uint32
	Start, End int      // the MotionPhoto_Data record's data, in the trailer
	Records    []Record // the directory's entries but the video's
}

// A Record is a record of a SEF trailer, which lies in it.
type Record struct {
	Type uint16
	Name []byte // as the record gives it; nil when it does not read
	Data []byte
}

// TypeUTC is the type of the record Samsung names "Image_UTC_Data": the
// time of capture, milliseconds since 1970 in decimal digits.
const TypeUTC = 0x0a01

// ParseSEF reads the Samsung trailer b (the data after the image, from
// its start, to the end of the file): the directory at its end, and the
// MotionPhoto_Data record it lists, and its other records. It returns an error naming the offset
// in b when the directory does not read, its entries do not lie in b
// before it, or no entry is a MotionPhoto_Data record.
func ParseSEF(b []byte) (*SEF, error) {
	n := len(b)
	if n < 8 || string(b[n-4:]) != sefFooter {
		return nil, &SEFError{max(n-4, 0), `no "SEFT" at the end of the trailer`}
	}
	dirLen := int64(binary.LittleEndian.Uint32(b[n-8:]))
	if dirLen < 12 || dirLen > int64(n-8) {
		return nil, &SEFError{n - 8, "the directory's length is not in the trailer"}
	}
	dirAt := n - 8 - int(dirLen)
	dir := b[dirAt : n-8]
	if string(dir[:4]) != sefDirectory {
		return nil, &SEFError{dirAt, `no "SEFH" where the directory starts`}
	}
	s := &SEF{Version: binary.LittleEndian.Uint32(dir[4:]), Start: -1}
	count := int64(binary.LittleEndian.Uint32(dir[8:]))
	if 12+12*count > dirLen {
		return nil, &SEFError{dirAt + 8, "the entries do not fit the directory"}
	}
	for i := range int(count) {
		e := dir[12+12*i:]
		at := dirAt + 12 + 12*i
		typ := binary.LittleEndian.Uint16(e[2:])
		back := int64(binary.LittleEndian.Uint32(e[4:]))
		size := int64(binary.LittleEndian.Uint32(e[8:]))
		if back > int64(dirAt) || size > back || size < 8 {
			return nil, &SEFError{at, "the entry's record is not in the trailer"}
		}
		rec := b[dirAt-int(back) : dirAt-int(back)+int(size)]
		nameLen := int64(binary.LittleEndian.Uint32(rec[4:]))
		named := binary.LittleEndian.Uint16(rec[2:]) == typ && 8+nameLen <= size
		if typ != sefMotionPhoto || s.Start >= 0 {
			r := Record{Type: typ, Data: rec[8:]}
			if named {
				r.Name, r.Data = rec[8:8+nameLen], rec[8+nameLen:]
			}
			s.Records = append(s.Records, r)
			continue
		}
		if !named || !bytes.Equal(rec[8:8+nameLen], samsungTag) {
			return nil, &SEFError{at, "the MotionPhoto_Data entry does not point to a record of that name"}
		}
		s.Start = dirAt - int(back) + 8 + int(nameLen)
		s.End = dirAt - int(back) + int(size)
	}
	if s.Start < 0 {
		return nil, &SEFError{dirAt, "the directory lists no MotionPhoto_Data record"}
	}
	return s, nil
}

// AppendSEF appends to dst a Samsung trailer holding only the motion
// photo's MP4 video: one MotionPhoto_Data record and a directory listing
// it, of the given version (one not from 100 to 199 is written as 106).
// It returns the result and where the video lies in it.
func AppendSEF(dst []byte, video []byte, version uint32) (out []byte, start int) {
	if version < 100 || version > 199 {
		version = sefVersion
	}
	le := binary.LittleEndian
	recAt := len(dst)
	dst = le.AppendUint16(dst, 0)
	dst = le.AppendUint16(dst, sefMotionPhoto)
	dst = le.AppendUint32(dst, uint32(len(samsungTag)))
	dst = append(dst, samsungTag...)
	start = len(dst)
	dst = append(dst, video...)
	recSize := uint32(len(dst) - recAt)
	dst = append(dst, sefDirectory...)
	dst = le.AppendUint32(dst, version)
	dst = le.AppendUint32(dst, 1)
	dst = le.AppendUint16(dst, 0)
	dst = le.AppendUint16(dst, sefMotionPhoto)
	dst = le.AppendUint32(dst, recSize) // the record starts right before the directory
	dst = le.AppendUint32(dst, recSize)
	dst = le.AppendUint32(dst, 12+12)
	dst = append(dst, sefFooter...)
	return dst, start
}
