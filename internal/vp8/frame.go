package vp8

// This file walks the entropy-coded data of a key frame without
// reconstructing it: the rest of the frame header, every macroblock's
// header in the first partition, and every macroblock's coefficient tokens
// in the token partitions, so that it knows how many bytes of each
// partition decoders read. The structure follows x/image/vp8's decode.go,
// pred.go and reconstruct.go, and libwebp's tree_dec.c and vp8_dec.c.

// Sizes of the token probability tables (RFC 6386 §13.3, §13.4).
const (
	numPlanes     = 4  // block types: Y after Y2, Y2, chroma, Y with DC
	numBands      = 8  // coefficient bands
	numContexts   = 3  // 0, 1, or 2+ neighbouring blocks with coefficients
	numTokenProbs = 11 // the nodes of the token tree, dct_eob to cat6
)

// Block types (RFC 6386 §13.3), the first index of the token
// probabilities.
const (
	planeYAfterY2 = 0 // Y beginning at coefficient 1, its DC in Y2
	planeY2       = 1
	planeChroma   = 2
	planeYWithDC  = 3
)

// numSubblockModes are the intra modes of a 4×4 luma subblock (RFC 6386
// §11.2, intra_bmode): B_DC_PRED, B_TM_PRED, B_VE_PRED, B_HE_PRED, then
// six diagonal modes. The first four are also the contexts that a
// macroblock predicted as a whole (DC_PRED, TM_PRED, V_PRED, H_PRED)
// leaves for its neighbours' subblocks (§11.3).
const numSubblockModes = 10

// Intra modes, in libwebp's order (which its table of kf_bmode_probs,
// and tables.go's, follows); RFC 6386 §11.2 lists B_LD_PRED before
// B_RD_PRED and B_VR_PRED.
const (
	modeDC = 0 // DC_PRED, B_DC_PRED
	modeTM = 1 // TM_PRED, B_TM_PRED
	modeV  = 2 // V_PRED, B_VE_PRED
	modeH  = 3 // H_PRED, B_HE_PRED
	modeRD = 4
	modeVR = 5
	modeLD = 6
	modeVL = 7
	modeHD = 8
	modeHU = 9
)

// Fixed probabilities of the key-frame mode trees (RFC 6386 §11.2):
// kf_ymode_prob (whether the macroblock is split into subblocks, then the
// whole-macroblock modes) and kf_uv_mode_prob.
const (
	probSplit = 145
	probY1    = 156
	probY2    = 163
	probY3    = 128
	probUV1   = 142
	probUV2   = 114
	probUV3   = 183
)

// coeffBands maps a coefficient's position (in zigzag order) to its band
// (RFC 6386 §13.3, coeff_bands); position 16, past the last, is never
// read from but saves a bounds check.
var coeffBands = [17]uint8{0, 1, 2, 3, 6, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 0}

// Probabilities of the extra bits of the large DCT tokens, most
// significant first (RFC 6386 §13.2, Pcat1 to Pcat6); the tables of
// cat3 to cat6 end with a zero.
var (
	probCat1    = [1]uint8{159}
	probCat2    = [2]uint8{165, 145}
	probCat3456 = [4][12]uint8{
		{173, 148, 140},
		{176, 155, 140, 135},
		{180, 157, 141, 134, 130},
		{254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129},
	}
)

// maxMacroblockCols is the widest frame's macroblock count: widths are
// 14 bits (RFC 6386 §9.1), macroblocks 16 pixels.
const maxMacroblockCols = (1<<14 - 1 + 15) / 16

