package xmp

import "strings"

// ValidLangTag reports whether s is a language tag that xml:lang may hold
// in a kept packet (Part 1 §7.6: an rdf:Alt's items are qualified by
// xml:lang, whose value is an RFC 3066 tag, now BCP 47): one that is
// well-formed by the grammar of RFC 5646 §2.1, case aside, and
//   - has no extension ("-u-ca-…") and no private-use part ("-x-…"),
//     whose subtags are up to eight letters or digits of anyone's choice,
//     other than XMP's own "x-default" (Part 1 §8.2.2.4);
//   - is at most 35 characters long, the length RFC 5646 §4.4.1 asks
//     implementations to hold, which every tag but those with extensions
//     and private use fits.
//
// A tag is not looked up in the IANA registry: "qq-Zzzz-QQ" is
// well-formed.
func ValidLangTag(s string) bool {
	if strings.EqualFold(s, "x-default") {
		return true
	}
	if len(s) > 35 {
		return false
	}
	t, ok := parseLangTag(s)
	return ok && !t.extension && !t.privateUse
}

// A langTag says what parts a well-formed tag has.
type langTag struct {
	extension, privateUse bool
}

// grandfathered are the tags of RFC 5646 §2.1 ("irregular" and
// "regular") that the langtag production does not describe.
var grandfathered = []string{
	"en-GB-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux", "i-mingo",
	"i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-BE-FR", "sgn-BE-NL", "sgn-CH-DE",
	"art-lojban", "cel-gaulish", "no-bok", "no-nyn", "zh-guoyu", "zh-hakka", "zh-min", "zh-min-nan", "zh-xiang",
}

// parseLangTag reads s by the ABNF of RFC 5646 §2.1:
//
//	Language-Tag = langtag / privateuse / grandfathered
//	langtag      = language ["-" script] ["-" region] *("-" variant)
//	               *("-" extension) ["-" privateuse]
//	language     = 2*3ALPHA ["-" extlang] / 4ALPHA / 5*8ALPHA
//	extlang      = 3ALPHA *2("-" 3ALPHA)
//	script       = 4ALPHA
//	region       = 2ALPHA / 3DIGIT
//	variant      = 5*8alphanum / (DIGIT 3alphanum)
//	extension    = singleton 1*("-" (2*8alphanum))
//	privateuse   = "x" 1*("-" (1*8alphanum))
func parseLangTag(s string) (langTag, bool) {
	for _, g := range grandfathered {
		if strings.EqualFold(s, g) {
			return langTag{}, true
		}
	}
	subtags := strings.Split(s, "-")
	for _, st := range subtags {
		if len(st) < 1 || len(st) > 8 || !isAlnum(st) {
			return langTag{}, false
		}
	}
	var t langTag
	i := 0
	next := func(ok func(string) bool) bool {
		if i < len(subtags) && ok(subtags[i]) {
			i++
			return true
		}
		return false
	}
	if !strings.EqualFold(subtags[0], "x") {
		lang := subtags[0]
		if !isAlpha(lang) || len(lang) < 2 {
			return langTag{}, false
		}
		i = 1
		if len(lang) <= 3 {
			for n := 0; n < 3 && next(func(st string) bool { return len(st) == 3 && isAlpha(st) }); n++ {
			}
		}
		next(func(st string) bool { return len(st) == 4 && isAlpha(st) })                                 // script
		next(func(st string) bool { return len(st) == 2 && isAlpha(st) || len(st) == 3 && isDigits(st) }) // region
		for next(func(st string) bool { return len(st) >= 5 || len(st) == 4 && isDigits(st[:1]) }) {      // variants
		}
		for i < len(subtags) && len(subtags[i]) == 1 && !strings.EqualFold(subtags[i], "x") { // extensions
			i++
			n := 0
			for next(func(st string) bool { return len(st) >= 2 }) {
				n++
			}
			if n == 0 {
				return langTag{}, false
			}
			t.extension = true
		}
	}
	if i < len(subtags) && strings.EqualFold(subtags[i], "x") {
		if i == len(subtags)-1 {
			return langTag{}, false
		}
		t.privateUse = true
		i = len(subtags) // every subtag after "x" is 1 to 8 letters or digits
	}
	return t, i == len(subtags)
}

func isAlnum(s string) bool {
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func isAlpha(s string) bool {
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
