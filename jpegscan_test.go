package exifscrub

// The entropy-coded-data walker as Scan and Scrub use it: planted data,
// clean scans, refused frames, hostile sizes. Its white-box tests and fuzz
// targets are in internal/jpegscan.

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
// its EOI (found by FuzzJPEGScan, in internal/jpegscan). Go's decoder reads
// the input but not the output, whose scan ends where the MCU does;
// libjpeg, through ImageMagick, decodes both to the same pixels, so the cut
// is what libjpeg reads.
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
