package exifscrub

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/exifscrub/exifscrub/internal/gainmap"
	"github.com/exifscrub/exifscrub/internal/makernote"
	"github.com/exifscrub/exifscrub/internal/tiff"
)

// EXIF metadata is a TIFF structure: a byte-order mark, a first-IFD offset,
// and a chain of IFDs (image file directories) of 12-byte entries, some of
// which point to further IFDs. References: TIFF 6.0 §2 "TIFF Structure";
// CIPA DC-008 (EXIF 2.32/3.0) §4.6. internal/tiff reads and writes the
// structure; this file classifies what it holds.

// Tags whose meaning the report needs (CIPA DC-008 §4.6.4, §4.6.5, §4.6.6),
// and the structure's own (internal/tiff), which the keep policy never keeps.
const (
	tagOrientation       = 0x0112
	tagSubIFDs           = tiff.TagSubIFDs
	tagJPEGInterchange   = tiff.TagJPEGInterchange
	tagJPEGInterchangeLn = tiff.TagJPEGInterchangeLn
	tagXMLPacket         = 0x02bc // XMP embedded in TIFF (XMP spec part 3 §1.1.4)
	tagIPTC              = 0x83bb // IPTC-NAA records (TIFF/EP)
	tagExifIFD           = tiff.TagExifIFD
	tagGPSIFD            = tiff.TagGPSIFD
	tagInteropIFD        = tiff.TagInteropIFD
	tagMakerNote         = tiff.TagMakerNote
)

// An ifdKind says which IFD a tag was found in; tag numbers mean different
// things in different IFDs.
type ifdKind = tiff.Kind

const (
	ifd0       = tiff.IFD0
	ifd1       = tiff.IFD1
	ifdExif    = tiff.Exif
	ifdGPS     = tiff.GPS
	ifdInterop = tiff.Interop
	ifdSub     = tiff.Sub
)

// Containers, named after ExifTool's group names so that its output and
// ours can be compared line by line.
const (
	containerIFD0    = "EXIF IFD0"
	containerGPS     = "EXIF GPS"
	containerExifIFD = "EXIF ExifIFD"
)

var ifdContainer = [...]string{
	ifd0:       containerIFD0,
	ifd1:       "EXIF IFD1",
	ifdExif:    containerExifIFD,
	ifdGPS:     containerGPS,
	ifdInterop: "EXIF InteropIFD",
	ifdSub:     "EXIF SubIFD",
}

// A tagInfo is what exifscrub knows about a privacy-relevant tag.
type tagInfo struct {
	name string
	cat  Category
}

type tagKey struct {
	ifd ifdKind
	tag uint16
}

