package gainmap

import (
	"bytes"
	"maps"
	"os"
	"strings"
	"testing"
)

const (
	rdfOpen  = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`
	rdfClose = `</rdf:RDF></x:xmpmeta>`
	nsDecls  = `xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/" xmlns:Container="http://ns.google.com/photos/1.0/container/" ` +
		`xmlns:Item="http://ns.google.com/photos/1.0/container/item/" xmlns:GCamera="http://ns.google.com/photos/1.0/camera/"`
)

// primaryPacket returns a primary image's packet, as libultrahdr writes
// it, with the given rdf:Description attributes and directory items.
func primaryPacket(attrs string, items ...string) string {
	s := rdfOpen + `<rdf:Description rdf:about="" ` + nsDecls + ` ` + attrs + `>`
	if items != nil {
		s += `<Container:Directory><rdf:Seq>`
		for _, it := range items {
			s += `<rdf:li rdf:parseType="Resource">` + it + `</rdf:li>`
		}
		s += `</rdf:Seq></Container:Directory>`
	}
	return s + `</rdf:Description>` + rdfClose
}

const (
	itemPrimary = `<Container:Item Item:Semantic="Primary" Item:Mime="image/jpeg"/>`
	itemGainMap = `<Container:Item Item:Semantic="GainMap" Item:Mime="image/jpeg" Item:Length="4321"/>`
	itemVideo   = `<Container:Item Item:Semantic="MotionPhoto" Item:Mime="video/mp4" Item:Length="99" Item:Padding="0"/>`
	// itemElements gives its fields as elements, as Samsung writes them.
	itemElements = `<Container:Item><Item:Semantic>GainMap</Item:Semantic><Item:Mime> image/jpeg </Item:Mime>` +
		`<Item:Length>17</Item:Length><Item:Padding>8</Item:Padding></Container:Item>`
)

func TestParseContainer(t *testing.T) {
	tests := []struct {
		name, packet string
		nilWant      bool
		version      string
		items        []Item
		gain         int
		kept         int            // len(KeptItems())
		names        map[string]int // KeptNames
		packet2      string         // a part of Packet(4321)
	}{
		{name: "Ultra HDR", packet: primaryPacket(`hdrgm:Version="1.0"`, itemPrimary, itemGainMap),
			version: "1.0", items: []Item{{"Primary", "image/jpeg", -1, false}, {"GainMap", "image/jpeg", 4321, false}}, gain: 1, kept: 2,
			names:   map[string]int{"hdrgm:Version": 1, "Item:Semantic": 2, "Item:Mime": 2, "Item:Length": 1},
			packet2: `<rdf:li rdf:parseType="Resource"><Container:Item Item:Semantic="GainMap" Item:Mime="image/jpeg" Item:Length="4321"/></rdf:li>`},
		{name: "motion photo and gain map", packet: primaryPacket(`GCamera:MotionPhoto="1"`, itemPrimary, itemElements, itemVideo),
			items: []Item{{"Primary", "image/jpeg", -1, false}, {"GainMap", "image/jpeg", 17, true}, {"MotionPhoto", "video/mp4", 99, true}}, gain: 1, kept: 2,
			names:   map[string]int{"Item:Semantic": 2, "Item:Mime": 2, "Item:Length": 1, "Item:Padding": 1},
			packet2: `Item:Length="4321" Item:Padding="0"/>`},
		{name: "version only", packet: primaryPacket(`hdrgm:Version=" 1.0 "`), version: "1.0", gain: -1,
			names: map[string]int{"hdrgm:Version": 1}, packet2: `hdrgm:Version="1.0"/>`},
		{name: "gain map not JPEG", packet: primaryPacket(``, itemPrimary, strings.Replace(itemGainMap, "image/jpeg", "image/png", 1)),
			items: []Item{{"Primary", "image/jpeg", -1, false}, {"GainMap", "image/png", 4321, false}}, gain: 1, names: map[string]int{}},
		{name: "no primary before the gain map", packet: primaryPacket(`hdrgm:Version="1"`, itemGainMap, itemPrimary), version: "1",
			items: []Item{{"GainMap", "image/jpeg", 4321, false}, {"Primary", "image/jpeg", -1, false}}, gain: 0, names: map[string]int{"hdrgm:Version": 1}},
		{name: "bad version, no gain map", packet: primaryPacket(`hdrgm:Version="1.0b"`, itemPrimary, itemVideo), nilWant: true},
		{name: "negative length", packet: primaryPacket(`hdrgm:Version="1.0"`, itemPrimary, strings.Replace(itemGainMap, "4321", "-4", 1)),
			version: "1.0", items: []Item{{"Primary", "image/jpeg", -1, false}, {"GainMap", "image/jpeg", -1, false}}, gain: 1, kept: 2,
			names: map[string]int{"hdrgm:Version": 1, "Item:Semantic": 2, "Item:Mime": 2}},
		{name: "nothing of a gain map", packet: primaryPacket(`GCamera:MotionPhoto="1"`), nilWant: true},
		{name: "not XML", packet: "<x:xmpmeta", nilWant: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ParseContainer([]byte(tt.packet))
			if tt.nilWant {
				if c != nil {
					t.Fatalf("got %+v, want nil", c)
				}
				return
			}
			if c == nil {
				t.Fatal("got nil")
			}
			if c.Version != tt.version || c.Gain != tt.gain || len(c.Items) != len(tt.items) {
				t.Fatalf("got version %q, gain %d, items %+v; want %q, %d, %+v", c.Version, c.Gain, c.Items, tt.version, tt.gain, tt.items)
			}
			for i := range tt.items {
				if c.Items[i] != tt.items[i] {
					t.Errorf("item %d: got %+v, want %+v", i, c.Items[i], tt.items[i])
				}
			}
			if got := len(c.KeptItems()); got != tt.kept {
				t.Errorf("got %d kept items, want %d", got, tt.kept)
			}
			if got := c.KeptNames(); !maps.Equal(got, tt.names) {
				t.Errorf("got kept names %v, want %v", got, tt.names)
			}
			if p := string(c.Packet(4321)); !strings.Contains(p, tt.packet2) {
				t.Errorf("packet %s does not hold %s", p, tt.packet2)
			}
		})
	}
}

