// exifscrub: find and remove the metadata that gives a photo's or video's
// owner away — GPS position, times, device, names — without re-encoding
// it. The Go library github.com/exifscrub/exifscrub, compiled to
// WebAssembly, runs in a worker (a Web Worker in browsers, worker_threads
// in Node), so that the page or server stays responsive while a large file
// is cleaned.
import { makeZip } from "./zip.js";

/** An error from exifscrub: message as the exifscrub command prints it, and a code. */
export class ExifscrubError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "ExifscrubError";
    this.code = code;
  }
}

let worker; // the running worker, started on first use
let nextID = 1;
const pending = new Map(); // id -> {resolve, reject, onProgress}

async function getWorker() {
  if (worker) return worker;
  const url = new URL("./worker.js", import.meta.url);
  if (typeof globalThis.Worker === "function") {
    const w = new Worker(url, { type: "module" });
    w.addEventListener("message", (e) => settle(e.data));
    w.addEventListener("error", (e) => failAll(`the exifscrub worker failed: ${e.message || "could not load it"}`));
    worker = { post: (m, t) => w.postMessage(m, t), ref() {}, unref() {}, terminate: () => w.terminate() };
  } else if (typeof process !== "undefined" && process.versions && process.versions.node) {
    const wt = "node:worker_threads";
    const { Worker: NodeWorker } = await import(wt);
    const w = new NodeWorker(url);
    w.on("message", settle);
    w.on("error", (e) => failAll(`the exifscrub worker failed: ${e.message}`));
    w.unref(); // an idle worker does not keep Node running
    worker = { post: (m, t) => w.postMessage(m, t), ref: () => w.ref(), unref: () => w.unref(), terminate: () => w.terminate() };
  } else {
    throw new Error("exifscrub needs Web Workers or Node's worker_threads");
  }
  return worker;
}

function settle(msg) {
  const p = pending.get(msg.id);
  if (!p) return;
  keepSpare(msg.spare);
  if (msg.progress) {
    if (p.onProgress) p.onProgress(msg.progress);
    return;
  }
  pending.delete(msg.id);
  if (pending.size === 0 && worker) worker.unref();
  if (msg.error) p.reject(new ExifscrubError(msg.error.code, msg.error.message));
  else p.resolve(msg.result);
}

function failAll(message) {
  for (const p of pending.values()) p.reject(new ExifscrubError("internal-error", message));
  pending.clear();
  if (worker) worker.terminate();
  worker = undefined;
}

// Bytes go to the worker as a copy in a buffer that is transferred, not
// cloned: structured cloning copies them twice (into the message, and out
// of it in the worker), 2.4 ms for a 3 MB photo in Chromium. The copy goes
// into a spare buffer, which the worker sends back with its answer, so
// that memory already touched is used again: a new 3 MB buffer costs
// 1.3 ms to fill, a used one 0.2 ms (docs/web-bench.md). The caller's
// buffer is left alone. spare is the buffer idle on this side, if any;
// one larger than maxSpare is not kept.
let spare;
const maxSpare = 64 << 20;

// owned returns data as the worker is to get it, whether it is a copy the
// worker may send back as the spare, and what to transfer.
function owned(data) {
  let src;
  if (data instanceof Uint8Array) src = data;
  else if (data instanceof ArrayBuffer) src = new Uint8Array(data);
  else return [data, false, []]; // a Blob, or nothing: a handle, cloned cheaply
  const buf = spare && spare.byteLength >= src.length ? spare : new ArrayBuffer(src.length);
  if (buf === spare) spare = undefined;
  const c = new Uint8Array(buf, 0, src.length);
  c.set(src);
  return [c, true, [buf]];
}

function keepSpare(b) {
  if (b instanceof ArrayBuffer && b.byteLength <= maxSpare && !(spare && spare.byteLength >= b.byteLength)) spare = b;
}

async function call(msg, onProgress) {
  const w = await getWorker();
  const id = nextID++;
  const [data, copied, transfer] = owned(msg.data);
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject, onProgress });
    w.ref();
    w.post({ ...msg, data, copied, id }, transfer);
  });
}

function checkInput(data, what = "data") {
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) return;
  if (typeof Blob !== "undefined" && data instanceof Blob) return;
  throw new TypeError(`exifscrub: ${what}: expected a Uint8Array, an ArrayBuffer or a Blob`);
}

// The categories Options.Keep may name (exifscrub.Keepable).
const keepable = ["location", "time", "device", "identity", "text"];

