// The worker that runs the WebAssembly module, off the page's main thread:
// a Web Worker in browsers, a worker_threads Worker in Node. It receives
// {id, op, path, data, options} and answers {id, result} or {id, error},
// with {id, progress} messages before the answer of a long scrubBlob.
// exifscrub.js starts it; nothing else needs to.

const inNode = typeof process !== "undefined" && process.versions != null && process.versions.node != null &&
  typeof WorkerGlobalScope === "undefined";

// Calls are answered one at a time, in order, once the loader is in. A
// browser drops messages that arrive while no listener is registered, so
// the listener is added before anything is awaited.
let post;
let queue = setup();
const onMessage = (msg) => {
  queue = queue.then(() => answer(msg));
};
if (!inNode) {
  post = (m, t) => self.postMessage(m, t);
  self.addEventListener("message", (e) => onMessage(e.data));
}

async function setup() {
  if (inNode) {
    const wt = "node:worker_threads"; // a variable, so that bundlers for the web leave it alone
    const { parentPort } = await import(wt);
    post = (m, t) => parentPort.postMessage(m, t);
    parentPort.on("message", onMessage); // Node queues messages until then
    if (!globalThis.crypto) globalThis.crypto = (await import("node:crypto")).webcrypto; // Node 18
  }
  await import("./wasm_exec.js"); // Go's loader, copied beside this file by build.sh: defines globalThis.Go
}

const wasmURL = new URL("./exifscrub.wasm", import.meta.url);
let compiled; // the compiled module, kept: instantiating again is cheap
let api; // globalThis.__exifscrub of the running instance, or undefined

async function compile() {
  if (inNode) {
    const fs = "node:fs/promises";
    const { readFile } = await import(fs);
    return WebAssembly.compile(await readFile(wasmURL));
  }
  const resp = await fetch(wasmURL);
  if (!resp.ok) throw new Error(`cannot load ${wasmURL}: ${resp.status}`);
  if (WebAssembly.compileStreaming && resp.headers.get("Content-Type") === "application/wasm") {
    return WebAssembly.compileStreaming(resp);
  }
  return WebAssembly.compile(await resp.arrayBuffer());
}

// start runs a fresh instance of the Go program and waits until it has
// registered its functions.
async function start() {
  compiled ??= await compile();
  const go = new globalThis.Go();
  const ready = new Promise((resolve) => { globalThis.__exifscrubReady = resolve; });
  const instance = await WebAssembly.instantiate(compiled, go.importObject);
  const exited = go.run(instance);
  exited.then(() => { api = undefined; }); // it exits only when it fails, out of memory for example
  await Promise.race([ready, exited]);
  api = globalThis.__exifscrub;
  if (!api) throw new Error("the WebAssembly module did not start");
}

async function bytesOf(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (typeof Blob !== "undefined" && data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  throw new TypeError("expected a Uint8Array, an ArrayBuffer or a Blob");
}

// A reader gives the module a Blob in slices, synchronously, through
// FileReaderSync (Web Workers only): the module asks for a window at a
// time and never holds the whole file. report(done) is told how far it got.
function reader(blob, report) {
  const fr = new FileReaderSync();
  return {
    size: blob.size,
    read(off, len) {
      if (report) report(off + len);
      return new Uint8Array(fr.readAsArrayBuffer(blob.slice(off, off + len)));
    },
  };
}

// blobSink collects the module's output into a Blob. Pieces are folded
// into the Blob every 16 MB, so the worker holds at most that much of the
// output itself; the browser keeps a Blob's data in its own storage (on
// disk past a limit), not in this worker's memory.
function blobSink(type) {
  let blob = new Blob([], { type });
  let pieces = [];
  let held = 0;
  const fold = () => {
    blob = new Blob([blob, ...pieces], { type });
    pieces = [];
    held = 0;
  };
  return {
    write(b) {
      pieces.push(b);
      held += b.length;
      if (held >= 16 << 20) fold();
    },
    blob() {
      fold();
      return blob;
    },
  };
}

const mimeTypes = {
  jpeg: "image/jpeg", png: "image/png", heif: "image/heic", avif: "image/avif", webp: "image/webp",
  mov: "video/quicktime", mp4: "video/mp4",
};

// scrubBlob cleans a Blob in slices into a Blob, then scans the clean
// Blob again the same way.
async function scrubBlob(msg) {
  const { path = "", options = {} } = msg;
  const blob = msg.data;
  if (typeof FileReaderSync === "undefined") { // Node: no synchronous Blob reads
    const r = api.scrub(path, await bytesOf(blob), options);
    if (r.error) return r;
    return { ...r, bytes: undefined, blob: new Blob([r.bytes], { type: mimeTypes[r.report.format] || "" }) };
  }
  let last = 0;
  const progress = (done) => {
    // At most one message per 1% of the file, or per 4 MB.
    if (done - last >= Math.max(blob.size / 100, 4 << 20) || done >= blob.size) {
      last = done;
      post({ id: msg.id, progress: { done: Math.min(done, blob.size), total: blob.size } });
    }
  };
  const sink = blobSink("");
  const r = api.scrub(path, reader(blob, progress), options, (b) => sink.write(b));
  if (r.error) return r;
  const type = mimeTypes[r.report.format] || "";
  const clean = sink.blob().slice(0, undefined, type);
  const again = api.rescan(path, reader(clean), options);
  if (again.error) return again;
  return { report: r.report, blob: clean, rescan: again.report, verified: again.verified };
}

async function handle(msg) {
  if (!api) await start();
  const { op, path = "", options = {} } = msg;
  let r;
  try {
    switch (op) {
      case "warmUp":
        return { result: {} };
      case "scan":
        // A Blob is read in slices where the worker can (browsers).
        r = api.scan(path, msg.data instanceof Blob && typeof FileReaderSync !== "undefined" ? reader(msg.data) : await bytesOf(msg.data),
          { names: path !== "" });
        break;
      case "scrub":
        r = api.scrub(path, await bytesOf(msg.data), options);
        break;
      case "scrubBlob":
        r = await scrubBlob(msg);
        break;
      default:
        throw new Error(`unknown operation ${op}`);
    }
  } catch (e) {
    // The Go program died (out of memory, most likely): start a new one
    // for the next call.
    api = undefined;
    return { error: { code: "internal-error", message: `the WebAssembly module failed: ${e && e.message || e}` } };
  }
  if (r.error) return { error: r.error };
  return { result: r, transfer: r.bytes ? [r.bytes.buffer] : [] };
}

async function answer(msg) {
  let a;
  try {
    a = await handle(msg);
  } catch (e) {
    a = { error: { code: "internal-error", message: String(e && e.message || e) } };
  }
  post({ id: msg.id, result: a.result, error: a.error }, a.transfer || []);
}
