package main

import (
	"bytes"
	be "encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// TestSpoolReader reads a pipe in order and ahead, as Scrub does with a
// video whose index follows its media data.
func TestSpoolReader(t *testing.T) {
	data := make([]byte, 3*spoolChunk+12345)
	for i := range data {
		data[i] = byte(i * 7)
	}
	s := &spoolReader{r: iotest.HalfReader(bytes.NewReader(data))}
	defer s.Close()
	var got []byte
	read := func(n int) {
		t.Helper()
		p := make([]byte, n)
		k, err := io.ReadFull(s, p)
		if err != nil {
			t.Fatalf("read %d at %d: %v", n, len(got), err)
		}
		got = append(got, p[:k]...)
	}
	readAt := func(n int, off int64, want error) {
		t.Helper()
		p := make([]byte, n)
		k, err := s.ReadAt(p, off)
		if err != want {
			t.Fatalf("ReadAt(%d, %d): error %v, want %v", n, off, err, want)
		}
		if end := min(off+int64(n), int64(len(data))); k != int(end-off) || !bytes.Equal(p[:k], data[off:end]) {
			t.Fatalf("ReadAt(%d, %d): %d bytes, not the input's", n, off, k)
		}
	}
	read(100)
	readAt(16, 2*spoolChunk, nil)           // ahead: spooled
	readAt(10, 200, nil)                    // inside the spool
	read(spoolChunk)                        // from the spool
	readAt(50, int64(len(data))-20, io.EOF) // past the end: what there is
	if pos, _ := s.Seek(0, io.SeekCurrent); pos != int64(len(got)) {
		t.Errorf("position %d, want %d", pos, len(got))
	}
	readAt(300, int64(len(got))-200, nil) // behind the position: in the tail
	rest, err := io.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, rest...)
	if !bytes.Equal(got, data) {
		t.Errorf("read %d bytes, not the input's %d", len(got), len(data))
	}
	if _, err := s.ReadAt(make([]byte, 4), 10); err == nil {
		t.Errorf("ReadAt behind the position, after the spool is read: no error")
	}
	if st, err := s.f.Stat(); err != nil || st.Size() != 0 {
		t.Errorf("the spool holds %d bytes once read (%v), want 0", st.Size(), err)
	}
}

// TestSpillSendFile writes a spilled output to a file, as to standard
// output, by sendfile(2) where there is one.
func TestSpillSendFile(t *testing.T) {
	b := &spillBuffer{limit: 10}
	defer b.Close()
	want := bytes.Repeat([]byte("0123456789abcdef"), 100000)
	b.Write(want)
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if n, err := b.WriteTo(out); err != nil || n != int64(len(want)) {
		t.Fatalf("WriteTo: %d, %v; want %d", n, err, len(want))
	}
	if got := readFile(t, out.Name()); !bytes.Equal(got, want) {
		t.Errorf("the file holds %d bytes, not the %d written", len(got), len(want))
	}
}

// plantedMovie is movie with bytes that no sample references planted at
// the end of its 'mdat' box (which precedes the 'moov', so no offset
// moves): secret, 128 KiB of other bytes (more than Scrub's output buffer,
// so that a copy made too early would reach the output), and secret again.
// Scrub zeroes them, and they must never reach an output.
func plantedMovie(t *testing.T, secret string) []byte {
	t.Helper()
	in := readFile(t, movie)
	secret += strings.Repeat("-", 128<<10) + secret
	for off := 0; off+8 <= len(in); {
		size := int(be.BigEndian.Uint32(in[off:]))
		if string(in[off+4:off+8]) == "mdat" {
			b := append(bytes.Clone(in[:off+size]), secret...)
			be.BigEndian.PutUint32(b[off:], uint32(size+len(secret)))
			return append(b, in[off+size:]...)
		}
		if size < 8 {
			break
		}
		off += size
	}
	t.Fatal("no 'mdat' box in " + movie)
	return nil
}

