package exifscrub

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// keptMovie is a movie with metadata of every category in 'udta' and in
// QuickTime metadata, as an iPhone and an editor write them.
func keptMovie() []byte {
	text := func(typ, s string) []byte { // a QuickTime text atom
		return mbox(typ, []byte{0, byte(len(s)), 0x15, 0xc7}, []byte(s))
	}
	udta := mbox("udta",
		text("\xa9xyz", "+48.8584+002.2945+035.000/"),
		text("\xa9day", "2024-06-01T21:14:03+0200"),
		text("\xa9mak", "Apple"),
		text("\xa9nam", "Holiday"),
		text("\xa9ART", "Jane Doe"),
		mfull("titl", 0, 0, []byte{0x15, 0xc7}, []byte("Beach\x00")),
		mfull("loci", 0, 0, []byte{0x15, 0xc7}, []byte("Home\x00"), []byte{0}, mu32(150372), mu32(3201984), mu32(35<<16), []byte("earth\x00notes\x00")),
		mbox("FIRM", []byte{1, 2, 3, 0xff, 0}))
	keys := []string{
		"com.apple.quicktime.location.ISO6709", "com.apple.quicktime.location.accuracy.horizontal",
		"com.apple.quicktime.creationdate", "com.apple.quicktime.make", "com.apple.quicktime.model",
		"com.apple.quicktime.software", "com.apple.quicktime.author", "com.apple.quicktime.title",
	}
	values := []string{"+48.8584+002.2945+035.000/", "4.7", "2024-06-01T21:14:03+0200", "Apple", "iPhone 15 Pro",
		"17.5", "Jane Doe", "Holiday"}
	var kb, ib []byte
	for i, k := range keys {
		kb = append(kb, mu32(uint32(8+len(k)))...)
		kb = append(kb, "mdta"+k...)
		data := mbox("data", mu32(1), mu32(0), []byte(values[i]))
		ib = append(ib, mbox(string(mu32(uint32(i+1))), data)...)
	}
	meta := mbox("meta", mfull("hdlr", 0, 0, mu32(0), []byte("mdta"), make([]byte, 12), []byte("Core Media\x00")),
		mfull("keys", 0, 0, mu32(uint32(len(keys))), kb), mbox("ilst", ib))
	m := newTestMovie()
	m.moovMore = [][]byte{udta, meta}
	in, _, _ := m.build()
	return in
}

