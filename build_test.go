package exifscrub

// Builders for crafted test images: small valid JPEG and PNG files from the
// standard library's encoders, with metadata segments and chunks inserted.

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"slices"
	"testing"
)

// testImage is a small gradient, so that encoders produce real image data.
func testImage(w, h int) image.Image {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 255})
		}
	}
	return m
}

// baseJPEG returns a baseline JPEG from image/jpeg: SOI DQT SOF0 DHT SOS … EOI.
func baseJPEG(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(48, 32), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// segment returns a JPEG marker segment with its length.
func segment(marker byte, payload ...[]byte) []byte {
	p := bytes.Join(payload, nil)
	b := []byte{0xff, marker, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(len(p)+2))
	return append(b, p...)
}

// withSegments inserts segments right after the SOI of a JPEG.
func withSegments(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte(nil), jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// An ifdEntry is a TIFF field for tiffBlock.
type ifdEntry struct {
	tag   uint16
	typ   uint16
	count uint32
	data  []byte // the value bytes, big-endian
}

func ascii(tag uint16, s string) ifdEntry {
	return ifdEntry{tag, 2, uint32(len(s) + 1), append([]byte(s), 0)}
}

func short(tag uint16, v uint16) ifdEntry {
	return ifdEntry{tag, 3, 1, binary.BigEndian.AppendUint16(nil, v)}
}

func rationals(tag uint16, v ...uint32) ifdEntry {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint32(b, x)
	}
	return ifdEntry{tag, 5, uint32(len(v) / 2), b}
}

// tiffBlock lays out a big-endian TIFF structure: IFD0 with the given
// entries plus pointers to an Exif IFD and a GPS IFD when those are given,
// each IFD's entries in the order given.
func tiffBlock(ifd0, exifIFD, gpsIFD []ifdEntry) []byte {
	return tiffBlockIn(binary.BigEndian, ifd0, exifIFD, gpsIFD)
}

// tiffBlockIn is tiffBlock in byte order bo: the entries' big-endian
// values are written in bo, number by number of their type.
func tiffBlockIn(bo binary.AppendByteOrder, ifd0, exifIFD, gpsIFD []ifdEntry) []byte {
	b := []byte{'M', 'M', 0, 42, 0, 0, 0, 8}
	if bo == binary.LittleEndian {
		b = []byte{'I', 'I', 42, 0, 8, 0, 0, 0}
		for _, es := range []*[]ifdEntry{&ifd0, &exifIFD, &gpsIFD} {
			*es = slices.Clone(*es)
			for i, e := range *es {
				(*es)[i].data = swapped(e)
			}
		}
	}
	// Each IFD's size is known up front, so lay out IFD0, then the Exif
	// IFD, then the GPS IFD, each followed by its out-of-line values.
	ifdSize := func(es []ifdEntry) int {
		n := 2 + 12*len(es) + 4
		for _, e := range es {
			if len(e.data) > 4 {
				n += len(e.data) + len(e.data)&1
			}
		}
		return n
	}
	all := append([]ifdEntry(nil), ifd0...)
	if exifIFD != nil {
		all = append(all, ifdEntry{tagExifIFD, 4, 1, nil})
	}
	if gpsIFD != nil {
		all = append(all, ifdEntry{tagGPSIFD, 4, 1, nil})
	}
	exifOff := 8 + ifdSize(all)
	gpsOff := exifOff
	if exifIFD != nil {
		gpsOff += ifdSize(exifIFD)
	}
	for i := range all {
		switch all[i].tag {
		case tagExifIFD:
			all[i].data = bo.AppendUint32(nil, uint32(exifOff))
		case tagGPSIFD:
			all[i].data = bo.AppendUint32(nil, uint32(gpsOff))
		}
	}
	for _, es := range [][]ifdEntry{all, exifIFD, gpsIFD} {
		if es == nil {
			continue
		}
		start := len(b)
		extra := start + 2 + 12*len(es) + 4
		var tail []byte
		b = bo.AppendUint16(b, uint16(len(es)))
		for _, e := range es {
			b = bo.AppendUint16(b, e.tag)
			b = bo.AppendUint16(b, e.typ)
			b = bo.AppendUint32(b, e.count)
			if len(e.data) <= 4 {
				v := make([]byte, 4)
				copy(v, e.data)
				b = append(b, v...)
				continue
			}
			b = bo.AppendUint32(b, uint32(extra+len(tail)))
			tail = append(tail, e.data...)
			if len(e.data)&1 == 1 {
				tail = append(tail, 0)
			}
		}
		b = bo.AppendUint32(b, 0) // no next IFD
		b = append(b, tail...)
	}
	return b
}

// swapped returns the value of e in little-endian order: each number of
// its type reversed (each half of a RATIONAL).
func swapped(e ifdEntry) []byte {
	n := 1
	switch e.typ {
	case 3, 8:
		n = 2
	case 4, 5, 9, 10, 11, 13:
		n = 4
	case 12:
		n = 8
	}
	b := slices.Clone(e.data)
	for i := 0; i+n <= len(b); i += n {
		slices.Reverse(b[i : i+n])
	}
	return b
}

// privateTIFF is an EXIF block with a location, times and a device.
func privateTIFF(orientation uint16) []byte {
	ifd0 := []ifdEntry{ascii(0x010f, "Canon"), ascii(0x0110, "Canon EOS 40D")}
	if orientation != 0 {
		ifd0 = append(ifd0, short(tagOrientation, orientation))
	}
	ifd0 = append(ifd0, ascii(0x013b, "Jane Doe"))
	exifIFD := []ifdEntry{ascii(0x9003, "2024:05:01 12:34:56"), ascii(0x9011, "+02:00"), ascii(0xa431, "123456")}
	gps := []ifdEntry{
		ascii(tagGPSLatitudeRef, "N"), rationals(tagGPSLatitude, 52, 1, 31, 1, 1234, 100),
		ascii(tagGPSLongitudeRef, "W"), rationals(tagGPSLongitude, 13, 1, 24, 1, 0, 1),
	}
	return tiffBlock(ifd0, exifIFD, gps)
}

func exifSegment(tiff []byte) []byte {
	return segment(markerAPP1, []byte("Exif\x00\x00"), tiff)
}

const testXMP = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="test">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmp:CreateDate="2024-05-01T12:34:56+02:00" exif:GPSLatitude="52,31.2N">
   <dc:creator><rdf:Seq><rdf:li>Jane Doe</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Our house</rdf:li></rdf:Alt></dc:description>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`

// basePNG returns a PNG from image/png: IHDR IDAT IEND.
func basePNG(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(48, 32)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// chunk returns a PNG chunk with a correct CRC.
func chunk(typ string, data ...[]byte) []byte {
	d := bytes.Join(data, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(len(d)))
	b = append(b, typ...)
	b = append(b, d...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// withChunks inserts chunks after the IHDR of a PNG (8-byte signature,
// then IHDR of 13 data bytes: 25 bytes in all).
func withChunks(p []byte, chunks ...[]byte) []byte {
	const afterIHDR = 8 + 25
	out := append([]byte(nil), p[:afterIHDR]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, p[afterIHDR:]...)
}
