// Package makernote reads the private fields of the maker notes that
// cameras and phones write into EXIF's MakerNote tag (0x927c, CIPA DC-008
// §4.6.5 E: "a tag for manufacturers of Exif writers to record any desired
// information. The contents are up to the manufacturer").
//
// Most makers write an IFD there, in the form of TIFF 6.0 §2 "Image File
// Directory", after a header of their own, with value offsets counted from
// one of three places: the TIFF header of the EXIF block (Canon,
// Panasonic, Sony), the start of the maker note (Fujifilm, newer Olympus,
// Apple), or a TIFF header inside the maker note (Nikon's type 3). The
// layouts, headers and tag numbers are those ExifTool documents in its Tag
// Names pages and MakerNotes tables (Canon, Nikon, Olympus, FujiFilm,
// Panasonic, Sony, Pentax, Samsung, Apple, Nintendo, Minolta, Casio,
// Ricoh, Sanyo), which is also where the names come from, so that a
// report can be compared with ExifTool's line by line.
//
// Read identifies the maker from the note's header and the camera's make,
// walks the note's IFD (and the few sub-IFDs that hold private fields:
// Olympus Equipment and CameraSettings, Nikon and Samsung PreviewIFD), and
// returns the fields its table lists, by category: serial numbers,
// firmware, lens and unique IDs (device), owner and recognised names
// (identity), places a camera was told (location), times and time zones
// (time), titles and labels (text), and preview images (embedded).
//
// What it does NOT do: it reads no field the table does not list (the
// camera settings, the bulk of every note), decrypts nothing (Nikon's
// ShotInfo and LensData, Sony's 0x94xx records), reads no maker note that
// is not an IFD (Kodak, Samsung STMN, Google's) but Reconyx's fixed record, and never
// writes: a maker note is never kept, so its fields are only ever
// reported. Every offset and count is checked against the EXIF block
// before it is used; a note it cannot read gives fewer fields, never a
// panic.
package makernote

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/exifscrub/exifscrub/internal/tiff"
)

// A Category is what a field gives away. The values are those of the
// root package's categories.
type Category string

const (
	Location Category = "location"
	Time     Category = "time"
	Device   Category = "device"
	Identity Category = "identity"
	Text     Category = "text"
	Embedded Category = "embedded"
)

// A Field is one private field of a maker note.
type Field struct {
	Tag      uint16 // the maker's tag number
	Name     string // ExifTool's name for it
	Category Category
	Value    string // printable; "(N bytes)" for an image
}

// A Note is what Read found in a maker note.
type Note struct {
	// Maker is ExifTool's group name for the note ("Canon", "Nikon",
	// "Olympus", ...), or "" when the note is of no layout Read knows.
	Maker  string
	Fields []Field
}

// Limits that keep a hostile note cheap: entries read per IFD, sub-IFDs
// followed per note, and the fields returned.
const (
	maxEntries = 1024
	maxSubIFDs = 8
	maxFields  = 64
)

// A base says where a note's value offsets are counted from.
type base uint8

const (
	baseTIFF base = iota // the TIFF header of the EXIF block
	baseNote             // the first byte of the maker note
	baseOwn              // a TIFF header inside the note, at layout.own
)

// A layout is how one maker's note is built.
type layout struct {
	maker string
	ifd   uint32           // where the IFD starts, from the start of the note
	base  base             // where offsets count from
	own   uint32           // for baseOwn: where the inner TIFF header is
	order binary.ByteOrder // fixed byte order; nil to find it
	fix   bool             // offsets vary by model: take the base that fits
	table *table
	// record, for a note that is not an IFD, lists its fields at fixed
	// offsets, little-endian; Field.Tag is then the offset.
	record []part
}

