package iptc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// resource returns an image resource block with the given name and data,
// padded as Photoshop writes it.
func resource(id uint16, name string, data []byte) []byte {
	b := append([]byte("8BIM"), byte(id>>8), byte(id), byte(len(name)))
	b = append(b, name...)
	if (1+len(name))%2 == 1 {
		b = append(b, 0)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// resourceList returns what Resources reads from b, one "id name offset
// len" per block, and the error that ended it.
func resourceList(b []byte) (string, error) {
	var got []string
	rs := NewResources(b)
	for res, ok := rs.Next(); ok; res, ok = rs.Next() {
		got = append(got, fmt.Sprintf("%#04x %q %d %d", res.ID, res.Name, res.Offset, len(res.Data)))
	}
	return strings.Join(got, ", "), rs.Err()
}

// checkError checks that err is nil when want is, or an *Error wrapping
// want at offset off.
func checkError(t *testing.T, err, want error, off int) {
	t.Helper()
	var e *Error
	switch {
	case want == nil && err == nil:
	case want == nil || err == nil:
		t.Errorf("got error %v, want %v", err, want)
	case !errors.As(err, &e) || !errors.Is(err, want):
		t.Errorf("got error %v, want an *Error wrapping %v", err, want)
	case e.Offset != off:
		t.Errorf("got error at offset %d, want %d", e.Offset, off)
	}
}

// A listCase is bytes to read and what a reader reads from them: a list
// as resourceList or datasetList writes it, and the error that ends it,
// at errAt.
type listCase struct {
	name  string
	in    []byte
	want  string
	err   error
	errAt int
}

func testList(t *testing.T, read func([]byte) (string, error), cases []listCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := read(tt.in)
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			checkError(t, err, tt.err, tt.errAt)
		})
	}
}

func TestResources(t *testing.T) {
	iim := []byte{0x1c, 2, 80, 0, 4, 'J', 'a', 'n', 'e'}
	two := cat(resource(0x0404, "", iim), resource(0x03ed, "res", make([]byte, 16)))
	testList(t, resourceList, []listCase{
		{name: "empty", in: nil},
		{name: "one", in: resource(0x0404, "", iim), want: `0x0404 "" 12 9`},
		{name: "two", in: two, want: `0x0404 "" 12 9, 0x03ed "res" 36 16`},
		{name: "name padded", in: resource(0x0409, "a", []byte{1, 2}), want: `0x0409 "a" 12 2`},
		{name: "zero padding", in: cat(two, make([]byte, 7)), want: `0x0404 "" 12 9, 0x03ed "res" 36 16`},
		{name: "last pad byte missing", in: resource(0x0404, "", iim)[:21], want: `0x0404 "" 12 9`},
		{name: "junk after", in: cat(two, []byte("junk")), want: `0x0404 "" 12 9, 0x03ed "res" 36 16`,
			err: ErrNotResource, errAt: len(two)},
		{name: "no signature", in: []byte("8BIX\x04\x04\x00\x00\x00\x00\x00\x00"), err: ErrNotResource},
		{name: "too short", in: []byte("8BIM\x04\x04"), err: ErrNotResource},
		{name: "no size", in: []byte("8BIM\x04\x04\x00\x00\x00"), err: ErrTruncated},
		{name: "name past the end", in: []byte("8BIM\x04\x04\xff\x00\x00\x00\x00\x00"), err: ErrTruncated},
		{name: "data past the end", in: cat(two, resource(0x0404, "", iim)[:20]), want: `0x0404 "" 12 9, 0x03ed "res" 36 16`,
			err: ErrTruncated, errAt: len(two)},
		{name: "size 2^32-1", in: []byte("8BIM\x04\x04\x00\x00\xff\xff\xff\xff"), err: ErrTruncated},
	})
}

// datasetList returns what Datasets reads from b, one "record:dataset
// offset data" per dataset, and the error that ended it.
func datasetList(b []byte) (string, error) {
	var got []string
	r := NewDatasets(b)
	for {
		ds, ok := r.Next()
		if !ok {
			break
		}
		got = append(got, fmt.Sprintf("%d:%d %d %q", ds.Record, ds.Number, ds.Offset, ds.Data))
	}
	return strings.Join(got, ", "), r.Err()
}