// A frameWalker holds the state of one walk: the partitions, the
// probabilities of the frame header, and the contexts the macroblock row
// above and the macroblock to the left leave.
type frameWalker struct {
	first    boolDecoder
	parts    [8]boolDecoder
	partEnd  [8]int // where each token partition ends in the frame
	probs    [numPlanes][numBands][numContexts][numTokenProbs]uint8
	seg      segmentMap
	useSkip  bool
	skipProb uint8

	// Subblock modes along the bottom of the row above (4 a macroblock)
	// and down the right of the macroblock to the left (§11.3).
	aboveModes [4 * maxMacroblockCols]uint8
	leftModes  [4]uint8
	// Whether each block along the same edges has coefficients (§13.3):
	// bits 0-3 the four Y blocks, 4-5 the U blocks, 6-7 the V blocks,
	// and, apart, the Y2 block of the last macroblock that has one.
	aboveNZ   [maxMacroblockCols]uint8
	aboveY2NZ [maxMacroblockCols]uint8
	leftNZ    uint8
	leftY2NZ  uint8
}

// FrameEnd returns how many bytes of the VP8 bitstream b, a key frame
// such as the payload of a WebP 'VP8 ' chunk, decoders read: the frame up
// to the end of its last token partition's data, which the format lets
// run to the end of b (RFC 6386 §9.5). Bytes after n decide nothing:
// b[:n] decodes to the same pixels as b.
//
// It checks the frame header as DecodeFrameHeader does, then reads the
// rest of the frame header (§9.6–§9.11, §13.4), the header of each
// macroblock in the first partition (§19.3: segment id, skip flag, intra
// modes) and its coefficient tokens in its token partition (§13), and
// counts, in the last partition, the bytes the boolean decoder's window
// covered when it read its last bool (see boolDecoder.used).
//
// Where a partition ends before its bools do, libwebp refuses the frame
// ("Premature end-of-file encountered") while libvpx decodes zeros; FrameEnd
// returns an error, as libwebp does. It also returns one for a partition
// whose decoder value ever exceeds its range: no encoder writes that, and
// decoders then read different bits depending on how many bytes they load
// at a time, so cutting such a frame could change it (FuzzVP8 found one). The work is bounded by b's size:
// every bool reduces the range or shifts a bit out of its partition, the
// range drops at most 127 times between shifts, every macroblock reads at
// least two bools of the first partition, and the walk stops at the first
// macroblock that runs past its partitions.
func FrameEnd(b []byte) (n int, err error) {
	h, err := DecodeFrameHeader(b)
	if err != nil {
		return 0, err
	}
	w := new(frameWalker)
	start := frameHeaderSize + h.FirstPartitionLen
	w.first.init(b[frameHeaderSize:start])
	// The partition sizes, checked by DecodeFrameHeader (§9.5).
	off := start + 3*(h.Partitions-1)
	for i := 0; i < h.Partitions-1; i++ {
		s := b[start+3*i:]
		size := int(s[0]) | int(s[1])<<8 | int(s[2])<<16
		w.parts[i].init(b[off : off+size])
		off += size
		w.partEnd[i] = off
	}
	last := off
	w.parts[h.Partitions-1].init(b[last:])
	w.partEnd[h.Partitions-1] = len(b)
	if err := w.header(); err != nil {
		return 0, err
	}
	cols, rows := (h.Width+15)/16, (h.Height+15)/16
	for mby := 0; mby < rows; mby++ {
		p := mby & (h.Partitions - 1)
		tokens := &w.parts[p]
		w.leftModes = [4]uint8{}
		w.leftNZ, w.leftY2NZ = 0, 0
		for mbx := 0; mbx < cols; mbx++ {
			w.macroblock(tokens, mbx)
			switch {
			case w.first.eof:
				return 0, errorAt(frameHeaderSize+h.FirstPartitionLen, "first partition ends in macroblock (%d, %d)", mbx, mby)
			case tokens.eof:
				return 0, errorAt(w.partEnd[p], "token partition %d ends in macroblock (%d, %d)", p, mbx, mby)
			}
		}
	}
	for i := range h.Partitions {
		if w.parts[i].invalid {
			return 0, errorAt(w.partEnd[i], "token partition %d is not boolean-coded data (a value above its range)", i)
		}
	}
	if w.first.invalid {
		return 0, errorAt(frameHeaderSize+h.FirstPartitionLen, "first partition is not boolean-coded data (a value above its range)")
	}
	return last + w.parts[h.Partitions-1].used(), nil
}

