package exifscrub

import "github.com/exifscrub/exifscrub/internal/date"

// ISO 8601 dates (internal/date), as the kept QuickTime values of
// mov_keep_value.go read and write them.
const quickTimeZones = date.BasicZones

func parseISODate(s string, zones date.Zones) (date.ISO, bool) { return date.ParseISO(s, zones) }

func pad(v, n int) string { return date.Pad(v, n) }
