package mp4

import "github.com/exifscrub/exifscrub/internal/bmff"

// The boxes of the movie index that a player reads and that hold only
// numbers, rebuilt from an allow-list: each is written anew from its
// parsed fields at its spec length (ISO/IEC 14496-12, QTFF), and anything
// else inside the containers written here is dropped and logged. The
// functions descend only into the containers they name ('edts', 'tapt',
// 'gmhd', 'dinf'), never into a box the input nests deeper, so their
// depth and work are bounded by the list, not by the input.

// Box types of the index (14496-12 §8 and QTFF) that the rebuilding
// functions write.
var (
	BoxEdts = bmff.FourCC{'e', 'd', 't', 's'} // §8.6.5 edit box
	BoxTapt = bmff.FourCC{'t', 'a', 'p', 't'} // QTFF "Track Aperture Mode Dimensions Atom"
	boxElst = bmff.FourCC{'e', 'l', 's', 't'} // §8.6.6 edit list
	boxVmhd = bmff.FourCC{'v', 'm', 'h', 'd'} // §12.1.2 video media header
	boxSmhd = bmff.FourCC{'s', 'm', 'h', 'd'} // §12.2.2 sound media header
	boxNmhd = bmff.FourCC{'n', 'm', 'h', 'd'} // §8.4.5.2 null media header
	boxHmhd = bmff.FourCC{'h', 'm', 'h', 'd'} // §12.4.2 hint media header
	boxSthd = bmff.FourCC{'s', 't', 'h', 'd'} // §12.6.2 subtitle media header
	boxGmhd = bmff.FourCC{'g', 'm', 'h', 'd'} // QTFF "Base Media Information Atom"
	boxSgpd = bmff.FourCC{'s', 'g', 'p', 'd'} // §8.9.3 sample group description
	boxSbgp = bmff.FourCC{'s', 'b', 'g', 'p'} // §8.9.2 sample to group
	boxEsds = bmff.FourCC{'e', 's', 'd', 's'} // 14496-14 §6.7.2 elementary stream descriptor
)

// An Omitted says what a rebuilding function left out.
type Omitted int

// What a rebuilding function leaves out, and the fields of an Omission
// that say more.
const (
	// Dropped: Box, a child of Parent that the allow-list does not name.
	Dropped Omitted = iota
	// TrailingBytes: the bytes of Box after its first Len, not all zero.
	TrailingBytes
	// DataReference: Len bytes after the flags of a self-contained
	// 'dref' entry Box, not all zero (14496-12 §8.7.2: a location the
	// flags say is not read).
	DataReference
	// SampleGroup, SampleGroupDescription: an 'sbgp' or 'sgpd' Box of
	// grouping type Type, which playback does not use.
	SampleGroup
	SampleGroupDescription
	// Descriptor: a descriptor of tag Tag and Len bytes in the 'esds'
	// Box (14496-1 §7.2.2) that decoders do not read.
	Descriptor
	// MetadataBlocks: Len bytes of FLAC metadata blocks after
	// STREAMINFO in the 'dfLa' Box.
	MetadataBlocks
)

// An Omission is one thing a rebuilding function left out.
type Omission struct {
	What   Omitted
	Box    bmff.Box
	Parent bmff.FourCC // Dropped
	Type   bmff.FourCC // SampleGroup, SampleGroupDescription
	Tag    byte        // Descriptor
	Len    int         // TrailingBytes, DataReference, Descriptor, MetadataBlocks
}

// A Log is what rebuilding functions left out, in input order.
type Log []Omission

func (l *Log) drop(c bmff.Box, parent bmff.FourCC) {
	*l = append(*l, Omission{What: Dropped, Box: c, Parent: parent})
}

// trailing logs the bytes of c after its first n, which are not kept,
// unless they are zeros.
func (l *Log) trailing(c bmff.Box, n int) {
	if n < len(c.Payload) && !isZero(c.Payload[n:]) {
		*l = append(*l, Omission{What: TrailingBytes, Box: c, Len: n})
	}
}

