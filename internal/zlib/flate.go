package zlib

import (
	"encoding/binary"
	"math/bits"
)

// The deflate decoder (RFC 1951): Huffman codes and blocks.

const (
	windowSize   = 1 << 15 // RFC 1951 §2: distances reach 32768 bytes back
	histFlush    = 2 * windowSize
	maxMatch     = 258
	maxLitCodes  = 286 // §3.2.5: HLIT + 257 lengths at most
	maxDistCodes = 30
	// flateFastBits is the length of the codes found with one lookup.
	// Longer codes are rare (they belong to rare symbols).
	flateFastBits = 10
)

// A flateHuff decodes one Huffman code of deflate (§3.2.2).
type flateHuff struct {
	// min is the fewest bits compress/flate reads before a lookup:
	// the shortest code's length, 0 for an empty code.
	min uint
	// fast maps the next flateFastBits bits to the flateEntry of the
	// code they begin, or 0 for a longer code or bits that begin none.
	fast  [1 << flateFastBits]uint32
	count [16]uint16 // codes of each length
	syms  [maxLitCodes + 2]uint16
}

// A flateEntry describes a code and its symbol for the decoding loop:
// the code's length in bits 0-3, the count of extra bits that follow it in
// bits 4-7, the kind of symbol in bits 8-15, and in bits 16-31 the literal
// byte, or the base of the length or distance (§3.2.5).
const (
	kindLiteral = 0 << 8
	kindLength  = 1 << 8
	kindEnd     = 2 << 8 // the end of the block
	kindBad     = 3 << 8 // literal/length codes 286 and 287 (§3.2.6)
	kindSymbol  = 4 << 8 // any other code: the symbol is the value
)

// flateEntry returns the entry of symbol sym of a code of length l, in a
// literal/length code or a distance code or another.
func flateEntry(sym int, l uint, kind uint32) uint32 {
	e := uint32(l)
	switch {
	case kind == kindLiteral && sym < 256:
		return e | uint32(sym)<<16
	case kind == kindLiteral && sym == 256:
		return e | kindEnd
	case kind == kindLiteral && sym < 286:
		return e | kindLength | uint32(lengthExtra[sym-257])<<4 | uint32(lengthBase[sym-257])<<16
	case kind == kindLiteral:
		return e | kindBad
	case kind == kindLength && sym < maxDistCodes:
		// A distance code (kindLength stands for it here).
		return e | uint32(distExtra[sym])<<4 | uint32(distBase[sym])<<16
	case kind == kindLength:
		return e | kindBad
	}
	return e | kindSymbol | uint32(sym)<<16
}

// init builds the code for the code lengths of each symbol (§3.2.2). Like
// compress/flate, it refuses an over-subscribed or incomplete code, but
// for a code of one symbol of length 1 (which zlib writes), and it takes
// an empty code, which fails when used.
// Its fast entries are of the kind given: kindLiteral for a literal/length
// code, kindLength for a distance code, kindSymbol for a code-length code.
func (h *flateHuff) init(lengths []uint8, kind uint32) bool {
	h.count = [16]uint16{}
	h.fast = [1 << flateFastBits]uint32{}
	h.min = 0
	maxLen := uint(0)
	for _, l := range lengths {
		if l != 0 {
			h.count[l]++
			if h.min == 0 || uint(l) < h.min {
				h.min = uint(l)
			}
			maxLen = max(maxLen, uint(l))
		}
	}
	if maxLen == 0 {
		return true
	}
	var next [16]int
	code, offs := 0, 0
	var offset [16]int
	for l := uint(1); l <= 15; l++ {
		code <<= 1
		next[l] = code
		code += int(h.count[l])
		offset[l] = offs
		offs += int(h.count[l])
	}
	// code>>(15-maxLen) is the number of maxLen-bit sequences that the
	// codes use.
	if used := code >> (15 - maxLen); used != 1<<maxLen && !(used == 1 && maxLen == 1) {
		return false
	}
	for sym, l := range lengths {
		if l == 0 {
			continue
		}
		h.syms[offset[l]] = uint16(sym)
		offset[l]++
		c := next[l]
		next[l]++
		if uint(l) <= flateFastBits {
			// The table is indexed by the bits as they come: the code
			// reversed (§3.1.1: Huffman codes are packed from their
			// most significant bit).
			r := int(bits.Reverse16(uint16(c)) >> (16 - l))
			for x := r; x < len(h.fast); x += 1 << l {
				h.fast[x] = flateEntry(sym, uint(l), kind)
			}
		}
	}
	return true
}