func TestDatasets(t *testing.T) {
	two := cat(AppendDataset(nil, 2, 0, []byte{0, 4}), AppendDataset(nil, 2, 80, []byte("Jane")))
	const twoWant = `2:0 5 "\x00\x04", 2:80 12 "Jane"`
	testList(t, datasetList, []listCase{
		{name: "empty", in: nil},
		{name: "two", in: two, want: twoWant},
		{name: "empty data", in: []byte{0x1c, 2, 5, 0, 0}, want: `2:5 5 ""`},
		{name: "extended", in: []byte{0x1c, 2, 120, 0x80, 2, 0, 3, 'a', 'b', 'c'}, want: `2:120 7 "abc"`},
		{name: "extended, 4 bytes", in: []byte{0x1c, 2, 120, 0x80, 4, 0, 0, 0, 1, 'a'}, want: `2:120 9 "a"`},
		{name: "zero padding", in: cat(two, make([]byte, 9)), want: twoWant},
		{name: "a short tail", in: cat(two, []byte{0x1c, 2, 5, 0}), want: twoWant},
		{name: "junk after", in: cat(two, []byte("junk!")), want: twoWant, err: ErrNotDataset, errAt: len(two)},
		{name: "extended, 5 bytes", in: cat(two, []byte{0x1c, 2, 120, 0x80, 5, 0, 0, 0, 0, 1, 'a'}), want: twoWant,
			err: ErrExtendedLength, errAt: len(two)},
		{name: "extended length past the end", in: []byte{0x1c, 2, 120, 0x80, 4, 0, 0}, err: ErrExtendedLength},
		{name: "data past the end", in: cat(two, []byte{0x1c, 2, 80, 0, 5, 'J'}), want: twoWant,
			err: ErrTruncated, errAt: len(two)},
		{name: "extended data past the end", in: []byte{0x1c, 2, 120, 0x80, 4, 0xff, 0xff, 0xff, 0xff, 'a'}, err: ErrTruncated},
	})
}

func TestAppendResource(t *testing.T) {
	for _, data := range [][]byte{nil, {1}, []byte("Jane"), make([]byte, 257)} {
		b := AppendResource([]byte("prefix"), 0x0404, data)
		if want := cat([]byte("prefix"), resource(0x0404, "", data)); !bytes.Equal(b, want) {
			t.Errorf("AppendResource(%d bytes) = % x, want % x", len(data), b, want)
		}
		if len(b)-len("prefix") != ResourceHeaderSize+len(data)+len(data)%2 {
			t.Errorf("AppendResource(%d bytes) wrote %d bytes", len(data), len(b)-len("prefix"))
		}
	}
}

// sampleAPP13s returns the Photoshop image resources of the JPEG APP13
// segments in the repository's test files.
func sampleAPP13s(t testing.TB) [][]byte {
	t.Helper()
	const sig = "Photoshop 3.0\x00"
	var out [][]byte
	for _, name := range []string{"pillow__iptc.jpg", "jpg__xmp__BlueSquare.jpg"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		// The segment length (2 bytes, itself included) comes right
		// before the signature.
		for i := bytes.Index(b, []byte(sig)); i >= 2; {
			n := int(binary.BigEndian.Uint16(b[i-2:]))
			end := min(len(b), i-2+n)
			if end > i+len(sig) {
				out = append(out, b[i+len(sig):end])
			}
			j := bytes.Index(b[i+1:], []byte(sig))
			if j < 0 {
				break
			}
			i += 1 + j
		}
	}
	if len(out) == 0 {
		t.Fatal("no APP13 segments in the samples")
	}
	return out
}

// TestSamples reads the resources of real files, and the IPTC-IIM
// records in them, to the end.
func TestSamples(t *testing.T) {
	iim := 0
	for _, b := range sampleAPP13s(t) {
		rs := NewResources(b)
		for {
			res, ok := rs.Next()
			if !ok {
				break
			}
			if !bytes.Equal(b[res.Offset:res.Offset+len(res.Data)], res.Data) {
				t.Errorf("resource %#04x at offset %d does not hold its data", res.ID, res.Offset)
			}
			if res.ID != 0x0404 {
				continue
			}
			got, err := datasetList(res.Data)
			if err != nil || got == "" {
				t.Errorf("IPTC-IIM records: got %s, %v", got, err)
			}
			iim++
		}
		if err := rs.Err(); err != nil {
			t.Errorf("got %v", err)
		}
	}
	if iim == 0 {
		t.Error("no IPTC-NAA resource in the samples")
	}
}

