// Package jpegscan walks the entropy-coded data of JPEG scans (ITU T.81) to
// find where each one really ends.
//
// The entropy-coded data of a JPEG scan is walked, not copied blindly: a
// decoder reads a known number of MCUs (minimum coded units) from it and
// ignores whatever follows the last one, so bytes placed there would travel
// through a scrub as "image data". The walker decodes the Huffman codes of
// every block (T.81 F.2.2 for sequential scans, G.1.2 for progressive ones)
// and skips the coefficient bits they announce, without dequantising or
// transforming anything, to find where each restart interval's data ends.
// After the last MCU of an interval only the padding 1-bits of its last
// byte (F.1.2.3) and 0xFF fill bytes before the next marker (B.1.1.2) may
// follow; anything else is cut, and counted in the Result.
//
// Damaged data is read as libjpeg(-turbo) reads it, since that is what
// browsers and ImageMagick show: a marker met inside an interval ends its
// data, and the decoder carries on with zero bits to the interval's end
// (jdhuff.c fill_bit_buffer); a run of 0xFF bytes before a stuffed 0x00
// counts as one 0xFF byte; a bit pattern that is no code of the table
// consumes 17 bits and decodes as symbol 0 (jpeg_huff_decode); a restart
// marker with the wrong number is taken as the restart.
//
// The contract: a Frame collects what the walk needs of an image's SOF,
// DHT and DRI segments (ParseSOF, ParseDHT, ParseDRI; ParseDQT only checks
// a DQT segment), each parsed whole and checked as libjpeg checks it, with
// a reason string for what it refuses. ParseSOS reads a scan header, and
// Walk reads the scan's data from a bufio.Reader, writes what a decoder
// reads and the restart markers between intervals, and stops before the
// marker that ends the scan. Lengths read from the input are checked
// before anything is allocated for them; the walker never panics.
//
// It handles Huffman-coded frames of types SOF0 to SOF2 (baseline,
// extended sequential, progressive). It does not decode pixels, read
// lossless, hierarchical, arithmetic-coded or JPEG-LS frames (the caller
// refuses those), read markers outside a scan's data, or know about
// metadata: the caller turns its results into findings and output.
package jpegscan

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// ErrUnsupported is the Err of an Error, or the error of ParseSOF, for a
// well-formed image that the walker does not handle.
var ErrUnsupported = errors.New("jpegscan: unsupported feature")

