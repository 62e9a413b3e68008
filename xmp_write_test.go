package exifscrub

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"
)

// keepTestXMP has properties of every category, each value holding a
// marker naming its category, in attribute and element form, arrays,
// language alternatives, structures, comments and a second Description.
const keepTestXMP = `<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 5.5.0">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<!-- COMMENTMARK -->
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:d="http://purl.org/dc/elements/1.1/"
 xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
 xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
 xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
 xmlns:vendor="http://example.com/vendor/1.0/"
 xmp:CreatorTool="DEVICEMARK Camera 1.0" xmp:CreateDate="2024-06-01T21:14:03+02:00"
 exif:GPSLatitude="52,31.2345N" exif:GPSLongitude="13,24.5678W" exif:GPSAltitude="LOCMARK 1234/10"
 photoshop:City="Berlin &amp; &lt;Mitte&gt;" xmpMM:DocumentID="xmp.did:DEVICEMARK" vendor:Opacity="OTHERMARK"
 vendor:OwnerName="Zoë Owner">
<d:creator><rdf:Seq><rdf:li>Zoë "Doe"</rdf:li><rdf:li>John Roe</rdf:li></rdf:Seq></d:creator>
<d:title><rdf:Alt><rdf:li xml:lang="x-default">A title</rdf:li><rdf:li xml:lang="fr-FR">Un titre</rdf:li></rdf:Alt></d:title>
<d:subject><rdf:Bag><rdf:li>one</rdf:li><rdf:li>two</rdf:li></rdf:Bag></d:subject>
<d:format>OTHERMARK/jpeg</d:format>
<xmpMM:History><rdf:Seq><rdf:li rdf:parseType="Resource"><stEvt:action>saved</stEvt:action><stEvt:when>2024-06-02T10:00:00</stEvt:when>
 <stEvt:softwareAgent>DEVICEMARK Photoshop</stEvt:softwareAgent></rdf:li></rdf:Seq></xmpMM:History>
<Iptc4xmpCore:CreatorContactInfo rdf:parseType="Resource"><Iptc4xmpCore:CiEmailWork>jane@example.com</Iptc4xmpCore:CiEmailWork>
 <Iptc4xmpCore:CiAdrCity>Hometown</Iptc4xmpCore:CiAdrCity></Iptc4xmpCore:CreatorContactInfo>
<Iptc4xmpExt:LocationCreated><rdf:Bag><rdf:li><rdf:Description Iptc4xmpExt:City="Paris" Iptc4xmpExt:GPSLatitude="48.8566"/></rdf:li></rdf:Bag></Iptc4xmpExt:LocationCreated>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">SECOND title</rdf:li></rdf:Alt></dc:title>
<dc:description>Caption, line 1
line 2</dc:description>
<exif:DateTimeOriginal>2024-06-01T21:14:03.120</exif:DateTimeOriginal>
</rdf:Description>
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>`