// tablesFixed are the sample tables made of numbers only (14496-12 §8.6,
// §8.7): an entry count after the version and flags (and, for some,
// fields before it), then entries of a fixed size. They are copied after
// their counts are checked against their sizes, through the last entry:
// numbers are what a player reads, and bytes after the last entry go.
// pre is the size of the fields before the count, entry that of one entry
// (0: no table follows the count).
var tablesFixed = map[bmff.FourCC]struct{ pre, entry int }{
	{'s', 't', 't', 's'}: {0, 8},  // §8.6.1.2 decoding time to sample
	{'c', 't', 't', 's'}: {0, 8},  // §8.6.1.3 composition time to sample
	{'s', 't', 's', 's'}: {0, 4},  // §8.6.2 sync samples
	{'s', 't', 'p', 's'}: {0, 4},  // QTFF "Partial Sync Sample Atom"
	{'s', 't', 's', 'c'}: {0, 12}, // §8.7.4 sample to chunk
}

// playbackGroups are the sample grouping types (14496-12 §8.9, 10) that
// playback uses, with the size of one group description entry: roll and
// pre-roll distances (§10.1: a signed 16-bit count), random access points
// (§10.4), sync sample NAL unit types (14496-15 §4.7), temporal levels
// and stream access points (§10.5, §10.6): one byte each.
var playbackGroups = map[bmff.FourCC]int{
	{'r', 'o', 'l', 'l'}: 2, {'p', 'r', 'o', 'l'}: 2,
	{'r', 'a', 'p', ' '}: 1, {'s', 'y', 'n', 'c'}: 1,
	{'t', 'e', 'l', 'e'}: 1, {'s', 'a', 'p', ' '}: 1,
}

// WriteFixed writes a box of fixed-size fields: n bytes of payload
// (version and flags included, for a FullBox); bytes after them are
// dropped and logged. A shorter box is an error.
func WriteFixed(w *bmff.Writer, c bmff.Box, n int, log *Log) error {
	if len(c.Payload) < n {
		return bmff.ErrorAt(c.Offset, nil, "%q box of %d bytes, shorter than its %d bytes of fields", c.Type, len(c.Payload), n)
	}
	w.Start(c.Type)
	w.Append(c.Payload[:n])
	w.End()
	log.trailing(c, n)
	return nil
}

// WriteEdts writes an edit box with its edit list (14496-12 §8.6.6): a
// count, then 12-byte (version 0) or 20-byte (version 1) entries.
func WriteEdts(w *bmff.Writer, c bmff.Box, log *Log) error {
	w.Start(BoxEdts)
	r := bmff.NewReader(c.Payload, c.PayloadOffset(), false)
	for e := range r.All() {
		if e.Type != boxElst {
			log.drop(e, BoxEdts)
			continue
		}
		size := 12
		if len(e.Payload) > 0 && e.Payload[0] == 1 {
			size = 20
		}
		if err := WriteTable(w, e, 0, size, log); err != nil {
			return err
		}
	}
	w.End()
	return r.Err()
}

// WriteTable writes a FullBox of pre bytes of fields, a 32-bit entry
// count and that many entries of size bytes, after checking that the box
// holds them. What follows the last entry goes.
func WriteTable(w *bmff.Writer, c bmff.Box, pre, size int, log *Log) error {
	cur := bmff.NewCursor(c)
	version, flags := cur.FullBox()
	head := cur.Take(pre)
	n := cur.U32()
	if cur.Err() != nil {
		return cur.Err()
	}
	if uint64(n)*uint64(size) > uint64(cur.Left()) {
		return bmff.ErrorAt(c.Offset, nil, "%q box of %d bytes cannot hold %d entries", c.Type, len(c.Payload), n)
	}
	w.StartFull(c.Type, version, flags)
	w.Append(head)
	w.U32(n)
	w.Append(cur.Take(int(n) * size))
	w.End()
	log.trailing(c, len(c.Payload)-cur.Left())
	return nil
}

