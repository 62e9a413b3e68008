package exifscrub

import (
	"bytes"
	"fmt"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// Sample descriptions (14496-12 §8.5.2): each sample entry is written
// anew, its fields copied through their spec length with the vendor and
// the compressor name blank, and only the codec configuration boxes that
// decoders read, each rebuilt from its fields (the HEIF path's
// rebuildProperty for 'avcC', 'hvcC', 'vvcC', 'av1C', 'pasp', 'clap',
// 'clli', 'mdcv': user-data and info SEI and metadata OBUs go) or copied
// through its spec length. A text track's entries, kept with Keep Text,
// are copied as they are: what they hold is text the policy keeps.

// visualEntryFields is the size of the fields of a visual sample entry
// before its boxes (14496-12 §12.1.3.2; QTFF "Video sample description"):
// the sample entry's reserved bytes and data reference index, then
// version, revision, vendor, qualities, sizes, resolutions, data size,
// frame count, compressor name, depth and colour table.
const visualEntryFields = 8 + 70

// audioEntryFields is the size of the fields of a sound sample entry
// (14496-12 §12.2.3.2; QTFF "Sound Sample Description"), by its QuickTime
// version: 28 bytes, 16 more in version 1, 36 more in version 2.
var audioEntryFields = [3]int{28, 28 + 16, 28 + 36}

// handlerVide is the handler type of a video track (14496-12 §8.4.3).
var handlerVide = bmff.FourCC{'v', 'i', 'd', 'e'}

// handlerSoun is the handler type of an audio track (14496-12 §8.4.3).
var handlerSoun = bmff.FourCC{'s', 'o', 'u', 'n'}

// movEntryFixed are the sample entry boxes made of fixed-size fields,
// with the size of their payload.
var movEntryFixed = map[bmff.FourCC]int{
	{'b', 't', 'r', 't'}: 12, // 14496-12 §8.5.2.2: buffer size, max and average bit rates
	{'f', 'i', 'e', 'l'}: 2,  // QTFF "Field handling": fields, detail
	{'g', 'a', 'm', 'a'}: 4,  // QTFF "Gamma level": 16.16 gamma
	{'d', 'v', 'c', 'C'}: 24, // Dolby Vision ISOBMFF §3.2: configuration record
	{'d', 'v', 'v', 'C'}: 24,
	{'d', 'v', 'w', 'C'}: 24,
	{'d', 'a', 'c', '3'}: 3,      // ETSI TS 102 366 F.4: AC-3 specific box
	{'e', 'n', 'd', 'a'}: 2,      // QTFF: endianness
	{'f', 'r', 'm', 'a'}: 4,      // QTFF 'wave': original format
	{'m', 'p', '4', 'a'}: 4,      // QTFF 'wave': an empty 'mp4a' atom of 4 bytes
	{'S', 'm', 'D', 'm'}: 4 + 24, // VP Codec ISOBMFF (older): mastering display, a FullBox
	{'C', 'o', 'L', 'L'}: 4 + 4,  // VP Codec ISOBMFF (older): content light level, a FullBox
	{'c', 'c', 's', 't'}: 4 + 4,  // 14496-15 Annex D: coding constraints, a FullBox
	{'a', 'l', 'a', 'c'}: 4 + 24, // Apple Lossless: ALACSpecificConfig after version and flags
}

// movEntryRebuilt are the boxes rebuildProperty writes (heic_props.go).
var movEntryRebuilt = map[bmff.FourCC]bool{
	propAvcC: true, propHvcC: true, propVvcC: true, propLhvC: true,
	{'a', 'v', '1', 'C'}: true, {'p', 'a', 's', 'p'}: true, {'c', 'l', 'a', 'p'}: true,
	{'c', 'l', 'l', 'i'}: true, {'m', 'd', 'c', 'v'}: true, {'a', 'm', 'v', 'e'}: true,
}

// writeStsd writes the sample description box of a kept track.
func (f *movFile) writeStsd(w *bmff.Writer, stsd bmff.Box, t *movTrack) error {
	cur := bmff.NewCursor(stsd)
	version, flags := cur.FullBox()
	n := cur.U32()
	if cur.Err() != nil {
		return cur.Err()
	}
	w.StartFull(boxStsd, version, flags)
	w.U32(n)
	r := bmff.NewReader(cur.Rest(), cur.Offset(), false)
	for i := uint32(0); i < n; i++ {
		e, ok := r.Next()
		if !ok {
			if r.Err() != nil {
				return r.Err()
			}
			return bmff.ErrorAt(stsd.Offset, nil, "'stsd' box lists %d entries and holds %d", n, i)
		}
		if err := f.writeEntry(w, e, t); err != nil {
			return err
		}
	}
	w.End()
	if rest := cur.Rest()[len(cur.Rest())-len(r.Rest()):]; len(bytes.Trim(rest, "\x00")) > 0 {
		f.m.add(Embedded, containerMovie, "TrailingBytes", fmt.Sprintf("(%d bytes after the entries of 'stsd')", len(rest)))
	}
	return nil
}

// writeEntry writes one sample entry.
func (f *movFile) writeEntry(w *bmff.Writer, e bmff.Box, t *movTrack) error {
	if t.text != "" {
		w.CopyBox(e) // kept with Keep Text: see above
		return nil
	}
	fields := 8 // 14496-12 §8.5.2.2: reserved bytes, data_reference_index
	switch t.handler {
	case handlerVide:
		fields = visualEntryFields
	case handlerSoun:
		if len(e.Payload) >= 10 && e.Payload[8] == 0 && e.Payload[9] <= 2 {
			fields = audioEntryFields[e.Payload[9]]
		} else {
			return bmff.ErrorAt(e.Offset, ErrUnsupportedFeature, "sound sample entry %q of an unknown version", e.Type)
		}
	}
	if len(e.Payload) < fields || e.Type == bmff.BoxUUID {
		return bmff.ErrorAt(e.Offset, ErrUnsupportedFeature, "sample entry %q of %d bytes", e.Type, len(e.Payload))
	}
	head := append([]byte(nil), e.Payload[:fields]...)
	clear(head[:6]) // reserved
	switch t.handler {
	case handlerVide:
		clear(head[12:16]) // vendor
		// The compressor name, a Pascal string in 32 bytes: the
		// encoder's or the camera's name. Kept only with Device.
		name := head[42:74]
		s := ""
		if n := int(name[0]); n < len(name) {
			s = string(bytes.Trim(name[1:1+n], "\x00 "))
		}
		switch {
		case s != "" && f.opts.keeps(Device) && isText([]byte(s)):
			f.rep.keep(Device, containerMovie+" stsd", "CompressorName", s)
			clear(name[1+len(s):])
			name[0] = byte(len(s))
			copy(name[1:], s)
		case s != "":
			f.m.add(Device, containerMovie+" stsd", "CompressorName", s)
			clear(name)
		default:
			clear(name)
		}
	case handlerSoun:
		clear(head[12:16]) // vendor
	}
	w.Start(e.Type)
	w.Append(head)
	if err := f.writeEntryBoxes(w, e, e.Payload[fields:], e.PayloadOffset()+int64(fields), 0); err != nil {
		return err
	}
	w.End()
	return nil
}

// writeEntryBoxes writes the boxes of a sample entry (or of its QuickTime
// 'wave' extension, at depth 1) that decoders read.
func (f *movFile) writeEntryBoxes(w *bmff.Writer, e bmff.Box, p []byte, base int64, depth int) error {
	r := bmff.NewReader(p, base, false)
	for c := range r.All() {
		if err := f.writeEntryBox(w, e, c, depth); err != nil {
			return err
		}
	}
	if r.Err() != nil {
		// QuickTime ends some lists with 4 zero bytes; anything else
		// that is not boxes is not kept.
		rest := p[len(p)-len(r.Rest()):]
		if len(bytes.Trim(rest, "\x00")) > 0 {
			f.m.add(Embedded, containerMovie+" stsd", "TrailingBytes", fmt.Sprintf("(%d bytes after the boxes of '%s' at offset %d)", len(rest), e.Type, base+int64(len(p)-len(rest))))
		}
	}
	return nil
}

// writeEntryBox writes one box of a sample entry, or drops and reports it.
func (f *movFile) writeEntryBox(w *bmff.Writer, e, c bmff.Box, depth int) error {
	if n, ok := movEntryFixed[c.Type]; ok {
		return f.writeFixedBox(w, c, n)
	}
	switch {
	case movEntryRebuilt[c.Type]:
		h := &heifFile{scrubber: f.scrubber, container: containerMovie}
		b, err := h.rebuildProperty(c, false)
		if err != nil {
			return err
		}
		w.Append(b)
		return nil
	case c.Type == propColr:
		return f.writeEntryColr(w, c)
	case c.Type == boxEsds:
		return f.writeEsds(w, c)
	case c.Type == boxWave && depth == 0:
		w.Start(boxWave)
		if err := f.writeEntryBoxes(w, e, c.Payload, c.PayloadOffset(), depth+1); err != nil {
			return err
		}
		w.End()
		return nil
	case c.Type == bmff.FourCC{} && len(c.Payload) == 0:
		w.Start(c.Type) // QTFF: the terminator atom of a 'wave' list
		w.End()
		return nil
	}
	var n int
	p := c.Payload
	switch string(c.Type[:]) {
	case "chan":
		// QTFF "Audio Channel Layout Atom": a FullBox, a layout tag, a
		// bitmap, a count of 20-byte channel descriptions.
		return f.writeCountedTable(w, c, 8, 20)
	case "dOps":
		// Opus in ISOBMFF §4.3.2: 11 bytes, and a channel mapping
		// table when ChannelMappingFamily is not 0.
		n = 11
		if len(p) >= 11 && p[10] != 0 {
			n += 2 + int(p[1])
		}
	case "dec3":
		// ETSI TS 102 366 F.6: data rate and number of independent
		// substreams, then 3 bytes each, and one more when it has
		// dependent substreams.
		if len(p) >= 2 {
			n = 2
			for i := 0; i <= int(p[1]&7) && n+3 <= len(p); i++ {
				if p[n+2]>>1&15 != 0 {
					n++
				}
				n += 3
			}
		}
	case "vpcC":
		// VP Codec ISOBMFF §2.2 (version 1): 8 bytes of fields, then
		// codecInitializationData, which VP8 and VP9 do not use: written
		// empty.
		if len(p) < 12 || p[0] != 1 {
			f.dropBox(c, e.Type)
			return nil
		}
		w.Start(c.Type)
		w.Append(p[:10])
		w.U16(0)
		w.End()
		f.trailing(c, 12)
		return nil
	case "dfLa":
		return f.writeDfLa(w, c)
	case "damr", "d263", "devc", "dqcp", "dsmv":
		// 3GPP TS 26.244 §6.7 to §6.10: the codec specific boxes of
		// AMR, H.263, EVRC, QCELP and SMV, a vendor then numbers; the
		// vendor (the encoder's maker) is written as zeros.
		n = map[string]int{"damr": 9, "d263": 7, "devc": 6, "dqcp": 6, "dsmv": 6}[string(c.Type[:])]
		if len(p) < n {
			return bmff.ErrorAt(c.Offset, nil, "%q box of %d bytes", c.Type, len(p))
		}
		w.Start(c.Type)
		w.Append(make([]byte, 4))
		w.Append(p[4:n])
		w.End()
		f.trailing(c, n)
		return nil
	default:
		f.dropBox(c, e.Type)
		return nil
	}
	return f.writeFixedBox(w, c, n)
}

// writeEntryColr writes a sample entry's colour box with writeColr: code
// points, or an ICC profile sanitised (or dropped with
// DropColorProfile).
func (f *movFile) writeEntryColr(w *bmff.Writer, c bmff.Box) error {
	if isICC(c) && f.opts.DropColorProfile {
		f.rep.add(Other, "ICC_Profile", "ICC_Profile", fmt.Sprintf("(%d bytes)", len(c.Payload)))
		return nil
	}
	var cw bmff.Writer
	cw.Start(propColr)
	cur := bmff.NewCursor(c)
	keep, err := writeColr(f.rep, "QuickTime colr", &cw, cur)
	if err != nil {
		return bmff.ErrorAt(c.Offset, ErrUnsupportedFeature, "'colr' ICC profile: %v", err)
	}
	if cur.Err() != nil {
		return cur.Err()
	}
	if keep {
		cw.End()
		w.Append(cw.Bytes())
		f.trailing(c, len(c.Payload)-cur.Left())
	}
	return nil
}

// writeDfLa writes a FLAC specific box (FLAC in ISOBMFF §3.3.2) with its
// STREAMINFO metadata block only: the others (VORBIS_COMMENT tags,
// PICTURE, APPLICATION) are metadata, not decoding parameters.
func (f *movFile) writeDfLa(w *bmff.Writer, c bmff.Box) error {
	cur := bmff.NewCursor(c)
	cur.FullBox()
	hdr := cur.U32()
	info := cur.Take(int(hdr & 0xffffff))
	if cur.Err() != nil {
		return cur.Err()
	}
	if hdr>>24&0x7f != 0 || len(info) != 34 {
		return bmff.ErrorAt(c.Offset, nil, "'dfLa' box without a STREAMINFO block first")
	}
	if cur.Left() > 0 {
		f.m.add(Embedded, containerMovie+" dfLa", "MetadataBlocks", fmt.Sprintf("(%d bytes after STREAMINFO)", cur.Left()))
	}
	w.StartFull(c.Type, 0, 0)
	w.U32(1<<31 | 34) // last-metadata-block flag, type 0, length
	w.Append(info)
	w.End()
	return nil
}

// writeEsds writes an elementary stream descriptor box (14496-14 §6.7.2;
// 14496-1 §7.2.6.5): an ES_Descriptor with its ES_ID, dependence and
// clock reference, a DecoderConfigDescriptor's 13 bytes of fields and its
// DecoderSpecificInfo, and the SLConfigDescriptor. Other descriptors
// (IPMP, language, QoS, registration, extensions) go. A stream named by a
// URL lies in another file, which is refused.
func (f *movFile) writeEsds(w *bmff.Writer, c bmff.Box) error {
	cur := bmff.NewCursor(c)
	cur.FullBox()
	tag, body := esDescriptor(cur)
	if cur.Err() != nil {
		return cur.Err()
	}
	if tag != 3 || len(body) < 3 {
		return bmff.ErrorAt(c.Offset, nil, "'esds' box without an ES_Descriptor")
	}
	f.trailing(c, len(c.Payload)-cur.Left())
	es := bmff.NewCursor(bmff.Box{Type: c.Type, Payload: body, Offset: c.Offset})
	id := es.U16()
	flags := es.U8()
	var out []byte
	out = append(out, byte(id>>8), byte(id), flags)
	if flags&0x80 != 0 { // streamDependenceFlag
		out = append(out, es.Take(2)...)
	}
	if flags&0x40 != 0 { // URL_Flag
		return bmff.ErrorAt(c.Offset, ErrUnsupportedFeature, "'esds' stream in another file (URL)")
	}
	if flags&0x20 != 0 { // OCRstreamFlag
		out = append(out, es.Take(2)...)
	}
	for es.Left() > 0 && es.Err() == nil {
		tag, sub := esDescriptor(es)
		switch tag {
		case 4: // DecoderConfigDescriptor
			dc := bmff.NewCursor(bmff.Box{Type: c.Type, Payload: sub, Offset: c.Offset})
			fields := dc.Take(13)
			var dsi []byte
			for dc.Left() > 0 && dc.Err() == nil {
				if t, b := esDescriptor(dc); t == 5 { // DecoderSpecificInfo
					dsi = appendDescriptor(nil, 5, b)
				} else if dc.Err() == nil {
					f.m.add(Embedded, containerMovie+" esds", fmt.Sprintf("Descriptor%d", t), fmt.Sprintf("(%d bytes)", len(b)))
				}
			}
			if dc.Err() != nil {
				return dc.Err()
			}
			out = appendDescriptor(out, 4, append(append([]byte(nil), fields...), dsi...))
		case 6: // SLConfigDescriptor
			out = appendDescriptor(out, 6, sub)
		default:
			if es.Err() == nil {
				f.m.add(Embedded, containerMovie+" esds", fmt.Sprintf("Descriptor%d", tag), fmt.Sprintf("(%d bytes)", len(sub)))
			}
		}
	}
	if es.Err() != nil {
		return es.Err()
	}
	w.StartFull(boxEsds, 0, 0)
	w.Append(appendDescriptor(nil, 3, out))
	w.End()
	return nil
}

// esDescriptor reads a descriptor of 14496-1 §8.3.3: a tag, a size in 1
// to 4 bytes of 7 bits each (the high bit says another follows), and its
// body.
func esDescriptor(c *bmff.Cursor) (byte, []byte) {
	tag := c.U8()
	var n int
	for i := 0; i < 4; i++ {
		b := c.U8()
		n = n<<7 | int(b&0x7f)
		if b&0x80 == 0 {
			break
		}
	}
	return tag, c.Take(n)
}

// appendDescriptor appends a descriptor with the shortest size encoding.
func appendDescriptor(out []byte, tag byte, body []byte) []byte {
	out = append(out, tag)
	n := len(body)
	var size []byte
	for {
		size = append([]byte{byte(n & 0x7f)}, size...)
		n >>= 7
		if n == 0 {
			break
		}
	}
	for i := 0; i < len(size)-1; i++ {
		size[i] |= 0x80
	}
	return append(append(out, size...), body...)
}