const (
	gainMapPacket = rdfOpen + `<rdf:Description rdf:about="" xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/" hdrgm:Version="1.0" ` +
		`hdrgm:GainMapMin="0.000000" hdrgm:GainMapMax="2.5" hdrgm:HDRCapacityMin="0" hdrgm:HDRCapacityMax="2.5" hdrgm:BaseRenditionIsHDR="false">` +
		`<hdrgm:Gamma><rdf:Seq><rdf:li>1</rdf:li><rdf:li>1.50</rdf:li><rdf:li>2</rdf:li></rdf:Seq></hdrgm:Gamma>` +
		`</rdf:Description>` + rdfClose
	applePacket = rdfOpen + `<rdf:Description rdf:about="" xmlns:HDRGainMap="http://ns.apple.com/HDRGainMap/1.0/" ` +
		`xmlns:apdi="http://ns.apple.com/pixeldatainfo/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/">` +
		`<HDRGainMap:HDRGainMapVersion>65536</HDRGainMap:HDRGainMapVersion><HDRGainMap:HDRGainMapHeadroom>2.0</HDRGainMap:HDRGainMapHeadroom>` +
		`<apdi:AuxiliaryImageType>urn:com:apple:photo:2020:aux:hdrgainmap</apdi:AuxiliaryImageType><apdi:NativeFormat>1278226488</apdi:NativeFormat>` +
		`<exif:DateTimeOriginal>2024-01-02T03:04:05</exif:DateTimeOriginal></rdf:Description>` + rdfClose
	hostilePacket = rdfOpen + `<rdf:Description rdf:about="" xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/" xmlns:spy="http://example.com/spy/" ` +
		`hdrgm:Version="1.0" hdrgm:GainMapMax="2" hdrgm:Owner="PLANTED" spy:Marker="PLANTED" hdrgm:GainMapMin="PLANTED" hdrgm:OffsetSDR="NaN" hdrgm:OffsetHDR="1e9">` +
		`<hdrgm:Gamma><rdf:Seq><rdf:li>1</rdf:li><rdf:li>PLANTED</rdf:li><rdf:li>1</rdf:li></rdf:Seq></hdrgm:Gamma>` +
		`<hdrgm:HDRCapacityMax><rdf:Seq><rdf:li>1</rdf:li><rdf:li>2</rdf:li><rdf:li>3</rdf:li></rdf:Seq></hdrgm:HDRCapacityMax>` +
		`</rdf:Description>` + rdfClose
)

