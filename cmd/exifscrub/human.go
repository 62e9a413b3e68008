package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/exifscrub/exifscrub"
)

// categoryTitles say, for a person, what each category gives away; %s is
// "photo" or "video" (see noun).
var categoryTitles = map[exifscrub.Category]string{
	exifscrub.Location: "Location: where the %s was taken",
	exifscrub.Time:     "Time: when it was taken or edited",
	exifscrub.Device:   "Device: what it was taken or edited with",
	exifscrub.Identity: "Identity: who took or owns it",
	exifscrub.Text:     "Text: descriptions, comments, keywords",
	exifscrub.Embedded: "Embedded: thumbnails, previews and other hidden data",
	exifscrub.Other:    "Other metadata",
}

// categoryTitle is the title of cat for a file of format f.
func categoryTitle(cat exifscrub.Category, f exifscrub.Format) string {
	if t := categoryTitles[cat]; strings.Contains(t, "%s") {
		return fmt.Sprintf(t, noun(f))
	}
	return categoryTitles[cat]
}

// noun is what a person calls a file of format f.
func noun(f exifscrub.Format) string {
	if f.IsVideo() {
		return "video"
	}
	return "photo"
}

// osmLink returns an OpenStreetMap link centred on a position.
func osmLink(lat, lon float64) string {
	la, lo := coord(lat), coord(lon)
	return fmt.Sprintf("https://www.openstreetmap.org/?mlat=%s&mlon=%s#map=16/%s/%s", la, lo, la, lo)
}

