// Command wasm is the WebAssembly build of exifscrub: built with
// GOOS=js GOARCH=wasm (see ../build.sh), it gives JavaScript the library's
// Scan and Scrub and a zip writer, through the functions that main_js.go
// registers. The JavaScript package in ../js wraps it.
//
// This file holds everything that does not need syscall/js, so that it is
// built and tested natively too.
package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/exifscrub/exifscrub"
)

// A fileReport is one element of the JSON of "exifscrub report --json",
// the same fields in the same order (cmd/exifscrub/cmd_report.go).
type fileReport struct {
	Path string `json:"path"`
	// PathBytes is the path's bytes when they are not valid UTF-8, as the
	// command-line tool gives them. A name from JavaScript is a string,
	// always valid, so this stays empty here.
	PathBytes []byte              `json:"path_bytes,omitempty"`
	Format    exifscrub.Format    `json:"format"`
	Findings  []exifscrub.Finding `json:"findings"`
	Location  *location           `json:"location,omitempty"`
	Error     string              `json:"error"`
}

type location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Map       string  `json:"map"`
}

// newFileReport gives rep the shape of the command-line tool's JSON.
func newFileReport(name string, rep *exifscrub.Report) fileReport {
	j := fileReport{Path: name, Format: rep.Format, Findings: []exifscrub.Finding{}}
	if !utf8.ValidString(name) {
		j.PathBytes = []byte(name)
	}
	if rep.Findings != nil {
		j.Findings = rep.Findings
	}
	if lat, lon, ok := rep.Location(); ok {
		j.Location = &location{lat, lon, osmLink(lat, lon)}
	}
	return j
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
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return e.Message }

// The error codes.
const (
	codeUnsupportedFormat  = "unsupported-format"
	codeFormatError        = "format-error"
	codeUnsupportedFeature = "unsupported-feature"
)

// newAPIError describes err as cmd/exifscrub's describeErr does.
func newAPIError(err error) *apiError {
	if errors.Is(err, exifscrub.ErrUnsupportedFormat) {
		return errNotImage
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

// detect returns errNotImage unless b starts like an image exifscrub reads:
// the command-line tool checks this first too, so the messages agree.
func detect(b []byte) error {
	if exifscrub.DetectFormat(b[:min(len(b), sniffLen)]) == "" {
		return errNotImage
	}
	return nil
}

// scan reports what the image in b reveals, as JSON.
func scan(name string, b []byte) ([]byte, error) {
	if err := detect(b); err != nil {
		return nil, err
	}
	rep, err := exifscrub.Scan(bytes.NewReader(b))
	if err != nil {
		return nil, newAPIError(err)
	}
	return json.Marshal(newFileReport(name, rep))
}

// A scrubResult is the outcome of scrub: the clean image, what was removed,
// and whether the clean image, scanned again, holds nothing removable.
type scrubResult struct {
	Clean  []byte
	Report []byte // JSON: what was removed
	// Rescan is what a scan of Clean finds (JSON); Verified says that
	// Scrub would remove none of it.
	Rescan   []byte
	Verified bool
}

// scrub removes the metadata opts names from the image in b, then scans the
// output again: a person is told the file is clean only when it is. The
// clean image is written to out (reset first), which Clean then shares.
func scrub(name string, b []byte, opts *exifscrub.Options, out *bytes.Buffer) (*scrubResult, error) {
	if err := detect(b); err != nil {
		return nil, err
	}
	out.Reset()
	out.Grow(len(b))
	rep, err := exifscrub.Scrub(out, bytes.NewReader(b), opts)
	if err != nil {
		return nil, newAPIError(err)
	}
	res := &scrubResult{Clean: out.Bytes()}
	if res.Report, err = json.Marshal(newFileReport(name, rep)); err != nil {
		return nil, err
	}
	// What Scrub keeps on purpose (a lone orientation, a colour profile) is
	// never reported, so a clean file scans with no findings at all.
	again, err := exifscrub.Scan(bytes.NewReader(res.Clean))
	if err != nil {
		return nil, newAPIError(err)
	}
	res.Verified = len(again.Findings) == 0
	if res.Rescan, err = json.Marshal(newFileReport(name, again)); err != nil {
		return nil, err
	}
	return res, nil
}

// A zipEntry is a file to put in a zip archive.
type zipEntry struct {
	Name string
	Data []byte
}

// makeZip stores the files in one zip archive, uncompressed (photos do not
// compress) and without timestamps (the time a photo was cleaned is a time
// too). Names are reduced to their last element and made unique.
func makeZip(files []zipEntry) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	used := make(map[string]bool, len(files))
	for _, f := range files {
		h := &zip.FileHeader{Name: uniqueName(zipName(f.Name), used), Method: zip.Store}
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.Data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// zipName is the last element of a file name from the browser, which may
// hold either kind of slash, without anything that could climb out of the
// folder it is unzipped in.
func zipName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == ".." || name == "/" || name == "" {
		name = "photo"
	}
	return name
}

// uniqueName returns name, or name with " (2)", " (3)"… before its
// extension when an earlier file in the archive took it, case-insensitively.
func uniqueName(name string, used map[string]bool) string {
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	candidate := name
	for i := 2; used[strings.ToLower(candidate)]; i++ {
		candidate = stem + " (" + strconv.Itoa(i) + ")" + ext
	}
	used[strings.ToLower(candidate)] = true
	return candidate
}