// WriteMinfBox writes a child of a media information box (14496-12
// §8.4.4) that holds numbers only: a media header ('vmhd', 'smhd',
// 'nmhd', 'sthd', 'hmhd', QuickTime's 'gmhd') or the data information
// ('dinf'). It returns false, having written nothing, for another box.
func WriteMinfBox(w *bmff.Writer, c bmff.Box, log *Log) (bool, error) {
	switch c.Type {
	case boxVmhd:
		return true, WriteFixed(w, c, 12, log) // §12.1.2: graphicsmode, opcolor
	case boxSmhd:
		return true, WriteFixed(w, c, 8, log) // §12.2.2: balance, reserved
	case boxNmhd, boxSthd:
		return true, WriteFixed(w, c, 4, log) // version and flags only
	case boxHmhd:
		return true, WriteFixed(w, c, 20, log) // §12.4.2: PDU sizes and bit rates
	case boxGmhd:
		return true, writeGmhd(w, c, log)
	case bmff.BoxDinf:
		return true, writeDinf(w, c, log)
	}
	return false, nil
}

// writeGmhd writes QuickTime's base media information header: 'gmin'
// (graphics mode, opcolor, balance, reserved) and, for text media, the
// 'text' atom's display matrix (QTFF "Text Media Information Atom": 36
// bytes; not a FullBox, but fixed fields all the same).
func writeGmhd(w *bmff.Writer, gmhd bmff.Box, log *Log) error {
	return writeFixedChildren(w, gmhd, map[string]int{"gmin": 16, "text": 36}, log)
}

// writeFixedChildren writes a container box whose children are boxes of
// fixed-size fields, of the types and payload sizes in sizes; others are
// dropped and logged.
func writeFixedChildren(w *bmff.Writer, b bmff.Box, sizes map[string]int, log *Log) error {
	w.Start(b.Type)
	r := bmff.NewReader(b.Payload, b.PayloadOffset(), false)
	for c := range r.All() {
		n, ok := sizes[string(c.Type[:])]
		if !ok {
			log.drop(c, b.Type)
			continue
		}
		if err := WriteFixed(w, c, n, log); err != nil {
			return err
		}
	}
	w.End()
	return r.Err()
}

// writeDinf writes a data information box with its data references
// (14496-12 §8.7.2), each self-contained ("in this file", flag 1) and
// empty; CheckDinf has refused any that names another file. An entry
// other than 'url ' or QuickTime's 'alis' is refused.
func writeDinf(w *bmff.Writer, dinf bmff.Box, log *Log) error {
	w.Start(bmff.BoxDinf)
	r := bmff.NewReader(dinf.Payload, dinf.PayloadOffset(), false)
	for c := range r.All() {
		if c.Type != bmff.BoxDref {
			log.drop(c, bmff.BoxDinf)
			continue
		}
		n, er, err := dref(c)
		if err != nil {
			return err
		}
		w.StartFull(bmff.BoxDref, 0, 0)
		w.U32(n)
		for i := uint32(0); i < n; i++ {
			e, ok := er.Next()
			if !ok {
				if er.Err() != nil {
					return er.Err()
				}
				return bmff.ErrorAt(c.Offset, nil, "'dref' box lists %d entries and holds %d", n, i)
			}
			switch string(e.Type[:]) {
			case "url ", "alis":
			default:
				return bmff.ErrorAt(e.Offset, ErrUnsupported, "%q data reference", e.Type)
			}
			if len(e.Payload) > 4 && !isZero(e.Payload[4:]) {
				*log = append(*log, Omission{What: DataReference, Box: e, Len: len(e.Payload) - 4})
			}
			w.StartFull(e.Type, 0, 1)
			w.End()
		}
		w.End()
	}
	w.End()
	return r.Err()
}