// decodeLong finds the code at the start of b, reading it bit by bit
// (§3.2.2: codes of one length are consecutive integers). It returns the
// symbol and the code's length, or length 0 if b begins no code.
func (h *flateHuff) decodeLong(b uint64) (sym int, length uint) {
	code, first, index := 0, 0, 0
	for l := uint(1); l <= 15; l++ {
		code |= int(b & 1)
		b >>= 1
		n := int(h.count[l])
		if code-first < n {
			return int(h.syms[index+code-first]), l
		}
		index += n
		first = (first + n) << 1
		code <<= 1
	}
	return 0, 0
}

// entry returns the entry of the code at the start of b, or 0 if b begins
// no code.
func (h *flateHuff) entry(b uint64, kind uint32) uint32 {
	if e := h.fast[b&(1<<flateFastBits-1)]; e != 0 {
		return e
	}
	if s, l := h.decodeLong(b); l != 0 {
		return flateEntry(s, l, kind)
	}
	return 0
}

// sym reads a symbol of h as compress/flate's huffSym does: it reads the
// bits of h's shortest code, then as many as the code the bits read so far
// begin needs, until the code is whole. Unread bits above nb are zero.
func (f *Inflater) sym(h *flateHuff) (int, error) {
	n := h.min
	for {
		if err := f.need(n); err != nil {
			return 0, err
		}
		s, l := h.decodeLong(f.acc)
		if l == 0 {
			return 0, f.corrupt()
		}
		if l <= f.nb {
			f.acc >>= l
			f.nb -= l
			return s, nil
		}
		n = l
	}
}

// fixedLit is the literal/length code of §3.2.6, built once and only read.
// Its distance codes are 5 bits read as they are.
var fixedLit = func() *flateHuff {
	var l [288]uint8
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	lit := new(flateHuff)
	lit.init(l[:], kindLiteral)
	return lit
}()

