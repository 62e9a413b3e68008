// Package tiff reads and writes the TIFF structure that EXIF metadata is
// stored in: a byte-order mark, a first-IFD offset, and a chain of IFDs
// (image file directories) of 12-byte entries, some of which point to
// further IFDs (TIFF 6.0 §2 "TIFF Structure"; CIPA DC-008, EXIF 2.32/3.0,
// §4.5 and §4.6).
//
// Read walks a block as a common EXIF reader does: IFD0 and the chain after
// it (IFD1, the thumbnail's IFD), and the Exif, GPS, Interoperability and
// SubIFDs that any IFD but a GPS IFD points to. It yields plain entries (the
// IFD they are in, tag, type, count, value bytes and offsets) in the order
// it reads them, and notes, with offsets, for the damage it walks past:
// pointers out of range or back to an IFD already read (a loop), entry
// counts larger than the block, and its budgets. Every IFD is read once as
// each kind, and the walk stops after MaxIFDs IFDs or MaxEntries entries,
// so a hostile block costs no more than its size. Every value returned lies
// in the input; nothing is copied.
//
// Write lays out a fresh block of IFD0, an Exif IFD and a GPS IFD from
// given entries, with every offset computed anew, or returns nil when the
// block would pass a size limit. Format prints a value as TIFF types read:
// numbers, rationals, ASCII up to its NUL; String as readers show it
// (UserComment and XP text decoded, GPS coordinates in decimal degrees,
// read by Coordinate; CIPA DC-008 §4.6.5, §4.6.6).
//
// SpecOf gives the type, count and form that CIPA DC-008 §4.6.4–§4.6.6
// give the value of each tag that names, dates or places a photo (text,
// dates, offsets, references, numbers, the GPS position), and Rewrite
// checks a value against its spec and writes it anew, so that nothing
// after a NUL, in a wrong type or past the count rides along; DMS writes
// a GPS position as the spec's three RATIONALs.
//
// The package does not know what tags mean beyond the structure (the IFD
// pointers and the thumbnail's offset and length), their names from the
// standards (Name) and their value forms: which tags are private, and
// what to keep, is for its caller. It reads no MakerNote, no image data
// (strips or tiles), and no BigTIFF.
package tiff

import (
	"encoding/binary"
	"fmt"
	"io"
	"sort"
)

//go:generate go run ../../tools/gentags -o tagnames.go

// Tags that point to other IFDs or to a thumbnail (CIPA DC-008 §4.6.3,
// §4.6.4; TIFF 6.0 §8 for JPEGInterchangeFormat; Adobe TIFF Supplement 1
// for SubIFDs).
const (
	TagSubIFDs           = 0x014a
	TagJPEGInterchange   = 0x0201
	TagJPEGInterchangeLn = 0x0202
	TagExifIFD           = 0x8769
	TagGPSIFD            = 0x8825
	TagInteropIFD        = 0xa005
)

// A Kind says which IFD a tag was found in; tag numbers mean different
// things in different IFDs.
type Kind uint8

const (
	IFD0    Kind = iota
	IFD1         // the thumbnail's IFD, after IFD0 in its chain (CIPA DC-008 §4.5.2)
	Exif         // the Exif IFD (CIPA DC-008 §4.6.3 A)
	GPS          // the GPS Info IFD (CIPA DC-008 §4.6.3 B)
	Interop      // the Interoperability IFD (CIPA DC-008 §4.6.3 C)
	Sub          // a SubIFD (Adobe TIFF Supplement 1), or one in its chain
)

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

var kindNames = [...]string{IFD0: "IFD0", IFD1: "IFD1", Exif: "ExifIFD", GPS: "GPS", Interop: "InteropIFD", Sub: "SubIFD"}

// pointers maps the tags that hold IFD offsets to the kind of IFD they
// point to.
var pointers = map[uint16]Kind{
	TagExifIFD:    Exif,
	TagGPSIFD:     GPS,
	TagInteropIFD: Interop,
	TagSubIFDs:    Sub,
}

// Limits that make a hostile block cost no more than its size: each IFD is
// visited once as each kind, and the walk stops after this many IFDs or
// entries; at most MaxNotes notes are kept.
const (
	MaxIFDs    = 64
	MaxEntries = 8192
	MaxNotes   = 8
)

// An Error is a block whose header cannot be read.
type Error struct {
	Offset int64  // in the block
	Reason string // "bad TIFF magic 43"
	Err    error  // io.ErrUnexpectedEOF for a truncated header, else nil
}

