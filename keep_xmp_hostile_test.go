package exifscrub

// Hostile XMP under a keep policy (issue 20): properties of vendor
// namespaces named like kept ones, a known namespace under a planted
// prefix, a fake namespace under a known prefix, language tags and values
// that carry a position, street-level place names. In JPEG, PNG, WebP and
// HEIC, after Scrub with Keep C: nothing of another category, no marker,
// no value that is not of its property's type, and under a coarse grid no
// position off the grid and no place finer than a city, in the bytes and
// in what ExifTool reads; and Kept lists what ExifTool reads.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	iwebp "github.com/exifscrub/exifscrub/internal/webp"
)

// hostileXMP is the packet. The precise position is 48.858390 N
// 2.294500 E (48,51.5034N 2,17.67E); markers name what must go.
const hostileXMP = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about=""
 xmlns:v="http://example.com/VENDORNSMARK/1.0/"
 xmlns:PREFIXMARK="http://purl.org/dc/elements/1.1/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:exif="http://ns.adobe.com/exif/1.0/"
 xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
 xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
 xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
 xmlns:xmpDM="http://ns.adobe.com/xmp/1.0/DynamicMedia/"
 xmlns:GPano="http://ns.google.com/photos/1.0/panorama/"
 v:ArtistGPSLatitude="48,51.5034N VENDORGPSMARK"
 v:AuthorSerialNumber="SN-VENDORSNMARK"
 v:CreateDate="2024-06-01"
 xmp:creatortool="Camera 1.0"
 xmp:CreateDate="2024-06-01T21:14:03+02:00"
 xmp:ModifyDate="2024-06-01T21:14:03+02:00 48.8583"
 xmp:MetadataDate="2024-06-01T21:14:03.1234567890Z"
 exif:DateTimeOriginal="48.858390,2.294500"
 exif:GPSLatitude="48,51.5034N"
 exif:GPSLongitude="2,17.67E"
 exif:GPSAltitude="35/1 48.8583"
 exif:GPSVersionID="2.3.0.0"
 exif:GPSImgDirection="1234/10"
 photoshop:City="Paris"
 Iptc4xmpCore:Location="99 Rue de STREETMARK"
 xmpDM:shotLocation="SHOTLOCMARK"
 GPano:PoseHeadingDegrees="123.4">
<PREFIXMARK:creator><rdf:Seq><rdf:li>Jane Doe</rdf:li></rdf:Seq></PREFIXMARK:creator>
<PREFIXMARK:title><rdf:Alt><rdf:li xml:lang="x-default">A title</rdf:li><rdf:li xml:lang="de-x-4885n2294e">LANGMARK</rdf:li></rdf:Alt></PREFIXMARK:title>
<PREFIXMARK:description><rdf:Alt><rdf:li xml:lang="de-CH">Beschreibung</rdf:li></rdf:Alt></PREFIXMARK:description>
<Iptc4xmpExt:LocationCreated><rdf:Bag><rdf:li rdf:parseType="Resource">
 <Iptc4xmpExt:City>Paris</Iptc4xmpExt:City>
 <Iptc4xmpExt:CountryCode>FR</Iptc4xmpExt:CountryCode>
 <Iptc4xmpExt:Sublocation>SUBLOCMARK</Iptc4xmpExt:Sublocation>
 <Iptc4xmpExt:LocationId>urn:LOCIDMARK</Iptc4xmpExt:LocationId>
 <Iptc4xmpExt:GPSLatitude>48,51.5034N</Iptc4xmpExt:GPSLatitude>