// dref reads the entry count of a data reference box (14496-12 §8.7.2)
// and returns a Reader of its entries.
func dref(c bmff.Box) (uint32, *bmff.Reader, error) {
	cur := bmff.NewCursor(c)
	cur.FullBox()
	n := cur.U32()
	if cur.Err() != nil {
		return 0, nil, cur.Err()
	}
	return n, bmff.NewReader(cur.Rest(), cur.Offset(), false), nil
}

// CheckDinf refuses media in another file: a data reference (14496-12
// §8.7.2) whose flags do not say "in this file" and that names a place.
func CheckDinf(dinf bmff.Box) error {
	r := bmff.NewReader(dinf.Payload, dinf.PayloadOffset(), false)
	for c := range r.All() {
		if c.Type != bmff.BoxDref {
			continue
		}
		n, er, err := dref(c)
		if err != nil {
			return err
		}
		for i := uint32(0); i < n; i++ {
			e, ok := er.Next()
			if !ok {
				break
			}
			if len(e.Payload) > 4 && e.Payload[3]&1 == 0 {
				return bmff.ErrorAt(e.Offset, ErrUnsupported, "media data in another file ('%s' data reference)", e.Type)
			}
		}
	}
	return r.Err()
}

// WriteStblBox writes a child of a sample table box (14496-12 §8.5.1)
// that holds numbers only: the time, sync, sample-to-chunk, size,
// dependency, auxiliary size and sample group tables. It returns false,
// having written nothing, for another box: the sample descriptions and
// the chunk offsets are the caller's.
func WriteStblBox(w *bmff.Writer, c bmff.Box, log *Log) (bool, error) {
	if spec, fixed := tablesFixed[c.Type]; fixed {
		return true, WriteTable(w, c, spec.pre, spec.entry, log)
	}
	switch {
	case c.Type == BoxStsz:
		// §8.7.3.2: sample_size, then a table only if it is 0.
		size := 4
		if len(c.Payload) >= 8 && c.Payload[4]|c.Payload[5]|c.Payload[6]|c.Payload[7] != 0 {
			size = 0
		}
		return true, WriteTable(w, c, 4, size, log)
	case c.Type == BoxStz2:
		return true, writeStz2(w, c, log)
	case string(c.Type[:]) == "cslg":
		// §8.6.1.4: five 32-bit (version 0) or 64-bit fields.
		n := 24
		if len(c.Payload) > 0 && c.Payload[0] == 1 {
			n = 44
		}
		return true, WriteFixed(w, c, n, log)
	case string(c.Type[:]) == "sdtp":
		// §8.6.4: one byte of flags per sample, no count.
		w.CopyBox(c)
		return true, nil
	case c.Type == BoxSaiz:
		return true, writeSaiz(w, c, log)
	case c.Type == boxSbgp:
		return true, writeSbgp(w, c, log)
	case c.Type == boxSgpd:
		return true, writeSgpd(w, c, log)
	}
	return false, nil
}

// writeStz2 writes a compact sample size box (14496-12 §8.7.3.3): 24
// reserved bits, a field size of 4, 8 or 16 bits, a count and the sizes.
func writeStz2(w *bmff.Writer, c bmff.Box, log *Log) error {
	cur := bmff.NewCursor(c)
	version, flags := cur.FullBox()
	cur.Take(3)
	bits := cur.U8()
	n := cur.U32()
	if cur.Err() != nil {
		return cur.Err()
	}
	if bits != 4 && bits != 8 && bits != 16 {
		return bmff.ErrorAt(c.Offset, nil, "'stz2' field size %d", bits)
	}
	size := (uint64(n)*uint64(bits) + 7) / 8
	if size > uint64(cur.Left()) {
		return bmff.ErrorAt(c.Offset, nil, "'stz2' box of %d bytes cannot hold %d sizes", len(c.Payload), n)
	}
	w.StartFull(c.Type, version, flags)
	w.Append([]byte{0, 0, 0, bits})
	w.U32(n)
	w.Append(cur.Take(int(size)))
	w.End()
	log.trailing(c, len(c.Payload)-cur.Left())
	return nil
}