// identify returns the layout of note, a maker note written by a camera
// of make mk, following the order of ExifTool's MakerNotes table: headers
// first, then the make for the notes that start with their IFD.
func identify(note []byte, mk string) (layout, bool) {
	has := func(p string) bool { return bytes.HasPrefix(note, []byte(p)) }
	mk = strings.ToUpper(strings.TrimSpace(mk))
	switch {
	case has("Apple iOS\x00"):
		// "Apple iOS\0", a version (2 bytes), then "MM": the IFD at 14,
		// offsets from the note.
		return layout{maker: "Apple", ifd: 14, base: baseNote, order: orderAt(note, 12), table: &appleTable}, true
	case has("Nikon\x00\x02"):
		// Type 3: "Nikon\0", version (4 bytes), then a TIFF header at 10.
		t, err := tiff.Open(note[min(10, len(note)):])
		if err != nil {
			return layout{}, false
		}
		return layout{maker: "Nikon", ifd: 10 + t.First, base: baseOwn, own: 10, order: t.Order, table: &nikonTable}, true
	case has("Nikon\x00\x01"):
		return layout{maker: "Nikon", ifd: 8, order: binary.LittleEndian, table: &nikonTable}, true
	case has("OLYMPUS\x00"):
		// "OLYMPUS\0", the byte order, a version: the IFD at 12,
		// offsets from the note.
		return layout{maker: "Olympus", ifd: 12, base: baseNote, order: orderAt(note, 8), table: &olympusTable}, true
	case has("OM SYSTEM\x00"):
		return layout{maker: "OlympusOM", ifd: 16, base: baseNote, order: orderAt(note, 12), table: &olympusTable}, true
	case has("OLYMP\x00"), has("EPSON\x00"), has("MINOL\x00"), has("CAMER\x00"), has("PREMI\x00"):
		return layout{maker: "Olympus", ifd: 8, table: &olympusTable}, true
	case has("SONY PI\x00"):
		return layout{maker: "Olympus", ifd: 12, table: &olympusTable}, true
	case has("FUJIFILM"), has("GENERALE"):
		// The IFD's offset, little-endian, at 8; offsets from the note.
		if len(note) < 12 {
			return layout{}, false
		}
		return layout{maker: "FujiFilm", ifd: binary.LittleEndian.Uint32(note[8:]), base: baseNote, order: binary.LittleEndian, table: &fujiTable}, true
	case has("Panasonic\x00"):
		return layout{maker: "Panasonic", ifd: 12, table: &panasonicTable}, true
	case has("LEICA CAMERA AG\x00"):
		return layout{maker: "Panasonic", ifd: 18, table: &panasonicTable}, true
	case has("SONY DSC "), has("SONY CAM "), has("SONY MOBILE"), has("VHAB     \x00"):
		return layout{maker: "Sony", ifd: 12, table: &sonyTable}, true
	case has("AOC\x00"):
		// "AOC\0" and the byte order ("II", "MM", or two spaces): the IFD
		// at 6. Offsets are mostly from the EXIF header, but not for
		// every model.
		return layout{maker: "Pentax", ifd: 6, order: orderAt(note, 4), fix: true, table: &pentaxTable}, true
	case has("PENTAX \x00"):
		return layout{maker: "Pentax", ifd: 10, base: baseNote, order: orderAt(note, 8), table: &pentaxTable}, true
	case has("RICOH\x00II"), has("RICOH\x00MM"):
		return layout{maker: "Pentax", ifd: 8, base: baseNote, order: orderAt(note, 6), table: &pentaxTable}, true
	case has("QVC\x00"), has("DCI\x00"):
		return layout{maker: "Casio", ifd: 6, fix: true, table: &casioTable}, true
	case has("\x01\xf1\x02\x00"), has("\x01\xf1\x03\x00"), has("\x01\xf1") && mk == "RECONYX":
		return layout{maker: "Reconyx", record: reconyxRecord}, true
	case has("SANYO\x00"):
		return layout{maker: "Sanyo", ifd: 8, table: &sanyoTable}, true
	case strings.HasPrefix(mk, "CANON"):
		return layout{maker: "Canon", table: &canonTable}, true
	case strings.HasPrefix(mk, "NIKON"):
		return layout{maker: "Nikon", table: &nikonTable}, true
	case mk == "NINTENDO":
		return layout{maker: "Nintendo", table: &nintendoTable}, true
	case mk == "SAMSUNG":
		return layout{maker: "Samsung", fix: true, table: &samsungTable}, true
	case strings.HasPrefix(mk, "MINOLTA"), strings.HasPrefix(mk, "KONICA MINOLTA"):
		return layout{maker: "Minolta", table: &minoltaTable}, true
	case strings.HasPrefix(mk, "CASIO"):
		return layout{maker: "Casio", table: &casioTable}, true
	case strings.HasPrefix(mk, "SONY"):
		return layout{maker: "Sony", table: &sonyTable}, true
	case strings.HasPrefix(mk, "RICOH") && (has("Ricoh") || has("RICOH")):
		return layout{maker: "Ricoh", ifd: 8, table: &ricohTable}, true
	}
	return layout{}, false
}

// orderAt returns the byte order that "II" or "MM" at off says, or nil.
func orderAt(b []byte, off int) binary.ByteOrder {
	if off+2 > len(b) {
		return nil
	}
	switch string(b[off : off+2]) {
	case "II":
		return binary.LittleEndian
	case "MM":
		return binary.BigEndian
	}
	return nil
}