</rdf:li></rdf:Bag></Iptc4xmpExt:LocationCreated>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:dc="http://example.com/FAKEDCMARK/" xmlns:exif="http://example.com/FAKEEXIFMARK/">
<dc:rights>FAKERIGHTSMARK</dc:rights>
<exif:GPSLatitude>48,51.5034N</exif:GPSLatitude>
</rdf:Description>
</rdf:RDF></x:xmpmeta>`

// hostileXMPMarkers must never be in an output, whatever is kept.
var hostileXMPMarkers = []string{"VENDOR", "PREFIXMARK", "FAKEDCMARK", "FAKEEXIFMARK", "FAKERIGHTSMARK", "LANGMARK", "4885n",
	"creatortool", " 48.8583", "48.858390,", "35/1", "1234567890"}

// hostileCoarseMarkers must not be in an output under a coarse grid.
var hostileCoarseMarkers = []string{"STREETMARK", "SHOTLOCMARK", "SUBLOCMARK", "LOCIDMARK", "48,51.5034", "2,17.67",
	"GPSAltitude", "GPSImgDirection", "GPSVersionID", "PoseHeadingDegrees", "123.4"}

// hostileXMPFiles returns the packet in each format that carries XMP.
func hostileXMPFiles(t *testing.T) map[string][]byte {
	packet := []byte(hostileXMP)
	h := basicHEIF(loadHEIFSource(t, "heic__samplefilehub.heif"))
	h.items[2].data = packet
	return map[string][]byte{
		"jpg":  withSegments(baseJPEG(t), segment(markerAPP1, sigXMP, packet)),
		"png":  withChunks(basePNG(t), chunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"), packet)),
		"webp": riffFile(chunkBytes("VP8X", vp8xPayload(iwebp.FlagXMP)), chunkBytes("VP8L", fakeVP8L), chunkBytes("XMP ", packet)),
		"heic": h.build(),
	}
}

// TestKeepXMPHostile scrubs the hostile packet in every format with each
// policy.
func TestKeepXMPHostile(t *testing.T) {
	policies := []Options{{Keep: []Category{Location}, CoarseLocation: 0.1}, {Keep: Keepable(), CoarseLocation: 0.1}, {Keep: Keepable()}}
	for _, c := range Keepable() {
		policies = append(policies, Options{Keep: []Category{c}})
	}
	// What each category keeps of the packet, as Kept lists it.
	want := map[Category][]string{
		Identity: {"dc:creator=Jane Doe"},
		// dc:title goes whole: one of its items has a tag that is not
		// BCP 47 without private use.
		Text:   {"dc:description=Beschreibung"},
		Device: {"xmp:CreatorTool=Camera 1.0"},
		Time:   {"xmp:CreateDate=2024-06-01T21:14:03+02:00"},
		Location: {"exif:GPSLatitude=48.858390", "exif:GPSLongitude=2.294500", "exif:GPSVersionID=2.3.0.0",
			"exif:GPSImgDirection=1234/10", "photoshop:City=Paris", "Iptc4xmpCore:Location=99 Rue de STREETMARK",
			"xmpDM:shotLocation=SHOTLOCMARK", "GPano:PoseHeadingDegrees=123.4", "Iptc4xmpExt:City=Paris",
			"Iptc4xmpExt:CountryCode=FR", "Iptc4xmpExt:Sublocation=SUBLOCMARK", "Iptc4xmpExt:LocationId=urn:LOCIDMARK",
			"Iptc4xmpExt:GPSLatitude=48.858390"},
	}
	coarse := []string{"exif:GPSLatitude=48.900000", "exif:GPSLongitude=2.300000", "photoshop:City=Paris",
		"Iptc4xmpExt:City=Paris", "Iptc4xmpExt:CountryCode=FR", "Iptc4xmpExt:GPSLatitude=48.900000"}
	dir := t.TempDir()
	type output struct {
		opts Options
		kept []Finding
	}
	outputs := map[string]output{}
	for format, in := range hostileXMPFiles(t) {
		for i, opts := range policies {
			t.Run(format+"/"+policyName(&opts), func(t *testing.T) {
				out, rep := scrubWith(t, in, &opts)
				var wantKept []string
				for _, c := range opts.Keep {
					if c == Location && opts.CoarseLocation > 0 {
						wantKept = append(wantKept, coarse...)
					} else {
						wantKept = append(wantKept, want[c]...)
					}
				}
				var kept []string
				for _, f := range rep.Kept {
					if f.Container == "XMP" {
						kept = append(kept, f.Tag+"="+f.Value)
					}
				}
				slices.Sort(kept)
				slices.Sort(wantKept)
				if !slices.Equal(kept, wantKept) {
					t.Errorf("Kept\n%s\nwant\n%s", strings.Join(kept, "\n"), strings.Join(wantKept, "\n"))
				}
				markers := hostileXMPMarkers
				if opts.CoarseLocation > 0 {
					markers = append(markers[:len(markers):len(markers)], hostileCoarseMarkers...)
				}
				for _, m := range markers {
					if where := findMarker(out, m); where != "" {
						t.Errorf("%q survives, %s", m, where)
					}
				}
				after, err := Scan(bytes.NewReader(out))
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range after.Findings {
					if f.Container == "XMP" && !slices.Contains(opts.Keep, f.Category) {
						t.Errorf("the output holds %v", f)
					}
				}
				path := filepath.Join(dir, fmt.Sprintf("%s-%d.%s", format, i, format))
				if err := os.WriteFile(path, out, 0o644); err != nil {
					t.Fatal(err)
				}
				outputs[path] = output{opts, rep.Kept}
			})
		}
	}
	if testing.Short() {
		return
	}
	rows := exiftoolRows(t, slices.Sorted(maps.Keys(outputs)), "-n", "-struct")
	for _, row := range rows {
		path, _ := row["SourceFile"].(string)
		o := outputs[path]
		b, _ := json.Marshal(row)
		markers := hostileXMPMarkers
		if o.opts.CoarseLocation > 0 {
			markers = append(markers[:len(markers):len(markers)], hostileCoarseMarkers...)
		}
		for _, m := range markers {
			if bytes.Contains(b, []byte(m)) {
				t.Errorf("%s: ExifTool reads %q", filepath.Base(path), m)
			}
		}
		// ExifTool reads what Kept lists: a value for each kept one, and
		// no XMP tag that Kept does not name.
		var xmpValues []string
		for k, v := range row {
			group, name, _ := strings.Cut(k, ":")
			name, _, _ = strings.Cut(name, "-") // Description-de-CH
			if !strings.HasPrefix(group, "XMP-") || k == "XMP-x:XMPToolkit" {
				continue
			}
			flattenJSON(v, &xmpValues)
			named := false
			for _, f := range o.kept {
				local := f.Tag[strings.IndexByte(f.Tag, ':')+1:]
				named = named || strings.EqualFold(name, local) || strings.HasPrefix(local, "GPS") && strings.HasPrefix(name, "GPS") ||
					strings.HasPrefix(name, "LocationCreated") || strings.EqualFold(name, "Creator") || strings.EqualFold(name, "Title")
			}
			if !named {
				t.Errorf("%s: ExifTool reads %s=%v, which Kept does not list", filepath.Base(path), k, v)
			}
			if o.opts.CoarseLocation > 0 && strings.Contains(name, "GPS") {
				if d, ok := v.(float64); !ok || math.Abs(d*10-math.Round(d*10)) > 1e-6 {
					t.Errorf("%s: %s=%v is not on the 0.1 grid", filepath.Base(path), k, v)
				}
			}
		}
		for _, f := range o.kept {
			if f.Container != "XMP" {
				continue
			}
			found := false
			for _, v := range xmpValues {
				a, err1 := strconv.ParseFloat(v, 64)
				c, err2 := strconv.ParseFloat(f.Value, 64)
				found = found || v == f.Value || err1 == nil && err2 == nil && math.Abs(a-c) < 1e-6 ||
					strings.HasSuffix(f.Value, "/10") && v == "123.4" || strings.Contains(f.Value, "T") && strings.HasPrefix(strings.ReplaceAll(v, ":", "-"), f.Value[:10])
			}
			if !found {
				t.Errorf("%s: Kept lists %s=%s; ExifTool reads %q", filepath.Base(path), f.Tag, f.Value, xmpValues)
			}
		}
	}
}

// flattenJSON appends the scalar values of a decoded JSON value as text.
func flattenJSON(v any, out *[]string) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			flattenJSON(e, out)
		}
	case map[string]any:
		for _, e := range v {
			flattenJSON(e, out)
		}
	case float64:
		*out = append(*out, strconv.FormatFloat(v, 'f', -1, 64))
	default:
		*out = append(*out, fmt.Sprint(v))
	}
}

// exiftoolRows has ExifTool read every file of paths in one run, with
// "-j -a -G1 -ee -u" and more args, and returns its rows, in any order.
func exiftoolRows(t *testing.T, paths []string, args ...string) []map[string]any {
	t.Helper()
	need(t, "exiftool")
	args = append(append([]string{"-j", "-a", "-G1", "-ee", "-u"}, args...), paths...)
	text, runErr := exec.Command("exiftool", args...).Output()
	var rows []map[string]any
	if err := json.Unmarshal(text, &rows); err != nil || len(rows) != len(paths) {
		t.Fatalf("exiftool: %v (%v), %d rows for %d files", runErr, err, len(rows), len(paths))
	}
	return rows
}
