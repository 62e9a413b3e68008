// Package exifscrub finds and removes the metadata in a photo that gives its
// owner away — where it was taken, when, on what device and by whom — without
// re-encoding the image.
//
// Scan reports what an image reveals; Scrub copies it without that metadata
// and reports what it removed; ScrubFile does the same for a file, atomically.
// Formats are detected from the content: JPEG, PNG, HEIF (HEIC) and AVIF,
// and WebP photos, and QuickTime (MOV) and ISO base media (MP4, M4V, 3GP)
// videos.
//
// # Videos
//
// A video loses its QuickTime Keys and item lists ('meta'), its user data
// ('udta': GPS, make, model, XMP, vendor boxes), 'uuid' boxes, its
// timed-metadata and timecode tracks (their samples are overwritten with
// zeros), the creation and modification times of its movie, track and
// media headers (set to 0), and any data after the last box. Samples,
// sample tables, edit lists, the display matrix (rotation), colour and HDR
// descriptions, audio, subtitle and chapter tracks are kept byte for byte,
// and chunk offsets move with the bytes removed before the media. Videos
// are streamed: memory is bounded by the index ('moov'), not the file.
// Fragmented MP4 is refused. See mov.go and mov_write.go.
//
// # What is removed
//
// By default Scrub removes everything the image does not need to display:
//
//   - EXIF, including GPS, maker notes and thumbnails (JPEG APP1, PNG eXIf,
//     HEIF Exif items, WebP EXIF chunks);
//   - XMP, including JPEG Extended XMP and XMP in HEIF items;
//   - IPTC and Photoshop image resources (JPEG APP13);
//   - comments and text (JPEG COM, PNG tEXt, zTXt, iTXt, tIME);
//   - embedded images and data: JFIF thumbnails, MPF secondary images, and
//     anything after the end of the image, such as motion-photo videos;
//   - application segments and ancillary chunks that rendering does not use,
//     such as C2PA manifests and vendor data.
//
// # What is kept
//
// Scrub keeps what the picture needs to look right: image data byte for byte
// (JPEG entropy-coded data and tables, PNG IDAT, HEIF item data without its
// user-data SEI messages and metadata OBUs, WebP bitstreams), colour profiles (JPEG APP2 ICC_PROFILE, PNG iCCP, HEIF colr,
// WebP ICCP), the JFIF header without its thumbnail, the Adobe APP14 colour
// transform, PNG colour-space and transparency chunks, animation, and the
// EXIF orientation. The orientation is written back as a minimal EXIF block
// holding that one tag, so a photo taken with the camera on its side still
// displays the right way up. Options can drop the colour profile and the
// orientation too.
//
// HEIF and AVIF: every kept box is written anew from its fields, never
// copied whole: 'ftyp' with the brands the file needs, 'hdlr' and 'infe'
// with empty names, 'dinf' with one self-contained entry, entity groups
// with their IDs alone, each property through its defined fields (an ICC
// profile sanitised), and decoder configurations ('hvcC', 'avcC', 'av1C')
// with their parameter sets and HDR metadata only. Hidden alternative
// images and items of unknown types are removed; JPEG-coded items are
// scrubbed as JPEG files are. A file whose kept data shares bytes with
// removed data is refused.
//
// # Fail closed
//
// A report lists everything Scrub would remove. Scan walks every EXIF IFD a
// reader would, past damaged and looping pointers; reads XMP in UTF-8,
// UTF-16, UTF-32 and ISO 8859-1; and reports what it cannot classify —
// unknown chunks and segments, oversized or unparseable blocks, bytes
// outside any structure — as Embedded, and text in tags no table knows as
// Text, so that only camera settings and image layout are Other.
//
// # Damaged files
//
// Damage that decoders tolerate is tolerated: a PNG ancillary chunk with a
// bad CRC is dropped (libpng ignores it) and a critical one refused; a JPEG
// cut short after its first scan keeps its image data as it is, ended with
// the EOI that libjpeg supplies, and is reported as damaged. Metadata is
// removed either way: a block that cannot be parsed is never copied.
//
// # Errors
//
// An input that is not a supported image gives ErrUnsupportedFormat. A
// malformed image, or one exifscrub cannot rewrite safely, gives a
// *FormatError with the byte offset of the problem; errors.Is reports
// io.ErrUnexpectedEOF for a truncated file and ErrUnsupportedFeature for a
// refusal. exifscrub never passes an image through with metadata it could
// not remove, and malformed input never makes it panic.
//
// # References
//
//   - JPEG: ITU-T T.81 Annex B; JFIF 1.02; CIPA DC-008 (EXIF 2.32/3.0) §4.7;
//     CIPA DC-007 (Multi-Picture Format); Adobe XMP Specification Part 3.
//   - PNG: ISO/IEC 15948, PNG Third Edition (W3C, 2025).
//   - TIFF 6.0 (for the EXIF structure); IPTC-IIM 4.2.
//   - HEIF: ISO/IEC 23008-12; ISO/IEC 14496-12 (ISO base media file format).
//   - WebP: RFC 9649.
//   - Videos: ISO/IEC 14496-12 §8 (boxes), 14496-14 (MP4); Apple QuickTime
//     File Format Specification; 3GPP TS 26.244 §8 (asset boxes); ISO 6709
//     Annex H (positions); XMP Specification Part 3 §1.1.4.
package exifscrub
