// Package iptc reads and writes the two nested structures in which photos
// carry IPTC metadata:
//
//   - Photoshop image resource blocks ("8BIM" blocks; Adobe Photoshop File
//     Formats Specification, "Image Resource Blocks"), which JPEG APP13
//     segments hold after "Photoshop 3.0\0" and PNG holds in a raw profile
//     text chunk: Resources walks them, AppendResource writes one;
//   - IPTC-IIM records (IPTC-NAA Information Interchange Model 4.2), the
//     data of the IPTC-NAA resource (0x0404) or of a TIFF IPTC tag: Datasets
//     walks their datasets (§1.5, standard and extended), AppendDataset
//     writes a standard one.
//
// The readers return plain values: a resource's ID, name and data, a
// dataset's record and dataset numbers and data, each with the offset of
// its data in the bytes given. They read only those bytes, never copy or
// allocate from a length read out of them, and never panic. A list ends at
// the end of its bytes or at zero bytes of padding; anything else that
// cannot be read is an *Error with its offset, after which the reader
// stops.
//
// Valid checks a dataset's data against the form and length that IIM 4.2
// §6 gives it (text, CCYYMMDD dates, HHMMSS±HHMM times, letter codes).
//
// The package does not know what a resource or a dataset means, which of
// them are private, or which to keep: its caller decides that. It does not
// decode a dataset's text (the coded character set of dataset 1:90 is the
// caller's to interpret), check that the datasets of a record come in
// order, or read a resource's data.
package iptc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Errors that end a list, wrapped in an *Error with the offset where the
// bytes that cannot be read start.
var (
	// ErrNotResource: what follows is not a resource block (no "8BIM"
	// signature, or too few bytes for one), and not zero padding.
	ErrNotResource = errors.New("not an image resource block")
	// ErrNotDataset: what follows is not a dataset (no tag marker 0x1C),
	// and not zero padding.
	ErrNotDataset = errors.New("not a dataset")
	// ErrExtendedLength: an extended dataset whose length field is longer
	// than 4 bytes or runs past the end.
	ErrExtendedLength = errors.New("unreadable extended dataset length")
	// ErrTruncated: a resource block or dataset runs past the end.
	ErrTruncated = errors.New("truncated")
)

// An Error is a list that cannot be read to its end. Offset is where, in
// the bytes given, the part that cannot be read starts; Err is one of the
// errors above.
type Error struct {
	Offset int
	Err    error
}

func (e *Error) Error() string { return fmt.Sprintf("iptc: %v at offset %d", e.Err, e.Offset) }

func (e *Error) Unwrap() error { return e.Err }

// unread returns the error for the bytes of b from off on, which are not
// an entry of the list: none if they are zero bytes of padding, which end
// a list, else an *Error wrapping err.
func unread(b []byte, off int, err error) error {
	if len(bytes.TrimLeft(b[off:], "\x00")) == 0 {
		return nil
	}
	return &Error{Offset: off, Err: err}
}

// resourceSignature starts every image resource block.
const resourceSignature = "8BIM"

// A Resource is one image resource block.
type Resource struct {
	ID     uint16
	Name   []byte // the Pascal string's characters, often empty
	Offset int    // where Data starts in the bytes given
	Data   []byte // without the padding byte
}

// A cursor is a position in a list and the error that ended it.
type cursor struct {
	b   []byte
	off int
	err error
}

// Err returns the *Error that ended the list, or nil if it was read to its
// end.
func (c *cursor) Err() error { return c.err }

// Resources reads the image resource blocks of a byte slice in order.
type Resources struct{ cursor }

// NewResources returns a reader of the image resource blocks in b.
func NewResources(b []byte) *Resources { return &Resources{cursor{b: b}} }

// Next returns the next resource block, or ok == false at the end of the
// list or at a block that cannot be read (see Err).
//
// A block is the signature "8BIM" (4 bytes), the resource ID (2), a Pascal
// string name padded to an even length, the data size (4) and the data,
// padded to an even length. The padding byte after the last block may be
// missing.
func (r *Resources) Next() (res Resource, ok bool) {
	b := r.b[r.off:]
	if len(b) == 0 || r.err != nil {
		return res, false
	}
	if len(b) < 7 || string(b[:4]) != resourceSignature {
		r.err = unread(r.b, r.off, ErrNotResource)
		r.off = len(r.b)
		return res, false
	}
	res.ID = binary.BigEndian.Uint16(b[4:])
	nameLen := int(b[6])
	pos := 7 + nameLen
	pos += pos & 1
	if pos+4 > len(b) {
		r.err = &Error{Offset: r.off, Err: ErrTruncated}
		return res, false
	}
	res.Name = b[7 : 7+nameLen]
	size := uint64(binary.BigEndian.Uint32(b[pos:]))
	pos += 4
	if uint64(pos)+size > uint64(len(b)) {
		r.err = &Error{Offset: r.off, Err: ErrTruncated}
		return res, false
	}
	res.Offset = r.off + pos
	res.Data = b[pos : pos+int(size)]
	next := uint64(pos) + size + size&1
	r.off += int(min(next, uint64(len(b))))
	return res, true
}

