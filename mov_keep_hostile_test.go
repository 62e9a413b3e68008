package exifscrub

// Hostile video metadata under a keep policy (issue 20): keys no table
// lists, dates that hold a position, the precise position in the number
// 'data' atoms beside an ISO 6709 key, in a 'data' atom's locale, after
// the '/' of an ISO 6709 text, and in the name, body and notes of 'loci'.
// In a MOV (QuickTime metadata) and an MP4 (iTunes metadata): after Scrub
// with Keep C nothing of another category and no marker is in the bytes
// nor in what ExifTool reads; under a coarse grid no form of the precise
// position is (text, float64, float32, 16.16 fixed point, ISO 6709
// degrees-minutes-seconds); and Kept is what Scan reads of the output.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The precise position of the hostile videos: 48.858400 N, 2.294500 E.
const hostileLat, hostileLon = 48.8584, 2.2945

// precisePositionForms are the encodings of the precise position that a
// coarse output must not hold: preciseForms, and ISO 6709's degree,
// minute (and second) forms, which videos may write.
func precisePositionForms() map[string][]byte {
	forms := preciseForms(hostileLat, hostileLon)
	forms["ISO 6709 DMS"] = []byte("+485130")
	forms["ISO 6709 DM"] = []byte("+4851.5")
	return forms
}

// hostileVideoMarkers must never be in an output.
var hostileVideoMarkers = []string{"author_gps", "HIDDENAFTERSLASH", "NOTAKEYMARK", "LCMK", "HDLM", "HANDLERMARK"}

// hostileVideoCoarseMarkers must not be in an output under a coarse grid.
var hostileVideoCoarseMarkers = []string{"NAMEMARK", "BODYMARK", "NOTEMARK", "LOCNAMEMARK"}

// hostileData is a 'data' atom: a type, a locale, a value.
func hostileData(typ, locale uint32, v []byte) []byte {
	return mbox("data", mu32(typ), mu32(locale), v)
}

func f64(v float64) []byte { return binary.BigEndian.AppendUint64(nil, math.Float64bits(v)) }
func f32(v float64) []byte { return binary.BigEndian.AppendUint32(nil, math.Float32bits(float32(v))) }

// hostileLoci is a 'loci' box with the precise position, an altitude, and
// marked name, body and notes.
func hostileLoci() []byte {
	fixed := func(v float64) []byte { return mu32(uint32(int32(math.Round(v * 65536)))) }
	return mfull("loci", 0, 0, []byte{0x15, 0xc7}, []byte("NAMEMARK\x00"), []byte{0},
		fixed(hostileLon), fixed(hostileLat), fixed(35), []byte("BODYMARK\x00NOTEMARK\x00"))
}

// hostileMOV has QuickTime metadata ('mdta' keys) and 'udta' atoms.
func hostileMOV() []byte {
	text := func(typ, s string) []byte { return mbox(typ, []byte{0, byte(len(s)), 0x15, 0xc7}, []byte(s)) }
	udta := mbox("udta",
		text("\xa9xyz", "+48.8584+002.2945+035.000/HIDDENAFTERSLASH"),
		text("\xa9day", "2024-06-01T21:14:03+0200 +48.8584+002.2945/"),
		text("\xa9ART", "Jane Doe"),
		hostileLoci())
	type item struct {
		key  string
		data [][]byte
	}
	items := []item{
		{"com.apple.quicktime.location.ISO6709", [][]byte{
			hostileData(1, 0, []byte("+48.8584+002.2945+035.000/")),
			hostileData(24, 0, f64(hostileLat)), hostileData(23, 0, f32(hostileLon)),
			hostileData(21, 0, mu32(uint32(int32(hostileLat*1e6)))),
		}},
		{"com.apple.quicktime.location.name", [][]byte{hostileData(1, 0, []byte("LOCNAMEMARK"))}},
		{"com.apple.quicktime.location.accuracy.horizontal", [][]byte{hostileData(1, 0, []byte("4.7"))}},
		{"com.apple.quicktime.creationdate", [][]byte{
			hostileData(1, 0, []byte("2024-06-01T21:14:03+0200")),
			hostileData(1, 0, []byte("+48.8584+002.2945/")),
			hostileData(24, 0, f64(hostileLat)),
		}},
		{"com.apple.quicktime.make", [][]byte{hostileData(1, 0x4c434d4b, []byte("Apple"))}},
		{"com.apple.quicktime.title", [][]byte{hostileData(1, 0, []byte("Holiday")), hostileData(24, 0, f64(hostileLon))}},
		{"com.example.author_gps", [][]byte{hostileData(1, 0, []byte("+48.8584+002.2945/ NOTAKEYMARK"))}},
		{"author_gps", [][]byte{hostileData(1, 0, []byte("+48.8584+002.2945/ NOTAKEYMARK"))}},
	}
	var kb, ib []byte
	for i, it := range items {
		kb = append(kb, mu32(uint32(8+len(it.key)))...)
		kb = append(kb, "mdta"+it.key...)
		ib = append(ib, mbox(string(mu32(uint32(i+1))), it.data...)...)
	}
	meta := mbox("meta", mfull("hdlr", 0, 0, mu32(0), []byte("mdta"), make([]byte, 12), []byte{0}),
		mfull("keys", 0, 0, mu32(uint32(len(items))), kb), mbox("ilst", ib))
	m := newTestMovie()
	m.moovMore = [][]byte{udta, meta}
	in, _, _ := m.build()
	return in
}