func TestKeepXMP(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		want   []string // "name=value" of Kept, in any order
		absent []string // never in the packet
	}{
		// A vendor's namespace is never kept (issue 20), whatever its
		// property's name says.
		{"identity", Options{Keep: []Category{Identity}},
			[]string{"dc:creator=Zoë \"Doe\"; John Roe", "Iptc4xmpCore:CiEmailWork=jane@example.com", "Iptc4xmpCore:CiAdrCity=Hometown"},
			[]string{"DEVICEMARK", "OTHERMARK", "COMMENTMARK", "LOCMARK", "title", "Berlin", "2024", "xmptk", "Owner", "vendor"}},
		{"text", Options{Keep: []Category{Text}},
			[]string{"dc:title=A title; Un titre", "dc:subject=one; two", "dc:description=Caption, line 1\nline 2"},
			[]string{"DEVICEMARK", "OTHERMARK", "COMMENTMARK", "SECOND", "Zoë", "Berlin", "2024"}},
		{"time", Options{Keep: []Category{Time}},
			[]string{"xmp:CreateDate=2024-06-01T21:14:03+02:00", "exif:DateTimeOriginal=2024-06-01T21:14:03.120"},
			// History's stEvt:when is Time, but the event's other fields are not.
			[]string{"DEVICEMARK", "OTHERMARK", "2024-06-02", "saved", "Zoë"}},
		{"device", Options{Keep: []Category{Device}},
			[]string{"xmp:CreatorTool=DEVICEMARK Camera 1.0", "xmpMM:DocumentID=xmp.did:DEVICEMARK"},
			[]string{"Photoshop", "OTHERMARK", "2024", "Zoë", "saved"}},
		// A GPSAltitude that is not a rational, an IPTC latitude that is
		// not a GPSCoordinate are not kept (issue 20).
		{"location", Options{Keep: []Category{Location}},
			[]string{"exif:GPSLatitude=52.520575", "exif:GPSLongitude=-13.409463", "photoshop:City=Berlin & <Mitte>",
				"Iptc4xmpExt:City=Paris"},
			[]string{"DEVICEMARK", "OTHERMARK", "2024", "Zoë", "Hometown", "LOCMARK", "48.8566"}},
		{"coarse location", Options{Keep: []Category{Location}, CoarseLocation: 0.1},
			[]string{"exif:GPSLatitude=52.500000", "exif:GPSLongitude=-13.400000", "photoshop:City=Berlin & <Mitte>", "Iptc4xmpExt:City=Paris"},
			[]string{"DEVICEMARK", "OTHERMARK", "LOCMARK", "48.8566", "31.2345", "Hometown"}},
		{"all", Options{Keep: Keepable()},
			nil,
			[]string{"OTHERMARK", "COMMENTMARK", "saved", "SECOND", "xmptk"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := new(Report)
			out := keepXMP(rep, "XMP", []byte(keepTestXMP), &tt.opts)
			if out == nil {
				t.Fatalf("nothing kept; findings %v", rep.Findings)
			}
			var kept []string
			for _, f := range rep.Kept {
				if !slices.Contains(tt.opts.Keep, f.Category) {
					t.Errorf("kept %v, not of a kept category", f)
				}
				kept = append(kept, f.Tag+"="+f.Value)
			}
			for _, w := range tt.want {
				w = printable(w)
				if !slices.Contains(kept, w) {
					t.Errorf("Kept lacks %q; it has %q", w, kept)
				}
			}
			for _, a := range tt.absent {
				if bytes.Contains(out, []byte(a)) {
					t.Errorf("%q survives in\n%s", a, out)
				}
			}
			for _, f := range rep.Findings {
				if slices.Contains(tt.opts.Keep, f.Category) && f.Tag != "dc:title" && f.Tag != "stEvt:when" && f.Tag != "stEvt:softwareAgent" && f.Tag != "XMP:Comment" &&
					f.Tag != "vendor:OwnerName" && f.Tag != "exif:GPSAltitude" && f.Tag != "Iptc4xmpExt:GPSLatitude" &&
					!(tt.opts.CoarseLocation > 0 && f.Category == Location) {
					t.Errorf("removed %v, of a kept category", f)
				}
			}
			// The packet reads back with only kept categories, and keeping
			// again changes nothing.
			again := new(Report)
			parseXMP(again, "XMP", out)
			for _, f := range again.Findings {
				if !slices.Contains(tt.opts.Keep, f.Category) {
					t.Errorf("the kept packet holds %v", f)
				}
			}
			if len(again.Findings) != len(rep.Kept) {
				t.Errorf("the kept packet reads as %d findings, Kept has %d", len(again.Findings), len(rep.Kept))
			}
			if out2 := keepXMP(new(Report), "XMP", out, &tt.opts); !bytes.Equal(out, out2) {
				t.Errorf("keeping twice differs:\n%s\n%s", out, out2)
			}
			if !bytes.HasPrefix(out, []byte(`<?xpacket begin="`+"\ufeff"+`" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">`)) ||
				!bytes.HasSuffix(out, []byte(`<?xpacket end="w"?>`)) {
				t.Errorf("packet wrapper:\n%s", out)
			}
		})
	}
}

