package exifscrub

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// Coded image data and decoder configuration. An image item's data is
// copied as it is, but a bitstream can carry more than pixels: SEI
// messages in HEVC and AVC (user data, registered or not, with any bytes
// a writer likes), metadata and padding OBUs in AV1, APPn and COM
// segments in a JPEG item. What a decoder and an HDR display need is
// kept; the rest is removed and reported, in the item data and in the
// decoder configuration properties ('hvcC', 'avcC', 'av1C') alike.

// seiHDR are the SEI payload types kept, with their exact payload sizes
// (ITU-T H.265 Annex D.2 and H.264 Annex D.1 number them alike): what an
// HDR display uses to map the picture's colours. A message of another
// size is not what it claims and is dropped. Every other message goes,
// among them user data registered by ITU-T T.35 (type 4), which carries
// HDR10+ dynamic metadata but also any vendor's data: an HDR10+ display
// falls back on the static mastering display and light level metadata
// kept here.
var seiHDR = map[int]int{
	137: 24, // mastering display colour volume (D.2.28)
	144: 4,  // content light level information (D.2.35)
	147: 1,  // alternative transfer characteristics (D.2.38)
	148: 8,  // ambient viewing environment (D.2.39)
}

// seiName names an SEI payload type for the report.
func seiName(t int) string {
	switch t {
	case 4:
		return "UserDataRegistered"
	case 5:
		return "UserDataUnregistered"
	}
	return fmt.Sprintf("SEI%d", t)
}

// A nalCodec says how to read the NAL unit headers of a codec.
type nalCodec struct {
	name   string
	hdrLen int                // bytes of the NAL unit header
	typ    func(h []byte) int // nal_unit_type from the header
	sei    func(t int) bool   // SEI NAL unit types
	drop   func(t int) bool   // types removed whole: filler, reserved, unspecified
	what   func(t int) string // the report's name for a dropped type
	keep   func(t int) bool   // types kept in a decoder configuration record
}

// H.265 §7.4.2.2 Table 7-1: 32–34 are VPS, SPS and PPS; 38 filler data;
// 39 and 40 prefix and suffix SEI; 41–47 reserved and 48–63 unspecified,
// which decoders ignore.
var hevcCodec = nalCodec{
	name:   "HEVC",
	hdrLen: 2,
	typ:    func(h []byte) int { return int(h[0]>>1) & 0x3f },
	sei:    func(t int) bool { return t == 39 || t == 40 },
	drop:   func(t int) bool { return t == 38 || t >= 41 },
	what:   func(t int) string { return fmt.Sprintf("NALUnit%d", t) },
	keep:   func(t int) bool { return t >= 32 && t <= 34 || t == 39 },
}

// H.264 §7.4.1 Table 7-1: 7 and 8 are SPS and PPS, 13 SPS extension; 6
// SEI; 12 filler data; 0 and 24–31 unspecified.
var avcCodec = nalCodec{
	name:   "AVC",
	hdrLen: 1,
	typ:    func(h []byte) int { return int(h[0]) & 0x1f },
	sei:    func(t int) bool { return t == 6 },
	drop:   func(t int) bool { return t == 0 || t == 12 || t >= 24 },
	what:   func(t int) string { return fmt.Sprintf("NALUnit%d", t) },
	keep:   func(t int) bool { return t == 7 || t == 8 || t == 13 },
}

// H.266 §7.4.2.2 Table 5: 12–16 are OPI, DCI, VPS, SPS and PPS, 17 and 18
// APS; 23 and 24 prefix and suffix SEI (payload types of H.274, which
// numbers the HDR messages as H.265 does); 25 filler data; 26–27 reserved
// and 28–31 unspecified.
var vvcCodec = nalCodec{
	name:   "VVC",
	hdrLen: 2,
	typ:    func(h []byte) int { return int(h[1] >> 3) },
	sei:    func(t int) bool { return t == 23 || t == 24 },
	drop:   func(t int) bool { return t >= 25 },
	what:   func(t int) string { return fmt.Sprintf("NALUnit%d", t) },
	keep:   func(t int) bool { return t >= 12 && t <= 18 || t == 23 },
}

// A removal counts what was removed of one kind, for the report.
type removal struct{ n, bytes int }