// exifTags lists the tags that give the owner away. Names follow ExifTool's
// where they differ from CIPA DC-008's (DateTime is ExifTool's ModifyDate),
// so that reports can be checked against it. Other tags are named from
// go-exif's tag table and reported as Other.
var exifTags = map[tagKey]tagInfo{
	// TIFF 6.0 §8 and CIPA DC-008 §4.6.4 A, IFD0.
	{ifd0, 0x000b}: {"ProcessingSoftware", Device}, // Adobe DNG; gThumb, darktable
	{ifd0, 0x010d}: {"DocumentName", Text},
	{ifd0, 0x010e}: {"ImageDescription", Text},
	{ifd0, 0x010f}: {"Make", Device},
	{ifd0, 0x0110}: {"Model", Device},
	{ifd0, 0x0131}: {"Software", Device},
	{ifd0, 0x0132}: {"ModifyDate", Time},
	{ifd0, 0x013b}: {"Artist", Identity},
	{ifd0, 0x013c}: {"HostComputer", Device},
	{ifd0, 0x8298}: {"Copyright", Identity},
	{ifd0, 0x882a}: {"TimeZoneOffset", Time}, // TIFF/EP
	{ifd0, 0x9c9b}: {"XPTitle", Text},        // Windows Explorer tags
	{ifd0, 0x9c9c}: {"XPComment", Text},
	{ifd0, 0x9c9d}: {"XPAuthor", Identity},
	{ifd0, 0x9c9e}: {"XPKeywords", Text},
	{ifd0, 0x9c9f}: {"XPSubject", Text},
	{ifd0, 0xc614}: {"UniqueCameraModel", Device}, // DNG 1.4 §"UniqueCameraModel"
	{ifd0, 0xc615}: {"LocalizedCameraModel", Device},
	{ifd0, 0xc62f}: {"CameraSerialNumber", Device},
	{ifd0, 0xfde8}: {"OwnerName", Identity}, // Microsoft Photo
	{ifd0, 0xfde9}: {"SerialNumber", Device},
	{ifd0, 0xfdea}: {"Lens", Device},
	// CIPA DC-008 §4.6.5, Exif IFD.
	{ifdExif, 0x9003}: {"DateTimeOriginal", Time},
	{ifdExif, 0x9004}: {"CreateDate", Time}, // DateTimeDigitized
	{ifdExif, 0x9010}: {"OffsetTime", Time},
	{ifdExif, 0x9011}: {"OffsetTimeOriginal", Time},
	{ifdExif, 0x9012}: {"OffsetTimeDigitized", Time},
	{ifdExif, 0x9290}: {"SubSecTime", Time},
	{ifdExif, 0x9291}: {"SubSecTimeOriginal", Time},
	{ifdExif, 0x9292}: {"SubSecTimeDigitized", Time},
	{ifdExif, 0x927c}: {"MakerNote", Device}, // vendor data: serial numbers, owner, times
	{ifdExif, 0x9286}: {"UserComment", Text},
	{ifdExif, 0xa420}: {"ImageUniqueID", Device},
	{ifdExif, 0xa430}: {"OwnerName", Identity},  // CameraOwnerName
	{ifdExif, 0xa431}: {"SerialNumber", Device}, // BodySerialNumber
	{ifdExif, 0xa432}: {"LensInfo", Device},     // LensSpecification
	{ifdExif, 0xa433}: {"LensMake", Device},
	{ifdExif, 0xa434}: {"LensModel", Device},
	{ifdExif, 0xa435}: {"LensSerialNumber", Device},
	{ifdExif, 0xa436}: {"ImageTitle", Text}, // EXIF 3.0
	{ifdExif, 0xa437}: {"Photographer", Identity},
	{ifdExif, 0xa438}: {"ImageEditor", Identity},
	{ifdExif, 0xa439}: {"CameraFirmware", Device},
	{ifdExif, 0xa43a}: {"RAWDevelopingSoftware", Device},
	{ifdExif, 0xa43b}: {"ImageEditingSoftware", Device},
	{ifdExif, 0xa43c}: {"MetadataEditingSoftware", Device},
	// CIPA DC-008 §4.6.6: every GPS tag is Location, but for the UTC time stamp.
	{ifdGPS, 0x0007}: {"GPSTimeStamp", Time},
	{ifdGPS, 0x001d}: {"GPSDateStamp", Time},
	// EXIF 2.31 added GPSHPositioningError, which go-exif's table lacks;
	// iPhones write it.
	{ifdGPS, 0x001f}: {"GPSHPositioningError", Location},
}

// lookupTag finds a tag in exifTags. Tags are also looked for where
// writers misplace them: TIFF tags in IFD1 and SubIFDs, which describe other
// images with the same tags as IFD0, and Exif IFD tags in IFD0 and back
// (tiff.Homes).

func lookupTag(kind ifdKind, tag uint16) (tagInfo, bool) {
	for _, k := range tiff.Homes(kind) {
		if info, ok := exifTags[tagKey{k, tag}]; ok {
			return info, true
		}
	}
	return tagInfo{}, false
}

// exifWalk is the state of one report of an EXIF block.
type exifWalk struct {
	r           *tiff.Walk
	block       []byte // what r walks
	rep         *Report
	orientation int
	appleHDR    bool // it holds a MakerNote of Apple HDR tags alone, which Scrub writes (live.go)
	// keep, when set, collects the entries that Options.Keep keeps
	// instead of reporting them (see keepEXIF).
	keep *exifKeep
}

// parseEXIF adds a finding for every tag in the TIFF-structured EXIF
// block b (which starts at the byte-order mark) and returns the IFD0
// orientation, or 0 when there is none.
//
// The walk reads every IFD that a common reader would: IFD0 and the chain
// after it, and the Exif, GPS, Interop and SubIFDs that any IFD but a GPS
// IFD points to (ExifTool and libexif follow a GPS pointer in the Exif IFD
// or IFD1 too). Damage stops only the part of the walk it is in: an IFD
// that is out of range, or read before, is skipped and the rest is walked;
// an IFD whose entry count claims more entries than the block holds yields
// the entries that fit, as libexif and ImageMagick read them. A malformed
// block is reported as far as it can be read, followed by a finding that
// says where it broke: the block is removed either way, so it is never an
// error for Scrub. What could not be read is reported as Embedded, data
// that cannot be classified.
func parseEXIF(rep *Report, b []byte) (orientation int) {
	w := walkEXIF(rep, b, nil)
	if w == nil {
		return 0
	}
	return w.orientation
}

