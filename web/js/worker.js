// The worker that runs the WebAssembly module, off the page's main thread:
// a Web Worker in browsers, a worker_threads Worker in Node. It receives
// {id, op, path, data, options} and answers {id, result} or {id, error}.
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

async function handle(msg) {
  if (!api) await start();
  const { op, path = "", options = {} } = msg;
  let r;
  try {
    switch (op) {
      case "scan":
        r = api.scan(path, await bytesOf(msg.data));
        break;
      case "scrub":
        r = api.scrub(path, await bytesOf(msg.data), options);
        break;
      case "zip": {
        const names = msg.files.map((f) => f.name);
        const data = await Promise.all(msg.files.map((f) => bytesOf(f.bytes)));
        r = api.zip(names, data);
        break;
      }
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
