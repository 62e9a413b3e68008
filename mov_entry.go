package exifscrub

import (
	"bytes"
	"fmt"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/mp4"
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
// before its boxes (mp4.VisualEntryFields).
const visualEntryFields = mp4.VisualEntryFields

// movEntryRebuilt are the boxes rebuildProperty writes (heic_props.go).
var movEntryRebuilt = map[bmff.FourCC]bool{
	mp4.BoxAvcC: true, mp4.BoxHvcC: true, mp4.BoxVvcC: true, mp4.BoxLhvC: true,
	mp4.BoxAv1C: true, {'p', 'a', 's', 'p'}: true, {'c', 'l', 'a', 'p'}: true,
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
	w.StartFull(mp4.BoxStsd, version, flags)
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
	if t.still != nil {
		writeStillEntry(w, t.still) // mov_live.go
		return nil
	}
	head, err := mp4.EntryHead(e, t.Handler)
	if err != nil {
		return err
	}
	if t.Handler == mp4.HandlerVide {
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
	}
	w.Start(e.Type)
	w.Append(head)
	fields := len(head)
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

// writeEntryBox writes one box of a sample entry, or drops and reports
// it: the decoder configurations with rebuildProperty, the colour box,
// QuickTime's 'wave' extension here, the others with mp4.WriteEntryBox.
func (f *movFile) writeEntryBox(w *bmff.Writer, e, c bmff.Box, depth int) error {
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
	case c.Type == mp4.BoxWave && depth == 0:
		w.Start(mp4.BoxWave)
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
	return f.omitted(mp4.WriteEntryBox(w, e.Type, c, &f.omit))
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
