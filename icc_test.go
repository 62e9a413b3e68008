package exifscrub

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/exifscrub/exifscrub/internal/icc"
	"github.com/exifscrub/exifscrub/internal/icc/icctest"
)

// The ICC profile parser and sanitiser are tested in internal/icc; these
// tests check what scrubICC reports of a profile, and that sanitising
// does not move colour.

// iccMarker is planted in every text field of built profiles.
const iccMarker = "PLANTED-ICC-7f3a"

// buildICC builds a valid RGB display profile with marker in every place a
// byte can hide (icctest.Build).
func buildICC(major byte, marker string) []byte { return icctest.Build(major, marker) }

// sanitizeICC returns p sanitised, reporting nothing.
func sanitizeICC(p []byte) ([]byte, error) { return scrubICC(new(Report), "ICC_Profile", p) }

// reportICCBytes returns what scrubICC reports of p.
func reportICCBytes(p []byte) Report {
	var rep Report
	scrubICC(&rep, "ICC_Profile", p)
	return rep
}

func TestReportICCBuilt(t *testing.T) {
	for _, major := range []byte{2, 4} {
		t.Run(string('0'+major), func(t *testing.T) {
			in := buildICC(major, iccMarker)
			rep := reportICCBytes(in)
			for _, c := range []Category{Time, Device, Identity, Text, Embedded} {
				if !rep.Has(c) {
					t.Errorf("report has no %s finding: %v", c, rep.Findings)
				}
			}
			out, err := sanitizeICC(in)
			if err != nil {
				t.Fatal(err)
			}
			checkScrubbedICC(t, out)
		})
	}
}

// checkScrubbedICC checks that scrubICC reports nothing in its own output
// and leaves it as it is.
func checkScrubbedICC(t *testing.T, out []byte) {
	t.Helper()
	var rep Report
	again, err := scrubICC(&rep, "ICC_Profile", out)
	if err != nil {
		t.Fatalf("scrubICC of its own output: %v", err)
	}
	if !bytes.Equal(again, out) {
		t.Errorf("scrubICC is not a fixed point")
	}
	if len(rep.Findings) > 0 {
		t.Errorf("scrubICC of a sanitised profile: %v", rep.Findings)
	}
}

func utf16Bytes(s string) []byte {
	var b []byte
	for _, c := range utf16.Encode([]rune(s)) {
		b = binary.BigEndian.AppendUint16(b, c)
	}
	return b
}

// TestReportICCPublishedSRGB checks that the published sRGB profiles,
// which libpng reads as the sRGB colour space, are kept as they are and
// reported as nothing, as ExifTool extracts them.
func TestReportICCPublishedSRGB(t *testing.T) {
	need(t, "exiftool")
	for _, name := range []string{"jpg__Canon_40D.jpg", "pillow__icc_profile.png", "pillow__flower2.webp"} {
		t.Run(name, func(t *testing.T) {
			p := extractICC(t, filepath.Join("testdata", name))
			var rep Report
			out, err := scrubICC(&rep, "ICC_Profile", p)
			if len(rep.Findings) > 0 {
				t.Errorf("findings %v, want none", rep.Findings)
			}
			if err != nil || !bytes.Equal(out, p) {
				t.Errorf("scrubICC changed the profile (error %v)", err)
			}
		})
	}
}

