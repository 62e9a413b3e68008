package xmp

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseGPSCoordinate reads an XMP GPS coordinate, "DDD,MM,SSk" or
// "DDD,MM.mmk" with k one of N, S, E, W (XMP Specification Part 2
// §3.3.2, "GPSCoordinate"), as signed decimal degrees: negative to the
// south and west. It does not check the range of the parts.
func ParseGPSCoordinate(s string) (float64, bool) {
	if len(s) < 2 {
		return 0, false
	}
	sign := 1.0
	switch s[len(s)-1] {
	case 'S', 's', 'W', 'w':
		sign = -1
	case 'N', 'n', 'E', 'e':
	default:
		return 0, false
	}
	parts := strings.Split(s[:len(s)-1], ",")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var d float64
	for i, part := range parts {
		v, err := strconv.ParseFloat(part, 64)
		if err != nil {
			return 0, false
		}
		d += v / [3]float64{1, 60, 3600}[i]
	}
	return sign * d, true
}

// FormatGPSCoordinate writes signed decimal degrees as an XMP GPS
// coordinate, "DDD,MM.mmmmmmk" (Part 2 §3.3.2), a latitude (N or S,
// clamped to ±90) when lat is set, else a longitude (E or W, clamped to
// ±180); the minutes are rounded to millionths.
func FormatGPSCoordinate(v float64, lat bool) string {
	limit, pos, neg := 180.0, byte('E'), byte('W')
	if lat {
		limit, pos, neg = 90, 'N', 'S'
	}
	v = math.Max(-limit, math.Min(limit, v))
	ref := pos
	if v < 0 {
		ref, v = neg, -v
	}
	micro := int64(math.Round(v * 60e6)) // millionths of a minute
	deg, min := micro/60e6, micro%60e6
	return fmt.Sprintf("%d,%02d.%06d%c", deg, min/1e6, min%1e6, ref)
}