// writeSaiz writes a sample auxiliary information sizes box (14496-12
// §8.7.8): an optional type and parameter, a default size, a count, and
// a byte per sample when the default is 0.
func writeSaiz(w *bmff.Writer, c bmff.Box, log *Log) error {
	cur := bmff.NewCursor(c)
	version, flags := cur.FullBox()
	var head []byte
	if flags&1 != 0 {
		head = cur.Take(8)
	}
	def := cur.U8()
	n := cur.U32()
	if cur.Err() != nil {
		return cur.Err()
	}
	size := 0
	if def == 0 {
		size = int(n)
		if uint64(n) > uint64(cur.Left()) {
			return bmff.ErrorAt(c.Offset, nil, "'saiz' box cannot hold %d sizes", n)
		}
	}
	w.StartFull(c.Type, version, flags)
	w.Append(head)
	w.U8(def)
	w.U32(n)
	w.Append(cur.Take(size))
	w.End()
	log.trailing(c, len(c.Payload)-cur.Left())
	return nil
}

// writeSbgp writes a sample to group box (14496-12 §8.9.2) of a grouping
// type that playback uses; others go, with their descriptions.
func writeSbgp(w *bmff.Writer, c bmff.Box, log *Log) error {
	if len(c.Payload) < 8 {
		return bmff.ErrorAt(c.Offset, nil, "'sbgp' box truncated")
	}
	var typ bmff.FourCC
	copy(typ[:], c.Payload[4:8])
	if _, ok := playbackGroups[typ]; !ok {
		*log = append(*log, Omission{What: SampleGroup, Box: c, Type: typ})
		return nil
	}
	pre := 4 // grouping_type
	if c.Payload[0] == 1 {
		pre = 8 // and grouping_type_parameter
	}
	return WriteTable(w, c, pre, 8, log)
}

// writeSgpd writes a sample group description box (14496-12 §8.9.3) of
// a grouping type that playback uses, each entry checked to have its
// type's size; others go.
func writeSgpd(w *bmff.Writer, c bmff.Box, log *Log) error {
	cur := bmff.NewCursor(c)
	version, flags := cur.FullBox()
	typ := cur.FourCC()
	var defLen, defIndex uint32
	if version == 1 {
		defLen = cur.U32()
	}
	if version >= 2 {
		defIndex = cur.U32()
	}
	n := cur.U32()
	if cur.Err() != nil {
		return cur.Err()
	}
	size, ok := playbackGroups[typ]
	if !ok || version > 2 {
		*log = append(*log, Omission{What: SampleGroupDescription, Box: c, Type: typ})
		return nil
	}
	w.StartFull(boxSgpd, version, flags)
	w.Append(typ[:])
	if version == 1 {
		w.U32(defLen)
	}
	if version >= 2 {
		w.U32(defIndex)
	}
	w.U32(n)
	for i := uint32(0); i < n && cur.Err() == nil; i++ {
		if version == 1 && defLen == 0 {
			l := cur.U32()
			w.U32(l)
			if cur.Err() == nil && l != uint32(size) {
				return bmff.ErrorAt(c.Offset, ErrUnsupported, "'sgpd' entry of %d bytes for grouping type '%s'", l, typ)
			}
		} else if version == 1 && defLen != uint32(size) {
			return bmff.ErrorAt(c.Offset, ErrUnsupported, "'sgpd' entries of %d bytes for grouping type '%s'", defLen, typ)
		}
		w.Append(cur.Take(size))
	}
	if cur.Err() != nil {
		return cur.Err()
	}
	w.End()
	log.trailing(c, len(c.Payload)-cur.Left())
	return nil
}

// WriteTapt writes QuickTime's track aperture mode dimensions: its clean,
// production and encoded apertures ('clef', 'prof', 'enof'), each a
// FullBox with a width and a height in 16.16 fixed point.
func WriteTapt(w *bmff.Writer, tapt bmff.Box, log *Log) error {
	return writeFixedChildren(w, tapt, map[string]int{"clef": 12, "prof": 12, "enof": 12}, log)
}
