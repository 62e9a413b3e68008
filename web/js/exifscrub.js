// exifscrub: find and remove the metadata that gives a photo's owner away —
// GPS position, times, device, names — without re-encoding the image. The
// Go library github.com/exifscrub/exifscrub, compiled to WebAssembly, runs
// in a worker (a Web Worker in browsers, worker_threads in Node), so that
// the page or server stays responsive while a large photo is cleaned.

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
const pending = new Map(); // id -> {resolve, reject}

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

async function call(msg) {
  const w = await getWorker();
  const id = nextID++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.ref();
    w.post({ ...msg, id });
  });
}

function checkInput(data) {
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) return;
  if (typeof Blob !== "undefined" && data instanceof Blob) return;
  throw new TypeError("exifscrub: expected a Uint8Array, an ArrayBuffer or a Blob");
}

// defaultPath is the report's path: the option, or a File's name.
function defaultPath(data, options) {
  if (options && typeof options.path === "string") return options.path;
  if (typeof File !== "undefined" && data instanceof File) return data.name;
  return "";
}

/**
 * Reports what the image reveals, in the shape of one element of
 * `exifscrub report --json`. Rejects with an ExifscrubError.
 */
export async function scan(data, options = {}) {
  checkInput(data);
  const r = await call({ op: "scan", path: defaultPath(data, options), data });
  return JSON.parse(r.report);
}

/**
 * Removes the metadata and returns {bytes, report, rescan, verified}:
 * the clean image, what was removed, what a scan of the clean image finds,
 * and whether that scan found nothing. Rejects with an ExifscrubError.
 */
export async function scrub(data, options = {}) {
  checkInput(data);
  const opts = { dropColorProfile: !!options.dropColorProfile, dropOrientation: !!options.dropOrientation };
  const r = await call({ op: "scrub", path: defaultPath(data, options), data, options: opts });
  return { bytes: r.bytes, report: JSON.parse(r.report), rescan: JSON.parse(r.rescan), verified: r.verified };
}

/**
 * Stores files ([{name, bytes}]) in one zip archive, uncompressed and
 * without timestamps; names are reduced to their last element and made unique.
 */
export async function zip(files) {
  for (const f of files) checkInput(f.bytes);
  const r = await call({ op: "zip", files: files.map((f) => ({ name: String(f.name), bytes: f.bytes })) });
  return r.bytes;
}

/** Stops the worker; the next call starts a new one. */
export function terminate() {
  failAll("exifscrub was terminated");
}