func TestParseXMP(t *testing.T) {
	tests := []struct {
		name   string
		packet string
		kept   map[string]int // nil: ParseXMP returns nil
		holds  []string       // parts of the new packet
	}{
		{"Ultra HDR", gainMapPacket, map[string]int{"hdrgm:Version": 1, "hdrgm:BaseRenditionIsHDR": 1, "hdrgm:GainMapMin": 1,
			"hdrgm:GainMapMax": 1, "hdrgm:Gamma": 1, "hdrgm:HDRCapacityMin": 1, "hdrgm:HDRCapacityMax": 1},
			[]string{`hdrgm:GainMapMin="0"`, `hdrgm:BaseRenditionIsHDR="False"`, `<hdrgm:Gamma><rdf:Seq><rdf:li>1</rdf:li><rdf:li>1.5</rdf:li><rdf:li>2</rdf:li></rdf:Seq></hdrgm:Gamma>`}},
		{"Apple", applePacket, map[string]int{"HDRGainMap:HDRGainMapVersion": 1, "HDRGainMap:HDRGainMapHeadroom": 1, "apdi:AuxiliaryImageType": 1, "apdi:NativeFormat": 1},
			[]string{`HDRGainMap:HDRGainMapHeadroom="2"`, `xmlns:apdi="http://ns.apple.com/pixeldatainfo/1.0/"`}},
		{"hostile", hostilePacket, map[string]int{"hdrgm:Version": 1, "hdrgm:GainMapMax": 1}, []string{`hdrgm:GainMapMax="2"/>`}},
		{"no version", strings.Replace(gainMapPacket, `hdrgm:Version="1.0"`, `hdrgm:Version="one"`, 1), nil, nil},
		{"not XML", "<x:xmpmeta", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := ParseXMP([]byte(tt.packet))
			if tt.kept == nil {
				if g != nil {
					t.Fatalf("got %s, want nil", g.Packet)
				}
				return
			}
			if g == nil {
				t.Fatal("got nil")
			}
			if !maps.Equal(g.Kept, tt.kept) {
				t.Errorf("got kept %v, want %v", g.Kept, tt.kept)
			}
			for _, h := range tt.holds {
				if !bytes.Contains(g.Packet, []byte(h)) {
					t.Errorf("packet %s does not hold %s", g.Packet, h)
				}
			}
			if bytes.Contains(g.Packet, []byte("PLANTED")) || bytes.Contains(g.Packet, []byte("DateTime")) {
				t.Errorf("packet %s holds what it must not", g.Packet)
			}
		})
	}
}

func TestSameAspect(t *testing.T) {
	for _, c := range []struct {
		w1, h1, w2, h2 int
		want           bool
	}{
		{4032, 3024, 1008, 756, true},
		{4000, 3000, 1001, 750, true},   // a side rounded
		{4000, 3000, 1020, 750, false},  // not a downscale
		{4032, 3024, 756, 1008, false},  // turned
		{4032, 3024, 4032, 3024, true},  // full size
		{1, 1, 0, 0, false},             // no size
		{-3, 2, -3, 2, false},           // negative
		{65535, 1, 65535, 65535, false}, // no overflow
	} {
		if got := SameAspect(c.w1, c.h1, c.w2, c.h2); got != c.want {
			t.Errorf("SameAspect(%d, %d, %d, %d) = %v, want %v", c.w1, c.h1, c.w2, c.h2, got, c.want)
		}
	}
}

