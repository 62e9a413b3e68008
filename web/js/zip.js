// A zip writer for clean files (APPNOTE.TXT 6.3.10, "stored" entries
// only): photos and videos do not compress. Written in JavaScript rather
// than in the WebAssembly module so that the archive is a Blob made of the
// files' own Blobs: a zip of several videos never has to fit in memory,
// and the module needs no archive/zip.

// The CRC-32 of zip (APPNOTE 4.4.7: the polynomial 0xEDB88320, reflected).
const crcTable = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  crcTable[n] = c >>> 0;
}

function crc32(crc, b) {
  let c = ~crc;
  for (let i = 0; i < b.length; i++) c = crcTable[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

// crcOf reads data in slices of 4 MB, so a Blob is never read whole.
async function crcOf(data) {
  if (!(data instanceof Blob)) return crc32(0, data);
  let crc = 0;
  const step = 4 << 20;
  for (let off = 0; off < data.size; off += step) {
    crc = crc32(crc, new Uint8Array(await data.slice(off, off + step).arrayBuffer()));
  }
  return crc;
}

/** zipName is the last element of a file name, without anything that could climb out of the folder it is unzipped in. */
export function zipName(name) {
  const parts = String(name).replaceAll("\\", "/").split("/").filter((p) => p !== "");
  const base = parts.length ? parts[parts.length - 1] : "";
  return base === "." || base === ".." || base === "" ? "file" : base;
}

/** uniqueName returns name, or name with " (2)", " (3)"… before its extension when an earlier file took it, case-insensitively. */
export function uniqueName(name, used) {
  const dot = name.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  let candidate = name;
  for (let i = 2; used.has(candidate.toLowerCase()); i++) candidate = `${stem} (${i})${ext}`;
  used.add(candidate.toLowerCase());
  return candidate;
}

const maxSize = 0xffffffff; // without Zip64 (APPNOTE 4.5.3), sizes and offsets are 32-bit

/**
 * makeZip stores the files ([{name, data}], data a Uint8Array, ArrayBuffer
 * or Blob) in one zip archive, as a Blob: uncompressed, with no
 * timestamps (the time a photo was cleaned is a time too; DOS date and
 * time 0), names made unique.
 */
export async function makeZip(files) {
  if (files.length >= 0xffff) throw new RangeError("zip: too many files");
  const enc = new TextEncoder();
  const used = new Set();
  const parts = [];
  const central = [];
  let offset = 0;
  for (const f of files) {
    const data = f.data instanceof ArrayBuffer ? new Uint8Array(f.data) : f.data;
    const size = data instanceof Blob ? data.size : data.length;
    const name = enc.encode(uniqueName(zipName(f.name), used));
    if (size > maxSize || offset + 30 + name.length + size > maxSize) throw new RangeError("zip: the files are too large for one zip (4 GB)");
    const crc = await crcOf(data);
    // Bit 11 (APPNOTE 4.4.4): the name is UTF-8.
    const flags = name.some((c) => c >= 0x80) ? 0x800 : 0;
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true); // local file header signature
    local.setUint16(4, 20, true); // version needed to extract: 2.0
    local.setUint16(6, flags, true);
    local.setUint16(8, 0, true); // method: stored
    // 10, 12: time and date 0
    local.setUint32(14, crc, true);
    local.setUint32(18, size, true);
    local.setUint32(22, size, true);
    local.setUint16(26, name.length, true);
    parts.push(local, name, data);
    const c = new DataView(new ArrayBuffer(46));
    c.setUint32(0, 0x02014b50, true); // central file header signature
    c.setUint16(4, 20, true); // version made by: 2.0, MS-DOS
    c.setUint16(6, 20, true);
    c.setUint16(8, flags, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, size, true);
    c.setUint32(24, size, true);
    c.setUint16(28, name.length, true);
    c.setUint32(42, offset, true); // relative offset of the local header
    central.push(c, name);
    offset += 30 + name.length + size;
  }
  const centralSize = central.reduce((n, p) => n + p.byteLength, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true); // end of central directory signature
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  return new Blob([...parts, ...central, end], { type: "application/zip" });
}
