package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"

	"github.com/exifscrub/exifscrub"
)

// An apiError is the body of every error answer:
// {"error": {"code": "malformed", "message": "...", "offset": 24}}.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Offset is where in the file the problem was found (422 only).
	Offset *int64 `json:"offset,omitempty"`
}

// writeError answers with a JSON error.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeAPIError(w, status, apiErrorBody{Code: code, Message: msg})
}

func writeAPIError(w http.ResponseWriter, status int, e apiErrorBody) {
	h := w.Header()
	h.Del("Trailer") // declared for a clean file that is not coming
	if status == http.StatusRequestEntityTooLarge || status == http.StatusRequestTimeout {
		// The rest of the body is not worth reading: RFC 9110 §15.5.9, §15.5.14.
		h.Set("Connection", "close")
	}
	if sw, ok := w.(*serveWriter); ok {
		sw.errCode = e.Code
	}
	b, _ := json.Marshal(apiError{e}) // strings and a number: cannot fail
	writeJSONBytes(w, status, b)
}

// writeFailure answers r with the JSON error for err, which Scrub, Scan or
// the request body returned. A body that failed otherwise (the client hung
// up, or sent a broken chunked encoding) leaves nobody to answer: the
// connection is dropped.
func writeFailure(w http.ResponseWriter, r *http.Request, err error) {
	var fe *exifscrub.FormatError
	code := failureCode(err, r)
	switch code {
	case "too_large":
		var mb *http.MaxBytesError
		errors.As(err, &mb)
		writeError(w, http.StatusRequestEntityTooLarge, code, "the body is larger than the server's limit (--max-bytes "+byteSize(mb.Limit)+")")
	case "timeout":
		writeError(w, http.StatusRequestTimeout, code, "the client sent nothing for too long (--read-timeout)")
	case "unsupported_format":
		writeError(w, http.StatusUnsupportedMediaType, code, message(err))
	case "malformed", "unsupported_feature":
		errors.As(err, &fe)
		writeAPIError(w, http.StatusUnprocessableEntity, apiErrorBody{Code: code, Message: message(err), Offset: &fe.Offset})
	case "client":
		if sw, ok := w.(*serveWriter); ok {
			sw.errCode = code
		}
		panic(http.ErrAbortHandler)
	default:
		writeError(w, http.StatusInternalServerError, code, "the server could not scrub the file")
	}
}

// failureCode is the code of the JSON error for err, in answer to r.
func failureCode(err error, r *http.Request) string {
	var mb *http.MaxBytesError
	var fe *exifscrub.FormatError
	body, _ := r.Body.(*serveBody)
	switch {
	case errors.As(err, &mb):
		return "too_large"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case body != nil && body.err != nil && errors.Is(err, body.err):
		// exifscrub returns its reader's errors as they are, never
		// inside a FormatError.
		return "client"
	case errors.Is(err, exifscrub.ErrUnsupportedFormat):
		return "unsupported_format"
	case errors.As(err, &fe) && errors.Is(err, exifscrub.ErrUnsupportedFeature):
		return "unsupported_feature"
	case errors.As(err, &fe):
		return "malformed"
	}
	return "internal"
}

// message is err's text without the package prefix.
func message(err error) string { return strings.TrimPrefix(err.Error(), "exifscrub: ") }

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	writeJSONBytes(w, status, b)
}

func writeJSONBytes(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
