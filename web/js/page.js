// The offline page: for each photo or video a person picks, drops or
// shares to the app, clean it in the worker (exifscrub.js), say in plain
// words what it gave away, and offer the clean copy under a neutral name:
// to download, or to send on with the system's share sheet.
import { scrubBlob, warmUp } from "./exifscrub.js";
import { makeZip } from "./zip.js";
import { land } from "./world.js";
import { count, damage, isNameFinding, isVideo, nameTime, neutralName, summary } from "./plain.js";

// maxPhotoBytes is the largest photo the page takes: HEIF, AVIF and WebP
// photos are held in memory whole while they are cleaned. Videos, JPEG and
// PNG are read in slices, but the page does not know a file's format until
// it reads it, so the limit goes by what the file says it is.
const maxPhotoBytes = 200 * 1024 * 1024;

const $ = (id) => document.getElementById(id);
const results = $("results");
const input = $("files");
const drop = $("drop");
const all = $("all");
const zipButton = $("zip");
const sendAll = $("send-all");
const keepTime = $("keep-time");
const keepPlace = $("keep-place");
const keepMotion = $("keep-motion");
const svgNS = "http://www.w3.org/2000/svg";

const labels = {
  location: "Position", time: "Time", device: "Device", identity: "Names",
  text: "Text", embedded: "Hidden images and data", other: "Other details",
};

const clean = []; // {name, file} of every clean copy, in order
const numbers = { photo: 0, video: 0 }; // the last N of photo-N and video-N
let queue = Promise.resolve(); // files are cleaned one at a time, in order
let cards = 0;

input.addEventListener("change", () => {
  addFiles([...input.files]);
  input.value = "";
});
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
document.addEventListener("dragover", (e) => e.preventDefault());
document.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  addFiles([...e.dataTransfer.files]);
});
zipButton.addEventListener("click", downloadZip);
sendAll.addEventListener("click", () => send(clean.map((c) => c.file), sendAll));

// The app works offline through its service worker (sw.js). The browser
// checks for a new build by fetching sw.js and version.js past its HTTP
// cache (updateViaCache "none"), so a new build is found on the next visit.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("sw.js", { updateViaCache: "none" })
    .catch((e) => console.warn(`no offline use: ${e.message}`));
}
receiveShared();
warmUp().catch(() => {}); // compile the module now; a failure shows on the first file

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

// receiveShared takes the files that Android's share sheet sent to the
// app: the service worker holds them under the token in the address and
// hands them over once, on a message channel.
async function receiveShared() {
  const params = new URLSearchParams(location.search);
  const token = params.get("share");
  if (!token) return;
  history.replaceState(null, "", location.pathname); // a reload must not ask again
  const note = $("share-note");
  note.hidden = false;
  note.textContent = "Receiving the shared files…";
  try {
    const reg = await navigator.serviceWorker.ready;
    const sw = navigator.serviceWorker.controller || reg.active;
    const files = await new Promise((resolve, reject) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = (e) => resolve(e.data.files || []);
      setTimeout(() => reject(new Error("no answer")), 10000);
      sw.postMessage({ type: "shared", token }, [ch.port2]);
    });
    if (files.length === 0) {
      note.textContent = "The shared files did not arrive (the app was closed in between). Please share them again.";
      return;
    }
    note.textContent = `${files.length === 1 ? "1 shared file" : `${files.length} shared files`} received.`;
    addFiles(files);
  } catch (e) {
    note.textContent = `The shared files could not be received (${e.message}). Please share them again, or choose them below.`;
  }
}

function policy() {
  const keep = [];
  if (keepTime.checked) keep.push("time");
  if (keepPlace.checked) keep.push("location");
  const opts = keepPlace.checked ? { keep, coarseLocation: 0.1 } : { keep };
  if (keepMotion.checked) opts.keepMotion = true;
  return opts;
}

function addFiles(files) {
  const opts = policy();
  for (const file of files) {
    const n = ++cards;
    const card = el("article", { class: "file", "aria-busy": "true", "aria-labelledby": `name-${n}` });
    const status = el("p", { class: "status", role: "status" }, "Waiting…");
    card.append(el("h2", { id: `name-${n}` }, file.name || "Shared file"), status);
    results.append(card);
    queue = queue.then(() => handle(file, card, status, opts, n));
  }
}