// coord formats a coordinate in decimal degrees; 6 decimals is about 10 cm.
func coord(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

// writeHuman writes what rep says about the file at path, for a person
// deciding whether to send the photo. verbose lists the "other" findings
// one by one instead of counting them. policy is the --keep policy whose
// effect rep reports (its Findings would be removed, its Kept would stay),
// or nil when rep lists everything the file holds.
func writeHuman(w io.Writer, path string, rep *exifscrub.Report, verbose bool, policy *exifscrub.Options) {
	fmt.Fprintf(w, "%s (%s)\n", displayPath(path), formatName(rep.Format))
	if d := damage(rep); d != "" {
		fmt.Fprintf(w, "  Damaged: %s; scrub keeps what a viewer shows of it.\n", d)
	}
	defer writeKept(w, rep, policy)
	if len(rep.Findings) == 0 {
		fmt.Fprintln(w, "  No metadata to remove.")
		return
	}
	if policy != nil {
		fmt.Fprintf(w, "  With %s, scrub would remove:\n", policyText(policy))
	}
	byCat := map[exifscrub.Category][]exifscrub.Finding{}
	for _, f := range rep.Findings {
		byCat[f.Category] = append(byCat[f.Category], f)
	}
	for _, cat := range exifscrub.Categories() {
		fs := byCat[cat]
		if len(fs) == 0 {
			continue
		}
		if cat == exifscrub.Other && !verbose {
			fmt.Fprintf(w, "  %s: %s (camera settings, image layout); --verbose lists them\n",
				categoryTitle(cat, rep.Format), plural(total(fs), "item", "items"))
			continue
		}
		fmt.Fprintf(w, "  %s\n", categoryTitle(cat, rep.Format))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		var rest []exifscrub.Finding
		switch cat {
		case exifscrub.Location:
			rest = summarizeLocation(tw, rep, fs)
		case exifscrub.Time:
			rest = summarizeTime(tw, fs)
		case exifscrub.Device:
			rest = summarizeDevice(tw, fs)
		default:
			rest = fs
		}
		for _, f := range rest {
			v := f.Value
			if v == "" {
				v = "(empty)"
			}
			fmt.Fprintf(tw, "    %s\t%s\t[%s]\n", f.Tag, v, f.Container)
			if f.More > 0 {
				fmt.Fprintf(tw, "    \t… and %s more %s %s\t\n", thousands(f.More), f.Container, f.Tag)
			}
		}
		tw.Flush()
	}
	cmd := "'exifscrub scrub'"
	if policy != nil {
		cmd = "'exifscrub scrub " + policyText(policy) + "'"
	}
	if slices.ContainsFunc(rep.Findings, isNameFinding) {
		fmt.Fprintf(w, "  %s removes all of the above but the file name, which tells the time;\n", cmd)
		fmt.Fprintf(w, "  with --rename it also gives the copy a neutral name (%s-0001%s).\n", neutralPrefix(rep.Format), neutralExt(rep.Format, ""))
		return
	}
	fmt.Fprintf(w, "  %s removes all of the above.\n", cmd)
}

// damage says how the image data of rep's file is damaged, or "" if it
// is not.
func damage(rep *exifscrub.Report) string {
	if rep == nil || !rep.Damaged {
		return ""
	}
	for _, f := range rep.Findings {
		if v, ok := strings.CutPrefix(f.Value, "damaged: "); ok {
			return v
		}
	}
	return "the image data is incomplete"
}

// writeKept lists what the --keep policy would leave in the file.
func writeKept(w io.Writer, rep *exifscrub.Report, policy *exifscrub.Options) {
	if policy == nil {
		return
	}
	if len(rep.Kept) == 0 {
		fmt.Fprintf(w, "  With %s, nothing would stay.\n", policyText(policy))
		return
	}
	fmt.Fprintf(w, "  With %s, these would stay:\n", policyText(policy))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, f := range rep.Kept {
		v := f.Value
		if v == "" {
			v = "(empty)"
		}
		fmt.Fprintf(tw, "    %s\t%s\t%s\t[%s]\n", f.Category, f.Tag, v, f.Container)
		if f.More > 0 {
			fmt.Fprintf(tw, "    \t\t… and %s more\t\n", thousands(f.More))
		}
	}
	tw.Flush()
}

// total counts findings, including those summed up in their More.
func total(fs []exifscrub.Finding) int {
	n := 0
	for _, f := range fs {
		n += 1 + f.More
	}
	return n
}

// thousands formats n with thousands separators: 9,999,990.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// moreLike says how many findings like f the report counts but does not
// list, or "".
func moreLike(f exifscrub.Finding) string {
	if f.More == 0 {
		return ""
	}
	return fmt.Sprintf(" (and %s more %s %s)", thousands(f.More), f.Container, f.Tag)
}

// formatName is the name of a format as people write it.
func formatName(f exifscrub.Format) string {
	switch f {
	case "":
		return "unknown format"
	case exifscrub.WebP:
		return "WebP"
	}
	return strings.ToUpper(string(f))
}

// isEXIF reports whether a finding comes from EXIF (rather than XMP or
// IPTC), whose tags the summaries below know by name.
func isEXIF(f exifscrub.Finding) bool { return strings.HasPrefix(f.Container, "EXIF") }

// summarizeLocation prints the GPS position with a map link and returns
// the findings it did not cover.
func summarizeLocation(w io.Writer, rep *exifscrub.Report, fs []exifscrub.Finding) []exifscrub.Finding {
	lat, lon, ok := rep.Location()
	if !ok {
		return fs
	}
	fmt.Fprintf(w, "    position\t%s, %s\n", coord(lat), coord(lon))
	fmt.Fprintf(w, "    map\t%s\n", osmLink(lat, lon))
	return without(fs, func(f exifscrub.Finding) bool {
		switch f.Tag {
		case "GPSLatitude", "GPSLongitude", "GPSLatitudeRef", "GPSLongitudeRef":
			return isEXIF(f)
		}
		return false
	})
}

// exifTimes pairs each EXIF date with the tags that complete it
// (EXIF 2.31 §4.6.5: OffsetTime* give the UTC offset of DateTime*).
var exifTimes = []struct {
	label, date, offset, subsec string
}{
	{"taken", "DateTimeOriginal", "OffsetTimeOriginal", "SubSecTimeOriginal"},
	{"digitised", "CreateDate", "OffsetTimeDigitized", "SubSecTimeDigitized"},
	{"modified", "ModifyDate", "OffsetTime", "SubSecTime"},
}

// summarizeTime prints the EXIF dates with their time zone offsets and
// fractions of a second, and the GPS clock, and returns the findings it did
// not cover.
func summarizeTime(w io.Writer, fs []exifscrub.Finding) []exifscrub.Finding {
	tags := map[string]string{}
	for _, f := range fs {
		if isEXIF(f) {
			if _, dup := tags[f.Tag]; !dup {
				tags[f.Tag] = f.Value
			}
		}
	}
	used := map[string]bool{}
	for _, t := range exifTimes {
		date, ok := tags[t.date]
		if !ok {
			continue
		}
		used[t.date] = true
		s := exifDate(date)
		if sub := strings.TrimSpace(tags[t.subsec]); sub != "" {
			used[t.subsec] = true
			if strings.Trim(sub, "0") != "" {
				s += "." + sub
			}
		}
		if off, ok := tags[t.offset]; ok && strings.TrimSpace(off) != "" {
			used[t.offset] = true
			s += " " + strings.TrimSpace(off)
		} else {
			s += " (no time zone recorded)"
		}
		fmt.Fprintf(w, "    %s\t%s\n", t.label, s)
	}
	if d, ok := tags["GPSDateStamp"]; ok {
		s := exifDate(d)
		used["GPSDateStamp"] = true
		if ts, ok := tags["GPSTimeStamp"]; ok {
			used["GPSTimeStamp"] = true
			s += " " + gpsTime(ts)
		}
		fmt.Fprintf(w, "    GPS clock\t%s UTC\n", s)
	}
	return without(fs, func(f exifscrub.Finding) bool { return isEXIF(f) && used[f.Tag] })
}

// exifDate turns "2008:10:22 16:28:39" into "2008-10-22 16:28:39".
func exifDate(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 10 && s[4] == ':' && s[7] == ':' {
		s = s[:4] + "-" + s[5:7] + "-" + s[8:]
	}
	return s
}

// gpsTime turns the three rationals of GPSTimeStamp, "14 27 7.24", into
// "14:27:07.24".
func gpsTime(s string) string {
	parts := strings.Fields(s)
	if len(parts) != 3 {
		return s
	}
	var out []string
	for i, p := range parts {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return s
		}
		if i < 2 || v == float64(int(v)) {
			out = append(out, fmt.Sprintf("%02d", int(v)))
		} else {
			out = append(out, fmt.Sprintf("%05.2f", v))
		}
	}
	return strings.Join(out, ":")
}

