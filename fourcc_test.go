package exifscrub

import (
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// TestFourCCString checks that bmff.FourCC's String, which cannot call
// printable from this package, prints every four-character code built from
// bytes that matter to the rule (controls, spaces, C1 controls, the lead
// and continuation bytes of valid and invalid UTF-8) as printable does.
func TestFourCCString(t *testing.T) {
	parts := []byte{0x00, 0x09, 0x0a, 0x0d, 0x1f, ' ', 'a', 0x7f, 0x80, 0x85, 0x9f, 0xa0, 0xa9,
		0xbf, 0xc0, 0xc2, 0xe2, 0xe3, 0xed, 0xf0, 0x98, 0xff}
	for _, a := range parts {
		for _, b := range parts {
			for _, c := range parts {
				for _, d := range parts {
					t4 := bmff.FourCC{a, b, c, d}
					want := printable(strings.ToValidUTF8(string(t4[:]), "?"))
					if got := t4.String(); got != want {
						t.Fatalf("% x: got %q, want %q", t4[:], got, want)
					}
				}
			}
		}
	}
}
