package mp4

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"testing"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

func iodsPayload(t testing.TB, h string) []byte {
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseIods(t *testing.T) {
	for _, tc := range []struct {
		name, payload string
		want          IOD
		ok            bool
	}{
		// ffmpeg -skip_iods 0: the size in four bytes.
		{"ffmpeg", "00000000" + "10" + "80808007" + "004f" + "fffffefeff", IOD{ID: 1, Profiles: [5]byte{0xff, 0xff, 0xfe, 0xfe, 0xff}}, true},
		{"two tracks", "00000000" + "10" + "13" + "005f" + "0102030405" + "0e0400000001" + "0e0400000002", IOD{ID: 1, Inline: true, Profiles: [5]byte{1, 2, 3, 4, 5}, Tracks: []uint32{1, 2}}, true},
		{"a URL", "00000000" + "10" + "0a" + "006f" + "07687474703a2f2f", IOD{}, false},
		{"an OCI descriptor", "00000000" + "10" + "0c" + "004f" + "0102030405" + "40036162" + "63", IOD{}, false},
		{"bytes after it", "00000000" + "10" + "07" + "004f" + "0102030405" + "00", IOD{}, false},
		{"version 1", "01000000" + "10" + "07" + "004f" + "0102030405", IOD{}, false},
		{"size past the end", "00000000" + "10" + "09" + "004f" + "0102030405", IOD{}, false},
		{"size in five bytes", "00000000" + "10" + "8080808007" + "004f" + "0102030405", IOD{}, false},
		{"an object descriptor, not an initial one", "00000000" + "11" + "07" + "004f" + "0102030405", IOD{}, false},
		{"empty", "", IOD{}, false},
	} {
		got, ok := ParseIods(iodsPayload(t, tc.payload))
		if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: ParseIods = %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzIods: ParseIods never panics, and what WriteIods writes of what it
// read reads back the same and writes the same bytes again.
func FuzzIods(f *testing.F) {
	f.Add(iodsPayload(f, "00000000"+"10"+"80808007"+"004f"+"fffffefeff"))
	f.Add(iodsPayload(f, "00000000"+"10"+"13"+"005f"+"0102030405"+"0e0400000001"+"0e0400000002"))
	f.Fuzz(func(t *testing.T, p []byte) {
		iod, ok := ParseIods(p)
		if !ok {
			return
		}
		var w bmff.Writer
		WriteIods(&w, iod)
		out := w.Bytes()
		again, ok := ParseIods(out[8:])
		if !ok || again.ID != iod.ID || again.Inline != iod.Inline || again.Profiles != iod.Profiles || len(again.Tracks) != len(iod.Tracks) {
			t.Fatalf("%x read back as %+v, %v; wrote %+v", out, again, ok, iod)
		}
		var w2 bmff.Writer
		WriteIods(&w2, again)
		if !bytes.Equal(w2.Bytes(), out) {
			t.Fatalf("written twice: %x, then %x", out, w2.Bytes())
		}
	})
}