// removals gathers what a bitstream filter removed: one finding per kind
// and place, however many messages there were.
type removals map[[2]string]*removal

func (r removals) add(container, tag string, n int) {
	k := [2]string{container, tag}
	if r[k] == nil {
		r[k] = new(removal)
	}
	r[k].n++
	r[k].bytes += n
}

// report adds the findings, in a stable order.
func (r removals) report(rep *Report) {
	keys := make([][2]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i][0] < keys[j][0] || keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1]
	})
	for _, k := range keys {
		rm := r[k]
		rep.add(Embedded, k[0], k[1], fmt.Sprintf("(%d removed, %d bytes)", rm.n, rm.bytes))
	}
}

// unescapeRBSP removes emulation prevention bytes (H.265 §7.4.2, H.264
// §7.4.1): 0x03 after two zero bytes.
func unescapeRBSP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	zeros := 0
	for _, x := range b {
		if zeros >= 2 && x == 3 {
			zeros = 0
			continue
		}
		out = append(out, x)
		if x == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

// escapeRBSP inserts emulation prevention bytes where two zero bytes are
// followed by a byte of 3 or less.
func escapeRBSP(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/64)
	zeros := 0
	for _, x := range b {
		if zeros >= 2 && x <= 3 {
			out = append(out, 3)
			zeros = 0
		}
		out = append(out, x)
		if x == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

// filterSEI returns an SEI NAL unit with only its HDR messages, or nil
// when none is left, and records what it removes. A NAL unit whose
// messages cannot be read is removed whole: decoding does not need SEI.
// H.265 §7.3.5 and H.264 §7.3.2.3.1: each sei_message is a payload type
// and a payload size, each coded as 0xFF bytes adding 255 and a last
// byte, then the payload; rbsp_trailing_bits end the unit.
func filterSEI(nal []byte, hdrLen int, container string, rm removals) []byte {
	rbsp := unescapeRBSP(nal[hdrLen:])
	var kept []byte
	changed := false
	pos := 0
	for {
		rest := rbsp[pos:]
		if len(rest) == 0 || rest[0] == 0x80 && len(bytes.Trim(rest[1:], "\x00")) == 0 {
			break // rbsp_trailing_bits
		}
		start := pos
		var typ, size int
		ok := true
		for _, v := range []*int{&typ, &size} {
			for ok {
				if pos >= len(rbsp) || *v > 1<<20 {
					ok = false
					break
				}
				x := rbsp[pos]
				pos++
				*v += int(x)
				if x != 0xff {
					break
				}
			}
		}
		if !ok || size > len(rbsp)-pos {
			rm.add(container, "SEI", len(nal))
			return nil
		}
		pos += size
		if want, hdr := seiHDR[typ]; hdr && size == want {
			kept = append(kept, rbsp[start:pos]...)
			continue
		}
		changed = true
		rm.add(container, seiName(typ), size)
	}
	switch {
	case !changed:
		return nal
	case len(kept) == 0:
		return nil
	}
	out := append([]byte(nil), nal[:hdrLen]...)
	return append(out, escapeRBSP(append(kept, 0x80))...)
}

// filterNALs filters coded data stored as NAL units each preceded by its
// length in lenSize bytes (ISO/IEC 14496-15 §4.3.2, §8.3.2). It returns
// the data unchanged when nothing is removed. Data that is not a sequence
// of such units cannot be bounded and is refused.
func filterNALs(data []byte, lenSize int, codec nalCodec, container string, rm removals) ([]byte, error) {
	var out []byte
	changed := false
	for pos := 0; pos < len(data); {
		if len(data)-pos < lenSize {
			return nil, fmt.Errorf("%s data: %d bytes left for a %d-byte NAL unit length", codec.name, len(data)-pos, lenSize)
		}
		var n uint64
		for _, x := range data[pos : pos+lenSize] {
			n = n<<8 | uint64(x)
		}
		start := pos
		pos += lenSize
		if n > uint64(len(data)-pos) || n < uint64(codec.hdrLen) {
			return nil, fmt.Errorf("%s data: NAL unit of %d bytes at %d of %d", codec.name, n, start, len(data))
		}
		nal := data[pos : pos+int(n)]
		pos += int(n)
		t := codec.typ(nal)
		keep := nal
		switch {
		case codec.sei(t):
			keep = filterSEI(nal, codec.hdrLen, container, rm)
		case codec.drop(t):
			keep = nil
			rm.add(container, codec.what(t), len(nal))
		}
		same := len(keep) == len(nal) && &keep[0] == &nal[0]
		switch {
		case same && !changed:
			continue
		case !changed:
			changed = true
			out = append(make([]byte, 0, len(data)), data[:start]...)
		}
		if keep != nil {
			// A unit only shrinks, so its length fits the field.
			var l [8]byte
			binary.BigEndian.PutUint64(l[:], uint64(len(keep)))
			out = append(append(out, l[8-lenSize:]...), keep...)
		}
	}
	if !changed {
		return data, nil
	}
	return out, nil
}

// leb128 reads an unsigned LEB128 number (AV1 §4.10.5): at most 8 bytes,
// and a value below 2^32.
func leb128(b []byte) (v uint64, n int, ok bool) {
	for n < 8 && n < len(b) {
		x := b[n]
		v |= uint64(x&0x7f) << (7 * n)
		n++
		if x&0x80 == 0 {
			return v, n, v <= 0xffffffff
		}
	}
	return 0, 0, false
}

// OBU types (AV1 §6.2.2).
const (
	obuSequenceHeader = 1
	obuMetadata       = 5
	obuPadding        = 15
)

// AV1 §6.7.1 metadata types kept, with their payload sizes: content light
// level (§5.8.3) and mastering display colour volume (§5.8.4). Scalability
// (3), ITU-T T.35 (4) and timecode (5) go.
var obuHDR = map[uint64]int{1: 4, 2: 24}

// filterOBUs filters AV1 OBUs (AV1 §5.3): in item data (low-overhead
// bitstream format, §5.2) it keeps every OBU a decoder reads and drops
// metadata other than HDR light levels and mastering display, padding and
// OBUs of reserved types; in an 'av1C' (config) only sequence headers and
// HDR metadata are allowed (AV1-ISOBMFF §2.3.4). The data is returned
// unchanged when nothing is removed.
func filterOBUs(data []byte, config bool, container string, rm removals) ([]byte, error) {
	var out []byte
	changed := false
	for pos := 0; pos < len(data); {
		start := pos
		hdr := data[pos]
		typ := int(hdr>>3) & 15
		pos++
		if hdr&0x80 != 0 {
			return nil, fmt.Errorf("AV1 data: OBU at %d has its forbidden bit set", start)
		}
		if hdr&4 != 0 { // obu_extension_flag
			pos++
		}
		size := uint64(len(data) - min(pos, len(data)))
		if hdr&2 != 0 { // obu_has_size_field
			v, n, ok := leb128(data[min(pos, len(data)):])
			if !ok {
				return nil, fmt.Errorf("AV1 data: bad OBU size at %d", start)
			}
			size, pos = v, pos+n
		}
		if pos > len(data) || size > uint64(len(data)-pos) {
			return nil, fmt.Errorf("AV1 data: OBU of %d bytes at %d of %d", size, start, len(data))
		}
		payload := data[pos : pos+int(size)]
		pos += int(size)
		keep := true
		switch {
		case typ == obuMetadata:
			mt, n, ok := leb128(payload)
			// The payload, then trailing bits in one byte (§5.3.4).
			want, hdr := obuHDR[mt]
			if !ok || !hdr || len(payload) != n+want+1 || payload[len(payload)-1] != 0x80 {
				keep = false
				rm.add(container, fmt.Sprintf("Metadata%d", mt), len(payload))
			}
		case config && typ != obuSequenceHeader:
			keep = false
			rm.add(container, fmt.Sprintf("OBU%d", typ), len(payload))
		case typ == obuPadding:
			keep = false
			rm.add(container, "Padding", len(payload))
		case typ == 0 || typ >= 9:
			keep = false
			rm.add(container, fmt.Sprintf("OBU%d", typ), len(payload))
		}
		switch {
		case keep && changed:
			out = append(out, data[start:pos]...)
		case !keep && !changed:
			changed = true
			out = append(make([]byte, 0, len(data)), data[:start]...)
		}
	}
	if !changed {
		return data, nil
	}
	return out, nil
}

// Item types whose data rewriteItems reads.
var (
	itemHvc1 = bmff.FourCC{'h', 'v', 'c', '1'}
	itemAvc1 = bmff.FourCC{'a', 'v', 'c', '1'}
	itemHvt1 = bmff.FourCC{'h', 'v', 't', '1'}
	itemLhv1 = bmff.FourCC{'l', 'h', 'v', '1'}
	itemVvc1 = bmff.FourCC{'v', 'v', 'c', '1'}
	itemAv01 = bmff.FourCC{'a', 'v', '0', '1'}
	itemJPEG = bmff.FourCC{'j', 'p', 'e', 'g'}
	propHvcC = bmff.FourCC{'h', 'v', 'c', 'C'}
	propAvcC = bmff.FourCC{'a', 'v', 'c', 'C'}
	propLhvC = bmff.FourCC{'l', 'h', 'v', 'C'}
	propVvcC = bmff.FourCC{'v', 'v', 'c', 'C'}
)

// nalLengthSize returns the codec of an item of NAL units and the size of
// their length fields, from its decoder configuration (14496-15): the low
// 2 bits of byte 21 of 'hvcC', of byte 4 of 'avcC' and 'lhvC', bits 1–2 of
// the byte after the version and flags of 'vvcC'. An HEVC tile ('hvt1',
// §10.2) has the configuration of its tile base ('tbas').
func (h *heifFile) nalLengthSize(it *heifItem) (nalCodec, int, error) {
	codec, cfgType, at, shift := hevcCodec, propHvcC, 21, 0
	id := it.id
	switch it.typ {
	case itemAvc1:
		codec, cfgType, at = avcCodec, propAvcC, 4
	case itemLhv1:
		cfgType, at = propLhvC, 4
	case itemVvc1:
		codec, cfgType, at, shift = vvcCodec, propVvcC, 4, 1
	case itemHvt1:
		for _, ref := range h.refs {
			if ref.typ == (bmff.FourCC{'t', 'b', 'a', 's'}) && ref.from == it.id && len(ref.to) > 0 {
				id = ref.to[0]
			}
		}
	}
	cfg, ok := h.itemProperty(id, cfgType)
	if !ok {
		return codec, 0, bmff.ErrorAt(it.loc.off, nil, "%q item %d has no %q property", it.typ, it.id, cfgType)
	}
	if len(cfg.Payload) <= at {
		return codec, 0, bmff.ErrorAt(cfg.Offset, io.ErrUnexpectedEOF, "%q property truncated", cfgType)
	}
	n := int(cfg.Payload[at]>>shift&3) + 1
	if n == 3 {
		return codec, 0, bmff.ErrorAt(cfg.Offset, nil, "%q NAL unit length of 3 bytes", cfgType)
	}
	return codec, n, nil
}

// itemProperty returns the first property of type t associated with
// item id.
func (h *heifFile) itemProperty(id uint32, t bmff.FourCC) (bmff.Box, bool) {
	if h.assocs == nil {
		h.assocs = make(map[uint32][]heifAssoc)
		for _, m := range h.ipmas {
			for _, e := range m.entries {
				h.assocs[e.id] = append(h.assocs[e.id], e.assocs...)
			}
		}
	}
	for _, a := range h.assocs[id] {
		if a.index > 0 && int(a.index) <= len(h.props) && h.props[a.index-1].Type == t {
			return h.props[a.index-1], true
		}
	}
	return bmff.Box{}, false
}

// itemBytes returns all of an item's data: a slice of the input for one
// extent, a copy for several.
func (h *heifFile) itemBytes(it *heifItem) []byte {
	src := h.data
	if it.loc.method == 1 {
		src = h.idat
	}
	if len(it.loc.extents) == 1 {
		e := it.loc.extents[0]
		return src[e.off : e.off+e.len]
	}
	b := make([]byte, 0, h.itemSize(it))
	for _, e := range it.loc.extents {
		b = append(b, src[e.off:e.off+e.len]...)
	}
	return b
}

// rewriteItems reads the coded data of the kept HEVC, AVC, VVC, AV1 and
// JPEG items and, where it carries more than the image, keeps the new data
// for build: NAL units without user-data SEI, filler and reserved units, AV1 without metadata and padding OBUs, JPEG scrubbed as a JPEG
// file is (without the EXIF orientation: a HEIF image's is 'irot'). Items
// of other codecs are copied as they are.
func (h *heifFile) rewriteItems() error {
	h.newData = make(map[uint32][]byte)
	rm := make(removals)
	for _, it := range h.order {
		if b, ok := h.keptMeta[it.id]; ok {
			h.newData[it.id] = b
			continue
		}
		if !it.keep || it.loc == nil {
			continue
		}
		var out []byte
		var err error
		container := "HEIF " + it.typ.String() + " data"
		switch it.typ {
		case itemHvc1, itemAvc1, itemHvt1, itemLhv1, itemVvc1:
			codec, n, cfgErr := h.nalLengthSize(it)
			if cfgErr != nil {
				return cfgErr
			}
			out, err = filterNALs(h.itemBytes(it), n, codec, container, rm)
		case itemAv01:
			out, err = filterOBUs(h.itemBytes(it), false, container, rm)
		case itemJPEG:
			out, err = h.scrubJPEGItem(it)
		default:
			continue
		}
		if err != nil {
			var be *bmff.Error
			if errors.As(err, &be) {
				return err
			}
			return bmff.ErrorAt(it.loc.off, ErrUnsupportedFeature, "item %d: %v", it.id, err)
		}
		if data := h.itemBytes(it); len(out) != len(data) || len(out) > 0 && &out[0] != &data[0] && !bytes.Equal(out, data) {
			h.newData[it.id] = out
		}
	}
	rm.report(h.rep)
	return h.checkRewrittenOverlaps()
}

// scrubJPEGItem scrubs the data of a 'jpeg' item (23008-12 Annex H) as
// Scrub does a JPEG file, and reports what it removes.
//
// With a 'jpgC' property (Annex H.2), the data may start at SOS, the
// header being in the property: it is scrubbed behind an SOI of its own.
func (h *heifFile) scrubJPEGItem(it *heifItem) ([]byte, error) {
	data := h.itemBytes(it)
	var head []byte // SOI and the jpgC tables, for data that starts at SOS
	if jpgC, ok := h.itemProperty(it.id, bmff.FourCC{'j', 'p', 'g', 'C'}); ok && !bytes.HasPrefix(data, []byte{0xff, markerSOI}) {
		// The scan walker needs the frame header and tables, which
		// the property holds; its APPn and COM are reported with it.
		tables, err := jpegTables(jpgC.Payload, new(Report))
		if err != nil {
			return nil, fmt.Errorf("'jpgC': %w", err)
		}
		head = append([]byte{0xff, markerSOI}, bytes.TrimPrefix(tables, []byte{0xff, markerSOI})...)
		data = append(bytes.Clone(head), data...)
	}
	if !isJPEG(data) {
		return nil, errors.New("data is not a JPEG bitstream")
	}
	var buf bytes.Buffer
	s := &scrubber{
		in:   &reader{br: bufio.NewReaderSize(bytes.NewReader(data), readerSize)},
		out:  &buf,
		opts: &Options{DropOrientation: true, DropColorProfile: h.opts.DropColorProfile},
		rep:  &Report{Format: JPEG},
	}
	if err := scrubJPEG(s); err != nil {
		return nil, fmt.Errorf("JPEG data: %w", err)
	}
	h.rep.merge(s.rep)
	out := buf.Bytes()
	if head != nil {
		// The header added above, which scrubJPEG copies first: its
		// tables are kept byte for byte.
		if !bytes.HasPrefix(out, head) {
			return nil, errors.New("JPEG data: the jpgC header does not survive a scrub")
		}
		out = out[len(head):]
	}
	return out, nil
}

// checkRewrittenOverlaps refuses a file in which an item whose data is
// rewritten shares bytes with another kept item, which would copy the
// bytes the rewrite removed.
func (h *heifFile) checkRewrittenOverlaps() error {
	if len(h.newData) == 0 {
		return nil
	}
	a, b, ok := h.overlap(func(it *heifItem) (bool, bool) {
		_, rw := h.newData[it.id]
		return it.keep, rw
	}, func(x, y itemRun) bool { return x.id != y.id && (x.marked || y.marked) })
	if ok {
		return bmff.ErrorAt(h.items[b.id].loc.off, ErrUnsupportedFeature, "item %d's data overlaps item %d's, which Scrub rewrites", b.id, a.id)
	}
	return nil
}