// summarizeDevice spells out the camera (make and model), lens, serial
// numbers and software, and returns the findings it did not cover.
func summarizeDevice(w io.Writer, fs []exifscrub.Finding) []exifscrub.Finding {
	tags := map[string]string{}
	for _, f := range fs {
		if isEXIF(f) && strings.TrimSpace(f.Value) != "" {
			if _, dup := tags[f.Tag]; !dup {
				tags[f.Tag] = strings.TrimSpace(f.Value)
			}
		}
	}
	used := map[string]bool{}
	line := func(label string, names ...string) {
		var parts []string
		for _, n := range names {
			if v, ok := tags[n]; ok {
				used[n] = true
				// "Canon" + "Canon EOS 40D" reads "Canon EOS 40D".
				if len(parts) > 0 && strings.HasPrefix(strings.ToLower(v), strings.ToLower(parts[len(parts)-1])) {
					parts[len(parts)-1] = v
					continue
				}
				parts = append(parts, v)
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(w, "    %s\t%s\n", label, strings.Join(parts, " "))
		}
	}
	line("camera", "Make", "Model")
	line("camera serial", "SerialNumber", "CameraSerialNumber")
	if _, ok := tags["LensModel"]; ok {
		line("lens", "LensMake", "LensModel")
	} else {
		line("lens", "LensMake", "Lens")
	}
	line("lens serial", "LensSerialNumber")
	line("software", "Software")
	line("computer", "HostComputer")
	line("unique ID", "ImageUniqueID")
	return without(fs, func(f exifscrub.Finding) bool { return isEXIF(f) && used[f.Tag] })
}

// without returns the findings for which drop is false.
func without(fs []exifscrub.Finding, drop func(exifscrub.Finding) bool) []exifscrub.Finding {
	var out []exifscrub.Finding
	for _, f := range fs {
		if !drop(f) {
			out = append(out, f)
		}
	}
	return out
}
