package exifscrub

import (
	"bytes"
	"fmt"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// The movie index ('moov') is rebuilt from an allow-list: each box a
// player needs is written anew from its parsed fields at its spec length
// (ISO/IEC 14496-12, QTFF), and anything else, at any depth, is dropped
// and reported. The list is a fixed tree, 'moov' > 'trak' > 'mdia' >
// 'minf' > 'stbl' > 'stsd' > sample entry > 'wave' > 'esds' at its
// deepest: the rebuild descends only into the containers it names, never
// into a box the input nests deeper (a 'stbl' in a 'stbl' is dropped,
// not read), so its depth, stack and work are bounded by the list, not
// by the input. See mov.go for what each removal means.

// Box types of the index (14496-12 §8 and QTFF) not named in mov.go.
var (
	boxEdts = bmff.FourCC{'e', 'd', 't', 's'} // §8.6.5 edit box
	boxElst = bmff.FourCC{'e', 'l', 's', 't'} // §8.6.6 edit list
	boxVmhd = bmff.FourCC{'v', 'm', 'h', 'd'} // §12.1.2 video media header
	boxSmhd = bmff.FourCC{'s', 'm', 'h', 'd'} // §12.2.2 sound media header
	boxNmhd = bmff.FourCC{'n', 'm', 'h', 'd'} // §8.4.5.2 null media header
	boxHmhd = bmff.FourCC{'h', 'm', 'h', 'd'} // §12.4.2 hint media header
	boxSthd = bmff.FourCC{'s', 't', 'h', 'd'} // §12.6.2 subtitle media header
	boxGmhd = bmff.FourCC{'g', 'm', 'h', 'd'} // QTFF "Base Media Information Atom"
	boxGmin = bmff.FourCC{'g', 'm', 'i', 'n'} // QTFF "Base Media Info Atom"
	boxText = bmff.FourCC{'t', 'e', 'x', 't'} // QTFF "Text Media Information Atom" (in 'gmhd')
	boxTapt = bmff.FourCC{'t', 'a', 'p', 't'} // QTFF "Track Aperture Mode Dimensions Atom"
	boxCmov = bmff.FourCC{'c', 'm', 'o', 'v'} // QTFF "Compressed Movie Atom"
	boxMeco = bmff.FourCC{'m', 'e', 'c', 'o'} // §8.11.7 additional metadata container
	boxSgpd = bmff.FourCC{'s', 'g', 'p', 'd'} // §8.9.3 sample group description
	boxSbgp = bmff.FourCC{'s', 'b', 'g', 'p'} // §8.9.2 sample to group
	boxWave = bmff.FourCC{'w', 'a', 'v', 'e'} // QTFF "Sound Sample Description (Version 1)": 'wave' extension
	boxEsds = bmff.FourCC{'e', 's', 'd', 's'} // 14496-14 §6.7.2 elementary stream descriptor
)

// movTablesFixed are the sample tables made of numbers only (14496-12
// §8.6, §8.7): an entry count after the version and flags (and, for some,
// fields before it), then entries of a fixed size. They are copied after
// their counts are checked against their sizes, through the last entry:
// numbers are what a player reads, and bytes after the last entry go.
// pre is the size of the fields before the count, entry that of one entry
// (0: no table follows the count).
var movTablesFixed = map[bmff.FourCC]struct{ pre, entry int }{
	{'s', 't', 't', 's'}: {0, 8},  // §8.6.1.2 decoding time to sample
	{'c', 't', 't', 's'}: {0, 8},  // §8.6.1.3 composition time to sample
	{'s', 't', 's', 's'}: {0, 4},  // §8.6.2 sync samples
	{'s', 't', 'p', 's'}: {0, 4},  // QTFF "Partial Sync Sample Atom"
	{'s', 't', 's', 'c'}: {0, 12}, // §8.7.4 sample to chunk
}

// movPlaybackGroups are the sample grouping types (14496-12 §8.9, 10)
// that playback uses, with the size of one group description entry:
// roll and pre-roll distances (§10.1: a signed 16-bit count), random
// access points (§10.4), sync sample NAL unit types (14496-15 §4.7),
// temporal levels and stream access points (§10.5, §10.6): one byte each.
var movPlaybackGroups = map[bmff.FourCC]int{
	{'r', 'o', 'l', 'l'}: 2, {'p', 'r', 'o', 'l'}: 2,
	{'r', 'a', 'p', ' '}: 1, {'s', 'y', 'n', 'c'}: 1,
	{'t', 'e', 'l', 'e'}: 1, {'s', 'a', 'p', ' '}: 1,
}

// movHeaderLen is the size of the payload of a movie, track or media
// header (14496-12 §8.2.2, §8.3.2, §8.4.2), version and flags included,
// in version 0 and 1.
var movHeaderLen = map[bmff.FourCC][2]int{
	boxMvhd: {100, 112},
	boxTkhd: {84, 96},
	boxMdhd: {24, 36},
}

// dropBox reports a box that the index does not keep, found in parent.
// Metadata boxes are reported for what they hold; out of the places they
// belong ('moov', 'trak') and for any box whose content is unknown, an
// Embedded finding makes the check fail.
func (f *movFile) dropBox(c bmff.Box, parent bmff.FourCC) {
	where := fmt.Sprintf("('%s' box in '%s', %d bytes)", atomName(c.Type), parent, len(c.Payload))
	switch c.Type {
	case boxUdta:
		f.m.reportUserData(c)
	case bmff.BoxMeta:
		f.m.reportMeta(c)
	case bmff.BoxUUID:
		f.m.reportUUID(c)
	case bmff.BoxFree, bmff.BoxSkip, boxWide:
		if len(bytes.Trim(c.Payload, "\x00")) == 0 {
			return // padding
		}
	case boxMeco:
		f.m.add(Embedded, containerMovie, "AdditionalMetadata", where)
		return
	}
	f.m.add(Embedded, containerMovie, "Box", where)
}

// writeFixedBox writes a FullBox of fixed-size fields: n bytes of
// payload (version and flags included); bytes after them are dropped and
// reported. A shorter box is an error.
func (f *movFile) writeFixedBox(w *bmff.Writer, c bmff.Box, n int) error {
	if len(c.Payload) < n {
		return bmff.ErrorAt(c.Offset, nil, "%q box of %d bytes, shorter than its %d bytes of fields", c.Type, len(c.Payload), n)
	}
	w.Start(c.Type)
	w.Append(c.Payload[:n])
	w.End()
	f.trailing(c, n)
	return nil
}

// trailing reports the bytes of c after its first n, which are not kept,
// unless they are zeros.
func (f *movFile) trailing(c bmff.Box, n int) {
	if n < len(c.Payload) && len(bytes.Trim(c.Payload[n:], "\x00")) > 0 {
		f.m.add(Embedded, containerMovie, "TrailingBytes", fmt.Sprintf("(%d bytes after the fields of '%s' at offset %d)", len(c.Payload)-n, c.Type, c.PayloadOffset()+int64(n)))
	}
}

// writeHeader writes a movie, track or media header at its spec length,
// with its times as copyTimes leaves them.
func (f *movFile) writeHeader(w *bmff.Writer, c bmff.Box, track uint32) error {
	lens := movHeaderLen[c.Type]
	if len(c.Payload) < 4 || c.Payload[0] > 1 {
		return bmff.ErrorAt(c.Offset, ErrUnsupportedFeature, "%q box of an unknown version", c.Type)
	}
	n := lens[c.Payload[0]]
	if len(c.Payload) < n {
		return bmff.ErrorAt(c.Offset, nil, "%q box of %d bytes, shorter than its %d bytes of fields", c.Type, len(c.Payload), n)
	}
	fields := c
	fields.Payload = c.Payload[:n]
	f.copyTimes(w, fields, c.Type.String(), track)
	f.trailing(c, n)
	return nil
}

// writeHdlr writes a handler reference (14496-12 §8.4.3; QTFF "Handler
// Reference Atom") with its component and handler types, the reserved
// words (QuickTime's manufacturer and flags) zero and an empty name. A
// name is text a tool or device chose ("VideoHandler", a brand): it is
// reported, or kept when the policy keeps Device.
func (f *movFile) writeHdlr(w *bmff.Writer, c bmff.Box) error {
	cur := bmff.NewCursor(c)
	cur.FullBox()
	component := cur.U32()
	handler := cur.FourCC()
	cur.Take(12)
	if cur.Err() != nil {
		return cur.Err()
	}
	name := cur.Rest()
	pascal := len(name) > 1 && int(name[0]) == len(name)-1
	if pascal {
		name = name[1:] // QuickTime: a Pascal string
	}
	s := string(bytes.Trim(name, "\x00 "))
	keep := s != "" && f.opts.keeps(Device) && isText([]byte(s)) && len(s) < 256
	switch {
	case keep:
		f.rep.keep(Device, containerMovie+" hdlr", "HandlerName", s)
	case s != "":
		f.m.add(Device, containerMovie+" hdlr", "HandlerName", s)
	}
	w.StartFull(bmff.BoxHdlr, 0, 0)
	w.U32(component)
	w.Append(handler[:])
	w.Append(make([]byte, 12))
	switch {
	case keep && pascal:
		w.U8(uint8(len(s)))
		w.Append([]byte(s))
	case keep:
		w.Append(append([]byte(s), 0))
	default:
		w.U8(0) // an empty name: a NUL (ISO), or a Pascal string of length 0 (QuickTime)
	}
	w.End()
	return nil
}

// writeEdts writes an edit box with its edit list (14496-12 §8.6.6): a
// count, then 12-byte (version 0) or 20-byte (version 1) entries.
func (f *movFile) writeEdts(w *bmff.Writer, c bmff.Box) error {
	w.Start(boxEdts)
	r := bmff.NewReader(c.Payload, c.PayloadOffset(), false)
	for e := range r.All() {
		if e.Type != boxElst {
			f.dropBox(e, boxEdts)
			continue
		}
		size := 12
		if len(e.Payload) > 0 && e.Payload[0] == 1 {
			size = 20
		}
		if err := f.writeCountedTable(w, e, 0, size); err != nil {
			return err
		}
	}
	w.End()
	return r.Err()
}

// writeCountedTable writes a FullBox of pre bytes of fields, a 32-bit
// entry count and that many entries of size bytes, after checking that
// the box holds them. What follows the last entry goes.
func (f *movFile) writeCountedTable(w *bmff.Writer, c bmff.Box, pre, size int) error {
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
	f.trailing(c, len(c.Payload)-cur.Left())
	return nil
}

// writeMinf writes a media information box (14496-12 §8.4.4): its media
// header, data information, sample table and QuickTime data handler.
func (f *movFile) writeMinf(w *bmff.Writer, mv *movMoov, minf bmff.Box, t *movTrack) error {
	w.Start(boxMinf)
	r := bmff.NewReader(minf.Payload, minf.PayloadOffset(), false)
	for c := range r.All() {
		var err error
		switch c.Type {
		case boxVmhd:
			err = f.writeFixedBox(w, c, 12) // §12.1.2: graphicsmode, opcolor
		case boxSmhd:
			err = f.writeFixedBox(w, c, 8) // §12.2.2: balance, reserved
		case boxNmhd, boxSthd:
			err = f.writeFixedBox(w, c, 4) // version and flags only
		case boxHmhd:
			err = f.writeFixedBox(w, c, 20) // §12.4.2: PDU sizes and bit rates
		case boxGmhd:
			err = f.writeGmhd(w, c)
		case bmff.BoxHdlr:
			err = f.writeHdlr(w, c) // QTFF: the data handler
		case bmff.BoxDinf:
			err = f.writeDinf(w, c)
		case boxStbl:
			err = f.writeStbl(w, mv, c, t)
		default:
			f.dropBox(c, boxMinf)
		}
		if err != nil {
			return err
		}
	}
	w.End()
	return r.Err()
}

// writeGmhd writes QuickTime's base media information header: 'gmin'
// (graphics mode, opcolor, balance, reserved) and, for text media, the
// 'text' atom's display matrix (QTFF "Text Media Information Atom": 36
// bytes).
func (f *movFile) writeGmhd(w *bmff.Writer, gmhd bmff.Box) error {
	w.Start(boxGmhd)
	r := bmff.NewReader(gmhd.Payload, gmhd.PayloadOffset(), false)
	for c := range r.All() {
		var err error
		switch c.Type {
		case boxGmin:
			err = f.writeFixedBox(w, c, 16)
		case boxText:
			// Not a FullBox, but fixed fields all the same.
			err = f.writeFixedBox(w, c, 36)
		default:
			f.dropBox(c, boxGmhd)
		}
		if err != nil {
			return err
		}
	}
	w.End()
	return r.Err()
}

// writeDinf writes a data information box with its data references
// (14496-12 §8.7.2), each self-contained ("in this file", flag 1) and
// empty; checkDinf has refused any that names another file. An entry
// other than 'url ' or QuickTime's 'alis' is refused.
func (f *movFile) writeDinf(w *bmff.Writer, dinf bmff.Box) error {
	w.Start(bmff.BoxDinf)
	r := bmff.NewReader(dinf.Payload, dinf.PayloadOffset(), false)
	for c := range r.All() {
		if c.Type != bmff.BoxDref {
			f.dropBox(c, bmff.BoxDinf)
			continue
		}
		cur := bmff.NewCursor(c)
		cur.FullBox()
		n := cur.U32()
		if cur.Err() != nil {
			return cur.Err()
		}
		w.StartFull(bmff.BoxDref, 0, 0)
		w.U32(n)
		er := bmff.NewReader(cur.Rest(), cur.Offset(), false)
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
				return bmff.ErrorAt(e.Offset, ErrUnsupportedFeature, "%q data reference", e.Type)
			}
			if len(e.Payload) > 4 && len(bytes.Trim(e.Payload[4:], "\x00")) > 0 {
				f.m.add(Embedded, containerMovie+" dref", "DataReference", fmt.Sprintf("(%d bytes in a self-contained '%s' entry)", len(e.Payload)-4, e.Type))
			}
			w.StartFull(e.Type, 0, 1)
			w.End()
		}
		w.End()
	}
	w.End()
	return r.Err()
}

