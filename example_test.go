package exifscrub_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
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

// A policy chooses what stays: a family album keeps when each photo was
// taken, never where, nor with what. Report.Kept lists what stayed; Findings
// what went.
func ExampleScrub_keep() {
	in, err := os.ReadFile(filepath.Join("testdata", "jpg__Kodak_CX7530.jpg"))
	if err != nil {
		log.Fatal(err)
	}
	opts := &exifscrub.Options{Keep: []exifscrub.Category{exifscrub.Time}}
	var out bytes.Buffer
	rep, err := exifscrub.Scrub(&out, bytes.NewReader(in), opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("removed location:", rep.Has(exifscrub.Location))
	fmt.Println("removed device:", rep.Has(exifscrub.Device))
	for _, f := range rep.Kept {
		fmt.Printf("kept %s %s %s\n", f.Category, f.Tag, f.Value)
	}

	left, _ := exifscrub.Scan(&out)
	fmt.Println("left location or device:", left.Has(exifscrub.Location, exifscrub.Device))

	// An invalid policy is refused before anything is read.
	_, err = exifscrub.Scrub(io.Discard, bytes.NewReader(in), &exifscrub.Options{Keep: []exifscrub.Category{exifscrub.Embedded}})
	fmt.Println(errors.Is(err, exifscrub.ErrInvalidOptions))
	// Output:
	// removed location: true
	// removed device: true
	// kept time ModifyDate 2008:07:31 10:39:26
	// kept time DateTimeOriginal 2005:08:13 09:47:23
	// kept time CreateDate 2005:08:13 09:47:23
	// left location or device: false
	// true
}

// ScanName tells whether a file name gives the capture time away, as the
// names phones give do.
func ExampleScanName() {
	for _, name := range []string{"IMG_20240601_211403.jpg", "PXL_20240601_191403123.mp4", "IMG-20240601-WA0007.jpg", "holiday.jpg"} {
		if f, ok := exifscrub.ScanName(name); ok {
			fmt.Printf("%s: %s %s\n", name, f.Category, f.Value)
		} else {
			fmt.Printf("%s: nothing\n", name)
		}
	}
	// Output:
	// IMG_20240601_211403.jpg: time 2024-06-01T21:14:03
	// PXL_20240601_191403123.mp4: time 2024-06-01T19:14:03.123
	// IMG-20240601-WA0007.jpg: time 2024-06-01
	// holiday.jpg: nothing
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

// A handler that streams: the photo is scrubbed from the request body
// straight into the response, so neither is ever held in memory whole.
// Once output has begun the status is sent and cannot change, so a photo
// found to be broken half-way aborts the response: the client sees a
// failed transfer, never a short image that looks complete.
func Example_streamingHandler() {
	handler := func(w http.ResponseWriter, r *http.Request) {
		// HTTP/1.1 servers stop reading the request at the first write
		// of the response, unless it is full duplex.
		http.NewResponseController(w).EnableFullDuplex()
		w.Header().Set("Content-Type", "application/octet-stream")
		out := &countingWriter{w: w}
		_, err := exifscrub.Scrub(out, r.Body, nil)
		switch {
		case err == nil:
		case out.n == 0 && errors.Is(err, exifscrub.ErrUnsupportedFormat):
			http.Error(w, "not a supported image", http.StatusUnsupportedMediaType)
		case out.n == 0:
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		default:
			panic(http.ErrAbortHandler) // status already sent: abort
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(handler))
	defer srv.Close()

	photo, _ := os.ReadFile(filepath.Join("testdata", "jpg__Kodak_CX7530.jpg"))
	large, _ := os.ReadFile(filepath.Join("testdata", "pillow__sugarshack.mpo"))
	broken := bytes.Clone(large)
	copy(broken[50000:], "\xff\xd8") // a start-of-image marker inside the data
	for _, body := range [][]byte{
		photo,
		[]byte("GIF89a..."),
		photo[:1000], // broken before any output: an error status
		broken,       // broken after output began: aborted
	} {
		res, err := http.Post(srv.URL, "image/jpeg", bytes.NewReader(body))
		if err != nil {
			fmt.Println("transfer failed")
			continue
		}
		clean, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			fmt.Println(res.StatusCode, "transfer aborted")
			continue
		}
		if res.StatusCode != http.StatusOK {
			fmt.Println(res.StatusCode, strings.TrimSpace(string(clean)))
			continue
		}
		rep, _ := exifscrub.Scan(bytes.NewReader(clean))
		fmt.Println(res.StatusCode, "findings left:", len(rep.Findings))
	}
	// Output:
	// 200 findings left: 0
	// 415 not a supported image
	// 422 exifscrub: invalid JPEG at offset 24: segment 0xE1 of 2898 bytes is truncated: unexpected EOF
	// 200 transfer aborted
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// A pre-check that changes nothing: refuse an upload that gives away where
// it was taken or who took it, and say what to remove. The report is
// complete only when Scan returns without an error.
func ExampleScan_precheck() {
	for _, name := range []string{"jpg__Kodak_CX7530.jpg", "pillow__icc_profile.png"} {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			log.Fatal(err)
		}
		rep, err := exifscrub.Scan(f)
		f.Close()
		switch {
		case err != nil:
			fmt.Println(name, "rejected:", err)
		case rep.Has(exifscrub.Location, exifscrub.Identity):
			fmt.Println(name, "rejected: remove its location and author first")
		default:
			fmt.Println(name, "accepted")
		}
	}
	// Output:
	// jpg__Kodak_CX7530.jpg rejected: remove its location and author first
	// pillow__icc_profile.png accepted
}

// The Report's Format gives the media type and file name extension of the
// clean file, as an upload server needs them for its response and store.
func ExampleFormat_MIMEType() {
	for _, f := range []exifscrub.Format{exifscrub.JPEG, exifscrub.HEIF, exifscrub.MOV} {
		fmt.Println(f, f.MIMEType(), f.Extension(), f.IsVideo())
	}
	// Output:
	// jpeg image/jpeg .jpg false
	// heif image/heif .heic false
	// mov video/quicktime .mov true
}