// header reads the frame header after the number of token partitions
// (RFC 6386 §19.2), which readPartitions reads up to.
func (w *frameWalker) header() error {
	d := &w.first
	readPartitions(d, &w.seg)
	// §9.6: the quantizer indices, y_ac_qi and five optional deltas
	// (y_dc, y2_dc, y2_ac, uv_dc, uv_ac).
	d.literal(7)
	for i := 0; i < 5; i++ {
		d.optional(4, true, 0)
	}
	// §9.7–§9.8: a key frame has only refresh_entropy_probs.
	d.literal(1)
	// §13.4: token probability updates, each flag read with its own
	// probability.
	w.probs = defaultCoeffProbs
	for i := range w.probs {
		for j := range w.probs[i] {
			for k := range w.probs[i][j] {
				for l := range w.probs[i][j][k] {
					if d.bool(coeffUpdateProbs[i][j][k][l]) {
						w.probs[i][j][k][l] = uint8(d.literal(8))
					}
				}
			}
		}
	}
	// §9.11: mb_no_coeff_skip and prob_skip_false.
	if w.useSkip = d.bool(128); w.useSkip {
		w.skipProb = uint8(d.literal(8))
	}
	if d.eof {
		return errorAt(frameHeaderSize+len(d.b), "frame header runs past the first partition")
	}
	return nil
}

// macroblock reads the header of macroblock mbx of the current row from
// the first partition (RFC 6386 §19.3) and its tokens from tokens (§13).
func (w *frameWalker) macroblock(tokens *boolDecoder, mbx int) {
	d := &w.first
	if w.seg.update {
		// §10: segment_id, a tree of three probabilities.
		if !d.bool(w.seg.probs[0]) {
			d.bool(w.seg.probs[1])
		} else {
			d.bool(w.seg.probs[2])
		}
	}
	skip := w.useSkip && d.bool(w.skipProb)
	above := w.aboveModes[4*mbx : 4*mbx+4 : 4*mbx+4]
	split := !d.bool(probSplit)
	if split {
		w.subblockModes(above)
	} else {
		var m uint8
		switch {
		case !d.bool(probY1):
			m = modeDC
			if d.bool(probY2) {
				m = modeV
			}
		case !d.bool(probY3):
			m = modeH
		default:
			m = modeTM
		}
		above[0], above[1], above[2], above[3] = m, m, m, m
		w.leftModes = [4]uint8{m, m, m, m}
	}
	// uv_mode: DC, V, H or TM; only its bools matter here.
	if d.bool(probUV1) && d.bool(probUV2) {
		d.bool(probUV3)
	}
	if skip {
		// §13: a macroblock without coefficients leaves zero contexts,
		// but the Y2 context of one without a Y2 block passes through.
		w.aboveNZ[mbx], w.leftNZ = 0, 0
		if !split {
			w.aboveY2NZ[mbx], w.leftY2NZ = 0, 0
		}
		return
	}
	w.residuals(tokens, mbx, split)
}

// subblockModes reads the 16 subblock modes of a split macroblock
// (RFC 6386 §11.3), each with the probabilities given the modes above
// and to the left (§11.5), along the bmode_tree.
func (w *frameWalker) subblockModes(above []uint8) {
	d := &w.first
	for y := 0; y < 4; y++ {
		left := w.leftModes[y]
		for x := 0; x < 4; x++ {
			p := &keyFrameSubblockProbs[above[x]][left]
			var m uint8
			switch {
			case !d.bool(p[0]):
				m = modeDC
			case !d.bool(p[1]):
				m = modeTM
			case !d.bool(p[2]):
				m = modeV
			case !d.bool(p[3]):
				switch {
				case !d.bool(p[4]):
					m = modeH
				case !d.bool(p[5]):
					m = modeRD
				default:
					m = modeVR
				}
			case !d.bool(p[6]):
				m = modeLD
			case !d.bool(p[7]):
				m = modeVL
			case !d.bool(p[8]):
				m = modeHD
			default:
				m = modeHU
			}
			above[x], left = m, m
		}
		w.leftModes[y] = left
	}
}

