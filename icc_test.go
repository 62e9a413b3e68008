package exifscrub

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// iccMarker is planted in every text field of built profiles.
const iccMarker = "PLANTED-ICC-7f3a"

// s15 encodes an s15Fixed16Number (ICC.1:2022 §4.6).
func s15(f float64) uint32 { return uint32(int32(f * 65536)) }

func xyzTag(x, y, z float64, extra string) []byte {
	b := []byte("XYZ \x00\x00\x00\x00")
	for _, v := range []float64{x, y, z} {
		b = binary.BigEndian.AppendUint32(b, s15(v))
	}
	return append(b, extra...)
}

func textTag(major byte, s string) []byte {
	if major >= 4 {
		return mlucTag(s)
	}
	b := []byte("desc\x00\x00\x00\x00")
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)+1))
	b = append(b, s...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint32(b, 0)
	u := utf16.Encode([]rune(s))
	b = binary.BigEndian.AppendUint32(b, uint32(len(u)+1))
	for _, c := range u {
		b = binary.BigEndian.AppendUint16(b, c)
	}
	b = append(b, 0, 0)
	b = append(b, 0, 0, 0)
	return append(b, make([]byte, 67)...)
}

func mlucTag(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := []byte("mluc\x00\x00\x00\x00")
	b = binary.BigEndian.AppendUint32(b, 2)
	b = binary.BigEndian.AppendUint32(b, 12)
	b = append(b, "enUS"...)
	b = binary.BigEndian.AppendUint32(b, uint32(2*len(u)))
	b = binary.BigEndian.AppendUint32(b, 40)
	b = append(b, "frFR"...)
	b = binary.BigEndian.AppendUint32(b, uint32(2*len(u)))
	b = binary.BigEndian.AppendUint32(b, 40)
	for _, c := range u {
		b = binary.BigEndian.AppendUint16(b, c)
	}
	return b
}

type builtTag struct {
	sig  string
	data []byte
}

// assembleICC writes a profile from a header and tags, which share data
// when their bytes are equal; between tags it writes gap.
func assembleICC(hdr []byte, tags []builtTag, gap, trailer string) []byte {
	b := append([]byte(nil), hdr[:iccHeaderSize]...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(tags)))
	table := len(b)
	b = append(b, make([]byte, 12*len(tags))...)
	at := map[string][2]uint32{}
	for i, t := range tags {
		e := table + 12*i
		binary.BigEndian.PutUint32(b[e:], binary.BigEndian.Uint32([]byte(t.sig)))
		if p, ok := at[string(t.data)]; ok {
			binary.BigEndian.PutUint32(b[e+4:], p[0])
			binary.BigEndian.PutUint32(b[e+8:], p[1])
			continue
		}
		b = append(b, gap...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		p := [2]uint32{uint32(len(b)), uint32(len(t.data))}
		at[string(t.data)] = p
		binary.BigEndian.PutUint32(b[e+4:], p[0])
		binary.BigEndian.PutUint32(b[e+8:], p[1])
		b = append(b, t.data...)
	}
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return append(b, trailer...)
}