// AppendResource appends an image resource block with an empty name
// holding data to b.
func AppendResource(b []byte, id uint16, data []byte) []byte {
	b = append(b, resourceSignature...)
	b = binary.BigEndian.AppendUint16(b, id)
	b = append(b, 0, 0) // an empty Pascal name padded to even length
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// ResourceHeaderSize is the size of the header AppendResource writes.
const ResourceHeaderSize = 12

// Record and dataset numbers the format itself uses (IPTC-IIM 4.2 §5 and
// §6).
const (
	RecordEnvelope    = 1  // the Envelope Record
	RecordApplication = 2  // the Application Record
	CodedCharacterSet = 90 // 1:90, escape sequences naming the character set (§1.6)
	RecordVersion     = 0  // 1:00 and 2:00, the version of the record's datasets
)

const (
	// tagMarker starts every dataset (§1.5).
	tagMarker = 0x1c
	// DatasetHeaderSize is the size of a standard dataset's header: the
	// tag marker, the record and dataset numbers, and the data length
	// (2 bytes).
	DatasetHeaderSize = 5
	// MaxStandardLength is the largest data length of a standard
	// dataset; a longer one needs the extended form (§1.5.2).
	MaxStandardLength = 0x7fff
	// maxExtendedLenSize is the longest extended length this package
	// reads: 4 bytes, more than any file holds.
	maxExtendedLenSize = 4
)

// A Dataset is one IPTC-IIM dataset.
type Dataset struct {
	Record, Number uint8
	Offset         int    // where Data starts in the bytes given
	Data           []byte // of the length the header declares
}

// Datasets reads the IPTC-IIM datasets of a byte slice in order.
type Datasets struct{ cursor }

// NewDatasets returns a reader of the datasets in b.
func NewDatasets(b []byte) *Datasets { return &Datasets{cursor{b: b}} }

// Next returns the next dataset, or ok == false at the end of the records
// or at a dataset that cannot be read (see Err). Fewer bytes than a
// dataset header at the end are ignored.
//
// IPTC-IIM 4.2 §1.5 "Standard DataSet Tag": a tag marker 0x1C, the record
// and dataset numbers, and a 2-byte length; when its high bit is set
// (§1.5.2, "Extended DataSet Tag"), the low bits give the number of bytes
// of the length that follows.
func (d *Datasets) Next() (ds Dataset, ok bool) {
	b := d.b[d.off:]
	if len(b) < DatasetHeaderSize || d.err != nil {
		return ds, false
	}
	if b[0] != tagMarker {
		// Padding ends the records; anything else is data that
		// readers do not show.
		d.err = unread(d.b, d.off, ErrNotDataset)
		d.off = len(d.b)
		return ds, false
	}
	ds.Record, ds.Number = b[1], b[2]
	n := uint64(binary.BigEndian.Uint16(b[3:]))
	pos := uint64(DatasetHeaderSize)
	if n&0x8000 != 0 {
		// Extended DataSet: the low bits give the size of the length.
		k := n & 0x7fff
		if k > maxExtendedLenSize || pos+k > uint64(len(b)) {
			d.err = &Error{Offset: d.off, Err: ErrExtendedLength}
			return ds, false
		}
		n = 0
		for _, c := range b[pos : pos+k] {
			n = n<<8 | uint64(c)
		}
		pos += k
	}
	if pos+n > uint64(len(b)) {
		d.err = &Error{Offset: d.off, Err: ErrTruncated}
		return ds, false
	}
	ds.Offset = d.off + int(pos)
	ds.Data = b[pos : pos+n]
	d.off += int(pos + n)
	return ds, true
}

// AppendDataset appends a standard dataset holding data to b. Data must
// be at most MaxStandardLength bytes.
func AppendDataset(b []byte, record, number uint8, data []byte) []byte {
	b = append(b, tagMarker, record, number)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}
