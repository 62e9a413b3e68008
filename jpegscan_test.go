package exifscrub

import (
	"bytes"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// plantMark is the unique string planted where data can hide.
const plantMark = "PLANTED-7f3a9c-MARK"

// progressiveJPEG returns a progressive JPEG written by ImageMagick.
func progressiveJPEG(t *testing.T) []byte {
	t.Helper()
	need(t, "convert")
	dir := t.TempDir()
	src := filepath.Join(dir, "in.png")
	if err := os.WriteFile(src, basePNG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "out.jpg")
	if out, err := exec.Command("convert", src, "-interlace", "JPEG", dst).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v\n%s", err, out)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte{0xff, markerSOF2}) {
		t.Fatal("ImageMagick did not write a progressive JPEG")
	}
	return b
}

// restartJPEG returns a testdata JPEG with restart markers (DRI).
func restartJPEG(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "jpg__xmp__BlueSquare.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte{0xff, markerDRI}) {
		t.Fatal("no DRI segment")
	}
	return b
}

// insertAt returns b with x inserted at offset i.
func insertAt(b []byte, i int, x []byte) []byte {
	out := append([]byte(nil), b[:i]...)
	out = append(out, x...)
	return append(out, b[i:]...)
}

// TestScrubJPEGPlanted plants a marker in every place of a JPEG's image
// data where a decoder does not look, and checks that Scrub removes it,
// that Scan reports it, and that the pixels are unchanged.
func TestScrubJPEGPlanted(t *testing.T) {
	base := baseJPEG(t)
	eoi := len(base) - 2
	sos := bytes.Index(base, []byte{0xff, markerSOS})
	mark := []byte(plantMark)
	tests := []struct {
		name string
		in   []byte
		want string // a finding, as "category container tag"
	}{
		{"after the last MCU", insertAt(base, eoi, mark), "embedded JPEG DataAfterScan"},
		{"after the last MCU, after fill bytes", insertAt(base, eoi, append([]byte{0xff, 0xff, 0x00}, mark...)), "embedded JPEG DataAfterScan"},
		{"in a DNL segment", insertAt(base, eoi, segment(markerDNL, []byte{0, 32}, mark)), "embedded JPEG DNL DNL"},
		{"in a JPGn segment", insertAt(base, sos, segment(0xf3, mark)), "embedded JPEG 0xF3"},
		{"in a JPG segment", insertAt(base, sos, segment(markerJPG, mark)), "embedded JPEG 0xC8"},
		{"in a reserved segment", insertAt(base, sos, segment(0x40, mark)), "embedded JPEG 0x40"},
	}
	type test = struct {
		name string
		in   []byte
		want string
	}
	rst := restartJPEG(t)
	sos = bytes.LastIndex(rst, []byte{0xff, markerSOS})
	rst0 := sos + bytes.Index(rst[sos:], []byte{0xff, markerRST0})
	tests = append(tests, test{"before a restart marker", insertAt(rst, rst0, mark), "embedded JPEG DataAfterScan"})
	if _, err := exec.LookPath("convert"); err == nil || inCI() {
		prog := progressiveJPEG(t)
		// After the first scan's data, before the next segment.
		sos := bytes.Index(prog, []byte{0xff, markerSOS})
		next := sos + 2 + bytes.Index(prog[sos+2:], []byte{0xff, markerDHT})
		if n := bytes.Index(prog[sos+2:], []byte{0xff, markerSOS}) + sos + 2; n < next {
			next = n
		}
		tests = append(tests, test{"after a progressive scan", insertAt(prog, next, mark), "embedded JPEG DataAfterScan"})
		tests = append(tests, test{"after the last progressive scan", insertAt(prog, len(prog)-2, mark), "embedded JPEG DataAfterScan"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Scan(bytes.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			checkFindings(t, rep, []string{tt.want}, nil)
			out, _ := scrubBytes(t, tt.in)
			if bytes.Contains(out, mark) {
				t.Errorf("the planted marker is in the output")
			}
			checkClean(t, out, nil)
			a, err := jpeg.Decode(bytes.NewReader(tt.in))
			if err != nil {
				return // Go's decoder refuses what libjpeg reads; the corpus tests cover pixels
			}
			b, err := jpeg.Decode(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("output does not decode: %v", err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("pixels differ")
			}
		})
	}
}

// TestScrubJPEGCleanScanUnchanged checks that the walker copies clean
// image data byte for byte, restart markers included.
func TestScrubJPEGCleanScanUnchanged(t *testing.T) {
	ins := [][]byte{baseJPEG(t), restartJPEG(t)}
	if _, err := exec.LookPath("convert"); err == nil || inCI() {
		ins = append(ins, progressiveJPEG(t))
	}
	for _, in := range ins {
		out, rep := scrubBytes(t, in)
		if len(rep.Findings) == 0 && !bytes.Equal(out, in) {
			t.Errorf("a file without metadata changed: %d bytes in, %d out", len(in), len(out))
		}
		if bytes.HasSuffix(in, []byte{0xff, markerEOI}) {
			sos := bytes.LastIndex(in, []byte{0xff, markerSOS})
			if !bytes.HasSuffix(out, in[sos:]) {
				t.Errorf("the last scan changed")
			}
		}
	}
}

// TestScrubJPEGRefused checks the frames the walker cannot read.
func TestScrubJPEGRefused(t *testing.T) {
	base := baseJPEG(t)
	sof := bytes.Index(base, []byte{0xff, markerSOF0})
	tests := []struct {
		name    string
		in      []byte
		feature bool
	}{
		{"arithmetic coding", replaceByte(base, sof+1, 0xc9), true},
		{"lossless", replaceByte(base, sof+1, markerSOF3), true},
		{"hierarchical", replaceByte(base, sof+1, 0xc5), true},
		{"height 0 (DNL)", replaceByte(replaceByte(base, sof+5, 0), sof+6, 0), true},
		{"SOF length", insertAt(base, sof+4, []byte{0}), false},
		{"undefined Huffman table", bytes.Replace(base, []byte{0xff, markerDHT}, []byte{0xff, 0xfe}, -1), false},
		{"DQT with a byte more", insertAt(replaceByte(base, 5, base[5]+1), 4+int(base[4])<<8|int(base[5]), []byte{0}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Scrub(io.Discard, bytes.NewReader(tt.in), nil)
			checkFormatError(t, err, JPEG, len(tt.in), false, tt.feature)
		})
	}
}

func replaceByte(b []byte, i int, c byte) []byte {
	out := append([]byte(nil), b...)
	out[i] = c
	return out
}

// FuzzJPEGScan fuzzes the entropy-coded data of real scans, baseline and
// progressive, behind fixed headers.
func FuzzJPEGScan(f *testing.F) {
	base := baseJPEG(f)
	sos := bytes.Index(base, []byte{0xff, markerSOS})
	head := base[:sos+2+int(base[sos+2])<<8|int(base[sos+3])]
	f.Add(base[len(head):])
	f.Fuzz(func(t *testing.T, data []byte) {
		checkInvariants(t, append(append([]byte(nil), head...), data...))
	})
}

// TestHostileJPEGFrame gives a real progressive JPEG's scans a frame of
// 65535x65535 pixels: the walker must not allocate for the frame's size.
func TestHostileJPEGFrame(t *testing.T) {
	need(t, "convert")
	in := progressiveJPEG(t)
	sof := bytes.Index(in, []byte{0xff, markerSOF2})
	in[sof+5], in[sof+6], in[sof+7], in[sof+8] = 0xff, 0xff, 0xff, 0xff
	got := allocatedBytes(func() { Scrub(io.Discard, bytes.NewReader(in), nil) })
	if limit := uint64(64<<10 + 16*len(in)); got > limit {
		t.Errorf("%d bytes allocated per scrub of a %d-byte input, want at most %d", got, len(in), limit)
	}
}

// TestWalkerCutMatchesLibjpeg: a scan whose last MCU ends 4 bytes before
// its EOI (found by FuzzJPEGScan). Go's decoder reads the input but not the
// output, whose scan ends where the MCU does; libjpeg, through ImageMagick,
// decodes both to the same pixels, so the cut is what libjpeg reads.
func TestWalkerCutMatchesLibjpeg(t *testing.T) {
	need(t, "convert")
	base := baseJPEG(t)
	sos := bytes.Index(base, []byte{0xff, markerSOS})
	head := base[:sos+2+int(base[sos+2])<<8|int(base[sos+3])]
	data := []byte("0)10\xa7AAAAA000AX7\xf4a(AA800000Z10\xaf0Z7%10000%\x1500%ABO080AA00ZZ008Z80\x9e\xd877\x7f7\xfa787\xf87\xa7\xc90W\xa7AW8\xa7W\x9dS080A00\xff\xd9")
	in := append(append([]byte(nil), head...), data...)
	var out bytes.Buffer
	rep, err := Scrub(&out, bytes.NewReader(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Has(Embedded) || out.Len() >= len(in) {
		t.Fatalf("nothing cut: %d bytes in, %d out, report %v", len(in), out.Len(), rep.Findings)
	}
	dir := t.TempDir()
	pixels := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		px, err := exec.Command("convert", p, "-depth", "8", "rgb:-").Output()
		if err != nil {
			t.Fatalf("convert %s: %v", name, err)
		}
		return string(px)
	}
	if pixels("in.jpg", in) != pixels("out.jpg", out.Bytes()) {
		t.Error("libjpeg decodes the input and the output to different pixels")
	}
}

// dhtPayloads returns the payloads of the DHT segments of a JPEG.
func dhtPayloads(b []byte) [][]byte {
	var out [][]byte
	for i := 2; i+4 <= len(b) && b[i] == 0xff && b[i+1] != markerSOS; {
		n := int(b[i+2])<<8 | int(b[i+3])
		if i+2+n > len(b) {
			break
		}
		if b[i+1] == markerDHT {
			out = append(out, b[i+4:i+2+n])
		}
		i += 2 + n
	}
	return out
}

// readPosition is where a scan's decoding stands: the window index of the
// first data byte not yet read whole and the bits of it read, or, past the
// end of the data, how many zero bits the decoder has read beyond it.
type readPosition struct{ index, bits, overrun int }

func (s *jpegScan) position() readPosition {
	real := int(s.n) - 8*int(s.zeros)
	if real < 0 {
		return readPosition{overrun: -real}
	}
	return readPosition{index: s.back(uint(real / 8)), bits: (8 - real%8) % 8}
}

// FuzzJPEGBlocks compares the walker's two ways of reading the blocks of
// a sequential scan: code by code, and with a multiTable, which large
// scans use. Both must stop at the same bit after each block.
func FuzzJPEGBlocks(f *testing.F) {
	base := baseJPEG(f)
	sos := bytes.Index(base, []byte{0xff, markerSOS})
	data := base[sos+2+int(base[sos+2])<<8|int(base[sos+3]):]
	for _, p := range dhtPayloads(base) {
		f.Add(p, data)
	}
	f.Fuzz(func(t *testing.T, dht, data []byte) {
		var fr jpegFrame
		if msg := fr.parseDHT(dht); msg != "" {
			return
		}
		var dc, ac *huffTable
		for i := range fr.dc {
			if fr.dc[i].defined && dc == nil {
				dc = &fr.dc[i]
			}
			if fr.ac[i].defined && ac == nil {
				ac = &fr.ac[i]
			}
		}
		if ac == nil {
			return
		}
		if dc == nil {
			dc = ac // any code: its symbols are taken as sizes
		}
		m := new(multiTable)
		m.build(ac)
		// The data ends at a marker, so the walker never refills its
		// window (which has no reader behind it here).
		b := append(append([]byte(nil), data...), 0xff, markerEOI)
		s1 := &jpegScan{b: b}
		s2 := &jpegScan{b: b}
		s1.reset()
		s2.reset()
		for k := 0; k < 200 && !s1.exhausted(); k++ {
			s1.block(dc, ac, nil)
			s2.block(dc, ac, m)
			if p1, p2 := s1.position(), s2.position(); p1 != p2 {
				t.Fatalf("block %d: code by code the walker stops at %+v, with the multiTable at %+v", k, p1, p2)
			}
		}
	})
}

// decodeF223 decodes the code at the top of acc as T.81 F.2.2.3 does, bit
// by bit; length 0 if there is none.
func decodeF223(t *huffTable, acc uint64) (byte, uint) {
	for l := uint(1); l <= 16; l++ {
		if code := int32(acc >> (64 - l)); code <= t.maxcode[l] {
			return t.vals[code+t.valoff[l]], l
		}
	}
	return 0, 0
}

// TestMultiTable checks every entry of the multiTables of the Huffman
// tables in the test and corpus JPEGs against decoding its codes one by
// one.
func TestMultiTable(t *testing.T) {
	var dhts [][]byte
	files := sampleFiles(t, false, JPEG)
	if os.Getenv("EXIFSCRUB_CORPUS") != "" {
		files = append(files, sampleFiles(t, true, JPEG)...)
	}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		dhts = append(dhts, dhtPayloads(b)...)
	}
	dhts = append(dhts, dhtPayloads(baseJPEG(t))...)
	m := new(multiTable)
	for _, p := range dhts {
		var fr jpegFrame
		if msg := fr.parseDHT(p); msg != "" {
			t.Fatal(msg)
		}
		for _, ac := range fr.ac {
			if !ac.defined {
				continue
			}
			m.build(&ac)
			for x := range m {
				var bits, pre, adv uint
				acc := uint64(x) << (64 - multiBits)
				for adv < 63 {
					sym, l := decodeF223(&ac, acc)
					size := uint(sym & 15)
					if l == 0 || l > huffLookahead || bits+l+size > multiBits {
						break
					}
					a := uint(sym>>4) + 1
					if size == 0 {
						a = 64
						if sym>>4 == 15 {
							a = 16
						}
					}
					bits += l + size
					acc <<= l + size
					pre, adv = adv, adv+a
				}
				var want uint32
				if bits > 0 {
					want = multiEntry(bits, pre, adv)
				}
				if m[x] != want {
					t.Fatalf("entry %012b: got %#x, want %#x", x, m[x], want)
				}
			}
		}
	}
}
