package icc

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// sampleProfiles returns the profiles of the sample files in testdata:
// each is one of the published sRGB profiles.
func sampleProfiles(t testing.TB) map[string][]byte {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	m := map[string][]byte{}
	// JPEG: a one-chunk APP2 "ICC_PROFILE\0" segment (ICC.1:2022 Annex B.4).
	{
		b := read("jpg__Canon_40D.jpg")
		i := bytes.Index(b, []byte("ICC_PROFILE\x00"))
		if i < 4 {
			t.Fatal("no ICC_PROFILE segment in jpg__Canon_40D.jpg")
		}
		n := int(binary.BigEndian.Uint16(b[i-2:]))
		m["jpg__Canon_40D.jpg"] = b[i+14 : i-2+n]
	}
	// PNG: an iCCP chunk (PNG §11.3.3.3): name, NUL, method, zlib data.
	{
		b := read("pillow__icc_profile.png")
		i := bytes.Index(b, []byte("iCCP"))
		if i < 4 {
			t.Fatal("no iCCP chunk in pillow__icc_profile.png")
		}
		data := b[i+4 : i+4+int(binary.BigEndian.Uint32(b[i-4:]))]
		_, z, _ := bytes.Cut(data, []byte{0})
		zr, err := zlib.NewReader(bytes.NewReader(z[1:]))
		if err != nil {
			t.Fatal(err)
		}
		p, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		m["pillow__icc_profile.png"] = p
	}
	// WebP: an ICCP chunk (RFC 9649 §2.7.1.4).
	{
		b := read("pillow__flower2.webp")
		i := bytes.Index(b, []byte("ICCP"))
		if i < 0 {
			t.Fatal("no ICCP chunk in pillow__flower2.webp")
		}
		m["pillow__flower2.webp"] = b[i+8 : i+8+int(binary.LittleEndian.Uint32(b[i+4:]))]
	}
	return m
}
