package exifscrub

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf16"
)

// Keeping chosen metadata in a video (Options.Keep). By default every
// metadata box of a video goes (mov.go); with a policy, what the policy
// keeps is written anew from its parsed values, and nothing else of the
// box it was in comes along:
//   - 'mvhd', 'tkhd' and 'mdhd' times (Time) keep their values instead of
//     being set to 0.
//   - 'udta' text atoms (QTFF "User Data Text Strings": '©nam', '©day',
//     '©xyz'…) are rewritten as their text entries; 3GPP string boxes
//     (TS 26.244 §8: 'titl', 'dscp', 'cprt', 'perf', 'auth', 'gnre',
//     'albm') as their language and string; 'loci' as its fields. A
//     vendor atom of text ('SDLN') is kept as its text; one whose bytes
//     are not text ('FIRM', 'CAME'…) never is: like a MakerNote, nothing
//     says what is in them. Text ends at its first NUL.
//   - QuickTime metadata ('meta' with 'keys' and 'ilst', handler 'mdta')
//     and iTunes metadata (handler 'mdir') are rebuilt: a new handler with
//     an empty name, the kept keys only, and items renumbered, each with
//     its text and number 'data' atoms (images, such as cover art, go).
//   - XMP ('XMP_' in 'udta', the XMP 'uuid' in 'moov', 'trak' or at the
//     top level, where ExifTool writes it in MP4 files) goes through
//     keepXMP.
//
// With CoarseLocation, a kept ISO 6709 position ('©xyz',
// com.apple.quicktime.location.ISO6709) is rounded to the grid and loses
// its altitude; 'loci' keeps the rounded position with no name, altitude
// or notes; other location keys (accuracy, name, body) go.

// keepUserDataAtom returns a child of 'udta' rebuilt if the policy keeps
// it, or reports it and returns nil.
func (f *movFile) keepUserDataAtom(c box) []byte {
	switch c.typ {
	case boxMeta:
		var w boxWriter
		f.keepMeta(&w, c)
		return w.b
	case boxXMP:
		if p := keepXMP(f.rep, "XMP", trimNUL(c.payload), f.opts); p != nil {
			var w boxWriter
			w.start(boxXMP)
			w.bytes(p)
			w.end()
			return w.b
		}
		return nil
	case boxUUID:
		var w boxWriter
		f.keepUUID(&w, c)
		return w.b
	case boxLoci:
		if f.opts.keeps(Location) {
			if b := f.keepLoci(c); b != nil {
				return b
			}
		}
	}
	name := atomName(c.typ)
	info, known := movAtoms[name]
	if !known || !f.opts.keeps(info.cat) || c.typ == boxLoci {
		f.m.reportUserDataAtom(c)
		return nil
	}
	var w boxWriter
	w.start(c.typ)
	var values []string
	if c.typ[0] == 0xa9 {
		// Text entries: a 16-bit size, a 16-bit language, the text.
		cur := newCursor(c)
		for cur.left() >= 4 && cur.err == nil {
			n := int(cur.u16())
			lang := cur.u16()
			s, ok := plainText(cur.take(n))
			if cur.err != nil || !ok {
				break
			}
			v := string(s)
			if info.cat == Location {
				var ok bool
				if v, ok = f.keepPosition(containerUserData, info.name, v); !ok {
					continue
				}
			}
			w.u16(uint16(len(v)))
			w.u16(lang)
			w.bytes([]byte(v))
			values = append(values, v)
		}
	} else if threeGPPStrings[c.typ] {
		// TS 26.244 §8: a FullBox, a pad bit and language, a string.
		cur := newCursor(c)
		cur.fullBox()
		lang := cur.u16()
		if s := cString(cur.take(cur.left())); cur.err == nil && isText([]byte(s)) && s != "" {
			w.u32(0)
			w.u16(lang & 0x7fff)
			w.bytes(append([]byte(s), 0))
			values = append(values, s)
		}
	} else if s, ok := plainText(c.payload); ok {
		// A vendor atom of text ('SDLN' "SEQ_PLAY"), kept as its text.
		w.bytes(s)
		values = append(values, string(s))
	}
	if len(values) == 0 {
		f.m.reportUserDataAtom(c)
		return nil
	}
	w.end()
	for _, v := range values {
		if info.cat == Location {
			v = position(v)
		}
		f.rep.keep(info.cat, containerUserData, info.name, v)
	}
	return w.b
}