// checkOffset fails unless err is nil or an *Error within b.
func checkOffset(t *testing.T, what string, err error, b []byte) {
	t.Helper()
	if err == nil {
		return
	}
	if e, ok := err.(*Error); !ok || e.Offset < 0 || e.Offset >= len(b) {
		t.Fatalf("%s: got error %v, want an *Error within the %d bytes", what, err, len(b))
	}
}

// FuzzPhotoshop feeds image resource blocks, and the IPTC-IIM records in
// them, to their readers: they never panic, every block and dataset lies
// within the bytes at its offset, errors carry offsets within the input,
// no data valid in a form (Valid) is too long or holds a NUL, and
// rewriting the standard datasets read reads back the same.
func FuzzPhotoshop(f *testing.F) {
	iim := []byte{0x1c, 2, 80, 0, 4, 'J', 'a', 'n', 'e'}
	f.Add(resource(0x0404, "", iim))
	for _, b := range sampleAPP13s(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rs := NewResources(b)
		for {
			res, ok := rs.Next()
			if !ok {
				break
			}
			if res.Offset < 0 || res.Offset+len(res.Data) > len(b) || !bytes.Equal(b[res.Offset:res.Offset+len(res.Data)], res.Data) {
				t.Fatalf("resource %#04x at offset %d, %d bytes, of %d", res.ID, res.Offset, len(res.Data), len(b))
			}
			checkDatasets(t, res.Data)
		}
		checkOffset(t, "Resources", rs.Err(), b)
		checkDatasets(t, b)
	})
}

// checkDatasets checks the fuzz invariants of Datasets on b.
func checkDatasets(t *testing.T, b []byte) {
	t.Helper()
	r := NewDatasets(b)
	var rebuilt, want []byte
	for {
		ds, ok := r.Next()
		if !ok {
			break
		}
		if ds.Offset < DatasetHeaderSize || ds.Offset+len(ds.Data) > len(b) || !bytes.Equal(b[ds.Offset:ds.Offset+len(ds.Data)], ds.Data) {
			t.Fatalf("dataset %d:%d at offset %d, %d bytes, of %d", ds.Record, ds.Number, ds.Offset, len(ds.Data), len(b))
		}
		for form := FormText; form <= FormAlpha; form++ {
			if Valid(form, 64, ds.Data) && (len(ds.Data) > 64 || bytes.IndexByte(ds.Data, 0) >= 0) {
				t.Fatalf("dataset %d:%d, %q, is valid as form %d", ds.Record, ds.Number, ds.Data, form)
			}
		}
		if len(ds.Data) <= MaxStandardLength {
			rebuilt = AppendDataset(rebuilt, ds.Record, ds.Number, ds.Data)
			want = append(want, fmt.Sprintf("%d:%d %q\n", ds.Record, ds.Number, ds.Data)...)
		}
	}
	checkOffset(t, "Datasets", r.Err(), b)
	var got []byte
	r = NewDatasets(rebuilt)
	for {
		ds, ok := r.Next()
		if !ok {
			break
		}
		got = append(got, fmt.Sprintf("%d:%d %q\n", ds.Record, ds.Number, ds.Data)...)
	}
	if r.Err() != nil || !bytes.Equal(got, want) {
		t.Fatalf("rewritten datasets read back as %s, %v; want %s", got, r.Err(), want)
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		form Form
		max  int
		data string
		want bool
	}{
		{FormText, 32, "Jane Doe", true},
		{FormText, 32, "Jane\nDoe", false},
		{FormText, 2000, "line\nbreaks", true},
		{FormText, 4, "Jane Doe", false},
		{FormText, -1, "Jane", false},
		{FormText, 32, "", false},
		{FormText, 32, "Jane\x00", false},
		{FormDate, 8, "20240601", true},
		{FormDate, 8, "20240000", true},
		{FormDate, 8, "2024-6-1", false},
		{FormTime, 11, "211403+0200", true},
		{FormTime, 11, "251403+0200", false},
		{FormAlpha, 3, "DEU", true},
		{FormAlpha, 3, "DE1", false},
		{FormAlpha, 3, "", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.form, tt.max, []byte(tt.data)); got != tt.want {
			t.Errorf("Valid(%d, %d, %q) = %v, want %v", tt.form, tt.max, tt.data, got, tt.want)
		}
	}
}
