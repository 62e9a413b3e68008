package makernote

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRead feeds maker notes to Read, under each maker's header and make.
// It never panics, returns at most maxFields fields, each of a category
// and with a name, and reads nothing of a note said to lie outside the
// block.
//
// Seeds: the EXIF blocks of the JPEG samples in ../../testdata (their
// maker notes are found by Read's caller's rule: the block and the note's
// offset), the notes TestRead builds, and testdata/fuzz/FuzzRead.
func FuzzRead(f *testing.F) {
	names, _ := filepath.Glob("../../testdata/*.jpg")
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if exif := exifBlock(b); exif != nil {
			for _, mk := range []string{"Canon", "NIKON", "OLYMPUS", "SAMSUNG"} {
				f.Add(exif, uint32(8), uint32(len(exif)-8), mk)
			}
		}
	}
	le, be := binary.LittleEndian, binary.BigEndian
	for _, note := range [][]byte{
		buildIFD(le, 8, ascii(0x0009, "Andreas Huggel"), ent{0x0035, 9, 4, make([]byte, 16)}),
		append([]byte("Nikon\x00\x02\x10\x00\x00MM\x00*\x00\x00\x00\x08"), buildIFD(be, 8, ascii(0x001d, "1"), ent{0x0011, 13, 1, u32(be, 8)})...),
		append([]byte("OLYMPUS\x00II\x03\x00"), buildIFD(le, 12, ent{0x2010, 13, 1, u32(le, 12)}, ent{0x2020, 7, 20, make([]byte, 20)})...),
		append([]byte("FUJIFILM\x0c\x00\x00\x00"), buildIFD(le, 12, ascii(0x0010, "FC"))...),
		append([]byte("Panasonic\x00\x00\x00"), buildIFD(le, 20, ascii(0x006d, "Toulouse"))...),
		append([]byte("Apple iOS\x00\x00\x01MM"), buildIFD(be, 14, ascii(0x0011, "ID"))...),
		append([]byte("AOC\x00MM"), buildIFD(be, 14, ent{0x0003, 4, 1, u32(be, 1)}, ent{0x0004, 4, 1, u32(be, 1)})...),
		buildIFD(le, 8, ent{0x1101, 7, 48, make([]byte, 48)}),
		append([]byte("\x01\xf1\x03\x00\x03\x00\x01\x00"), make([]byte, 100)...),
	} {
		exif, at := exifWith(le, note)
		for _, mk := range []string{"Canon", "NIKON", "Nintendo", "SAMSUNG", ""} {
			f.Add(exif, at, uint32(len(exif))-at, mk)
		}
	}
	f.Fuzz(func(t *testing.T, exif []byte, at, n uint32, mk string) {
		for _, bo := range []binary.ByteOrder{le, be} {
			got := Read(exif, bo, at, n, mk)
			if uint64(at)+uint64(n) > uint64(len(exif)) && (got.Maker != "" || len(got.Fields) > 0) {
				t.Fatalf("a note outside the block gave %+v", got)
			}
			if len(got.Fields) > maxFields {
				t.Fatalf("%d fields, more than %d", len(got.Fields), maxFields)
			}
			for _, f := range got.Fields {
				if f.Name == "" || !strings.Contains("location time device identity text embedded", string(f.Category)) || f.Category == "" {
					t.Fatalf("field %+v has no name or category", f)
				}
			}
		}
	})
}

// FuzzReadCIFF feeds APP0 payloads to ReadCIFF: it never panics,
// terminates on heaps that nest or overlap, and returns at most maxFields
// fields, each named and of a category. Seeds: the heaps TestReadCIFF
// builds.
func FuzzReadCIFF(f *testing.F) {
	le := binary.LittleEndian
	image := buildHeap(le, rec{0x0810, []byte("Chris Smith\x00")}, rec{0x080a, []byte("Canon\x00A5\x00")})
	f.Add(ciffAPP0(buildHeap(le, rec{0x300a, buildHeap(le, rec{0x180e, make([]byte, 12)}, rec{0x2804, image})})))
	f.Add(ciffAPP0(buildHeap(le, rec{0x5834 | 0x4000, []byte{1, 2, 3, 4}}, rec{0x2008, []byte{0xff, 0xd8}})))
	f.Fuzz(func(t *testing.T, p []byte) {
		fields := ReadCIFF(p)
		if len(fields) > maxFields {
			t.Fatalf("%d fields, more than %d", len(fields), maxFields)
		}
		for _, f := range fields {
			if f.Name == "" || f.Category == "" || f.Value == "" {
				t.Fatalf("field %+v is incomplete", f)
			}
		}
	})
}