// streamSecrets are bytes of the inputs of TestStream that an output must
// never hold: the planted bytes, the Keys GPS and model, and the x264
// settings in a coded sample (SEI), which Scrub neutralises.
var streamSecrets = []string{"PLANTED-SECRET-NOT-A-SAMPLE", "+48.8584", "iPhone 15 Pro", "x264 - core"}

// TestStream scrubs from a pipe to standard output with --stream: the
// output is the file mode's, byte for byte, and scrubbing it again changes
// nothing.
func TestStream(t *testing.T) {
	dir := t.TempDir()
	inputs := map[string][]byte{
		"movie (index last)":         readFile(t, movie),
		"planted movie (index last)": plantedMovie(t, streamSecrets[0]),
		"MP4 (index first)":          readFile(t, fastStartMP4),
		"JPEG":                       readFile(t, gpsJPEG),
	}
	for name, in := range inputs {
		path := filepath.Join(dir, "in")
		writeFile(t, path, in)
		out := filepath.Join(dir, "out")
		if res := runCLI(t, nil, "scrub", "-o", out, path); res.code != exitOK {
			t.Fatalf("%s: file mode: exit %d\n%s", name, res.code, res.stderr)
		}
		want := readFile(t, out)
		for _, args := range [][]string{{"scrub", "--stream", "-o", "-", "-"}, {"scrub", "-o", "-", "-"}} {
			res := runCLI(t, in, args...)
			if res.code != exitOK {
				t.Fatalf("%s: %s: exit %d\n%s", name, args, res.code, res.stderr)
			}
			if res.stdout != string(want) {
				t.Errorf("%s: %s: the output (%d bytes) is not the file mode's (%d bytes)", name, args, len(res.stdout), len(want))
			}
			for _, s := range streamSecrets {
				if strings.Contains(res.stdout, s) {
					t.Errorf("%s: %s: the output holds %q", name, args, s)
				}
			}
			if again := runCLI(t, []byte(res.stdout), args...); again.stdout != res.stdout {
				t.Errorf("%s: %s: scrubbing the output again changes it", name, args)
			}
		}
	}
}

// TestStreamFailure cuts and damages videos with their index first and
// last and scrubs them with --stream from a pipe. Each succeeds or fails
// as the file mode does: a success writes the file mode's output, byte for
// byte; a failure exits 2, says on standard error that the output is
// incomplete (if it wrote anything), and the bytes it wrote hold nothing
// that Scrub removes.
func TestStreamFailure(t *testing.T) {
	dir := t.TempDir()
	for name, in := range map[string][]byte{
		"planted movie (index last)": plantedMovie(t, streamSecrets[0]),
		"MP4 (index first)":          readFile(t, fastStartMP4),
	} {
		step := max(len(in)/60, 1)
		for at := 1; at < len(in); at += step {
			flipped := bytes.Clone(in)
			flipped[at] ^= 0xff
			for variant, b := range map[string][]byte{fmt.Sprintf("cut at %d", at): in[:at], fmt.Sprintf("byte %d flipped", at): flipped} {
				path, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
				writeFile(t, path, b)
				os.Remove(out)
				file := runCLI(t, nil, "scrub", "-o", out, path)
				res := runCLI(t, b, "scrub", "--stream", "-o", "-", "-")
				if res.code != file.code {
					t.Errorf("%s, %s: exit %d, the file mode's %d\n%s", name, variant, res.code, file.code, res.stderr)
					continue
				}
				switch res.code {
				case exitOK:
					if res.stdout != string(readFile(t, out)) {
						t.Errorf("%s, %s: the output is not the file mode's", name, variant)
					}
				case exitFailed:
					if res.stdout != "" && !strings.Contains(res.stderr, "incomplete") {
						t.Errorf("%s, %s: failed, but standard error does not say the output is incomplete:\n%s", name, variant, res.stderr)
					}
					for _, s := range streamSecrets {
						if strings.Contains(res.stdout, s) {
							t.Errorf("%s, %s: failed, and the output holds %q", name, variant, s)
						}
					}
				default:
					t.Errorf("%s, %s: exit %d\n%s", name, variant, res.code, res.stderr)
				}
			}
		}
	}
}
