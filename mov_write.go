package exifscrub

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/heif"
	"github.com/exifscrub/exifscrub/internal/mp4"
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

// A movSpan is a range of input offsets, [Start, End).
type movSpan = mp4.Span

// A movSeg is an 'mdat' box copied to the output: its input range and
// output offset, and where its payload starts.
type movSeg struct{ start, end, out, data int64 }

// A movHeader is the header of a top-level box.
type movHeader struct {
	typ    bmff.FourCC
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
	// liveWritten says the 'moov' has its Live Photo content identifier
	// (writeLiveMeta).
	liveWritten bool

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
	tried   bool       // read ahead already
	found   bool       // and found the 'moov'
	ahead   []movSpan  // removed samples found by reading ahead
	aheadM  *mp4.Media // and what the media data holds
	aheadE  error      // or why the input is malformed, seen ahead

	cues   map[int64]cueCheck // text tracks' cues, by 'trak' offset (mov_text.go)
	sample []byte             // the coded sample being neutralised (mov_media.go)
	omit   mp4.Log            // what the index rebuild left out, to report (mov_index.go)
}

// A movPending is a top-level box held until the 'moov' is written.
type movPending struct {
	data []byte // what to write; nil for a box that is removed
}

// A movMoov is a rebuilt 'moov' box waiting for its offsets.
type movMoov struct {
	b      []byte
	fields []mp4.Offset // chunk and 'saio' offsets, at their place in b
	zero   []movSpan    // samples of removed tracks, sorted, disjoint
	maxRef int64        // the largest offset a kept track points to; -1 for none
	media  *mp4.Media   // what the media data holds (mov_media.go)
}

func scrubMOV(s *scrubber) error {
	f := &movFile{scrubber: s, m: movReport{rep: s.rep}, cues: make(map[int64]cueCheck)}
	if !s.scan {
		if wa, ok := s.dst.(io.WriterAt); ok {
			if sk, ok := s.dst.(io.Seeker); ok {
				if pos, err := sk.Seek(0, io.SeekCurrent); err == nil {
					f.outAt, f.outBase = wa, pos
				}
			}
		}
	}
	// Scan reads ahead too: what the samples hold is known only from the
	// index.
	if ra, ok := s.src.(io.ReaderAt); ok {
		if sk, ok := s.src.(io.Seeker); ok {
			if pos, err := sk.Seek(0, io.SeekCurrent); err == nil {
				f.inAt, f.inBase = ra, pos-int64(s.in.br.Buffered())-s.in.off
			}
		}
	}
	err := f.run()
	if err != nil {
		var be *bmff.Error
		if errors.As(err, &be) {
			if be.Err == mp4.ErrUnsupported {
				return s.formatError(be.Offset, be.Reason, ErrUnsupportedFeature)
			}
			return s.formatError(be.Offset, be.Reason, be.Err)
		}
		var he *heif.Error // from the decoder configurations (heif.RebuildProperty)
		if errors.As(err, &he) {
			return s.heifError(he)
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
			return bmff.ErrorAt(r.off, ErrUnsupportedFeature, "more than %d top-level boxes", maxMOVBoxes)
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
				return bmff.ErrorAt(r.off, nil, "not a QuickTime or ISO base media box")
			}
			if err := f.flushTrailer(); err != nil {
				return err
			}
			break
		}
		switch h.typ {
		case bmff.BoxFtyp:
			if f.haveFtyp {
				return bmff.ErrorAt(h.start, nil, "second 'ftyp' box")
			}
			f.haveFtyp = true
			b, complete, err := f.readBox(h, 1<<20)
			if err != nil {
				return err
			}
			if !complete {
				return bmff.ErrorAt(h.start, nil, "'ftyp' box of %d bytes", h.size)
			}
			if err := f.keep(h, b); err != nil {
				return err
			}
		case bmff.BoxMoov:
			if f.haveMoov {
				return bmff.ErrorAt(h.start, nil, "second 'moov' box")
			}
			if h.size-int64(h.hdrLen) > maxMoovSize {
				return bmff.ErrorAt(h.start, ErrUnsupportedFeature, "'moov' box larger than %d bytes", maxMoovSize)
			}
			b, complete, err := f.readBox(h, maxMoovSize)
			if err != nil {
				return err
			}
			if !complete {
				return bmff.ErrorAt(h.start, ErrUnsupportedFeature, "'moov' box larger than %d bytes", maxMoovSize)
			}
			if err := f.readMoov(h, b); err != nil {
				return err
			}
		case bmff.BoxMdat:
			if err := f.copyMdat(h); err != nil {
				return err
			}
		case bmff.BoxMoof, bmff.BoxMfra, mp4.BoxSidx, mp4.BoxSsix, mp4.BoxStyp:
			return bmff.ErrorAt(h.start, ErrUnsupportedFeature, "fragmented movie (%q box)", h.typ)
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
		return bmff.ErrorAt(r.off, nil, "no 'moov' box")
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
	ph, ok := mp4.PeekHeader(b, r.off)
	if !ok {
		return nil, true, nil
	}
	h := &movHeader{typ: ph.Type, start: r.off, size: ph.Size, large: ph.Large, hdrLen: ph.HdrLen}
	raw, err := r.next(h.hdrLen)
	if err != nil {
		return nil, false, bmff.ErrorAt(h.start, err, "box %q header truncated", h.typ)
	}
	h.raw = append([]byte(nil), raw...)
	if h.typ == bmff.BoxUUID {
		copy(h.uuid[:], h.raw[h.hdrLen-16:])
	}
	return h, true, nil
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
				return nil, false, bmff.ErrorAt(r.off, err, "reading box %q", h.typ)
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
			return nil, false, bmff.ErrorAt(r.off, err, "box %q truncated", h.typ)
		}
		return nil, false, nil
	}
	b, err := r.appendN(append([]byte(nil), h.raw...), n)
	if err != nil {
		return nil, false, bmff.ErrorAt(r.off, err, "box %q of %d bytes truncated", h.typ, h.size)
	}
	return b, true, nil
}

