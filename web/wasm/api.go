// Command wasm is the WebAssembly build of exifscrub: built with
// GOOS=js GOARCH=wasm (see ../build.sh), it gives JavaScript the library's
// Scan and Scrub through the functions that main_js.go registers. The
// JavaScript package in ../js wraps it.
//
// This file holds everything that does not need syscall/js, so that it is
// built and tested natively too. It uses only the library's public API,
// and neither encoding/json nor archive/zip: reports go to JavaScript as
// JSON that appendJSON writes (see toJS in main_js.go), and the zip is
// written in JavaScript (../js/zip.js), from Blobs, so that it can hold
// videos.
package main

import (
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/exifscrub/exifscrub"
)

// An object is a JavaScript object as Go builds it: a map of strings to
// strings, numbers, booleans, objects and arrays ([]any). A report goes
// to JavaScript as appendJSON's JSON; natively, encoding/json gives the
// same.
type object = map[string]any

// appendJSON appends v, an object as report builds it, as JSON (RFC
// 8259), keys sorted. A report crosses into JavaScript as one string for
// JSON.parse: built key by key through syscall/js, each key and value a
// call across, the iPhone HEIC's took 0.7 ms, more than copying the photo
// out (docs/web-bench.md).
func appendJSON(b []byte, v any) []byte {
	switch v := v.(type) {
	case object:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSON(b, v[k])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	case string:
		return appendJSONString(b, v)
	case float64:
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case bool:
		return strconv.AppendBool(b, v)
	}
	return append(b, "null"...)
}

// appendJSONString appends s as a JSON string (RFC 8259 §7): quotes,
// backslashes and control characters escaped, each byte that is not UTF-8
// as U+FFFD, as encoding/json writes the command-line tool's report.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s { // an invalid byte is utf8.RuneError, U+FFFD
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', "0123456789abcdef"[r>>4], "0123456789abcdef"[r&15])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

// report gives rep the shape of one element of the JSON of
// "exifscrub report --json" (cmd/exifscrub/cmd_report.go): path, format,
// findings, kept (when not empty), damaged (when true), location, error. A name from
// JavaScript is a string, always valid UTF-8, so there is no path_bytes.
func report(name string, rep *exifscrub.Report) object {
	o := object{"path": name, "format": string(rep.Format), "findings": findings(rep.Findings), "error": ""}
	if len(rep.Kept) > 0 {
		o["kept"] = findings(rep.Kept)
	}
	if rep.Damaged {
		o["damaged"] = true
	}
	if lat, lon, ok := rep.Location(); ok {
		o["location"] = object{"latitude": lat, "longitude": lon, "map": osmLink(lat, lon)}
	}
	return o
}

func findings(fs []exifscrub.Finding) []any {
	out := make([]any, len(fs))
	for i, f := range fs {
		o := object{"category": string(f.Category), "container": f.Container, "tag": f.Tag, "value": f.Value}
		if f.More > 0 {
			o["more"] = f.More
		}
		out[i] = o
	}
	return out
}

// addNameFinding adds the finding exifscrub.ScanName makes of name, if
// any, as the command-line tool's report does (cmd/exifscrub/keep.go):
// among the findings, after those of categories before Time, or among the
// kept ones when the policy keeps the time.
func addNameFinding(rep *exifscrub.Report, name string, opts *exifscrub.Options) {
	f, ok := exifscrub.ScanName(name)
	if !ok {
		return
	}
	rank := func(c exifscrub.Category) int { return slices.Index(exifscrub.Categories(), c) }
	insert := func(fs []exifscrub.Finding) []exifscrub.Finding {
		i := 0
		for i < len(fs) && rank(fs[i].Category) < rank(exifscrub.Time) {
			i++
		}
		return slices.Insert(fs, i, f)
	}
	if opts != nil && slices.Contains(opts.Keep, exifscrub.Time) {
		rep.Kept = insert(rep.Kept)
		return
	}
	rep.Findings = insert(rep.Findings)
}

// osmLink is the map link that the command-line tool prints.
func osmLink(lat, lon float64) string {
	la, lo := coord(lat), coord(lon)
	return "https://www.openstreetmap.org/?mlat=" + la + "&mlon=" + lo + "#map=16/" + la + "/" + lo
}

