package zlib

import "encoding/binary"

// adler32Update adds p to the Adler-32 checksum adler (RFC 1950 §8.2) as
// hash/adler32 does, 8 bytes at a time: over 8 bytes b0…b7, s1 grows by
// their sum and s2 by 8·s1 + 8·b0 + 7·b1 + … + 1·b7. The sums are taken
// with multiplications that add 16-bit lanes: no lane overflows (8·255 and
// 20·255 are below 2^16). Both are reduced every 5552 bytes, as zlib does,
// before s2 can overflow.
func adler32Update(adler uint32, p []byte) uint32 {
	const (
		mod   = 65521
		nmax  = 5552 // a multiple of 8
		lanes = 0x00ff00ff00ff00ff
		ones  = 0x0001000100010001
		even  = 2 | 4<<16 | 6<<32 | 8<<48 // weights of b6, b4, b2, b0
		odd   = 1 | 3<<16 | 5<<32 | 7<<48 // of b7, b5, b3, b1
	)
	s1, s2 := uint64(adler&0xffff), uint64(adler>>16)
	for len(p) > 0 {
		q := p[:min(len(p), nmax)]
		p = p[len(q):]
		for ; len(q) >= 8; q = q[8:] {
			x := binary.LittleEndian.Uint64(q)
			e, o := x&lanes, x>>8&lanes
			s2 += s1<<3 + (e*even)>>48 + (o*odd)>>48
			s1 += ((e + o) * ones) >> 48
		}
		for _, c := range q {
			s1 += uint64(c)
			s2 += s1
		}
		s1 %= mod
		s2 %= mod
	}
	return uint32(s2<<16 | s1)
}