// asBox returns the box value of a whole box read by readBox.
func asBox(h *movHeader, b []byte) bmff.Box {
	return bmff.Box{Type: h.typ, Offset: h.start, HeaderLen: h.hdrLen, UserType: h.uuid, Payload: b[h.hdrLen:]}
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
	if h.typ == bmff.BoxFree || h.typ == bmff.BoxSkip || h.typ == mp4.BoxWide {
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
			f.m.add(Embedded, containerMovie, "Padding", fmt.Sprintf("('%s' box of %d bytes, not all zero)", h.typ, n))
		}
	} else {
		b, complete, err := f.readBox(h, maxMOVBuffered)
		if err != nil {
			return f.truncated(h, err)
		}
		if complete {
			if kept, ok := f.keepTop(asBox(h, b)); ok {
				if kept != nil {
					return f.keepInPlace(h, kept)
				}
			} else {
				f.reportTop(asBox(h, b))
			}
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
		return bmff.ErrorAt(h.start, ErrUnsupportedFeature, "box %q of size 0 (to the end of the file) before media data", h.typ)
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
	var be *bmff.Error
	if errors.As(err, &be) {
		return err
	}
	return bmff.ErrorAt(f.in.off, err, "box %q truncated", h.typ)
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
func (f *movFile) reportTop(bx bmff.Box) {
	switch bx.Type {
	case boxUdta:
		f.m.reportUserData(bx)
	case bmff.BoxMeta:
		f.m.reportMeta(bx)
	case bmff.BoxUUID:
		f.m.reportUUID(bx)
	default:
		name := atomName(bx.Type)
		if info, ok := movAtoms[name]; ok {
			f.m.add(info.cat, containerMovie, info.name, fmt.Sprintf("(top-level box '%s', %d bytes)", name, len(bx.Payload)))
			return
		}
		f.m.add(Other, containerMovie, name, fmt.Sprintf("(top-level box, %d bytes)", len(bx.Payload)))
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
	if f.found && (!mp4.SameSpans(f.ahead, mv.zero) || !mp4.SameMedia(f.aheadM, mv.media)) {
		return bmff.ErrorAt(h.start, nil, "the input changed while it was read")
	}
	if f.found {
		mv.media = f.aheadM // one plan counts what the samples held
	}
	// Samples to remove in 'mdat' boxes copied already. Both lists are
	// sorted and disjoint: walk them together.
	if !f.found && !f.scan {
		zs := mv.zero
		for i, j := 0, 0; i < len(f.segs) && j < len(zs); {
			seg, z := f.segs[i], zs[j]
			if s, e := max(z.Start, seg.start), min(z.End, seg.end); s < e {
				f.late = append(f.late, movSpan{Start: s, End: e})
			}
			if z.End < seg.end {
				j++
			} else {
				i++
			}
		}
	}
	f.pending = append(f.pending, movPending{data: mv.b})
	return nil
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
	var media *mp4.Media
	switch {
	case f.haveMoov:
		zero, media = f.moov.zero, f.moov.media
	default:
		if f.inAt != nil && !f.tried {
			f.readAhead(h)
		}
		zero, media = f.ahead, f.aheadM
	}
	if !f.scan && !f.haveMoov && !f.found && f.inAt != nil && f.outAt == nil {
		// The input can be read ahead, yet no index was found ahead, and
		// the output cannot be gone back over: copying this media data
		// would write bytes that are known to be scrubbed only later (the
		// samples of removed tracks, bytes no sample references). Fail
		// before writing them, so that a streamed output holds only
		// scrubbed bytes.
		if f.aheadE != nil {
			return f.aheadE
		}
		return bmff.ErrorAt(h.start, ErrUnsupportedFeature,
			"media data precedes a 'moov' box that could not be read ahead, and the output cannot be gone back over: scrub to a file")
	}
	if !f.haveMoov {
		if err := f.flushPending(); err != nil {
			return err
		}
	}
	seg := movSeg{start: h.start, out: f.outPos, data: h.start + int64(h.hdrLen)}
	if err := f.put(h.raw); err != nil {
		return err
	}
	n, err := f.copyZeroing(h.start+int64(h.hdrLen), h.size-int64(h.hdrLen), h.size < 0, zero, media)
	if err != nil {
		return err
	}
	seg.end = h.start + int64(h.hdrLen) + n
	if len(f.mdats) == maxMOVBoxes {
		return bmff.ErrorAt(h.start, ErrUnsupportedFeature, "more than %d 'mdat' boxes", maxMOVBoxes)
	}
	f.mdats = append(f.mdats, movSpan{Start: seg.start, End: seg.end})
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
// offset at, writing zeros over the parts in zero and, when the index is
// known (media not nil), over the bytes no kept sample references, and
// neutralising coded samples (mov_media.go). It returns how many bytes it
// copied.
func (f *movFile) copyZeroing(at, n int64, toEnd bool, zero []movSpan, media *mp4.Media) (int64, error) {
	r := f.in
	limit := at + n
	if toEnd {
		limit = math.MaxInt64
	}
	var done int64
	for toEnd || done < n {
		pos := at + done
		kind, end, c := media.Region(pos, limit, zero)
		if kind == mp4.Coded {
			k, ok := c.SampleAt(pos)
			if ok && pos+k <= end && k <= maxMOVSample {
				got, err := f.codedSample(c, k, toEnd)
				done += got
				if err != nil || got < k {
					return done, err // the end of the input, toEnd
				}
				continue
			}
			if ok && k > maxMOVSample {
				return done, tooLargeSample(pos, k, c)
			}
			kind, end = mp4.Copy, min(end, pos+k)
		}
		if kind == mp4.Copy && !toEnd && r.br.Buffered() == 0 {
			// A long run of samples copied as they are, between files:
			// let the kernel copy it, as cp does.
			k, err := f.copyFiles(end - pos)
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
			return done, bmff.ErrorAt(r.off, unexpected(err), "'mdat' box truncated")
		}
		if int64(len(b)) > end-pos {
			b = b[:end-pos]
		}
		switch kind {
		case mp4.Copy:
			err = f.put(b)
		case mp4.Gap:
			if !bytesAreZero(b) {
				for _, x := range b {
					if x != 0 {
						media.Gaps++
					}
				}
			}
			err = f.putZeros(int64(len(b)))
		default:
			err = f.putZeros(int64(len(b)))
		}
		if err != nil {
			return done, err
		}
		r.consume(len(b))
		done += int64(len(b))
	}
	return done, nil
}

// tooLargeSample refuses a coded sample of k bytes at offset pos that is
// too large to read and check.
func tooLargeSample(pos, k int64, c *mp4.CodedChunk) error {
	return bmff.ErrorAt(pos, ErrUnsupportedFeature, "track %d: a sample of %d bytes, more than the %d MB read to check one", c.Track.ID, k, maxMOVSample>>20)
}

// codedSample reads a sample of k bytes of chunk c, neutralises it and
// writes it. With toEnd, the input may end first: what there is of the
// sample is copied as it is.
func (f *movFile) codedSample(c *mp4.CodedChunk, k int64, toEnd bool) (int64, error) {
	r := f.in
	buf := f.sample[:0]
	for int64(len(buf)) < k {
		b, err := r.buffered()
		if err == io.EOF && toEnd {
			f.sample = buf
			return int64(len(buf)), f.put(buf)
		}
		if err != nil {
			return int64(len(buf)), bmff.ErrorAt(r.off, unexpected(err), "'mdat' box truncated")
		}
		b = b[:min(int64(len(b)), k-int64(len(buf)))]
		buf = append(buf, b...)
		r.consume(len(b))
	}
	f.sample = buf
	c.Neutralize(buf)
	return k, f.put(buf)
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
	src, dst, ok := files(f.src, f.dst)
	if !ok {
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
			return k, bmff.ErrorAt(f.in.off, io.ErrUnexpectedEOF, "'mdat' box truncated")
		}
		return k, bmff.ErrorAt(f.in.off, err, "copying 'mdat'")
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
		v, ok := f.mapOffset(int64(min(o.Val, math.MaxInt64)))
		if !ok {
			return bmff.ErrorAt(o.At, ErrUnsupportedFeature, "offset %d points outside the media data ('mdat')", o.Val)
		}
		if o.Wide {
			binary.BigEndian.PutUint64(mv.b[o.Pos:], uint64(v))
		} else {
			if v < 0 || v > math.MaxUint32 {
				return bmff.ErrorAt(o.At, nil, "offset %d moves to %d", o.Val, v)
			}
			binary.BigEndian.PutUint32(mv.b[o.Pos:], uint32(v))
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
	i := sort.Search(len(f.mdats), func(i int) bool { return f.mdats[i].End >= x })
	return i < len(f.mdats) && f.mdats[i].Start <= x
}

// finish checks what could be checked only at the end, and overwrites
// the removed samples that were copied before the 'moov' was read.
func (f *movFile) finish() error {
	mv := f.moov
	for _, o := range mv.fields {
		if int64(min(o.Val, math.MaxInt64)) >= f.emitAt && !f.inMdat(int64(min(o.Val, math.MaxInt64))) {
			return bmff.ErrorAt(o.At, ErrUnsupportedFeature, "offset %d points outside the media data ('mdat')", o.Val)
		}
	}
	for _, z := range mv.zero {
		i := sort.Search(len(f.mdats), func(i int) bool { return f.mdats[i].End > z.Start })
		if i == len(f.mdats) || f.mdats[i].Start > z.Start || f.mdats[i].End < z.End {
			return bmff.ErrorAt(z.Start, ErrUnsupportedFeature, "samples of a removed track lie outside the media data ('mdat')")
		}
	}
	defer reportMedia(mv.media, &f.m)
	if f.scan && !f.found && len(f.segs) > 0 && f.needsPass() {
		f.m.add(Embedded, containerMovie, "MediaData", "(not checked: the index follows the media data, and the input cannot be read again)")
	}
	if f.scan {
		return nil
	}
	if !f.found && len(f.segs) > 0 {
		if err := f.latePass(); err != nil {
			return err
		}
	}
	if len(f.late) == 0 {
		return nil
	}
	if f.outAt == nil {
		return bmff.ErrorAt(f.late[0].Start, ErrUnsupportedFeature,
			"timed-metadata samples precede the 'moov' box: scrub from or to a file, which can be read ahead or gone back over")
	}
	if bw, ok := f.out.(*bufio.Writer); ok {
		if err := bw.Flush(); err != nil {
			return &writeError{err}
		}
	}
	var zeros [8 << 10]byte
	for _, z := range f.late {
		out, ok := f.mapOffset(z.Start)
		if !ok {
			return bmff.ErrorAt(z.Start, nil, "removed samples outside 'mdat'")
		}
		for n := z.End - z.Start; n > 0; {
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
		if k == 0 && n == 0 {
			// The input ends in or right after this 'mdat' box.
			if k, _ := f.inAt.ReadAt(hdr[:1], f.inBase+pos-1); k != 1 {
				f.aheadE = bmff.ErrorAt(f.inputEnd(h.start, pos), io.ErrUnexpectedEOF, "'mdat' box truncated")
			} else {
				f.aheadE = bmff.ErrorAt(pos, nil, "no 'moov' box")
			}
			return
		}
		if k < 8 || !mp4.IsBoxType(hdr[4:8]) {
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
				f.aheadE = bmff.ErrorAt(f.inputEnd(pos, pos+size-1), io.ErrUnexpectedEOF, "box \"moov\" of %d bytes truncated", size)
				return
			}
			b := make([]byte, size)
			if k, _ := f.inAt.ReadAt(b, f.inBase+pos); int64(k) != size {
				return
			}
			// A throwaway report: the 'moov' is reported when it is reached.
			scratch := &movFile{scrubber: &scrubber{rep: new(Report), opts: f.opts, scan: true}, inAt: f.inAt, inBase: f.inBase, cues: f.cues}
			scratch.m.rep = scratch.rep
			mv, err := scratch.buildMoov(bmff.Box{Type: bmff.BoxMoov, Offset: pos, HeaderLen: int(hl), Payload: b[hl:]})
			if err == nil {
				f.ahead, f.aheadM, f.found = mv.zero, mv.media, true
			}
			f.aheadE = err // the same error as when the 'moov' is reached
			return
		case "moof", "mfra":
			return
		}
		pos += size
	}
}

// inputEnd finds where the input ends, between lo, which it holds, and hi,
// which it does not, by reading single bytes ahead: the offset an error
// names when the input is cut short, as when the end is reached.
func (f *movFile) inputEnd(lo, hi int64) int64 {
	var b [1]byte
	for lo+1 < hi {
		mid := lo + (hi-lo)/2
		if k, _ := f.inAt.ReadAt(b[:], f.inBase+mid); k == 1 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// needsPass reports whether the 'mdat' boxes copied before the index was
// read hold bytes that Scrub changes other than removed samples: coded
// samples to neutralise, or bytes no sample references.
func (f *movFile) needsPass() bool {
	m := f.moov.media
	for _, seg := range f.segs {
		for pos := seg.data; pos < seg.end; {
			kind, end, _ := m.Region(pos, seg.end, f.moov.zero)
			if kind == mp4.Coded || kind == mp4.Gap {
				return true
			}
			pos = end
		}
	}
	return false
}

// latePass goes back over the 'mdat' boxes copied before the index was
// read (and that could not be read ahead): it neutralises their coded
// samples and zeroes the bytes no sample references, reading them from
// the output, which must then be an io.ReaderAt as well (a file). The
// samples of removed tracks are zeroed by finish, as f.late.
func (f *movFile) latePass() error {
	if !f.needsPass() {
		return nil
	}
	ra, ok := f.dst.(io.ReaderAt)
	if f.outAt == nil || !ok {
		return bmff.ErrorAt(f.segs[0].start, ErrUnsupportedFeature,
			"media data precedes the 'moov' box: scrub from or to a file, which can be read ahead or gone back over")
	}
	if bw, ok := f.out.(*bufio.Writer); ok {
		if err := bw.Flush(); err != nil {
			return &writeError{err}
		}
	}
	m := f.moov.media
	var piece [64 << 10]byte
	for _, seg := range f.segs {
		for pos := seg.data; pos < seg.end; {
			kind, end, c := m.Region(pos, seg.end, f.moov.zero)
			out, _ := f.mapOffset(pos)
			out += f.outBase
			switch kind {
			case mp4.Coded:
				k, ok := c.SampleAt(pos)
				end = min(end, pos+k)
				if !ok || pos+k > seg.end {
					break
				}
				if k > maxMOVSample {
					return tooLargeSample(pos, k, c)
				}
				buf := append(f.sample[:0], make([]byte, k)...)
				f.sample = buf
				if _, err := ra.ReadAt(buf, out); err != nil {
					return &writeError{err}
				}
				if c.Neutralize(buf) {
					if _, err := f.outAt.WriteAt(buf, out); err != nil {
						return &writeError{err}
					}
				}
			case mp4.Gap:
				for p := pos; p < end; {
					b := piece[:min(int64(len(piece)), end-p)]
					if _, err := ra.ReadAt(b, out+p-pos); err != nil {
						return &writeError{err}
					}
					if !bytesAreZero(b) {
						for _, x := range b {
							if x != 0 {
								m.Gaps++
							}
						}
						clear(b)
						if _, err := f.outAt.WriteAt(b, out+p-pos); err != nil {
							return &writeError{err}
						}
					}
					p += int64(len(b))
				}
			}
			pos = end
		}
	}
	return nil
}
