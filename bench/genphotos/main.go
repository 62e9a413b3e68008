// Command genphotos writes a folder of phone-sized JPEG photos for the
// speed comparison in bench/run.sh: 12-megapixel (4032×3024) images with
// camera-like noise, a real camera's EXIF block (with maker notes and a
// thumbnail), XMP, and a second image after EOI as MPF files carry. Each
// file differs in its EXIF date, so no tool can cache across files.
// With -restart N the image's scan has a restart interval of N MCU rows,
// as many phones write (it runs jpegtran -restart N, which changes only
// the entropy coding's layout, losslessly).
//
//	go run ./bench/genphotos -n 200 -dir /tmp/photos
//	go run ./bench/genphotos -n 60 -restart 1 -dir /tmp/photos-rst
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"log"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
)

func main() {
	n := flag.Int("n", 200, "number of photos")
	dir := flag.String("dir", "photos", "output directory")
	exifFrom := flag.String("exif", "testdata/jpg__Canon_40D.jpg", "JPEG whose APP1 EXIF segment to copy")
	restart := flag.Int("restart", 0, "restart interval in MCU rows (0: none); needs jpegtran")
	flag.Parse()

	src, err := os.ReadFile(*exifFrom)
	if err != nil {
		log.Fatal(err)
	}
	app1 := firstSegment(src, 0xe1)
	if app1 == nil {
		log.Fatalf("%s has no APP1 segment", *exifFrom)
	}
	var img bytes.Buffer
	if err := jpeg.Encode(&img, noisy(4032, 3024), &jpeg.Options{Quality: 92}); err != nil {
		log.Fatal(err)
	}
	if *restart > 0 {
		cmd := exec.Command("jpegtran", "-restart", fmt.Sprint(*restart), "-copy", "none")
		cmd.Stdin = bytes.NewReader(img.Bytes())
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			log.Fatalf("jpegtran: %v", err)
		}
		img.Reset()
		img.Write(out)
	}
	var thumb bytes.Buffer
	jpeg.Encode(&thumb, noisy(320, 240), &jpeg.Options{Quality: 80})
	xmp := segment(0xe1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmp:CreateDate=\"2024-05-01T12:00:00\"/></rdf:RDF></x:xmpmeta>"))

	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	for i := 0; i < *n; i++ {
		exif := bytes.Replace(app1, []byte("2008:05:30"), []byte(fmt.Sprintf("2024:%02d:%02d", 1+i%12, 1+i%28)), 1)
		var b bytes.Buffer
		b.Write(img.Bytes()[:2])
		b.Write(exif)
		b.Write(xmp)
		b.Write(img.Bytes()[2:])
		b.Write(thumb.Bytes())
		name := filepath.Join(*dir, fmt.Sprintf("IMG_%04d.JPG", i+1))
		if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("%d photos of %.1f MB in %s\n", *n, float64(img.Len()+len(app1)+len(xmp)+thumb.Len())/1e6, *dir)
}

// noisy is a smooth gradient with sensor-like noise, which compresses like
// a photo.
func noisy(w, h int) image.Image {
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range m.Y {
		m.Y[i] = uint8((i%w*255/w+i/w*255/h)/2 + r.IntN(32))
	}
	for i := range m.Cb {
		m.Cb[i] = uint8(100 + r.IntN(32))
		m.Cr[i] = uint8(120 + r.IntN(32))
	}
	return m
}

// firstSegment returns the first marker segment of a JPEG with the given
// marker, with its marker and length bytes.
func firstSegment(b []byte, marker byte) []byte {
	for i := 2; i+4 <= len(b) && b[i] == 0xff; {
		n := int(b[i+2])<<8 | int(b[i+3])
		if i+2+n > len(b) {
			return nil
		}
		if b[i+1] == marker {
			return b[i : i+2+n]
		}
		if b[i+1] == 0xda {
			return nil
		}
		i += 2 + n
	}
	return nil
}

func segment(marker byte, p []byte) []byte {
	return append([]byte{0xff, marker, byte((len(p) + 2) >> 8), byte(len(p) + 2)}, p...)
}
