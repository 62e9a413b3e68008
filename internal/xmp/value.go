package xmp

import (
	"strconv"
	"strings"

	"github.com/exifscrub/exifscrub/internal/date"
	"github.com/exifscrub/exifscrub/internal/text"
)

// A Type is the value type of a property, which says how a kept value is
// checked and written anew (Value).
type Type uint8

const (
	TypeText       Type = iota // printable text
	TypeDate                   // the Date type (date.ISO, with XMP's zones)
	TypeInteger                // the Integer type: decimal digits with an optional sign
	TypeReal                   // the Real type: a decimal number
	TypeRational               // the Rational type of Part 2 §3.3: "n/d"
	TypeCoordinate             // GPSCoordinate, Part 2 §3.3.2: "DDD,MM,SSk" or "DDD,MM.mmk"
	TypeDigits                 // EXIF SubSecTime*: ASCII digits
	TypeOffset                 // EXIF OffsetTime*: "±HH:MM"
	TypeRef                    // a one-letter or one-digit closed choice: GPSSpeedRef "K"
	TypeVersion                // GPSVersionID: "2.3.0.0"
	TypeCountry                // an ISO 3166 country code: 2 or 3 letters
)

// Value checks a value of type t and returns it written anew from what it
// parsed into, or false when it is not of its type. The types are those
// of XMP Specification Part 1 ("XMP data types": Date, Integer, Real,
// Text) and Part 2 §3.3 (Rational, GPSCoordinate); lat says whether a
// coordinate is a latitude. Text is any text with no control character
// but tab and line breaks (text.NoControls).
func Value(t Type, s string, lat bool) (string, bool) {
	switch t {
	case TypeDate:
		d, ok := date.ParseISO(s, date.ExtendedZones)
		return d.String(), ok
	case TypeInteger:
		if !isDecimalInteger(s) {
			return "", false
		}
		v, err := strconv.ParseInt(s, 10, 64)
		return strconv.FormatInt(v, 10), err == nil
	case TypeReal:
		return RealValue(s)
	case TypeRational:
		return rationalValue(s)
	case TypeCoordinate:
		d, ok := ParseCoordinate(s, lat)
		if !ok {
			return "", false
		}
		return FormatGPSCoordinate(d, lat), true
	case TypeDigits:
		return s, len(s) >= 1 && len(s) <= 9 && isDecimalInteger(s) && s[0] != '+' && s[0] != '-'
	case TypeOffset:
		d, ok := date.ParseISO("2000-01-01T00:00"+s, date.ExtendedZones)
		return d.Zone, ok && len(d.Zone) == 6
	case TypeRef:
		return s, len(s) == 1 && ('A' <= s[0] && s[0] <= 'Z' || '0' <= s[0] && s[0] <= '9')
	case TypeVersion:
		return versionValue(s)
	case TypeCountry:
		return s, (len(s) == 2 || len(s) == 3) && isASCIILetters(s)
	}
	return s, text.NoControls(s)
}

// isDecimalInteger reports whether s is decimal digits with an optional
// sign (the XMP Integer type).
func isDecimalInteger(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func isASCIILetters(s string) bool {
	return s != "" && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == ""
}

// RealValue reads a decimal number, [±]digits[.digits][e[±]digits],
// and writes it in the shortest decimal form of its float64 value.
// ParseFloat alone would also read "Inf", "NaN" and hexadecimal.
func RealValue(s string) (string, bool) {
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 {
		return "", false
	}
	mant, exp, hasExp := strings.Cut(strings.ToLower(body), "e")
	whole, frac, _ := strings.Cut(mant, ".")
	if whole == "" && frac == "" || strings.Trim(whole+frac, "0123456789") != "" || hasExp && !isDecimalInteger(exp) {
		return "", false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "", false
	}
	return strconv.FormatFloat(v, 'f', -1, 64), true
}

// rationalValue reads a Rational, "n/d" (Part 2 §3.3): a signed and an
// unsigned 32-bit integer, as EXIF rationals are.
func rationalValue(s string) (string, bool) {
	n, d, ok := strings.Cut(s, "/")
	if !ok || !isDecimalInteger(n) || !isDecimalInteger(d) || d[0] == '-' || d[0] == '+' {
		return "", false
	}
	nv, err1 := strconv.ParseInt(n, 10, 32)
	dv, err2 := strconv.ParseUint(d, 10, 32)
	if err1 != nil || err2 != nil {
		return "", false
	}
	return strconv.FormatInt(nv, 10) + "/" + strconv.FormatUint(dv, 10), true
}

// ParseCoordinate reads a GPSCoordinate (Part 2 §3.3.2), "DDD,MM,SSk"
// or "DDD,MM.mmk": up to 3 digits of degrees, up to 2 of minutes (below
// 60), whole seconds below 60 (a fraction of them, which ExifTool reads,
// is taken too) or a fraction of a minute, k one of N, S (a latitude,
// within 90 degrees) or E, W (a longitude, within 180). It returns signed
// decimal degrees.
func ParseCoordinate(s string, lat bool) (float64, bool) {
	if len(s) < 4 {
		return 0, false
	}
	switch k := s[len(s)-1]; {
	case lat && (k == 'N' || k == 'S'), !lat && (k == 'E' || k == 'W'):
	default:
		return 0, false
	}
	parts := strings.Split(s[:len(s)-1], ",")
	if len(parts) != 2 && len(parts) != 3 {
		return 0, false
	}
	for i, p := range parts {
		whole, frac, hasFrac := strings.Cut(p, ".")
		last := i == len(parts)-1
		if whole == "" || len(whole) > [3]int{3, 2, 2}[i] || !isDecimalInteger(whole) || whole[0] == '+' || whole[0] == '-' ||
			hasFrac && (!last || i == 0 || frac == "" || len(frac) > 9 || strings.Trim(frac, "0123456789") != "") {
			return 0, false
		}
		if i > 0 {
			if v, _ := strconv.Atoi(whole); v >= 60 {
				return 0, false
			}
		}
	}
	d, ok := ParseGPSCoordinate(s)
	limit := 180.0
	if lat {
		limit = 90
	}
	return d, ok && d >= -limit && d <= limit
}

// versionValue reads GPSVersionID, four numbers 0 to 255 joined by
// dots (Part 2 §3.3.2: "2.3.0.0"), and writes them anew.
func versionValue(s string) (string, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return "", false
	}
	out := make([]string, 4)
	for i, p := range parts {
		if len(p) < 1 || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return "", false
		}
		v, _ := strconv.Atoi(p)
		if v > 255 {
			return "", false
		}
		out[i] = strconv.Itoa(v)
	}
	return strings.Join(out, "."), true
}