function sizeText(n) {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

const looksLikeVideo = (file) => file.type.startsWith("video/") || /\.(mov|mp4|m4v|3gp|3g2|qt)$/i.test(file.name);

async function handle(file, card, status, opts, n) {
  const done = (cls, text) => {
    status.className = `status ${cls}`;
    status.textContent = text;
    card.setAttribute("aria-busy", "false");
    card.dataset.state = cls;
    bar.remove();
  };
  const bar = el("progress", { max: "100", value: "0", "aria-label": `Cleaning ${file.name}` });
  card.append(bar);
  if (file.size === 0) return done("error", "This file is empty (0 bytes): there is nothing to clean.");
  if (file.size > maxPhotoBytes && !looksLikeVideo(file)) {
    return done("error", `This photo is too large (${sizeText(file.size)}): this page cleans photos up to ${sizeText(maxPhotoBytes)}.`);
  }
  status.textContent = `Cleaning ${sizeText(file.size)}…`;
  let result;
  try {
    result = await scrubBlob(file, {
      ...opts,
      onProgress: ({ done, total }) => {
        const pct = Math.floor((100 * done) / total);
        bar.value = pct;
        status.textContent = `Cleaning ${sizeText(total)}… ${pct}%`;
      },
    });
  } catch (e) {
    return done("error", explain(e));
  }
  const { report } = result;
  card.dataset.format = report.format;
  if (!result.verified) {
    card.append(reveals(report, n));
    return done("error", "The clean copy still holds details that should have been removed, so it is not offered. Please report this file.");
  }
  const kind = isVideo(report.format) ? "video" : "photo";
  const name = neutralName(report.format, ++numbers[kind], file.name);
  const copy = new File([result.blob], name, { type: result.blob.type });
  clean.push({ name, file: copy });

  const removed = count(report.findings);
  const hurt = damage(report);
  const kept = report.kept ? keptText(report.kept) : "";
  const words = kind === "video" ? "video" : "photo";
  let text = removed
    ? `Cleaned: ${removed} ${removed === 1 ? "detail" : "details"} removed. The clean copy was checked again: nothing private is left.`
    : `Nothing private was found in this ${words}; the clean copy was checked again.`;
  if (kept) text += ` Kept, as you chose: ${kept}.`;
  if (hurt) {
    card.dataset.damaged = "true";
    text = `This ${words} is damaged (${hurt}). The clean copy keeps the picture as far as it goes; ` +
      `it may show grey or be cut off, as the original does. ${text}`;
  }
  card.append(reveals(report, n));
  const t = nameTime(report);
  if (t) {
    card.append(el("p", { class: "name-note" },
      `The file's name, ${file.name}, tells when it was taken (${t}). The clean copy is called ${name} instead.`));
  }
  done("clean", text);
  const url = URL.createObjectURL(copy);
  const actions = el("p", { class: "actions" },
    el("a", { class: "download", href: url, download: name, id: `download-${n}` }, `Download ${name}`),
    ` (${sizeText(copy.size)})`);
  if (canShare([copy])) {
    const b = el("button", { type: "button", class: "send", "aria-label": `Send ${name}` }, "Send…");
    b.addEventListener("click", () => send([copy], b));
    actions.append(" ", b);
  }
  card.append(actions);
  all.hidden = clean.length < 2;
  sendAll.hidden = !canShare(clean.map((c) => c.file));
}

function keptText(kept) {
  const parts = [];
  if (kept.some((f) => f.category === "time")) parts.push("the date and time");
  if (kept.some((f) => f.category === "location")) parts.push("an approximate place (the city)");
  return parts.join(" and ");
}

// canShare says whether the system's share sheet takes these files
// (Chrome on Android, Safari on iOS and macOS; not desktop Linux).
function canShare(files) {
  try {
    return typeof navigator.canShare === "function" && navigator.share && navigator.canShare({ files });
  } catch {
    return false;
  }
}

async function send(files, button) {
  button.disabled = true;
  try {
    await navigator.share({ files }); // the files alone: no title or text that could say more
  } catch (e) {
    if (e.name !== "AbortError") alert(`The files could not be sent: ${e.message}. Download them instead.`);
  } finally {
    button.disabled = false;
  }
}

// explain turns an ExifscrubError into words for the person.
function explain(e) {
  switch (e.code) {
    case "unsupported-format":
      return "This is not a photo or video this page can clean: it reads JPEG, PNG, HEIC, AVIF and WebP photos and MOV and MP4 videos.";
    case "format-error":
      return `This file seems damaged or cut short, so it was not cleaned (${e.message}).`;
    case "unsupported-feature":
      return `This file uses something this page cannot clean safely, so it was not cleaned (${e.message}).`;
  }
  return `Something went wrong while cleaning this file: ${e.message}`;
}

// reveals shows what the file gave away in plain words, the position on a
// map, and every finding in a table one click away.
function reveals(report, n) {
  const box = el("div", { class: "reveals-box" });
  const all = [...report.findings, ...(report.kept || [])];
  if (count(all) === 0) {
    box.append(el("p", {}, "It gave nothing away: no position, time, device or names were found."));
    return box;
  }
  box.append(el("p", { class: "gave" }, "What it gave away:"));
  const dl = el("dl", { class: "reveals" });
  for (const line of summary(report)) {
    const dd = el("dd", { "data-category": line.key }, line.text);
    if (line.key === "location" && report.location) dd.append(" ", el("a", { href: `#map-${n}` }, "(map)"));
    dl.append(el("dt", {}, `${line.label}:`), dd);
  }
  box.append(dl);
  if (report.location) box.append(worldMap(report.location.latitude, report.location.longitude, n));

  const table = el("table", {}, el("thead", {}, el("tr", {},
    el("th", { scope: "col" }, "What"), el("th", { scope: "col" }, "Where"), el("th", { scope: "col" }, "Name"), el("th", { scope: "col" }, "Value"))));
  const body = el("tbody");
  for (const [fs, cls] of [[report.findings, "finding"], [report.kept || [], "kept"]]) {
    for (const f of fs) {
      body.append(el("tr", { class: cls },
        el("td", {}, labels[f.category] || f.category), el("td", {}, f.container), el("td", {}, f.tag),
        el("td", {}, (f.more ? `${f.value} (and ${f.more} more like it)` : f.value) + (cls === "kept" ? " (kept)" : ""))));
    }
  }
  table.append(body);
  const total = count(all) - all.filter(isNameFinding).length;
  box.append(el("details", {}, el("summary", {}, `Show all ${total} ${total === 1 ? "detail" : "details"} (technical)`), table));
  return box;
}

// worldMap draws the land outline that ships with the page, a graticule
// every 30°, and a dot at the position.
function worldMap(lat, lon, n) {
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("viewBox", "0 0 360 180");
  svg.setAttribute("class", "map");
  svg.setAttribute("id", `map-${n}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `World map with a dot at latitude ${lat.toFixed(3)}, longitude ${lon.toFixed(3)}`);
  const path = (d, cls) => {
    const p = document.createElementNS(svgNS, "path");
    p.setAttribute("d", d);
    p.setAttribute("class", cls);
    return p;
  };
  let grid = "";
  for (let x = 0; x <= 360; x += 30) grid += `M${x} 0V180`;
  for (let y = 0; y <= 180; y += 30) grid += `M0 ${y}H360`;
  const dot = document.createElementNS(svgNS, "circle");
  dot.setAttribute("cx", String(Math.min(360, Math.max(0, lon + 180))));
  dot.setAttribute("cy", String(Math.min(180, Math.max(0, 90 - lat))));
  dot.setAttribute("r", "4");
  dot.setAttribute("class", "dot");
  svg.append(path(land, "land"), path(grid, "grid"), dot);
  return svg;
}

async function downloadZip() {
  zipButton.disabled = true;
  try {
    const z = await makeZip(clean.map((c) => ({ name: c.name, data: c.file })));
    const a = $("zip-link");
    a.href = URL.createObjectURL(z);
    a.download = "clean-files.zip";
    a.click();
  } catch (e) {
    alert(`The zip could not be made: ${e.message}`);
  } finally {
    zipButton.disabled = false;
  }
}
