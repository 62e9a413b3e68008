package mp4

import "github.com/exifscrub/exifscrub/internal/bmff"

// The boxes of a sample entry (14496-12 §8.5.2) that hold decoding
// parameters and no codec bitstream: each is copied through its spec
// length, with the vendor fields blank and the metadata a codec box may
// carry (FLAC blocks other than STREAMINFO, MPEG-4 descriptors other than
// the decoder configuration) left out. The decoder configurations that
// hold parameter sets or OBUs ('avcC', 'hvcC', 'av1C', …) and the colour
// box are the caller's.

// AudioEntryFields is the size of the fields of a sound sample entry
// (14496-12 §12.2.3.2; QTFF "Sound Sample Description"), by its QuickTime
// version: 28 bytes, 16 more in version 1, 36 more in version 2.
var AudioEntryFields = [3]int{28, 28 + 16, 28 + 36}

// entryFixed are the sample entry boxes made of fixed-size fields, with
// the size of their payload.
var entryFixed = map[bmff.FourCC]int{
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

// WriteEntryBox writes one box c of the sample entry of type entry, or,
// when it is not one this package knows, drops and logs it.
func WriteEntryBox(w *bmff.Writer, entry bmff.FourCC, c bmff.Box, log *Log) error {
	if n, ok := entryFixed[c.Type]; ok {
		return WriteFixed(w, c, n, log)
	}
	if c.Type == boxEsds {
		return writeEsds(w, c, log)
	}
	var n int
	p := c.Payload
	switch string(c.Type[:]) {
	case "chan":
		// QTFF "Audio Channel Layout Atom": a FullBox, a layout tag, a
		// bitmap, a count of 20-byte channel descriptions.
		return WriteTable(w, c, 8, 20, log)
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
			log.drop(c, entry)
			return nil
		}
		w.Start(c.Type)
		w.Append(p[:10])
		w.U16(0)
		w.End()
		log.trailing(c, 12)
		return nil
	case "dfLa":
		return writeDfLa(w, c, log)
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
		log.trailing(c, n)
		return nil
	default:
		log.drop(c, entry)
		return nil
	}
	return WriteFixed(w, c, n, log)
}

// writeDfLa writes a FLAC specific box (FLAC in ISOBMFF §3.3.2) with its
// STREAMINFO metadata block only: the others (VORBIS_COMMENT tags,
// PICTURE, APPLICATION) are metadata, not decoding parameters.
func writeDfLa(w *bmff.Writer, c bmff.Box, log *Log) error {
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
		*log = append(*log, Omission{What: MetadataBlocks, Box: c, Len: cur.Left()})
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
func writeEsds(w *bmff.Writer, c bmff.Box, log *Log) error {
	cur := bmff.NewCursor(c)
	cur.FullBox()
	tag, body := esDescriptor(cur)
	if cur.Err() != nil {
		return cur.Err()
	}
	if tag != 3 || len(body) < 3 {
		return bmff.ErrorAt(c.Offset, nil, "'esds' box without an ES_Descriptor")
	}
	log.trailing(c, len(c.Payload)-cur.Left())
	es := bmff.NewCursor(bmff.Box{Type: c.Type, Payload: body, Offset: c.Offset})
	id := es.U16()
	flags := es.U8()
	var out []byte
	out = append(out, byte(id>>8), byte(id), flags)
	if flags&0x80 != 0 { // streamDependenceFlag
		out = append(out, es.Take(2)...)
	}
	if flags&0x40 != 0 { // URL_Flag
		return bmff.ErrorAt(c.Offset, ErrUnsupported, "'esds' stream in another file (URL)")
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
					*log = append(*log, Omission{What: Descriptor, Box: c, Tag: t, Len: len(b)})
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
				*log = append(*log, Omission{What: Descriptor, Box: c, Tag: tag, Len: len(sub)})
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
