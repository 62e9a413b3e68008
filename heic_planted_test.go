package exifscrub

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/exifscrub/exifscrub/internal/av1"
	"github.com/exifscrub/exifscrub/internal/nal"
)

// Planted markers: for every structure of a HEIF file that Scrub keeps,
// rebuilds or copies, a file with a unique marker there. Scan of it must
// fail check (a finding outside category other, or a refusal); Scrub must
// leave the marker nowhere in the output, raw or in UTF-16, and nowhere
// in what ExifTool reads from it.

// markerForms are the ways a marker is planted: as it is, and in UTF-16
// in both byte orders.
var markerForms = []struct {
	name   string
	encode func(s string) []byte
}{
	{"raw", func(s string) []byte { return []byte(s) }},
	{"utf16le", func(s string) []byte { return utf16Bytes16(s, binary.LittleEndian) }},
	{"utf16be", func(s string) []byte { return utf16Bytes16(s, binary.BigEndian) }},
}

func utf16Bytes16(s string, order binary.AppendByteOrder) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, u)
	}
	return b
}

// rawBox builds a box with a compact header.
func rawBox(typ string, payload ...[]byte) []byte {
	p := bytes.Join(payload, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(p)))
	return append(append(b, typ...), p...)
}

// seiNAL is an HEVC prefix SEI NAL unit (type 39) holding one user data
// unregistered message (payload type 5: a 16-byte UUID, then the data).
func seiNAL(typ byte, payload []byte) []byte {
	hdr := []byte{typ << 1, 0x01}
	body := []byte{5}
	n := len(payload)
	for ; n >= 255; n -= 255 {
		body = append(body, 0xff)
	}
	body = append(body, byte(n))
	body = append(append(body, payload...), 0x80)
	return append(hdr, nal.EscapeRBSP(body)...)
}

// lengthPrefixed prefixes a NAL unit with its 4-byte length.
func lengthPrefixed(nal []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(nal))), nal...)
}

// hdrSEINAL is a prefix SEI NAL unit with the messages an HDR display
// uses: mastering display colour volume and content light level.
func hdrSEINAL() []byte {
	body := []byte{137, 24}
	body = append(body, bytes.Repeat([]byte{0x11}, 24)...)
	body = append(body, 144, 4, 0x03, 0xe8, 0x01, 0x90, 0x80)
	return append([]byte{39 << 1, 0x01}, nal.EscapeRBSP(body)...)
}

// obu is an AV1 OBU with a size field.
func obu(typ byte, payload []byte) []byte {
	b := []byte{typ<<3 | 2}
	n := len(payload)
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	b = append(b, byte(n))
	return append(b, payload...)
}

// metadataOBU is an AV1 metadata OBU of metadata type t (4: ITU-T T.35).
func metadataOBU(t byte, payload []byte) []byte {
	return obu(av1.OBUMetadata, append(append([]byte{t}, payload...), 0x80))
}

// withHvcCArray returns an 'hvcC' property box with one more NAL unit
// array holding nal.
func withHvcCArray(prop []byte, nal []byte) []byte {
	payload := append([]byte(nil), prop[8:]...)
	payload[22]++
	typ := (nal[0] >> 1) & 0x3f
	payload = append(payload, 0x80|typ, 0, 1, byte(len(nal)>>8), byte(len(nal)))
	return rawBox("hvcC", append(payload, nal...))
}

// propIndex returns the 1-based index of the first property of type typ.
func propIndex(t testing.TB, props [][]byte, typ string) int {
	for i, p := range props {
		if string(p[4:8]) == typ {
			return i + 1
		}
	}
	t.Fatalf("no %q property", typ)
	return 0
}