// xmpPackets returns the XMP packets (after the APP1 signature) in a JPEG
// file.
func xmpPackets(b []byte) [][]byte {
	const sig = "http://ns.adobe.com/xap/1.0/\x00"
	var out [][]byte
	for {
		i := bytes.Index(b, []byte("\xff\xe1"))
		if i < 0 || i+4 > len(b) {
			return out
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		if p := b[i+4 : min(len(b), i+2+n)]; bytes.HasPrefix(p, []byte(sig)) {
			out = append(out, p[len(sig):])
		}
		b = b[i+2:]
	}
}

// FuzzXMP reads a packet both as a primary's and as a gain map's:
// whatever is read is written so that reading it again gives the same.
func FuzzXMP(f *testing.F) {
	for _, name := range []string{"../../testdata/jpg__xmp__BlueSquare.jpg", "../../testdata/pillow__exif_gps.jpg"} {
		if b, err := os.ReadFile(name); err == nil {
			for _, p := range xmpPackets(b) {
				f.Add(p)
			}
		}
	}
	for _, p := range []string{gainMapPacket, applePacket, hostilePacket,
		primaryPacket(`hdrgm:Version="1.0"`, itemPrimary, itemGainMap),
		primaryPacket(`GCamera:MotionPhoto="1"`, itemPrimary, itemElements, itemVideo)} {
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if c := ParseContainer(b); c != nil {
			kept := c.KeptItems()
			c2 := ParseContainer(c.Packet(77))
			switch {
			case c.Version == "" && kept == nil:
				if c2 != nil {
					t.Fatalf("an empty packet reads as %+v", c2)
				}
			case c2 == nil:
				t.Fatalf("the packet written does not read: %s", c.Packet(77))
			case c2.Version != c.Version || len(c2.KeptItems()) != len(kept):
				t.Fatalf("read back version %q and %d items, want %q and %d", c2.Version, len(c2.KeptItems()), c.Version, len(kept))
			case kept != nil && c2.Items[c2.Gain].Length != 77:
				t.Fatalf("read back gain map length %d", c2.Items[c2.Gain].Length)
			}
		}
		g := ParseXMP(b)
		if g == nil {
			return
		}
		g2 := ParseXMP(g.Packet)
		if g2 == nil || !bytes.Equal(g2.Packet, g.Packet) || !maps.Equal(g2.Kept, g.Kept) {
			t.Fatalf("not stable: %s", g.Packet)
		}
	})
}

func TestPacketWithMotion(t *testing.T) {
	m := &Motion{Props: [][2]string{{"GCamera:MotionPhoto", "1"}, {"GCamera:MicroVideoOffset", "77"}}, Item: true, Length: 77}
	primaryPadded := strings.Replace(itemPrimary, `/>`, ` Item:Padding="5"/>`, 1)
	for _, tt := range []struct {
		name, packet string
		gainLen      int64
		m            *Motion
		want         []string // parts of the new packet, in order
		not          []string
	}{
		{"gain map and video", primaryPacket(`hdrgm:Version="1.0" GCamera:MotionPhoto="1"`, itemPrimary, itemGainMap, itemVideo), 50, m,
			[]string{`xmlns:hdrgm=`, `xmlns:GCamera=`, `hdrgm:Version="1.0" GCamera:MotionPhoto="1" GCamera:MicroVideoOffset="77"`,
				`Item:Semantic="Primary" Item:Mime="image/jpeg"/>`, `Item:Semantic="GainMap" Item:Mime="image/jpeg" Item:Length="50"/>`,
				`Item:Semantic="MotionPhoto" Item:Mime="video/mp4" Item:Length="77"/>`}, nil},
		{"video only, the gain map dropped", primaryPacket(`hdrgm:Version="1.0"`, primaryPadded, itemGainMap, itemVideo), -1, m,
			[]string{`GCamera:MotionPhoto="1"`, `Item:Semantic="Primary" Item:Mime="image/jpeg" Item:Padding="0"/>`, `Item:Semantic="MotionPhoto"`},
			[]string{"hdrgm", "GainMap", `Padding="5"`}},
		{"no directory item for the video", primaryPacket(`GCamera:MotionPhoto="1"`), -1, &Motion{Props: m.Props},
			[]string{`GCamera:MicroVideoOffset="77"/>`}, []string{"Directory", "hdrgm"}},
		{"no motion", primaryPacket(`hdrgm:Version="1.0"`, itemPrimary, itemGainMap, itemVideo), 50, nil,
			[]string{`hdrgm:Version="1.0"`, `Item:Length="50"`}, []string{"GCamera", "MotionPhoto"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := ParseDirectory([]byte(tt.packet))
			if c == nil {
				t.Fatal("ParseDirectory = nil")
			}
			p := string(c.PacketWithMotion(tt.gainLen, tt.m))
			rest := p
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("packet %s does not hold %s after what came before", p, w)
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tt.not {
				if strings.Contains(p, n) {
					t.Errorf("packet %s holds %s", p, n)
				}
			}
			if again := ParseDirectory([]byte(p)); again == nil || tt.m != nil && tt.m.Item && again.Motion < 0 {
				t.Errorf("the packet does not read back: %+v", again)
			}
		})
	}
	if (*Container)(nil).PrimaryPadding() {
		t.Error("a nil directory has a padded Primary item")
	}
}
