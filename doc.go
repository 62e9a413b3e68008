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
// ('udta': GPS, make, model, XMP, vendor boxes, chapters), 'uuid' boxes,
// its timed-metadata, timecode, subtitle and chapter tracks (their samples
// are overwritten with zeros; Keep Text keeps the text tracks), the
// creation and modification times of its movie, track and media headers
// (set to 0), handler and compressor names, and any data after the last
// box. The index ('moov') is rebuilt from an allow-list: the headers,
// edit lists, display matrix (rotation), data references, sample tables
// and sample entries a player needs, each written from its fields at its
// spec length, the entries with only their decoder configuration boxes
// (without user-data SEI), colour and HDR descriptions; anything else at
// any depth is dropped and reported. Samples are kept byte for byte, and
// chunk offsets move with the bytes removed before the media. Videos are
// streamed: memory is bounded by the index, not the file. Fragmented MP4
// and compressed movie headers ('cmov') are refused. See mov.go,
// mov_index.go and mov_write.go.
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
// # Keeping chosen metadata
//
// Options.Keep names categories to keep (Location, Time, Device, Identity,
// Text). A tag is kept iff its category, as the report classifies it, is
// kept: Time is the capture, digitisation and modification times with
// their offsets and sub-seconds, and the GPS date and time stamps (unless
// CoarseLocation); Identity is artist, copyright, creator, rights and
// owner; Text is titles, descriptions, captions, keywords and comments;
// Device is make, model, lens, software and serial numbers; Location is
// the GPS IFD. Embedded and Other never stay. Kept tags are written into
// new structures that hold nothing else; Report.Kept lists them.
//
// EXIF (tiff_write.go) is rebuilt as a fresh TIFF structure in the input's
// byte order: IFD0 with the orientation (unless DropOrientation) and the
// kept IFD0 tags, the Exif IFD and the GPS IFD with theirs, entries sorted
// by tag, offsets computed anew, values word-aligned with zero padding
// and nothing else. Only the table exifKeepSpecs (tiff_keep.go) keeps: a
// tag is kept when it lists it and its value is of the type, count and
// form CIPA DC-008 §4.6.4–§4.6.6 give it, parsed and written anew. Text is
// kept up to its NUL, without padding spaces, and only as printable text
// of the tag's form: dates "YYYY:MM:DD HH:MM:SS" (a blank or zero date,
// which the spec allows for an unknown one, says nothing and goes),
// sub-seconds digits, offsets "±HH:MM", a Copyright's two parts at most;
// text in an UNDEFINED field (as Nokia writes GPSDateStamp) is read and
// written as ASCII; bytes after the NUL go and are reported as removed.
// Numbers are kept only in the spec's type and count (GPSTimeStamp three
// RATIONALs of a time of day, GPSVersionID the four bytes 2.x.0.0); a tag
// of another type or count is reported as removed, not as kept. GPS
// coordinates are read as decoders read them (RATIONAL or SRATIONAL, one
// to three numbers, tags in any order; the sign is the reference's, else
// the numbers') and written as three RATIONALs with a matching reference. There is no IFD1 (so no
// thumbnail), no Interop IFD or SubIFDs, no MakerNote, no XMP or IPTC
// inside the TIFF structure, no tag that no standard names, and no byte of
// the old block's value areas. Tags that writers misplace in IFD1 or
// SubIFDs are removed with them. Only the block viewers read is rebuilt
// (the first EXIF segment of a JPEG, the first eXIf or raw EXIF profile of
// a PNG, the first top-level EXIF chunk of a WebP); others are removed as
// by default. The block goes where the orientation would: JPEG APP1, PNG
// eXIf or ImageMagick's raw profile in the form it came in, WebP EXIF after
// the image data with the VP8X EXIF flag set. In HEIF and AVIF, an Exif
// item that describes ('cdsc') a kept image stays as an item whose data is
// rebuilt (exif_tiff_header_offset 0, then the TIFF structure) without an
// orientation, as a HEIF image's orientation is its 'irot' and 'imir'
// properties; XMP items likewise stay with the packet keepXMP rebuilds.
// EXIF inside a JPEG-coded HEIF item is removed.
//
// CoarseLocation is 0 or at least MinCoarseLocation (0.001 degrees, about
// 110 m); a finer grid is ErrInvalidOptions. With it and Location kept,
// the GPS IFD holds only GPSVersionID, the latitude and longitude
// references and the position rounded to the nearest multiple of the
// grid, written as whole degrees, whole minutes and seconds in millionths
// (exact to 3e-10 degrees), and GPSTimeStamp and GPSDateStamp when Time is
// kept; altitude, speed, direction, destination, accuracy, satellites,
// map datum, processing method and area information go. Findings report
// the precise position as removed, Kept the rounded one. IPTC-IIM drops
// Sub-location (2:92) and ContentLocationCode and ContentLocationName
// (2:26, 2:27) under a grid.
//
// # Keeping XMP, IPTC and text
//
// With Options.Keep, kept properties are written into new structures
// (xmp_write.go, iptc.go, png.go):
//
//   - XMP: the packet is parsed (in any encoding) and a fresh UTF-8 packet
//     written with the top-level properties of every rdf:Description that
//     the tables list (xmp_schema.go: namespace URI and name) in a kept
//     category, with the table's prefix, namespace URI and spelling of the
//     name; a property of a namespace no table lists is never kept,
//     whatever its name ("vendor:ArtistGPSLatitude"). Every value is
//     checked by its property's type and written anew: dates as XMP's
//     ISO 8601 forms, integers, reals and rationals as numbers, GPS
//     coordinates as "DDD,MM,SSk" or "DDD,MM.mmk" (written
//     "DDD,MM.mmmmmmK"), text without control characters; a value that is
//     not of its type is left out. xml:lang stays only if it is a BCP 47
//     tag (RFC 5646) without extensions or private use ("x-default"
//     aside). Arrays and language alternatives stay whole. A structure or
//     array is kept only if every field nested in it is listed and of a
//     kept category too (so xmpMM:History, whose events hold times and
//     software, is never kept). Comments, padding, unknown RDF attributes
//     and text outside properties go. Of two properties of the same name
//     the first stays. Under CoarseLocation GPS latitudes and longitudes
//     (exif:, exifEX: and in the IPTC location structures) are rounded;
//     every other GPS property, altitudes, headings and places finer than
//     a city (Iptc4xmpCore:Location, the IPTC sub-location, location name
//     and identifier, xmpDM:shotLocation, dc:coverage, any "…Position")
//     go; cities, regions and countries stay. JPEG keeps the first
//     standard XMP segment (up to 65502 bytes; never split), PNG an
//     uncompressed iTXt "XML:com.adobe.xmp", WebP an XMP chunk after the
//     image data with its VP8X flag; Extended XMP is never kept.
//   - IPTC-IIM (JPEG APP13, PNG raw profiles): a new "Photoshop 3.0"
//     segment with a single IPTC resource (0x0404) holding the kept
//     datasets of the Application Record, each only of the form and length
//     IIM 4.2 §6 gives it (dates CCYYMMDD, times HHMMSS±HHMM, codes of
//     letters, printable text), after the original
//     record version and, for non-ASCII text, its coded character set
//     (1:90). No other image resource is kept: not the thumbnails, nor the
//     IPTC digest (0x0425), which would no longer match.
//   - PNG text: a tEXt, zTXt or iTXt chunk whose keyword a table names
//     (the keywords of PNG §11.3.3.2 and ImageMagick's, exif: and tiff:
//     keywords of the XMP tables) in a kept category, and whose text is of
//     the keyword's kind (a time keyword holds a date; text is printable,
//     with no NUL), is written anew, uncompressed, under the table's
//     keyword: tEXt and zTXt as tEXt, iTXt as iTXt with its language tag
//     if it is a BCP 47 tag, and no translated keyword (png_text.go).
//     Under CoarseLocation no Location text stays. tIME stays under Time.
//   - Videos: 'udta' atoms, QuickTime keys and iTunes items that a table
//     names (never a key such as "author_gps" that none lists), with the
//     'mdta' or 'mdir' handler, are written anew with their values checked
//     by kind (mov_keep.go): dates ('©day', creationdate) as ISO 8601,
//     positions ('©xyz', the ISO 6709 key) rewritten from their numbers,
//     numbers as numbers, text printable, 'data' atoms with the default
//     locale; a number atom beside a position, date or text goes. 'loci'
//     is rebuilt from its fields (TS 26.244). Under CoarseLocation the
//     ISO 6709 positions and 'loci' are rounded, without altitude, and
//     'loci' loses its name, astronomical body and notes; other location
//     keys go.
//   - JPEG COM stays, byte for byte, under Text.
//
// # Image data carries only image data
//
// Image data is copied byte for byte, but only as far as a decoder reads
// it, so that nothing rides along behind it. In a JPEG, the Huffman codes
// of every scan are walked (T.81 F.2.2, G.1.2) to find where each restart
// interval's last MCU ends; bytes between it and the next marker, other
// than fill bytes, are cut, as are segments with reserved marker codes and
// bytes of a DNL segment past its line count. Lossless, hierarchical and
// arithmetic-coded JPEGs are refused. In a PNG, the IDAT (and each APNG
// frame's fdAT) zlib stream is inflated to find its end; bytes after it are
// cut. In a WebP, VP8 frame headers are checked against the partition sizes
// they declare, each frame's tokens are walked (RFC 6386 §13) to where
// decoders stop reading and more than 8 bytes after that are cut, and raw
// ALPH data is cut to width × height bytes; the end of a VP8L bitstream is
// not found. What is cut is reported in category Embedded.
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
// An error from the caller's own reader or writer (a canceled context, a
// dropped connection, a full disk) is returned as it is, never wrapped in a
// *FormatError, as the standard library's image decoders do: errors.Is and
// == work on it, and a server can tell a client that hung up from a client
// that sent a broken photo.
//
// When the format was recognised, Scan and Scrub return a Report even with
// an error: it lists the metadata read before the problem, so that a photo
// truncated inside its image data still shows what it gave away. Only a nil
// error means the report is complete and, for Scrub, that the whole output
// has been written.
//
// # Concurrency
//
// The package is safe for concurrent use: Scan, Scrub and ScrubFile share
// no state between calls but pools of buffers, and any number of them can
// run at once on different inputs. The output of Scrub depends only on its
// input and options.
//
// # Streaming over HTTP
//
// Scrub can stream: JPEG and PNG images are copied to w as they are read,
// so a handler can pass its request body as r and its http.ResponseWriter
// as w. Three things follow. A handler that writes its response while it
// still reads the request needs full duplex on HTTP/1.1
// (http.NewResponseController(w).EnableFullDuplex()). The status and
// headers are sent with the first bytes of output, so an error found later
// can no longer change the status; and the report exists only once Scrub
// returns, after the whole output is written, so it cannot go in a header
// (send it as a trailer, or after the image in a format of your own). And a
// failed scrub must abort the response rather than end it normally, so that
// the client sees a broken transfer, not a short image: panic with
// http.ErrAbortHandler, which net/http treats as a silent abort. To answer
// with an error status instead, scrub into a buffer (or a temporary file)
// and send it only after Scrub returns nil; WebP, HEIF and AVIF output is
// always produced whole at the end. See the examples.
//
// # File names
//
// Scrub never sees a file name, but phones name photos after the moment
// they were taken (IMG_20240601_211403.jpg), so a scrubbed copy stored
// under the same name still tells it. ScanName recognises such names, for
// apps that store uploads under the names users give them; the command's
// report and check list them as a finding of category Time, and its
// scrub --rename gives outputs neutral names.
//
// # Layout
//
// The root package holds the public face and one file family per container;
// the codecs live in packages under internal/, which import nothing from the
// root and return plain values (offsets, counts, what they removed) that the
// root turns into findings. Read top-down:
//
//   - Public face: exifscrub.go (Scan, Scrub, Options, Report, errors),
//     errors.go, category.go, file.go, filename.go, detect.go (the detect
//     table), reader.go (the input reader the formats share).
//   - Formats, each turning its codecs' results into findings and output:
//     jpeg.go, jpeg_gainmap.go (HDR gain maps), jpeg_motion.go (what follows
//     the image), jpeg_apple.go (the primary's minimal Apple MakerNote);
//     png.go, png_text.go, pngzlib.go; webp.go; heic.go (parse), heic_items.go
//     (decide), heic_props.go and heic_coded.go (rebuild), heic_write.go
//     (write), heic_motion.go (Samsung 'mpvd'); mov.go (read and report),
//     mov_moov.go, mov_index.go, mov_entry.go, mov_text.go (subtitle cues),
//     mov_keep.go, mov_keep_value.go, mov_media.go, mov_write.go and
//     mov_files.go (rewrite), mov_live.go (a Live Photo's still-image-time
//     track). What motion photos share: motion.go (their video in a report)
//     and live.go (Live Photo identifiers). The metadata shared by the
//     formats: tiff.go and tiff_write.go (EXIF), xmp.go, xmp_schema.go,
//     xmp_value.go and xmp_write.go, iptc.go, icc.go, colr.go.
//   - Codecs (internal/): jpegscan (JPEG entropy-coded data), jpegapp (JFIF,
//     Adobe and APP12 segments), mpf (the Multi-Picture Format index), gainmap
//     (ISO 21496-1 and the gain maps' XMP), motion (a motion photo's video and
//     Samsung's SEF trailer); makernote (the private fields of camera makers'
//     notes and Canon's CIFF); zlib (PNG's inflater), png (its chunks); bmff
//     (ISO-BMFF boxes), heif (HEIF item boxes), mp4 (movie boxes and sample
//     tables), timedtext (subtitle cues), nal (H.264, HEVC and VVC NAL units
//     and SEI), av1 (OBUs); riff, webp and vp8 (WebP chunks and bitstreams);
//     icc (colour profiles), tiff (the EXIF structure and tag names), xmp
//     (RDF/XML packets), iptc (IIM datasets and Photoshop resources); date,
//     text and filename (value forms the codecs share); atomicfile
//     (ScrubFile's temporary file and rename).
//
// An error from a codec is a value carrying its offset, which the format
// wraps into a *FormatError.
//
// # References
//
//   - ICC.1:2022 (profile version 4.4) and ICC.1:2001-04 (version 2).
//   - JPEG: ITU-T T.81 Annex B, F.2.2, G.1.2; JFIF 1.02; CIPA DC-008 (EXIF 2.32/3.0) §4.7;
//     CIPA DC-007 (Multi-Picture Format); Adobe XMP Specification Part 3.
//   - PNG: ISO/IEC 15948, PNG Third Edition (W3C, 2025); zlib RFC 1950, deflate RFC 1951.
//   - TIFF 6.0 (for the EXIF structure); IPTC-IIM 4.2.
//   - HEIF: ISO/IEC 23008-12; ISO/IEC 14496-12 (ISO base media file format).
//   - WebP: RFC 9649; VP8 RFC 6386.
//   - Videos: ISO/IEC 14496-12 §8 (boxes), 14496-14 (MP4); Apple QuickTime
//     File Format Specification; 3GPP TS 26.244 §8 (asset boxes); ISO 6709
//     Annex H (positions); XMP Specification Part 3 §1.1.4.
package exifscrub