// Read reads the maker note that lies at [at, at+n) in the EXIF block
// exif, which starts at its TIFF header and is in byte order bo, written
// by a camera whose EXIF Make is mk. A note of a layout Read does not know
// gives a Note with no Maker; damage gives fewer fields.
func Read(exif []byte, bo binary.ByteOrder, at, n uint32, mk string) Note {
	if uint64(at)+uint64(n) > uint64(len(exif)) {
		return Note{}
	}
	note := exif[at : at+n]
	l, ok := identify(note, mk)
	if !ok {
		return Note{}
	}
	if l.record != nil {
		var fields []Field
		for _, p := range l.record {
			if s, ok := p.read(note, binary.LittleEndian); ok {
				fields = append(fields, Field{uint16(p.at), p.name, p.cat, s})
			}
		}
		return Note{Maker: l.maker, Fields: fields}
	}
	r := &reader{exif: exif, note: note, at: at}
	r.order = l.order
	if r.order == nil {
		r.order = r.probeOrder(at+l.ifd, bo)
	}
	switch l.base {
	case baseNote:
		r.base = uint64(at)
	case baseOwn:
		r.base = uint64(at) + uint64(l.own)
	}
	if l.fix {
		r.fixBase(at + l.ifd)
	}
	r.ifd(uint64(at)+uint64(l.ifd), l.table)
	return Note{Maker: l.maker, Fields: r.fields}
}

// A reader walks one note's IFDs.
type reader struct {
	exif   []byte // the EXIF block, from its TIFF header
	note   []byte // the maker note within it
	at     uint32 // where the note starts in exif
	order  binary.ByteOrder
	base   uint64 // where value offsets count from, in exif
	subs   int    // sub-IFDs followed
	fields []Field
}

// u16 and u32 read exif at off, reporting false past its end.
func (r *reader) u16(off uint64) (uint16, bool) {
	if off+2 > uint64(len(r.exif)) {
		return 0, false
	}
	return r.order.Uint16(r.exif[off:]), true
}

func (r *reader) u32(off uint64) (uint32, bool) {
	if off+4 > uint64(len(r.exif)) {
		return 0, false
	}
	return r.order.Uint32(r.exif[off:]), true
}

// plausible reports whether an IFD of count entries at off could be one:
// it has entries, fits in the block, and its first entry has a TIFF type.
func plausible(b []byte, bo binary.ByteOrder, off uint64) bool {
	if off+2 > uint64(len(b)) {
		return false
	}
	count := uint64(bo.Uint16(b[off:]))
	if count == 0 || count > maxEntries || off+2+12*count > uint64(len(b))+12 {
		return false
	}
	if off+2+4 > uint64(len(b)) {
		return false
	}
	return tiff.TypeSize(bo.Uint16(b[off+4:])) > 0
}

// probeOrder returns the byte order the IFD at off reads in: the EXIF
// block's, unless only the other one gives a plausible IFD (ExifTool's
// "ByteOrder => 'Unknown'").
func (r *reader) probeOrder(off uint32, bo binary.ByteOrder) binary.ByteOrder {
	other := binary.ByteOrder(binary.BigEndian)
	if bo == binary.BigEndian {
		other = binary.LittleEndian
	}
	if !plausible(r.exif, bo, uint64(off)) && plausible(r.exif, other, uint64(off)) {
		return other
	}
	return bo
}

// fixBase chooses between the EXIF header and the note's start as the
// base of the IFD at off, for makers whose models differ: the one that
// puts more of the out-of-line values inside the note (as ExifTool's
// FixBase does, more simply).
func (r *reader) fixBase(off uint32) {
	inside := func(base uint64) int {
		n := 0
		count, ok := r.u16(uint64(off))
		for i := uint64(0); ok && i < uint64(min(count, maxEntries)); i++ {
			e := uint64(off) + 2 + 12*i
			typ, ok1 := r.u16(e + 2)
			cnt, ok2 := r.u32(e + 4)
			v, ok3 := r.u32(e + 8)
			if !ok1 || !ok2 || !ok3 {
				break
			}
			size := tiff.TypeSize(typ) * uint64(cnt)
			if size <= 4 {
				continue
			}
			start := base + uint64(v)
			if start >= uint64(r.at) && start+size <= uint64(r.at)+uint64(len(r.note)) {
				n++
			}
		}
		return n
	}
	if inside(uint64(r.at)) > inside(r.base) {
		r.base = uint64(r.at)
	}
}

