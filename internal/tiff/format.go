package tiff

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"strings"
)

// MaxValueItems is how many numbers Format shows of one value before "…".
const MaxValueItems = 16

// Uint returns the i'th value of an integer field of type BYTE, UNDEFINED,
// SHORT, LONG or IFD (TIFF 6.0 §2 "Types"), and false for other types or
// when val holds fewer values.
func Uint(bo binary.ByteOrder, typ uint16, val []byte, i int) (uint64, bool) {
	switch typ {
	case 1, 7:
		if i < len(val) {
			return uint64(val[i]), true
		}
	case 3:
		if 2*i+2 <= len(val) {
			return uint64(bo.Uint16(val[2*i:])), true
		}
	case 4, 13:
		if 4*i+4 <= len(val) {
			return uint64(bo.Uint32(val[4*i:])), true
		}
	}
	return 0, false
}

// Format returns a printable form of a field's value as its type reads
// (TIFF 6.0 §2 "Types"): ASCII up to its first NUL, without surrounding
// space; numbers, of as many values as val holds of count, separated by
// spaces, the first MaxValueItems and then "…"; RATIONALs as integers
// where they divide, else in six significant digits, and "undefined" for
// a zero denominator. A type TIFF does not define prints as "?"s.
func Format(bo binary.ByteOrder, typ uint16, count uint32, val []byte) string {
	if typ == 2 { // ASCII
		return ascii(val)
	}
	n := int(count)
	if ts := TypeSize(typ); ts > 0 && uint64(len(val)) < ts*uint64(count) {
		n = len(val) / int(ts)
	}
	var parts []string
	for i := 0; i < n && i < MaxValueItems; i++ {
		parts = append(parts, number(bo, typ, val, i))
	}
	s := strings.Join(parts, " ")
	if n > MaxValueItems {
		s += " …"
	}
	return s
}

// ascii returns an ASCII value up to its first NUL, without surrounding
// space (TIFF 6.0 §2: "8-bit byte that contains a 7-bit ASCII code; the
// last byte must be NUL").
func ascii(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.TrimSpace(string(b))
}

// number formats the i'th value of a numeric field.
func number(bo binary.ByteOrder, typ uint16, val []byte, i int) string {
	switch typ {
	case 1, 7:
		return strconv.Itoa(int(val[i]))
	case 6:
		return strconv.Itoa(int(int8(val[i])))
	case 3:
		return strconv.Itoa(int(bo.Uint16(val[2*i:])))
	case 8:
		return strconv.Itoa(int(int16(bo.Uint16(val[2*i:]))))
	case 4, 13:
		return strconv.FormatUint(uint64(bo.Uint32(val[4*i:])), 10)
	case 9:
		return strconv.Itoa(int(int32(bo.Uint32(val[4*i:]))))
	case 5:
		return rational(int64(bo.Uint32(val[8*i:])), int64(bo.Uint32(val[8*i+4:])))
	case 10:
		return rational(int64(int32(bo.Uint32(val[8*i:]))), int64(int32(bo.Uint32(val[8*i+4:]))))
	case 11:
		return strconv.FormatFloat(float64(math.Float32frombits(bo.Uint32(val[4*i:]))), 'g', -1, 32)
	case 12:
		return strconv.FormatFloat(math.Float64frombits(bo.Uint64(val[8*i:])), 'g', -1, 64)
	}
	return "?"
}

func rational(num, den int64) string {
	switch {
	case den == 0:
		return "undefined"
	case den == 1:
		return strconv.FormatInt(num, 10)
	case num%den == 0:
		return strconv.FormatInt(num/den, 10)
	}
	return strconv.FormatFloat(float64(num)/float64(den), 'g', 6, 64)
}