func (e *Error) Error() string { return fmt.Sprintf("tiff: %s at offset %d", e.Reason, e.Offset) }

func (e *Error) Unwrap() error { return e.Err }

// A Block is a bounds-checked view of a TIFF structure.
type Block struct {
	b     []byte
	Order binary.ByteOrder // binary.LittleEndian ("II") or binary.BigEndian ("MM")
	First uint32           // the offset of IFD0
}

// Open checks the 8-byte TIFF header (TIFF 6.0 §2 "Image File Header"):
// the byte order, the magic number 42 and the offset of IFD0. It returns
// an *Error when they cannot be read.
func Open(b []byte) (*Block, error) {
	if len(b) < 8 {
		return nil, &Error{Offset: int64(len(b)), Reason: fmt.Sprintf("TIFF header truncated (%d bytes)", len(b)), Err: io.ErrUnexpectedEOF}
	}
	t := &Block{b: b}
	switch string(b[:2]) {
	case "II":
		t.Order = binary.LittleEndian
	case "MM":
		t.Order = binary.BigEndian
	default:
		return nil, &Error{Offset: 0, Reason: fmt.Sprintf("bad TIFF byte order %q", b[:2])}
	}
	if magic, _ := t.U16(2); magic != 42 {
		return nil, &Error{Offset: 2, Reason: fmt.Sprintf("bad TIFF magic %d", magic)}
	}
	t.First, _ = t.U32(4)
	return t, nil
}

// Len returns the size of the block.
func (t *Block) Len() int { return len(t.b) }

// U16 returns the 16-bit number at off, and false when it is past the end.
func (t *Block) U16(off uint64) (uint16, bool) {
	if off+2 > uint64(len(t.b)) {
		return 0, false
	}
	return t.Order.Uint16(t.b[off:]), true
}

// U32 returns the 32-bit number at off, and false when it is past the end.
func (t *Block) U32(off uint64) (uint32, bool) {
	if off+4 > uint64(len(t.b)) {
		return 0, false
	}
	return t.Order.Uint32(t.b[off:]), true
}

// typeSize is the size in bytes of one value of each TIFF field type
// (TIFF 6.0 §2 "Types"; CIPA DC-008 §4.6.2 Table 1; 13 is IFD, TIFF
// Technical Note 1).
var typeSize = [...]uint64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}

// TypeSize returns the size in bytes of one value of field type typ, and 0
// for a type TIFF does not define.
func TypeSize(typ uint16) uint64 {
	if int(typ) >= len(typeSize) {
		return 0
	}
	return typeSize[typ]
}

// Value returns the value bytes of the entry at e, and where they are:
// inline when they fit in four bytes, else at the offset the entry holds
// (TIFF 6.0 §2 "Value Offset"). It reports false when they lie outside the
// block, and returns no bytes (but true) for a type TIFF does not define.
func (t *Block) Value(e uint64, typ uint16, count uint32) (val []byte, at uint64, ok bool) {
	ts := TypeSize(typ)
	if ts == 0 {
		return nil, 0, true // unknown type: no value to show
	}
	size := ts * uint64(count)
	if e+12 > uint64(len(t.b)) {
		return nil, 0, false
	}
	if size <= 4 {
		return t.b[e+8 : e+8+size], e + 8, true
	}
	off, _ := t.U32(e + 8)
	if uint64(off)+size > uint64(len(t.b)) {
		return nil, 0, false
	}
	return t.b[off : uint64(off)+size], uint64(off), true
}

// An Entry is one 12-byte IFD entry (TIFF 6.0 §2 "IFD Entry").
type Entry struct {
	Tag, Type uint16
	Count     uint32
	// Value is the entry's value bytes, in the block's byte order: nil
	// for a type TIFF does not define, or when InBlock is false.
	Value []byte
	// InBlock is false when the value the entry claims lies outside the
	// block.
	InBlock bool
	// Offset is where the entry is in the block, ValueOffset where its
	// value is (Offset+8 when it is inline).
	Offset, ValueOffset uint32
	// Link is set for an entry that is structure, not data, and that the
	// walk followed: a pointer to IFDs (Sub), or the offset or length of
	// the thumbnail (IFD.ThumbnailOffset, ThumbnailLength). Pointers in a
	// GPS IFD are not followed, as ExifTool reads the GPS IFD with a table
	// of its own.
	Link bool
	// Sub lists the IFDs the pointer led to that were read from it, as
	// indices into Walk.IFDs, each chain in order.
	Sub []int
}