// walkEXIF is parseEXIF with an optional collector of kept entries; it
// returns nil when the block has no readable TIFF header.
func walkEXIF(rep *Report, b []byte, keep *exifKeep) *exifWalk {
	r, err := tiff.Read(b)
	if err != nil {
		reason := err.Error()
		var e *tiff.Error
		if errors.As(err, &e) {
			reason = e.Reason // as the finding has always said it
		}
		rep.add(Embedded, "EXIF", "EXIF", fmt.Sprintf("unreadable (%d bytes): %s", len(b), reason))
		return nil
	}
	w := &exifWalk{r: r, block: b, rep: rep, keep: keep}
	if keep != nil {
		keep.rep, keep.bo = rep, r.Order
	}
	before := rep.count()
	for _, i := range r.Top {
		w.ifd(i)
	}
	if rep.count() == before {
		// Nothing but an orientation, or nothing: data that no IFD
		// points to is all the block could hide, and Scrub removes it,
		// so it must not pass a check.
		if n := r.Hidden(); n > 0 {
			rep.add(Embedded, "EXIF", "EXIF", fmt.Sprintf("(%d bytes that no IFD points to)", n))
		}
	}
	// What the walk could not read: data it skipped (a budget) is
	// Embedded, pointers that lead nowhere or back to an IFD already
	// read are Other.
	for _, unread := range []bool{true, false} {
		for _, n := range r.Notes {
			if n.Unread != unread {
				continue
			}
			s := n.Reason
			if n.InIFD {
				s = ifdContainer[n.IFD] + " " + s
			}
			if unread {
				rep.add(Embedded, "EXIF", "EXIF", "partly unreadable: "+s)
			} else {
				rep.add(Other, "EXIF", "EXIF", "damaged: "+s)
			}
		}
	}
	if rep.count() == before && w.orientation == 0 && !w.appleHDR && keep.empty() {
		// An EXIF block with nothing in it is still a block we remove.
		rep.add(Other, "EXIF", "EXIF", fmt.Sprintf("(%d bytes)", len(b)))
	}
	return w
}

// ifd reports the entries of the i'th IFD of the walk, and those of the
// IFDs they point to where they point to them, and its thumbnail.
func (w *exifWalk) ifd(i int) {
	d := &w.r.IFDs[i]
	kind, bo := d.Kind, w.r.Order
	// GPS coordinates are reported in signed decimal degrees, which needs
	// the hemisphere references wherever they are in the IFD.
	var latRef, lonRef string
	if kind == ifdGPS {
		latRef, lonRef = tiff.GPSRefs(d.Entries)
	}
	for _, e := range d.Entries {
		tag, typ, count, val := e.Tag, e.Type, e.Count, e.Value
		if !e.InBlock {
			info := w.info(kind, tag)
			w.rep.add(info.cat, ifdContainer[kind], info.name, "(value outside the EXIF block)")
			continue
		}
		if tag == tagOrientation && kind == ifd0 {
			if v, ok := tiff.Uint(bo, typ, val, 0); ok && v >= 1 && v <= 8 {
				w.orientation = int(v)
				continue // kept, so not reported
			}
		}
		if e.Link { // a pointer to IFDs, or to the thumbnail
			for _, j := range e.Sub {
				w.ifd(j)
			}
			continue
		}
		switch tag {
		case tagMakerNote:
			if kind == ifdExif && gainmap.IsAppleHDRMakerNote(val) {
				w.appleHDR = true
				continue // written anew for a gain map (keepAppleHeadroom, jpeg_apple.go), not reported
			}
			if a, ok := gainmap.ParseAppleMakerNote(val); ok && kind == ifdExif && w.rep.liveID == "" {
				w.rep.liveID = a.ContentIdentifier // Report.ContentIdentifier
			}
		case tagXMLPacket:
			if kind == ifd0 {
				parseXMP(w.rep, "XMP", val)
				continue
			}
		case tagIPTC:
			if kind == ifd0 {
				parseIPTC(w.rep, val)
				continue
			}
		}
		info := w.info(kind, tag)
		s := tiff.String(bo, kind, tag, typ, count, val, latRef, lonRef)
		if info.cat == Other {
			info.cat = otherCategory(kind, tag, typ, val, info.name)
		}
		if w.keep != nil && w.keep.collect(kind, tag, typ, count, val, info) {
			continue
		}
		w.rep.add(info.cat, ifdContainer[kind], info.name, s)
		if tag == tagMakerNote && kind == ifdExif {
			w.makerNote(e)
		}
	}
	thumbOff, thumbLen := d.ThumbnailOffset, d.ThumbnailLength
	switch {
	case thumbLen == 0:
	case uint64(thumbOff)+uint64(thumbLen) > uint64(w.r.Len()) && bytes.HasPrefix(w.block[min(uint64(thumbOff), uint64(len(w.block))):], []byte{0xff, 0xd8}):
		// A damaged block, cut or with a wrong length, in which the
		// thumbnail starts (with a JPEG SOI, T.81 B.2.1) but does not
		// end: there is an image, as ExifTool shows, only shorter.
		w.rep.add(Embedded, ifdContainer[kind], "ThumbnailImage", fmt.Sprintf("(%d bytes at offset %d, of which %d in the EXIF block)", thumbLen, thumbOff, w.r.Len()-int(thumbOff)))
	case uint64(thumbOff)+uint64(thumbLen) > uint64(w.r.Len()):
		// Nothing there to show: a pointer that leads outside the block.
		w.rep.add(Other, ifdContainer[kind], "ThumbnailImage", fmt.Sprintf("(%d bytes at offset %d, outside the EXIF block)", thumbLen, thumbOff))
	default:
		w.rep.add(Embedded, ifdContainer[kind], "ThumbnailImage", fmt.Sprintf("(%d bytes at offset %d)", thumbLen, thumbOff))
	}
}

