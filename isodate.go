package exifscrub

import (
	"strconv"
	"strings"
)

// An isoDate is a date and time in one of the ISO 8601 forms that kept
// metadata may hold, parsed into its fields so that it can be written
// anew (Options.Keep: nothing of the original text is copied):
//
//	YYYY | YYYY-MM | YYYY-MM-DD | YYYY-MM-DDThh:mm[:ss[.s…]][TZD]
//
// with TZD "Z", "±hh:mm" or, in the basic format ISO 8601 §4.2.5.1 also
// allows, "±hhmm" or "±hh". These are the forms of the XMP Date value type
// (XMP Specification Part 1, "Date": a subset of the W3C note "Date and
// Time Formats"; the time zone "need not be present"), and those that
// QuickTime '©day' and com.apple.quicktime.creationdate hold
// ("2024-06-01T21:14:03+0200").
type isoDate struct {
	year, month, day, hour, min, sec int
	frac                             string // the digits of a decimal fraction of a second, at most 9
	fields                           int    // 1 year, 2 month, 3 day, 4 minutes, 5 seconds
	zone                             string // "", "Z", ±hh:mm, ±hhmm or ±hh, written from its numbers
}

// isoDateBasicZone says whether parseISODate takes a zone without its
// colon (±hhmm, ±hh), which XMP does not allow.
type isoDateZones bool

const (
	xmpZones       isoDateZones = false // Z or ±hh:mm
	quickTimeZones isoDateZones = true  // also ±hhmm and ±hh
)

// parseISODate parses s, which must be one of isoDate's forms and nothing
// else, with every field in its range: a month 01–12, a day that the
// month has, hours 00–23, minutes 00–59, seconds 00–60 (a leap second),
// a zone within ±14:00 with minutes 00–59.
func parseISODate(s string, zones isoDateZones) (isoDate, bool) {
	var d isoDate
	c := isoCursor{s: s, ok: true}
	d.year, d.fields = c.digits(4), 1
	if c.take('-') {
		d.month, d.fields = c.digits(2), 2
		if c.take('-') {
			d.day, d.fields = c.digits(2), 3
			if c.take('T') {
				d.hour = c.digits(2)
				c.need(':')
				d.min, d.fields = c.digits(2), 4
				if c.take(':') {
					d.sec, d.fields = c.digits(2), 5
					if c.take('.') {
						start := c.i
						for c.i < len(c.s) && isDigit(c.s[c.i]) {
							c.i++
						}
						d.frac = c.s[start:c.i]
						c.ok = c.ok && len(d.frac) >= 1 && len(d.frac) <= 9
					}
				}
				d.zone = c.zone(zones)
			}
		}
	}
	if !c.ok || c.i != len(s) || d.fields >= 2 && (d.month < 1 || d.month > 12) ||
		d.fields >= 3 && (d.day < 1 || d.day > daysIn(d.year, d.month)) ||
		d.hour > 23 || d.min > 59 || d.sec > 60 {
		return isoDate{}, false
	}
	return d, true
}

// String writes the date in the form it was read.
func (d isoDate) String() string {
	var b strings.Builder
	b.WriteString(pad(d.year, 4))
	for i, v := range []int{d.month, d.day} {
		if d.fields >= i+2 {
			b.WriteString("-" + pad(v, 2))
		}
	}
	if d.fields >= 4 {
		b.WriteString("T" + pad(d.hour, 2) + ":" + pad(d.min, 2))
		if d.fields >= 5 {
			b.WriteString(":" + pad(d.sec, 2))
			if d.frac != "" {
				b.WriteString("." + d.frac)
			}
		}
		b.WriteString(d.zone)
	}
	return b.String()
}

// An isoCursor reads a date's fields, with a sticky ok.
type isoCursor struct {
	s  string
	i  int
	ok bool
}

// digits reads exactly n digits as a number.
func (c *isoCursor) digits(n int) int {
	if !c.ok || c.i+n > len(c.s) {
		c.ok = false
		return 0
	}
	v := 0
	for _, ch := range []byte(c.s[c.i : c.i+n]) {
		if !isDigit(ch) {
			c.ok = false
			return 0
		}
		v = v*10 + int(ch-'0')
	}
	c.i += n
	return v
}

// take reads ch if it is next.
func (c *isoCursor) take(ch byte) bool {
	if c.ok && c.i < len(c.s) && c.s[c.i] == ch {
		c.i++
		return true
	}
	return false
}

// need reads ch, which must be next.
func (c *isoCursor) need(ch byte) {
	if !c.take(ch) {
		c.ok = false
	}
}

// zone reads an optional time zone designator and returns it as it is
// written: in the form read, from the numbers read.
func (c *isoCursor) zone(zones isoDateZones) string {
	sign := ""
	switch {
	case c.take('Z'):
		return "Z"
	case c.take('+'):
		sign = "+"
	case c.take('-'):
		sign = "-"
	default:
		return ""
	}
	h := c.digits(2)
	var m int
	var out string
	switch {
	case c.take(':'):
		m = c.digits(2)
		out = sign + pad(h, 2) + ":" + pad(m, 2)
	case zones == xmpZones:
		c.ok = false
	case c.i+2 <= len(c.s):
		m = c.digits(2)
		out = sign + pad(h, 2) + pad(m, 2)
	default:
		out = sign + pad(h, 2)
	}
	if h*60+m > 14*60 || m > 59 {
		c.ok = false
	}
	return out
}

// daysIn returns the number of days of a month (1–12) of the proleptic
// Gregorian calendar.
func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// pad writes v with at least n digits.
func pad(v, n int) string {
	s := strconv.Itoa(v)
	for len(s) < n {
		s = "0" + s
	}
	return s
}
