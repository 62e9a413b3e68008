package exifscrub_test

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/exifscrub/exifscrub"
)

// Scan lists what a photo gives away, by category.
func ExampleScan() {
	f, err := os.Open(filepath.Join("testdata", "jpg__Kodak_CX7530.jpg"))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	rep, err := exifscrub.Scan(f)
	if err != nil {
		log.Fatal(err)
	}
	if lat, lon, ok := rep.Location(); ok {
		fmt.Printf("taken at %.4f, %.4f\n", lat, lon)
	}
	for _, f := range rep.Findings {
		if f.Category == exifscrub.Device || f.Category == exifscrub.Time {
			fmt.Printf("%s %s: %s\n", f.Container, f.Tag, f.Value)
		}
	}
	// Output:
	// taken at -0.3713, 36.0564
	// EXIF IFD0 ModifyDate: 2008:07:31 10:39:26
	// EXIF ExifIFD DateTimeOriginal: 2005:08:13 09:47:23
	// EXIF ExifIFD CreateDate: 2005:08:13 09:47:23
	// EXIF IFD0 Make: EASTMAN KODAK COMPANY
	// EXIF IFD0 Model: KODAK CX7530 ZOOM DIGITAL CAMERA
	// EXIF IFD0 Software: GIMP 2.4.5
}

// Scrub copies a photo without its metadata. The report says what was
// removed; scanning the result finds nothing.
func ExampleScrub() {
	in, err := os.ReadFile(filepath.Join("testdata", "jpg__Canon_40D.jpg"))
	if err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	rep, err := exifscrub.Scrub(&out, bytes.NewReader(in), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("removed location:", rep.Has(exifscrub.Location))
	fmt.Println("removed device:", rep.Has(exifscrub.Device))

	again, _ := exifscrub.Scan(&out)
	fmt.Println("left:", len(again.Findings))
	// Output:
	// removed location: true
	// removed device: true
	// left: 0
}

// ScrubFile replaces a file atomically: a crash leaves either the original
// or the complete scrubbed photo.
func ExampleScrubFile() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	photo := filepath.Join(dir, "photo.jpg")
	in, _ := os.ReadFile(filepath.Join("testdata", "pillow__hopper_orientation_5.jpg"))
	os.WriteFile(photo, in, 0o644)

	if _, err := exifscrub.ScrubFile(photo, photo, nil); err != nil {
		log.Fatal(err)
	}
	rep, _ := exifscrub.ScrubFile(photo, photo, nil)
	fmt.Println("findings after scrubbing in place:", len(rep.Findings))
	// Output:
	// findings after scrubbing in place: 0
}

// Errors say what went wrong and where.
func ExampleFormatError() {
	truncated := []byte{0xff, 0xd8, 0xff, 0xe1, 0x01, 0x00, 'E', 'x'}
	_, err := exifscrub.Scan(bytes.NewReader(truncated))

	var fe *exifscrub.FormatError
	if errors.As(err, &fe) {
		fmt.Println(fe.Format, fe.Offset)
	}
	fmt.Println(err)

	_, err = exifscrub.Scan(strings.NewReader("GIF89a"))
	fmt.Println(errors.Is(err, exifscrub.ErrUnsupportedFormat))
	// Output:
	// jpeg 6
	// exifscrub: invalid JPEG at offset 6: segment 0xE1 of 256 bytes is truncated: unexpected EOF
	// true
}