// buildICC builds a valid RGB display profile of the given major version
// with marker in every place a byte can hide: header fields, every text
// tag (ASCII, Unicode, mluc), a private tag, bytes after a tag's values,
// unreferenced bytes between tags, and reserved header bytes.
func buildICC(major byte, marker string) []byte {
	hdr := make([]byte, iccHeaderSize)
	copy(hdr[4:], "mrk1")
	hdr[8], hdr[9] = major, 0x20
	copy(hdr[12:], "mntrRGB XYZ ")
	for i, v := range []uint16{2024, 5, 6, 7, 8, 9} {
		binary.BigEndian.PutUint16(hdr[24+2*i:], v)
	}
	copy(hdr[36:], "acspAPPL")
	hdr[47] = 1
	copy(hdr[48:], "mrkMmrkD")
	copy(hdr[56:], "attribs!")
	// The D50 illuminant as §7.2.16 gives it (libpng checks it exactly).
	binary.BigEndian.PutUint32(hdr[68:], 0xf6d6)
	binary.BigEndian.PutUint32(hdr[72:], 0x10000)
	binary.BigEndian.PutUint32(hdr[76:], 0xd32d)
	copy(hdr[80:], "mrkC")
	copy(hdr[84:], "0123456789abcdef")
	copy(hdr[100:], marker)

	curve := []byte("curv\x00\x00\x00\x00\x00\x00\x00\x01\x01\xcd") // gamma 1.8
	curve = append(curve, marker...)
	if major >= 4 {
		// parametricCurveType, function 0: gamma 2.4
		curve = []byte("para\x00\x00\x00\x00\x00\x00\x00\x00")
		curve = binary.BigEndian.AppendUint32(curve, s15(2.4))
		curve = append(curve, marker...)
	}
	chad := []byte("sf32\x00\x00\x00\x00")
	for i := 0; i < 9; i++ {
		v := 0.0
		if i%4 == 0 {
			v = 1
		}
		chad = binary.BigEndian.AppendUint32(chad, s15(v))
	}
	tags := []builtTag{
		{"desc", textTag(major, "Dell U2720Q "+marker)},
		{"cprt", []byte("text\x00\x00\x00\x00Copyright " + marker + "\x00")},
		{"dmnd", textTag(major, "maker "+marker)},
		{"dmdd", textTag(major, "model "+marker)},
		{"vued", textTag(major, "view "+marker)},
		{"dscm", mlucTag("localized " + marker)},
		{"wtpt", xyzTag(0.9642, 1, 0.8249, marker)},
		{"rXYZ", xyzTag(0.4361, 0.2225, 0.0139, "")},
		{"gXYZ", xyzTag(0.3851, 0.7169, 0.0971, "")},
		{"bXYZ", xyzTag(0.1431, 0.0606, 0.7141, "")},
		{"rTRC", curve},
		{"gTRC", curve},
		{"bTRC", curve},
		{"chad", chad},
		{"zzzz", []byte("text\x00\x00\x00\x00" + marker + "\x00")},
		{"calt", []byte("dtim\x00\x00\x00\x00\x07\xe8\x00\x05\x00\x06\x00\x07\x00\x08\x00\x09")},
		{"meas", append([]byte("meas"), make([]byte, 32)...)},
	}
	return assembleICC(hdr, tags, marker, "")
}

func TestSanitizeICCBuilt(t *testing.T) {
	for _, major := range []byte{2, 4} {
		t.Run(string('0'+major), func(t *testing.T) {
			in := buildICC(major, iccMarker)
			var rep Report
			reportICC(&rep, "ICC_Profile", in)
			for _, c := range []Category{Time, Device, Identity, Text, Embedded} {
				if !rep.Has(c) {
					t.Errorf("report has no %s finding: %v", c, rep.Findings)
				}
			}
			out, err := sanitizeICC(in)
			if err != nil {
				t.Fatal(err)
			}
			checkSanitized(t, out)
			if bytes.Contains(out, []byte(iccMarker)) || bytes.Contains(out, utf16Bytes(iccMarker)) {
				t.Errorf("marker survives in the sanitised profile")
			}
			for _, s := range []string{"mrk", "attribs", "0123456789", "Dell"} {
				if bytes.Contains(out, []byte(s)) {
					t.Errorf("%q survives in the sanitised profile", s)
				}
			}
			pr, err := parseICC(out)
			if err != nil {
				t.Fatal(err)
			}
			var sigs []string
			for _, tag := range pr.tags {
				sigs = append(sigs, tag.sig.String())
			}
			if got, want := strings.Join(sigs, " "), "desc cprt wtpt rXYZ gXYZ bXYZ rTRC gTRC bTRC chad"; got != want {
				t.Errorf("tags %q, want %q", got, want)
			}
			// The shared curve is still shared.
			if pr.tags[6].off != pr.tags[7].off || pr.tags[7].off != pr.tags[8].off {
				t.Errorf("TRC tags no longer share their data: %v", pr.tags[6:9])
			}
			if want := "mluc"; major == 4 && string(pr.data(pr.tags[0])[:4]) != want {
				t.Errorf("v4 desc type %q, want %q", pr.data(pr.tags[0])[:4], want)
			}
			if want := "desc"; major == 2 && string(pr.data(pr.tags[0])[:4]) != want {
				t.Errorf("v2 desc type %q, want %q", pr.data(pr.tags[0])[:4], want)
			}
		})
	}
}

