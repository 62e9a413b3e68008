package timedtext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A token is a piece of cue text as Position reads it: a number, a word
// (letters), or one other character.
type token struct {
	kind  byte // 'n' number, 'w' word, or the character itself ('(', ':', '°', ...)
	word  string
	value float64
	frac  int  // digits after the decimal point
	sign  bool // written with a sign
}

// maxTokens bounds the work Position does on one text.
const maxTokens = 4096

// tokens splits s into tokens; spaces separate tokens and are dropped,
// other characters are tokens of their own.
func tokens(s string) []token {
	var out []token
	for i := 0; i < len(s) && len(out) < maxTokens; {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isDigit(c) || (c == '+' || c == '-') && i+1 < len(s) && isDigit(s[i+1]):
			j := i
			if c == '+' || c == '-' {
				j++
			}
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			frac := 0
			if j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
				j++
				for j < len(s) && isDigit(s[j]) {
					j++
					frac++
				}
			}
			v, err := strconv.ParseFloat(s[i:j], 64)
			if err != nil {
				v = 1e9 // out of every range
			}
			out = append(out, token{kind: 'n', value: v, frac: frac, sign: c == '+' || c == '-'})
			i = j
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if unicode.IsLetter(r) {
				j := i
				for j < len(s) {
					r, n := utf8.DecodeRuneInString(s[j:])
					if !unicode.IsLetter(r) && r != '_' {
						break
					}
					j += n
				}
				out = append(out, token{kind: 'w', word: strings.ToLower(s[i:j])})
				i = j
				continue
			}
			k := byte('?')
			switch r {
			case '°', 'º':
				k = '°'
			case '\'', '′', '’':
				k = '\''
			case '"', '″', '”':
				k = '"'
			case '(', ')', ',', ';', '/', ':', '=', '[', ']':
				k = byte(r)
			}
			out = append(out, token{kind: k})
			i += n
		}
	}
	return out
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Position returns a latitude and longitude written in s, in one of the
// forms the package comment lists, and false if it finds none.
func Position(s string) (lat, lon float64, ok bool) {
	t := tokens(s)
	if lat, lon, ok := labelled(t); ok {
		return lat, lon, true
	}
	if lat, lon, ok := hemispheres(t); ok {
		return lat, lon, true
	}
	return decimalPair(t)
}

// labelled finds "lat[itude] <n>" and "lon[gitude]/lng <n>", each label
// followed by its number within a ':', '=' or '(' or two, and DJI's
// "GPS(<longitude>,<latitude>".
func labelled(t []token) (lat, lon float64, ok bool) {
	var haveLat, haveLon bool
	for i, tk := range t {
		if tk.kind != 'w' {
			continue
		}
		switch tk.word {
		case "lat", "latitude", "gpslatitude":
			if v, ok := numberAfter(t, i); ok && inRange(v, 90) {
				lat, haveLat = v, true
			}
		case "lon", "lng", "long", "longitude", "gpslongitude":
			if v, ok := numberAfter(t, i); ok && inRange(v, 180) {
				lon, haveLon = v, true
			}
		case "gps":
			if i+4 < len(t) && t[i+1].kind == '(' && t[i+2].kind == 'n' && t[i+3].kind == ',' && t[i+4].kind == 'n' {
				x, y := t[i+2].value, t[i+4].value
				if inRange(x, 180) && inRange(y, 90) {
					return y, x, true
				}
			}
		}
		if haveLat && haveLon {
			return lat, lon, true
		}
	}
	return 0, 0, false
}

// numberAfter returns the number that follows t[i], past up to two
// separators.
func numberAfter(t []token, i int) (float64, bool) {
	for j := i + 1; j < len(t) && j <= i+3; j++ {
		switch t[j].kind {
		case 'n':
			return t[j].value, true
		case ':', '=', '(', '[':
		default:
			return 0, false
		}
	}
	return 0, false
}

// hemispheres finds two angles with hemisphere letters, one north or
// south and one east or west, the letters after the angles (22°32'51.4"N,
// 22.5476 N) or before them (N 22.5476°).
func hemispheres(t []token) (lat, lon float64, ok bool) {
	for _, before := range []bool{false, true} {
		var haveLat, haveLon bool
		for i := 0; i < len(t); i++ {
			if t[i].kind != 'n' {
				continue
			}
			v, end := angle(t, i)
			h := ""
			if k := end; !before && k < len(t) && t[k].kind == 'w' && len(t[k].word) == 1 {
				h = t[k].word
			} else if k := i - 1; before && k >= 0 && t[k].kind == 'w' && len(t[k].word) == 1 {
				h = t[k].word
			}
			switch h {
			case "n", "s":
				if inRange(v, 90) {
					lat, haveLat = sign(v, h == "s"), true
				}
			case "e", "w":
				if inRange(v, 180) {
					lon, haveLon = sign(v, h == "w"), true
				}
			}
			if haveLat && haveLon {
				return lat, lon, true
			}
			i = end - 1
		}
	}
	return 0, 0, false
}

// angle reads degrees (with '°'), minutes (with '\”) and seconds (with
// '"') from t[i]; with no degree sign it is the number alone. It returns
// the angle and the index after it.
func angle(t []token, i int) (float64, int) {
	v := t[i].value
	j := i + 1
	if j >= len(t) || t[j].kind != '°' {
		return v, j
	}
	j++
	if j+1 < len(t) && t[j].kind == 'n' && t[j+1].kind == '\'' {
		v += t[j].value / 60
		j += 2
		if j+1 < len(t) && t[j].kind == 'n' && t[j+1].kind == '"' {
			v += t[j].value / 3600
			j += 2
		}
	}
	return v, j
}

func sign(v float64, negative bool) float64 {
	if negative {
		return -v
	}
	return v
}

// decimalPair finds two precise decimal numbers side by side, latitude
// first: "22.5476, 113.9435", "22.5476 113.9435", ISO 6709's
// "+22.5476+113.9435".
func decimalPair(t []token) (lat, lon float64, ok bool) {
	for i := 0; i+1 < len(t); i++ {
		a := t[i]
		j := i + 1
		if t[j].kind == ',' || t[j].kind == ';' || t[j].kind == '/' {
			j++
		}
		if a.kind != 'n' || j >= len(t) || t[j].kind != 'n' {
			continue
		}
		b := t[j]
		if j == i+1 && !b.sign { // "1 2" needs a separator or a sign
			if !(a.frac > 0 && b.frac > 0) {
				continue
			}
		}
		if a.frac >= 4 && b.frac >= 4 && inRange(a.value, 90) && inRange(b.value, 180) {
			return a.value, b.value, true
		}
	}
	return 0, 0, false
}

func inRange(v, limit float64) bool { return v >= -limit && v <= limit }