func coord(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

// An apiError is an error as JavaScript sees it: the message that the
// command-line tool prints for the file, and a code to branch on.
type apiError struct {
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Message }

// The error codes.
const (
	codeUnsupportedFormat  = "unsupported-format"
	codeFormatError        = "format-error"
	codeUnsupportedFeature = "unsupported-feature"
	codeInvalidOptions     = "invalid-options"
)

// newAPIError describes err as cmd/exifscrub's describeErr does.
func newAPIError(err error) *apiError {
	var e *apiError
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, exifscrub.ErrUnsupportedFormat):
		if u := (*exifscrub.UnsupportedFormatError)(nil); errors.As(err, &u) && u.Name != "" {
			return &apiError{codeUnsupportedFormat, "not a supported format: " + u.Name}
		}
		return errNotImage
	case errors.Is(err, exifscrub.ErrInvalidOptions):
		return &apiError{codeInvalidOptions, strings.TrimPrefix(err.Error(), "exifscrub: ")}
	}
	code := codeFormatError
	if errors.Is(err, exifscrub.ErrUnsupportedFeature) {
		code = codeUnsupportedFeature
	}
	return &apiError{code, strings.TrimPrefix(err.Error(), "exifscrub: ")}
}

// errNotImage is the error for input that is not an image in a supported
// format, empty input included, as the command-line tool words it.
var errNotImage = &apiError{codeUnsupportedFormat, "not an image in a supported format"}

// sniffLen is how many bytes the command-line tool gives DetectFormat.
const sniffLen = 64

// A source is an input: all of it in memory (a *bytes.Reader), or a
// JavaScript Blob read in slices (main_js.go's blobReader in an
// io.SectionReader). Both are io.ReaderAt and io.Seeker, which lets Scrub
// read ahead to a video's 'moov' instead of failing when it comes last.
type source interface {
	io.Reader
	io.ReaderAt
	io.Seeker
	Size() int64
}

// detect returns the format of src, or errNotImage unless it starts like a
// file exifscrub reads: the command-line tool checks this first too, so the
// messages agree.
func detect(src source) (exifscrub.Format, error) {
	var head [sniffLen]byte
	n, _ := src.ReadAt(head[:min(int64(len(head)), src.Size())], 0)
	f := exifscrub.DetectFormat(head[:n])
	if f == "" {
		return "", errNotImage
	}
	return f, nil
}

// scan reports what the file in src reveals; the name's finding too when
// names is set.
func scan(name string, src source, names bool) (object, error) {
	if _, err := detect(src); err != nil {
		return nil, err
	}
	rep, err := exifscrub.Scan(src)
	if err != nil {
		return nil, newAPIError(err)
	}
	if names {
		addNameFinding(rep, name, nil)
	}
	return report(name, rep), nil
}

// scrub removes the metadata opts names from the file in src, writing the
// clean file to w, and reports what it removed (with the name's finding:
// the clean copy is to be given a neutral name). The caller then scans
// the clean file again; see rescan.
func scrub(name string, src source, opts *exifscrub.Options, w io.Writer) (object, error) {
	if _, err := detect(src); err != nil {
		return nil, err
	}
	rep, err := exifscrub.Scrub(w, src, opts)
	if err != nil {
		return nil, newAPIError(err)
	}
	addNameFinding(rep, name, opts)
	return report(name, rep), nil
}

// rescan scans a clean file and says whether Scrub would remove nothing
// more from it. What Scrub keeps on purpose (a lone orientation, a colour
// profile) is never reported, and what Options.Keep or KeepMotion kept is
// compared with a scrub under the same options: a kept tag (or motion
// video) is found again, but Scrub would keep it again too, so it is in
// Kept, not Findings.
func rescan(name string, clean source, opts *exifscrub.Options) (rep object, verified bool, err error) {
	var r *exifscrub.Report
	if opts != nil && (len(opts.Keep) > 0 || opts.KeepMotion) {
		r, err = exifscrub.Scrub(io.Discard, clean, opts)
	} else {
		r, err = exifscrub.Scan(clean)
	}
	if err != nil {
		return nil, false, newAPIError(err)
	}
	return report(name, r), len(r.Findings) == 0, nil
}

// Keep and CoarseLocation come from JavaScript as names and a number;
// parseKeep turns the names into categories.
func parseKeep(names []string) ([]exifscrub.Category, error) {
	var keep []exifscrub.Category
	for _, n := range names {
		c, err := exifscrub.ParseCategory(n)
		if err != nil {
			return nil, &apiError{codeInvalidOptions, strings.TrimPrefix(err.Error(), "exifscrub: ")}
		}
		keep = append(keep, c)
	}
	return keep, nil
}
