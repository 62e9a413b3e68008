package exifscrub

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// Scrubbing a video in one pass (see mov.go for what is removed).
//
// The top-level boxes are read in order. 'mdat' boxes are copied as they
// arrive, in large pieces, never held; the 'moov' box is read into memory
// (at most maxMoovSize bytes), checked and rebuilt. Because chunk offsets
// are absolute, the new 'moov' can be written only once the output
// position of the media data it points to is known:
//
//   - A 'moov' before its media data ("fast start") is held, with the
//     boxes that follow it, until the next 'mdat' arrives; then every
//     box before that 'mdat' has its final size, the offsets are
//     patched, and the rest of the file follows with its positions
//     shifted by one constant. From then on a box that Scrub removes
//     before the last byte a kept offset points to is replaced by a
//     'free' box of the same size, filled with zeros, so that the
//     constant stays true.
//   - A 'moov' after its media data points into 'mdat' boxes that are
//     already written, whose output positions are known.
//
// The samples of a removed timed-metadata track are overwritten with
// zeros as their 'mdat' is copied. When the 'moov' comes after that
// 'mdat', which samples to overwrite is known only after they have been
// copied: Scrub then goes back over the output if it is an io.WriterAt
// and io.Seeker (a file: ScrubFile always writes to one), reads ahead in
// the input if that is an io.ReaderAt and io.Seeker, and otherwise fails
// with ErrUnsupportedFeature, having written an output that must be
// discarded, as for any error of a streamed format.

const (
	// maxMOVBuffered bounds what is held of the top-level boxes other
	// than 'moov' and 'mdat' (kept 'ftyp', removed 'udta', 'uuid' boxes
	// for the report).
	maxMOVBuffered = 4 << 20
	// maxMOVBoxes bounds the top-level boxes of a file and the boxes a
	// read-ahead looks through for the 'moov'.
	maxMOVBoxes = 1 << 16
)

// A movSpan is a range of input offsets, [start, end).
type movSpan struct{ start, end int64 }

// A movSeg is an 'mdat' box copied to the output: its input range and
// output offset.
type movSeg struct{ start, end, out int64 }

// A movOffset is an absolute file offset in the rebuilt 'moov': a chunk
// offset or an 'saio' offset, at pos in the new box, 4 or 8 bytes wide.
type movOffset struct {
	pos  int
	wide bool
	val  uint64
	at   int64 // its input offset, for errors
}

// A movHeader is the header of a top-level box.
type movHeader struct {
	typ    fourCC
	start  int64
	raw    []byte // the header bytes as read: 8 or 16, +16 for 'uuid'
	size   int64  // of the whole box; -1: to the end of the file
	large  bool   // the size was a 64-bit largesize
	uuid   [16]byte
	hdrLen int
}

// A movFile is one video being scanned or scrubbed.
type movFile struct {
	*scrubber
	m movReport

	outPos   int64        // bytes written so far
	pending  []movPending // boxes held until the 'moov' can be written
	haveFtyp bool
	haveMoov bool
	moov     *movMoov

	emitted bool  // the 'moov' is written
	emitAt  int64 // the input offset at which it was
	delta   int64 // from then on, output offset = input offset + delta
	segs    []movSeg
	mdats   []movSpan // every 'mdat' box
	late    []movSpan // removed samples copied before the 'moov' was read

	outAt   io.WriterAt // the output, to go back to: see lateZero
	outBase int64
	inAt    io.ReaderAt // the input, to read ahead in: see readAhead
	inBase  int64
	tried   bool      // read ahead already
	found   bool      // and found the 'moov'
	ahead   []movSpan // removed samples found by reading ahead
}

// A movPending is a top-level box held until the 'moov' is written.
type movPending struct {
	data []byte // what to write; nil for a box that is removed
}

// A movMoov is a rebuilt 'moov' box waiting for its offsets.
type movMoov struct {
	b      []byte
	fields []movOffset
	zero   []movSpan // samples of removed tracks, sorted, disjoint
	maxRef int64     // the largest offset a kept track points to; -1 for none
}

func scrubMOV(s *scrubber) error {
	f := &movFile{scrubber: s, m: movReport{rep: s.rep}}
	if !s.scan {
		if wa, ok := s.dst.(io.WriterAt); ok {
			if sk, ok := s.dst.(io.Seeker); ok {
				if pos, err := sk.Seek(0, io.SeekCurrent); err == nil {
					f.outAt, f.outBase = wa, pos
				}
			}
		}
		if ra, ok := s.src.(io.ReaderAt); ok {
			if sk, ok := s.src.(io.Seeker); ok {
				if pos, err := sk.Seek(0, io.SeekCurrent); err == nil {
					f.inAt, f.inBase = ra, pos-int64(s.in.br.Buffered())-s.in.off
				}
			}
		}
	}
	err := f.run()
	if err != nil {
		var be *bmffError
		if errors.As(err, &be) {
			return s.formatError(be.off, be.reason, be.err)
		}
		return err
	}
	return nil
}

