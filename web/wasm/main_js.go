//go:build js && wasm

package main

import (
	"bytes"
	"syscall/js"

	"github.com/exifscrub/exifscrub"
)

// main registers the module's functions as globalThis.__exifscrub and
// waits for calls. Every function takes and returns plain JavaScript
// values; a failure is returned as {error: {code, message}}, never thrown,
// and the JavaScript package turns it into a rejected promise.
func main() {
	api := js.Global().Get("Object").New()
	api.Set("scan", js.FuncOf(jsScan))
	api.Set("scrub", js.FuncOf(jsScrub))
	api.Set("zip", js.FuncOf(jsZip))
	js.Global().Set("__exifscrub", api)
	if ready := js.Global().Get("__exifscrubReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}

// The input and output buffers of scan and scrub are kept from call to
// call: a page cleaning many photos then reuses the same memory instead of
// making the garbage collector find and clear new memory each time. The
// module runs one call at a time.
var (
	input  []byte
	output bytes.Buffer
)

// inputBytes copies v into the shared input buffer.
func inputBytes(v js.Value) []byte {
	n := v.Get("length").Int()
	if cap(input) < n {
		input = make([]byte, n)
	}
	b := input[:n]
	js.CopyBytesToGo(b, v)
	return b
}

// jsScan(name, bytes) returns {report: JSON}.
func jsScan(_ js.Value, args []js.Value) any {
	b := inputBytes(args[1])
	report, err := scan(args[0].String(), b)
	if err != nil {
		return jsError(err)
	}
	return map[string]any{"report": string(report)}
}

// jsScrub(name, bytes, {dropColorProfile, dropOrientation}) returns
// {bytes, report: JSON, rescan: JSON, verified}.
func jsScrub(_ js.Value, args []js.Value) any {
	b := inputBytes(args[1])
	opts := &exifscrub.Options{}
	if o := args[2]; o.Type() == js.TypeObject {
		opts.DropColorProfile = o.Get("dropColorProfile").Truthy()
		opts.DropOrientation = o.Get("dropOrientation").Truthy()
	}
	res, err := scrub(args[0].String(), b, opts, &output)
	if err != nil {
		return jsError(err)
	}
	return map[string]any{
		"bytes":    jsBytes(res.Clean),
		"report":   string(res.Report),
		"rescan":   string(res.Rescan),
		"verified": res.Verified,
	}
}

// jsZip(names, arrays) returns {bytes}: one zip archive holding the files.
func jsZip(_ js.Value, args []js.Value) any {
	names, data := args[0], args[1]
	files := make([]zipEntry, names.Length())
	for i := range files {
		files[i] = zipEntry{names.Index(i).String(), goBytes(data.Index(i))}
	}
	z, err := makeZip(files)
	if err != nil {
		return jsError(err)
	}
	return map[string]any{"bytes": jsBytes(z)}
}

func goBytes(v js.Value) []byte {
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b
}

func jsBytes(b []byte) js.Value {
	v := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(v, b)
	return v
}

func jsError(err error) map[string]any {
	e, ok := err.(*apiError)
	if !ok {
		e = &apiError{Code: codeFormatError, Message: err.Error()}
	}
	return map[string]any{"error": map[string]any{"code": e.Code, "message": e.Message}}
}
