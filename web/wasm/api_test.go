package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/exifscrub/exifscrub"
)

func TestScanScrub(t *testing.T) {
	in, err := os.ReadFile("../../testdata/jpg__Kodak_CX7530.jpg")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := scan("k.jpg", bytes.NewReader(in), true)
	if err != nil {
		t.Fatal(err)
	}
	if rep["path"] != "k.jpg" || rep["format"] != "jpeg" || rep["location"] == nil || len(rep["findings"].([]any)) == 0 {
		t.Errorf("scan: %v", rep)
	}
	var out bytes.Buffer
	if _, err := scrub("k.jpg", bytes.NewReader(in), nil, &out); err != nil {
		t.Fatal(err)
	}
	again, verified, err := rescan("k.jpg", bytes.NewReader(out.Bytes()), nil)
	if err != nil || !verified || len(again["findings"].([]any)) != 0 {
		t.Errorf("scrub: not verified clean: %v %v", again, err)
	}

	for _, tc := range []struct {
		in   []byte
		code string
	}{
		{nil, codeUnsupportedFormat},
		{[]byte("hello"), codeUnsupportedFormat},
		{in[:100], codeFormatError},
	} {
		_, err := scan("", bytes.NewReader(tc.in), false)
		var e *apiError
		if !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("scan(%.8q): %v, want code %s", tc.in, err, tc.code)
		}
		if _, err := scrub("", bytes.NewReader(tc.in), nil, new(bytes.Buffer)); !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("scrub(%.8q): %v, want code %s", tc.in, err, tc.code)
		}
	}
}

// TestNames checks that a name that tells the time is reported as the
// command-line tool reports it: after the location findings, or among the
// kept ones when the time is kept; and never in a rescan.
func TestNames(t *testing.T) {
	in, err := os.ReadFile("../../testdata/jpg__Kodak_CX7530.jpg")
	if err != nil {
		t.Fatal(err)
	}
	const name = "IMG_20240601_211403.jpg"
	want, _ := exifscrub.ScanName(name)
	rep, err := scan(name, bytes.NewReader(in), true)
	if err != nil {
		t.Fatal(err)
	}
	fs := rep["findings"].([]any)
	i := 0
	for i < len(fs) && fs[i].(object)["category"] == "location" {
		i++
	}
	if i == len(fs) || fs[i].(object)["value"] != want.Value || fs[i].(object)["container"] != "file name" {
		t.Errorf("scan: no name finding after the location: %v", fs)
	}
	if i == 0 {
		t.Errorf("the sample has no location findings; the order is not checked")
	}
	var out bytes.Buffer
	rep, err = scrub(name, bytes.NewReader(in), &exifscrub.Options{Keep: []exifscrub.Category{exifscrub.Time}}, &out)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rep["kept"])
	if !bytes.Contains(b, []byte(want.Value)) {
		t.Errorf("scrub keeping the time: the name is not among the kept: %s", b)
	}
	b, _ = json.Marshal(rep["findings"])
	if bytes.Contains(b, []byte("file name")) {
		t.Errorf("scrub keeping the time: the name is among the removed: %s", b)
	}
}

// TestKeep checks that a clean file made under a keeping policy is
// verified under that policy, for every choice the page offers.
func TestKeep(t *testing.T) {
	in, err := os.ReadFile("../../testdata/jpg__Kodak_CX7530.jpg")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		keep   []string
		coarse float64
	}{
		{[]string{"time"}, 0},
		{[]string{"location"}, 0.1},
		{[]string{"time", "location"}, 0.1},
	} {
		keep, err := parseKeep(tc.keep)
		if err != nil {
			t.Fatal(err)
		}
		opts := &exifscrub.Options{Keep: keep, CoarseLocation: tc.coarse}
		var out bytes.Buffer
		rep, err := scrub("k.jpg", bytes.NewReader(in), opts, &out)
		if err != nil {
			t.Fatal(err)
		}
		if rep["kept"] == nil {
			t.Errorf("keep %v: nothing kept", tc.keep)
		}
		again, verified, err := rescan("k.jpg", bytes.NewReader(out.Bytes()), opts)
		if err != nil || !verified {
			b, _ := json.Marshal(again)
			t.Errorf("keep %v coarse %v: not verified: %s %v", tc.keep, tc.coarse, b, err)
		}
	}
	var e *apiError
	if _, err := parseKeep([]string{"embedded"}); err == nil {
		// Embedded is a category but not keepable: Scrub refuses it.
		keep, _ := parseKeep([]string{"embedded"})
		_, err := scrub("", bytes.NewReader(in), &exifscrub.Options{Keep: keep}, new(bytes.Buffer))
		if !errors.As(err, &e) || e.Code != codeInvalidOptions {
			t.Errorf("keep embedded: %v, want code %s", err, codeInvalidOptions)
		}
	}
	if _, err := parseKeep([]string{"nonsense"}); !errors.As(err, &e) || e.Code != codeInvalidOptions {
		t.Errorf("keep nonsense: %v, want code %s", err, codeInvalidOptions)
	}
}

// TestAppendJSON checks that appendJSON writes what encoding/json reads
// back as the object, strings that need escaping included.
func TestAppendJSON(t *testing.T) {
	tricky := "a\"b\\c\x00\x1f\n\t\u2028é😀\xff\xc3 end"
	for _, o := range []object{
		{},
		{"s": tricky, tricky: "key", "n": 1.5, "big": 1e21, "small": -1.25e-7, "i": 9999990, "t": true, "f": false,
			"list": []any{}, "nested": []any{object{"x": "y"}, object{}}, "o": object{"latitude": -1.2864, "map": "https://x/?a=1&b=2#map=16"}},
	} {
		got := appendJSON(nil, o)
		var back, want any
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("appendJSON gave invalid JSON %s: %v", got, err)
		}
		enc, _ := json.Marshal(o)
		json.Unmarshal(enc, &want)
		if !reflect.DeepEqual(back, want) {
			t.Errorf("appendJSON:\n got %s\nwant %s", got, enc)
		}
	}
}