// writeStbl writes a sample table box (14496-12 §8.5.1) with the tables
// a player reads.
func (f *movFile) writeStbl(w *bmff.Writer, mv *movMoov, stbl bmff.Box, t *movTrack) error {
	w.Start(boxStbl)
	r := bmff.NewReader(stbl.Payload, stbl.PayloadOffset(), false)
	for c := range r.All() {
		var err error
		spec, fixed := movTablesFixed[c.Type]
		switch {
		case c.Type == boxStsd:
			err = f.writeStsd(w, c, t)
		case fixed:
			err = f.writeCountedTable(w, c, spec.pre, spec.entry)
		case c.Type == boxStco || c.Type == boxCo64 || c.Type == boxSaio:
			err = f.writeOffsets(w, mv, c)
		case c.Type == boxStsz:
			// §8.7.3.2: sample_size, then a table only if it is 0.
			size := 4
			if len(c.Payload) >= 8 && c.Payload[4]|c.Payload[5]|c.Payload[6]|c.Payload[7] != 0 {
				size = 0
			}
			err = f.writeCountedTable(w, c, 4, size)
		case c.Type == boxStz2:
			err = f.writeStz2(w, c)
		case string(c.Type[:]) == "cslg":
			// §8.6.1.4: five 32-bit (version 0) or 64-bit fields.
			n := 24
			if len(c.Payload) > 0 && c.Payload[0] == 1 {
				n = 44
			}
			err = f.writeFixedBox(w, c, n)
		case string(c.Type[:]) == "sdtp":
			// §8.6.4: one byte of flags per sample, no count.
			w.CopyBox(c)
		case string(c.Type[:]) == "saiz":
			err = f.writeSaiz(w, c)
		case c.Type == boxSbgp:
			err = f.writeSbgp(w, c)
		case c.Type == boxSgpd:
			err = f.writeSgpd(w, c)
		default:
			f.dropBox(c, boxStbl)
		}
		if err != nil {
			return err
		}
	}
	w.End()
	return r.Err()
}

