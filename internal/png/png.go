// Package png holds the chunk layer of PNG (ISO/IEC 15948, PNG Third
// Edition §5) and the codec of its textual and colour-profile chunks, for a
// scrubber that copies chunks without decoding the image.
//
// A PNG file is a signature and a sequence of chunks: a 4-byte length, a
// 4-byte type, the data, and a CRC of type and data (§5.3). This package
// reads and checks a chunk header (ParseHeader), writes chunks with their
// CRC (AppendChunk, AppendHeader), gives the length that the fields of a
// chunk define for the image's colour type (WantLength), and reads and
// writes the fields of tEXt, zTXt and iTXt (§11.3.3: ParseText, the
// keyword and Latin-1 rules, AppendText, AppendITXt), of ImageMagick's raw
// profiles inside them (RawProfile, AppendRawProfile), of tIME (§11.3.6.1)
// and of iCCP (§11.3.2.3: ParseICCP, InflateICCP, AppendICCP).
//
// A Stream copies the IDAT or fdAT chunks of one zlib stream (§10.1) from
// a buffered Input to an io.Writer, checking their CRCs, and cuts the last
// chunk at the end of the stream, which internal/zlib finds.
//
// Everything else takes and returns plain bytes and values. Errors are
// *Error values carrying the offset where the problem was found. Nothing
// panics, and nothing is allocated that a length field claims before the
// bytes are there.
//
// The package does not read a file (the caller reads chunk headers and
// chunks outside a stream), decompress the image data, or decide which
// chunk is private: keeping, dropping and reporting chunks is the
// caller's.
package png

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Signature is the 8 bytes a PNG file starts with (§5.2).
var Signature = []byte("\x89PNG\r\n\x1a\n")

const (
	// MaxLength is the largest chunk length allowed (§5.3).
	MaxLength = 1<<31 - 1
	// HeaderSize is a chunk's length and type.
	HeaderSize = 8
)

// An Error is a chunk that cannot be read. Offset is counted from the
// start of the header given to ParseHeader, or is the Input's offset for a
// Stream; Err is the error beneath, if any.
type Error struct {
	Offset int64
	Reason string
	Err    error
}

func (e *Error) Error() string { return fmt.Sprintf("png: %s (offset %d)", e.Reason, e.Offset) }

func (e *Error) Unwrap() error { return e.Err }

// ParseHeader reads a chunk header, hdr[:HeaderSize]: its length, which
// must not exceed MaxLength, and its type, which must be four ASCII
// letters (§5.3).
func ParseHeader(hdr []byte) (length uint32, typ [4]byte, err error) {
	length = binary.BigEndian.Uint32(hdr)
	copy(typ[:], hdr[4:HeaderSize])
	switch {
	case length > MaxLength:
		return length, typ, &Error{Offset: 0, Reason: fmt.Sprintf("chunk %q length %d exceeds 2^31-1", string(typ[:]), length)}
	case !IsChunkType(typ):
		return length, typ, &Error{Offset: 4, Reason: fmt.Sprintf("bad chunk type %q", string(typ[:]))}
	}
	return length, typ, nil
}

// IsChunkType reports whether t is four ASCII letters (§5.3).
func IsChunkType(t [4]byte) bool {
	for _, c := range t {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// AppendHeader appends a chunk header: length, then type.
func AppendHeader(b []byte, length uint32, typ [4]byte) []byte {
	b = binary.BigEndian.AppendUint32(b, length)
	return append(b, typ[:]...)
}

// AppendChunk appends a whole chunk of type typ holding data, with its CRC.
func AppendChunk(b []byte, typ string, data []byte) []byte {
	start := len(b)
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start+4:]))
}

// fixedLength gives the length of each chunk whose length does not depend
// on the image (PNG Third Edition §11.2.1, §11.3; APNG acTL, fcTL).
var fixedLength = map[string]int{
	"IHDR": 13, "gAMA": 4, "sRGB": 1, "cHRM": 32, "cICP": 4, "mDCV": 24, "cLLI": 8,
	"pHYs": 9, "acTL": 8, "fcTL": 26,
}

// FixedLength returns the length of a chunk whose length does not depend
// on the image, or false for another.
func FixedLength(typ string) (int, bool) {
	n, ok := fixedLength[typ]
	return n, ok
}