// hostileMP4 has iTunes metadata ('mdir' items in 'udta') and 'loci'.
func hostileMP4() []byte {
	ilst := mbox("ilst",
		mbox("\xa9xyz", hostileData(1, 0, []byte("+48.8584+002.2945/")), hostileData(24, 0, f64(hostileLat))),
		mbox("\xa9day", hostileData(1, 0, []byte("2024-06-01")), hostileData(1, 0, []byte("2024 +48.8584+002.2945/"))),
		mbox("\xa9nam", hostileData(1, 0x4c434d4b, []byte("Holiday"))),
		mbox("\xa9ART", hostileData(1, 0, []byte("Jane Doe"))),
		mbox("----", mfull("mean", 0, 0, []byte("com.apple.iTunes")), mfull("name", 0, 0, []byte("author_gps")),
			hostileData(1, 0, []byte("+48.8584+002.2945/ NOTAKEYMARK"))))
	meta := mfull("meta", 0, 0, mfull("hdlr", 0, 0, mu32(0), []byte("mdir"), []byte("appl"), make([]byte, 8), []byte{0}), ilst)
	m := newTestMovie()
	// A handler that is not 'mdir' or 'mdta' says nothing of its items:
	// its four bytes could be anything.
	odd := mfull("meta", 0, 0, mfull("hdlr", 0, 0, mu32(0), []byte("HDLM"), make([]byte, 12), []byte{0}),
		mbox("ilst", mbox("\xa9nam", hostileData(1, 0, []byte("HANDLERMARK")))))
	m.moovMore = [][]byte{mbox("udta", meta, odd, hostileLoci())}
	in, _, _ := m.build()
	copy(in[8:12], "isom")  // ftyp: major brand
	copy(in[16:20], "mp42") // and compatible brand
	return in
}

// TestVideoKeepHostile scrubs the hostile videos with each policy.
func TestVideoKeepHostile(t *testing.T) {
	policies := []Options{{Keep: []Category{Location}, CoarseLocation: 0.1}, {Keep: Keepable(), CoarseLocation: 0.1}, {Keep: Keepable()}}
	for _, c := range Keepable() {
		policies = append(policies, Options{Keep: []Category{c}})
	}
	dir := t.TempDir()
	outputs := map[string]Options{}
	for name, in := range map[string][]byte{"mov": hostileMOV(), "mp4": hostileMP4()} {
		for i, opts := range policies {
			t.Run(name+"/"+policyName(&opts), func(t *testing.T) {
				out, rep := scrubWith(t, in, &opts)
				coarse := opts.CoarseLocation > 0
				markers := hostileVideoMarkers
				if coarse {
					markers = append(markers[:len(markers):len(markers)], hostileVideoCoarseMarkers...)
				}
				for _, m := range markers {
					if i := bytes.Index(out, []byte(m)); i >= 0 {
						t.Errorf("%q survives at %d", m, i)
					}
				}
				if coarse || !slices.Contains(opts.Keep, Location) {
					for form, b := range precisePositionForms() {
						if i := bytes.Index(out, b); i >= 0 {
							t.Errorf("the precise position survives as %s at %d", form, i)
						}
					}
				}
				// Kept is what Scan reads of the output, value for value.
				after, err := Scan(bytes.NewReader(out))
				if err != nil {
					t.Fatal(err)
				}
				var left, kept []string
				for _, f := range after.Findings {
					if f.Category == Other {
						continue
					}
					if !slices.Contains(opts.Keep, f.Category) {
						t.Errorf("the output holds %v", f)
					}
					left = append(left, f.Container+" "+f.Tag+"="+f.Value)
				}
				for _, f := range rep.Kept {
					kept = append(kept, f.Container+" "+f.Tag+"="+f.Value)
					if coarse && f.Category == Location && (strings.Contains(f.Value, "48.858") || strings.Contains(f.Value, "35.0 m")) {
						t.Errorf("Kept lists a precise position: %v", f)
					}
				}
				slices.Sort(left)
				slices.Sort(kept)
				if !slices.Equal(left, kept) {
					t.Errorf("Scan of the output reads\n%s\nKept lists\n%s", strings.Join(left, "\n"), strings.Join(kept, "\n"))
				}
				// What each category keeps.
				wantSome := map[Category]string{Time: "2024-06-01", Identity: "Jane Doe", Text: "Holiday", Location: "48.9"}
				if !coarse {
					wantSome[Location] = "48.858400"
				}
				for _, c := range opts.Keep {
					if w, ok := wantSome[c]; ok && !strings.Contains(strings.Join(kept, "\n"), w) {
						t.Errorf("keeping %s, Kept lacks %q: %v", c, w, kept)
					}
				}
				path := filepath.Join(dir, fmt.Sprintf("%s-%d.%s", name, i, name))
				if err := os.WriteFile(path, out, 0o644); err != nil {
					t.Fatal(err)
				}
				outputs[path] = opts
			})
		}
	}
	if testing.Short() {
		return
	}
	rows := exiftoolRows(t, slices.Sorted(maps.Keys(outputs)), "-n")
	for _, row := range rows {
		path, _ := row["SourceFile"].(string)
		opts := outputs[path]
		b, _ := json.Marshal(row)
		markers := hostileVideoMarkers
		if opts.CoarseLocation > 0 {
			markers = append(markers[:len(markers):len(markers)], hostileVideoCoarseMarkers...)
			markers = append(markers, "48.858", "2.2945")
		}
		for _, m := range markers {
			if bytes.Contains(b, []byte(m)) {
				t.Errorf("%s: ExifTool reads %q", filepath.Base(path), m)
			}
		}
	}
}