// plainText returns b up to its first NUL, and whether that is text
// (isText): what follows a NUL is never kept.
func plainText(b []byte) ([]byte, bool) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return b, isText(b)
}

// threeGPPStrings are the 3GPP user data boxes that hold one string (TS
// 26.244 §8.2 to §8.8 and §8.10).
var threeGPPStrings = map[fourCC]bool{
	{'t', 'i', 't', 'l'}: true, {'d', 's', 'c', 'p'}: true, {'c', 'p', 'r', 't'}: true,
	{'p', 'e', 'r', 'f'}: true, {'a', 'u', 't', 'h'}: true, {'g', 'n', 'r', 'e'}: true,
	{'a', 'l', 'b', 'm'}: true,
}

// keepPosition returns an ISO 6709 position as the policy keeps it: as it
// is, or rounded to the CoarseLocation grid without altitude, in which
// case the precise position is reported as removed. A position that does
// not parse is kept only without CoarseLocation.
func (f *movFile) keepPosition(container, tag, s string) (string, bool) {
	grid := f.opts.CoarseLocation
	if grid == 0 {
		return s, true
	}
	lat, lon, _, _, ok := iso6709(s)
	if !ok {
		f.m.add(Location, container, tag, s)
		return "", false
	}
	d := gridDecimals(grid)
	lat, lon = roundToGrid(lat, grid), roundToGrid(lon, grid)
	width := 3
	if d > 0 {
		width += 1 + d
	}
	out := fmt.Sprintf("%+0*.*f%+0*.*f/", width, d, lat, width+1, d, lon)
	if out != s {
		f.m.add(Location, container, tag, position(s))
	}
	return out, true
}

// gridDecimals is the number of decimals that write multiples of grid
// exactly (up to 9).
func gridDecimals(grid float64) int {
	for d := 0; d < 9; d++ {
		x := grid * math.Pow10(d)
		if math.Abs(x-math.Round(x)) < 1e-9 {
			return d
		}
	}
	return 9
}

// keepLoci rebuilds a 3GPP location box (TS 26.244 §8.15) from its
// fields, or returns nil if it does not parse. With CoarseLocation the
// position is rounded, and the name, altitude and notes go.
func (f *movFile) keepLoci(bx box) []byte {
	c := newCursor(bx)
	c.fullBox()
	lang := c.u16()
	name := c.str()
	role := c.u8()
	lon := float64(int32(c.u32())) / 65536
	lat := float64(int32(c.u32())) / 65536
	alt := float64(int32(c.u32())) / 65536
	body, notes := c.str(), c.str()
	if c.err != nil || !isText([]byte(name+body+notes)) && name+body+notes != "" {
		return nil
	}
	if grid := f.opts.CoarseLocation; grid > 0 {
		rlat, rlon := roundToGrid(lat, grid), roundToGrid(lon, grid)
		if fixed16(rlat) != fixed16(lat) || fixed16(rlon) != fixed16(lon) || alt != 0 {
			f.m.add(Location, containerUserData, "LocationInformation", formatPosition(lat, lon, alt, true))
		}
		for _, v := range []struct{ tag, val string }{{"LocationName", name}, {"LocationNote", notes}} {
			if v.val != "" {
				f.m.add(Location, containerUserData, v.tag, v.val)
			}
		}
		lat, lon = rlat, rlon
		name, alt, notes = "", 0, ""
	}
	var w boxWriter
	w.startFull(boxLoci, 0, 0)
	w.u16(lang & 0x7fff)
	w.bytes(append([]byte(name), 0))
	w.u8(role)
	for _, v := range []float64{lon, lat, alt} {
		w.u32(uint32(fixed16(v)))
	}
	w.bytes(append([]byte(body), 0))
	w.bytes(append([]byte(notes), 0))
	w.end()
	f.rep.keep(Location, containerUserData, "LocationInformation", formatPosition(lat, lon, alt, f.opts.CoarseLocation == 0))
	for _, v := range []struct{ tag, val string }{{"LocationName", name}, {"LocationBody", body}, {"LocationNote", notes}} {
		if v.val != "" {
			f.rep.keep(Location, containerUserData, v.tag, v.val)
		}
	}
	return w.b
}

// fixed16 is v as a 16.16 fixed-point number, as 'loci' stores it.
func fixed16(v float64) int32 { return int32(math.Round(v * 65536)) }

