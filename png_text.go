package exifscrub

import (
	"bytes"
	"encoding/xml"
	"strings"
	"unicode/utf8"

	"github.com/exifscrub/exifscrub/internal/date"
	ipng "github.com/exifscrub/exifscrub/internal/png"
	"github.com/exifscrub/exifscrub/internal/xmp"
)

// Keeping PNG text (issue 20). A text chunk (PNG §11.3.3: tEXt, zTXt,
// iTXt) is kept only when a table names its keyword (pngKeptKeyword: the
// keywords of pngKeywords, and "exif:"/"tiff:" keywords that name a
// property of the XMP tables), in a kept category, and its text is of the
// keyword's kind (pngTextValue): a time keyword holds a date, an exif:
// keyword a value of its XMP type, any other printable text. It is
// written anew as an uncompressed chunk holding the table's keyword and
// the text rewritten from what it parsed into: tEXt for tEXt and zTXt
// (Latin-1), iTXt for iTXt (UTF-8) with its language tag only if it is a
// BCP 47 tag (xmp.ValidLangTag) and no translated keyword, which is free
// text of no category. Under Options.CoarseLocation no Location text is
// kept: the exif:GPS* keywords hold EXIF's rationals, which are not
// rounded here.

// pngKeptKeyword returns the keyword of a text chunk as the table spells
// it, with its category and the kind of its text, or false when no table
// names it.
func pngKeptKeyword(keyword string) (name string, cat Category, kind xmp.Type, ok bool) {
	for k, c := range pngKeywords.names {
		if strings.EqualFold(k, keyword) {
			if c == Time {
				return k, c, xmp.TypeDate, true
			}
			return k, c, xmp.TypeText, true
		}
	}
	prefix, local, qualified := strings.Cut(keyword, ":")
	ns := map[string]string{"exif": nsXMPExif, "tiff": nsXMPTIFF}[prefix]
	if !qualified || ns == "" {
		return "", "", 0, false
	}
	n, cat, ok := xmpKeepable(xml.Name{Space: ns, Local: local})
	if !ok {
		return "", "", 0, false
	}
	return prefix + ":" + n.Local, cat, xmpTypes[n], true
}

// pngTextValue checks the text of a kept keyword of the given kind and
// returns it written anew. A date is one of the forms writers put in PNG
// text, written back in its form: EXIF's "YYYY:MM:DD HH:MM:SS" (what
// ExifTool and ImageMagick write for "Creation Time" and exif: keywords),
// ISO 8601 (date.ParseISO: ImageMagick's date:create), or RFC 1123 ("Sat, 01
// Jun 2024 21:14:03 +0200", which PNG §11.3.3.2 suggests for "Creation
// Time"). Other kinds are xmpValue's.
func pngTextValue(kind xmp.Type, keyword, s string) (string, bool) {
	if kind != xmp.TypeDate {
		return xmpValue(kind, s, strings.HasSuffix(keyword, "Latitude"), 0)
	}
	if len(s) >= 19 && s[4] == ':' && s[7] == ':' && s[10] == ' ' {
		iso := s[:4] + "-" + s[5:7] + "-" + s[8:10] + "T" + s[11:]
		d, ok := date.ParseISO(iso, date.BasicZones)
		if !ok || d.Fields < 5 {
			return "", false
		}
		out := d.String()
		return out[:4] + ":" + out[5:7] + ":" + out[8:10] + " " + out[11:], true
	}
	if d, ok := date.ParseISO(s, date.BasicZones); ok {
		return d.String(), true
	}
	return date.RFC1123(s)
}

// keepText writes a text chunk whose keyword's category Options.Keep
// names, anew (see above), and lists it in Kept as written; a chunk that
// is not kept is reported as removed. text is the text as the chunk holds
// it: Latin-1 for tEXt and zTXt (inflated), UTF-8 for iTXt. A chunk whose
// keyword a decoder would refuse (§11.3.3.1: 1 to 79 printable Latin-1
// characters without leading, trailing or double spaces), whose text
// holds a NUL, or whose iTXt language tag or text is not valid, is
// removed.
func (p *pngScrubber) keepText(container string, keyword, lang []byte, international bool, text []byte) error {
	read, reportCat := ipng.Latin1(keyword), classifyPNGKeyword(ipng.Latin1(keyword))
	value := string(text)
	if !international {
		value = ipng.Latin1(text)
	}
	name, cat, kind, listed := pngKeptKeyword(read)
	ok := listed && p.opts.keeps(cat) && ipng.ValidKeyword(keyword) && bytes.IndexByte(text, 0) < 0 &&
		!(cat == Location && p.opts.CoarseLocation > 0)
	if international {
		ok = ok && (len(lang) == 0 || xmp.ValidLangTag(string(lang))) && utf8.Valid(text)
	}
	var kept string
	if ok {
		kept, ok = pngTextValue(kind, name, value)
	}
	if !ok {
		p.rep.add(reportCat, container, read, value)
		return nil
	}
	if !international {
		p.rep.keep(cat, "PNG tEXt", name, kept)
		return p.writeChunk("tEXt", ipng.AppendText(nil, name, ipng.Latin1Bytes(kept, utf8.Valid(text))))
	}
	p.rep.keep(cat, "PNG iTXt", name, kept)
	return p.writeChunk("iTXt", ipng.AppendITXt(nil, name, lang, kept))
}
