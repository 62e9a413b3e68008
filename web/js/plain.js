// Plain words for a report: what a person who has never heard of EXIF
// needs to know about a file ("When: 13 August 2005, 09:47"), and the
// neutral names of clean copies. No DOM here, so that it is easy to read
// and to test.

const months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December"];

// The forms times take in findings: EXIF "2005:08:13 09:47:23", ISO 8601
// "2024-06-01T21:14:03+0200" (QuickTime keys, XMP, ScanName), and the
// video headers' "2024-06-01 19:14:03 UTC". Seconds, fractions and zones
// other than UTC are left out: the hour and minute are what a person
// recognises, as the camera's clock showed them.
const timeForm = /^(\d{4})[:\-](\d{2})[:\-](\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?\s*(UTC|Z)?)?/;

/** plainTime turns a time value into "13 August 2005, 09:47", or returns "" if it is not one. */
export function plainTime(value) {
  const m = timeForm.exec(String(value).trim());
  if (!m) return "";
  const [, y, mo, d, h, mi, utc] = m;
  const month = months[Number(mo) - 1];
  if (!month || Number(d) < 1 || Number(d) > 31 || y === "0000") return "";
  let s = `${Number(d)} ${month} ${y}`;
  if (h !== undefined) s += `, ${h}:${mi}${utc ? " UTC" : ""}`;
  return s;
}

// The time findings a person would call "when it was taken", best first.
const whenTags = ["DateTimeOriginal", "com.apple.quicktime.creationdate", "CreateDate", "xmp:CreateDate",
  "photoshop:DateCreated", "exif:DateTimeOriginal", "CreationTime", "DateTime", "ModifyDate", "FileName"];

/** isNameFinding reports whether f is the finding of a file name that tells the time (exifscrub.ScanName). */
export function isNameFinding(f) {
  return f.container === "file name" && f.tag === "FileName";
}

/** damage is how the report says the image data is damaged (report.damaged, and the finding whose value starts with "damaged: "), or "". */
export function damage(report) {
  if (!report.damaged) return "";
  const f = report.findings.find((f) => /^damaged\b/.test(f.value));
  return f ? f.value.replace(/^damaged[:,]?\s*/, "") : "the image data is incomplete";
}

/** count is how many pieces of metadata the findings stand for. */
export function count(findings) {
  return findings.reduce((n, f) => n + 1 + (f.more || 0), 0);
}

const lastPart = (tag) => tag.split(/[.:]/).pop().toLowerCase();

function when(fs) {
  for (const tag of whenTags) {
    for (const f of fs) {
      if (f.tag === tag) {
        const t = plainTime(f.value);
        if (t) return t;
      }
    }
  }
  for (const f of fs) {
    const t = plainTime(f.value);
    if (t) return t;
  }
  return "";
}

function camera(fs) {
  const value = (name) => (fs.find((f) => lastPart(f.tag) === name && f.value && !f.value.startsWith("(")) || {}).value || "";
  const make = value("make").trim();
  const model = value("model").trim();
  if (!model) return make;
  const first = make.split(/\s+/)[0] || "";
  return first && model.toLowerCase().startsWith(first.toLowerCase()) ? model : `${make} ${model}`.trim();
}

// hidden names what an Embedded finding is, in a few words.
function hidden(f) {
  const s = `${f.container} ${f.tag}`;
  if (/thumbnail|preview|JFXX|PICT|pnot/i.test(s)) return "a small preview image";
  if (/MPF|MPImage|secondary|depth|gain ?map|auxiliary|alternative/i.test(s)) return "another image inside the file";
  if (/trailer|after|motion|video/i.test(s + " " + f.value)) return "data after the picture (such as a motion photo's video)";
  if (/ICC|profile/i.test(s)) return "details in the colour profile";
  return "other hidden data";
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/**
 * summary is what the card says the file gives away, one line per kind:
 * [{key, label, text}], key a category (or "name").
 */
export function summary(report) {
  const fs = report.findings;
  const by = (cat) => fs.filter((f) => f.category === cat && !isNameFinding(f));
  const lines = [];
  if (report.location) {
    const { latitude: lat, longitude: lon } = report.location;
    lines.push({
      key: "location", label: "Where",
      text: `${Math.abs(lat).toFixed(3)}° ${lat < 0 ? "S" : "N"}, ${Math.abs(lon).toFixed(3)}° ${lon < 0 ? "W" : "E"}` +
        ` (${lat.toFixed(5)}, ${lon.toFixed(5)}): the exact place it was taken`,
    });
  } else if (by("location").length) {
    const fl = by("location");
    lines.push({ key: "location", label: "Where", text: `${fl.slice(0, 2).map((f) => f.value).join(", ")}${fl.length > 2 ? ", …" : ""}` });
  }
  const time = fs.filter((f) => f.category === "time"); // a name that tells the time too
  if (time.length) {
    const t = when(time);
    lines.push({ key: "time", label: "When", text: t || `${plural(count(time), "time", "times")} recorded` });
  }
  const device = by("device");
  if (device.length) {
    const c = camera(device);
    const rest = count(device) - (c ? device.filter((f) => ["make", "model"].includes(lastPart(f.tag))).length : 0);
    let text = c || "";
    if (rest > 0) text += `${c ? ", and " : ""}${plural(rest, "more detail", "more details")} about it (such as software or serial numbers)`;
    lines.push({ key: "device", label: c ? "Camera" : "Device", text });
  }
  const names = by("identity");
  if (names.length) {
    lines.push({ key: "identity", label: "Names", text: names.slice(0, 3).map((f) => `${f.value} (${f.tag})`).join("; ") + (names.length > 3 ? "; …" : "") });
  }
  const text = by("text");
  if (text.length) {
    lines.push({ key: "text", label: "Text", text: text.slice(0, 2).map((f) => `“${f.value}”`).join("; ") + (count(text) > 2 ? `; and ${count(text) - 2} more` : "") });
  }
  const emb = by("embedded");
  if (emb.length) {
    lines.push({ key: "embedded", label: "Hidden", text: [...new Set(emb.map(hidden))].join("; ") });
  }
  const other = by("other").filter((f) => !/^damaged\b/.test(f.value));
  if (other.length) {
    lines.push({ key: "other", label: "Also", text: `${plural(count(other), "technical detail", "technical details")} (camera settings and the like)` });
  }
  return lines;
}

/** nameTime is when the file's name says it was taken, in plain words, or "". */
export function nameTime(report) {
  const f = [...report.findings, ...(report.kept || [])].find(isNameFinding);
  return f ? plainTime(f.value) || f.value : "";
}

const videoFormats = new Set(["mov", "mp4"]);
const extensions = {
  jpeg: ["jpg", "jpg", "jpeg", "mpo"], png: ["png"], heif: ["heic", "heic", "heif", "hif"], avif: ["avif"], webp: ["webp"],
  mov: ["mov", "mov", "qt"], mp4: ["mp4", "mp4", "m4v", "3gp", "3g2"],
};

/** isVideo reports whether a format is a video's. */
export const isVideo = (format) => videoFormats.has(format);

/**
 * neutralName is a clean copy's name, as exifscrub scrub --rename gives
 * them: photo-N or video-N, with the original's extension when it fits the
 * format (a .3gp stays .3gp), else the format's own.
 */
export function neutralName(format, n, original) {
  const ext = (original.match(/\.([A-Za-z0-9]+)$/) || [])[1]?.toLowerCase() || "";
  const exts = extensions[format] || ["bin"];
  return `${isVideo(format) ? "video" : "photo"}-${n}.${exts.slice(1).includes(ext) ? ext : exts[0]}`;
}
