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
// time and never holds the whole file. report(n) is told how many bytes
// it has read so far: the module reads a video's 'moov' at the end before
// the rest, so the offset of the last read would jump to the end at once.
function reader(blob, report) {
  const fr = new FileReaderSync();
  let read = 0;
  return {
    size: blob.size,
    // read copies len bytes at off into the Uint8Array into (the module's,
    // reused) and returns how many it copied.
    read(off, len, into) {
      read += len;
      if (report) report(Math.min(read, blob.size));
      const b = new Uint8Array(fr.readAsArrayBuffer(blob.slice(off, off + len)));
      into.set(b);
      return b.length;
    },
  };
}

// blobSink collects the module's output into a Blob. Pieces are folded
// into the Blob every 16 MB, so the worker holds at most that much of the
// output as pieces; but Chromium keeps the data of a Blob built in a
// worker in the worker's process, so the whole output stays in memory.
// That is fine for a photo, not for a 1 GB video: see fileSink.
function blobSink() {
  let blob = new Blob([]);
  let pieces = [];
  let held = 0;
  const fold = () => {
    blob = new Blob([blob, ...pieces]);
    pieces = [];
    held = 0;
  };
  return {
    write(b) {
      pieces.push(b.slice()); // b is the module's buffer, reused
      held += b.length;
      if (held >= 16 << 20) fold();
    },
    async blob() {
      fold();
      return blob;
    },
  };
}

// Large outputs go to a file in the origin's private file system (OPFS),
// written synchronously as the module produces it; the File read back from
// it is backed by the disk, so memory stays bounded whatever the size. The
// files are the clean copies only, and live no longer than the pages that
// offer them: each worker keeps its files in a folder of its own, named
// after a Web Lock it holds while it lives, and a worker that starts
// removes every folder whose lock nobody holds (a closed tab's).
const fileSinkFrom = 64 << 20;
const lockPrefix = "exifscrub-clean-";
let ownFolder; // a promise of this worker's folder, or of null without OPFS

function folder() {
  ownFolder ??= (async () => {
    if (typeof FileSystemFileHandle === "undefined" || !FileSystemFileHandle.prototype.createSyncAccessHandle ||
      !navigator.storage || !navigator.locks) return null;
    try {
      const root = await navigator.storage.getDirectory();
      const name = lockPrefix + self.crypto.randomUUID();
      await new Promise((held) => {
        navigator.locks.request(name, () => { held(); return new Promise(() => {}); }); // held until the worker ends
      });
      const live = new Set((await navigator.locks.query()).held.map((l) => l.name));
      for await (const k of root.keys()) {
        if (k.startsWith(lockPrefix) && !live.has(k)) await root.removeEntry(k, { recursive: true }).catch(() => {});
      }
      return await root.getDirectoryHandle(name, { create: true });
    } catch {
      return null; // no OPFS here (a private window, say): keep outputs in memory
    }
  })();
  return ownFolder;
}

// fileSink writes the output into a new file of this worker's folder.
async function fileSink(dir) {
  const fh = await dir.getFileHandle(self.crypto.randomUUID(), { create: true });
  const h = await fh.createSyncAccessHandle();
  let at = 0;
  return {
    write(b) {
      at += h.write(b, { at });
    },
    async blob() {
      h.flush();
      h.close();
      return fh.getFile();
    },
    abort() {
      h.close();
      dir.removeEntry(fh.name).catch(() => {});
    },
  };
}

const mimeTypes = {
  jpeg: "image/jpeg", png: "image/png", heif: "image/heic", avif: "image/avif", webp: "image/webp",
  mov: "video/quicktime", mp4: "video/mp4",
};

// Blobs smaller than wholeBelow (photos) are read whole, in one read, and
// cleaned in memory, where the module scans its output again without
// reading it back: each read of a Blob is a round trip to the browser's
// process, and in slices a 3 MB HEIC took 8 of them, 34 ms against 9 ms
// whole in Chromium (docs/web-bench.md). That holds the file about four
// times over (read, in the module, its output, the clean Blob) for a
// moment.
const wholeBelow = 16 << 20;

// scrubBlob cleans a Blob in slices into a Blob, then scans the clean
// Blob again the same way; a photo, whole.
async function scrubBlob(msg) {
  const { path = "", options = {} } = msg;
  const blob = msg.data;
  if (typeof FileReaderSync === "undefined" || blob.size < wholeBelow) { // Node has no synchronous Blob reads
    const r = api.scrub(path, await bytesOf(blob), options);
    if (r.error) return r;
    return { ...r, bytes: undefined, blob: new Blob([r.bytes], { type: mimeTypes[r.report.format] || "" }) };
  }
  let last = 0;
  const progress = (done) => {
    // At most one message per 1% of the file, or per 4 MB.
    if (done - last >= Math.max(blob.size / 100, 4 << 20) || done >= blob.size) {
      last = done;
      post({ id: msg.id, progress: { done, total: blob.size } });
    }
  };
  const dir = blob.size >= fileSinkFrom ? await folder() : null;
  const sink = dir ? await fileSink(dir) : blobSink();
  const r = api.scrub(path, reader(blob, progress), options, (buf, n) => sink.write(buf.subarray(0, n)));
  if (r.error) {
    if (sink.abort) sink.abort();
    return r;
  }
  const type = mimeTypes[r.report.format] || "";
  const out = await sink.blob();
  const clean = out.slice(0, out.size, type);
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
  // The copy of the caller's bytes goes back as the spare buffer for the
  // next call (exifscrub.js): the module has copied it in.
  const transfer = a.transfer || [];
  let spare;
  if (msg.copied && msg.data.buffer.byteLength > 0) {
    spare = msg.data.buffer;
    transfer.push(spare);
  }
  post({ id: msg.id, result: a.result, error: a.error, spare }, transfer);
}