// An IFD is one IFD read.
type IFD struct {
	Kind    Kind
	Offset  uint32
	Entries []Entry // those that fit in the block and the budget
	// Thumbnail is the offset and length of the JPEG thumbnail that
	// the IFD's JPEGInterchangeFormat and JPEGInterchangeFormatLength
	// give, the last of each (TIFF 6.0 §8; CIPA DC-008 §4.6.4 B); a
	// length of 0 when it has none. They may lie outside the block.
	ThumbnailOffset, ThumbnailLength uint32
}

// A Note is damage the walk found and walked past, or a budget it spent.
type Note struct {
	// InIFD says the note is about one IFD, of kind IFD, which Reason
	// follows the name of ("ExifIFD " + Reason); else it is about the
	// whole walk.
	InIFD bool
	IFD   Kind
	// Offset is where in the block the walk found the damage: the
	// pointer to an IFD that is out of range, read before or over the
	// budget (the header's IFD0 offset, an entry's value, or the
	// next-IFD offset of the IFD before it in its chain); the IFD whose
	// entries do not fit; or where a next-IFD offset is missing.
	Offset int64
	// Unread says data was left unread because of it (a budget); else a
	// pointer led nowhere or back to an IFD already read.
	Unread bool
	Reason string // "at offset 8 is pointed to again (loop)"
}

// A Walk is what Read found in a block.
type Walk struct {
	*Block       // the header: its byte order and the offset of IFD0
	IFDs   []IFD // in the order they were read
	Top    []int // IFD0 and the IFDs after it in its chain, indices into IFDs
	Notes  []Note

	visited map[visit]bool
	entries int
	stopped bool // the entry budget is spent: no further IFDs are read
	// read lists the spans of the block that the walk read: the header,
	// IFDs and values, so that bytes nothing points to can be found.
	read []span
}

// A visit is an IFD read once: the same offset may be read again as
// another kind of IFD, where its tags mean something else (a GPS pointer
// that points at the Exif IFD), but never twice as the same kind.
type visit struct {
	off  uint32
	kind Kind
}

type span struct{ start, end uint64 }

// Read walks the TIFF block b, which starts at the byte-order mark. It
// returns an *Error only when the header cannot be read: damage after it
// stops the part of the walk it is in, and is noted. An IFD that is out of
// range, or read before as the same kind, is skipped and the rest is
// walked; an IFD whose entry count claims more entries than the block
// holds yields the entries that fit, as libexif and ImageMagick read them.
func Read(b []byte) (*Walk, error) {
	t, err := Open(b)
	if err != nil {
		return nil, err
	}
	w := &Walk{Block: t, visited: make(map[visit]bool), read: []span{{start: 0, end: 8}}}
	w.Top = w.walk(t.First, 4, IFD0, nil)
	return w, nil
}

// note records n, unless MaxNotes are recorded already.
func (w *Walk) note(n Note) {
	if len(w.Notes) < MaxNotes {
		w.Notes = append(w.Notes, n)
	}
}

// walk reads the IFD at off, whose offset is at from, and the IFDs it
// points to, and appends the indices of the IFDs of its chain to chain.
// IFD0's successor is IFD1, the thumbnail's IFD (CIPA DC-008 §4.5.2).
func (w *Walk) walk(off uint32, from uint64, kind Kind, chain []int) []int {
	for off != 0 && !w.stopped {
		v := visit{off, kind}
		if w.visited[v] {
			w.note(Note{InIFD: true, IFD: kind, Offset: int64(from), Reason: fmt.Sprintf("at offset %d is pointed to again (loop)", off)})
			return chain
		}
		if len(w.visited) >= MaxIFDs {
			w.note(Note{Offset: int64(from), Unread: true, Reason: fmt.Sprintf("more than %d IFDs", MaxIFDs)})
			w.stopped = true
			return chain
		}
		w.visited[v] = true
		i, next, nextAt, ok := w.ifd(off, from, kind)
		if i >= 0 {
			chain = append(chain, i)
		}
		if !ok {
			return chain
		}
		switch kind {
		case IFD0:
			kind = IFD1
		case IFD1, Sub:
			// later IFDs in the chain hold further images
		default:
			return chain // Exif, GPS and Interop IFDs have no successors
		}
		off, from = next, nextAt
	}
	return chain
}