// checkSanitized checks what must hold for sanitizeICC's output: a fixed
// point that reportICC finds nothing in, 4-byte aligned, with the
// identifying header fields zero.
func checkSanitized(t *testing.T, out []byte) {
	t.Helper()
	again, err := sanitizeICC(out)
	if err != nil {
		t.Fatalf("sanitizeICC of its own output: %v", err)
	}
	if !bytes.Equal(again, out) {
		t.Errorf("sanitizeICC is not a fixed point")
	}
	var rep Report
	reportICC(&rep, "ICC_Profile", out)
	if len(rep.Findings) > 0 {
		t.Errorf("reportICC of a sanitised profile: %v", rep.Findings)
	}
	if len(out)%4 != 0 || int(binary.BigEndian.Uint32(out)) != len(out) {
		t.Errorf("size field %d, length %d", binary.BigEndian.Uint32(out), len(out))
	}
	for _, r := range [][2]int{{4, 8}, {24, 36}, {40, 44}, {48, 64}, {80, 128}} {
		if !allZero(out[r[0]:r[1]]) {
			t.Errorf("header bytes %d-%d not zero: % x", r[0], r[1], out[r[0]:r[1]])
		}
	}
	pr, err := parseICC(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range pr.tags {
		if tag.off%4 != 0 {
			t.Errorf("tag %v at unaligned offset %d", tag.sig, tag.off)
		}
	}
}

func utf16Bytes(s string) []byte {
	var b []byte
	for _, c := range utf16.Encode([]rune(s)) {
		b = binary.BigEndian.AppendUint16(b, c)
	}
	return b
}

func TestReportICCStandard(t *testing.T) {
	need(t, "exiftool")
	for _, name := range []string{"jpg__Canon_40D.jpg", "pillow__icc_profile.png", "pillow__flower2.webp"} {
		t.Run(name, func(t *testing.T) {
			p := extractICC(t, filepath.Join("testdata", name))
			var rep Report
			reportICC(&rep, "ICC_Profile", p)
			if len(rep.Findings) != 1 || rep.Findings[0].Category != Other ||
				rep.Findings[0].Value != "sRGB IEC61966-2.1 (standard profile, rewritten)" {
				t.Errorf("findings %v, want one Other finding for the standard sRGB profile", rep.Findings)
			}
			out, err := sanitizeICC(p)
			if err != nil {
				t.Fatal(err)
			}
			checkSanitized(t, out)
		})
	}
}

// extractICC returns the ICC profile ExifTool finds in a file.
func extractICC(t testing.TB, path string) []byte {
	t.Helper()
	p, err := exec.Command("exiftool", "-icc_profile", "-b", path).Output()
	if err != nil || len(p) == 0 {
		t.Fatalf("exiftool -icc_profile %s: %v", path, err)
	}
	return p
}

func TestSanitizeICCErrors(t *testing.T) {
	good := buildICC(2, "x")
	mod := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	tests := []struct {
		name        string
		in          []byte
		unsupported bool
	}{
		{"empty", nil, false},
		{"text", []byte(strings.Repeat("GPS 48.8584 N 2.2945 E ", 10)), false},
		{"no acsp", mod(func(b []byte) []byte { copy(b[36:], "xxxx"); return b }), false},
		{"truncated", good[:len(good)-8], false},
		{"size too small", mod(func(b []byte) []byte { binary.BigEndian.PutUint32(b, 100); return b }), false},
		{"tag count too large", mod(func(b []byte) []byte { binary.BigEndian.PutUint32(b[128:], 1<<30); return b }), false},
		{"tag past the end", mod(func(b []byte) []byte { binary.BigEndian.PutUint32(b[132+4:], uint32(len(b))); return b }), false},
		{"version 5", mod(func(b []byte) []byte { b[8] = 5; return b }), true},
		{"colour tag in header", mod(func(b []byte) []byte {
			e := 132 + 12*7 // rXYZ
			binary.BigEndian.PutUint32(b[e+4:], 24)
			binary.BigEndian.PutUint32(b[e+8:], 20)
			return b
		}), true},
		{"duplicate colour tag", mod(func(b []byte) []byte { copy(b[132+12*8:], "rXYZ"); return b }), true},
		{"curve too short", mod(func(b []byte) []byte {
			e := 132 + 12*10 // rTRC
			off := binary.BigEndian.Uint32(b[e+4:])
			binary.BigEndian.PutUint32(b[off+8:], 1000)
			return b
		}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sanitizeICC(tt.in)
			switch {
			case err == nil:
				t.Fatal("no error")
			case tt.unsupported && !errors.Is(err, ErrUnsupportedFeature):
				t.Errorf("error %v, want ErrUnsupportedFeature", err)
			case !tt.unsupported && !errors.Is(err, errInvalidICC):
				t.Errorf("error %v, want errInvalidICC", err)
			}
			var rep Report
			reportICC(&rep, "ICC_Profile", tt.in)
			if got := rep.Has(Embedded); got == tt.unsupported {
				t.Errorf("Embedded finding %v, want %v: %v", got, !tt.unsupported, rep.Findings)
			}
		})
	}
}

func TestSanitizeICCTruncated(t *testing.T) {
	for _, major := range []byte{2, 4} {
		p := buildICC(major, iccMarker)
		for n := 0; n < len(p); n++ {
			b := p[:n]
			if n >= 4 {
				b = append([]byte(nil), b...)
				binary.BigEndian.PutUint32(b, uint32(n)) // claims only what is there
			}
			if out, err := sanitizeICC(b); err == nil {
				checkSanitized(t, out)
			}
			reportICC(new(Report), "ICC_Profile", b)
		}
	}
}

func FuzzICC(f *testing.F) {
	f.Add(buildICC(2, iccMarker))
	f.Add(buildICC(4, iccMarker))
	for _, name := range []string{"jpg__Canon_40D.jpg"} {
		if p, err := exec.Command("exiftool", "-icc_profile", "-b", filepath.Join("testdata", name)).Output(); err == nil {
			f.Add(p)
		}
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		var rep Report
		reportICC(&rep, "ICC_Profile", p)
		out, err := sanitizeICC(p)
		if err != nil {
			if !errors.Is(err, errInvalidICC) && !errors.Is(err, ErrUnsupportedFeature) {
				t.Fatalf("error %v is neither invalid nor unsupported", err)
			}
			return
		}
		if len(rep.Findings) == 0 && !bytes.Equal(out, p) {
			t.Fatalf("profile changed but nothing reported")
		}
		checkSanitized(t, out)
	})
}

