package xmp

import "testing"

func TestMerge(t *testing.T) {
	const (
		head = `<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`
		tail = `</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
		kept = head + `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:rights>me</dc:rights></rdf:Description>` + tail
		gain = head + `<rdf:Description rdf:about="" xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/" hdrgm:Version="1.0"/>` + tail
	)
	prefixes := map[string]string{"http://ns.adobe.com/hdr-gain-map/1.0/": "hdrgm", "http://purl.org/dc/elements/1.1/": "dc"}
	for _, c := range []struct {
		name, a, b, want string
	}{
		{"both", kept, gain, head + `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/">` +
			`<dc:rights>me</dc:rights><hdrgm:Version>1.0</hdrgm:Version></rdf:Description>` + tail},
		{"first empty", head + `<rdf:Description rdf:about=""/>` + tail, gain,
			head + `<rdf:Description rdf:about="" xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/"><hdrgm:Version>1.0</hdrgm:Version></rdf:Description>` + tail},
		{"first unreadable", "<x:xmpmeta><rdf:RDF", gain, gain},
		{"second unreadable", kept, "<rdf:RDF", "<rdf:RDF"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := string(Merge([]byte(c.a), []byte(c.b), prefixes)); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}