// run reads the top-level boxes (14496-12 §4.2, QTFF "Atoms").
func (f *movFile) run() error {
	r := f.in
	for n := 0; ; n++ {
		if n == maxMOVBoxes {
			return errorAt(r.off, ErrUnsupportedFeature, "more than %d top-level boxes", maxMOVBoxes)
		}
		h, ok, err := f.header()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if h == nil { // not a box: data after the last one
			if n == 0 {
				return errorAt(r.off, nil, "not a QuickTime or ISO base media box")
			}
			if err := f.flushTrailer(); err != nil {
				return err
			}
			break
		}
		switch h.typ {
		case boxFtyp:
			if f.haveFtyp {
				return errorAt(h.start, nil, "second 'ftyp' box")
			}
			f.haveFtyp = true
			b, complete, err := f.readBox(h, 1<<20)
			if err != nil {
				return err
			}
			if !complete {
				return errorAt(h.start, nil, "'ftyp' box of %d bytes", h.size)
			}
			if err := f.keep(h, b); err != nil {
				return err
			}
		case boxMoov:
			if f.haveMoov {
				return errorAt(h.start, nil, "second 'moov' box")
			}
			if h.size-int64(h.hdrLen) > maxMoovSize {
				return errorAt(h.start, ErrUnsupportedFeature, "'moov' box larger than %d bytes", maxMoovSize)
			}
			b, complete, err := f.readBox(h, maxMoovSize)
			if err != nil {
				return err
			}
			if !complete {
				return errorAt(h.start, ErrUnsupportedFeature, "'moov' box larger than %d bytes", maxMoovSize)
			}
			if err := f.readMoov(h, b); err != nil {
				return err
			}
		case boxMdat:
			if err := f.copyMdat(h); err != nil {
				return err
			}
		case boxMoof, boxMfra, boxSidx, boxSsix, boxStyp:
			return errorAt(h.start, ErrUnsupportedFeature, "fragmented movie (%q box)", h.typ)
		default:
			if err := f.drop(h); err != nil {
				return err
			}
		}
		if h.size < 0 {
			break
		}
	}
	if !f.haveMoov {
		return errorAt(r.off, nil, "no 'moov' box")
	}
	if !f.emitted {
		if err := f.emit(r.off); err != nil {
			return err
		}
	}
	return f.finish()
}

// header reads the header of the next top-level box. It returns ok false
// at the end of the input, and a nil header for bytes that are not a box.
func (f *movFile) header() (*movHeader, bool, error) {
	r := f.in
	b, _ := r.br.Peek(16)
	if len(b) == 0 {
		return nil, false, nil
	}
	if len(b) < 8 || !isBoxType(b[4:8]) {
		return nil, true, nil
	}
	h := &movHeader{start: r.off, hdrLen: 8}
	copy(h.typ[:], b[4:8])
	size := uint64(binary.BigEndian.Uint32(b))
	switch size {
	case 0:
		h.size = -1
	case 1:
		if len(b) < 16 {
			return nil, true, nil
		}
		size = binary.BigEndian.Uint64(b[8:])
		h.hdrLen, h.large = 16, true
	}
	if h.typ == boxUUID {
		h.hdrLen += 16
	}
	if h.size == 0 {
		if size < uint64(h.hdrLen) || size > math.MaxInt64-uint64(h.start) {
			return nil, true, nil
		}
		h.size = int64(size)
	}
	raw, err := r.next(h.hdrLen)
	if err != nil {
		return nil, false, errorAt(h.start, err, "box %q header truncated", h.typ)
	}
	h.raw = append([]byte(nil), raw...)
	if h.typ == boxUUID {
		copy(h.uuid[:], h.raw[h.hdrLen-16:])
	}
	return h, true, nil
}

// isBoxType reports whether b looks like a box type: four printable
// characters, or '©' and three (QTFF user data atoms).
func isBoxType(b []byte) bool {
	for i, c := range b {
		if (c < 0x20 || c > 0x7e) && !(i == 0 && c == 0xa9) {
			return false
		}
	}
	return true
}

// readBox reads the payload of a box into memory, keeping at most limit
// bytes; it returns the whole box (header and payload) as a box value's
// bytes would be laid out, and whether all of it was kept.
func (f *movFile) readBox(h *movHeader, limit int64) ([]byte, bool, error) {
	r := f.in
	if h.size < 0 {
		var b []byte
		for {
			chunk, err := r.buffered()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, false, errorAt(r.off, err, "reading box %q", h.typ)
			}
			room := limit - int64(len(b))
			if int64(len(chunk)) > room {
				return nil, false, nil
			}
			b = append(b, chunk...)
			r.consume(len(chunk))
		}
		return append(append([]byte(nil), h.raw...), b...), true, nil
	}
	n := h.size - int64(h.hdrLen)
	if n > limit {
		// Keep nothing: the caller refuses or only reports the size.
		if err := r.copyN(io.Discard, nil, n); err != nil {
			return nil, false, errorAt(r.off, err, "box %q truncated", h.typ)
		}
		return nil, false, nil
	}
	b, _, err := r.readN(nil, n, n)
	if err != nil {
		return nil, false, errorAt(r.off, err, "box %q of %d bytes truncated", h.typ, h.size)
	}
	return append(append([]byte(nil), h.raw...), b...), true, nil
}

// asBox returns the box value of a whole box read by readBox.
func asBox(h *movHeader, b []byte) box {
	return box{typ: h.typ, off: h.start, hdrLen: h.hdrLen, usertype: h.uuid, payload: b[h.hdrLen:]}
}

// put writes b and counts it.
func (f *movFile) put(b []byte) error {
	f.outPos += int64(len(b))
	return f.write(b)
}

// keep writes a kept top-level box, or holds it while the 'moov' waits.
func (f *movFile) keep(h *movHeader, b []byte) error {
	if f.haveMoov && !f.emitted {
		f.pending = append(f.pending, movPending{data: b})
		return nil
	}
	return f.put(b)
}

