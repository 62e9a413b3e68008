// Package exifscrub finds and removes the metadata in a photo that gives its
// owner away — where it was taken, when, on what device and by whom — without
// re-encoding the image.
//
// Scan reports what an image reveals; Scrub copies it without that metadata
// and reports what it removed; ScrubFile does the same for a file, atomically.
// Formats are detected from the content: JPEG, PNG, HEIF (HEIC) and AVIF,
// and WebP.
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
// What is kept is rebuilt from the fields readers use, never copied whole:
//
//   - JPEG: JFIF APP0 as its version, units and densities with a 0×0
//     thumbnail and nothing after (JFIF 1.02); Adobe APP14 as the 12 bytes
//     libjpeg reads; the ICC profile reassembled from its APP2 chunks
//     (ICC.1:2022 Annex B.4), sanitised and chunked again.
//   - PNG: each kept ancillary chunk at the exact length its fields define
//     (PNG Third Edition §11.3; APNG acTL and fcTL); one of another length
//     is removed and reported, as libpng ignores it, or refused when the
//     image needs it (IHDR, PLTE, acTL, fcTL). iCCP gets the neutral name
//     "ICC Profile" and its sanitised profile compressed again.
//   - WebP: VP8X from its flags and canvas size, ANIM as its 6 bytes, ANMF
//     headers with the reserved bits clear, ICCP sanitised (RFC 9649 §2.7).
//
// Colour profiles are sanitised (ICC.1:2022 §7): the tags that define colour
// are kept byte for byte, desc and cprt get neutral text, every other tag is
// dropped, and the header's date, device, creator, platform and profile ID
// are zeroed, so colour converts exactly as before while the profile no
// longer names a monitor, a maker or a day. The sRGB profiles published by
// the ICC and HP/Microsoft, which libpng reads as sRGB, are kept as they are.
// A profile that is not valid is removed and reported; one exifscrub cannot
// rebuild (not version 2 or 4) is refused.
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
//   - ICC.1:2022 (profile version 4.4) and ICC.1:2001-04 (version 2).
//   - JPEG: ITU-T T.81 Annex B; JFIF 1.02; CIPA DC-008 (EXIF 2.32/3.0) §4.7;
//     CIPA DC-007 (Multi-Picture Format); Adobe XMP Specification Part 3.
//   - PNG: ISO/IEC 15948, PNG Third Edition (W3C, 2025).
//   - TIFF 6.0 (for the EXIF structure); IPTC-IIM 4.2.
//   - HEIF: ISO/IEC 23008-12; ISO/IEC 14496-12 (ISO base media file format).
//   - WebP: RFC 9649.
package exifscrub