// keepUUID writes an XMP 'uuid' box with the properties the policy keeps,
// and reports any other 'uuid' box.
func (f *movFile) keepUUID(w *boxWriter, bx box) {
	if bx.usertype != uuidXMP {
		f.m.reportUUID(bx)
		return
	}
	p := keepXMP(f.rep, "XMP", trimNUL(bx.payload), f.opts)
	if p == nil {
		return
	}
	w.header(boxUUID, &bx.usertype, uint64(len(p)))
	w.bytes(p)
}

// keepMeta writes a 'meta' box (QTFF "Metadata Atoms") with the items the
// policy keeps, rebuilt, and reports the rest. The box keeps its form: a
// FullBox in ISO files, a plain box in QuickTime ones.
func (f *movFile) keepMeta(w *boxWriter, bx box) {
	p, base := bx.payload, bx.payloadOff()
	full := len(p) >= 8 && string(p[4:8]) != "hdlr"
	if full {
		p, base = p[4:], base+4
	}
	var keys []string
	var handler fourCC
	var ilst []box
	r := newBoxReader(p, base, false)
	for c := range r.all() {
		switch c.typ {
		case boxHdlr:
			handler, _ = handlerType(newCursor(c))
		case boxKeys:
			keys = parseKeys(c)
		case boxIlst:
			ilst = append(ilst, c)
		default:
			// XMP in a 'meta' box is rare, and not kept: the rebuilt
			// box holds only items.
			f.m.reportMetaChild(c)
		}
	}
	if r.err != nil || len(ilst) == 0 {
		f.m.add(Other, containerMovie, "Metadata", fmt.Sprintf("('meta' box with handler '%s', %d bytes)", handler, len(bx.payload)))
	}
	mdta := handler == fourCC{'m', 'd', 't', 'a'}
	var newKeys []string
	keyIndex := make(map[string]uint32)
	var items boxWriter
	for _, l := range ilst {
		ir := newBoxReader(l.payload, l.payloadOff(), false)
		for item := range ir.all() {
			key, cat, container := ilstItemKey(item, handler, keys)
			data := f.keepItemData(item, key, cat, container)
			if data == nil {
				f.m.reportIlstItem(item, handler, keys)
				continue
			}
			typ := item.typ
			if mdta && container == containerKeys {
				i, seen := keyIndex[key]
				if !seen {
					newKeys = append(newKeys, key)
					i = uint32(len(newKeys))
					keyIndex[key] = i
				}
				binary.BigEndian.PutUint32(typ[:], i)
			}
			items.start(typ)
			items.bytes(data)
			items.end()
		}
	}
	if len(items.b) == 0 {
		return
	}
	if full {
		w.startFull(boxMeta, 0, 0)
	} else {
		w.start(boxMeta)
	}
	w.startFull(boxHdlr, 0, 0)
	w.u32(0)
	w.bytes(handler[:])
	w.bytes(make([]byte, 12))
	w.u8(0) // an empty name
	w.end()
	if mdta {
		w.startFull(boxKeys, 0, 0)
		w.u32(uint32(len(newKeys)))
		for _, k := range newKeys {
			w.u32(uint32(8 + len(k)))
			w.bytes([]byte("mdta"))
			w.bytes([]byte(k))
		}
		w.end()
	}
	w.start(boxIlst)
	w.bytes(items.b)
	w.end()
	w.end()
}

// keepItemData returns the 'data' atoms of a metadata item the policy
// keeps, rebuilt (QTFF "Value Atom": a type indicator, a locale, the
// value), or nil. Only text and number values are kept: an image (cover
// art) is Embedded whatever its item says.
func (f *movFile) keepItemData(item box, key string, cat Category, container string) []byte {
	if !f.opts.keeps(cat) || key == "" {
		return nil
	}
	if cat == Location && f.opts.CoarseLocation > 0 && key != "com.apple.quicktime.location.ISO6709" && key != "©xyz" && key != "GPSCoordinates" {
		return nil // accuracy, name, body, notes: not the city-level position
	}
	var w boxWriter
	var values []string
	r := newBoxReader(item.payload, item.payloadOff(), false)
	for d := range r.all() {
		if string(d.typ[:]) != "data" || len(d.payload) < 8 {
			continue
		}
		typ, v, ok := movDataKept(binary.BigEndian.Uint32(d.payload)&0xffffff, d.payload[8:])
		if !ok {
			continue
		}
		if cat == Location && (typ == 1 || typ == 4) {
			s, ok := f.keepPosition(container, key, string(v))
			if !ok {
				continue
			}
			v = []byte(s)
		}
		w.start(fourCC{'d', 'a', 't', 'a'})
		w.u32(typ)
		w.bytes(d.payload[4:8]) // locale
		w.bytes(v)
		w.end()
		s, _ := dataValue(w.b[len(w.b)-len(v)-8:])
		if cat == Location {
			s = position(s)
		}
		values = append(values, s)
	}
	if r.err != nil || len(values) == 0 {
		return nil
	}
	for _, s := range values {
		f.rep.keep(cat, container, key, s)
	}
	return w.b
}