// checkOptions rejects options the function does not know, and values of
// the wrong kind: a misspelt "coarselocation" must not silently keep the
// precise position.
function checkOptions(options, allowed) {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object") throw new TypeError("exifscrub: options must be an object");
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw new TypeError(`exifscrub: unknown option ${JSON.stringify(k)} (known: ${allowed.join(", ")})`);
  }
  const o = options;
  if (o.path !== undefined && typeof o.path !== "string") throw new TypeError("exifscrub: path must be a string");
  for (const k of ["dropColorProfile", "dropOrientation", "keepMotion"]) {
    if (o[k] !== undefined && typeof o[k] !== "boolean") throw new TypeError(`exifscrub: ${k} must be true or false`);
  }
  if (o.keep !== undefined) {
    if (!Array.isArray(o.keep)) throw new TypeError("exifscrub: keep must be an array of category names");
    for (const c of o.keep) {
      if (!keepable.includes(c)) throw new TypeError(`exifscrub: keep: ${JSON.stringify(c)} cannot be kept (keepable: ${keepable.join(", ")})`);
    }
  }
  if (o.coarseLocation !== undefined) {
    const c = o.coarseLocation;
    if (typeof c !== "number" || !(c >= 0 && c <= 180)) throw new TypeError("exifscrub: coarseLocation must be a number of degrees from 0 to 180");
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== "function") throw new TypeError("exifscrub: onProgress must be a function");
  return o;
}

// defaultPath is the report's path: the option, or a File's name.
function defaultPath(data, options) {
  if (typeof options.path === "string") return options.path;
  if (typeof File !== "undefined" && data instanceof File) return data.name;
  return "";
}

function policy(o) {
  return {
    dropColorProfile: !!o.dropColorProfile,
    dropOrientation: !!o.dropOrientation,
    keep: o.keep ? [...o.keep] : [],
    coarseLocation: o.coarseLocation || 0,
    keepMotion: !!o.keepMotion,
  };
}

/**
 * Reports what the file reveals, in the shape of one element of
 * `exifscrub report --json`: with a name (the path option, or a File's),
 * a name that tells when it was taken is a finding too. Rejects with an
 * ExifscrubError.
 */
export async function scan(data, options = {}) {
  checkInput(data);
  const o = checkOptions(options, ["path"]);
  return (await call({ op: "scan", path: defaultPath(data, o), data })).report;
}

const scrubOptions = ["path", "dropColorProfile", "dropOrientation", "keep", "coarseLocation", "keepMotion"];

/**
 * Removes the metadata and returns {bytes, report, rescan, verified}:
 * the clean file, what was removed, what a scan of the clean file finds,
 * and whether Scrub would remove nothing more from it. Rejects with an
 * ExifscrubError.
 */
export async function scrub(data, options = {}) {
  checkInput(data);
  const o = checkOptions(options, scrubOptions);
  return call({ op: "scrub", path: defaultPath(data, o), data, options: policy(o) });
}

/**
 * Like scrub, for a Blob or File of any size, a video for one: the worker
 * reads it in slices and writes the clean copy into a Blob, so memory stays
 * bounded (in browsers; Node reads the Blob whole). Returns
 * {blob, report, rescan, verified}; onProgress({done, total}) is called as
 * the file is read.
 */
export async function scrubBlob(blob, options = {}) {
  if (typeof Blob === "undefined" || !(blob instanceof Blob)) throw new TypeError("exifscrub: scrubBlob takes a Blob or a File");
  const o = checkOptions(options, [...scrubOptions, "onProgress"]);
  return call({ op: "scrubBlob", path: defaultPath(blob, o), data: blob, options: policy(o) }, o.onProgress);
}

/**
 * Stores files ([{name, bytes}], bytes a Uint8Array, ArrayBuffer or Blob)
 * in one zip archive, uncompressed and without timestamps; names are
 * reduced to their last element and made unique. Returns a Uint8Array, or
 * a Blob with {blob: true}, which a browser can keep out of the page's
 * memory (for videos).
 */
export async function zip(files, options = {}) {
  const o = checkOptions(options, ["blob"]);
  for (const f of files) checkInput(f.bytes, String(f.name));
  const z = await makeZip(files.map((f) => ({ name: String(f.name), data: f.bytes })));
  return o.blob ? z : new Uint8Array(await z.arrayBuffer());
}

/** Starts the worker and compiles the module now, so that the first file is cleaned sooner. */
export async function warmUp() {
  await call({ op: "warmUp" });
}

/** Stops the worker; the next call starts a new one. */
export function terminate() {
  failAll("exifscrub was terminated");
}
