package png

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"math/rand"
	"testing"
)

// bufInput is a bufio.Reader as an Input.
type bufInput struct {
	br  *bufio.Reader
	off int64
}

func (in *bufInput) Peek(n int) ([]byte, error) {
	b, err := in.br.Peek(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return b, err
}

func (in *bufInput) Buffered() ([]byte, error) {
	if in.br.Buffered() == 0 {
		if _, err := in.br.Peek(1); err != nil {
			return nil, err
		}
	}
	return in.br.Peek(in.br.Buffered())
}

func (in *bufInput) Consume(n int) { in.br.Discard(n); in.off += int64(n) }
func (in *bufInput) Offset() int64 { return in.off }

// copyChunks runs a Stream over chunks (whole chunks, the first one's
// header included) with a reader buffer of bufSize, and returns what it
// wrote, the cut chunk, and what was left unread.
func copyChunks(t *testing.T, chunks []byte, bufSize int) (out, last []byte, cut int, at int64, rest []byte, err error) {
	t.Helper()
	in := &bufInput{br: bufio.NewReaderSize(bytes.NewReader(chunks), bufSize)}
	hdr, _ := in.Peek(HeaderSize)
	length, typ, err := ParseHeader(hdr)
	if err != nil {
		t.Fatal(err)
	}
	in.Consume(HeaderSize)
	var w bytes.Buffer
	last, cut, at, err = NewStream(bufSize).Copy(in, &w, 0, typ, length)
	rest, _ = io.ReadAll(in.br)
	return w.Bytes(), last, cut, at, rest, err
}

func zlibData(n int, seed int64) []byte {
	r := rand.New(rand.NewSource(seed))
	raw := make([]byte, n)
	for i := range raw {
		raw[i] = byte(r.Intn(16))
	}
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write(raw)
	zw.Close()
	return b.Bytes()
}

// split cuts stream into chunks of typ of at most size bytes each.
func split(typ string, stream []byte, size int, seq bool) []byte {
	var out []byte
	for n := 0; len(stream) > 0; n++ {
		k := min(size, len(stream))
		data := stream[:k]
		if seq {
			data = append([]byte{0, 0, 0, byte(n)}, data...)
		}
		out = AppendChunk(out, typ, data)
		stream = stream[k:]
	}
	return out
}

func TestStream(t *testing.T) {
	stream := zlibData(20000, 1)
	iend := AppendChunk(nil, "IEND", nil)
	tests := []struct {
		name    string
		in      []byte
		bufSize int
		cut     int
		reason  string
		err     error
	}{
		{"one IDAT", split("IDAT", stream, len(stream), false), 4096, 0, "", nil},
		{"many IDAT", split("IDAT", stream, 1000, false), 4096, 0, "", nil},
		{"long IDAT", split("IDAT", stream, len(stream), false), 1024, 0, "", nil},
		{"fdAT", split("fdAT", stream, 3000, true), 4096, 0, "", nil},
		{"data after the stream", split("IDAT", append(bytes.Clone(stream), "hidden"...), 1000, false), 4096, 6, "", nil},
		{"data after a long chunk", split("IDAT", append(bytes.Clone(stream), "hidden"...), len(stream)+6, false), 1024, 0,
			`the zlib stream ends 6 bytes before the end of a "IDAT" chunk longer than 1024 bytes`, ErrDataAfterLongChunk},
		{"ends early", split("IDAT", stream[:len(stream)/2], 1000, false), 4096, 0, "the zlib stream of the IDAT chunks ends early", io.ErrUnexpectedEOF},
		{"fdAT without sequence number", AppendChunk(nil, "fdAT", []byte{0, 0}), 4096, 0, `chunk "fdAT" of 2 bytes has no sequence number`, nil},
	}
	for _, tt := range tests {
		in := append(bytes.Clone(tt.in), iend...)
		out, last, cut, at, rest, err := copyChunks(t, in, tt.bufSize)
		var e *Error
		switch {
		case tt.reason != "":
			if !errors.As(err, &e) || e.Reason != tt.reason || e.Err != tt.err {
				t.Errorf("%s: %v, want %q", tt.name, err, tt.reason)
			}
			continue
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
			continue
		case !bytes.Equal(rest, iend):
			t.Errorf("%s: left %q unread, want IEND", tt.name, rest)
		case cut != tt.cut:
			t.Errorf("%s: cut %d bytes, want %d", tt.name, cut, tt.cut)
		}
		got := append(out, last...)
		if tt.cut == 0 {
			if !bytes.Equal(got, tt.in) || last != nil {
				t.Errorf("%s: copy differs from the input", tt.name)
			}
			continue
		}
		if want := len(tt.in) - tt.cut; len(got) != want || at != int64(want-4) {
			t.Errorf("%s: %d bytes copied, cut at %d; want %d", tt.name, len(got), at, want)
		}
	}
}

func TestStreamCRC(t *testing.T) {
	in := split("IDAT", zlibData(500, 2), 100, false)
	in[len(in)-1] ^= 1
	_, _, _, _, _, err := copyChunks(t, in, 4096)
	var e *Error
	want := int64(bytes.LastIndex(in, []byte("IDAT")) - 4) // the last chunk
	if !errors.As(err, &e) || e.Offset != want || e.Err != nil || !bytes.HasPrefix([]byte(e.Reason), []byte(`chunk "IDAT" CRC is `)) {
		t.Fatalf("bad CRC: %v, want offset %d", err, want)
	}
	_, _, _, _, _, err = copyChunks(t, in[:len(in)-2], 4096)
	if !errors.As(err, &e) || e.Err != io.ErrUnexpectedEOF || e.Reason != `chunk "IDAT" CRC is truncated` {
		t.Errorf("truncated CRC: %v", err)
	}
}

// FuzzStream copies fuzzed IDAT chunks after a real PNG's first IDAT
// stream: nothing panics, errors carry offsets within the input, and what
// is copied, with the cut chunk, is the input up to where the stream ended.
func FuzzStream(f *testing.F) {
	f.Add(split("IDAT", zlibData(3000, 3), 700, false), uint16(512))
	f.Add(split("fdAT", zlibData(3000, 4), 700, true), uint16(4096))
	f.Add(split("IDAT", append(zlibData(300, 5), 1, 2, 3), 100, false), uint16(64))
	f.Fuzz(func(t *testing.T, in []byte, size uint16) {
		if len(in) < HeaderSize {
			return
		}
		if _, typ, err := ParseHeader(in); err != nil || string(typ[:]) != "IDAT" && string(typ[:]) != "fdAT" {
			return
		}
		bufSize := max(16, int(size))
		out, last, cut, at, rest, err := copyChunks(t, in, bufSize)
		if err != nil {
			var e *Error
			if errors.As(err, &e) && (e.Offset < 0 || e.Offset > int64(len(in))) {
				t.Fatalf("error %v outside the input of %d bytes", err, len(in))
			}
			return
		}
		got := append(out, last...)
		if last == nil && !bytes.Equal(append(got, rest...), in) {
			t.Fatal("copy and rest differ from the input")
		}
		if last != nil && (at < 0 || at > int64(len(in)) || cut <= 0 || !bytes.Equal(got[:len(got)-len(last)], in[:len(got)-len(last)])) {
			t.Fatalf("cut %d at %d", cut, at)
		}
	})
}