// writeStz2 writes a compact sample size box (14496-12 §8.7.3.3): 24
// reserved bits, a field size of 4, 8 or 16 bits, a count and the sizes.
func (f *movFile) writeStz2(w *bmff.Writer, c bmff.Box) error {
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
	f.trailing(c, len(c.Payload)-cur.Left())
	return nil
}

// writeSaiz writes a sample auxiliary information sizes box (14496-12
// §8.7.8): an optional type and parameter, a default size, a count, and
// a byte per sample when the default is 0.
func (f *movFile) writeSaiz(w *bmff.Writer, c bmff.Box) error {
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
	f.trailing(c, len(c.Payload)-cur.Left())
	return nil
}

// writeSbgp writes a sample to group box (14496-12 §8.9.2) of a grouping
// type that playback uses; others go, with their descriptions.
func (f *movFile) writeSbgp(w *bmff.Writer, c bmff.Box) error {
	if len(c.Payload) < 8 {
		return bmff.ErrorAt(c.Offset, nil, "'sbgp' box truncated")
	}
	var typ bmff.FourCC
	copy(typ[:], c.Payload[4:8])
	if _, ok := movPlaybackGroups[typ]; !ok {
		f.m.add(Embedded, containerMovie+" sbgp", "SampleGroup", fmt.Sprintf("(grouping type '%s', %d bytes)", typ, len(c.Payload)))
		return nil
	}
	pre := 4 // grouping_type
	if c.Payload[0] == 1 {
		pre = 8 // and grouping_type_parameter
	}
	return f.writeCountedTable(w, c, pre, 8)
}