// TestReportICCStandard checks that a well-known profile, with its
// maker's header and text, is one finding of category Other, and that the
// same profile with other text is not.
func TestReportICCStandard(t *testing.T) {
	standard := func(cprt string) []byte {
		hdr := make([]byte, icctest.HeaderSize)
		copy(hdr[4:], "appl")
		hdr[8] = 4
		copy(hdr[12:], "mntrRGB XYZ ")
		for i, v := range []uint16{2017, 7, 7, 13, 22, 32} {
			binary.BigEndian.PutUint16(hdr[24+2*i:], v)
		}
		copy(hdr[36:], "acspAPPL")
		copy(hdr[48:], "APPL")
		copy(hdr[68:], []byte{0, 0, 0xf6, 0xd6, 0, 1, 0, 0, 0, 0, 0xd3, 0x2d})
		copy(hdr[80:], "appl")
		copy(hdr[84:], "0123456789abcdef")
		return icctest.Assemble(hdr, []icctest.Tag{
			{Sig: "desc", Data: icctest.TextTag(2, "Display P3")},
			{Sig: "cprt", Data: []byte("text\x00\x00\x00\x00" + cprt + "\x00")},
			{Sig: "wtpt", Data: icctest.XYZTag(0.9642, 1, 0.8249, "")},
		}, "", "")
	}
	rep := reportICCBytes(standard("Copyright Apple Inc., 2017"))
	if len(rep.Findings) != 1 || rep.Findings[0].Category != Other ||
		rep.Findings[0].Value != "Display P3 (standard profile, rewritten)" {
		t.Errorf("findings %v, want one Other finding for the standard profile", rep.Findings)
	}
	rep = reportICCBytes(standard("Copyright Apple Inc., 2017, 48.8584 N 2.2945 E"))
	if !rep.Has(Identity) || !rep.Has(Time) || !rep.Has(Device) {
		t.Errorf("findings %v, want identity, time and device", rep.Findings)
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

// TestScrubICCErrors checks how scrubICC reports what icc refuses: a
// profile that is not one is reported as Embedded, one that cannot be
// rebuilt is an error wrapping ErrUnsupportedFeature, with the message the
// caller's FormatError shows (internal/icc tests the errors themselves).
func TestScrubICCErrors(t *testing.T) {
	good := buildICC(2, "x")
	mod := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	tests := []struct {
		name, in, want string
	}{
		{"text", strings.Repeat("GPS ", 40), "not a valid ICC profile: no 'acsp' signature"},
		{"truncated", string(good[:len(good)-8]), fmt.Sprintf("not a valid ICC profile: profile size %d exceeds the %d bytes present", len(good), len(good)-8)},
		{"version 5", string(mod(func(b []byte) []byte { b[8] = 5; return b })), "ICC profile: version 5.2 is not 2 or 4: exifscrub: unsupported feature"},
		{"curve too short", string(mod(func(b []byte) []byte {
			e := 132 + 12*10 // rTRC
			off := binary.BigEndian.Uint32(b[e+4:])
			binary.BigEndian.PutUint32(b[off+8:], 1000)
			return b
		})), `ICC profile: tag rTRC: type "curv" needs 2012 bytes, tag has 15: exifscrub: unsupported feature`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rep Report
			_, err := scrubICC(&rep, "ICC_Profile", []byte(tt.in))
			unsupported := errors.Is(err, ErrUnsupportedFeature)
			switch {
			case err == nil:
				t.Fatal("no error")
			case err.Error() != tt.want:
				t.Errorf("error %q, want %q", err, tt.want)
			case !unsupported && !errors.Is(err, icc.ErrInvalid):
				t.Errorf("error %v, want icc.ErrInvalid", err)
			}
			if got := rep.Has(Embedded); got == unsupported {
				t.Errorf("Embedded finding %v, want %v: %v", got, !unsupported, rep.Findings)
			}
			if !unsupported && (len(rep.Findings) != 1 || rep.Findings[0].Value != fmt.Sprintf("(%d bytes, %s)", len(tt.in), tt.want)) {
				t.Errorf("findings %v, want one with the error", rep.Findings)
			}
		})
	}
}

func TestScrubICCTruncated(t *testing.T) {
	for _, major := range []byte{2, 4} {
		p := buildICC(major, iccMarker)
		for n := 0; n < len(p); n++ {
			b := p[:n]
			if n >= 4 {
				b = append([]byte(nil), b...)
				binary.BigEndian.PutUint32(b, uint32(n)) // claims only what is there
			}
			if out, err := scrubICC(new(Report), "ICC_Profile", b); err == nil {
				checkScrubbedICC(t, out)
			}
		}
	}
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
	seen := map[string]bool{}
	var samples []string
	for _, path := range sampleFiles(t, !testing.Short(), JPEG, PNG, WebP) {
		if !seen[filepath.Base(path)] { // testdata repeats some corpus files
			seen[filepath.Base(path)] = true
			samples = append(samples, path)
		}
	}
	// One ExifTool run lists the files with a profile.
	out, _ := exec.Command("exiftool", append([]string{"-q", "-q", "-p", "$Directory/$FileName", "-if", "$ICC_Profile:ProfileClass"}, samples...)...).Output()
	files := strings.Fields(string(out))
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
	if len(files) < 4+5 && !testing.Short() {
		t.Fatalf("only %d files with a profile: %v", len(files), files)
	}
	// Scrub them all, then convert originals and copies in one
	// ImageMagick run: starting it is most of the cost.
	var pairs []string
	for i, path := range files {
		in, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := scrubBytes(t, in)
		outPath := filepath.Join(dir, fmt.Sprintf("scrubbed%02d%s", i, filepath.Ext(path)))
		if err := os.WriteFile(outPath, out, 0o644); err != nil {
			t.Fatal(err)
		}
		pairs = append(pairs, path, outPath)
	}
	sigs := convertedSignatures(t, dstPath, pairs...)
	if len(sigs) != len(pairs) {
		t.Fatalf("%d signatures for %d images", len(sigs), len(pairs))
	}
	for i, path := range files {
		if before, after := sigs[2*i], sigs[2*i+1]; before != after {
			t.Errorf("%s: colour moved: converted pixels differ (%s vs %s)", filepath.Base(path), before, after)
		}
	}
}

// convertedSignatures converts the first image of each file from its
// embedded profile to dst, in one ImageMagick run, and returns the
// signatures of the resulting pixels.
func convertedSignatures(t *testing.T, dst string, paths ...string) []string {
	t.Helper()
	var args []string
	for _, p := range paths {
		args = append(args, p+"[0]")
	}
	args = append(args, "-profile", dst, "-format", "%#\n", "info:")
	cmd := exec.Command("convert", args...)
	cmd.Env = append(os.Environ(), "MAGICK_THREAD_LIMIT=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // warnings about other metadata
	out, err := cmd.Output()
	if len(out) == 0 {
		t.Fatalf("convert %v: %v\n%s", paths, err, stderr.Bytes())
	}
	return strings.Fields(string(out))
}

// cleanICC returns a small valid profile that sanitizeICC leaves as it is.
func cleanICC() []byte {
	p, err := sanitizeICC(buildICC(2, "x"))
	if err != nil {
		panic(err)
	}
	return p
}