// ifd reads one IFD, whose offset is at from, and returns its index in
// w.IFDs (-1 when it has no readable entry count) and the offset of the
// next one in its chain and where that is, and false when there is no
// readable chain to follow.
func (w *Walk) ifd(off uint32, from uint64, kind Kind) (i int, next uint32, nextAt uint64, ok bool) {
	t := w.Block
	n, ok := t.U16(uint64(off))
	if !ok {
		w.note(Note{InIFD: true, IFD: kind, Offset: int64(from), Reason: fmt.Sprintf("offset %d is past the end (%d bytes)", off, len(t.b))})
		return -1, 0, 0, false
	}
	end := uint64(off) + 2 + 12*uint64(n)
	chained := true
	if end > uint64(len(t.b)) {
		// libexif and ImageMagick read the entries that fit; so do we,
		// so that a report shows what they show.
		fit := (uint64(len(t.b)) - uint64(off) - 2) / 12
		w.note(Note{InIFD: true, IFD: kind, Offset: int64(off), Reason: fmt.Sprintf("at offset %d claims %d entries; the block holds %d", off, n, fit)})
		n = uint16(fit)
		end = uint64(off) + 2 + 12*uint64(n)
		chained = false
	}
	if w.entries+int(n) > MaxEntries {
		w.note(Note{Offset: int64(off), Unread: true, Reason: fmt.Sprintf("more than %d IFD entries", MaxEntries)})
		w.stopped = true
		n = uint16(MaxEntries - w.entries)
		chained = false
	}
	w.entries += int(n)
	w.read = append(w.read, span{start: uint64(off), end: min(end+4, uint64(len(t.b)))})
	i = len(w.IFDs)
	w.IFDs = append(w.IFDs, IFD{Kind: kind, Offset: off})
	entries := make([]Entry, n)
	var thumbOff, thumbLen uint32
	for k := range entries {
		e := uint64(off) + 2 + 12*uint64(k)
		en := &entries[k]
		en.Offset = uint32(e)
		en.Tag, _ = t.U16(e)
		en.Type, _ = t.U16(e + 2)
		en.Count, _ = t.U32(e + 4)
		val, at, ok := t.Value(e, en.Type, en.Count)
		if !ok {
			continue
		}
		en.Value, en.ValueOffset, en.InBlock = val, uint32(at), true
		if len(val) > 4 { // inline values are read with their IFD
			w.read = append(w.read, span{start: at, end: at + uint64(len(val))})
		}
		if kind == GPS {
			continue
		}
		// ExifTool reads every IFD but the GPS IFD with the same tag
		// table, so it follows a pointer wherever it is; so do we.
		if ptr, isPtr := pointers[en.Tag]; isPtr {
			en.Link = true
			for j := uint32(0); j < en.Count && j < MaxIFDs; j++ {
				sub, ok := Uint(t.Order, en.Type, val, int(j))
				if !ok {
					break
				}
				en.Sub = w.walk(uint32(sub), at+TypeSize(en.Type)*uint64(j), ptr, en.Sub)
			}
			continue
		}
		switch en.Tag {
		case TagJPEGInterchange:
			v, _ := Uint(t.Order, en.Type, val, 0)
			thumbOff, en.Link = uint32(v), true
		case TagJPEGInterchangeLn:
			v, _ := Uint(t.Order, en.Type, val, 0)
			thumbLen, en.Link = uint32(v), true
		}
	}
	d := &w.IFDs[i]
	d.Entries, d.ThumbnailOffset, d.ThumbnailLength = entries, thumbOff, thumbLen
	if !chained || kind != IFD0 && kind != IFD1 && kind != Sub {
		return i, 0, 0, false
	}
	next, ok = t.U32(end)
	if !ok {
		w.note(Note{InIFD: true, IFD: kind, Offset: int64(end), Reason: fmt.Sprintf("at offset %d has no next-IFD offset", off)})
	}
	return i, next, end, ok
}

// Hidden returns the number of bytes of the block, other than zeros, that
// the walk did not read: data that no IFD or value points to.
func (w *Walk) Hidden() int {
	sort.Slice(w.read, func(i, j int) bool { return w.read[i].start < w.read[j].start })
	n := 0
	var pos uint64
	count := func(b []byte) {
		for _, c := range b {
			if c != 0 {
				n++
			}
		}
	}
	b := w.b
	for _, s := range w.read {
		if s.start > pos {
			count(b[pos:s.start])
		}
		pos = max(pos, s.end)
	}
	if pos < uint64(len(b)) {
		count(b[pos:])
	}
	return n
}