// WantLength returns the length the fields of a chunk define, given the
// image's colour type (from IHDR, §11.2.1) and the number of palette
// entries (from PLTE, §11.2.2), or -1 when any length is wrong or the
// chunk is not one whose fields this package knows. An iCCP chunk
// (§11.3.2.3) may have any length.
func WantLength(typ string, length uint32, colorType byte, paletteEntries int) int {
	if n, ok := fixedLength[typ]; ok {
		return n
	}
	ct := colorType
	switch typ {
	case "PLTE": // §11.2.2: 1 to 256 entries of 3 bytes
		if length%3 == 0 && length >= 3 && length <= 768 {
			return int(length)
		}
		return -1
	case "sBIT": // §11.3.2.4: one byte per channel of the colour type
		return ByColorType(ct, 1, 3, 3, 2, 4)
	case "bKGD": // §11.3.4.1: a grey level, an RGB triple, or a palette index
		return ByColorType(ct, 2, 6, 1, 2, 6)
	case "tRNS": // §11.3.2.1: a grey level, an RGB triple, or up to one alpha per palette entry
		switch ct {
		case 0:
			return 2
		case 2:
			return 6
		case 3:
			if length >= 1 && int(length) <= paletteEntries {
				return int(length)
			}
		}
		return -1
	case "iCCP":
		return int(length)
	}
	return -1
}

// ByColorType returns the value for colour type ct: greyscale (0),
// truecolour (2), indexed (3), greyscale with alpha (4), truecolour with
// alpha (6); -1 for any other.
func ByColorType(ct byte, grey, rgb, indexed, greyAlpha, rgbAlpha int) int {
	switch ct {
	case 0:
		return grey
	case 2:
		return rgb
	case 3:
		return indexed
	case 4:
		return greyAlpha
	case 6:
		return rgbAlpha
	}
	return -1
}

// ValidTime reports whether the 7 bytes of a tIME chunk are in the ranges
// of §11.3.6.1 (a leap second allowed), so that a kept chunk holds a time
// and nothing else.
func ValidTime(d []byte) bool {
	return len(d) == 7 && d[2] >= 1 && d[2] <= 12 && d[3] >= 1 && d[3] <= 31 && d[4] <= 23 && d[5] <= 59 && d[6] <= 60
}

// FormatTime writes the 7 bytes of a tIME chunk (§11.3.6.1: year, month,
// day, hour, minute, second) as "YYYY-MM-DD HH:MM:SS".
func FormatTime(d []byte) string {
	return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", binary.BigEndian.Uint16(d), d[2], d[3], d[4], d[5], d[6])
}

// The errors of ParseText, ParseICCP and InflateICCP.
var (
	ErrNoKeyword       = errors.New("no keyword")
	ErrMalformed       = errors.New("malformed")
	ErrNoProfileName   = errors.New("no profile name or compression method")
	ErrNotDecompressed = errors.New("the profile does not decompress")
	ErrTooLarge        = errors.New("the profile is too large")
)

// A Text is the fields of a textual chunk (§11.3.3).
type Text struct {
	Keyword []byte // Latin-1, as the chunk holds it
	// Lang and Translated are iTXt's language tag and translated
	// keyword (§11.3.3.4).
	Lang, Translated []byte
	// Compressed says Text is zlib data: always in zTXt, in iTXt when
	// its compression flag is 1.
	Compressed bool
	// Text is the text as the chunk holds it: Latin-1 for tEXt and
	// zTXt, UTF-8 for iTXt.
	Text []byte
}

// ParseText reads the fields of a textual chunk of type typ ("tEXt",
// "zTXt" or "iTXt"): a keyword, a NUL and the text; zTXt puts a
// compression method before its compressed text, iTXt a compression flag
// and method, a language tag and a translated keyword, each ending in a
// NUL. It returns ErrNoKeyword when data holds no NUL, and ErrMalformed,
// with the keyword, when the fields after it are cut short.
func ParseText(typ string, data []byte) (Text, error) {
	i := bytes.IndexByte(data, 0)
	if i < 0 {
		return Text{}, ErrNoKeyword
	}
	t := Text{Keyword: data[:i]}
	rest := data[i+1:]
	switch typ {
	case "zTXt":
		if len(rest) < 1 {
			return t, ErrMalformed
		}
		t.Compressed, t.Text = true, rest[1:]
	case "iTXt":
		if len(rest) < 2 {
			return t, ErrMalformed
		}
		compressed := rest[0] == 1
		rest = rest[2:]
		for k := 0; k < 2; k++ {
			j := bytes.IndexByte(rest, 0)
			if j < 0 {
				return t, ErrMalformed
			}
			t.Lang, t.Translated = t.Translated, rest[:j]
			rest = rest[j+1:]
		}
		t.Compressed, t.Text = compressed, rest
	default:
		t.Text = rest
	}
	return t, nil
}

// ValidKeyword reports whether a decoder accepts a keyword (§11.3.3.1): 1
// to 79 printable Latin-1 characters without leading, trailing or double
// spaces.
func ValidKeyword(k []byte) bool {
	if len(k) < 1 || len(k) > 79 || k[0] == ' ' || k[len(k)-1] == ' ' || bytes.Contains(k, []byte("  ")) {
		return false
	}
	for _, c := range k {
		if c < 32 || c > 126 && c < 161 {
			return false
		}
	}
	return true
}

