package exifscrub

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/exifscrub/exifscrub/internal/text"
)

// Categories come from tables of known names, never from words found
// inside a name: "crs:Opacity" holds "city" and "xmpRights:WebStatement"
// holds "state", yet neither says where a photo was taken. Each family of
// metadata has its own table:
//
//   - EXIF tags, by IFD and tag number: exifTags in tiff.go;
//   - IPTC-IIM datasets, by number: iptcDatasets in iptc.go;
//   - XMP properties, by namespace URI and property name: xmpSchemas below;
//   - PNG text keywords: pngKeywords below;
//   - Kodak/Fujifilm APP12 "[picture info]" keys: pictureInfoKeys below;
//   - QuickTime and MP4 metadata keys: quickTimeKeys below.
//
// A name no table knows gets guessCategory's neutral guess.

// A nameTable gives the category of the names of one namespace: the
// properties of an XMP schema, the keywords of PNG text, the keys of
// QuickTime metadata. Names are matched exactly, then regardless of case
// (writers are not always careful: "xmp:creatortool" exists). A name that
// is not listed gets other, or guessCategory's guess when other is "".
type nameTable struct {
	names map[string]Category
	other Category
}

// classify returns the category of name.
func (t *nameTable) classify(name string) Category {
	if c, ok := t.lookup(name); ok {
		return c
	}
	if t.other != "" {
		return t.other
	}
	return guessCategory(name)
}

// lookup returns the category of a listed name.
func (t *nameTable) lookup(name string) (Category, bool) {
	if c, ok := t.names[name]; ok {
		return c, true
	}
	for n, c := range t.names {
		if strings.EqualFold(n, name) {
			return c, true
		}
	}
	return "", false
}

// guessCategory classifies a name that no table knows, such as a vendor's
// XMP property. It errs towards reporting a position: a name made of known
// words ("GPSLatitude", "camera_location", "OwnerName") gets their
// category, so that a vendor's GPS property still fails
// "check --fail-on location". Words are whole: "Opacity" is one word, not
// "city" inside another, so camera settings and layout stay Other.
func guessCategory(name string) Category {
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	if c, ok := guessNames.lookup(name); ok {
		return c
	}
	for _, w := range splitWords(name) {
		if c, ok := guessWords[w]; ok {
			return c
		}
	}
	return Other
}

// guessNames are whole names that give their category away only on their
// own: "State" is a place, "SourceState" is not.
var guessNames = nameTable{names: map[string]Category{
	"State": Location, "Province": Location, "ProvinceState": Location, "Region": Location,
	"Sublocation": Location, "PostalCode": Location, "Street": Location, "Place": Location,
	"Subject": Text, "Title": Text, "Name": Identity, "Time": Time, "When": Time,
}}

// guessWords are words that give their category away wherever they stand
// in a name. A word that can name something else ("Model" in "ColorModel",
// "Time" in "ExposureTime", "Name" in "LayerName") is not one of them.
var guessWords = map[string]Category{
	"gps": Location, "latitude": Location, "longitude": Location, "altitude": Location,
	"location": Location, "city": Location, "country": Location, "geo": Location,
	"geolocation": Location, "coordinates": Location, "iso6709": Location,

	"date": Time, "datetime": Time, "timestamp": Time, "timezone": Time,

	"make": Device, "serial": Device, "serialnumber": Device, "firmware": Device,
	"lens": Device, "software": Device, "manufacturer": Device, "hostcomputer": Device,
	"creatortool": Device, "uniqueid": Device, "deviceid": Device,

	"artist": Identity, "author": Identity, "creator": Identity, "owner": Identity,
	"copyright": Identity, "byline": Identity, "photographer": Identity, "email": Identity,
	"phone": Identity, "telephone": Identity, "contact": Identity, "publisher": Identity,
	"person": Identity, "username": Identity,

	"comment": Text, "comments": Text, "description": Text, "caption": Text,
	"keywords": Text, "keyword": Text, "headline": Text, "notes": Text, "title": Text,
}

