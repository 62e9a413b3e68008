package exifscrub

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/mp4"
	"github.com/exifscrub/exifscrub/internal/text"
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
// Only the tables name what is kept (movAtoms, movKeyCategories,
// quickTimeKeys: a key they do not list, such as "author_gps", is not
// kept, whatever its name says), and every value is checked by its kind
// and written anew (mov_keep_value.go): a date is an ISO 8601 date, a
// position an ISO 6709 one, rewritten from its numbers; text is printable;
// a language code is one; a 'data' atom's locale is written as 0 (the
// default). A value that is not of its kind is reported as removed.
//
// With CoarseLocation, a kept ISO 6709 position ('©xyz',
// com.apple.quicktime.location.ISO6709) is rounded to the grid and loses
// its altitude, and the number 'data' atoms beside it go; 'loci' keeps
// the rounded position with no name, altitude, astronomical body or notes;
// other location keys (accuracy, name, body, note, role) go.

// keepUserDataAtom returns a child of 'udta' rebuilt if the policy keeps
// it, or reports it and returns nil.
func (f *movFile) keepUserDataAtom(c bmff.Box) []byte {
	switch c.Type {
	case bmff.BoxMeta:
		var w bmff.Writer
		f.keepMeta(&w, c, false)
		return w.Bytes()
	case boxXMP:
		if p := keepXMP(f.rep, "XMP", trimNUL(c.Payload), f.opts); p != nil {
			var w bmff.Writer
			w.Start(boxXMP)
			w.Append(p)
			w.End()
			return w.Bytes()
		}
		return nil
	case bmff.BoxUUID:
		var w bmff.Writer
		f.keepUUID(&w, c)
		return w.Bytes()
	case mp4.BoxLoci:
		if f.opts.keeps(Location) {
			if b := f.keepLoci(c); b != nil {
				return b
			}
		}
	}
	name := atomName(c.Type)
	info, known := movAtoms[name]
	if !known || !f.opts.keeps(info.cat) || c.Type == mp4.BoxLoci {
		f.m.reportUserDataAtom(c)
		return nil
	}
	var w bmff.Writer
	w.Start(c.Type)
	var values []string
	kind := movKeyKind(info.name, info.cat)
	// keepText returns a text of the atom as it is kept, or reports it.
	keepText := func(v string) (string, bool) {
		if kind == movPosition {
			return f.keepPosition(containerUserData, info.name, v)
		}
		out, ok := movTextValue(kind, v)
		if !ok {
			f.m.add(info.cat, containerUserData, info.name, v)
		}
		return out, ok
	}
	if c.Type[0] == 0xa9 {
		// Text entries: a 16-bit size, a 16-bit language, the text.
		cur := bmff.NewCursor(c)
		for cur.Left() >= 4 && cur.Err() == nil {
			n := int(cur.U16())
			lang := cur.U16()
			s, ok := plainText(cur.Take(n))
			if cur.Err() != nil || !ok {
				break
			}
			v, ok := keepText(string(s))
			if !ok || !validQuickTimeLanguage(lang) {
				continue
			}
			w.U16(uint16(len(v)))
			w.U16(lang)
			w.Append([]byte(v))
			values = append(values, v)
		}
	} else if threeGPPStrings[c.Type] {
		// TS 26.244 §8: a FullBox, a pad bit and language, a string.
		cur := bmff.NewCursor(c)
		cur.FullBox()
		lang := cur.U16() & 0x7fff
		if s := cString(cur.Take(cur.Left())); cur.Err() == nil && isText([]byte(s)) && validPackedLanguage(lang) {
			if v, ok := keepText(s); ok {
				w.U32(0)
				w.U16(lang)
				w.Append(append([]byte(v), 0))
				values = append(values, v)
			}
		}
	} else if s, ok := plainText(c.Payload); ok {
		// A vendor atom of text ('SDLN' "SEQ_PLAY"), kept as its text.
		if v, ok := keepText(string(s)); ok {
			w.Append([]byte(v))
			values = append(values, v)
		}
	}
	if len(values) == 0 {
		f.m.reportUserDataAtom(c)
		return nil
	}
	w.End()
	for _, v := range values {
		if info.cat == Location {
			v = position(v)
		}
		f.rep.keep(info.cat, containerUserData, info.name, v)
	}
	return w.Bytes()
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
var threeGPPStrings = map[bmff.FourCC]bool{
	{'t', 'i', 't', 'l'}: true, {'d', 's', 'c', 'p'}: true, {'c', 'p', 'r', 't'}: true,
	{'p', 'e', 'r', 'f'}: true, {'a', 'u', 't', 'h'}: true, {'g', 'n', 'r', 'e'}: true,
	{'a', 'l', 'b', 'm'}: true,
}

// keepPosition returns an ISO 6709 position as the policy keeps it,
// written anew from its numbers (formatISO6709): in decimal degrees to
// the millionth with its altitude, or rounded to the CoarseLocation grid
// without altitude, in which case the precise position is reported as
// removed. A text that is not an ISO 6709 position (iso6709) is not
// kept, and is reported as removed.
func (f *movFile) keepPosition(container, tag, s string) (string, bool) {
	lat, lon, alt, hasAlt, ok := iso6709(s)
	if !ok {
		f.m.add(Location, container, tag, s)
		return "", false
	}
	grid := f.opts.CoarseLocation
	if grid == 0 {
		return formatISO6709(lat, lon, 6, alt, hasAlt), true
	}
	out := formatISO6709(roundToGrid(lat, grid), roundToGrid(lon, grid), gridDecimals(grid), 0, false)
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

// keepLoci rebuilds a 3GPP location box (TS 26.244, "Location
// Information box", 'loci') from its fields: a FullBox; a pad bit and a
// packed ISO 639-2/T language; the place name; the role (0 shooting
// location, 1 real location, 2 fictional location; other values are
// reserved); longitude, latitude and altitude as 16.16 fixed-point
// numbers; the astronomical body; additional notes. It returns nil if the
// box does not parse, its language or role is not one, or its texts are
// not printable. With CoarseLocation the position is rounded, and the
// name, altitude, body and notes go. Kept lists the fields as written.
func (f *movFile) keepLoci(bx bmff.Box) []byte {
	l, err := mp4.ParseLoci(bx)
	if err != nil || !validPackedLanguage(l.Lang) || l.Role > 2 {
		return nil
	}
	for _, t := range lociTexts(l) {
		if t[1] != "" && !text.NoControls(t[1]) {
			return nil
		}
	}
	if grid := f.opts.CoarseLocation; grid > 0 {
		rlat, rlon := fixed16(roundToGrid(float64(l.Lat)/65536, grid)), fixed16(roundToGrid(float64(l.Lon)/65536, grid))
		if rlat != l.Lat || rlon != l.Lon || l.Alt != 0 {
			f.m.add(Location, containerUserData, "LocationInformation", lociPosition(l))
		}
		for _, v := range lociTexts(l) {
			if v[1] != "" {
				f.m.add(Location, containerUserData, v[0], v[1])
			}
		}
		l = mp4.Loci{Lang: l.Lang, Role: l.Role, Lat: rlat, Lon: rlon}
	}
	var w bmff.Writer
	mp4.WriteLoci(&w, l)
	f.rep.keep(Location, containerUserData, "LocationInformation", lociPosition(l))
	for _, v := range lociTexts(l) {
		if v[1] != "" {
			f.rep.keep(Location, containerUserData, v[0], v[1])
		}
	}
	return w.Bytes()
}

// fixed16 is v as a 16.16 fixed-point number, as 'loci' stores it.
func fixed16(v float64) int32 { return int32(math.Round(v * 65536)) }

// keepUUID writes an XMP 'uuid' box with the properties the policy keeps,
// and reports any other 'uuid' box.
func (f *movFile) keepUUID(w *bmff.Writer, bx bmff.Box) {
	if bx.UserType != uuidXMP {
		f.m.reportUUID(bx)
		return
	}
	p := keepXMP(f.rep, "XMP", trimNUL(bx.Payload), f.opts)
	if p == nil {
		return
	}
	w.Header(bmff.BoxUUID, &bx.UserType, uint64(len(p)))
	w.Append(p)
}

// keepMeta writes a 'meta' box (QTFF "Metadata Atoms") with the items the
// policy keeps, rebuilt, and reports the rest. The box keeps its form: a
// FullBox in ISO files, a plain box in QuickTime ones. The 'mdta' box of
// the 'moov' (inMoov) of a Live Photo's video also gets the new content
// identifier (writeLiveMeta).
func (f *movFile) keepMeta(w *bmff.Writer, bx bmff.Box, inMoov bool) {
	p, base := bx.Payload, bx.PayloadOffset()
	full := len(p) >= 8 && string(p[4:8]) != "hdlr"
	if full {
		p, base = p[4:], base+4
	}
	var keys []string
	var handler bmff.FourCC
	var ilst []bmff.Box
	r := bmff.NewReader(p, base, false)
	for c := range r.All() {
		switch c.Type {
		case bmff.BoxHdlr:
			handler, _ = bmff.HandlerType(bmff.NewCursor(c))
		case boxKeys:
			keys = mp4.ParseKeys(c)
		case boxIlst:
			ilst = append(ilst, c)
		default:
			// XMP in a 'meta' box is rare, and not kept: the rebuilt
			// box holds only items.
			f.m.reportMetaChild(c)
		}
	}
	if r.Err() != nil || len(ilst) == 0 {
		f.m.add(Other, containerMovie, "Metadata", fmt.Sprintf("('meta' box with handler '%s', %d bytes)", handler, len(bx.Payload)))
	}
	mdta := handler == bmff.FourCC{'m', 'd', 't', 'a'}
	live := f.liveID() != "" && !f.liveWritten && mdta && inMoov
	// The handler type is written again: only the two that say what the
	// items are (QTFF "Metadata Handler Atom"; iTunes' 'mdir'), so that
	// its four bytes carry nothing else.
	known := mdta || handler == bmff.FourCC{'m', 'd', 'i', 'r'}
	var newKeys []string
	keyIndex := make(map[string]uint32)
	var items bmff.Writer
	for _, l := range ilst {
		ir := bmff.NewReader(l.Payload, l.PayloadOffset(), false)
		for item := range ir.All() {
			key, cat, container := ilstItemKey(item, handler, keys)
			var data []byte
			if f.liveID() != "" && container == containerKeys && key == keyContentID {
				// The original identifier: never kept, a new one is
				// written (writeLiveMeta).
			} else if known {
				data = f.keepItemData(item, key, cat, container)
			}
			if data == nil {
				f.m.reportIlstItem(item, handler, keys)
				continue
			}
			typ := item.Type
			if mdta && container == containerKeys {
				i, seen := keyIndex[key]
				if !seen {
					newKeys = append(newKeys, key)
					i = uint32(len(newKeys))
					keyIndex[key] = i
				}
				binary.BigEndian.PutUint32(typ[:], i)
			}
			items.Start(typ)
			items.Append(data)
			items.End()
		}
	}
	if live {
		f.writeLiveMeta(w, full, newKeys, items.Bytes())
		return
	}
	if items.Len() == 0 {
		return
	}
	if full {
		w.StartFull(bmff.BoxMeta, 0, 0)
	} else {
		w.Start(bmff.BoxMeta)
	}
	w.WriteHdlr(0, handler, nil) // an empty name
	if mdta {
		mp4.WriteKeys(w, newKeys)
	}
	w.Start(boxIlst)
	w.Append(items.Bytes())
	w.End()
	w.End()
}

// keyContentID is the QuickTime key of a Live Photo's content identifier,
// the UUID its still repeats in its Apple MakerNote (tag 0x0011).
const keyContentID = "com.apple.quicktime.content.identifier"

// liveID returns the content identifier to write (Options.LiveIdentifier
// with KeepMotion), or "".
func (f *movFile) liveID() string {
	if !f.opts.KeepMotion {
		return ""
	}
	return f.opts.LiveIdentifier
}

// writeLiveMeta writes the 'meta' box (QTFF "Metadata Atoms", handler
// 'mdta') of a Live Photo's video: the new content identifier as its
// first key, a UTF-8 'data' atom with the default locale, then the kept
// keys and the items that use them (their indexes, from 1, move up by
// one). It is written once per movie, in the 'moov' box: a FullBox when
// full (ISO), else a plain box (QuickTime, as Apple writes it).
func (f *movFile) writeLiveMeta(w *bmff.Writer, full bool, keys []string, items []byte) {
	f.liveWritten = true
	id := f.liveID()
	if full {
		w.StartFull(bmff.BoxMeta, 0, 0)
	} else {
		w.Start(bmff.BoxMeta)
	}
	w.WriteHdlr(0, bmff.FourCC{'m', 'd', 't', 'a'}, nil)
	mp4.WriteKeys(w, append([]string{keyContentID}, keys...))
	w.Start(boxIlst)
	w.Start(bmff.FourCC{0, 0, 0, 1})
	w.Start(bmff.FourCC{'d', 'a', 't', 'a'})
	w.U32(1) // UTF-8 (QTFF "Well-Known Types")
	w.U32(0)
	w.Append([]byte(id))
	w.End()
	w.End()
	r := bmff.NewReader(items, 0, false)
	for item := range r.All() {
		typ := item.Type
		binary.BigEndian.PutUint32(typ[:], binary.BigEndian.Uint32(typ[:])+1)
		w.Start(typ)
		w.Append(item.Payload)
		w.End()
	}
	w.End()
	w.End()
}

// keepItemData returns the 'data' atoms of a metadata item the policy
// keeps, rebuilt (QTFF "Value Atom": a type indicator, a locale, the
// value), or nil. The item's key must be one a table lists (movTableKey
// for 'mdta' keys; movAtoms for item types, and not a '----' item, which
// names itself), and each value must be of the key's kind (movKeyKind):
// text for text, dates and positions, text or a number for numbers. An
// image (cover art) is Embedded whatever its item says. A 'data' atom
// that is not kept is reported as removed.
func (f *movFile) keepItemData(item bmff.Box, key string, cat Category, container string) []byte {
	listed := false
	if container == containerKeys {
		_, listed = movTableKey(key)
	} else if _, ok := movAtoms[atomName(item.Type)]; ok && item.Type != (bmff.FourCC{'-', '-', '-', '-'}) {
		listed = true
	}
	if !listed || !f.opts.keeps(cat) || key == "" {
		return nil
	}
	kind := movKeyKind(key, cat)
	if cat == Location && f.opts.CoarseLocation > 0 && kind != movPosition {
		return nil // accuracy, name, body, notes: not the city-level position
	}
	var w bmff.Writer
	var values, removed []string
	r := bmff.NewReader(item.Payload, item.PayloadOffset(), false)
	for d := range r.All() {
		if string(d.Type[:]) != "data" || len(d.Payload) < 8 {
			continue
		}
		typ, v, ok := mp4.DataKept(binary.BigEndian.Uint32(d.Payload)&0xffffff, d.Payload[8:])
		text := typ == 1 || typ == 4
		switch {
		case !ok:
		case kind == movPosition && text:
			var s string
			s, ok = f.keepPosition(container, key, string(v))
			v = []byte(s)
		case text:
			var s string
			s, ok = movTextValue(kind, string(v))
			v = []byte(s)
		case kind == movNumber:
			v, ok = movNumberValue(typ, v)
		default:
			// A number beside an ISO 6709 text, a date or a text is not
			// its value: it goes (under a coarse grid, it would be the
			// precise position in another form).
			ok = false
		}
		if !ok {
			if s, _ := mp4.DataValue(d.Payload); kind != movPosition || !text {
				removed = append(removed, s) // keepPosition has reported a position
			}
			continue
		}
		w.Start(bmff.FourCC{'d', 'a', 't', 'a'})
		w.U32(typ)
		w.U32(0) // the default locale (QTFF "Value Atom"): nothing of the file's
		w.Append(v)
		w.End()
		s, _ := mp4.DataValue(w.Bytes()[w.Len()-len(v)-8:])
		if cat == Location {
			s = position(s)
		}
		values = append(values, s)
	}
	if r.Err() != nil || len(values) == 0 {
		return nil
	}
	for _, s := range removed {
		f.m.add(cat, container, key, s)
	}
	for _, s := range values {
		f.rep.keep(cat, container, key, s)
	}
	return w.Bytes()
}

// ilstItemKey names an item of an 'ilst' box and classifies it: with
// handler 'mdta' its type is the 1-based index of its key; otherwise it
// is the item's name, as in '©nam'; a '----' item names itself in its
// 'name' atom.
func ilstItemKey(item bmff.Box, handler bmff.FourCC, keys []string) (key string, cat Category, container string) {
	idx := binary.BigEndian.Uint32(item.Type[:])
	if handler == (bmff.FourCC{'m', 'd', 't', 'a'}) && idx >= 1 && uint64(idx) <= uint64(len(keys)) {
		key = keys[idx-1]
		return key, movKeyCategory(key), containerKeys
	}
	name := atomName(item.Type)
	if info, ok := movAtoms[name]; ok {
		key, cat = info.name, info.cat
	} else {
		key, cat = name, Other
	}
	if item.Type == (bmff.FourCC{'-', '-', '-', '-'}) {
		r := bmff.NewReader(item.Payload, item.PayloadOffset(), false)
		for d := range r.All() {
			if string(d.Type[:]) == "name" && len(d.Payload) > 4 {
				key = string(d.Payload[4:])
				cat = guessCategory(key)
			}
		}
	}
	return key, cat, containerItemList
}

// keepTop returns a top-level box rebuilt with what the policy keeps, and
// whether the policy handled (and reported) it: only an XMP 'uuid' box is
// kept at the top level. A nil box means nothing is kept.
func (f *movFile) keepTop(bx bmff.Box) ([]byte, bool) {
	if !f.opts.keepsAny() || bx.Type != bmff.BoxUUID || bx.UserType != uuidXMP {
		return nil, false
	}
	var w bmff.Writer
	f.keepUUID(&w, bx)
	return w.Bytes(), true
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
		return bmff.ErrorAt(h.start, ErrUnsupportedFeature, "kept %q box between media data does not fit its place", h.typ)
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
