// Command hostile builds files made to exhaust a metadata reader, runs
// exifscrub on each, and prints the time and peak memory (maximum resident
// set size) of each run:
//
//	go build -o /tmp/exifscrub ./cmd/exifscrub
//	go run ./bench/hostile -exifscrub /tmp/exifscrub [-n 10000000]
//
// The files: a JPEG of n empty COM segments, a PNG of n empty unknown
// chunks, a WebP of n empty unknown chunks, a HEIF file of n empty 'free'
// boxes, and a PNG of 7,906 zTXt chunks that each inflate to 1 MiB.
package main

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("exifscrub", "exifscrub", "the `binary` to run")
	n := flag.Int("n", 10_000_000, "blocks per file")
	measure := flag.Bool("measure", false, "run exifscrub on the files named as arguments (PATH|DESCRIPTION); used internally")
	flag.Parse()
	if *measure {
		measureAll(*bin, flag.Args())
		return
	}
	dir, err := os.MkdirTemp("", "exifscrub-hostile")
	if err != nil {
		log.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 16, 16))
	var j, p bytes.Buffer
	jpeg.Encode(&j, img, nil)
	png.Encode(&p, img)
	webp, err := os.ReadFile("testdata/pillow__flower2.webp")
	if err != nil {
		log.Fatal(err)
	}
	heif, err := os.ReadFile("testdata/heic__samplefilehub.heif")
	if err != nil {
		log.Fatal(err)
	}
	files := []struct {
		name, desc string
		build      func() []byte
	}{
		{"com.jpg", fmt.Sprintf("JPEG, %d empty COM segments", *n),
			func() []byte { return splice(j.Bytes(), 2, bytes.Repeat([]byte{0xff, 0xfe, 0, 2}, *n)) }},
		{"chunks.png", fmt.Sprintf("PNG, %d empty unknown chunks", *n),
			func() []byte { return splice(p.Bytes(), 33, bytes.Repeat(pngChunk("zzZz", nil), *n)) }},
		{"chunks.webp", fmt.Sprintf("WebP, %d empty unknown chunks", *n),
			func() []byte { return riff(append(webp, bytes.Repeat([]byte("ZZZZ\x00\x00\x00\x00"), *n)...)) }},
		{"boxes.heic", fmt.Sprintf("HEIF, %d empty 'free' boxes", *n),
			func() []byte { return append(heif, bytes.Repeat([]byte("\x00\x00\x00\x08free"), *n)...) }},
		{"bombs.png", "PNG, 7,906 zTXt chunks of 1 MiB each",
			func() []byte { return splice(p.Bytes(), 33, bytes.Repeat(bomb(), 7906)) }},
	}
	// A child's peak RSS starts at its parent's (Linux carries the
	// high-water mark across vfork and exec), so the runs are made by a
	// fresh image of this program that never held the files.
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	args := []string{self, "-measure", "-exifscrub", *bin}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, f.build(), 0o644); err != nil {
			log.Fatal(err)
		}
		args = append(args, path+"|"+f.desc)
	}
	log.Fatal(syscall.Exec(self, args, os.Environ()))
}

// measureAll runs report and scrub on each file, prints a table row for
// each run, and removes the files.
func measureAll(bin string, specs []string) {
	fmt.Println("| file | size | command | time | peak RSS |")
	fmt.Println("|---|---|---|---|---|")
	for _, spec := range specs {
		path, desc, _ := strings.Cut(spec, "|")
		fi, err := os.Stat(path)
		if err != nil {
			log.Fatal(err)
		}
		for _, args := range [][]string{{"report", path}, {"scrub", "-o", path + ".out", path}} {
			cmd := exec.Command(bin, args...)
			start := time.Now()
			err := cmd.Run()
			el := time.Since(start)
			if _, ok := err.(*exec.ExitError); err != nil && !ok {
				log.Fatal(err)
			}
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
			fmt.Printf("| %s | %.0f MB | %s (exit %d) | %.2f s | %.0f MB |\n", desc, float64(fi.Size())/1e6,
				args[0], cmd.ProcessState.ExitCode(), el.Seconds(), float64(rss)*1024/1e6)
		}
		os.Remove(path)
		os.Remove(path + ".out")
		os.Remove(filepath.Dir(path)) // when empty
	}
}

// splice inserts ins into b at offset at.
func splice(b []byte, at int, ins []byte) []byte {
	out := make([]byte, 0, len(b)+len(ins))
	out = append(out, b[:at]...)
	out = append(out, ins...)
	return append(out, b[at:]...)
}

// riff fixes the RIFF size of a WebP file.
func riff(b []byte) []byte {
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(append(b, typ...), data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// bomb is a zTXt chunk whose text inflates to 1 MiB.
func bomb() []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	return pngChunk("zTXt", append([]byte("Comment\x00\x00"), z.Bytes()...))
}