// Latin1 converts ISO 8859-1 text, which tEXt and zTXt hold, to UTF-8.
// Text that is valid UTF-8 already (ASCII, or a writer that ignored the
// spec) is returned as it is.
func Latin1(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// Latin1Bytes writes text that Latin1 read as it was in the chunk: as
// UTF-8 if the chunk held UTF-8 (wasUTF8), else in Latin-1, every rune of
// which is below 256.
func Latin1Bytes(s string, wasUTF8 bool) []byte {
	if wasUTF8 {
		return []byte(s)
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return b
}

// AppendText appends the data of a tEXt chunk: the keyword, a NUL and the
// text.
func AppendText(b []byte, keyword string, text []byte) []byte {
	b = append(append(b, keyword...), 0)
	return append(b, text...)
}

// AppendITXt appends the data of an uncompressed iTXt chunk (§11.3.3.4):
// the keyword, a NUL, compression flag and method 0, the language tag, a
// NUL, no translated keyword, a NUL, and the UTF-8 text.
func AppendITXt(b []byte, keyword string, lang []byte, text string) []byte {
	b = append(append(b, keyword...), 0, 0, 0)
	b = append(append(b, lang...), 0)
	b = append(b, 0)
	return append(b, text...)
}

// RawProfile decodes the hex of the metadata ImageMagick stores in text
// chunks as "Raw profile type exif" (or APP1, xmp, iptc, 8bim): after a
// newline, a description line ("exif", or ExifTool's "IPTC profile"), the
// length in decimal on a line of its own, then the hex digits over many
// lines. A text without a length line is read as whitespace-separated
// fields: a kind, the length, then hex. It returns nil when there is no
// hex to decode.
func RawProfile(text []byte) []byte {
	lines := strings.SplitN(strings.TrimLeft(string(text), "\n"), "\n", 3)
	if len(lines) == 3 {
		if n, err := strconv.Atoi(strings.TrimSpace(lines[1])); err == nil && n > 0 {
			if raw, err := hex.DecodeString(strings.Join(strings.Fields(lines[2]), "")); err == nil && len(raw) > 0 {
				return raw
			}
		}
	}
	fields := strings.Fields(string(text))
	if len(fields) < 3 {
		return nil
	}
	raw, _ := hex.DecodeString(strings.Join(fields[2:], ""))
	return raw
}

// AppendRawProfile appends the data of a tEXt chunk "Raw profile type
// kind" in ImageMagick's form: a newline, the kind, a newline, the length
// in decimal, and the bytes in hex.
func AppendRawProfile(b []byte, kind string, data []byte) []byte {
	return fmt.Appendf(b, "Raw profile type %s\x00\n%s\n%8d\n%x\n", kind, kind, len(data), data)
}

// ParseICCP reads the fields of an iCCP chunk (§11.3.2.3): a profile name
// of 1 to 79 characters, a NUL, a compression method (0, zlib) and the
// compressed profile. It returns ErrNoProfileName when the name or method
// is wrong.
func ParseICCP(data []byte) (name, compressed []byte, err error) {
	i := bytes.IndexByte(data, 0)
	if i < 1 || i > 79 || i+2 > len(data) || data[i+1] != 0 {
		return nil, nil, ErrNoProfileName
	}
	return data[:i], data[i+2:], nil
}

// InflateICCP decompresses the profile of an iCCP chunk, of at most limit
// bytes, and returns it with the number of bytes after the end of the
// zlib stream. It returns ErrNotDecompressed for a damaged stream and
// ErrTooLarge past limit.
func InflateICCP(compressed []byte, limit int) (profile []byte, rest int, err error) {
	br := bytes.NewReader(compressed) // an io.ByteReader: zlib reads no further than its stream
	zr, err := zlib.NewReader(br)
	if err != nil {
		return nil, 0, ErrNotDecompressed
	}
	profile, err = io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	switch {
	case err != nil:
		return nil, 0, ErrNotDecompressed
	case len(profile) > limit:
		return nil, 0, ErrTooLarge
	}
	return profile, br.Len(), nil
}

// AppendICCP appends the data of an iCCP chunk holding profile, compressed
// again, under name.
func AppendICCP(b []byte, name string, profile []byte) []byte {
	buf := bytes.NewBuffer(b)
	buf.WriteString(name)
	buf.Write([]byte{0, 0})
	zw := zlib.NewWriter(buf)
	zw.Write(profile) // writes to a bytes.Buffer do not fail
	zw.Close()
	return buf.Bytes()
}
