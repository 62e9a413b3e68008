//go:build js && wasm

package main

import (
	"bufio"
	"bytes"
	"io"
	"syscall/js"

	"github.com/exifscrub/exifscrub"
)

// main registers the module's functions as globalThis.__exifscrub and
// waits for calls. Every function takes and returns plain JavaScript
// values; a failure is returned as {error: {code, message}}, never thrown,
// and the JavaScript package turns it into a rejected promise.
//
// An input (src) is a Uint8Array, copied into the module whole, or a
// reader {size, read(offset, length, into)} whose read copies that part
// of the file into the Uint8Array into, synchronously, and returns how
// many bytes it copied (the worker's FileReaderSync over a Blob): the
// module then holds only a window of it, so a video of any size is
// cleaned in bounded memory.
//
// Each JavaScript value the module is handed stays alive, for
// JavaScript's garbage collector, until Go's collector has finalized the
// js.Value that refers to it, and Go's heap hardly grows while a video is
// copied, so Go's collector hardly runs. Hence the buffers that cross
// (into, and the sink's pieces) are made once and reused, and only
// numbers come back: handing the module a new Uint8Array per read kept
// every one of them, 3 MB for each megabyte of video cleaned.
func main() {
	api := js.Global().Get("Object").New()
	api.Set("scan", js.FuncOf(jsScan))
	api.Set("scrub", js.FuncOf(jsScrub))
	api.Set("rescan", js.FuncOf(jsRescan))
	js.Global().Set("__exifscrub", api)
	if ready := js.Global().Get("__exifscrubReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}

// The input and output buffers of in-memory calls are kept from call to
// call: a page cleaning many photos then reuses the same memory instead of
// making the garbage collector find and clear new memory each time. The
// module runs one call at a time.
var (
	input  []byte
	output bytes.Buffer
)

// newSource is the input v: a Uint8Array copied into the shared input
// buffer, or a reader read in windows.
func newSource(v js.Value) source {
	if v.InstanceOf(js.Global().Get("Uint8Array")) {
		n := v.Length()
		if cap(input) < n {
			input = make([]byte, n)
		}
		b := input[:n]
		js.CopyBytesToGo(b, v)
		return bytes.NewReader(b)
	}
	size := int64(v.Get("size").Float())
	r := &blobReader{read: v.Get("read"), size: size, into: js.Global().Get("Uint8Array").New(windowSize)}
	return io.NewSectionReader(r, 0, size)
}

// windowSize is how much of a Blob one call to JavaScript reads: large
// enough that crossing into JavaScript costs little per byte, small
// enough to hold. Scrub's own reads of headers are smaller; its copies of
// media data larger, and those go straight into its buffer.
const windowSize = 1 << 20

// A blobReader reads a Blob through a JavaScript function, keeping the
// last window read.
type blobReader struct {
	read   js.Value
	size   int64
	into   js.Value // a Uint8Array of windowSize that read copies into
	win    []byte
	winOff int64
}

func (r *blobReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= r.size {
		return 0, io.EOF
	}
	want := min(int64(len(p)), r.size-off)
	if want >= windowSize {
		n := r.fetch(p[:want], off)
		return r.result(n, len(p), want)
	}
	if off < r.winOff || off+want > r.winOff+int64(len(r.win)) {
		if r.win == nil {
			r.win = make([]byte, windowSize)
		}
		n := min(windowSize, r.size-off)
		r.win = r.win[:r.fetch(r.win[:n], off)]
		r.winOff = off
	}
	n := copy(p[:want], r.win[off-r.winOff:])
	return r.result(n, len(p), want)
}

func (r *blobReader) result(n, asked int, want int64) (int, error) {
	switch {
	case int64(n) < want:
		return n, io.ErrUnexpectedEOF // the Blob shrank: it is read wrongly
	case n < asked:
		return n, io.EOF
	}
	return n, nil
}

// fetch reads len(p) bytes at off into p, a window at a time, and returns
// how many it read.
func (r *blobReader) fetch(p []byte, off int64) int {
	n := 0
	for n < len(p) {
		k := min(len(p)-n, windowSize)
		got := min(r.read.Invoke(float64(off+int64(n)), k, r.into).Int(), k)
		js.CopyBytesToGo(p[n:n+got], r.into)
		n += got
		if got < k {
			break
		}
	}
	return n
}

// A sinkWriter hands the output to a JavaScript function sink(buf, n), a
// window at a time: the first n bytes of buf, a Uint8Array that the next
// call overwrites (the function copies what it keeps).
type sinkWriter struct{ sink, buf js.Value }

func newSinkWriter(sink js.Value) sinkWriter {
	return sinkWriter{sink, js.Global().Get("Uint8Array").New(windowSize)}
}

func (w sinkWriter) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0; {
		k := js.CopyBytesToJS(w.buf, rest[:min(len(rest), windowSize)])
		w.sink.Invoke(w.buf, k)
		rest = rest[k:]
	}
	return len(p), nil
}

// options reads {dropColorProfile, dropOrientation, keep, coarseLocation,
// keepMotion}:
// the JavaScript package has checked their types.
func options(o js.Value) (*exifscrub.Options, error) {
	opts := &exifscrub.Options{}
	if o.Type() != js.TypeObject {
		return opts, nil
	}
	opts.DropColorProfile = o.Get("dropColorProfile").Truthy()
	opts.DropOrientation = o.Get("dropOrientation").Truthy()
	opts.KeepMotion = o.Get("keepMotion").Truthy()
	if k := o.Get("keep"); k.Type() == js.TypeObject {
		names := make([]string, k.Length())
		for i := range names {
			names[i] = k.Index(i).String()
		}
		keep, err := parseKeep(names)
		if err != nil {
			return nil, err
		}
		opts.Keep = keep
	}
	if c := o.Get("coarseLocation"); c.Type() == js.TypeNumber {
		opts.CoarseLocation = c.Float()
	}
	return opts, nil
}

// jsScan(name, src, {names}) returns {report}.
func jsScan(_ js.Value, args []js.Value) any {
	o := arg(args, 2)
	rep, err := scan(arg(args, 0).String(), newSource(arg(args, 1)), o.Type() == js.TypeObject && o.Get("names").Truthy())
	if err != nil {
		return jsError(err)
	}
	return object{"report": toJS(rep)}
}

// jsScrub(name, src, options, sink) returns {report}, having given the
// clean file to sink(buf, n) in pieces (see sinkWriter); or, without a sink,
// {bytes, report, rescan, verified}, the clean file whole and scanned
// again.
func jsScrub(_ js.Value, args []js.Value) any {
	name, src, sink := arg(args, 0).String(), newSource(arg(args, 1)), arg(args, 3)
	opts, err := options(arg(args, 2))
	if err != nil {
		return jsError(err)
	}
	if sink.Type() == js.TypeFunction {
		w := bufio.NewWriterSize(newSinkWriter(sink), windowSize)
		rep, err := scrub(name, src, opts, w)
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			return jsError(err)
		}
		return object{"report": toJS(rep)}
	}
	output.Reset()
	output.Grow(int(src.Size()))
	rep, err := scrub(name, src, opts, &output)
	if err != nil {
		return jsError(err)
	}
	again, verified, err := rescan(name, bytes.NewReader(output.Bytes()), opts)
	if err != nil {
		return jsError(err)
	}
	return object{"bytes": jsBytes(output.Bytes()), "report": toJS(rep), "rescan": toJS(again), "verified": verified}
}

// jsRescan(name, src, options) returns {report, verified}: what a scan of
// a clean file finds, and whether Scrub would remove nothing more.
func jsRescan(_ js.Value, args []js.Value) any {
	opts, err := options(arg(args, 2))
	if err != nil {
		return jsError(err)
	}
	rep, verified, err := rescan(arg(args, 0).String(), newSource(arg(args, 1)), opts)
	if err != nil {
		return jsError(err)
	}
	return object{"report": toJS(rep), "verified": verified}
}

// arg is args[i], or undefined when JavaScript passed fewer.
func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

// toJS is o as a JavaScript object, through JSON.parse (see appendJSON).
func toJS(o object) js.Value {
	return js.Global().Get("JSON").Call("parse", string(appendJSON(nil, o)))
}

func jsBytes(b []byte) js.Value {
	v := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(v, b)
	return v
}

func jsError(err error) any {
	e := newAPIError(err)
	return object{"error": object{"code": e.Code, "message": e.Message}}
}
