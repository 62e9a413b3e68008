package exifscrub

import (
	"bytes"
	"fmt"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/mp4"
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

// boxMeco is the additional metadata container (14496-12 §8.11.7).
var boxMeco = bmff.FourCC{'m', 'e', 'c', 'o'}

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
	case bmff.BoxFree, bmff.BoxSkip, mp4.BoxWide:
		if len(bytes.Trim(c.Payload, "\x00")) == 0 {
			return // padding
		}
	case boxMeco:
		f.m.add(Embedded, containerMovie, "AdditionalMetadata", where)
		return
	}
	f.m.add(Embedded, containerMovie, "Box", where)
}

// trailing reports the bytes of c after its first n, which are not kept,
// unless they are zeros.
func (f *movFile) trailing(c bmff.Box, n int) {
	if n < len(c.Payload) && len(bytes.Trim(c.Payload[n:], "\x00")) > 0 {
		f.m.add(Embedded, containerMovie, "TrailingBytes", fmt.Sprintf("(%d bytes after the fields of '%s' at offset %d)", len(c.Payload)-n, c.Type, c.PayloadOffset()+int64(n)))
	}
}

// writeHeader writes a movie, track or media header at its spec length
// (mp4.HeaderFields), with its times as copyTimes leaves them.
func (f *movFile) writeHeader(w *bmff.Writer, c bmff.Box, track uint32) error {
	n, err := mp4.HeaderFields(c)
	if err != nil {
		return err
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
	var out []byte // an empty name: a NUL (ISO), or a Pascal string of length 0 (QuickTime)
	switch {
	case keep && pascal:
		out = append([]byte{uint8(len(s))}, s...)
	case keep:
		out = append([]byte(s), 0)
	}
	w.WriteHdlr(component, handler, out)
	return nil
}

// writeMinf writes a media information box (14496-12 §8.4.4): its media
// header, data information (mp4.WriteMinfBox), sample table and
// QuickTime data handler.
func (f *movFile) writeMinf(w *bmff.Writer, mv *movMoov, minf bmff.Box, t *movTrack) error {
	w.Start(mp4.BoxMinf)
	r := bmff.NewReader(minf.Payload, minf.PayloadOffset(), false)
	for c := range r.All() {
		var err error
		switch c.Type {
		case bmff.BoxHdlr:
			err = f.writeHdlr(w, c) // QTFF: the data handler
		case mp4.BoxStbl:
			err = f.writeStbl(w, mv, c, t)
		default:
			var ok bool
			ok, err = mp4.WriteMinfBox(w, c, &f.omit)
			if err = f.omitted(err); !ok {
				f.dropBox(c, mp4.BoxMinf)
			}
		}
		if err != nil {
			return err
		}
	}
	w.End()
	return r.Err()
}

// writeStbl writes a sample table box (14496-12 §8.5.1) with the tables
// a player reads: the sample descriptions and chunk offsets here, the
// tables of numbers with mp4.WriteStblBox.
func (f *movFile) writeStbl(w *bmff.Writer, mv *movMoov, stbl bmff.Box, t *movTrack) error {
	w.Start(mp4.BoxStbl)
	r := bmff.NewReader(stbl.Payload, stbl.PayloadOffset(), false)
	for c := range r.All() {
		var err error
		switch {
		case c.Type == mp4.BoxStsd:
			err = f.writeStsd(w, c, t)
		case c.Type == mp4.BoxStco || c.Type == mp4.BoxCo64 || c.Type == mp4.BoxSaio:
			err = f.writeOffsets(w, mv, c)
		default:
			var ok bool
			ok, err = mp4.WriteStblBox(w, c, &f.omit)
			if err = f.omitted(err); !ok {
				f.dropBox(c, mp4.BoxStbl)
			}
		}
		if err != nil {
			return err
		}
	}
	w.End()
	return r.Err()
}

// omitted reports what a rebuilding function of package mp4 left out, in
// the order it did, and returns its error.
func (f *movFile) omitted(err error) error {
	for _, o := range f.omit {
		switch o.What {
		case mp4.Dropped:
			f.dropBox(o.Box, o.Parent)
		case mp4.TrailingBytes:
			f.trailing(o.Box, o.Len)
		case mp4.DataReference:
			f.m.add(Embedded, containerMovie+" dref", "DataReference", fmt.Sprintf("(%d bytes in a self-contained '%s' entry)", o.Len, o.Box.Type))
		case mp4.SampleGroup:
			f.m.add(Embedded, containerMovie+" sbgp", "SampleGroup", fmt.Sprintf("(grouping type '%s', %d bytes)", o.Type, len(o.Box.Payload)))
		case mp4.SampleGroupDescription:
			f.m.add(Embedded, containerMovie+" sgpd", "SampleGroupDescription", fmt.Sprintf("(grouping type '%s', %d bytes)", o.Type, len(o.Box.Payload)))
		case mp4.Descriptor:
			f.m.add(Embedded, containerMovie+" esds", fmt.Sprintf("Descriptor%d", o.Tag), fmt.Sprintf("(%d bytes)", o.Len))
		case mp4.MetadataBlocks:
			f.m.add(Embedded, containerMovie+" dfLa", "MetadataBlocks", fmt.Sprintf("(%d bytes after STREAMINFO)", o.Len))
		}
	}
	f.omit = f.omit[:0]
	return err
}