// drop reads a top-level box that Scrub removes, and reports it.
func (f *movFile) drop(h *movHeader) error {
	r := f.in
	zeros := true
	var n int64
	if h.typ == boxFree || h.typ == boxSkip || h.typ == boxWide {
		// Padding may be large: look at it piece by piece.
		for left := h.size - int64(h.hdrLen); left != 0; {
			b, err := r.buffered()
			if err == io.EOF && h.size < 0 {
				break
			}
			if err != nil {
				return f.truncated(h, err)
			}
			if left > 0 && int64(len(b)) > left {
				b = b[:left]
			}
			for i := 0; zeros && i < len(b); i++ {
				zeros = b[i] == 0
			}
			r.consume(len(b))
			n += int64(len(b))
			left -= int64(len(b))
		}
		if !zeros {
			f.m.add(Other, containerMovie, "Padding", fmt.Sprintf("('%s' box of %d bytes, not all zero)", h.typ, n))
		}
	} else {
		b, complete, err := f.readBox(h, maxMOVBuffered)
		if err != nil {
			return f.truncated(h, err)
		}
		if complete {
			f.reportTop(asBox(h, b))
		} else {
			f.m.add(Other, containerMovie, atomName(h.typ), fmt.Sprintf("(top-level box, %d bytes)", h.size))
		}
	}
	if !f.emitted {
		return nil
	}
	if f.moov.maxRef < h.start {
		return nil // nothing kept lies after it
	}
	if h.size < 0 {
		return errorAt(h.start, ErrUnsupportedFeature, "box %q of size 0 (to the end of the file) before media data", h.typ)
	}
	// Keep the place, not the content.
	var hdr []byte
	if h.large {
		hdr = binary.BigEndian.AppendUint32(nil, 1)
		hdr = append(hdr, "free"...)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(h.size))
	} else {
		hdr = binary.BigEndian.AppendUint32(nil, uint32(h.size))
		hdr = append(hdr, "free"...)
	}
	if err := f.put(hdr); err != nil {
		return err
	}
	return f.putZeros(h.size - int64(len(hdr)))
}

// truncated handles the end of the input inside a box that is removed:
// after the 'moov', it is data after the last box.
func (f *movFile) truncated(h *movHeader, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) && f.haveMoov && (!f.emitted || f.moov.maxRef < h.start) {
		f.m.add(Embedded, containerMovie, "Trailer", fmt.Sprintf("(data after the last box, at offset %d)", h.start))
		return nil
	}
	var be *bmffError
	if errors.As(err, &be) {
		return err
	}
	return errorAt(f.in.off, err, "box %q truncated", h.typ)
}

// flushTrailer reads and reports the data after the last box.
func (f *movFile) flushTrailer() error {
	return f.trailer(containerMovie)
}

