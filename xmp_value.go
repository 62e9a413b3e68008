package exifscrub

import (
	"github.com/exifscrub/exifscrub/internal/xmp"
)

// xmpValue checks a kept XMP value of type t and returns it written anew
// (xmp.Value), or false: a value that is not of its type is not kept. A
// coordinate (lat says a latitude) is rounded to grid when grid is above
// 0.
func xmpValue(t xmp.Type, s string, lat bool, grid float64) (string, bool) {
	if t != xmp.TypeCoordinate || grid <= 0 {
		return xmp.Value(t, s, lat)
	}
	d, ok := xmp.ParseCoordinate(s, lat)
	if !ok {
		return "", false
	}
	return xmp.FormatGPSCoordinate(roundToGrid(d, grid), lat), true
}