// movDataKept returns a 'data' value of a kept item as it stays, with its
// type, and whether it stays: text (QTFF "Well-Known Types" 1 and 4 as
// UTF-8, 2 and 5 as UTF-16, rewritten as UTF-8) up to any NUL, if it is
// printable, or a number of a defined size.
func movDataKept(typ uint32, v []byte) (uint32, []byte, bool) {
	switch typ {
	case 1, 4:
		v, ok := plainText(v)
		return typ, v, ok
	case 2, 5:
		u := make([]uint16, len(v)/2)
		for i := range u {
			u[i] = binary.BigEndian.Uint16(v[2*i:])
		}
		s, ok := plainText([]byte(string(utf16.Decode(u))))
		return typ - 1, s, ok
	case 21, 22, 65, 66, 67, 74, 75, 76, 77, 78:
		return typ, v, len(v) >= 1 && len(v) <= 8
	case 23:
		return typ, v, len(v) == 4
	case 24:
		return typ, v, len(v) == 8
	}
	return typ, nil, false
}

// ilstItemKey names an item of an 'ilst' box and classifies it: with
// handler 'mdta' its type is the 1-based index of its key; otherwise it
// is the item's name, as in '©nam'; a '----' item names itself in its
// 'name' atom.
func ilstItemKey(item box, handler fourCC, keys []string) (key string, cat Category, container string) {
	idx := binary.BigEndian.Uint32(item.typ[:])
	if handler == (fourCC{'m', 'd', 't', 'a'}) && idx >= 1 && uint64(idx) <= uint64(len(keys)) {
		key = keys[idx-1]
		return key, movKeyCategory(key), containerKeys
	}
	name := atomName(item.typ)
	if info, ok := movAtoms[name]; ok {
		key, cat = info.name, info.cat
	} else {
		key, cat = name, Other
	}
	if item.typ == (fourCC{'-', '-', '-', '-'}) {
		r := newBoxReader(item.payload, item.payloadOff(), false)
		for d := range r.all() {
			if string(d.typ[:]) == "name" && len(d.payload) > 4 {
				key = string(d.payload[4:])
				cat = guessCategory(key)
			}
		}
	}
	return key, cat, containerItemList
}

// keepTop returns a top-level box rebuilt with what the policy keeps, and
// whether the policy handled (and reported) it: only an XMP 'uuid' box is
// kept at the top level. A nil box means nothing is kept.
func (f *movFile) keepTop(bx box) ([]byte, bool) {
	if !f.opts.keepsAny() || bx.typ != boxUUID || bx.usertype != uuidXMP {
		return nil, false
	}
	var w boxWriter
	f.keepUUID(&w, bx)
	return w.b, true
}

// keepInPlace writes a kept top-level box b that replaces the box h. Where
// a size change moves nothing (before the 'moov' is written, or after the
// last byte a kept offset points to), b is written as it is; between
// media data, it must keep the place: b and a 'free' box fill h's size.
func (f *movFile) keepInPlace(h *movHeader, b []byte) error {
	if !f.emitted || f.moov.maxRef < h.start {
		return f.keep(h, b)
	}
	rest := h.size - int64(len(b))
	if h.size < 0 || rest < 0 || rest > 0 && rest < 8 || rest > math.MaxUint32 {
		return errorAt(h.start, ErrUnsupportedFeature, "kept %q box between media data does not fit its place", h.typ)
	}
	if err := f.put(b); err != nil {
		return err
	}
	if rest == 0 {
		return nil
	}
	if err := f.put(append(binary.BigEndian.AppendUint32(nil, uint32(rest)), "free"...)); err != nil {
		return err
	}
	return f.putZeros(rest - 8)
}