// makerNote reports the private fields of the maker note e, which is
// itself reported (and removed) as a whole: each under the MakerNote's
// container, named as ExifTool names it with its group ("Canon:OwnerName"),
// so that what a camera hid in it (a serial number, an owner's name, a
// place typed in, a preview image) is seen by category.
func (w *exifWalk) makerNote(e tiff.Entry) {
	var mk string
	if len(w.r.Top) > 0 {
		for _, f := range w.r.IFDs[w.r.Top[0]].Entries {
			if f.Tag == 0x010f && f.InBlock { // Make (TIFF 6.0 §8)
				mk = cString(f.Value)
			}
		}
	}
	note := makernote.Read(w.block, w.r.Order, e.ValueOffset, uint32(len(e.Value)), mk)
	for _, f := range note.Fields {
		w.rep.add(Category(f.Category), containerExifIFD, note.Maker+":"+f.Name, f.Value)
	}
}

// info returns the name and category of a tag: from exifTags, else named
// from the standard's tables and reported as Other, but for any tag of the
// GPS IFD, which is Location.
func (w *exifWalk) info(kind ifdKind, tag uint16) tagInfo {
	if info, known := lookupTag(kind, tag); known {
		return info
	}
	info := tagInfo{name: tagName(kind, tag), cat: Other}
	if kind == ifdGPS {
		info.cat = Location
	}
	return info
}

// otherTextTags are the tags reported as Other whose text is a fixed word
// of a standard, not free text.
var otherTextTags = map[tagKey]bool{
	{ifdInterop, 0x0001}: true, // InteroperabilityIndex, "R98" (CIPA DC-008 §4.6.7)
	{ifdInterop, 0x1000}: true, // RelatedImageFileFormat, "JPEG Exif Ver 2.2"
	{ifd0, 0xc4a5}:       true, // PrintIM: "PrintIM", then printer settings
}

// otherCategory is the category of a tag that no table classifies, so
// that nothing a person wrote hides among the camera settings: text in
// it is Text, whatever the tag (an ASCII value, or readable UNDEFINED
// bytes, longer than a 4-character version such as ExifVersion's "0232");
// data in a tag that no standard names is Embedded, data that cannot be
// classified, unless it is all zeros.
func otherCategory(kind ifdKind, tag, typ uint16, val []byte, name string) Category {
	if otherTextTags[tagKey{kind, tag}] || otherTextTags[tagKey{ifd0, tag}] {
		return Other
	}
	switch {
	case (typ == 2 || typ == 7 && isText(val)) && len(cString(val)) > 4:
		return Text
	case strings.HasPrefix(name, "0x") && !allZero(val):
		return Embedded
	}
	return Other
}

// tagName names a tag: from exifTags, else from the names the EXIF and
// TIFF standards give it (tiff.Name), else by number.
func tagName(kind ifdKind, tag uint16) string {
	if info, ok := lookupTag(kind, tag); ok {
		return info.name
	}
	if kind == ifd1 || kind == ifdSub {
		kind = ifd0 // the same TIFF tags, describing another image
	}
	// Writers misplace tags between IFD0, the Exif IFD and the Interop
	// IFD; a tag is named from its own IFD's table first.
	kinds := []ifdKind{kind, ifd0, ifdExif, ifdInterop}
	if kind == ifdGPS {
		kinds = kinds[:1]
	}
	for _, kind := range kinds {
		if name, ok := tiff.Name(kind, tag); ok {
			return name
		}
	}
	return fmt.Sprintf("0x%04x", tag)
}
