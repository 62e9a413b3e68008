// Type declarations for the exifscrub package (exifscrub.js).

/** What a piece of metadata gives away. */
export type Category = "location" | "time" | "device" | "identity" | "text" | "embedded" | "other";

/** The image formats exifscrub reads, detected from the content. */
export type Format = "jpeg" | "png" | "heif" | "avif" | "webp";

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

/** What an image reveals: one element of `exifscrub report --json`. */
export interface Report {
  /** The path option, or a File's name, or "". */
  path: string;
  /** The path's bytes, base64, when they are not valid UTF-8 (never, for a name from JavaScript). */
  path_bytes?: string;
  format: Format;
  /** In report order: location, time, device, identity, text, embedded, other. Empty, never null, when clean. */
  findings: Finding[];
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
}

export interface ScrubResult {
  /** The clean image: the same image data, byte for byte, without the metadata. */
  bytes: Uint8Array;
  /** What was removed. */
  report: Report;
  /** What a scan of the clean image finds. */
  rescan: Report;
  /** True when the rescan found nothing. */
  verified: boolean;
}

/**
 * - `unsupported-format`: not an image in a format exifscrub reads;
 * - `format-error`: a malformed or truncated image (the message names the offset);
 * - `unsupported-feature`: a well-formed image that exifscrub will not rewrite, rather than risk leaving metadata;
 * - `internal-error`: the WebAssembly module failed, for example out of memory; the next call starts a new one.
 */
export type ErrorCode = "unsupported-format" | "format-error" | "unsupported-feature" | "internal-error";

export class ExifscrubError extends Error {
  code: ErrorCode;
}

/** Reports what the image reveals. Rejects with an ExifscrubError. */
export function scan(data: Input, options?: ScanOptions): Promise<Report>;

/** Removes the metadata, then scans the result again. Rejects with an ExifscrubError. */
export function scrub(data: Input, options?: ScrubOptions): Promise<ScrubResult>;

/** Stores files in one zip archive, uncompressed and without timestamps; names are made unique. */
export function zip(files: { name: string; bytes: Input }[]): Promise<Uint8Array>;

/** Stops the worker, rejecting calls under way; the next call starts a new one. */
export function terminate(): void;