// putZeros writes n zero bytes.
func (f *movFile) putZeros(n int64) error {
	var zeros [8 << 10]byte
	for n > 0 {
		k := min(n, int64(len(zeros)))
		if err := f.put(zeros[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// reportTop reports a removed top-level box.
func (f *movFile) reportTop(bx box) {
	switch bx.typ {
	case boxUdta:
		f.m.reportUserData(bx)
	case boxMeta:
		f.m.reportMeta(bx)
	case boxUUID:
		f.m.reportUUID(bx)
	default:
		name := atomName(bx.typ)
		if info, ok := movAtoms[name]; ok {
			f.m.add(info.cat, containerMovie, info.name, fmt.Sprintf("(top-level box '%s', %d bytes)", name, len(bx.payload)))
			return
		}
		f.m.add(Other, containerMovie, name, fmt.Sprintf("(top-level box, %d bytes)", len(bx.payload)))
	}
}

// readMoov rebuilds the 'moov' box and holds it until it can be written.
func (f *movFile) readMoov(h *movHeader, b []byte) error {
	f.haveMoov = true
	mv, err := f.buildMoov(asBox(h, b))
	if err != nil {
		return err
	}
	f.moov = mv
	if f.found && !sameSpans(f.ahead, mv.zero) {
		return errorAt(h.start, nil, "the input changed while it was read")
	}
	// Samples to remove in 'mdat' boxes copied already. Both lists are
	// sorted and disjoint: walk them together.
	if !f.found && !f.scan {
		zs := mv.zero
		for i, j := 0, 0; i < len(f.segs) && j < len(zs); {
			seg, z := f.segs[i], zs[j]
			if s, e := max(z.start, seg.start), min(z.end, seg.end); s < e {
				f.late = append(f.late, movSpan{s, e})
			}
			if z.end < seg.end {
				j++
			} else {
				i++
			}
		}
	}
	f.pending = append(f.pending, movPending{data: mv.b})
	return nil
}

// sameSpans reports whether a and b are equal.
func sameSpans(a, b []movSpan) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// copyMdat copies an 'mdat' box, overwriting the samples of removed tracks
// with zeros.
func (f *movFile) copyMdat(h *movHeader) error {
	if f.haveMoov && !f.emitted {
		if err := f.emit(h.start); err != nil {
			return err
		}
	}
	var zero []movSpan
	switch {
	case f.scan:
	case f.haveMoov:
		zero = f.moov.zero
	default:
		if f.inAt != nil && !f.tried {
			f.readAhead(h)
		}
		zero = f.ahead
	}
	if !f.haveMoov {
		if err := f.flushPending(); err != nil {
			return err
		}
	}
	seg := movSeg{start: h.start, out: f.outPos}
	if err := f.put(h.raw); err != nil {
		return err
	}
	n, err := f.copyZeroing(h.start+int64(h.hdrLen), h.size-int64(h.hdrLen), h.size < 0, zero)
	if err != nil {
		return err
	}
	seg.end = h.start + int64(h.hdrLen) + n
	if len(f.mdats) == maxMOVBoxes {
		return errorAt(h.start, ErrUnsupportedFeature, "more than %d 'mdat' boxes", maxMOVBoxes)
	}
	f.mdats = append(f.mdats, movSpan{seg.start, seg.end})
	if !f.haveMoov {
		f.segs = append(f.segs, seg)
	}
	return nil
}

// flushPending writes the held boxes.
func (f *movFile) flushPending() error {
	for _, p := range f.pending {
		if err := f.put(p.data); err != nil {
			return err
		}
	}
	f.pending = nil
	return nil
}

// copyZeroing copies n bytes (or to the end, if toEnd) that start at input
// offset at, writing zeros over the parts in zero. It returns how many
// bytes it copied.
func (f *movFile) copyZeroing(at, n int64, toEnd bool, zero []movSpan) (int64, error) {
	r := f.in
	// The first span that can overlap.
	i := sort.Search(len(zero), func(i int) bool { return zero[i].end > at })
	var done int64
	for toEnd || done < n {
		if !toEnd && r.br.Buffered() == 0 {
			// A long run without removed samples, between files: let the
			// kernel copy it, as cp does.
			pos := at + done
			for i < len(zero) && zero[i].end <= pos {
				i++
			}
			run := n - done
			if i < len(zero) {
				run = min(run, max(zero[i].start-pos, 0))
			}
			k, err := f.copyFiles(run)
			done += k
			if err != nil {
				return done, err
			}
			if k > 0 {
				continue
			}
		}
		b, err := r.buffered()
		if err == io.EOF && toEnd {
			break
		}
		if err != nil {
			return done, errorAt(r.off, unexpected(err), "'mdat' box truncated")
		}
		if !toEnd && int64(len(b)) > n-done {
			b = b[:n-done]
		}
		pos := at + done
		for len(b) > 0 {
			for i < len(zero) && zero[i].end <= pos {
				i++
			}
			k := int64(len(b))
			inZero := i < len(zero) && zero[i].start <= pos
			switch {
			case inZero:
				k = min(k, zero[i].end-pos)
				if err := f.putZeros(k); err != nil {
					return done, err
				}
			default:
				if i < len(zero) {
					k = min(k, zero[i].start-pos)
				}
				if err := f.put(b[:k]); err != nil {
					return done, err
				}
			}
			r.consume(int(k))
			b = b[k:]
			pos += k
			done += k
		}
	}
	return done, nil
}

// minFileCopy is the shortest run that copyFiles hands to the kernel.
const minFileCopy = 1 << 20

// copyFiles copies the next n bytes from the input file to the output
// file with io.CopyN, which on Linux uses copy_file_range: no copy through
// user space. It does nothing (and returns 0) unless both are *os.File,
// n is at least minFileCopy and the read buffer is empty, so that the
// input file's position is that of the next unread byte.
func (f *movFile) copyFiles(n int64) (int64, error) {
	if f.scan || n < minFileCopy {
		return 0, nil
	}
	src, ok1 := f.src.(*os.File)
	dst, ok2 := f.dst.(*os.File)
	if !ok1 || !ok2 {
		return 0, nil
	}
	if bw, ok := f.out.(*bufio.Writer); ok {
		if err := bw.Flush(); err != nil {
			return 0, &writeError{err}
		}
	}
	k, err := io.CopyN(dst, src, n)
	f.in.off += k
	f.outPos += k
	if err != nil {
		if err == io.EOF {
			return k, errorAt(f.in.off, io.ErrUnexpectedEOF, "'mdat' box truncated")
		}
		return k, errorAt(f.in.off, err, "copying 'mdat'")
	}
	return k, nil
}

// emit writes the held boxes, with the 'moov' whose offsets now have
// their final values: at is the input offset of the 'mdat' that follows
// them (or of the end of the input).
func (f *movFile) emit(at int64) error {
	pos := f.outPos
	for _, p := range f.pending {
		pos += int64(len(p.data))
	}
	f.emitted, f.emitAt, f.delta = true, at, pos-at
	mv := f.moov
	for _, o := range mv.fields {
		v, ok := f.mapOffset(int64(min(o.val, math.MaxInt64)))
		if !ok {
			return errorAt(o.at, ErrUnsupportedFeature, "offset %d points outside the media data ('mdat')", o.val)
		}
		if o.wide {
			binary.BigEndian.PutUint64(mv.b[o.pos:], uint64(v))
		} else {
			if v < 0 || v > math.MaxUint32 {
				return errorAt(o.at, nil, "offset %d moves to %d", o.val, v)
			}
			binary.BigEndian.PutUint32(mv.b[o.pos:], uint32(v))
		}
	}
	return f.flushPending()
}

// mapOffset returns the output offset of the input offset x, which must
// lie in an 'mdat' box.
func (f *movFile) mapOffset(x int64) (int64, bool) {
	if f.emitted && x >= f.emitAt {
		return x + f.delta, true // checked against the 'mdat' boxes in finish
	}
	// The segments are in input order and disjoint.
	i := sort.Search(len(f.segs), func(i int) bool { return f.segs[i].end >= x })
	if i < len(f.segs) && f.segs[i].start <= x {
		s := f.segs[i]
		return s.out + x - s.start, true
	}
	return 0, false
}

// inMdat reports whether x lies in a copied 'mdat' box.
func (f *movFile) inMdat(x int64) bool {
	i := sort.Search(len(f.mdats), func(i int) bool { return f.mdats[i].end >= x })
	return i < len(f.mdats) && f.mdats[i].start <= x
}

// finish checks what could be checked only at the end, and overwrites
// the removed samples that were copied before the 'moov' was read.
func (f *movFile) finish() error {
	mv := f.moov
	for _, o := range mv.fields {
		if int64(min(o.val, math.MaxInt64)) >= f.emitAt && !f.inMdat(int64(min(o.val, math.MaxInt64))) {
			return errorAt(o.at, ErrUnsupportedFeature, "offset %d points outside the media data ('mdat')", o.val)
		}
	}
	for _, z := range mv.zero {
		i := sort.Search(len(f.mdats), func(i int) bool { return f.mdats[i].end > z.start })
		if i == len(f.mdats) || f.mdats[i].start > z.start || f.mdats[i].end < z.end {
			return errorAt(z.start, ErrUnsupportedFeature, "samples of a removed track lie outside the media data ('mdat')")
		}
	}
	if len(f.late) == 0 || f.scan {
		return nil
	}
	if f.outAt == nil {
		return errorAt(f.late[0].start, ErrUnsupportedFeature,
			"timed-metadata samples precede the 'moov' box: scrub from or to a file, which can be read ahead or gone back over")
	}
	if bw, ok := f.out.(*bufio.Writer); ok {
		if err := bw.Flush(); err != nil {
			return &writeError{err}
		}
	}
	var zeros [8 << 10]byte
	for _, z := range f.late {
		out, ok := f.mapOffset(z.start)
		if !ok {
			return errorAt(z.start, nil, "removed samples outside 'mdat'")
		}
		for n := z.end - z.start; n > 0; {
			k := min(n, int64(len(zeros)))
			if _, err := f.outAt.WriteAt(zeros[:k], f.outBase+out); err != nil {
				return &writeError{err}
			}
			out += k
			n -= k
		}
	}
	return nil
}

// readAhead finds the 'moov' box after the 'mdat' box h by reading ahead
// in the input, and learns from it which samples to overwrite.
func (f *movFile) readAhead(h *movHeader) {
	f.tried = true
	if h.size < 0 {
		return
	}
	pos := h.start + h.size
	var hdr [16]byte
	for n := 0; n < maxMOVBoxes; n++ {
		k, _ := f.inAt.ReadAt(hdr[:], f.inBase+pos)
		if k < 8 || !isBoxType(hdr[4:8]) {
			return
		}
		size := int64(binary.BigEndian.Uint32(hdr[:]))
		hl := int64(8)
		switch size {
		case 0:
			return
		case 1:
			if k < 16 {
				return
			}
			u := binary.BigEndian.Uint64(hdr[8:])
			if u > math.MaxInt64-uint64(pos) {
				return
			}
			size, hl = int64(u), 16
		}
		if size < hl {
			return
		}
		switch string(hdr[4:8]) {
		case "moov":
			// Allocate only what the input holds.
			var last [1]byte
			if size > maxMoovSize+hl {
				return
			}
			if k, _ := f.inAt.ReadAt(last[:], f.inBase+pos+size-1); k != 1 {
				return
			}
			b := make([]byte, size)
			if k, _ := f.inAt.ReadAt(b, f.inBase+pos); int64(k) != size {
				return
			}
			// A throwaway report: the 'moov' is reported when it is reached.
			scratch := &movFile{scrubber: &scrubber{rep: new(Report), opts: f.opts, scan: true}}
			scratch.m.rep = scratch.rep
			mv, err := scratch.buildMoov(box{typ: boxMoov, off: pos, hdrLen: int(hl), payload: b[hl:]})
			if err == nil {
				f.ahead, f.found = mv.zero, true
			}
			return
		case "moof", "mfra":
			return
		}
		pos += size
	}
}

// A movTrack is what the first pass over a 'trak' box learns.
type movTrack struct {
	off     int64 // of the 'trak' box
	id      uint32
	handler fourCC
	entry   fourCC // the type of the first sample entry
	remove  string // why the track is removed; "" to keep it
	stbl    box
	hasStbl bool
}

// buildMoov checks and rebuilds a 'moov' box (14496-12 §8.2.1), reporting
// what it removes.
func (f *movFile) buildMoov(moov box) (*movMoov, error) {
	// First pass: the tracks, and which are removed.
	var tracks []*movTrack
	r := newBoxReader(moov.payload, moov.payloadOff(), false)
	for {
		c, ok := r.next()
		if !ok {
			break
		}
		switch c.typ {
		case boxMvex:
			return nil, errorAt(c.off, ErrUnsupportedFeature, "fragmented movie ('mvex' box)")
		case boxTrak:
			t, err := parseTrack(c)
			if err != nil {
				return nil, err
			}
			tracks = append(tracks, t)
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	mv := &movMoov{maxRef: -1}
	removed := make(map[uint32]bool)
	byOff := make(map[int64]*movTrack)
	for _, t := range tracks {
		byOff[t.off] = t
		if t.remove == "" {
			continue
		}
		removed[t.id] = true
		spans, n, err := trackSpans(t)
		if err != nil {
			return nil, err
		}
		mv.zero = append(mv.zero, spans...)
		cat := Embedded
		switch t.entry {
		case fourCC{'g', 'p', 'm', 'd'}, fourCC{'c', 'a', 'm', 'm'}, fourCC{'d', 'j', 'm', 'd'}:
			cat = Location
		case fourCC{'t', 'm', 'c', 'd'}:
			cat = Time
		}
		f.m.add(cat, containerMovie, "TimedMetadataTrack", fmt.Sprintf("(track %d, %s, handler '%s', sample entry '%s', %d bytes of samples)", t.id, t.remove, t.handler, t.entry, n))
	}
	mv.zero = mergeSpans(mv.zero)

	// Second pass: write the new box.
	w := &boxWriter{}
	w.start(boxMoov)
	r = newBoxReader(moov.payload, moov.payloadOff(), false)
	for {
		c, ok := r.next()
		if !ok {
			break
		}
		switch c.typ {
		case boxMvhd:
			f.copyTimes(w, c, "mvhd", 0)
		case boxTrak:
			t := byOff[c.off]
			if t.remove == "" {
				if err := f.writeTrack(w, mv, c, t, removed); err != nil {
					return nil, err
				}
			}
		default:
			f.writeOther(w, c)
		}
	}
	w.end()
	if w.err != nil {
		return nil, errorAt(moov.off, ErrUnsupportedFeature, "%v", w.err)
	}
	// A kept chunk that starts in removed samples would lose bytes.
	for _, o := range mv.fields {
		v := int64(min(o.val, math.MaxInt64))
		mv.maxRef = max(mv.maxRef, v)
		i := sort.Search(len(mv.zero), func(i int) bool { return mv.zero[i].end > v })
		if i < len(mv.zero) && mv.zero[i].start <= v {
			return nil, errorAt(o.at, ErrUnsupportedFeature, "a kept track shares media data with a removed metadata track")
		}
	}
	mv.b = w.b
	return mv, nil
}

// writeOther writes a child of 'moov', 'trak', 'mdia' or 'minf' that has
// no rule of its own: metadata goes, anything else is copied.
func (f *movFile) writeOther(w *boxWriter, c box) {
	switch c.typ {
	case boxUdta:
		f.m.reportUserData(c)
		f.keepUserData(w, c)
	case boxMeta:
		f.m.reportMeta(c)
	case boxUUID:
		f.m.reportUUID(c)
	case boxFree, boxSkip, boxWide:
		for _, b := range c.payload {
			if b != 0 {
				f.m.add(Other, containerMovie, "Padding", fmt.Sprintf("('%s' box of %d bytes, not all zero)", c.typ, len(c.payload)))
				break
			}
		}
	default:
		w.copyBox(c)
	}
}

// keepUserData writes the children of a 'udta' box that a player uses, if
// it has any.
func (f *movFile) keepUserData(w *boxWriter, c box) {
	var kept []box
	r := newBoxReader(c.payload, c.payloadOff(), false)
	for {
		k, ok := r.next()
		if !ok {
			break
		}
		if isMOVKeptUserData(k.typ) {
			kept = append(kept, k)
		}
	}
	if len(kept) == 0 || r.err != nil {
		return
	}
	w.start(boxUdta)
	for _, k := range kept {
		w.copyBox(k)
	}
	w.end()
}

// copyTimes copies a movie, track or media header (14496-12 §8.2.2,
// §8.3.2, §8.4.2) with its creation and modification times set to 0;
// they are the first fields after the version and flags, 32 bits each in
// version 0 and 64 bits in version 1.
func (f *movFile) copyTimes(w *boxWriter, c box, name string, track uint32) {
	w.copyBox(c)
	p := w.b[len(w.b)-len(c.payload):]
	if len(p) < 4 {
		return
	}
	size := 4
	if p[0] == 1 {
		size = 8
	}
	if len(p) < 4+2*size {
		return
	}
	container := containerMovie + " " + name
	if track != 0 {
		container += fmt.Sprintf(" (track %d)", track)
	}
	for i, tag := range []string{"CreationTime", "ModificationTime"} {
		field := p[4+i*size : 4+(i+1)*size]
		var v uint64
		for _, b := range field {
			v = v<<8 | uint64(b)
		}
		if v != 0 {
			f.m.add(Time, container, tag, movTime(v))
			clear(field)
		}
	}
}

// parseTrack reads what the first pass needs of a 'trak' box.
func parseTrack(trak box) (*movTrack, error) {
	t := &movTrack{off: trak.off}
	r := newBoxReader(trak.payload, trak.payloadOff(), false)
	for {
		c, ok := r.next()
		if !ok {
			break
		}
		switch c.typ {
		case boxTkhd:
			cur := newCursor(c)
			v, _ := cur.fullBox()
			if v == 1 {
				cur.take(16)
			} else {
				cur.take(8)
			}
			t.id = cur.u32()
			if cur.err != nil {
				return nil, cur.err
			}
		case boxMdia:
			if err := t.parseMedia(c); err != nil {
				return nil, err
			}
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if why, ok := movMetadataEntries[t.entry]; ok {
		t.remove = why
	} else if why, ok := movMetadataHandlers[t.handler]; ok {
		t.remove = why
	}
	return t, nil
}

// parseMedia reads the handler and sample table of a 'mdia' box.
func (t *movTrack) parseMedia(mdia box) error {
	r := newBoxReader(mdia.payload, mdia.payloadOff(), false)
	for {
		c, ok := r.next()
		if !ok {
			break
		}
		switch c.typ {
		case boxHdlr:
			h, err := handlerType(newCursor(c))
			if err != nil {
				return err
			}
			t.handler = h
		case boxMinf:
			mr := newBoxReader(c.payload, c.payloadOff(), false)
			for {
				m, ok := mr.next()
				if !ok {
					break
				}
				switch m.typ {
				case boxStbl:
					t.stbl, t.hasStbl = m, true
					sr := newBoxReader(m.payload, m.payloadOff(), false)
					for {
						s, ok := sr.next()
						if !ok {
							break
						}
						if s.typ == boxStsd {
							cur := newCursor(s)
							cur.fullBox()
							if cur.u32() > 0 {
								cur.u32() // size of the first entry
								t.entry = cur.fourCC()
							}
						}
					}
					if sr.err != nil {
						return sr.err
					}
				case boxDinf:
					if err := checkDinf(m); err != nil {
						return err
					}
				}
			}
			if mr.err != nil {
				return mr.err
			}
		}
	}
	return r.err
}

// checkDinf refuses media in another file: a data reference (14496-12
// §8.7.2) whose flags do not say "in this file" and that names a place.
func checkDinf(dinf box) error {
	r := newBoxReader(dinf.payload, dinf.payloadOff(), false)
	for {
		c, ok := r.next()
		if !ok {
			break
		}
		if c.typ != boxDref {
			continue
		}
		cur := newCursor(c)
		cur.fullBox()
		n := cur.u32()
		if cur.err != nil {
			return cur.err
		}
		er := newBoxReader(c.payload[8:], c.payloadOff()+8, false)
		for i := uint32(0); i < n; i++ {
			e, ok := er.next()
			if !ok {
				break
			}
			if len(e.payload) > 4 && e.payload[3]&1 == 0 {
				return errorAt(e.off, ErrUnsupportedFeature, "media data in another file ('%s' data reference)", e.typ)
			}
		}
	}
	return r.err
}

// writeTrack writes a kept 'trak' box.
func (f *movFile) writeTrack(w *boxWriter, mv *movMoov, trak box, t *movTrack, removed map[uint32]bool) error {
	w.start(boxTrak)
	r := newBoxReader(trak.payload, trak.payloadOff(), false)
	for {
		c, ok := r.next()
		if !ok {
			break
		}
		switch c.typ {
		case boxTkhd:
			f.copyTimes(w, c, "tkhd", t.id)
		case boxTref:
			writeTref(w, c, removed)
		case boxMdia:
			if err := f.writeContainer(w, mv, c, t); err != nil {
				return err
			}
		default:
			f.writeOther(w, c)
		}
	}
	w.end()
	return r.err
}

// writeTref writes a track reference box (14496-12 §8.3.3) without the
// references to removed tracks; a reference left with no track goes.
func writeTref(w *boxWriter, tref box, removed map[uint32]bool) {
	var kept []box
	var ids [][]uint32
	r := newBoxReader(tref.payload, tref.payloadOff(), false)
	for {
		c, ok := r.next()
		if !ok {
			break
		}
		var keep []uint32
		for i := 0; i+4 <= len(c.payload); i += 4 {
			if id := binary.BigEndian.Uint32(c.payload[i:]); !removed[id] {
				keep = append(keep, id)
			}
		}
		if len(keep) > 0 {
			kept = append(kept, c)
			ids = append(ids, keep)
		}
	}
	if len(kept) == 0 {
		return
	}
	w.start(boxTref)
	for i, c := range kept {
		w.start(c.typ)
		for _, id := range ids[i] {
			w.u32(id)
		}
		w.end()
	}
	w.end()
}

// writeContainer writes a 'mdia', 'minf' or 'stbl' box of a kept track.
func (f *movFile) writeContainer(w *boxWriter, mv *movMoov, bx box, t *movTrack) error {
	w.start(bx.typ)
	r := newBoxReader(bx.payload, bx.payloadOff(), false)
	for {
		c, ok := r.next()
		if !ok {
			break
		}
		switch {
		case c.typ == boxMdhd:
			f.copyTimes(w, c, "mdhd", t.id)
		case c.typ == boxMinf || c.typ == boxStbl:
			if err := f.writeContainer(w, mv, c, t); err != nil {
				return err
			}
		case bx.typ == boxStbl && c.typ == boxStsd && t.handler == handlerVide:
			if err := f.writeStsd(w, c); err != nil {
				return err
			}
		case bx.typ == boxStbl && (c.typ == boxStco || c.typ == boxCo64 || c.typ == boxSaio):
			if err := writeOffsets(w, mv, c); err != nil {
				return err
			}
		case bx.typ == boxStbl:
			w.copyBox(c) // sample tables are copied as they are, even 'udta'-like names
		default:
			f.writeOther(w, c)
		}
	}
	w.end()
	return r.err
}

// handlerVide is the handler type of a video track (14496-12 §8.4.3).
var handlerVide = fourCC{'v', 'i', 'd', 'e'}

// visualEntryFields is the size of the fields of a visual sample entry
// before its boxes (14496-12 §12.1.3.2; QTFF "Video sample description"):
// the sample entry's reserved bytes and data reference index, then
// version, sizes, resolutions, frame count, compressor name and depth.
const visualEntryFields = 8 + 70

// writeStsd writes the sample description box (14496-12 §8.5.2) of a
// video track. A colour box ('colr') in a visual sample entry that holds
// an ICC profile is written by writeColr, sanitised like a photo's (or
// dropped with DropColorProfile); everything else is copied. The entries
// of a description without such a box, or whose boxes do not parse, are
// copied as they are.
func (f *movFile) writeStsd(w *boxWriter, stsd box) error {
	cur := newCursor(stsd)
	version, flags := cur.fullBox()
	n := cur.u32()
	if cur.err != nil || !bytes.Contains(stsd.payload, []byte("colr")) {
		w.copyBox(stsd)
		return nil
	}
	var sw boxWriter
	sw.startFull(boxStsd, version, flags)
	sw.u32(n)
	r := newBoxReader(cur.take(cur.left()), cur.off(), false)
	for {
		e, ok := r.next()
		if !ok {
			break
		}
		if err := f.writeVisualEntry(&sw, e); err != nil {
			return err
		}
	}
	if r.err != nil || sw.err != nil {
		w.copyBox(stsd)
		return nil
	}
	sw.end()
	w.bytes(sw.b)
	return nil
}

// writeVisualEntry writes one visual sample entry, with any ICC profile in
// its 'colr' box sanitised.
func (f *movFile) writeVisualEntry(w *boxWriter, e box) error {
	if len(e.payload) < visualEntryFields || e.typ == boxUUID {
		w.copyBox(e)
		return nil
	}
	r := newBoxReader(e.payload[visualEntryFields:], e.payloadOff()+visualEntryFields, false)
	var children []box
	for {
		c, ok := r.next()
		if !ok {
			break
		}
		children = append(children, c)
	}
	if r.err != nil {
		w.copyBox(e) // not boxes (QuickTime allows a zero terminator): nothing to rebuild
		return nil
	}
	w.start(e.typ)
	w.bytes(e.payload[:visualEntryFields])
	for _, c := range children {
		if c.typ != propColr || !isICC(c) {
			w.copyBox(c)
			continue
		}
		if f.opts.DropColorProfile {
			f.rep.add(Other, "ICC_Profile", "ICC_Profile", fmt.Sprintf("(%d bytes)", len(c.payload)))
			continue
		}
		var cw boxWriter
		cw.start(propColr)
		keep, err := writeColr(f.rep, "QuickTime colr", &cw, newCursor(c))
		if err != nil {
			return errorAt(c.off, ErrUnsupportedFeature, "'colr' ICC profile: %v", err)
		}
		if keep {
			cw.end()
			w.bytes(cw.b)
		}
	}
	w.end()
	return nil
}

// writeOffsets copies a chunk offset box ('stco', 'co64': 14496-12
// §8.7.5) or a sample auxiliary information offsets box ('saio', §8.7.9,
// whose offsets are absolute in a 'trak'), noting where each offset is.
func writeOffsets(w *boxWriter, mv *movMoov, c box) error {
	cur := newCursor(c)
	version, flags := cur.fullBox()
	wide := c.typ == boxCo64
	if c.typ == boxSaio {
		if flags&1 != 0 {
			cur.take(8) // aux_info_type, aux_info_type_parameter
		}
		wide = version != 0
	}
	n := cur.u32()
	if cur.err != nil {
		return cur.err
	}
	size := 4
	if wide {
		size = 8
	}
	if uint64(n)*uint64(size) > uint64(cur.left()) {
		return errorAt(c.off, nil, "%q box of %d bytes cannot hold %d offsets", c.typ, len(c.payload), n)
	}
	start := cur.pos
	w.copyBox(c)
	base := len(w.b) - len(c.payload)
	for i := 0; i < int(n); i++ {
		at := start + i*size
		var v uint64
		if wide {
			v = binary.BigEndian.Uint64(c.payload[at:])
		} else {
			v = uint64(binary.BigEndian.Uint32(c.payload[at:]))
		}
		mv.fields = append(mv.fields, movOffset{pos: base + at, wide: wide, val: v, at: c.payloadOff() + int64(at)})
	}
	return nil
}

// trackSpans returns the byte ranges of a track's samples, from its
// sample-to-chunk, sample size and chunk offset tables (14496-12 §8.7.3
// to §8.7.5), and their total size. Every count is checked against the
// bytes of its table before it is used.
func trackSpans(t *movTrack) ([]movSpan, int64, error) {
	if !t.hasStbl {
		return nil, 0, nil
	}
	var stsc, stsz, stco box
	var haveStsc, haveStsz, haveStco bool
	r := newBoxReader(t.stbl.payload, t.stbl.payloadOff(), false)
	for {
		c, ok := r.next()
		if !ok {
			break
		}
		switch c.typ {
		case boxStsc:
			stsc, haveStsc = c, true
		case boxStsz, boxStz2:
			stsz, haveStsz = c, true
		case boxStco, boxCo64:
			stco, haveStco = c, true
		}
	}
	if r.err != nil {
		return nil, 0, r.err
	}
	if !haveStco {
		return nil, 0, nil
	}
	if !haveStsc || !haveStsz {
		return nil, 0, errorAt(t.stbl.off, nil, "sample table of track %d without 'stsc' or 'stsz'", t.id)
	}
	// Chunk offsets.
	oc := newCursor(stco)
	oc.fullBox()
	nChunks := oc.u32()
	osize := 4
	if stco.typ == boxCo64 {
		osize = 8
	}
	if oc.err != nil || uint64(nChunks)*uint64(osize) > uint64(oc.left()) {
		return nil, 0, errorAt(stco.off, io.ErrUnexpectedEOF, "%q box cannot hold %d offsets", stco.typ, nChunks)
	}
	// Sample sizes: one size for all, or a table of 4-, 8- or 16-bit sizes.
	sc := newCursor(stsz)
	sc.fullBox()
	var fixed uint64
	fieldBits := 32
	if stsz.typ == boxStz2 {
		sc.take(3)
		fieldBits = int(sc.u8())
		if fieldBits != 4 && fieldBits != 8 && fieldBits != 16 {
			return nil, 0, errorAt(stsz.off, nil, "'stz2' field size %d", fieldBits)
		}
	} else {
		fixed = uint64(sc.u32())
	}
	nSamples := uint64(sc.u32())
	if sc.err != nil {
		return nil, 0, sc.err
	}
	table := sc.b[sc.pos:]
	if fixed == 0 && nSamples*uint64(fieldBits) > uint64(len(table))*8 {
		return nil, 0, errorAt(stsz.off, io.ErrUnexpectedEOF, "%q box cannot hold %d sample sizes", stsz.typ, nSamples)
	}
	sampleSize := func(i uint64) uint64 {
		if fixed != 0 {
			return fixed
		}
		switch fieldBits {
		case 4:
			b := table[i/2]
			if i%2 == 0 {
				return uint64(b >> 4)
			}
			return uint64(b & 15)
		case 8:
			return uint64(table[i])
		case 16:
			return uint64(binary.BigEndian.Uint16(table[2*i:]))
		}
		return uint64(binary.BigEndian.Uint32(table[4*i:]))
	}
	// Sample to chunk: runs of chunks with the same number of samples.
	cc := newCursor(stsc)
	cc.fullBox()
	nRuns := cc.u32()
	if cc.err != nil || uint64(nRuns)*12 > uint64(cc.left()) {
		return nil, 0, errorAt(stsc.off, io.ErrUnexpectedEOF, "'stsc' box cannot hold %d entries", nRuns)
	}
	type run struct{ first, perChunk uint32 }
	runs := make([]run, nRuns)
	for i := range runs {
		runs[i] = run{cc.u32(), cc.u32()}
		cc.u32() // sample_description_index
		if runs[i].first == 0 || i > 0 && runs[i].first <= runs[i-1].first {
			return nil, 0, errorAt(stsc.off, nil, "'stsc' entry %d starts at chunk %d", i, runs[i].first)
		}
	}
	var spans []movSpan
	var sample, total uint64
	ri := 0
	for chunk := uint32(1); chunk <= nChunks; chunk++ {
		for ri+1 < len(runs) && runs[ri+1].first <= chunk {
			ri++
		}
		if len(runs) == 0 || runs[ri].first > chunk {
			return nil, 0, errorAt(stsc.off, nil, "'stsc' does not cover chunk %d", chunk)
		}
		per := uint64(runs[ri].perChunk)
		if sample+per > nSamples {
			return nil, 0, errorAt(stsc.off, nil, "track %d: chunks hold more samples than 'stsz' lists", t.id)
		}
		var size uint64
		if fixed != 0 {
			size = per * fixed
		} else {
			for i := sample; i < sample+per; i++ {
				size += sampleSize(i)
			}
		}
		sample += per
		at := chunk - 1
		var off uint64
		if osize == 8 {
			off = binary.BigEndian.Uint64(oc.b[oc.pos+8*int(at):])
		} else {
			off = uint64(binary.BigEndian.Uint32(oc.b[oc.pos+4*int(at):]))
		}
		if off > math.MaxInt64/2 || size > math.MaxInt64/2 {
			return nil, 0, errorAt(stco.off, nil, "track %d: chunk %d at offset %d of %d bytes", t.id, chunk, off, size)
		}
		total = min(total+size, math.MaxInt64)
		if size > 0 {
			spans = append(spans, movSpan{int64(off), int64(off + size)})
		}
	}
	return spans, int64(min(total, math.MaxInt64)), nil
}

// mergeSpans sorts spans and joins those that overlap or touch.
func mergeSpans(s []movSpan) []movSpan {
	sort.Slice(s, func(i, j int) bool { return s[i].start < s[j].start })
	var out []movSpan
	for _, x := range s {
		if n := len(out); n > 0 && x.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, x.end)
			continue
		}
		out = append(out, x)
	}
	return out
}
