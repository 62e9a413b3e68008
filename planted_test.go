package exifscrub

// Planted-marker tests for the structures Scrub keeps and rebuilds (issue
// 12): a unique marker in every place a byte can live in a kept JPEG, PNG
// or WebP structure, in raw, zlib-compressed and UTF-16 forms. After a
// scrub the marker must appear nowhere: not in the bytes, not in any zlib
// stream in them, not in what ExifTool reads; and Scan of the input must
// report something that `check` fails on.

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	ipng "github.com/exifscrub/exifscrub/internal/png"
	iwebp "github.com/exifscrub/exifscrub/internal/webp"
)

// keptMarkerForms returns the forms a marker is planted in.
func keptMarkerForms(marker string) map[string][]byte {
	return map[string][]byte{
		"raw":    []byte(marker),
		"zlib":   deflate(marker),
		"utf16":  utf16Bytes(marker),
		"utf16l": utf16LE(marker),
	}
}

func utf16LE(s string) []byte {
	b := utf16Bytes(s)
	for i := 0; i+1 < len(b); i += 2 {
		b[i], b[i+1] = b[i+1], b[i]
	}
	return b
}

// A plantedCase is one input with a marker in one structure.
type plantedCase struct {
	name   string
	marker string
	in     []byte
}

// plantedCases builds, for each structure and each form, an input holding
// a marker unique to both.
func plantedCases(t *testing.T) []plantedCase {
	var cases []plantedCase
	add := func(format, structure string, build func(form []byte) []byte) {
		for _, formName := range []string{"raw", "zlib", "utf16", "utf16l"} {
			marker := fmt.Sprintf("PLANTED-%s-%s-%s", format, structure, formName)
			cases = append(cases, plantedCase{
				name:   format + "/" + structure + "/" + formName,
				marker: marker,
				in:     build(keptMarkerForms(marker)[formName]),
			})
		}
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	jpg := baseJPEG(t)
	jfif := []byte("JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x00\x00")
	jfifThumb := []byte("JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x01\x01\xff\x00\x00")
	adobe := []byte("Adobe\x00\x64\x00\x00\x00\x00\x01")
	add("jpeg", "JFIF", func(m []byte) []byte { return withSegments(jpg, segment(markerAPP0, jfif, m)) })
	add("jpeg", "JFIF-thumbnail", func(m []byte) []byte { return withSegments(jpg, segment(markerAPP0, jfifThumb, m)) })
	add("jpeg", "Adobe", func(m []byte) []byte { return withSegments(jpg, segment(markerAPP14, adobe, m)) })
	add("jpeg", "APP2-not-a-profile", func(m []byte) []byte {
		return withSegments(jpg, segment(markerAPP2, []byte("ICC_PROFILE\x00\x01\x01"), m))
	})
	add("jpeg", "ICC", func(m []byte) []byte {
		p := buildICC(2, string(m))
		return withSegments(jpg,
			segment(markerAPP2, []byte("ICC_PROFILE\x00\x01\x02"), p[:200]),
			segment(markerAPP2, []byte("ICC_PROFILE\x00\x02\x02"), p[200:]))
	})
	add("jpeg", "ICC-v4", func(m []byte) []byte {
		return withSegments(jpg, segment(markerAPP2, []byte("ICC_PROFILE\x00\x01\x01"), buildICC(4, string(m))))
	})
	add("jpeg", "ICC-trailing", func(m []byte) []byte {
		return withSegments(jpg, segment(markerAPP2, []byte("ICC_PROFILE\x00\x01\x01"), cleanICC(), m))
	})

	png := basePNG(t)
	ct := png[25] // IHDR colour type
	fields := map[string]int{
		"gAMA": 4, "sRGB": 1, "cHRM": 32, "cICP": 4, "mDCV": 24, "cLLI": 8, "pHYs": 9,
		"sBIT": ipng.ByColorType(ct, 1, 3, 3, 2, 4), "bKGD": ipng.ByColorType(ct, 2, 6, 1, 2, 6),
		"tRNS": ipng.ByColorType(ct, 2, 6, 1, 0, 0),
	}
	for name, n := range fields {
		add("png", name, func(m []byte) []byte { return withChunks(png, chunk(name, make([]byte, n), m)) })
	}
	add("png", "iCCP-profile", func(m []byte) []byte {
		return withChunks(png, chunk("iCCP", []byte("icc\x00\x00"), deflate(string(buildICC(2, string(m))))))
	})
	add("png", "iCCP-after-stream", func(m []byte) []byte {
		return withChunks(png, chunk("iCCP", []byte("icc\x00\x00"), deflate(string(cleanICC())), m))
	})
	add("png", "iCCP-not-a-profile", func(m []byte) []byte {
		return withChunks(png, chunk("iCCP", []byte("icc\x00\x00"), deflate(string(m))))
	})
	for _, formName := range []string{"raw"} { // a name is Latin-1 without NUL
		marker := "PLANTED-png-iCCP-name-" + formName
		cases = append(cases, plantedCase{"png/iCCP-name/" + formName, marker,
			withChunks(png, chunk("iCCP", []byte(marker+"\x00\x00"), deflate(string(cleanICC()))))})
	}

	still := chunkBytes("VP8X", vp8xPayload(iwebp.FlagICC))
	add("webp", "ICCP", func(m []byte) []byte {
		return riffFile(still, chunkBytes("ICCP", buildICC(4, string(m))), chunkBytes("VP8L", fakeVP8L))
	})
	add("webp", "ICCP-not-a-profile", func(m []byte) []byte {
		return riffFile(still, chunkBytes("ICCP", m), chunkBytes("VP8L", fakeVP8L))
	})
	add("webp", "ICCP-trailing", func(m []byte) []byte {
		return riffFile(still, chunkBytes("ICCP", cat(cleanICC(), m)), chunkBytes("VP8L", fakeVP8L))
	})
	return cases
}

func TestPlantedKept(t *testing.T) {
	dir := t.TempDir()
	written := map[string]string{} // output path → marker
	for i, c := range plantedCases(t) {
		t.Run(c.name, func(t *testing.T) {
			rep, err := Scan(bytes.NewReader(c.in))
			if err != nil {
				t.Fatalf("Scan: %v", err)
			}
			if !failsCheck(rep) {
				t.Errorf("Scan of the planted input finds nothing check fails on: %v", rep.Findings)
			}
			out, _ := scrubBytes(t, c.in)
			if where := findMarker(out, c.marker); where != "" {
				t.Errorf("marker survives the scrub, %s", where)
			}
			checkClean(t, out, nil)
			path := filepath.Join(dir, fmt.Sprintf("%03d.%s", i, strings.Split(c.name, "/")[0]))
			if err := os.WriteFile(path, out, 0o644); err != nil {
				t.Fatal(err)
			}
			written[path] = c.marker
		})
	}
	if testing.Short() {
		return
	}
	// One ExifTool run reads every output, as a user would see it.
	need(t, "exiftool")
	paths := make([]string, 0, len(written))
	for p := range written {
		paths = append(paths, p)
	}
	out, runErr := exec.Command("exiftool", append([]string{"-j", "-a", "-G1", "-ee", "-u"}, paths...)...).Output()
	var rows []map[string]any
	if err := json.Unmarshal(out, &rows); err != nil || len(rows) != len(paths) {
		t.Fatalf("exiftool: %v (%v), %d rows for %d files", runErr, err, len(rows), len(paths))
	}
	for _, row := range rows {
		path, _ := row["SourceFile"].(string)
		b, _ := json.Marshal(row)
		if m := written[path]; m == "" || bytes.Contains(b, []byte(m)) {
			t.Errorf("ExifTool reads the marker %q in %s", m, path)
		}
	}
}

// failsCheck reports whether `exifscrub check`, by default, fails on rep:
// a finding in any category but Other.
func failsCheck(rep *Report) bool {
	return rep.Has(Location, Time, Device, Identity, Text, Embedded)
}

// findMarker says where in b the marker is, in any of its forms, directly
// or in a zlib stream; "" if nowhere.
func findMarker(b []byte, marker string) string {
	forms := keptMarkerForms(marker)
	for _, name := range []string{"raw", "utf16", "utf16l"} {
		if i := bytes.Index(b, forms[name]); i >= 0 {
			return fmt.Sprintf("%s at offset %d", name, i)
		}
	}
	for i := 0; i+2 <= len(b); i++ {
		// RFC 1950 §2.2: CM 8, and CMF*256+FLG a multiple of 31.
		if b[i]&0x0f != 8 || (uint(b[i])<<8|uint(b[i+1]))%31 != 0 {
			continue
		}
		zr, err := zlib.NewReader(bytes.NewReader(b[i:]))
		if err != nil {
			continue
		}
		data, _ := io.ReadAll(io.LimitReader(zr, 1<<24))
		if where := findMarker(data, marker); where != "" && !strings.Contains(where, "zlib") {
			return fmt.Sprintf("%s in a zlib stream at offset %d", where, i)
		}
	}
	return ""
}

// TestPlantedKeptRefused checks the kept chunks that an image cannot do
// without: with bytes after their fields, the image is refused, never
// copied.
func TestPlantedKeptRefused(t *testing.T) {
	png := basePNG(t)
	for _, name := range []string{"acTL", "fcTL"} {
		in := withChunks(png, chunk(name, make([]byte, ipng.WantLength(name, 0, 0, 0)), []byte("PLANTED")))
		var out bytes.Buffer
		_, err := Scrub(&out, bytes.NewReader(in), nil)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: error %v, want a *FormatError", name, err)
		}
		if bytes.Contains(out.Bytes(), []byte("PLANTED")) {
			t.Errorf("%s: the marker was written before the error", name)
		}
	}
	ihdr := append([]byte(nil), png...)
	binary.BigEndian.PutUint32(ihdr[8:], 14)
	if _, err := Scan(bytes.NewReader(ihdr)); err == nil {
		t.Errorf("IHDR of 14 bytes: no error")
	}
}
