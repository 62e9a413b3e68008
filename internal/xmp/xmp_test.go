package xmp

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"testing"
	"unicode/utf16"
)

// samplePacket (testdata/sample.xmp) has properties in attribute and
// element form, an array, a language alternative, a structure, a URI, a
// comment and the toolkit's attribute, in a packet wrapper.
var samplePacket = func() string {
	b, err := os.ReadFile("testdata/sample.xmp")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// encoded writes s in UTF-16 (width 2) or UTF-32 (width 4) in the byte
// order bo, after a byte-order mark when bom is set.
func encoded(s string, width int, bo binary.AppendByteOrder, bom bool) []byte {
	var units []uint32
	if bom {
		units = append(units, 0xfeff)
	}
	for _, r := range s {
		if width == 4 {
			units = append(units, uint32(r))
			continue
		}
		for _, u := range utf16.Encode([]rune{r}) {
			units = append(units, uint32(u))
		}
	}
	var b []byte
	for _, u := range units {
		if width == 4 {
			b = bo.AppendUint32(b, u)
		} else {
			b = bo.AppendUint16(b, uint16(u))
		}
	}
	return b
}

func TestText(t *testing.T) {
	const packet = `<x:xmpmeta xmlns:x="adobe:ns:meta/">Zoë € 𝄞</x:xmpmeta>`
	for _, tt := range []struct {
		name string
		in   []byte
		want string
	}{
		{"UTF-8", []byte(packet), packet},
		{"UTF-8 with BOM", append([]byte{0xef, 0xbb, 0xbf}, packet...), packet},
		{"UTF-16BE with BOM", encoded(packet, 2, binary.BigEndian, true), packet},
		{"UTF-16LE with BOM", encoded(packet, 2, binary.LittleEndian, true), packet},
		{"UTF-16BE", encoded(packet, 2, binary.BigEndian, false), packet},
		{"UTF-16LE", encoded(packet, 2, binary.LittleEndian, false), packet},
		{"UTF-16LE, odd byte", append(encoded(packet, 2, binary.LittleEndian, true), '<'), packet},
		{"UTF-32BE with BOM", encoded(packet, 4, binary.BigEndian, true), packet},
		{"UTF-32LE with BOM", encoded(packet, 4, binary.LittleEndian, true), packet},
		{"UTF-32BE", encoded(packet, 4, binary.BigEndian, false), packet},
		{"UTF-32LE", encoded(packet, 4, binary.LittleEndian, false), packet},
		{"UTF-32BE, no code point", append(encoded("<a>", 4, binary.BigEndian, false), 0, 0x11, 0, 0), "<a>\ufffd"},
		{"ISO 8859-1", []byte("<a>Zo\xeb</a>"), "<a>Zoë</a>"},
		{"Windows-1252", []byte("<a>\x80\x81\x9f\xa0</a>"), "<a>€\u0081Ÿ\u00a0</a>"},
		{"empty", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(Text(tt.in)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// readAll returns what a Reader reads from text, as "QName=Value" for
// properties (with the namespace when it is not the usual one), "text=…"
// and "comment=…", and its error.
func readAll(text []byte) ([]string, error) {
	var got []string
	r := NewReader(text)
	for {
		p, err := r.Next()
		if err == io.EOF {
			return got, nil
		}
		if err != nil {
			if _, again := r.Next(); again != err {
				return got, fmt.Errorf("the error does not stick: %v, then %v", err, again)
			}
			return got, err
		}
		switch p.Kind {
		case KindProperty:
			s := p.QName + "=" + p.Value
			if usualPrefixes[p.Name.Space] == "" {
				s = "{" + p.Name.Space + "}" + s
			}
			got = append(got, s)
		case KindText:
			got = append(got, "text="+p.Value)
		case KindComment:
			got = append(got, "comment="+p.Value)
		}
	}
}

func TestReader(t *testing.T) {
	for _, tt := range []struct {
		name   string
		packet string
		want   []string
		offset int64 // of the *Error, -1 for none
	}{
		{"sample", samplePacket, []string{
			"comment=a comment",
			"{http://example.com/v/}v:Owner=Zoë",
			`dc:creator=Zoë "Doe"; John & Roe`,
			"dc:title=A title",
			"Iptc4xmpCore:CiAdrCity=Hometown",
			"{http://example.com/v/}v:Link=urn:x",
		}, -1},
		{"first declared prefix", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:a="urn:n:" xmlns:b="urn:n:" b:P="1"/></rdf:RDF>`,
			[]string{"{urn:n:}a:P=1"}, -1},
		{"undeclared prefix", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description><q:T>v</q:T></rdf:Description></rdf:RDF>`,
			[]string{"{q}T=v"}, -1},
		{"text outside properties", `<x:xmpmeta xmlns:x="adobe:ns:meta/"> 52.52 N </x:xmpmeta>`, []string{"text=52.52 N"}, -1},
		{"plain text", "GPS 52.52 N", []string{"text=GPS 52.52 N"}, -1},
		{"empty property", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title> </dc:title></rdf:Description></rdf:RDF>`, nil, -1},
		{"left open", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:format="a"><dc:title>t`, []string{"dc:format=a"}, 151},
		{"unbalanced end element", `<a xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:b>v</dc:b></a></a>`, []string{"dc:b=v"}, 69},
		{"not XML", "<x:xmpmeta <GPS", nil, 11},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll([]byte(tt.packet))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			var e *Error
			switch {
			case tt.offset < 0 && err != nil:
				t.Errorf("got error %v, want none", err)
			case tt.offset >= 0 && !errors.As(err, &e):
				t.Errorf("got error %v, want an *Error", err)
			case tt.offset >= 0 && e.Offset != tt.offset:
				t.Errorf("got offset %d (%v), want %d", e.Offset, err, tt.offset)
			}
		})
	}
}

// TestErrorText checks the messages that reports quote.
func TestErrorText(t *testing.T) {
	_, err := readAll([]byte("<a></a></a>"))
	if got, want := fmt.Sprint(err), "XML at byte 11: XML syntax error on line 1: unexpected end element </a>"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	err = &Error{Offset: 7, Reason: "unbalanced end element"}
	if got, want := err.Error(), "XML at byte 7: unbalanced end element"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestReadTree(t *testing.T) {
	roots, prefixes, err := ReadTree([]byte(samplePacket))
	if err != nil {
		t.Fatal(err)
	}
	if len(roots) != 1 || roots[0].Name.Local != "xmpmeta" {
		t.Fatalf("roots %v", roots)
	}
	if got := prefixes["http://purl.org/dc/elements/1.1/"]; got != "d" {
		t.Errorf("prefix of dc: got %q, want d", got)
	}
	descs := descriptions(roots)
	if len(descs) != 1 {
		t.Fatalf("%d descriptions", len(descs))
	}
	var names []string
	for _, k := range descs[0].Kids {
		names = append(names, k.Name.Local)
	}
	if got, want := strings.Join(names, " "), "creator title CreatorContactInfo Link"; got != want {
		t.Errorf("properties %q, want %q", got, want)
	}
	for _, a := range descs[0].Attrs {
		if a.Name.Space == "xmlns" {
			t.Errorf("namespace declaration %v among the attributes", a)
		}
	}
	if !descs[0].Kids[0].HasValue() || (&Node{Text: []byte(" \n")}).HasValue() || !(&Node{Attrs: []xml.Attr{{Name: xml.Name{Space: NamespaceRDF, Local: "resource"}}}}).HasValue() ||
		(&Node{Attrs: []xml.Attr{{Name: xml.Name{Space: NamespaceXML, Local: "lang"}, Value: "en"}}}).HasValue() {
		t.Error("HasValue")
	}

	for _, tt := range []struct {
		name   string
		packet string
		offset int64
	}{
		{"left open", "<a><b>", 6},
		{"unbalanced end element", "<a></a></a>", 11},
		{"not XML", "<a <b", 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ReadTree([]byte(tt.packet))
			var e *Error
			if !errors.As(err, &e) || e.Offset != tt.offset {
				t.Errorf("got %v, want an *Error at %d", err, tt.offset)
			}
		})
	}
}

// TestReadTreeDepth checks that elements deeper than maxDepth are not
// read and that their ancestors say so.
func TestReadTreeDepth(t *testing.T) {
	const depth = maxDepth + 5
	packet := strings.Repeat("<a>", depth) + "x" + strings.Repeat("</a>", depth)
	roots, _, err := ReadTree([]byte(packet))
	if err != nil {
		t.Fatal(err)
	}
	n, levels := roots[0], 1
	for ; len(n.Kids) > 0; levels++ {
		if !n.Deep {
			t.Fatalf("level %d is not Deep", levels)
		}
		n = n.Kids[0]
	}
	if levels != maxDepth || !n.Deep || len(n.Text) != 0 {
		t.Errorf("read %d levels (the last Deep %v, text %q), want %d", levels, n.Deep, n.Text, maxDepth)
	}
}

func TestWrite(t *testing.T) {
	dc := "http://purl.org/dc/elements/1.1/"
	li := func(lang, text string) *Node {
		return &Node{Name: xml.Name{Space: NamespaceRDF, Local: "li"}, Attrs: []xml.Attr{{Name: xml.Name{Space: NamespaceXML, Local: "lang"}, Value: lang}}, Text: []byte(text)}
	}
	props := []*Node{
		{Name: xml.Name{Space: dc, Local: "title"}, Kids: []*Node{{Name: xml.Name{Space: NamespaceRDF, Local: "Alt"}, Kids: []*Node{li("x-default", `A <"title"> & co`)}}}},
		{Name: xml.Name{Space: "urn:a:", Local: "P"}, Text: []byte("1\n2"), Attrs: []xml.Attr{{Name: xml.Name{Space: "urn:b:", Local: "Q"}, Value: "\t"}}},
		{Name: xml.Name{Space: "urn:c:", Local: "R"}, Text: []byte(" ")},
		{Name: xml.Name{Space: "urn:d:", Local: "S"}, Attrs: []xml.Attr{{Name: xml.Name{Space: NamespaceRDF, Local: "resource"}, Value: "urn:z"}}},
	}
	declared := map[string]string{"urn:a:": "mine", "urn:b:": "dc", "urn:c:": "xmlfoo", "urn:d:": "mine"}
	got := string(Write(props, declared))
	want := `<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>` +
		`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:mine="urn:a:" xmlns:ns1="urn:b:" xmlns:ns2="urn:c:" xmlns:ns3="urn:d:">` +
		`<dc:title><rdf:Alt><rdf:li xml:lang="x-default">A &lt;&#34;title&#34;&gt; &amp; co</rdf:li></rdf:Alt></dc:title>` +
		`<mine:P ns1:Q="&#x9;">1&#xA;2</mine:P><ns2:R/><ns3:S rdf:resource="urn:z"/>` +
		`</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestValidNames(t *testing.T) {
	for _, tt := range []struct {
		name xml.Name
		want bool
	}{
		{xml.Name{Space: "http://purl.org/dc/elements/1.1/", Local: "title"}, true},
		{xml.Name{Space: "urn:x", Local: "Zoë_1.a-b"}, true},
		{xml.Name{Space: NamespaceRDF, Local: "li"}, true},
		{xml.Name{Space: "dc", Local: "title"}, false}, // an undeclared prefix
		{xml.Name{Space: "urn:x", Local: "1st"}, false},
		{xml.Name{Space: "urn:x", Local: "a:b"}, false},
		{xml.Name{Space: "urn:x", Local: ""}, false},
		{xml.Name{Space: NamespaceXML, Local: "lang"}, false},
		{xml.Name{Space: NamespaceMeta, Local: "xmptk"}, false},
		{xml.Name{Space: "http://www.w3.org/2000/xmlns/", Local: "a"}, false},
	} {
		if got := ValidName(tt.name); got != tt.want {
			t.Errorf("ValidName(%v) = %v, want %v", tt.name, got, tt.want)
		}
	}
	for _, tt := range []struct {
		tag  string
		want bool
	}{
		{"x-default", true}, {"X-Default", true}, {"fr-CA", true}, {"", false}, {"52.5 N", false}, {"en_US", false},
		{strings.Repeat("a", 36), false},
		// RFC 5646 §2.1 and its Appendix A examples.
		{"de", true}, {"zh-Hant", true}, {"zh-cmn-Hans-CN", true}, {"sr-Latn-RS", true}, {"sl-rozaj-biske", true},
		{"de-CH-1901", true}, {"hy-Latn-IT-arevela", true}, {"es-419", true}, {"i-klingon", true}, {"zh-min-nan", true},
		{"en-GB-oed", true}, {"qaa-Qaaa-QM", true},
		{"a", false}, {"de-", false}, {"-de", false}, {"de--CH", false}, {"abcdefghi", false}, {"1de", false},
		{"de-419-419", false}, {"en-a", false}, {"zh-abc-def-ghi-jkl", false},
		// Well-formed, but free-form: extensions and private use.
		{"en-u-ca-gregory", false}, {"de-a-48858-22945", false}, {"x-whatever", false}, {"en-x-4885n02294e", false},
		{"x", false}, {"en-x", false},
	} {
		if got := ValidLangTag(tt.tag); got != tt.want {
			t.Errorf("ValidLangTag(%q) = %v, want %v", tt.tag, got, tt.want)
		}
	}
	for _, tt := range []struct {
		prefix string
		want   bool
	}{
		{"mine", true}, {"dc", false}, {"x", false}, {"rdf", false}, {"XMLa", false}, {"zoë", false}, {"a b", false}, {"", false},
	} {
		if got := validPrefix(tt.prefix, "urn:a:"); got != tt.want {
			t.Errorf("validPrefix(%q) = %v, want %v", tt.prefix, got, tt.want)
		}
	}
}

// writable returns what of n Write can write (see its contract), as
// ReadTree reads it back: names that are valid, no Deep subtrees, no
// more than height levels, and text only where there are no children
// and it is not all white space; nil if n itself cannot be written.
func writable(n *Node, height int) *Node {
	valid := func(name xml.Name) bool {
		if name.Space == NamespaceRDF || name.Space == NamespaceXML {
			return validNCName(name.Local)
		}
		return ValidName(name)
	}
	if height == 0 || n.Deep || !valid(n.Name) || n.Name.Space == NamespaceXML {
		return nil
	}
	out := &Node{Name: n.Name}
	for _, a := range n.Attrs {
		if valid(a.Name) {
			out.Attrs = append(out.Attrs, a)
		}
	}
	for _, c := range n.Kids {
		if w := writable(c, height-1); w != nil {
			out.Kids = append(out.Kids, w)
		}
	}
	if len(out.Kids) == 0 && len(bytes.TrimSpace(n.Text)) > 0 {
		out.Text = n.Text
	}
	return out
}

// sameTree reports whether ReadTree's a is the written b: text that is
// white space only, or beside children, is not written.
func sameTree(a, b *Node) bool {
	if a.Name != b.Name || a.Deep || len(a.Attrs) != len(b.Attrs) || len(a.Kids) != len(b.Kids) {
		return false
	}
	for i := range a.Attrs {
		if a.Attrs[i] != b.Attrs[i] {
			return false
		}
	}
	if len(a.Kids) == 0 && !bytes.Equal(a.Text, b.Text) {
		return false
	}
	for i := range a.Kids {
		if !sameTree(a.Kids[i], b.Kids[i]) {
			return false
		}
	}
	return true
}

// samplePackets cuts the XMP packets out of the samples in testdata.
func samplePackets(f *testing.F) [][]byte {
	entries, _ := os.ReadDir("../../testdata")
	var packets [][]byte
	for _, e := range entries {
		b, err := os.ReadFile("../../testdata/" + e.Name())
		if err != nil {
			continue
		}
		for {
			i := bytes.Index(b, []byte("<x:xmpmeta"))
			if i < 0 {
				break
			}
			j := bytes.Index(b[i:], []byte("</x:xmpmeta>"))
			if j < 0 {
				break
			}
			packets = append(packets, b[i:i+j+len("</x:xmpmeta>")])
			b = b[i+j:]
		}
	}
	if len(packets) == 0 {
		f.Fatal("no XMP packets in ../../testdata")
	}
	return packets
}

// FuzzRead feeds packets to the Reader, ReadTree, Select and Write: they
// never panic; errors are *Errors at an offset within the text; ReadTree
// fails wherever the Reader does; what Write writes of the properties
// ReadTree read is well-formed XML that ReadTree reads back as the same
// tree; and what it writes of what Select keeps reads back as as many
// properties.
func FuzzRead(f *testing.F) {
	for _, p := range samplePackets(f) {
		f.Add(p)
	}
	f.Add([]byte(samplePacket))
	f.Add(encoded(samplePacket, 2, binary.LittleEndian, true))
	f.Add([]byte(strings.Repeat("<a:b xmlns:a='urn:a'>", maxDepth+1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		text := Text(data)
		inText := func(err error) {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > int64(len(text)) {
				t.Fatalf("error %v is not an *Error within the %d bytes", err, len(text))
			}
		}
		_, readErr := readAll(text)
		if readErr != nil {
			inText(readErr)
		}
		roots, declared, err := ReadTree(text)
		if err != nil {
			inText(err)
			return
		}
		if readErr != nil {
			t.Fatalf("ReadTree reads what the Reader cannot: %v", readErr)
		}
		// Written, the properties sit 3 deep: x:xmpmeta, rdf:RDF,
		// rdf:Description.
		var props []*Node
		for _, d := range descriptions(roots) {
			for _, k := range d.Kids {
				if w := writable(k, maxDepth-3); w != nil {
					props = append(props, w)
				}
			}
		}
		out := Write(props, declared)
		d := xml.NewDecoder(bytes.NewReader(out))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("not well-formed: %v\n%s", err, out)
			}
		}
		again, _, err := ReadTree(Text(out))
		if err != nil {
			t.Fatalf("the written packet does not read: %v\n%s", err, out)
		}
		descs := descriptions(again)
		if len(descs) != 1 || len(descs[0].Kids) != len(props) {
			t.Fatalf("the written packet reads as %d descriptions\n%s", len(descs), out)
		}
		for i, p := range props {
			if !sameTree(descs[0].Kids[i], p) {
				t.Fatalf("property %d reads back otherwise\n%s", i, out)
			}
		}
		// What Select keeps of the top-level properties, by whatever
		// verdicts, Write writes as a packet that reads back as many.
		decide := func(n xml.Name) Decision { return Decision{Verdict: Verdict(len(n.Local) % 3)} }
		var kept []*Node
		for _, p := range TopProperties(roots) {
			if p.Name.Space == NamespaceRDF || !ValidName(p.Name) {
				continue
			}
			if n, v := Select(p, decide); v == Keep {
				kept = append(kept, n)
			} else if n != nil {
				t.Fatalf("Select returns a node it does not keep (%v)", v)
			}
		}
		out = Write(kept, declared)
		again, _, err = ReadTree(Text(out))
		if err != nil {
			t.Fatalf("the selected packet does not read: %v\n%s", err, out)
		}
		if got := len(TopProperties(again)); got != len(kept) {
			t.Fatalf("%d properties selected, %d read back\n%s", len(kept), got, out)
		}
	})
}

func TestTopProperties(t *testing.T) {
	packet := `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:a="urn:a:">` +
		`<rdf:Description rdf:about="" xml:lang="en" a:One="1"><a:Two>2</a:Two></rdf:Description>` +
		`<a:NotADescription a:Three="3"/>` +
		`<rdf:Description a:Four="4"/></rdf:RDF>`
	roots, _, err := ReadTree([]byte(packet))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range TopProperties(roots) {
		got = append(got, p.Name.Local+"="+string(p.Text))
	}
	if got, want := strings.Join(got, " "), "One=1 Two=2 Four=4"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	roots, _, _ = ReadTree([]byte(samplePacket))
	if got := len(TopProperties(roots)); got != 5 {
		t.Errorf("the sample has %d top-level properties, want 5", got)
	}
}

// TestSelect decides by the local name: names starting with "k" are
// kept, with "d" dropped, with "n" kept as "N…", others rejected; values
// "bad" are refused, others written in upper case.
func TestSelect(t *testing.T) {
	value := func(s string) (string, bool) { return strings.ToUpper(s), s != "bad" }
	decide := func(n xml.Name) Decision {
		switch n.Local[0] {
		case 'k':
			return Decision{Value: value}
		case 'n':
			return Decision{Name: xml.Name{Space: n.Space, Local: "N" + n.Local[1:]}, Value: value}
		case 'd':
			return Decision{Verdict: Drop}
		}
		return Decision{Verdict: Reject}
	}
	const ns = ` xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:a="urn:a:"`
	for _, tt := range []struct {
		name, prop string
		want       Verdict
		written    string // the property as Write writes it
	}{
		{"simple", `<a:k1> v </a:k1>`, Keep, `<a:k1>V</a:k1>`},
		{"renamed", `<a:n1>v</a:n1>`, Keep, `<a:N1>V</a:N1>`},
		{"renamed field", `<a:k1 a:n2="v"><a:n3>w</a:n3></a:k1>`, Keep, `<a:k1 a:N2="V"><a:N3>W</a:N3></a:k1>`},
		{"bad value", `<a:k1>bad</a:k1>`, Drop, ``},
		{"bad item", `<a:k1><rdf:Bag><rdf:li>bad</rdf:li><rdf:li>v</rdf:li></rdf:Bag></a:k1>`, Keep, `<a:k1><rdf:Bag><rdf:li>V</rdf:li></rdf:Bag></a:k1>`},
		{"bad items only", `<a:k1><rdf:Bag><rdf:li>bad</rdf:li></rdf:Bag></a:k1>`, Drop, ``},
		{"bad field", `<a:k1 rdf:parseType="Resource"><a:k2>bad</a:k2><a:k3>v</a:k3></a:k1>`, Keep, `<a:k1 rdf:parseType="Resource"><a:k3>V</a:k3></a:k1>`},
		{"bad field in attribute form", `<a:k1 a:k2="bad" a:k3="v"/>`, Keep, `<a:k1 a:k3="V"/>`},
		{"bad resource", `<a:k1 rdf:resource="bad"/>`, Drop, ``},
		{"dropped", `<a:d1>v</a:d1>`, Drop, ``},
		{"rejected", `<a:r1>v</a:r1>`, Reject, ``},
		{"invalid name", `<a:k1 xmlns:a="a"/>`, Reject, ``},
		{"too deep", `<a:k1>` + strings.Repeat(`<a:k2>`, maxDepth) + strings.Repeat(`</a:k2>`, maxDepth) + `</a:k1>`, Reject, ``},
		{"array with languages", `<a:k1><rdf:Alt><rdf:li xml:lang="x-default">v</rdf:li><rdf:li xml:lang="fr-CA">w</rdf:li></rdf:Alt></a:k1>`, Keep,
			`<a:k1><rdf:Alt><rdf:li xml:lang="x-default">V</rdf:li><rdf:li xml:lang="fr-CA">W</rdf:li></rdf:Alt></a:k1>`},
		{"private-use language tag", `<a:k1><rdf:Alt><rdf:li xml:lang="x-48n85e02">v</rdf:li></rdf:Alt></a:k1>`, Reject, ``},
		{"bad language tag", `<a:k1><rdf:Alt><rdf:li xml:lang="52.5 N">v</rdf:li></rdf:Alt></a:k1>`, Reject, ``},
		{"structure, a field dropped", `<a:k1 rdf:parseType="Resource"><a:k2>v</a:k2><a:d2>w</a:d2></a:k1>`, Keep,
			`<a:k1 rdf:parseType="Resource"><a:k2>V</a:k2></a:k1>`},
		{"structure, a field rejected", `<a:k1 rdf:parseType="Resource"><a:k2>v</a:k2><a:r2>w</a:r2></a:k1>`, Reject, ``},
		{"fields in attribute form", `<a:k1><rdf:Description a:k2="v" a:d2="w" rdf:about="x"/></a:k1>`, Keep,
			`<a:k1><rdf:Description a:k2="V"/></a:k1>`},
		{"a field in attribute form rejected", `<a:k1 a:r2="w"/>`, Reject, ``},
		{"literal", `<a:k1 rdf:parseType="Literal"><b>v</b></a:k1>`, Reject, ``},
		{"other RDF syntax", `<a:k1><rdf:Statement/></a:k1>`, Reject, ``},
		{"resource on a property, not on syntax", `<a:k1 rdf:resource="urn:v"><rdf:Bag rdf:resource="urn:w"/></a:k1>`, Keep,
			`<a:k1 rdf:resource="URN:V"/>`},
		{"text beside children", `<a:k1>t<rdf:Seq><rdf:li>v</rdf:li></rdf:Seq>u</a:k1>`, Keep,
			`<a:k1><rdf:Seq><rdf:li>V</rdf:li></rdf:Seq></a:k1>`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			roots, _, err := ReadTree([]byte(`<rdf:RDF` + ns + `><rdf:Description>` + tt.prop + `</rdf:Description></rdf:RDF>`))
			if err != nil {
				t.Fatal(err)
			}
			props := TopProperties(roots)
			if len(props) != 1 {
				t.Fatalf("%d properties", len(props))
			}
			n, v := Select(props[0], decide)
			if v != tt.want || (v == Keep) != (n != nil) {
				t.Fatalf("got %v, %v; want verdict %v", n, v, tt.want)
			}
			if v != Keep {
				return
			}
			out := string(Write([]*Node{n}, map[string]string{"urn:a:": "a"}))
			i, j := strings.Index(out, `"urn:a:">`)+len(`"urn:a:">`), strings.Index(out, `</rdf:Description>`)
			if got := out[i:j]; got != tt.written {
				t.Errorf("written as\n%s\nwant\n%s", got, tt.written)
			}
		})
	}
}

func TestGPSCoordinate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"52,30.5N", 52.508333333333333, true},
		{"13,24,36E", 13.41, true},
		{"33,51.5S", -33.858333333333333, true},
		{"151,12,30w", -151.208333333333333, true},
		{"52N", 0, false},
		{"52,30,1,2N", 0, false},
		{"52,30.5", 0, false},
		{"5x,30N", 0, false},
		{"N", 0, false},
	} {
		got, ok := ParseGPSCoordinate(tt.in)
		if ok != tt.ok || ok && math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("ParseGPSCoordinate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for _, tt := range []struct {
		v    float64
		lat  bool
		want string
	}{
		{52.5, true, "52,30.000000N"},
		{-33.858333333, true, "33,51.500000S"},
		{-151.2, false, "151,12.000000W"},
		{95, true, "90,00.000000N"},
		{-200, false, "180,00.000000W"},
		{0.0000001, false, "0,00.000006E"},
	} {
		if got := FormatGPSCoordinate(tt.v, tt.lat); got != tt.want {
			t.Errorf("FormatGPSCoordinate(%v, %v) = %q, want %q", tt.v, tt.lat, got, tt.want)
		}
	}
}