// residuals reads the coefficient tokens of a macroblock (RFC 6386
// §13): the Y2 block of one predicted as a whole, then 16 Y, 4 U and 4 V
// blocks, each in the context of how many of the blocks above and to
// its left have coefficients.
func (w *frameWalker) residuals(d *boolDecoder, mbx int, split bool) {
	plane, first := planeYWithDC, 0
	if !split {
		nz := w.coefficients(d, planeY2, w.leftY2NZ+w.aboveY2NZ[mbx], 0)
		w.leftY2NZ, w.aboveY2NZ[mbx] = nz, nz
		plane, first = planeYAfterY2, 1
	}
	a, l := w.aboveNZ[mbx], w.leftNZ
	w.blocks(d, plane, first, &a, &l, 0, 4)
	w.blocks(d, planeChroma, 0, &a, &l, 4, 2) // U
	w.blocks(d, planeChroma, 0, &a, &l, 6, 2) // V
	w.aboveNZ[mbx], w.leftNZ = a, l
}

// blocks reads the tokens of the n×n blocks whose contexts are bits lo to
// lo+n-1 of the flags above (a, by column) and to the left (l, by row),
// and updates those flags.
func (w *frameWalker) blocks(d *boolDecoder, plane, first int, a, l *uint8, lo, n uint) {
	for y := lo; y < lo+n; y++ {
		for x := lo; x < lo+n; x++ {
			nz := w.coefficients(d, plane, *a>>x&1+*l>>y&1, first)
			*a = *a&^(1<<x) | nz<<x
			*l = *l&^(1<<y) | nz<<y
		}
	}
}

// coefficients reads the tokens of one block of type plane from
// position n (RFC 6386 §13.2, §13.3) along the token tree, and returns 1
// if the block has any token but a first dct_eob, 0 if not: the context
// its neighbours see.
func (w *frameWalker) coefficients(d *boolDecoder, plane int, ctx uint8, n int) uint8 {
	probs := &w.probs[plane]
	p := &probs[coeffBands[n]][ctx]
	if !d.bool(p[0]) {
		return 0 // dct_eob
	}
	for {
		for !d.bool(p[1]) { // DCT_0; dct_eob cannot follow it
			if n++; n == 16 {
				return 1
			}
			p = &probs[coeffBands[n]][0]
		}
		next := 1 // the context after a one
		if d.bool(p[2]) {
			next = 2
			largeToken(d, p)
		}
		d.bool(128) // the sign
		if n++; n == 16 {
			return 1
		}
		p = &probs[coeffBands[n]][next]
		if !d.bool(p[0]) {
			return 1
		}
	}
}

// largeToken reads the rest of a token larger than one (RFC 6386 §13.2):
// dct_2 to dct_4, or a category and its extra bits.
func largeToken(d *boolDecoder, p *[numTokenProbs]uint8) {
	switch {
	case !d.bool(p[3]):
		if d.bool(p[4]) {
			d.bool(p[5]) // dct_3 or dct_4
		}
	case !d.bool(p[6]):
		if !d.bool(p[7]) {
			d.bool(probCat1[0])
		} else {
			d.bool(probCat2[0])
			d.bool(probCat2[1])
		}
	default:
		hi := d.bool(p[8])
		cat := 0
		if hi {
			cat = 2
		}
		if d.bool(p[9+cat/2]) {
			cat++
		}
		for _, prob := range probCat3456[cat] {
			if prob == 0 {
				break
			}
			d.bool(prob)
		}
	}
}
