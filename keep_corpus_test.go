package exifscrub

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// keepStructure matches the tags ExifTool reads from any scrubbed file's
// structure: what a default scrub leaves, HEIF and WebP structure, and the
// composite tags ExifTool derives from the kept ones.
// IPTC's record version, which a rebuilt IPTC block starts with (IIM 4.2
// §1.5.2), and ExifTool's digest of the IPTC block are structure too.
var keepStructure = regexp.MustCompile(`^(Composite:.*|File:ExifByteOrder|File:CurrentIPTCDigest|IPTC:ApplicationRecordVersion|RIFF:.*)$`)

// A keptOutput is one corpus file scrubbed with one policy.
type keptOutput struct {
	src, path string
	opts      *Options
	rep       *Report
}

// TestKeepCorpus scrubs every corpus file keeping one Keepable category at
// a time, and checks the outputs with ExifTool (run once per policy over
// all outputs):
//
//   - everything ExifTool sees in the output is structure, the orientation,
//     or a tag the report lists in Kept, of the kept category;
//   - every EXIF tag of that category (IFD0, Exif IFD, GPS IFD) the input
//     report lists is kept with the value ExifTool read in the input;
//   - scrubbing the output again with the policy changes nothing, and Scan
//     of it finds nothing of another category;
//   - with every category kept, pixels, orientation and colour profile are
//     unchanged;
//   - with CoarseLocation, ExifTool reads the rounded position, within
//     half the grid of the original, and no other GPS tag.
//
// XMP, IPTC and PNG text are kept by keepXMP and its peers: this test
// checks that what is kept there is listed in Kept, and logs what of the
// category was not kept.
func TestKeepCorpus(t *testing.T) {
	need(t, "exiftool")
	dir := corpusDir(t)
	files := sampleFiles(t, true, JPEG, PNG, WebP, HEIF, AVIF)
	var corpus []string
	for _, f := range files {
		if strings.HasPrefix(f, dir) {
			corpus = append(corpus, f)
		}
	}
	outDir := t.TempDir()
	policies := []*Options{}
	for _, c := range Keepable() {
		policies = append(policies, &Options{Keep: []Category{c}})
	}
	all := &Options{Keep: Keepable()}
	coarse := &Options{Keep: []Category{Location}, CoarseLocation: 0.01}
	policies = append(policies, all, coarse)

	inputs := exiftoolFiles(t, []string{"-n"}, corpus...)
	scans := make(map[string]*Report)
	outputs := make([][]keptOutput, len(policies))
	for _, src := range corpus {
		in, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if scans[src], err = Scan(bytes.NewReader(in)); err != nil {
			continue // refused by default too; the round-trip tests say why
		}
		for i, opts := range policies {
			if _, gps := inputs[src]["GPS:GPSLatitude"]; opts == coarse && !gps {
				continue
			}
			out, rep := scrubWith(t, in, opts)
			checkKeptIdempotent(t, out, opts)
			path := filepath.Join(outDir, fmt.Sprintf("p%d_%s", i, filepath.Base(src)))
			if err := os.WriteFile(path, out, 0o644); err != nil {
				t.Fatal(err)
			}
			outputs[i] = append(outputs[i], keptOutput{src, path, opts, rep})
		}
	}
	notKept := make(map[string]int) // container: tags of a kept category that went
	notForm := make(map[string]int) // EXIF tags of a kept category not of their form
	for _, outs := range outputs {
		var paths []string
		for _, o := range outs {
			paths = append(paths, o.path)
		}
		tags := exiftoolFiles(t, []string{"-n"}, paths...)
		for _, o := range outs {
			name := fmt.Sprintf("%s keeping %v", filepath.Base(o.src), o.opts.Keep)
			if o.opts.CoarseLocation > 0 {
				name += fmt.Sprintf(" coarse %v", o.opts.CoarseLocation)
			}
			checkCorpusKept(t, name, o, inputs[o.src], tags[o.path], scans[o.src], notKept, notForm)
			switch {
			case o.opts == all:
				checkKeptDisplay(t, name, o, inputs[o.src], tags[o.path])
			case o.opts == coarse:
				checkCoarse(t, name, o.opts.CoarseLocation, inputs[o.src], tags[o.path])
			}
		}
	}
	var gone []string
	for k, n := range notKept {
		gone = append(gone, fmt.Sprintf("%s (%d)", k, n))
	}
	sort.Strings(gone)
	if len(gone) > 0 {
		t.Logf("tags of a kept category that Kept does not list, outside EXIF (by container): %s", strings.Join(gone, ", "))
	}
	gone = gone[:0]
	for k, n := range notForm {
		gone = append(gone, fmt.Sprintf("%s (%d)", k, n))
	}
	sort.Strings(gone)
	if len(gone) > 0 {
		t.Logf("EXIF tags of a kept category removed as not of their type, count and form (exifKeepSpecs): %s", strings.Join(gone, ", "))
	}
}

