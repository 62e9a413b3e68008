package exifscrub

// Hostile PNG text under a keep policy (issue 20): keywords no table
// lists, time keywords holding a position, text after a NUL, control
// characters, language tags and translated keywords that carry data.
// After Scrub with Keep C: Kept lists exactly what is kept, as written,
// no marker is in the bytes (nor in a zlib stream) nor in what ExifTool
// reads, and ExifTool reads the kept values.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func hostilePNG(t *testing.T) []byte {
	text := func(k, v string) []byte { return chunk("tEXt", []byte(k+"\x00"+v)) }
	itxt := func(k, lang, translated, v string) []byte {
		return chunk("iTXt", []byte(k+"\x00\x00\x00"+lang+"\x00"+translated+"\x00"+v))
	}
	return withChunks(basePNG(t),
		text("author_gps", "+48.8584+002.2945/ NOTAKEYMARK"),
		text("Creation Time", "48.8584, 2.2945 CTIMEMARK"),
		text("Creation Time", "Mon, 01 Jun 2024 21:14:03 +0200"), // a Saturday
		chunk("zTXt", []byte("Comment\x00\x00"), deflate("A comment")),
		itxt("Title", "x-48n8584", "", "LANGMARK"),
		itxt("Description", "de-CH", "TRANSLATEDMARK", "Beschreibung"),
		text("AUTHOR", "Jane Doe"),
		text("Copyright", "Jane\x00HIDDENNULMARK"),
		text("exif:DateTimeOriginal", "2024:06:01 21:14:03"),
		text("exif:DateTimeDigitized", "2024:06:01 48.8584 DIGITMARK"),
		text("exif:GPSLatitude", "48,51.504N"),
		text("exif:ArtistGPSLatitude", "48,51.504N VENDORMARK"),
		text("date:create", "2024-06-01T21:14:03+00:00"),
		text("Software", "GIMP\x07CTRLMARK"),
	)
}

func TestKeepPNGHostile(t *testing.T) {
	in := hostilePNG(t)
	want := map[Category][]string{
		Time: {"PNG tEXt Creation Time=Sat, 01 Jun 2024 21:14:03 +0200", "PNG tEXt exif:DateTimeOriginal=2024:06:01 21:14:03",
			"PNG tEXt date:create=2024-06-01T21:14:03+00:00"},
		Text:     {"PNG tEXt Comment=A comment", "PNG iTXt Description=Beschreibung"},
		Identity: {"PNG tEXt Author=Jane Doe"},
		Location: {"PNG tEXt exif:GPSLatitude=48,51.504000N"},
	}
	markers := []string{"NOTAKEYMARK", "CTIMEMARK", "LANGMARK", "TRANSLATEDMARK", "HIDDENNULMARK", "DIGITMARK", "VENDORMARK",
		"CTRLMARK", "author_gps", "AUTHOR", "Mon,", "x-48n"}
	policies := []Options{{Keep: Keepable()}, {Keep: []Category{Location}, CoarseLocation: 0.1}}
	for _, c := range Keepable() {
		policies = append(policies, Options{Keep: []Category{c}})
	}
	for _, opts := range policies {
		t.Run(policyName(&opts), func(t *testing.T) {
			out, rep := scrubWith(t, in, &opts)
			var got, wanted []string
			for _, f := range rep.Kept {
				got = append(got, f.Container+" "+f.Tag+"="+f.Value)
			}
			for _, c := range opts.Keep {
				if c != Location || opts.CoarseLocation == 0 {
					wanted = append(wanted, want[c]...)
				}
			}
			slices.Sort(got)
			slices.Sort(wanted)
			if !slices.Equal(got, wanted) {
				t.Errorf("Kept\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wanted, "\n"))
			}
			for _, m := range markers {
				if where := findMarker(out, m); where != "" {
					t.Errorf("%q survives, %s", m, where)
				}
			}
			if testing.Short() {
				return
			}
			need(t, "exiftool")
			text, err := exec.Command("exiftool", "-j", "-a", "-G1", "-ee", "-u", writeTemp(t, "out.png", out)).Output()
			var rows []map[string]any
			if jerr := json.Unmarshal(text, &rows); jerr != nil || len(rows) != 1 {
				t.Fatalf("exiftool: %v %v", err, jerr)
			}
			b, _ := json.Marshal(rows[0])
			for _, m := range markers {
				if bytes.Contains(b, []byte(m)) {
					t.Errorf("ExifTool reads %q", m)
				}
			}
			var read []string
			for k, v := range rows[0] {
				if strings.HasPrefix(k, "PNG:") && k != "PNG:ImageWidth" && k != "PNG:ImageHeight" && k != "PNG:BitDepth" &&
					k != "PNG:ColorType" && k != "PNG:Compression" && k != "PNG:Filter" && k != "PNG:Interlace" {
					read = append(read, fmt.Sprint(v))
				}
			}
			for _, f := range rep.Kept {
				if !slices.Contains(read, f.Value) && !strings.Contains(f.Value, "2024") {
					t.Errorf("Kept lists %s=%q; ExifTool reads %q", f.Tag, f.Value, read)
				}
			}
			if len(read) != len(rep.Kept) {
				t.Errorf("ExifTool reads %d PNG text values %q, Kept lists %d", len(read), read, len(rep.Kept))
			}
		})
	}
}
