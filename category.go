package exifscrub

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// namePatterns sort free-form metadata names (XMP properties, PNG text
// keywords, IPTC datasets) into categories by the words in them. They are
// tried in order, so "GPSDateStamp" is Location and "CreatorTool" is Device.
// EXIF tags have exact categories in exifTags instead.
var namePatterns = []struct {
	cat   Category
	words []string
}{
	{Location, []string{"gps", "latitude", "longitude", "altitude", "location", "city", "country",
		"province", "state", "sublocation", "coordinates", "geo"}},
	{Device, []string{"make", "model", "serial", "uniqueid", "software", "hostcomputer", "lens", "cameraid",
		"deviceid", "documentid", "instanceid", "contentidentifier", "firmware", "creatortool", "manufacturer",
		"softwareagent", "originatingprogram", "programversion", "source", "imageuniqueid"}},
	{Time, []string{"date", "time", "subsec", "when", "modtime", "created", "modified"}},
	{Identity, []string{"artist", "author", "creator", "byline", "by-line", "copyright", "rights", "contact",
		"credit", "email", "phone", "address", "person", "owner", "writer", "publisher", "photographer",
		"editor", "name", "webstatement"}},
	{Text, []string{"comment", "description", "caption", "title", "keywords", "subject", "headline",
		"instructions", "label", "note", "disclaimer", "warning", "category"}},
}

// classifyName returns the category of a free-form metadata name.
func classifyName(name string) Category {
	lower := strings.ToLower(name)
	if i := strings.LastIndexByte(lower, ':'); i >= 0 {
		lower = lower[i+1:]
	}
	if lower == "exposuretime" { // a camera setting, not a time of day
		return Other
	}
	for _, p := range namePatterns {
		for _, w := range p.words {
			if strings.Contains(lower, w) {
				return p.cat
			}
		}
	}
	return Other
}

// maxValueLen is how much of a value a report shows.
const maxValueLen = 200

// printable shortens s and replaces control characters and invalid UTF-8,
// so that a value from a hostile file cannot drive a terminal.
func printable(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s { // invalid UTF-8 arrives as U+FFFD
		if n == maxValueLen {
			b.WriteString("…")
			break
		}
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
		n++
	}
	return strings.TrimSpace(b.String())
}

// cString returns b up to its first NUL, without surrounding space.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.TrimSpace(string(b))
}

// isText reports whether b, up to a NUL, looks like printable text.
func isText(b []byte) bool {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}

func parseDecimal(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