// checkCorpusKept checks one output against its input: what ExifTool sees
// is allowed, and the EXIF tags of the kept categories are all there with
// their values.
func checkCorpusKept(t *testing.T, name string, o keptOutput, in, out map[string]string, scan *Report, notKept, notForm map[string]int) {
	t.Helper()
	heif := o.rep.Format == HEIF || o.rep.Format == AVIF
	kept := make(map[string]Category) // ExifTool key or "local|name" → category
	listed := make(map[string]bool)   // container|tag of Kept
	removed := make(map[string]bool)  // container|tag of Findings
	for _, f := range o.rep.Findings {
		removed[f.Container+"|"+f.Tag] = true
	}
	for _, f := range o.rep.Kept {
		listed[f.Container+"|"+f.Tag] = true
		if !o.opts.keeps(f.Category) {
			t.Errorf("%s: Kept lists %v", name, f)
		}
		if g, ok := strings.CutPrefix(f.Container, "EXIF "); ok {
			kept[g+":"+f.Tag] = f.Category
		} else {
			local := f.Tag[strings.LastIndexByte(f.Tag, ':')+1:]
			kept["local|"+strings.ToLower(local)] = f.Category
		}
	}
	for k, v := range out {
		group, tag, _ := strings.Cut(k, ":")
		switch {
		case allowedAfterScrub.MatchString(k) || heifStructural.MatchString(k) || keepStructure.MatchString(k):
			if k == "IFD0:Orientation" && heif {
				t.Errorf("%s: a HEIF Exif item keeps an orientation (%s)", name, v)
			}
		case exifGroup.MatchString(group):
			if _, ok := kept[k]; !ok {
				t.Errorf("%s: ExifTool sees %s = %s, which Kept does not list", name, k, v)
			}
		default:
			lower := strings.ToLower(tag)
			found := false
			for l := range kept {
				if s, ok := strings.CutPrefix(l, "local|"); ok && s != "" && strings.HasSuffix(lower, s) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: ExifTool sees %s = %s, which Kept does not list", name, k, v)
			}
		}
	}
	// Every EXIF tag of a kept category stays, with its value.
	for _, f := range scan.Findings {
		if !o.opts.keeps(f.Category) {
			continue
		}
		g, isEXIF := strings.CutPrefix(f.Container, "EXIF ")
		switch {
		case !isEXIF:
			if !listed[f.Container+"|"+f.Tag] {
				notKept[f.Container]++
			}
			continue
		case g != "IFD0" && g != "ExifIFD" && g != "GPS", f.Tag == "MakerNote", strings.HasPrefix(f.Tag, "0x"),
			strings.HasPrefix(f.Value, "(value outside"):
			continue // never kept
		case o.opts.CoarseLocation > 0 && g == "GPS":
			continue // checkCoarse
		}
		k := g + ":" + f.Tag
		want, ok := in[k]
		if !ok {
			continue // ExifTool names it otherwise
		}
		// Text is kept without the spaces that pad it (keepValue).
		want = strings.TrimSpace(want)
		if got, ok := out[k]; !ok {
			// Gone: only a tag whose value is not of its form (empty
			// text, a date of 99s, a version that is not one) or that
			// exifKeepSpecs does not list, and the report says so.
			if !removed[f.Container+"|"+f.Tag] {
				t.Errorf("%s: %s = %s is gone, and the report does not list it as removed", name, k, want)
			} else if notForm != nil {
				notForm[k]++
			}
		} else if got != want {
			t.Errorf("%s: %s = %q, was %q", name, k, got, want)
		}
	}
}

// checkKeptDisplay checks that an output displays as its input: the same
// pixels, orientation and colour profile.
func checkKeptDisplay(t *testing.T, name string, o keptOutput, in, out map[string]string) {
	t.Helper()
	switch o.rep.Format {
	case HEIF, AVIF:
		sameHEIFPixels(t, o.src, o.path)
	case WebP:
		sameWebPPixels(t, o.src, o.path)
	default:
		samePixels(t, o.src, o.path)
		if a, b := in["IFD0:Orientation"], out["IFD0:Orientation"]; a != b && !(a == "" && b == "1" || a == "1" && b == "") {
			t.Errorf("%s: orientation %q, was %q", name, b, a)
		}
	}
	hasICC := func(m map[string]string) bool {
		for k := range m {
			if strings.HasPrefix(k, "ICC_Profile:") {
				return true
			}
		}
		return false
	}
	if hasICC(in) && !hasICC(out) {
		t.Errorf("%s: ICC profile lost", name)
	}
}

