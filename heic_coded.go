package exifscrub

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"sort"

	"github.com/exifscrub/exifscrub/internal/av1"
	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/heif"
	"github.com/exifscrub/exifscrub/internal/nal"
)

// Coded image data and decoder configuration. An image item's data is
// copied as it is, but a bitstream can carry more than pixels: SEI
// messages in HEVC and AVC (user data, registered or not, with any bytes
// a writer likes), metadata and padding OBUs in AV1, APPn and COM
// segments in a JPEG item. What a decoder and an HDR display need is
// kept; the rest is removed and reported, in the item data and in the
// decoder configuration properties ('hvcC', 'avcC', 'av1C') alike. The
// bitstream filters are packages nal and av1; what they removed becomes
// findings here.

// A removal counts what was removed of one kind, for the report.
type removal struct{ n, bytes int }

// removals gathers what a bitstream filter removed: one finding per kind
// and place, however many messages there were.
type removals map[[2]string]*removal

// add counts n removals of kind tag in container, of size bytes in all.
func (r removals) add(container, tag string, n, bytes int) {
	k := [2]string{container, tag}
	if r[k] == nil {
		r[k] = new(removal)
	}
	r[k].n += n
	r[k].bytes += bytes
}

// merge adds what a filter of package nal or av1 removed: their Removed
// maps have this type underneath.
func (r removals) merge(container string, removed map[string]struct{ N, Bytes int }) {
	for tag, c := range removed {
		r.add(container, tag, c.N, c.Bytes)
	}
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

// Item types whose data rewriteItems reads.
var (
	itemHvc1 = bmff.FourCC{'h', 'v', 'c', '1'}
	itemAvc1 = bmff.FourCC{'a', 'v', 'c', '1'}
	itemHvt1 = bmff.FourCC{'h', 'v', 't', '1'}
	itemLhv1 = bmff.FourCC{'l', 'h', 'v', '1'}
	itemVvc1 = bmff.FourCC{'v', 'v', 'c', '1'}
	itemAv01 = bmff.FourCC{'a', 'v', '0', '1'}
	itemJPEG = bmff.FourCC{'j', 'p', 'e', 'g'}
)

// nalLengthSize returns the codec of an item of NAL units and the size of
// their length fields, from its decoder configuration
// (heif.NALLengthSize). An HEVC tile ('hvt1', §10.2) has the
// configuration of its tile base ('tbas').
func (h *heifFile) nalLengthSize(it *heifItem) (nal.Codec, int, error) {
	codec, cfgType := nal.HEVC, heif.PropHvcC
	id := it.ID
	switch it.Type {
	case itemAvc1:
		codec, cfgType = nal.AVC, heif.PropAvcC
	case itemLhv1:
		cfgType = heif.PropLhvC
	case itemVvc1:
		codec, cfgType = nal.VVC, heif.PropVvcC
	case itemHvt1:
		for _, ref := range h.refs {
			if ref.Type == (bmff.FourCC{'t', 'b', 'a', 's'}) && ref.From == it.ID && len(ref.To) > 0 {
				id = ref.To[0]
			}
		}
	}
	cfg, ok := h.itemProperty(id, cfgType)
	if !ok {
		return codec, 0, bmff.ErrorAt(it.loc.Offset, nil, "%q item %d has no %q property", it.Type, it.ID, cfgType)
	}
	n, err := heif.NALLengthSize(cfg)
	return codec, n, err
}

// itemProperty returns the first property of type t associated with
// item id.
func (h *heifFile) itemProperty(id uint32, t bmff.FourCC) (bmff.Box, bool) {
	if h.assocs == nil {
		h.assocs = make(map[uint32][]heif.Assoc)
		for _, m := range h.ipmas {
			for _, e := range m.Entries {
				h.assocs[e.ID] = append(h.assocs[e.ID], e.Assocs...)
			}
		}
	}
	for _, a := range h.assocs[id] {
		if a.Index > 0 && int(a.Index) <= len(h.props) && h.props[a.Index-1].Type == t {
			return h.props[a.Index-1], true
		}
	}
	return bmff.Box{}, false
}

// itemBytes returns all of an item's data: a slice of the input for one
// extent, a copy for several.
func (h *heifFile) itemBytes(it *heifItem) []byte {
	return it.loc.Data(h.data, h.idat)
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
		if b, ok := h.keptMeta[it.ID]; ok {
			h.newData[it.ID] = b
			continue
		}
		if !it.keep || it.loc == nil {
			continue
		}
		var out []byte
		var err error
		container := "HEIF " + it.Type.String() + " data"
		switch it.Type {
		case itemHvc1, itemAvc1, itemHvt1, itemLhv1, itemVvc1:
			codec, n, cfgErr := h.nalLengthSize(it)
			if cfgErr != nil {
				return cfgErr
			}
			var removed nal.Removed
			out, removed, err = codec.Filter(h.itemBytes(it), n)
			rm.merge(container, removed)
		case itemAv01:
			var removed av1.Removed
			out, removed, err = av1.Filter(h.itemBytes(it), false)
			rm.merge(container, removed)
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
			return bmff.ErrorAt(it.loc.Offset, ErrUnsupportedFeature, "item %d: %v", it.ID, err)
		}
		if data := h.itemBytes(it); len(out) != len(data) || len(out) > 0 && &out[0] != &data[0] && !bytes.Equal(out, data) {
			h.newData[it.ID] = out
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
	if jpgC, ok := h.itemProperty(it.ID, heif.PropJpgC); ok && !bytes.HasPrefix(data, []byte{0xff, markerSOI}) {
		// The scan walker needs the frame header and tables, which
		// the property holds; its APPn and COM are reported with it.
		tables, _, err := heif.JPEGTables(jpgC.Payload)
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
	a, b, ok := heif.Overlap(h.locs, func(id uint32) (bool, bool) {
		_, rw := h.newData[id]
		return h.items[id].keep, rw
	}, func(x, y heif.Run) bool { return x.ID != y.ID && (x.Marked || y.Marked) })
	if ok {
		return bmff.ErrorAt(h.items[b.ID].loc.Offset, ErrUnsupportedFeature, "item %d's data overlaps item %d's, which Scrub rewrites", b.ID, a.ID)
	}
	return nil
}
