// Type declarations for the exifscrub package (exifscrub.js).

/** What a piece of metadata gives away. */
export type Category = "location" | "time" | "device" | "identity" | "text" | "embedded" | "other";

/** The formats exifscrub reads, detected from the content: photos, then videos (MOV; MP4, M4V, 3GP). */
export type Format = "jpeg" | "png" | "heif" | "avif" | "webp" | "mov" | "mp4";

/** The categories that `keep` may name. */
export type Keepable = "location" | "time" | "device" | "identity" | "text";

/** One piece of metadata. */
export interface Finding {
  category: Category;
  /** Where it was found, such as "EXIF GPS", "XMP", "IPTC", "JPEG COM" or "PNG tEXt". */
  container: string;
  /** The tag, property or keyword. */
  tag: string;
  /** A printable form of the value, shortened when long; GPS coordinates in signed decimal degrees. */
  value: string;
  /** How many more findings of the same category, container and tag the image holds, counted instead of listed. */
  more?: number;
}

/** The GPS position in the image's EXIF. */
export interface Location {
  latitude: number;
  longitude: number;
  /** An OpenStreetMap link centred on the position (the package never opens it). */
  map: string;
}

/**
 * What a file reveals: one element of `exifscrub report --json`. With a
 * name, a name that tells when the photo was taken (IMG_20240601_211403.jpg)
 * is a finding of category "time", container "file name", tag "FileName".
 */
export interface Report {
  /** The path option, or a File's name, or "". */
  path: string;
  /** The path's bytes, base64, when they are not valid UTF-8 (never, for a name from JavaScript). */
  path_bytes?: string;
  format: Format;
  /** In report order: location, time, device, identity, text, embedded, other. Empty, never null, when clean. */
  findings: Finding[];
  /** What `keep` kept, as it is in the clean file (scrub only; absent when nothing was kept). */
  kept?: Finding[];
  /**
   * The image data itself is damaged (a JPEG cut inside its scan data): the clean copy is what decoders show of it.
   * Absent when it is not.
   */
  damaged?: boolean;
  location?: Location;
  /** Always "" here: failures reject the promise instead. */
  error: string;
}

export type Input = Uint8Array | ArrayBuffer | Blob;

export interface ScanOptions {
  /** The name to report as `path`; a File's name by default. */
  path?: string;
}

export interface ScrubOptions extends ScanOptions {
  /** Also remove embedded ICC colour profiles (wide-gamut photos then show the wrong colours). */
  dropColorProfile?: boolean;
  /** Also remove the EXIF orientation (photos taken sideways then show rotated). */
  dropOrientation?: boolean;
  /** Categories to keep instead of removing (Options.Keep); by default nothing is kept. */
  keep?: Keepable[];
  /**
   * With "location" kept: round the position to a grid of this many degrees (0.1 is about
   * 11 km: the city, not the house) and drop every other GPS tag (Options.CoarseLocation).
   */
  coarseLocation?: number;
  /**
   * Keep the video of a motion photo (Google Motion Photo or MicroVideo JPEG, Samsung motion
   * photo), scrubbed like any video, with only the fields a gallery needs to play it
   * (Options.KeepMotion). By default it is removed.
   */
  keepMotion?: boolean;
}

export interface ScrubBlobOptions extends ScrubOptions {
  /** Called as the file is read. */
  onProgress?: (p: { done: number; total: number }) => void;
}

export interface ScrubResult {
  /** The clean image: the same image data, byte for byte, without the metadata. */
  bytes: Uint8Array;
  /** What was removed. */
  report: Report;
  /** What a scan of the clean image finds. */
  rescan: Report;
  /** True when Scrub, under the same options, would remove nothing more from the clean file. */
  verified: boolean;
}

export interface ScrubBlobResult {
  /** The clean file, typed by its format (image/jpeg, video/mp4, …). */
  blob: Blob;
  report: Report;
  rescan: Report;
  verified: boolean;
}

/**
 * - `unsupported-format`: not an image in a format exifscrub reads;
 * - `format-error`: a malformed or truncated image (the message names the offset);
 * - `unsupported-feature`: a well-formed image that exifscrub will not rewrite, rather than risk leaving metadata;
 * - `invalid-options`: options the library cannot apply;
 * - `internal-error`: the WebAssembly module failed, for example out of memory; the next call starts a new one.
 */
export type ErrorCode = "unsupported-format" | "format-error" | "unsupported-feature" | "invalid-options" | "internal-error";

export class ExifscrubError extends Error {
  code: ErrorCode;
}

/** Reports what the file reveals. Rejects with an ExifscrubError; unknown options with a TypeError. */
export function scan(data: Input, options?: ScanOptions): Promise<Report>;

/** Removes the metadata, then scans the result again. Rejects with an ExifscrubError; unknown options with a TypeError. */
export function scrub(data: Input, options?: ScrubOptions): Promise<ScrubResult>;

/**
 * Like scrub, for a Blob of any size (a video): read in slices, the clean copy
 * written into a Blob, so that memory stays bounded in browsers (Node reads it whole).
 */
export function scrubBlob(data: Blob, options?: ScrubBlobOptions): Promise<ScrubBlobResult>;

/** Stores files in one zip archive, uncompressed and without timestamps; names are made unique. */
export function zip(files: { name: string; bytes: Input }[], options?: { blob?: false }): Promise<Uint8Array>;
export function zip(files: { name: string; bytes: Input }[], options: { blob: true }): Promise<Blob>;

/** Starts the worker and compiles the module, so that the first call is answered sooner. */
export function warmUp(): Promise<void>;

/** Stops the worker, rejecting calls under way; the next call starts a new one. */
export function terminate(): void;