// TestKeepXMPNothing checks the cases where no packet is written.
func TestKeepXMPNothing(t *testing.T) {
	for _, tt := range []struct {
		name   string
		packet string
		opts   *Options
	}{
		{"no policy", keepTestXMP, nil},
		{"nothing of the category", `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:format="image/jpeg"/></rdf:RDF></x:xmpmeta>`, &Options{Keep: Keepable()}},
		{"empty value", `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title> </dc:title></rdf:Description></rdf:RDF></x:xmpmeta>`, &Options{Keep: Keepable()}},
		{"not well-formed", keepTestXMP[:len(keepTestXMP)-60], &Options{Keep: Keepable()}},
		{"undeclared prefix", `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description><dc:title>T</dc:title></rdf:Description></rdf:RDF></x:xmpmeta>`, &Options{Keep: Keepable()}},
		{"literal", `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title rdf:parseType="Literal"><b>T</b></dc:title></rdf:Description></rdf:RDF></x:xmpmeta>`, &Options{Keep: Keepable()}},
		{"hidden in xml:lang", `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="52.5 N 13.4 E">T</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta>`, &Options{Keep: []Category{Text}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep := new(Report)
			if out := keepXMP(rep, "XMP", []byte(tt.packet), tt.opts); out != nil {
				t.Errorf("kept\n%s", out)
			}
			want := new(Report)
			parseXMP(want, "XMP", []byte(tt.packet))
			if len(rep.Kept) != 0 || !slices.Equal(rep.Findings, want.Findings) {
				t.Errorf("report %v, kept %v; want %v", rep.Findings, rep.Kept, want.Findings)
			}
		})
	}
}

// TestKeepXMPEncodings checks that a packet in UTF-16 or Latin-1 is kept
// in UTF-8 with the same values.
func TestKeepXMPEncodings(t *testing.T) {
	opts := &Options{Keep: []Category{Identity, Location}}
	for _, packet := range [][]byte{
		encodeUTF16(gpsXMP(`<?xml version="1.0" encoding="UTF-16"?>`), binary.BigEndian, true),
		encodeUTF32(gpsXMP(""), binary.LittleEndian, false),
		[]byte(strings.ReplaceAll(gpsXMP(""), "ë", "\xeb")),
	} {
		rep := new(Report)
		out := keepXMP(rep, "XMP", packet, opts)
		if !bytes.Contains(out, []byte("Zoë Doe")) || !bytes.Contains(out, []byte("52,31.200000N")) {
			t.Errorf("kept\n%s", out)
		}
		if len(rep.Kept) != 3 || len(rep.Findings) != 0 {
			t.Errorf("kept %v, removed %v", rep.Kept, rep.Findings)
		}
	}
}

func TestCoarseXMPCoordinate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		lat  bool
		grid float64
		want string
	}{
		{"52,31.2345N", true, 0.01, "52,31.200000N"},
		{"13,24.5678W", false, 0.1, "13,24.000000W"},
		{"0,0.1S", true, 0.01, "0,00.000000N"},
		{"89,59.9N", true, 7, "90,00.000000N"},
		{"179,59,59E", false, 1, "180,00.000000E"},
		{"33,51,54.5S", true, 0.01, "33,52.200000S"},
	} {
		got, ok := coarseXMPCoordinate(tt.in, tt.lat, tt.grid)
		if !ok || got != tt.want {
			t.Errorf("coarseXMPCoordinate(%q, %v) = %q, %v; want %q", tt.in, tt.grid, got, ok, tt.want)
		}
	}
	if _, ok := coarseXMPCoordinate("north", true, 0.1); ok {
		t.Error("coarseXMPCoordinate read nonsense")
	}
}

// FuzzKeepXMP feeds packets to the XMP rebuilder: it never panics, what it
// writes reads back with only kept categories, and rebuilding its output
// gives the same output.
func FuzzKeepXMP(f *testing.F) {
	f.Add([]byte(testXMP), false)
	f.Add([]byte(keepTestXMP), true)
	f.Add([]byte(gpsXMP("")), true)
	f.Add(encodeUTF16(keepTestXMP, binary.LittleEndian, true), false)
	f.Fuzz(func(t *testing.T, data []byte, coarse bool) {
		for _, keep := range [][]Category{Keepable(), {Location, Text}, {Identity}} {
			opts := &Options{Keep: keep}
			if coarse {
				opts.CoarseLocation = 0.1
			}
			rep := new(Report)
			out := keepXMP(rep, "XMP", data, opts)
			if out == nil {
				if len(rep.Kept) > 0 {
					t.Fatalf("nothing kept, but Kept lists %v", rep.Kept)
				}
				continue
			}
			check := new(Report)
			parseXMP(check, "XMP", out)
			if len(check.Findings) == 0 {
				t.Fatalf("the kept packet reads as nothing:\n%s", out)
			}
			for _, f := range check.Findings {
				if !slices.Contains(keep, f.Category) {
					t.Fatalf("the kept packet holds %v:\n%s", f, out)
				}
			}
			if again := keepXMP(new(Report), "XMP", out, opts); !bytes.Equal(again, out) {
				t.Fatalf("keeping twice differs:\n%s\n%s", out, again)
			}
		}
	})
}