// value returns the value bytes of the entry at e, and where they start
// in exif, or false when they lie outside it.
func (r *reader) value(e uint64, typ uint16, count uint32) ([]byte, uint64, bool) {
	size := tiff.TypeSize(typ) * uint64(count)
	if size == 0 {
		return nil, 0, false
	}
	if size <= 4 {
		if e+12 > uint64(len(r.exif)) {
			return nil, 0, false
		}
		return r.exif[e+8 : e+8+size], e + 8, true
	}
	off, ok := r.u32(e + 8)
	if !ok {
		return nil, 0, false
	}
	start := r.base + uint64(off)
	if start+size > uint64(len(r.exif)) {
		return nil, 0, false
	}
	return r.exif[start : start+size], start, true
}

// add appends a field, up to maxFields.
func (r *reader) add(f Field) {
	if len(r.fields) < maxFields {
		r.fields = append(r.fields, f)
	}
}

// ifd reads the IFD at off, in exif, with table t.
func (r *reader) ifd(off uint64, t *table) {
	count, ok := r.u16(off)
	if !ok {
		return
	}
	var start, length uint64 // a preview image's, from t.preview
	var hasStart bool
	for i := uint64(0); i < uint64(min(count, maxEntries)); i++ {
		e := off + 2 + 12*i
		if e+12 > uint64(len(r.exif)) {
			break // the entries that fit, as the EXIF walk reads them
		}
		tag, _ := r.u16(e)
		typ, _ := r.u16(e + 2)
		cnt, _ := r.u32(e + 4)
		if t.preview != [2]uint16{} && (tag == t.preview[0] || tag == t.preview[1]) {
			val, _, ok := r.value(e, typ, cnt)
			if v, ok2 := tiff.Uint(r.order, typ, val, 0); ok && ok2 {
				if tag == t.preview[0] {
					start, hasStart = v, true
				} else {
					length = v
				}
			}
			continue
		}
		info, listed := t.tags[tag]
		if !listed {
			continue
		}
		val, at, ok := r.value(e, typ, cnt)
		if !ok {
			continue
		}
		switch info.form {
		case formSub:
			r.sub(e, typ, val, at, info.sub)
		case formImage:
			cat := info.cat
			if cat == "" {
				cat = Embedded
			}
			if len(val) > 0 && !allZero(val) {
				r.add(Field{tag, info.name, cat, fmt.Sprintf("(%d bytes)", len(val))})
			}
		case formRecord:
			bo := r.order
			if info.little {
				bo = binary.LittleEndian
			}
			for _, p := range info.record {
				if s, ok := p.read(val, bo); ok {
					r.add(Field{tag, p.name, p.cat, s})
				}
			}
		default:
			if s := r.format(info.form, typ, cnt, val); s != "" {
				r.add(Field{tag, info.name, info.cat, s})
			}
		}
	}
	if length > 0 {
		s := fmt.Sprintf("(%d bytes)", length)
		if hasStart {
			s = fmt.Sprintf("(%d bytes at offset %d)", length, start)
		}
		r.add(Field{t.preview[0], "PreviewImage", Embedded, s})
	}
}

// sub follows a sub-IFD entry: an offset (LONG or IFD) from the note's
// base, or an UNDEFINED value that is the IFD itself (older Olympus).
func (r *reader) sub(e uint64, typ uint16, val []byte, at uint64, t *table) {
	if t == nil || r.subs >= maxSubIFDs {
		return
	}
	r.subs++
	switch typ {
	case 4, 13:
		if v, ok := tiff.Uint(r.order, typ, val, 0); ok {
			r.ifd(r.base+v, t)
		}
	case 7:
		r.ifd(at, t)
	}
}

// format returns the printable value of a listed field, or "" when it
// says nothing: empty text, zeros, or a setting that is off.
func (r *reader) format(f form, typ uint16, count uint32, val []byte) string {
	if allZero(val) || typ == 2 && strings.TrimSpace(strings.Trim(string(val), "\x00")) == "" {
		return "" // an empty OwnerName, a DateStampMode that is Off
	}
	switch {
	case f == formHex:
		return fmt.Sprintf("0x%x", val)
	case typ == 7 && isText(val):
		return cut(val)
	case typ == 7 && len(val) > 32:
		return fmt.Sprintf("(%d bytes)", len(val))
	}
	return tiff.Format(r.order, typ, count, val)
}

// isText reports whether b is printable ASCII, within NUL padding.
func isText(b []byte) bool {
	b = bytes.Trim(b, "\x00")
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' || c > 0x7e {
			return false
		}
	}
	return true
}

// cut returns b after its leading NULs and up to the next, trimmed.
func cut(b []byte) string {
	b = bytes.TrimLeft(b, "\x00")
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.TrimSpace(string(b))
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