// checkCoarse checks a position kept under CoarseLocation: ExifTool reads
// it rounded to the grid, within half the grid of the original, and no
// GPS tag but the version, the references and the coordinates.
func checkCoarse(t *testing.T, name string, grid float64, in, out map[string]string) {
	t.Helper()
	for k, v := range out {
		if strings.HasPrefix(k, "GPS:") {
			switch k {
			case "GPS:GPSVersionID", "GPS:GPSLatitudeRef", "GPS:GPSLatitude", "GPS:GPSLongitudeRef", "GPS:GPSLongitude":
			default:
				t.Errorf("%s: ExifTool sees %s = %s", name, k, v)
			}
		}
	}
	for _, c := range []string{"Latitude", "Longitude"} {
		orig, ok1 := signedCoord(in, c)
		got, ok2 := signedCoord(out, c)
		switch {
		case !ok1 && ok2:
			t.Errorf("%s: GPS%s %v appears", name, c, got)
		case !ok1:
		case !ok2 && math.Abs(orig) > 180:
			// Not a coordinate (pillow's exif_gps.jpg has 2^32-1
			// degrees): there is nothing to round, and it goes.
		case !ok2:
			t.Errorf("%s: GPS%s %v is gone", name, c, orig)
		case math.Abs(got-orig) > grid/2+1e-9:
			t.Errorf("%s: GPS%s %v, was %v: more than half of the %v grid", name, c, got, orig, grid)
		case math.Abs(got/grid-math.Round(got/grid)) > 1e-6/grid:
			t.Errorf("%s: GPS%s %v is not on the %v grid", name, c, got, grid)
		}
	}
}

// signedCoord returns a GPS coordinate that ExifTool read with -n, signed
// by its reference.
func signedCoord(tags map[string]string, c string) (float64, bool) {
	v, ok := tags["GPS:GPS"+c]
	if !ok {
		return 0, false
	}
	d, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, false
	}
	if r := tags["GPS:GPS"+c+"Ref"]; r == "S" || r == "W" {
		d = -math.Abs(d)
	}
	return d, true
}

// TestCoarseCorpus scrubs every corpus image whose EXIF holds a GPS
// position with --keep location --coarse-location 0.01 and checks with
// ExifTool (-n -GPSLatitude -GPSLongitude, signed by the references) that
// a rounded position stays, on the grid and within half of it of the
// original: the test fails when a position disappears. It skips when the
// corpus is absent (EXIFSCRUB_CORPUS).
func TestCoarseCorpus(t *testing.T) {
	need(t, "exiftool")
	dir := corpusDir(t)
	var corpus []string
	for _, f := range sampleFiles(t, true, JPEG, PNG, WebP, HEIF, AVIF) {
		if strings.HasPrefix(f, dir) {
			corpus = append(corpus, f)
		}
	}
	opts := &Options{Keep: []Category{Location}, CoarseLocation: 0.01}
	args := []string{"-n", "-GPS:GPSLatitude", "-GPS:GPSLongitude", "-GPS:GPSLatitudeRef", "-GPS:GPSLongitudeRef"}
	inputs := exiftoolFiles(t, args, corpus...)
	outDir := t.TempDir()
	srcs := map[string]string{}
	var paths []string
	for _, src := range corpus {
		if _, ok := inputs[src]["GPS:GPSLatitude"]; !ok {
			continue
		}
		in, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Scan(bytes.NewReader(in)); err != nil {
			continue // refused by default too
		}
		out, _ := scrubWith(t, in, opts)
		path := filepath.Join(outDir, filepath.Base(src))
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		srcs[path] = src
		paths = append(paths, path)
	}
	if len(paths) == 0 {
		t.Fatal("no corpus file with a GPS position")
	}
	outputs := exiftoolFiles(t, args, paths...)
	for _, p := range paths {
		checkCoarse(t, filepath.Base(srcs[p]), opts.CoarseLocation, inputs[srcs[p]], outputs[p])
	}
	t.Logf("%d corpus files with a GPS position, each kept rounded to the %v grid", len(paths), opts.CoarseLocation)
}