// TestVideoKeep scrubs a movie keeping one category at a time: what is
// left is of that category only, every value of it is kept, and nothing
// else survives (ExifTool, when installed, reads the same).
func TestVideoKeep(t *testing.T) {
	in := keptMovie()
	all, err := Scan(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, cat := range Keepable() {
		t.Run(string(cat), func(t *testing.T) {
			var out bytes.Buffer
			rep, err := Scrub(&out, bytes.NewReader(in), &Options{Keep: []Category{cat}})
			if err != nil {
				t.Fatal(err)
			}
			after, err := Scan(bytes.NewReader(out.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			var left, want []string
			for _, f := range after.Findings {
				if f.Category != cat && f.Category != Other {
					t.Errorf("output holds %v", f)
				}
				if f.Category == cat {
					left = append(left, f.Container+" "+f.Tag+"="+f.Value)
				}
			}
			for _, f := range rep.Kept {
				if f.Category != cat {
					t.Errorf("Kept lists %v", f)
				}
				want = append(want, f.Container+" "+f.Tag+"="+f.Value)
			}
			if strings.Join(left, "\n") != strings.Join(want, "\n") {
				t.Errorf("Scan of the output finds\n%s\nKept lists\n%s", strings.Join(left, "\n"), strings.Join(want, "\n"))
			}
			n := 0
			for _, f := range all.Findings {
				if f.Category == cat {
					n++
				}
			}
			if cat == Device {
				n-- // FIRM: bytes, not text, never kept
			}
			if len(want) != n {
				t.Errorf("kept %d of %d %s findings: %v", len(want), n, cat, want)
			}
			for _, planted := range []string{"Core Media", "\x01\x02\x03\xff"} {
				if bytes.Contains(out.Bytes(), []byte(planted)) {
					t.Errorf("output holds %q", planted)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, string(cat)+".mov"), out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			var again bytes.Buffer
			if _, err := Scrub(&again, bytes.NewReader(out.Bytes()), &Options{Keep: []Category{cat}}); err != nil || !bytes.Equal(again.Bytes(), out.Bytes()) {
				t.Errorf("scrubbing twice differs from scrubbing once (%v)", err)
			}
		})
	}
	t.Run("coarse location", func(t *testing.T) {
		var out bytes.Buffer
		rep, err := Scrub(&out, bytes.NewReader(in), &Options{Keep: []Category{Location}, CoarseLocation: 0.1})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Kept {
			if f.Tag == "LocationName" || f.Tag == "LocationNote" || strings.Contains(f.Tag, "accuracy") {
				t.Errorf("kept %v", f)
			}
			if strings.Contains(f.Value, "48.8584") || strings.Contains(f.Value, "35.0 m") {
				t.Errorf("kept the precise position or altitude: %v", f)
			}
		}
		for _, s := range []string{"+48.9+002.3/", "Home"} {
			if got := bytes.Contains(out.Bytes(), []byte(s)); got != (s != "Home") {
				t.Errorf("output holds %q: %v", s, got)
			}
		}
		// The precise position is what was removed.
		if lat, lon, ok := rep.Location(); !ok || lat != 48.8584 || lon != 2.2945 {
			t.Errorf("Report.Location = %v, %v, %v; want the precise position, removed", lat, lon, ok)
		}
	})
	exiftool, err := exec.LookPath("exiftool")
	if err != nil {
		return
	}
	// ExifTool reads the kept values.
	text, err := exec.Command(exiftool, "-j", "-G1", "-a", "-api", "QuickTimeUTC", dir).Output()
	if err != nil {
		t.Fatalf("exiftool: %v", err)
	}
	var files []map[string]any
	if err := json.Unmarshal(text, &files); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"location": {"GPSCoordinates"},
		"time":     {"ContentCreateDate", "CreationDate"},
		"device":   {"Make", "Model", "Software"},
		"identity": {"Artist", "Author"},
		"text":     {"Title"},
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f["SourceFile"].(string)), ".mov")
		for _, tag := range want[name] {
			found := false
			for k := range f {
				if strings.HasSuffix(k, ":"+tag) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: ExifTool does not read %s: %v", name, tag, f)
			}
		}
	}
}

// TestVideoKeepCorpus scrubs every video of testdata and the corpus
// keeping one category at a time: Scan of the output finds that category
// only, as Kept lists it, and every value of it that Scan finds in the
// input stays, but for bytes that are not text and XMP edit history.
func TestVideoKeepCorpus(t *testing.T) {
	for _, path := range videoFiles(t) {
		in, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		before, err := Scan(bytes.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, cat := range Keepable() {
			var out bytes.Buffer
			rep, err := Scrub(&out, bytes.NewReader(in), &Options{Keep: []Category{cat}})
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			after, err := Scan(bytes.NewReader(out.Bytes()))
			if err != nil {
				t.Fatalf("%s keeping %s: Scan of the output: %v", path, cat, err)
			}
			kept := make(map[string]bool)
			for _, f := range rep.Kept {
				kept[f.Container+" "+f.Tag+"="+f.Value] = true
			}
			for _, f := range after.Findings {
				switch k := f.Container + " " + f.Tag + "=" + f.Value; {
				case f.Category == Other:
				case f.Category != cat:
					t.Errorf("%s keeping %s: output holds %v", filepath.Base(path), cat, f)
				case !kept[k]:
					t.Errorf("%s keeping %s: output holds %v, which Kept does not list", filepath.Base(path), cat, f)
				}
			}
			var lost []string
			for _, f := range before.Findings {
				switch {
				case f.Category != cat || kept[f.Container+" "+f.Tag+"="+f.Value]:
				case strings.HasPrefix(f.Value, "("):
					// Bytes, not text: never kept.
				case strings.HasPrefix(f.Tag, "stEvt:") || strings.HasPrefix(f.Tag, "stRef:"):
					// xmpMM:History and DerivedFrom: a record of
					// the file's editors, kept only whole (xmp.go).
				default:
					lost = append(lost, f.Tag+"="+f.Value)
				}
			}
			if len(lost) > 0 {
				t.Errorf("%s keeping %s: not kept: %v", filepath.Base(path), cat, lost)
			}
		}
	}
}

// TestVideoKeepHidden plants a marker after the NUL that ends a kept text,
// in every kind of kept atom and item: keeping every category, the marker
// goes, the text stays.
func TestVideoKeepHidden(t *testing.T) {
	const marker = "PLANTEDAFTERNUL"
	text := "Nice\x00" + marker
	utf16BE := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r>>8), byte(r))
		}
		return b
	}
	key := "com.apple.quicktime.title"
	meta := mbox("meta", mfull("hdlr", 0, 0, mu32(0), []byte("mdta"), make([]byte, 12), []byte{0}),
		mfull("keys", 0, 0, mu32(1), mu32(uint32(8+len(key))), []byte("mdta"+key)),
		mbox("ilst", mbox("\x00\x00\x00\x01", mbox("data", mu32(1), mu32(0), []byte(text)), mbox("data", mu32(2), mu32(0), utf16BE(text)))))
	udta := mbox("udta",
		mbox("\xa9cmt", []byte{0, byte(len(text)), 0x15, 0xc7}, []byte(text)),
		mfull("titl", 0, 0, []byte{0x15, 0xc7}, []byte(text)),
		mbox("SDLN", []byte(text)),
		mfull("loci", 0, 0, []byte{0x15, 0xc7}, []byte("Home\x00"), []byte{0}, mu32(0), mu32(0), mu32(0), []byte("earth\x00notes\x00"+marker)))
	m := newTestMovie()
	m.moovMore = [][]byte{udta, meta}
	in, _, _ := m.build()
	var out bytes.Buffer
	rep, err := Scrub(&out, bytes.NewReader(in), &Options{Keep: Keepable()})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out.Bytes(), []byte(marker)) || bytes.Contains(out.Bytes(), utf16BE(marker)) {
		i := bytes.Index(out.Bytes(), []byte(marker))
		t.Errorf("output holds the marker: %q; kept %v", out.Bytes()[max(0, i-60):i+20], rep.Kept)
	}
	if len(rep.Kept) < 5 {
		t.Errorf("kept %v, want the texts", rep.Kept)
	}
}