// writeSgpd writes a sample group description box (14496-12 §8.9.3) of
// a grouping type that playback uses, each entry checked to have its
// type's size; others go.
func (f *movFile) writeSgpd(w *bmff.Writer, c bmff.Box) error {
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
	size, ok := movPlaybackGroups[typ]
	if !ok || version > 2 {
		f.m.add(Embedded, containerMovie+" sgpd", "SampleGroupDescription", fmt.Sprintf("(grouping type '%s', %d bytes)", typ, len(c.Payload)))
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
				return bmff.ErrorAt(c.Offset, ErrUnsupportedFeature, "'sgpd' entry of %d bytes for grouping type '%s'", l, typ)
			}
		} else if version == 1 && defLen != uint32(size) {
			return bmff.ErrorAt(c.Offset, ErrUnsupportedFeature, "'sgpd' entries of %d bytes for grouping type '%s'", defLen, typ)
		}
		w.Append(cur.Take(size))
	}
	if cur.Err() != nil {
		return cur.Err()
	}
	w.End()
	f.trailing(c, len(c.Payload)-cur.Left())
	return nil
}

// writeTapt writes QuickTime's track aperture mode dimensions: its clean,
// production and encoded apertures ('clef', 'prof', 'enof'), each a
// FullBox with a width and a height in 16.16 fixed point.
func (f *movFile) writeTapt(w *bmff.Writer, tapt bmff.Box) error {
	w.Start(boxTapt)
	r := bmff.NewReader(tapt.Payload, tapt.PayloadOffset(), false)
	for c := range r.All() {
		switch string(c.Type[:]) {
		case "clef", "prof", "enof":
			if err := f.writeFixedBox(w, c, 12); err != nil {
				return err
			}
		default:
			f.dropBox(c, boxTapt)
		}
	}
	w.End()
	return r.Err()
}
