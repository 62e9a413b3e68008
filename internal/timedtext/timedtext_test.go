package timedtext

import (
	"encoding/binary"
	"math"
	"testing"
	"unicode/utf16"
)

func tx3g(text string) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(len(text)))
	return append(b, text...)
}

func box(typ string, payload ...[]byte) []byte {
	n := 8
	for _, p := range payload {
		n += len(p)
	}
	b := binary.BigEndian.AppendUint32(nil, uint32(n))
	b = append(b, typ...)
	for _, p := range payload {
		b = append(b, p...)
	}
	return b
}

func TestCue(t *testing.T) {
	utf16Text := []byte{0xfe, 0xff}
	for _, u := range utf16.Encode([]rune("höhe 120 m")) {
		utf16Text = binary.BigEndian.AppendUint16(utf16Text, u)
	}
	withStyle := append(tx3g("F/2.8, SS 1000"), box("styl", make([]byte, 14))...)
	for _, tc := range []struct {
		name, entry string
		sample      []byte
		want        string
		ok          bool
	}{
		{"tx3g", "tx3g", tx3g("GPS(113.9435,22.5476,12)"), "GPS(113.9435,22.5476,12)", true},
		{"tx3g with a modifier box", "tx3g", withStyle, "F/2.8, SS 1000", true},
		{"QuickTime text, UTF-16", "text", append(binary.BigEndian.AppendUint16(nil, uint16(len(utf16Text))), utf16Text...), "höhe 120 m", true},
		{"empty tx3g cue", "tx3g", []byte{0, 0}, "", true},
		{"no sample", "tx3g", nil, "", true},
		{"length past the end", "tx3g", []byte{0, 9, 'a'}, "", false},
		{"odd UTF-16", "tx3g", []byte{0, 3, 0xfe, 0xff, 'a'}, "", false},
		{"not UTF-8", "tx3g", []byte{0, 2, 0xff, 0xfe}, "", false},
		{"wvtt", "wvtt", box("vttc", box("iden", []byte("7")), box("payl", []byte("lat 1.5"))), "7\nlat 1.5", true},
		{"wvtt comment and empty cue", "wvtt", append(box("vtte"), box("vtta", []byte("note"))...), "note", true},
		{"wvtt cut box", "wvtt", box("vttc", box("payl", []byte("x")))[:10], "", false},
		{"stxt", "stxt", []byte("chapter one\x00"), "chapter one", true},
		{"c608 is not read", "c608", []byte{0x94, 0x20}, "", false},
		{"too large", "stxt", make([]byte, MaxSample+1), "", false},
	} {
		got, ok := Cue([4]byte([]byte(tc.entry)), tc.sample)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: Cue = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPosition(t *testing.T) {
	for _, tc := range []struct {
		text     string
		lat, lon float64
		ok       bool
	}{
		{"[latitude: 22.547620] [longitude: 113.943520] [rel_alt: 1.300 abs_alt: 112.483]", 22.54762, 113.94352, true},
		{"lat 22.5, lon -113.9", 22.5, -113.9, true},
		{"GPS(113.9435,22.5476,12M) BAROMETER:20.3M", 22.5476, 113.9435, true},
		{"GPS (8.6539, 47.2863, 19)", 47.2863, 8.6539, true},
		{"+22.5476+113.9435/", 22.5476, 113.9435, true},
		{"22.5476, -113.9435", 22.5476, -113.9435, true},
		{"-33.8688 151.2093", -33.8688, 151.2093, true},
		{`22°32'51.4"N 113°56'36.7"E`, 22 + 32.0/60 + 51.4/3600, 113 + 56.0/60 + 36.7/3600, true},
		{"N 22.5476° W 113.9435°", 22.5476, -113.9435, true},
		{"22.5 S, 113.9 E", -22.5, 113.9, true},
		{"F/2.8, SS 1000, ISO 100, EV 0", 0, 0, false},
		{"1.5, 2.0", 0, 0, false},
		{"00:00:01,000 --> 00:00:02,000", 0, 0, false},
		{"lat 95.0 lon 10.0", 0, 0, false},
		{"12.34567 is not a place alone", 0, 0, false},
		{"2024-06-01 21:14:03.123", 0, 0, false},
		{"", 0, 0, false},
	} {
		lat, lon, ok := Position(tc.text)
		if ok != tc.ok || math.Abs(lat-tc.lat) > 1e-9 || math.Abs(lon-tc.lon) > 1e-9 {
			t.Errorf("Position(%q) = %v, %v, %v; want %v, %v, %v", tc.text, lat, lon, ok, tc.lat, tc.lon, tc.ok)
		}
	}
}

// FuzzCue: Cue and Position never panic; a position is within range; the
// text of a tx3g sample is what its length says, when it is UTF-8.
func FuzzCue(f *testing.F) {
	f.Add([]byte("tx3g"), tx3g("[latitude: 22.547620] [longitude: 113.943520]"))
	f.Add([]byte("wvtt"), box("vttc", box("payl", []byte(`22°32'51.4"N 113°56'36.7"E`))))
	f.Add([]byte("stxt"), []byte("GPS(113.9435,22.5476,12)"))
	f.Add([]byte("text"), []byte{0, 4, 0xfe, 0xff, 0, 'a'})
	f.Fuzz(func(t *testing.T, entry, sample []byte) {
		var e [4]byte
		copy(e[:], entry)
		s, ok := Cue(e, sample)
		if !ok && s != "" {
			t.Fatalf("Cue failed but returned %q", s)
		}
		for _, text := range []string{s, string(sample)} {
			if lat, lon, ok := Position(text); ok && (!inRange(lat, 90) || !inRange(lon, 180)) {
				t.Fatalf("Position(%q) = %v, %v: out of range", text, lat, lon)
			}
		}
	})
}