// An Error is a problem with the entropy-coded data found at Offset in
// the input. Err, when set, is the cause: io.ErrUnexpectedEOF when the
// input ends inside the data, ErrUnsupported, or an error of the reader or
// the writer given to Walk.
type Error struct {
	Offset int64
	Reason string
	Err    error
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("jpegscan: offset %d: %s", e.Offset, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Marker codes (T.81 Table B.1) that the walker reads itself.
const (
	markerSOF2 = 0xc2 // progressive, Huffman
	markerRST0 = 0xd0
	markerRST7 = 0xd7
)

const (
	// maxBlocksInMCU is libjpeg's D_MAX_BLOCKS_IN_MCU, the limit of
	// T.81 B.2.3: the blocks of an interleaved MCU number at most 10.
	maxBlocksInMCU = 10
	// maskPageBlocks is how many blocks share one page of the
	// progressive nonzero-coefficient masks, allocated when first needed.
	maskPageBlocks = 256
	// maxMaskBytes bounds the masks of a progressive image beyond what its
	// input pays for (see walker.mask).
	maxMaskBytes = 64 << 20
)

// A huffTable is a decoding table built from a DHT segment (T.81 C, F.2.2.3).
type huffTable struct {
	defined bool
	// lut maps the next huffLookahead bits to the code's length<<8 |
	// symbol, or 0 when the code is longer.
	lut [1 << huffLookahead]uint16
	// skip maps the same bits to what the walker needs of a code and the
	// bits after it, without the coefficient's value: the code's length
	// plus the symbol's size (its low 4 bits: the magnitude bits that
	// follow the code, F.1.2.1.1 and F.1.2.2.1) in skipBits, and above
	// them how far an AC code moves the coefficient index (F.2.2.2): the
	// run plus one, 16 for ZRL and 64 for an end of block, which ends
	// the block. 0 when the code is longer than huffLookahead bits.
	skip    [1 << huffLookahead]uint16
	maxcode [18]int32 // largest code of each length, -1 for none
	valoff  [18]int32 // index in vals of a code of that length, minus the code
	vals    [256]byte
}

const (
	huffLookahead = 9
	skipBits      = 5 // a code of huffLookahead bits and 15 magnitude bits fit
)

// skipEntry is huffTable.skip's entry for a code of length l and its symbol.
func skipEntry(l int, sym byte) uint16 {
	r, size := uint16(sym>>4), uint16(sym&15)
	adv := r + 1
	if size == 0 {
		adv = 64 // EOB (and EOBn in a progressive scan)
		if r == 15 {
			adv = 16 // ZRL
		}
	}
	return adv<<skipBits | uint16(l) + size
}

// A component is one component of the frame (T.81 B.2.2).
type component struct {
	id        byte
	h, v      int
	bw, bh    int                       // blocks per line and block lines of the component
	dc, ac    int                       // table selectors of the current scan
	maskPages []*[maskPageBlocks]uint64 // 8 bytes a page until used
}

// A Frame is what the walker needs of an image's frame header and tables,
// and what its progressive scans leave for the next ones. The zero value is
// an empty frame; NewFrame takes one from a pool.
type Frame struct {
	seen        bool
	progressive bool
	x, y        int
	hmax, vmax  int
	comps       []component
	dc, ac      [4]huffTable
	restart     int // restart interval in MCUs, 0 for none (B.2.4.4)
	maskBytes   int
}

// framePool holds frames, whose tables (11 KB) would otherwise be
// allocated for every image.
var framePool = sync.Pool{New: func() any { return new(Frame) }}

// NewFrame returns an empty frame from a pool. Release returns it.
func NewFrame() *Frame { return framePool.Get().(*Frame) }

// Release empties f and puts it back in the pool; f must not be used after.
func (f *Frame) Release() {
	*f = Frame{}
	framePool.Put(f)
}

// ParseSOF reads the payload of a frame header (T.81 B.2.2) of a frame type
// the walker handles, code SOF0 to SOF2. It returns why it refuses the
// header, or "", and ErrUnsupported with a reason for a well-formed header
// that the walker cannot follow.
func (f *Frame) ParseSOF(code byte, p []byte) (string, error) {
	if f.seen {
		return "second frame header", nil
	}
	if len(p) < 6 {
		return fmt.Sprintf("frame header of %d bytes", len(p)), nil
	}
	nf := int(p[5])
	if nf == 0 || len(p) != 6+3*nf {
		return fmt.Sprintf("frame header of %d bytes for %d components", len(p), nf), nil
	}
	f.seen = true
	f.progressive = code == markerSOF2
	f.y = int(p[1])<<8 | int(p[2])
	f.x = int(p[3])<<8 | int(p[4])
	if f.x == 0 {
		return "frame width 0", nil
	}
	if f.y == 0 {
		// The height comes in a DNL segment after the first scan
		// (B.2.5): libjpeg does not support it, and the walker cannot
		// know where that scan ends.
		return "frame height 0 (set by a DNL segment)", ErrUnsupported
	}
	f.comps = make([]component, nf)
	for i := range f.comps {
		c := &f.comps[i]
		c.id = p[6+3*i]
		c.h, c.v = int(p[7+3*i]>>4), int(p[7+3*i]&15)
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
			return fmt.Sprintf("component %d sampling factors %dx%d", c.id, c.h, c.v), nil
		}
		for k := 0; k < i; k++ {
			if f.comps[k].id == c.id {
				return fmt.Sprintf("component id %d used twice", c.id), nil
			}
		}
		f.hmax, f.vmax = max(f.hmax, c.h), max(f.vmax, c.v)
	}
	for i := range f.comps {
		c := &f.comps[i]
		// A.1.1: the component's size, rounded up; then whole blocks.
		c.bw = ceilDiv(ceilDiv(f.x*c.h, f.hmax), 8)
		c.bh = ceilDiv(ceilDiv(f.y*c.v, f.vmax), 8)
	}
	return "", nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// ParseDHT reads the Huffman tables of a DHT segment's payload (T.81
// B.2.4.2) into f, and returns why it refuses them, or "".
func (f *Frame) ParseDHT(p []byte) string {
	for len(p) > 0 {
		if len(p) < 17 {
			return fmt.Sprintf("Huffman table header of %d bytes", len(p))
		}
		class, id := p[0]>>4, p[0]&15
		if class > 1 || id > 3 {
			return fmt.Sprintf("Huffman table class %d id %d", class, id)
		}
		var counts [17]int
		total := 0
		for l := 1; l <= 16; l++ {
			counts[l] = int(p[l])
			total += counts[l]
		}
		if total > 256 || len(p) < 17+total {
			return fmt.Sprintf("Huffman table of %d codes in %d bytes", total, len(p)-17)
		}
		t := &f.dc[id]
		if class == 1 {
			t = &f.ac[id]
		}
		if msg := t.build(&counts, p[17:17+total], class == 0); msg != "" {
			return msg
		}
		p = p[17+total:]
	}
	return ""
}

// build makes the decoding tables of T.81 C.2 and F.2.2.3.
func (t *huffTable) build(counts *[17]int, vals []byte, dc bool) string {
	*t = huffTable{defined: true}
	copy(t.vals[:], vals)
	code, k := int32(0), int32(0)
	for l := 1; l <= 16; l++ {
		n := int32(counts[l])
		// libjpeg's check (jdhuff.c): the codes must fit in l bits. It
		// comes before the lookup table is filled, which it bounds.
		if code+n > 1<<l {
			return "Huffman code lengths overflow"
		}
		t.maxcode[l] = -1
		if n > 0 {
			t.valoff[l] = k - code
			t.maxcode[l] = code + n - 1
		}
		for i := int32(0); i < n; i++ {
			if l <= huffLookahead {
				shift := huffLookahead - l
				for x := (code + i) << shift; x < (code+i+1)<<shift; x++ {
					t.lut[x] = uint16(l)<<8 | uint16(vals[k+i])
					t.skip[x] = skipEntry(l, vals[k+i])
				}
			}
		}
		code += n
		k += n
		code <<= 1
	}
	t.maxcode[17] = 1<<31 - 1 // the sentinel of F.2.2.3
	if dc {
		for _, v := range vals {
			if v > 15 {
				return fmt.Sprintf("DC Huffman symbol %d", v)
			}
		}
	}
	return ""
}

// A multiTable maps the next multiBits bits of a sequential scan's AC data
// to all the codes, with their magnitude bits, that lie whole in them, so
// that the walker reads a run of short codes in one lookup (a 13-bit
// window holds two to three codes of a typical photo). An entry holds the
// bits the codes take, and how far they move the coefficient index:
// before the last code (pre) and in all (adv). The run stops after an end
// of block, before a code longer than huffLookahead bits, and once the
// index has moved 63, past which no code of the block can follow.
type multiTable [1 << multiBits]uint16

const (
	multiBits = 13
	// multiMinBlocks is the size of scan, in blocks, from which building
	// multiTables (about 100 µs each) pays.
	multiMinBlocks = 16384
)

// multiPool holds multiTables, which are built for each large scan.
var multiPool = sync.Pool{New: func() any { return new(multiTable) }}

// multiEntry packs an entry in 16 bits: the bits in bits 0-3, pre in bits
// 4-9 (at most 62), and the last code's advance in bits 10-15, 63 for an
// end of block (whose advance is 64): the index is at least 1 before it,
// so it still passes 63. An entry whose first code does not fit is
// multiNone, whose pre of 63 makes block read its code alone.
func multiEntry(bits, pre, adv uint) uint16 {
	return uint16(min(adv-pre, 63)<<10 | pre<<4 | bits)
}

const multiNone = 63 << 4

// build fills m from the skip table of t.
func (m *multiTable) build(t *huffTable) {
	for x := range m {
		var bits, pre, adv uint
		for adv < 63 {
			// The window's bits not yet taken, at the top; the rest 0.
			w := uint(x) << bits & (1<<multiBits - 1)
			e := t.skip[w>>(multiBits-huffLookahead)]
			l := uint(e & (1<<skipBits - 1))
			if e == 0 || bits+l > multiBits {
				break
			}
			bits += l
			pre = adv
			adv += uint(e >> skipBits)
		}
		m[x] = multiNone
		if bits > 0 {
			m[x] = multiEntry(bits, pre, adv)
		}
	}
}

// ParseDRI reads the restart interval of a DRI segment's payload (T.81
// B.2.4.4), and returns why it refuses it, or "".
func (f *Frame) ParseDRI(p []byte) string {
	if len(p) != 2 {
		return fmt.Sprintf("DRI segment of %d bytes, want 2", len(p))
	}
	f.restart = int(p[0])<<8 | int(p[1])
	return ""
}

// ParseDQT checks that a DQT segment's payload holds whole tables (T.81
// B.2.4.1) and nothing else, and returns why not, or "".
func ParseDQT(p []byte) string {
	for len(p) > 0 {
		pq, tq := p[0]>>4, p[0]&15
		n := 65
		if pq == 1 {
			n = 129
		}
		switch {
		case pq > 1 || tq > 3:
			return fmt.Sprintf("quantization table precision %d id %d", pq, tq)
		case len(p) < n:
			return fmt.Sprintf("quantization table of %d bytes, want %d", len(p), n)
		}
		p = p[n:]
	}
	return ""
}

// A ScanHeader is a parsed SOS segment (T.81 B.2.3) of a Frame.
type ScanHeader struct {
	comps          []*component
	ss, se, ah, al int
}

// ParseSOS reads the payload of a scan header and checks it against the
// frame and tables as libjpeg does (jdinput.c, jdphuff.c start_pass). It
// returns the header for Walk, or why it refuses it.
func (f *Frame) ParseSOS(p []byte) (*ScanHeader, string) {
	if !f.seen {
		return nil, "scan before the frame header"
	}
	if len(p) < 1 {
		return nil, "empty scan header"
	}
	ns := int(p[0])
	if ns < 1 || ns > 4 || len(p) != 4+2*ns {
		return nil, fmt.Sprintf("scan header of %d bytes for %d components", len(p), ns)
	}
	sh := &ScanHeader{ss: int(p[1+2*ns]), se: int(p[2+2*ns]), ah: int(p[3+2*ns] >> 4), al: int(p[3+2*ns] & 15)}
	blocks := 0
	for i := 0; i < ns; i++ {
		id, sel := p[1+2*i], p[2+2*i]
		var c *component
		for k := range f.comps {
			if f.comps[k].id == id {
				c = &f.comps[k]
			}
		}
		if c == nil {
			return nil, fmt.Sprintf("scan component %d is not in the frame", id)
		}
		for _, o := range sh.comps {
			if o == c {
				return nil, fmt.Sprintf("scan component %d listed twice", id)
			}
		}
		c.dc, c.ac = int(sel>>4), int(sel&15)
		if c.dc > 3 || c.ac > 3 {
			return nil, fmt.Sprintf("scan component %d table selectors 0x%02x", id, sel)
		}
		sh.comps = append(sh.comps, c)
		blocks += c.h * c.v
	}
	if ns > 1 && blocks > maxBlocksInMCU {
		return nil, fmt.Sprintf("%d blocks in an MCU, more than %d", blocks, maxBlocksInMCU)
	}
	if f.progressive {
		// G.1.1.1.1 and libjpeg's JERR_BAD_PROGRESSION checks.
		dcBand := sh.ss == 0
		bad := sh.al > 13 || (sh.ah != 0 && sh.al != sh.ah-1)
		if dcBand {
			bad = bad || sh.se != 0
		} else {
			bad = bad || sh.ss > sh.se || sh.se > 63 || ns != 1
		}
		if bad {
			return nil, fmt.Sprintf("progressive scan parameters Ss=%d Se=%d Ah=%d Al=%d", sh.ss, sh.se, sh.ah, sh.al)
		}
	}
	for _, c := range sh.comps {
		needDC := !f.progressive || (sh.ss == 0 && sh.ah == 0)
		needAC := !f.progressive || sh.ss > 0
		if needDC && !f.dc[c.dc].defined {
			return nil, fmt.Sprintf("DC Huffman table %d is not defined", c.dc)
		}
		if needAC && !f.ac[c.ac].defined {
			return nil, fmt.Sprintf("AC Huffman table %d is not defined", c.ac)
		}
	}
	return sh, ""
}

// A Result is where the walk of a scan stopped, and what it dropped.
type Result struct {
	// End is the offset of the first byte not consumed: the marker that
	// ends the scan, or where an error stopped the walk.
	End int64
	// Dropped counts the bytes cut after intervals' data, the first of
	// them at offset DroppedAt.
	Dropped, DroppedAt int64
}

// Walk walks the entropy-coded data of scan sh of frame f, which follows
// in br at offset off of the input, the scan's header read. It writes to w
// the data that decoding uses and the restart markers between intervals,
// drops the rest, consumes both from br, and leaves the marker that ends
// the scan unread.
//
// Walk looks ahead through br's whole buffer (br.Size() bytes) where it
// needs to. A problem with the data is an *Error at its offset, whose Err
// is io.ErrUnexpectedEOF if the input ends inside the data, or
// ErrUnsupported. An error of br's underlying reader or of w is returned
// as it is, or, met after an interval's data, as the Err of an *Error.
//
// A sequential scan with restart intervals is walked on up to
// runtime.GOMAXPROCS goroutines, the intervals in br's buffer shared among
// them (see parallel.go); the result and the output are those of one.
func (f *Frame) Walk(sh *ScanHeader, br *bufio.Reader, off int64, w io.Writer) (Result, error) {
	return f.walkWith(sh, br, off, w, runtime.GOMAXPROCS(0), parallelMinBlocks)
}

// walkWith is Walk on up to workers goroutines, for a scan of at least
// minBlocks blocks (tests compare one with several).
func (f *Frame) walkWith(sh *ScanHeader, br *bufio.Reader, off int64, w io.Writer, workers, minBlocks int) (Result, error) {
	s := &walker{r: reader{br: br, off: off}, w: w, f: f, sh: sh, workers: workers, minBlocks: minBlocks}
	err := s.walk()
	return Result{End: s.r.off, Dropped: s.junk, DroppedAt: s.junkAt}, err
}

// A reader is br with the offset of its next unread byte in the input.
type reader struct {
	br  *bufio.Reader
	off int64
}

// peek returns the next n bytes without consuming them, and
// io.ErrUnexpectedEOF if the input ends first.
func (r *reader) peek(n int) ([]byte, error) {
	b, err := r.br.Peek(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return b, err
}

// buffered returns the bytes in br's buffer, filling it first if it is
// empty, and io.EOF at the end of the input.
func (r *reader) buffered() ([]byte, error) {
	n := r.br.Buffered()
	if n == 0 {
		if _, err := r.br.Peek(1); err != nil {
			return nil, err
		}
		n = r.br.Buffered()
	}
	return r.br.Peek(n)
}

// consume moves past n buffered bytes.
func (r *reader) consume(n int) {
	r.br.Discard(n)
	r.off += int64(n)
}

// A walker walks the entropy-coded data of one scan through the read
// buffer, writing the data that decoding uses and dropping the rest.
type walker struct {
	r  reader
	w  io.Writer
	f  *Frame
	sh *ScanHeader

	// The window is the buffered input; b[:i] has been read into acc,
	// and b[0] is at offset base of the input. Nothing of b has been
	// written yet: it is written up to where the data ends.
	b    []byte
	i    int
	base int64
	// acc holds n unread bits in its high bits, the next bit first. Its
	// low bits are zero or the bits of the data bytes that follow.
	acc uint64
	n   uint
	// ended says that a marker (or the end of the input) stopped the
	// data; zeros counts the zero bytes fed since, as libjpeg does.
	ended bool
	zeros uint
	err   error // a read error other than the end of the input
	// nextFF is the index in the window of the first 0xFF byte at or
	// after i, or len(b) if there is none; 0 once the data has ended, so
	// that fast8 reads nothing. fill keeps it.
	nextFF int
	// start is the offset of the interval's data, which stays in the
	// window while fewer than 8 bytes of it have been read (see back).
	start int64

	// multi holds the multiTables of a large sequential scan's AC
	// tables, nil for a small scan.
	multi [4]*multiTable
	// mcu[:mcuBlocks] lists the tables of each block of a sequential
	// scan's MCU, in the order of T.81 A.2.3.
	mcu       [maxBlocksInMCU]blockTables
	mcuBlocks int

	eobrun int
	junk   int64 // bytes dropped after intervals' data
	junkAt int64 // offset of the first

	// workers is how many goroutines may walk the intervals of a
	// sequential scan of at least minBlocks blocks (see parallel.go).
	workers, minBlocks int
	jobs               []job
	helpers            []walker
}

// walk walks a scan whose header has been read, and leaves the marker that
// ends it unread.
func (s *walker) walk() error {
	r := &s.r
	f, sh := s.f, s.sh
	var mcus int
	if len(sh.comps) == 1 {
		c := sh.comps[0]
		mcus = c.bw * c.bh // A.2.2: one block per MCU
	} else {
		mcus = ceilDiv(f.x, 8*f.hmax) * ceilDiv(f.y, 8*f.vmax) // A.2.3
	}
	interval := f.restart
	if interval == 0 {
		interval = mcus
	}
	if blocks := mcus * len(sh.comps); !f.progressive && blocks >= multiMinBlocks {
		for _, c := range sh.comps {
			if s.multi[c.ac] == nil {
				m := multiPool.Get().(*multiTable)
				defer multiPool.Put(m)
				m.build(&f.ac[c.ac])
				s.multi[c.ac] = m
			}
		}
	}
	if !f.progressive {
		for _, c := range sh.comps {
			blocks := 1 // A.2.2
			if len(sh.comps) > 1 {
				blocks = c.h * c.v
			}
			for range blocks {
				s.mcu[s.mcuBlocks] = blockTables{&f.dc[c.dc], &f.ac[c.ac], s.multi[c.ac]}
				s.mcuBlocks++
			}
		}
	}
	s.base = r.off
	s.b, _ = r.buffered()
	s.reset()
	parallel := s.workers > 1 && !f.progressive && f.restart > 0 && mcus > interval && mcus*len(sh.comps) >= s.minBlocks
	for done := 0; done < mcus; {
		if parallel && s.workers > 1 {
			k, more, err := s.parallel(done, mcus, interval)
			done += k
			if err != nil || !more {
				return err
			}
			if k > 0 {
				continue
			}
		}
		n := min(interval, mcus-done)
		s.eobrun = 0
		if err := s.interval(done, n); err != nil {
			return err
		}
		done += n
		more, err := s.finishInterval(done < mcus)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// reset starts reading bits at s.i.
func (s *walker) reset() {
	s.acc, s.n, s.ended, s.zeros = 0, 0, false, 0
	s.start = s.base + int64(s.i)
	s.findFF()
}

// findFF sets nextFF.
func (s *walker) findFF() {
	s.nextFF = len(s.b)
	if k := bytes.IndexByte(s.b[s.i:], 0xff); k >= 0 {
		s.nextFF = s.i + k
	}
}

// exhausted reports whether the data has ended and the decoder has read
// past it, into the zeros that stand for the missing data.
func (s *walker) exhausted() bool { return s.ended && s.n < 8*s.zeros }

// A blockTables holds the tables of one block of a sequential scan.
type blockTables struct {
	dc, ac *huffTable
	m      *multiTable
}

// interval walks n MCUs starting at MCU first.
func (s *walker) interval(first, n int) error {
	f, sh := s.f, s.sh
	if !f.progressive {
		for range n {
			for _, t := range s.mcu[:s.mcuBlocks] {
				s.block(t.dc, t.ac, t.m)
			}
			if s.exhausted() {
				// The rest of the interval decodes from zero bits.
				return s.err
			}
		}
		return s.err
	}
	single := len(sh.comps) == 1
	for m := first; m < first+n; m++ {
		if single {
			c := sh.comps[0]
			switch {
			case sh.ss == 0:
				s.dcBlock(c)
			case sh.ah == 0:
				if s.eobrun > 0 {
					// An end-of-band run covers whole blocks.
					k := min(s.eobrun, first+n-m)
					s.eobrun -= k
					m += k - 1
					continue
				}
				if err := s.acFirst(c, m); err != nil {
					return err
				}
			default:
				if p := m / maskPageBlocks; s.eobrun > 0 && (p >= len(c.maskPages) || c.maskPages[p] == nil) {
					// No block of this page has a nonzero coefficient,
					// so the run has no correction bits for them.
					k := min(s.eobrun, first+n-m, (p+1)*maskPageBlocks-m)
					s.eobrun -= k
					m += k - 1
					continue
				}
				if err := s.acRefine(c, m); err != nil {
					return err
				}
			}
		} else {
			for _, c := range sh.comps {
				for k := c.h * c.v; k > 0; k-- {
					s.dcBlock(c) // G.1.1.1.1: only DC scans interleave
				}
			}
		}
		if s.ended && s.exhausted() {
			// The rest of the interval decodes from zero bits.
			return s.err
		}
	}
	return s.err
}

// fast8 is fill's common case, for n < 56: no 0xFF byte among the next 8,
// all buffered. They go into acc at once, and those that do not fit whole
// are read again by the next fill: (63-n)/8 bytes are read, which brings n
// to n|56.
func (s *walker) fast8(acc uint64, n uint) (uint64, uint, bool) {
	i := s.i
	if i+8 > s.nextFF {
		return acc, n, false
	}
	x := binary.BigEndian.Uint64(s.b[i : i+8])
	s.i = i + int((63-n)>>3)
	return acc | x>>(n&63), n | 56, true // n&63: n < 56 needs no test of n ≥ 64
}

// fill reads bytes into acc until it holds at least 56 bits.
func (s *walker) fill() {
	if s.n < 56 {
		s.acc, s.n, _ = s.fast8(s.acc, s.n)
	}
	for s.n <= 56 {
		if s.ended {
			s.n += 8
			s.zeros++
			continue
		}
		if s.i+1 >= len(s.b) && !s.refill() {
			if s.i < len(s.b) && s.b[s.i] != 0xff {
				s.push(s.b[s.i], 1)
			} else {
				s.ended = true
			}
			continue
		}
		c := s.b[s.i]
		if c != 0xff {
			s.push(c, 1)
			continue
		}
		// 0xFF: a stuffed 0xFF data byte (B.1.1.5) if a 0x00 follows the
		// run of 0xFF bytes, else a marker that ends the data.
		k := s.i + 1
		for k < len(s.b) && s.b[k] == 0xff {
			k++
		}
		if k == len(s.b) {
			if s.refill() {
				continue
			}
			s.ended = true
			continue
		}
		if s.b[k] != 0 {
			s.ended = true
			continue
		}
		s.push(0xff, k+1-s.i)
	}
	// s.i has moved past nextFF, or refill has moved the window.
	if s.ended {
		s.nextFF = 0
	} else if s.i+8 > s.nextFF {
		s.findFF()
	}
}

// push adds a data byte that takes size bytes of input.
func (s *walker) push(c byte, size int) {
	s.acc |= uint64(c) << (56 - s.n)
	s.n += 8
	s.i += size
}

// refill writes what is certainly data, moves the window on, and reports
// whether at least two bytes now follow s.i (or a run of 0xFF bytes that
// ends before the end of the window).
func (s *walker) refill() bool {
	r := &s.r
	if r.br == nil {
		// A helper's window holds its interval and the marker after
		// it (parallel.go), so this is not reached.
		return false
	}
	// The bytes of acc may be unread: keep every byte from the oldest.
	keep := int64(s.back(8))
	if keep > 0 {
		if err := s.write(s.b[:keep]); err != nil {
			s.err = err
			s.ended = true
			return false
		}
		r.consume(int(keep))
		s.base += keep
		s.i -= int(keep)
	}
	s.nextFF = 0 // fill finds it again
	b, err := r.br.Peek(r.br.Size())
	s.b = b
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		s.err = err
		s.ended = true
		return false
	}
	// Enough bytes to see past the 0xFF bytes at s.i?
	k := s.i
	for k < len(b) && b[k] == 0xff {
		k++
	}
	return k+1 < len(b) || (k < len(b) && k > s.i)
}

// dataEnd returns the offset just past the last byte the decoder used.
func (s *walker) dataEnd() int64 {
	var unread uint
	if real := s.n; real > 8*s.zeros {
		unread = (real - 8*s.zeros) / 8
	}
	return s.base + int64(s.back(unread))
}

// back returns the index in the window of the last n data bytes read, or
// of the interval's data if fewer have been read. A data byte is read from
// itself, or if it is a stuffed 0xFF (B.1.1.5), from a run of 0xFF bytes
// and a 0x00; the byte before a data byte is never 0xFF.
func (s *walker) back(n uint) int {
	p, low := s.i, max(int(s.start-s.base), 0)
	for ; n > 0 && p > low; n-- {
		p--
		if s.b[p] == 0 && p > low && s.b[p-1] == 0xff {
			p--
			for p > low && s.b[p-1] == 0xff {
				p--
			}
		}
	}
	return p
}

// finishInterval checks what follows an interval's data, drops anything
// but fill bytes, and reads the restart marker when more intervals follow.
// It reports whether the scan goes on.
func (s *walker) finishInterval(more bool) (bool, error) {
	if s.err != nil {
		return false, &Error{Offset: s.r.off, Reason: "reading entropy-coded data", Err: s.err}
	}
	return s.finishIntervalAt(s.dataEnd(), more)
}

// finishIntervalAt is finishInterval for an interval whose data end at
// offset dataEnd of the input, in the window.
func (s *walker) finishIntervalAt(dataEnd int64, more bool) (bool, error) {
	r := &s.r
	end := max(dataEnd-s.base, 0)
	if err := s.write(s.b[:end]); err != nil {
		return false, err
	}
	r.consume(int(end))
	s.base += end
	// Look for the marker: a run of 0xFF bytes, then a code that is not
	// 0x00 (a stuffed byte) or a reserved code below 0xC0, which
	// libjpeg's resynchronisation skips (jdmarker.c).
	var junk int64
	for {
		b, err := r.buffered()
		if err == nil && len(b) < 2 {
			b, err = r.peek(2)
			if err == io.ErrUnexpectedEOF {
				b, err = r.buffered()
				if err == nil {
					err = io.ErrUnexpectedEOF
				}
			}
		}
		if err != nil {
			s.dropped(junk)
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return false, &Error{Offset: r.off, Reason: "entropy-coded data is truncated", Err: err}
		}
		i := 0
		found := false
		for i < len(b) {
			if b[i] != 0xff {
				i++
				continue
			}
			k := i + 1
			for k < len(b) && b[k] == 0xff {
				k++
			}
			if k == len(b) {
				break // the code is not buffered yet
			}
			if c := b[k]; c != 0 && c >= 0xc0 {
				found = true
				break
			}
			i = k + 1
		}
		if i > 0 {
			junk += int64(i)
			r.consume(i)
		}
		if !found {
			if i == 0 {
				// Only 0xFF bytes are buffered: read on.
				if _, err := r.peek(len(b) + 1); err != nil {
					s.dropped(junk)
					return false, &Error{Offset: r.off, Reason: "entropy-coded data is truncated", Err: err}
				}
			}
			continue
		}
		s.dropped(junk)
		b, _ = r.buffered()
		k := 0
		for b[k] == 0xff {
			k++
		}
		c := b[k]
		if !more || c < markerRST0 || c > markerRST7 {
			// The scan ends (early, if more MCUs were due: the decoder
			// reads them as zeros), and the marker is read as a segment.
			return false, nil
		}
		if err := s.write(b[:k+1]); err != nil {
			return false, err
		}
		r.consume(k + 1)
		s.base = r.off
		s.b, _ = r.buffered()
		s.i = 0
		s.reset()
		return true, nil
	}
}

// write writes b to the output.
func (s *walker) write(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	_, err := s.w.Write(b)
	return err
}

// dropped records junk bytes cut after an interval's data.
func (s *walker) dropped(n int64) {
	if n == 0 {
		return
	}
	if s.junk == 0 {
		s.junkAt = s.r.off - n
	}
	s.junk += n
}

// decode reads one Huffman-coded symbol (F.2.2.3). s.n must be at least 17.
func (s *walker) decode(t *huffTable) byte {
	if e := t.lut[s.acc>>(64-huffLookahead)]; e != 0 {
		s.skip(uint(e >> 8))
		return byte(e)
	}
	return s.decodeLong(t)
}

// decodeLong reads a symbol whose code is longer than huffLookahead bits.
func (s *walker) decodeLong(t *huffTable) byte {
	for l := uint(huffLookahead + 1); l <= 16; l++ {
		code := int32(s.acc >> (64 - l))
		if code <= t.maxcode[l] {
			s.skip(l)
			return t.vals[code+t.valoff[l]]
		}
	}
	// No code: libjpeg warns, consumes 17 bits and decodes a zero. The
	// data is read as it would be, and is not reported: decoders use it.
	s.skip(17)
	return 0
}

// skip drops n bits of acc (n < 64).
func (s *walker) skip(n uint) {
	s.acc <<= n & 63
	s.n -= n
}

// bits reads n bits (1 ≤ n ≤ 16).
func (s *walker) bits(n uint) int {
	if s.n < n {
		s.fill()
	}
	v := int(s.acc >> (64 - n))
	s.skip(n)
	return v
}

// block walks one block of a sequential scan (F.2.2.1, F.2.2.2). It is the
// walker's inner loop, so it keeps the bit buffer in local variables,
// fills it with fast8 inline, and reads each code with the bits after it
// in one lookup of the skip table, or a run of short codes in one lookup
// of m, if not nil, for which multiBits bits in acc are enough. A symbol
// takes at most 31 bits: a 16-bit code and 15 magnitude bits, or the 17
// bits of a bad code, which decodes as 0 (an EOB for AC).
func (s *walker) block(dc, ac *huffTable, m *multiTable) {
	acc, n := s.acc, s.n
	if n < 32 {
		var ok bool
		if acc, n, ok = s.fast8(acc, n); !ok {
			acc, n = s.fillFrom(acc, n)
		}
	}
	if e := dc.skip[acc>>(64-huffLookahead)]; e != 0 {
		l := uint(e & (1<<skipBits - 1))
		acc <<= l & 63
		n -= l
	} else {
		s.acc, s.n = acc, n
		size := uint(s.decodeLong(dc))
		acc, n = s.acc<<(size&63), s.n-size // the DC difference's bits
	}
	for k := uint(1); k < 64; {
		if m != nil {
			// Runs of codes while acc holds the bits of an entry. Its
			// codes are read if the index is below 64 before the last
			// of them, as it is before each; so none once it is 64.
			for {
				e := uint(m[acc>>(64-multiBits)])
				for pre := k + e>>4&63; pre < 64 && n >= multiBits; pre = k + e>>4&63 {
					l := e & 15
					acc <<= l
					n -= l
					k = pre + e>>10
					e = uint(m[acc>>(64-multiBits)])
				}
				if k >= 64 || n >= multiBits {
					break // the block's end, or a code to read alone
				}
				var ok bool
				if acc, n, ok = s.fast8(acc, n); !ok {
					acc, n = s.fillFrom(acc, n)
				}
			}
			if k >= 64 {
				break
			}
		}
		if n < 32 {
			var ok bool
			if acc, n, ok = s.fast8(acc, n); !ok {
				acc, n = s.fillFrom(acc, n)
			}
		}
		if e := ac.skip[acc>>(64-huffLookahead)]; e != 0 {
			l := uint(e & (1<<skipBits - 1))
			acc <<= l & 63
			n -= l
			k += uint(e >> skipBits)
			continue
		}
		s.acc, s.n = acc, n
		rs := uint(s.decodeLong(ac))
		acc, n = s.acc, s.n
		r, size := rs>>4, rs&15
		if size == 0 {
			if r != 15 {
				break // EOB
			}
			k += 16 // ZRL
			continue
		}
		acc <<= size & 63
		n -= size
		k += r + 1
	}
	s.acc, s.n = acc, n
}

// fillFrom is fill on block's local copy of acc and n.
func (s *walker) fillFrom(acc uint64, n uint) (uint64, uint) {
	s.acc, s.n = acc, n
	s.fill()
	return s.acc, s.n
}

// dcBlock walks one block of a progressive DC scan (G.1.2.1): a Huffman-
// coded difference in a first scan, one bit in a refinement.
func (s *walker) dcBlock(c *component) {
	if s.n < 32 {
		s.fill()
	}
	if s.sh.ah != 0 {
		s.skip(1)
		return
	}
	s.skip(uint(s.decode(&s.f.dc[c.dc])))
}

// mask returns the nonzero-coefficient mask of block m of c, allocating
// its page if alloc is set; nil if it has none. The masks record which
// coefficients earlier scans made nonzero, which decides where a
// refinement scan has correction bits (G.1.2.3). They cost 8 bytes a
// block, paid only for pages of blocks with a nonzero coefficient.
func (s *walker) mask(c *component, m int, alloc bool) (*uint64, error) {
	p := m / maskPageBlocks
	if p >= len(c.maskPages) || c.maskPages[p] == nil {
		if !alloc {
			return nil, nil
		}
		s.f.maskBytes += 8 * maskPageBlocks
		if s.f.maskBytes > maxMaskBytes+64*int(s.r.off) {
			return nil, &Error{Offset: s.r.off, Reason: "progressive image too large to walk", Err: ErrUnsupported}
		}
		// The page table grows to the pages used, not the frame's size.
		for p >= len(c.maskPages) {
			c.maskPages = append(c.maskPages, nil)
		}
		c.maskPages[p] = new([maskPageBlocks]uint64)
	}
	return &c.maskPages[p][m%maskPageBlocks], nil
}

// acFirst walks one block of a progressive AC first scan (G.1.2.2).
func (s *walker) acFirst(c *component, m int) error {
	t := &s.f.ac[c.ac]
	var mask *uint64
	for k := s.sh.ss; k <= s.sh.se; {
		if s.n < 32 {
			s.fill()
		}
		rs := s.decode(t)
		r, size := int(rs>>4), uint(rs&15)
		if size == 0 {
			if r != 15 {
				s.eobrun = 1<<r - 1 // this block is the first of the run
				if r > 0 {
					s.eobrun += s.bits(uint(r))
				}
				return nil
			}
			k += 16
			continue
		}
		k += r
		s.skip(size)
		if k <= 63 {
			if mask == nil {
				var err error
				if mask, err = s.mask(c, m, true); err != nil {
					return err
				}
			}
			*mask |= 1 << k
		}
		k++
	}
	return nil
}

// acRefine walks one block of a progressive AC refinement scan (G.1.2.3):
// each coefficient made nonzero by an earlier scan gets a correction bit as
// the scan passes it, and new coefficients of magnitude 1 are added.
func (s *walker) acRefine(c *component, m int) error {
	t := &s.f.ac[c.ac]
	mask, err := s.mask(c, m, false)
	if err != nil {
		return err
	}
	var nz uint64
	if mask != nil {
		nz = *mask
	}
	k, se := s.sh.ss, s.sh.se
	if s.eobrun == 0 {
		for ; k <= se; k++ {
			if s.n < 32 {
				s.fill()
			}
			rs := s.decode(t)
			r, size := int(rs>>4), rs&15
			if size != 0 {
				s.skip(1) // the sign of the new coefficient
			} else if r != 15 {
				s.eobrun = 1 << r
				if r > 0 {
					s.eobrun += s.bits(uint(r))
				}
				break
			}
			// Pass r zero coefficients, with a correction bit for each
			// nonzero one on the way; stop at the next zero one.
			for ; k <= se; k++ {
				if nz&(1<<k) != 0 {
					s.bits(1)
				} else {
					if r == 0 {
						break
					}
					r--
				}
			}
			if size != 0 && k <= se {
				nz |= 1 << k
			}
		}
	}
	if s.eobrun > 0 {
		// The rest of the band is in an end-of-band run: only the
		// correction bits.
		for rest := nz >> k << k & (2<<se - 1); rest != 0; rest &= rest - 1 {
			s.bits(1)
		}
		s.eobrun--
	}
	if mask == nil && nz != 0 {
		if mask, err = s.mask(c, m, true); err != nil {
			return err
		}
	}
	if mask != nil {
		*mask = nz
	}
	return nil
}