func TestHEIFPlanted(t *testing.T) {
	heic := loadHEIFSource(t, "heic__samplefilehub.heif")
	avif := loadHEIFSource(t, "pillow__avif__rot0mir1.avif")
	jpg := baseJPEG(t)
	ispe := fullBoxBytes("ispe", 0, 0, []byte{0, 0, 0, 48, 0, 0, 0, 32})
	tests := []struct {
		name   string
		src    heifSource
		plant  func(t *testing.T, f *testHEIF, m []byte)
		refuse bool // Scrub refuses the file
		decode bool // the output decodes as the unplanted file does
	}{
		{"item name", heic, func(t *testing.T, f *testHEIF, m []byte) { f.items[0].name = string(m) }, false, true},
		{"Exif item name", heic, func(t *testing.T, f *testHEIF, m []byte) { f.items[1].name = string(m) }, false, true},
		{"handler name", heic, func(t *testing.T, f *testHEIF, m []byte) { f.hdlrName = string(m) }, false, true},
		{"brands", avif, func(t *testing.T, f *testHEIF, m []byte) {
			for i := 0; i+4 <= len(m); i += 4 {
				f.brands = append(f.brands, string(m[i:i+4]))
			}
		}, false, true},
		{"major brand", heic, func(t *testing.T, f *testHEIF, m []byte) { f.brand = string(m[:4]) }, false, true},
		{"dref url", heic, func(t *testing.T, f *testHEIF, m []byte) {
			f.dinf = rawBox("dinf", fullBoxBytes("dref", 0, 0, []byte{0, 0, 0, 1},
				fullBoxBytes("url ", 0, 1, m, []byte{0})))
		}, false, true},
		{"group trailer", heic, func(t *testing.T, f *testHEIF, m []byte) {
			f.groups, f.groupTrailer = [][]uint32{{1}}, m
		}, false, true},
		{"irot trailer", heic, func(t *testing.T, f *testHEIF, m []byte) {
			f.props = append(append([][]byte(nil), f.props...), rawBox("irot", []byte{0}, m))
			f.items[0].props = append(f.items[0].props, len(f.props))
		}, false, true},
		{"ispe trailer", heic, func(t *testing.T, f *testHEIF, m []byte) {
			i := propIndex(t, f.props, "ispe")
			f.props = append([][]byte(nil), f.props...)
			f.props[i-1] = append(append([]byte(nil), f.props[i-1]...), m...)
			binary.BigEndian.PutUint32(f.props[i-1], uint32(len(f.props[i-1])))
		}, false, true},
		{"colr of unknown type", avif, func(t *testing.T, f *testHEIF, m []byte) {
			f.props = append(append([][]byte(nil), f.props...), rawBox("colr", []byte("zzzz"), m))
			f.items[0].props = append(f.items[0].props, len(f.props))
		}, false, true},
		{"unused property", heic, func(t *testing.T, f *testHEIF, m []byte) {
			f.props = append(append([][]byte(nil), f.props...), rawBox("pasp", m))
		}, false, true},
		{"hidden alternative", heic, func(t *testing.T, f *testHEIF, m []byte) {
			f.items = append(f.items, testItem{id: 9, typ: "hvc1", hidden: true, name: string(m),
				data: lengthPrefixed(append([]byte{0x02, 0x01}, m...)), props: f.items[0].props})
			f.groups = [][]uint32{{1, 9}}
		}, false, true},
		{"auxiliary subtype", heic, func(t *testing.T, f *testHEIF, m []byte) {
			f.props = append(append([][]byte(nil), f.props...),
				fullBoxBytes("auxC", 0, 0, []byte("urn:mpeg:hevc:2015:auxid:1\x00"), m))
			f.items = append(f.items, testItem{id: 12, typ: "hvc1", hidden: true, data: heic.data,
				props: append(append([]int(nil), f.items[0].props...), len(f.props))})
			f.refs = append(f.refs, testRef{"auxl", 12, []uint32{1}})
		}, false, false},
		{"unknown item by unknown reference", heic, func(t *testing.T, f *testHEIF, m []byte) {
			f.items = append(f.items, testItem{id: 8, typ: "zzzz", hidden: true, data: m})
			f.refs = append(f.refs, testRef{"zzzz", 1, []uint32{8}})
		}, false, true},
		{"unknown item as auxiliary", heic, func(t *testing.T, f *testHEIF, m []byte) {
			f.items = append(f.items, testItem{id: 8, typ: "zzzz", hidden: true, data: m})
			f.refs = append(f.refs, testRef{"auxl", 8, []uint32{1}})
		}, false, true},
		{"hidden image by unknown reference", heic, func(t *testing.T, f *testHEIF, m []byte) {
			f.items = append(f.items, testItem{id: 8, typ: "hvc1", hidden: true, name: string(m),
				data: lengthPrefixed(append([]byte{0x02, 0x01}, m...)), props: f.items[0].props})
			f.refs = append(f.refs, testRef{"zzzz", 1, []uint32{8}})
		}, false, true},
		{"image extent covers Exif", heic, func(t *testing.T, f *testHEIF, m []byte) {
			f.items[1].data = append(append([]byte(nil), testExifItem...), m...)
			f.items[0].grow = uint64(len(f.items[1].data))
		}, true, false},
		{"extents run to the end", heic, func(t *testing.T, f *testHEIF, m []byte) {
			f.items[1].data = append(append([]byte(nil), testExifItem...), m...)
			f.sizes = [4]int{4, 0, 0, 0}
		}, true, false},
		{"hvcC user data SEI", heic, func(t *testing.T, f *testHEIF, m []byte) {
			i := propIndex(t, f.props, "hvcC")
			f.props = append([][]byte(nil), f.props...)
			f.props[i-1] = withHvcCArray(f.props[i-1], seiNAL(39, append(make([]byte, 16), m...)))
		}, false, true},
		{"hvcC suffix SEI and HDR SEI", heic, func(t *testing.T, f *testHEIF, m []byte) {
			i := propIndex(t, f.props, "hvcC")
			f.props = append([][]byte(nil), f.props...)
			f.props[i-1] = withHvcCArray(withHvcCArray(f.props[i-1], hdrSEINAL()), seiNAL(40, append(make([]byte, 16), m...)))
		}, false, true},
		{"SEI NAL units in the data", heic, func(t *testing.T, f *testHEIF, m []byte) {
			sei := seiNAL(39, append(make([]byte, 16), m...))
			f.items[0].data = bytes.Join([][]byte{lengthPrefixed(sei), f.items[0].data, lengthPrefixed(seiNAL(40, m))}, nil)
		}, false, true},
		{"SEI in an HEVC tile", heic, func(t *testing.T, f *testHEIF, m []byte) {
			sei := seiNAL(39, append(make([]byte, 16), m...))
			f.items = append(f.items, testItem{id: 20, typ: "hvt1", hidden: true,
				data: append(lengthPrefixed(sei), fakeNAL("tile")...)})
			f.items = append(f.items, testItem{id: 21, typ: "grid", data: []byte{0, 0, 0, 0, 0, 16, 0, 16}, props: []int{propIndex(t, f.props, "ispe")}})
			f.refs = append(f.refs, testRef{"tbas", 20, []uint32{1}}, testRef{"dimg", 21, []uint32{20}})
		}, false, false},
		{"SEI in VVC data", heifSource{typ: "vvc1"}, func(t *testing.T, f *testHEIF, m []byte) {
			// vvcC: version and flags, then 5 reserved bits, a 4-byte
			// NAL unit length and no profile, tier and level.
			f.props = [][]byte{ispe, fullBoxBytes("vvcC", 0, 0, []byte{0xf8 | 3<<1, 0})}
			f.items[0].props = []int{1, 2}
			sei := []byte{0, 23 << 3, 5, byte(16 + len(m))}
			sei = append(append(append(sei, make([]byte, 16)...), m...), 0x80)
			f.items[0].data = append(lengthPrefixed(sei), lengthPrefixed([]byte{0, 1 << 3, 0xaa})...)
		}, false, false},
		{"unspecified NAL unit in the data", heic, func(t *testing.T, f *testHEIF, m []byte) {
			f.items[0].data = append(lengthPrefixed(append([]byte{62 << 1, 1}, m...)), f.items[0].data...)
		}, false, true},
		{"av1C metadata OBU", avif, func(t *testing.T, f *testHEIF, m []byte) {
			i := propIndex(t, f.props, "av1C")
			f.props = append([][]byte(nil), f.props...)
			f.props[i-1] = append(append([]byte(nil), f.props[i-1]...), metadataOBU(4, m)...)
			binary.BigEndian.PutUint32(f.props[i-1], uint32(len(f.props[i-1])))
		}, false, true},
		{"metadata and padding OBUs in the data", avif, func(t *testing.T, f *testHEIF, m []byte) {
			f.items[0].data = bytes.Join([][]byte{f.items[0].data, metadataOBU(5, m), obu(av1.OBUPadding, m)}, nil)
		}, false, true},
		{"JPEG item APP1 and COM", heifSource{typ: "jpeg"}, func(t *testing.T, f *testHEIF, m []byte) {
			f.brand = "jpeg"
			f.props = [][]byte{ispe}
			f.items[0].props = []int{1}
			f.items[0].data = withSegments(jpg, exifSegment(tiffWithMake(string(m))), segment(markerCOM, m),
				segment(markerAPP1+3, m))
			f.items[0].data = append(f.items[0].data, m...) // after EOI
		}, false, false},
		{"jpgC APP and COM", heifSource{typ: "jpeg"}, func(t *testing.T, f *testHEIF, m []byte) {
			f.brand = "jpeg"
			sos := bytes.Index(jpg, []byte{0xff, markerSOS})
			jpgC := rawBox("jpgC", jpg[:sos], segment(markerCOM, m), segment(markerAPP0+5, m))
			f.props = [][]byte{ispe, jpgC}
			f.items[0].props = []int{1, 2}
			f.items[0].data = withSegments(jpg, segment(markerCOM, m))
		}, false, false},
		{"jpgC and data from SOS", heifSource{typ: "jpeg"}, func(t *testing.T, f *testHEIF, m []byte) {
			f.brand = "jpeg"
			sos := bytes.Index(jpg, []byte{0xff, markerSOS})
			jpgC := rawBox("jpgC", jpg[:sos], segment(markerCOM, m))
			f.props = [][]byte{ispe, jpgC}
			f.items[0].props = []int{1, 2}
			f.items[0].data = append(append([]byte(nil), jpg[sos:]...), m...)
		}, false, false},
	}
	dir := t.TempDir()
	var outs []string
	markerOf := make(map[string]string)
	clean := make(map[string][]byte) // the unplanted file scrubbed, by source type
	for _, src := range []heifSource{heic, avif} {
		out, _ := scrubBytes(t, basicHEIF(src).build())
		clean[src.typ] = out
	}
	for i, tt := range tests {
		for j, form := range markerForms {
			marker := fmt.Sprintf("PLNT%02dF%d", i, j)
			name := tt.name + "/" + form.name
			t.Run(name, func(t *testing.T) {
				f := basicHEIF(tt.src)
				tt.plant(t, f, form.encode(marker))
				in := f.build()
				rep, scanErr := Scan(bytes.NewReader(in))
				var out bytes.Buffer
				_, err := Scrub(&out, bytes.NewReader(in), nil)
				if tt.refuse {
					if !errors.Is(err, ErrUnsupportedFeature) || !errors.Is(scanErr, ErrUnsupportedFeature) {
						t.Fatalf("Scrub: %v, Scan: %v; want ErrUnsupportedFeature", err, scanErr)
					}
					if out.Len() > 0 {
						t.Errorf("wrote %d bytes", out.Len())
					}
					return
				}
				if err != nil || scanErr != nil {
					t.Fatalf("Scrub: %v, Scan: %v", err, scanErr)
				}
				if !rep.Has(Location, Time, Device, Identity, Text, Embedded) {
					t.Errorf("check would pass the planted file: %v", rep.Findings)
				}
				for _, fm := range markerForms {
					if bytes.Contains(out.Bytes(), fm.encode(marker)) {
						t.Errorf("output holds the marker (%s)", fm.name)
					}
				}
				checkClean(t, out.Bytes(), nil)
				path := filepath.Join(dir, fmt.Sprintf("planted%02d-%d.heic", i, j))
				if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				outs = append(outs, path)
				markerOf[path] = marker
				if tt.decode && j == 0 {
					if _, err := exec.LookPath("heif-convert"); err == nil {
						cleanPath := writeTemp(t, "clean.heic", clean[tt.src.typ])
						a, b := heifConvert(t, cleanPath, "y4m"), heifConvert(t, path, "y4m")
						if len(a) != len(b) {
							t.Fatalf("decoded %d images, want %d", len(b), len(a))
						}
						for k := range a {
							ya, _ := os.ReadFile(a[k])
							yb, _ := os.ReadFile(b[k])
							if len(ya) == 0 || !bytes.Equal(ya, yb) {
								t.Errorf("image %d decodes differently from the unplanted file's", k+1)
							}
						}
					}
				}
			})
		}
	}
	if _, err := exec.LookPath("exiftool"); err != nil || len(outs) == 0 {
		return
	}
	args := append([]string{"-a", "-G1", "-ee", "-u", "-b", "-j"}, outs...)
	text, err := exec.Command("exiftool", args...).Output()
	if err != nil && len(text) == 0 {
		t.Fatalf("exiftool: %v", err)
	}
	for _, path := range outs {
		if m := markerOf[path]; strings.Contains(string(text), m) {
			t.Errorf("ExifTool reads marker %s from %s", m, path)
		}
	}
}
