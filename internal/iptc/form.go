package iptc

import (
	"github.com/exifscrub/exifscrub/internal/date"
	"github.com/exifscrub/exifscrub/internal/text"
)

// A Form is the form of a dataset's data (IPTC-IIM 4.2 §6).
type Form uint8

const (
	FormText  Form = iota // graphic characters, line breaks in the longer texts
	FormDate              // CCYYMMDD (month and day 00 when unknown, §6 2:55)
	FormTime              // HHMMSS±HHMM
	FormAlpha             // letters: 2:15 Category, 2:26 and 2:100 location codes
)

// Valid reports whether data is of the form and at most max octets long,
// as IPTC-IIM 4.2 §6 gives a dataset's data: text of printable characters
// (line breaks only in the texts longer than 256 octets: captions,
// instructions, headline, notices), dates CCYYMMDD, times HHMMSS±HHMM,
// codes of letters. No data is valid for a max below 0, nor longer than
// a standard dataset holds (MaxStandardLength).
func Valid(form Form, max int, data []byte) bool {
	t := string(data)
	if max < 0 || len(data) > max || len(data) > MaxStandardLength {
		return false
	}
	switch form {
	case FormDate:
		return date.IsIIMDate(t)
	case FormTime:
		return date.IsIIMTime(t)
	case FormAlpha:
		for _, c := range data {
			if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
				return false
			}
		}
		return len(data) > 0
	}
	return text.Printable(t, max >= 256)
}