// Lengths and distances of §3.2.5: a base and a count of extra bits.
var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint32{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// stored copies a stored block (§3.2.4).
func (f *Inflater) stored() error {
	f.slow()
	f.acc >>= f.nb % 8
	f.nb -= f.nb % 8
	h, err := f.bits(32)
	if err != nil {
		return err
	}
	n := int(h & 0xffff)
	if uint16(h>>16) != ^uint16(n) {
		return f.corrupt()
	}
	// Bytes read ahead in acc come first.
	for ; n > 0 && f.nb > 0; n-- {
		f.hist[f.wp] = byte(f.acc)
		f.wp++
		f.acc >>= 8
		f.nb -= 8
		f.maybeFlush()
	}
	for n > 0 {
		if f.pos == len(f.cur) {
			if err := f.readByte(); err != nil {
				return err
			}
			f.pos--
			f.acc, f.nb = 0, 0
		}
		k := copy(f.hist[f.wp:min(f.wp+n, histFlush)], f.cur[f.pos:])
		f.pos += k
		f.wp += k
		n -= k
		f.maybeFlush()
	}
	return nil
}

// readCodes reads the code lengths of a block with dynamic Huffman codes
// (§3.2.7), checked as compress/flate does.
func (f *Inflater) readCodes() error {
	h, err := f.bits(14)
	if err != nil {
		return err
	}
	nlit, ndist, nclen := int(h&0x1f)+257, int(h>>5&0x1f)+1, int(h>>10)+4
	if nlit > maxLitCodes || ndist > maxDistCodes {
		return f.corrupt()
	}
	var clen [19]uint8
	for i := 0; i < nclen; i++ {
		v, err := f.bits(3)
		if err != nil {
			return err
		}
		clen[codeLengthOrder[i]] = uint8(v)
	}
	if !f.lit.init(clen[:], kindSymbol) {
		return f.corrupt()
	}
	ls := f.lengths[:nlit+ndist]
	for i := 0; i < len(ls); {
		x, err := f.sym(&f.lit)
		if err != nil {
			return err
		}
		if x < 16 {
			ls[i] = uint8(x)
			i++
			continue
		}
		var rep int
		var nb uint
		var v uint8
		switch x {
		case 16:
			if i == 0 {
				return f.corrupt()
			}
			rep, nb, v = 3, 2, ls[i-1]
		case 17:
			rep, nb = 3, 3
		default: // 18
			rep, nb = 11, 7
		}
		e, err := f.bits(nb)
		if err != nil {
			return err
		}
		rep += int(e)
		if i+rep > len(ls) {
			return f.corrupt()
		}
		for ; rep > 0; rep-- {
			ls[i] = v
			i++
		}
	}
	if !f.lit.init(ls[:nlit], kindLiteral) || !f.dist.init(ls[nlit:], kindLength) {
		return f.corrupt()
	}
	// compress/flate reads at least the end-of-block code's bits before
	// decoding a literal/length.
	f.lit.min = max(f.lit.min, uint(ls[256]))
	return nil
}

var codeLengthOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// maybeFlush moves the window to the front of hist when hist is full.
func (f *Inflater) maybeFlush() {
	if f.wp >= histFlush {
		f.slide()
	}
}

// slide adds the output to the checksum and keeps its last window.
func (f *Inflater) slide() {
	f.flush()
	copy(f.hist[:windowSize], f.hist[f.wp-windowSize:f.wp])
	f.wp, f.sumFrom = windowSize, windowSize
}

// flush adds the output not yet summed to the checksum.
func (f *Inflater) flush() {
	f.adler = adler32Update(f.adler, f.hist[f.sumFrom:f.wp])
	f.sumFrom = f.wp
}

// block decodes a block of Huffman-coded data (§3.2.5) up to its end.
// While cur holds 8 bytes more it reads them at once and decodes a length
// and distance with no other check of the bits; near the end of the data it
// reads byte by byte (see sym). The loop keeps the bit buffer and write
// position in local variables.
func (f *Inflater) block(lit, dist *flateHuff, fixed bool) error {
	acc, nb, wp := f.acc, f.nb, f.wp
	hist := f.hist[:]
	for {
		if wp >= histFlush {
			f.wp = wp
			f.slide()
			wp = f.wp
		}
		if nb < 48 {
			if f.pos+8 > len(f.cur) {
				f.acc, f.nb, f.wp = acc, nb, wp
				done, err := f.slowSymbol(lit, dist, fixed)
				if err != nil || done {
					return err
				}
				acc, nb, wp = f.acc, f.nb, f.wp
				continue
			}
			// 48 bits are enough for a length and a distance with
			// their extra bits (15+5+15+13).
			acc |= binary.LittleEndian.Uint64(f.cur[f.pos:]) << nb
			f.pos += int((63 - nb) >> 3)
			nb |= 56
		}
		e := lit.fast[acc&(1<<flateFastBits-1)]
		if e == 0 {
			if e = lit.entry(acc, kindLiteral); e == 0 {
				f.acc, f.nb, f.wp = acc, nb, wp
				return f.corrupt()
			}
		}
		acc >>= e & 15
		nb -= uint(e & 15)
		if e&0xff00 == kindLiteral {
			hist[wp] = byte(e >> 16)
			wp++
			// A second literal, often: 33 bits are left.
			if e := lit.fast[acc&(1<<flateFastBits-1)]; e != 0 && e&0xff00 == kindLiteral {
				acc >>= e & 15
				nb -= uint(e & 15)
				hist[wp] = byte(e >> 16)
				wp++
			}
			continue
		}
		if e&0xff00 != kindLength {
			f.acc, f.nb, f.wp = acc, nb, wp
			if e&0xff00 == kindEnd {
				return nil
			}
			return f.corrupt()
		}
		n := uint(e >> 4 & 15)
		length := int(e>>16) + int(acc&(1<<n-1))
		acc >>= n
		nb -= n
		var distance int
		if fixed {
			d := int(bits.Reverse8(uint8(acc << 3))) // 5 bits, most significant first
			acc >>= 5
			nb -= 5
			if d >= maxDistCodes {
				f.acc, f.nb, f.wp = acc, nb, wp
				return f.corrupt()
			}
			n = uint(distExtra[d])
			distance = int(distBase[d]) + int(acc&(1<<n-1))
		} else {
			e := dist.fast[acc&(1<<flateFastBits-1)]
			if e == 0 {
				if e = dist.entry(acc, kindLength); e == 0 {
					f.acc, f.nb, f.wp = acc, nb, wp
					return f.corrupt()
				}
			}
			acc >>= e & 15
			nb -= uint(e & 15)
			n = uint(e >> 4 & 15)
			distance = int(e>>16) + int(acc&(1<<n-1))
		}
		acc >>= n
		nb -= n
		if distance > wp {
			// Before the window is full, a distance must lie in the
			// output so far.
			f.acc, f.nb, f.wp = acc, nb, wp
			return f.corrupt()
		}
		src := wp - distance
		if distance >= 8 {
			// 8 bytes at a time, each already written; the bytes past
			// the match's end are written again later.
			for j := 0; j < length; j += 8 {
				binary.LittleEndian.PutUint64(hist[wp+j:], binary.LittleEndian.Uint64(hist[src+j:]))
			}
			wp += length
		} else {
			// The copy overlaps its source, a period of distance
			// bytes: each copy doubles what can be copied next.
			for end := wp + length; wp < end; {
				wp += copy(hist[wp:end], hist[src:wp])
			}
		}
	}
}

// slowSymbol decodes one literal, or a length and distance, or the end of
// the block, reading byte by byte as compress/flate does, in its order.
func (f *Inflater) slowSymbol(lit, dist *flateHuff, fixed bool) (done bool, err error) {
	f.slow()
	s, err := f.sym(lit)
	if err != nil {
		return false, err
	}
	if s < 256 {
		f.hist[f.wp] = byte(s)
		f.wp++
		return false, nil
	}
	if s == 256 {
		return true, nil
	}
	if s >= 286 {
		return false, f.corrupt()
	}
	s -= 257
	e, err := f.bits(uint(lengthExtra[s]))
	if err != nil {
		return false, err
	}
	length := int(lengthBase[s]) + int(e)
	var d int
	if fixed {
		v, err := f.bits(5)
		if err != nil {
			return false, err
		}
		d = int(bits.Reverse8(uint8(v << 3)))
	} else if d, err = f.sym(dist); err != nil {
		return false, err
	}
	if d >= maxDistCodes {
		return false, f.corrupt()
	}
	e, err = f.bits(uint(distExtra[d]))
	if err != nil {
		return false, err
	}
	return false, f.copyMatch(int(distBase[d])+int(e), length)
}

// copyMatch copies length bytes from distance back (§3.2.3), which must
// lie in the output so far.
func (f *Inflater) copyMatch(distance, length int) error {
	if distance > f.wp {
		return f.corrupt()
	}
	src := f.wp - distance
	if distance >= length {
		copy(f.hist[f.wp:f.wp+length], f.hist[src:src+length])
		f.wp += length
	} else {
		// The copy overlaps its source, a period of distance bytes:
		// each copy doubles what can be copied next.
		for end := f.wp + length; f.wp < end; {
			f.wp += copy(f.hist[f.wp:end], f.hist[src:f.wp])
		}
	}
	return nil
}