// TestICCColour checks that sanitising a profile does not move colour:
// every sample file with a profile converts to the same pixels through
// its original and its sanitised profile (ImageMagick, littleCMS). Built
// profiles full of text are checked the same way, embedded by ImageMagick
// in a JPEG and a PNG.
func TestICCColour(t *testing.T) {
	need(t, "convert")
	need(t, "exiftool")
	dir := t.TempDir()
	// The destination differs from every source, so that no conversion is
	// skipped as an identity: a built v2 profile, gamma 1.8 over sRGB
	// primaries, sanitised (it must be valid for littleCMS).
	dst, err := sanitizeICC(buildICC(2, "dst"))
	if err != nil {
		t.Fatal(err)
	}
	dstPath := filepath.Join(dir, "dst.icc")
	if err := os.WriteFile(dstPath, dst, 0o644); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, path := range sampleFiles(t, !testing.Short(), JPEG, PNG, WebP) {
		if out, _ := exec.Command("exiftool", "-s3", "-ICC_Profile:ProfileClass", path).Output(); len(bytes.TrimSpace(out)) > 0 {
			files = append(files, path)
		}
	}
	for _, major := range []byte{2, 4} {
		p := filepath.Join(dir, "built"+string('0'+major)+".icc")
		if err := os.WriteFile(p, buildICC(major, iccMarker), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, ext := range []string{".jpg", ".png"} {
			img := filepath.Join(dir, "built"+string('0'+major)+ext)
			if out, err := exec.Command("convert", "-size", "64x64", "plasma:fractal", "-seed", "1", "-profile", p, img).CombinedOutput(); err != nil {
				t.Fatalf("convert: %v\n%s", err, out)
			}
			files = append(files, img)
		}
	}
	if len(files) == 0 {
		t.Fatal("no sample files with a profile")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			in, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := scrubBytes(t, in)
			outPath := writeTemp(t, "scrubbed"+filepath.Ext(path), out)
			before, after := convertedSignature(t, path, dstPath), convertedSignature(t, outPath, dstPath)
			if before != after {
				t.Errorf("colour moved: converted pixels differ (%s vs %s)", before, after)
			}
			if plain := magickSignature(t, path); plain == before && !strings.Contains(path, "built") {
				t.Logf("conversion left the pixels unchanged")
			}
		})
	}
}

// convertedSignature converts a file's first image from its embedded
// profile to dst and returns the signature of the resulting pixels.
func convertedSignature(t *testing.T, path, dst string) string {
	t.Helper()
	cmd := exec.Command("convert", path+"[0]", "-profile", dst, "-format", "%#", "info:")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // warnings about other metadata
	out, err := cmd.Output()
	if len(out) == 0 {
		t.Fatalf("convert %s: %v\n%s", path, err, stderr.Bytes())
	}
	return string(out)
}