// splitWords splits a name into lower-case words at separators and case
// changes: "GPSLatitude" is "gps" and "latitude", "camera_serial-number" is
// "camera", "serial" and "number", "ISO6709" is "iso6709".
func splitWords(name string) []string {
	var words []string
	var w []rune
	flush := func() {
		if len(w) > 0 {
			words = append(words, strings.ToLower(string(w)))
			w = w[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			continue
		case unicode.IsUpper(r) && i > 0 && len(w) > 0:
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		w = append(w, r)
	}
	flush()
	return words
}

// pngKeywords classify the keywords of PNG text chunks: the predefined
// keywords of PNG §11.3.3.2 ("Source" is the device that made the image)
// and those ImageMagick writes. Keywords such as "exif:Make" are classified
// as the XMP property of that name. Text under any other keyword is free
// text, and Text at least.
var pngKeywords = nameTable{names: map[string]Category{
	"Title": Text, "Author": Identity, "Description": Text, "Copyright": Identity,
	"Creation Time": Time, "Software": Device, "Disclaimer": Text, "Warning": Text,
	"Source": Device, "Comment": Text,
	// ImageMagick.
	"date:create": Time, "date:modify": Time, "date:timestamp": Time,
	"icc:copyright": Identity, "icc:description": Text, "icc:manufacturer": Device, "icc:model": Device,
}}

// classifyPNGKeyword returns the category of a PNG text chunk's keyword.
func classifyPNGKeyword(keyword string) Category {
	cat, ok := pngKeywords.lookup(keyword)
	if !ok {
		prefix, local, qualified := strings.Cut(keyword, ":")
		switch {
		case qualified && (prefix == "exif" || prefix == "tiff"):
			cat = classifyXMP(map[string]string{"exif": nsXMPExif, "tiff": nsXMPTIFF}[prefix], local)
		default:
			cat = guessCategory(keyword)
		}
	}
	if cat == Other {
		cat = Text
	}
	return cat
}

// pictureInfoKeys classify the keys of the "[picture info]" text that
// Kodak, Fujifilm and Sanyo cameras write in JPEG APP12 (ExifTool's
// PictureInfo group).
var pictureInfoKeys = nameTable{names: map[string]Category{
	"TimeDate": Time, "Serial#": Device, "Type": Device, "ID": Device,
}, other: ""}

// quickTimeKeys classify the keys of QuickTime and MP4 metadata: the
// reverse-DNS keys of a 'keys' box (Apple's QuickTime File Format,
// "Metadata Keys") and the four-character 'ilst' and 'udta' item types
// (© is written as "\xa9"). Video support extends this table; unknown keys
// get guessCategory's guess.
var quickTimeKeys = nameTable{names: map[string]Category{
	"com.apple.quicktime.location.ISO6709":   Location,
	"com.apple.quicktime.location.name":      Location,
	"com.apple.quicktime.make":               Device,
	"com.apple.quicktime.model":              Device,
	"com.apple.quicktime.software":           Device,
	"com.apple.quicktime.creationdate":       Time,
	"com.apple.quicktime.author":             Identity,
	"com.apple.quicktime.artist":             Identity,
	"com.apple.quicktime.copyright":          Identity,
	"com.apple.quicktime.displayname":        Text,
	"com.apple.quicktime.title":              Text,
	"com.apple.quicktime.description":        Text,
	"com.apple.quicktime.comment":            Text,
	"com.apple.quicktime.keywords":           Text,
	"com.apple.quicktime.content.identifier": Device,
	"com.android.version":                    Device,
	"com.android.capture.fps":                Other,
	"\xa9xyz":                                Location, "\xa9day": Time, "\xa9mak": Device, "\xa9mod": Device,
	"\xa9swr": Device, "\xa9too": Device, "\xa9ART": Identity, "\xa9aut": Identity,
	"\xa9cpy": Identity, "cprt": Identity, "\xa9nam": Text, "\xa9cmt": Text, "\xa9des": Text,
}}

// classifyQuickTimeKey returns the category of a QuickTime metadata key.
func classifyQuickTimeKey(key string) Category {
	if c, ok := quickTimeKeys.lookup(key); ok {
		return c
	}
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		key = key[i+1:] // the last part of a reverse-DNS key
	}
	return guessCategory(key)
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

// cString returns b up to its first NUL, without surrounding space
// (text.CString).
func cString(b []byte) string { return text.CString(b) }

// isText reports whether b, up to a NUL, looks like printable text
// (text.Readable).
func isText(b []byte) bool { return text.Readable(b) }

func parseDecimal(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
