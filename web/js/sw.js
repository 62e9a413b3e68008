// The page's service worker: it makes the page an app that opens and
// cleans with no network at all after the first visit, and receives the
// photos and videos that Android's share sheet sends to it.
//
// Offline: on install it caches every file the page needs (files, below)
// in a cache named after the build (version.js, written by build.sh, which
// hashes the page's files), and answers the page's requests from that cache
// only. A new build changes version.js, so the browser installs the new
// worker, which caches the new files under the new name and, once active,
// deletes every older exifscrub cache: the page never runs a new page with
// an old module or the other way round.
//
// Sharing (Web Share Target, manifest.webmanifest's share_target): Android
// POSTs the shared files to ./share-target as multipart/form-data. The
// worker reads them out of the request, keeps them in its own memory under
// a random token, and answers 303 See Other to ./?share=TOKEN; the page
// that loads asks for the token's files with a message (see page.js),
// gets them in the reply, and the worker forgets them at once. Nothing is
// written to a cache or to storage, nothing goes to the network, and files
// that no page asks for within shareTTL are dropped. If the browser stops
// the worker in between (it may, after 30 seconds idle), the files are
// gone and the page asks the person to share again.
importScripts("./version.js"); // self.EXIFSCRUB_BUILD

const prefix = "exifscrub-";
const cacheName = prefix + self.EXIFSCRUB_BUILD;

// Everything the page loads, relative to this file. The worker itself and
// version.js are kept by the browser, with the registration.
const files = [
  "./", "index.html", "page.js", "page.css", "world.js", "plain.js", "exifscrub.js", "zip.js", "worker.js",
  "wasm_exec.js", "exifscrub.wasm", "manifest.webmanifest", "icon.svg",
  "icons/icon-192.png", "icons/icon-512.png", "icons/maskable-512.png", "icons/apple-touch-icon.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(precache());
  self.skipWaiting();
});

// precache fetches every file into the new cache; any failure fails the
// install, and the old worker stays. cache: "reload" skips the HTTP
// cache, so a new build never caches an old file that the browser still
// had. A redirected response (a server sends index.html to ./) is stored
// as a plain one: the browser refuses a redirected response to a
// navigation.
async function precache() {
  const cache = await caches.open(cacheName);
  await Promise.all(files.map(async (f) => {
    const resp = await fetch(new Request(f, { cache: "reload" }));
    if (!resp.ok) throw new Error(`${f}: ${resp.status}`);
    await cache.put(f, resp.redirected
      ? new Response(await resp.blob(), { status: resp.status, statusText: resp.statusText, headers: resp.headers })
      : resp);
  }));
}

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const k of await caches.keys()) {
      if (k.startsWith(prefix) && k !== cacheName) await caches.delete(k);
    }
    await self.clients.claim();
  })());
});

const shareAction = new URL("./share-target", self.location).href;
const shareTTL = 60 * 1000;
const shared = new Map(); // token -> {files, done}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return; // the page makes no such request; leave it to the browser
  if (url.href.split("?")[0] === shareAction) {
    event.respondWith(receiveShare(event));
    return;
  }
  if (req.method !== "GET") return;
  event.respondWith(fromCache(req));
});

// fromCache answers from this build's cache; what is not in it (nothing
// the page loads) goes to the network. A navigation with a query, such
// as ./?share=…, is the page.
async function fromCache(req) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(req, { ignoreSearch: req.mode === "navigate" });
  return hit || fetch(req);
}

async function receiveShare(event) {
  if (event.request.method !== "POST") return Response.redirect("./", 303);
  let files = [];
  try {
    const form = await event.request.formData();
    files = form.getAll("media").filter((f) => f instanceof File);
  } catch {
    // A malformed body: the page says nothing arrived.
  }
  const token = self.crypto.randomUUID();
  let done;
  const claimed = new Promise((resolve) => { done = resolve; });
  shared.set(token, { files, done });
  const timer = setTimeout(() => forget(token), shareTTL);
  // Keep the worker alive until the page has taken the files, or for shareTTL.
  event.waitUntil(claimed.then(() => clearTimeout(timer)));
  return Response.redirect(`./?share=${token}`, 303);
}

function forget(token) {
  const s = shared.get(token);
  if (!s) return;
  shared.delete(token);
  s.done();
}

// The page asks {type: "shared", token} on a MessageChannel and gets
// {files} (an empty list for an unknown token) on its port.
self.addEventListener("message", (event) => {
  const m = event.data;
  if (!m || m.type !== "shared" || !event.ports[0]) return;
  const s = shared.get(m.token);
  event.ports[0].postMessage({ files: s ? s.files : [], known: !!s });
  forget(m.token);
});
