// The offline page: for each photo a person picks or drops, show what it
// reveals, clean it in the worker (exifscrub.js), and offer the clean copy.
import { scan, scrub, zip } from "./exifscrub.js";
import { land } from "./world.js";

// maxBytes is the largest file the page takes: the module holds the photo
// and its clean copy in memory at once.
const maxBytes = 200 * 1024 * 1024;

const results = document.getElementById("results");
const input = document.getElementById("files");
const drop = document.getElementById("drop");
const all = document.getElementById("all");
const zipButton = document.getElementById("zip");
const svgNS = "http://www.w3.org/2000/svg";

const labels = {
  location: "Position", time: "Time", device: "Device", identity: "Names",
  text: "Text", embedded: "Hidden images and data", other: "Other details",
};

const clean = []; // {name, blob} of every clean file, for the zip
let queue = Promise.resolve(); // files are cleaned one at a time, in order

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

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

function addFiles(files) {
  for (const file of files) {
    const card = el("article", { class: "file", "aria-busy": "true" });
    const status = el("p", { class: "status", role: "status" }, "Waiting…");
    card.append(el("h2", {}, file.name), status);
    results.append(card);
    queue = queue.then(() => handle(file, card, status));
  }
}

function sizeText(n) {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

async function handle(file, card, status) {
  const done = (cls, text) => {
    status.className = `status ${cls}`;
    status.textContent = text;
    card.setAttribute("aria-busy", "false");
    card.dataset.state = cls;
  };
  if (file.size === 0) return done("error", "This file is empty (0 bytes): there is nothing to clean.");
  if (file.size > maxBytes) {
    return done("error", `This file is too large (${sizeText(file.size)}): this page cleans files up to ${sizeText(maxBytes)}.`);
  }
  status.textContent = `Reading ${sizeText(file.size)}…`;
  let report, result;
  try {
    report = await scan(file);
    status.textContent = "Cleaning…";
    result = await scrub(file);
  } catch (e) {
    return done("error", explain(e));
  }
  card.append(reveals(report));
  if (!result.verified) {
    return done("error", "The clean copy still holds details that should have been removed, so it is not offered. Please report this photo.");
  }
  const name = cleanName(file.name);
  const blob = new Blob([result.bytes], { type: file.type || "application/octet-stream" });
  clean.push({ name, blob });
  const link = el("a", { class: "download", href: URL.createObjectURL(blob), download: name }, `Download ${name}`);
  const removed = count(result.report.findings);
  done("clean", removed
    ? `Cleaned: ${removed} ${removed === 1 ? "detail" : "details"} removed. The clean copy was checked again and nothing private was found.`
    : "Nothing private was found. The clean copy was checked again and nothing private was found.");
  card.append(el("p", {}, link, ` (${sizeText(result.bytes.length)})`));
  all.hidden = clean.length < 2;
}

// count is how many pieces of metadata the findings stand for.
function count(findings) {
  return findings.reduce((n, f) => n + 1 + (f.more || 0), 0);
}

// explain turns an ExifscrubError into words for the person.
function explain(e) {
  switch (e.code) {
    case "unsupported-format":
      return "This is not a photo this page can clean: it reads JPEG, PNG, HEIC, AVIF and WebP.";
    case "format-error":
      return `This photo seems damaged or cut short, so it was not cleaned (${e.message}).`;
    case "unsupported-feature":
      return `This photo uses something this page cannot clean safely, so it was not cleaned (${e.message}).`;
  }
  return `Something went wrong while cleaning this photo: ${e.message}`;
}

// cleanName is the name of the clean copy, as the exifscrub command names
// it: NAME.scrubbed.EXT.
function cleanName(name) {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? `${name.slice(0, dot)}.scrubbed${name.slice(dot)}` : `${name}.scrubbed`;
}

// reveals shows what the photo gives away: the position on a map, the
// time, the device, names, then every finding in a table.
function reveals(report) {
  const box = el("div", { class: "reveals-box" });
  const n = count(report.findings);
  if (n === 0) {
    box.append(el("p", {}, "This photo gives nothing away: no position, time, device or names were found."));
    return box;
  }
  const dl = el("dl", { class: "reveals" });
  if (report.location) {
    const { latitude: lat, longitude: lon } = report.location;
    dl.append(el("dt", {}, labels.location), el("dd", { "data-category": "location" },
      `${lat.toFixed(5)}, ${lon.toFixed(5)} (${Math.abs(lat).toFixed(3)}° ${lat < 0 ? "S" : "N"}, ${Math.abs(lon).toFixed(3)}° ${lon < 0 ? "W" : "E"})`));
  }
  for (const cat of ["location", "time", "device", "identity", "text", "embedded"]) {
    const fs = report.findings.filter((f) => f.category === cat);
    if (fs.length === 0 || (cat === "location" && report.location)) continue;
    const shown = fs.slice(0, 4).map((f) => `${f.tag}: ${f.value}`).join("; ");
    const rest = count(fs) - Math.min(fs.length, 4);
    dl.append(el("dt", {}, labels[cat]), el("dd", { "data-category": cat }, rest > 0 ? `${shown}; and ${rest} more` : shown));
  }
  const other = count(report.findings.filter((f) => f.category === "other"));
  if (other) dl.append(el("dt", {}, labels.other), el("dd", { "data-category": "other" }, `${other} technical ${other === 1 ? "detail" : "details"}`));
  box.append(dl);
  if (report.location) box.append(worldMap(report.location.latitude, report.location.longitude));

  const table = el("table", {}, el("thead", {}, el("tr", {},
    el("th", { scope: "col" }, "What"), el("th", { scope: "col" }, "Where"), el("th", { scope: "col" }, "Name"), el("th", { scope: "col" }, "Value"))));
  const body = el("tbody");
  for (const f of report.findings) {
    body.append(el("tr", { class: "finding" },
      el("td", {}, labels[f.category] || f.category), el("td", {}, f.container), el("td", {}, f.tag),
      el("td", {}, f.more ? `${f.value} (and ${f.more} more like it)` : f.value)));
  }
  table.append(body);
  box.append(el("details", {}, el("summary", {}, `All ${n} ${n === 1 ? "detail" : "details"} found`), table));
  return box;
}

// worldMap draws the land outline that ships with the page, a graticule
// every 30°, and a dot at the position.
function worldMap(lat, lon) {
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("viewBox", "0 0 360 180");
  svg.setAttribute("class", "map");
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
    const bytes = await zip(clean.map((c) => ({ name: c.name, bytes: c.blob })));
    const a = document.getElementById("zip-link");
    a.href = URL.createObjectURL(new Blob([bytes], { type: "application/zip" }));
    a.download = "clean-photos.zip";
    a.click();
  } catch (e) {
    alert(`The zip could not be made: ${e.message}`);
  } finally {
    zipButton.disabled = false;
  }
}
