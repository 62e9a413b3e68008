package exifscrub

import (
	"fmt"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/heif"
)

// Item properties, rebuilt from their fields (heif.RebuildProperty): what
// a property held beyond them is reported here.

// rebuildProperty writes a kept property from its fields. It returns nil
// for a property that goes, an error for one that is truncated or, being
// essential, cannot be written.
func (h *heifFile) rebuildProperty(p bmff.Box, essential bool) ([]byte, error) {
	if p.Type == propColr {
		return h.rebuildColr(p, essential)
	}
	r, err := heif.RebuildProperty(p, essential)
	if r.Box == nil && err == nil {
		h.rep.add(Embedded, h.where("ipco"), p.Type.String(), fmt.Sprintf("(version %d, %d bytes)", r.Version, len(p.Payload)))
		return nil, nil
	}
	if r.Subtype > 0 {
		h.rep.add(Embedded, h.where("auxC"), "AuxiliarySubtype", fmt.Sprintf("(%d bytes after %q)", r.Subtype, r.AuxType))
	}
	if r.Removed != nil {
		rm := make(removals)
		rm.merge(h.where(p.Type.String()), r.Removed)
		rm.report(h.rep)
	}
	reportSegments(h.rep, r.Segments)
	if err != nil {
		return nil, err
	}
	h.reportTrailing(r.Trailing)
	return r.Box, nil
}

// rebuildColr writes a 'colr' property with writeColr: code points, or an
// ICC profile sanitised.
func (h *heifFile) rebuildColr(p bmff.Box, essential bool) ([]byte, error) {
	var w bmff.Writer
	w.Start(p.Type)
	c := bmff.NewCursor(p)
	keep, err := writeColr(h.rep, h.where("colr"), &w, c)
	switch {
	case err != nil:
		return nil, bmff.ErrorAt(p.Offset, ErrUnsupportedFeature, "'colr' ICC profile: %v", err)
	case c.Err() != nil:
		return nil, c.Err()
	case !keep && essential:
		return nil, bmff.ErrorAt(p.Offset, ErrUnsupportedFeature, "essential property %q cannot be rebuilt", p.Type)
	case !keep:
		return nil, nil
	}
	h.reportTrailing(heif.TrailingOf(c))
	w.End()
	return w.Bytes(), w.Err()
}

// reportSegments reports the APPn and COM segments heif.JPEGTables left
// out of a 'jpgC' property.
func reportSegments(rep *Report, segs []heif.Segment) {
	for _, s := range segs {
		rep.add(Embedded, "HEIF jpgC", fmt.Sprintf("Marker%02X", s.Marker), fmt.Sprintf("(%d bytes)", s.Len))
	}
}
