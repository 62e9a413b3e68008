package exifscrub

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/date"
	"github.com/exifscrub/exifscrub/internal/mp4"
)

// Videos: QuickTime movies (Apple, "QuickTime File Format Specification",
// QTFF) and ISO base media files (ISO/IEC 14496-12, with MP4 in 14496-14
// and 3GPP in TS 26.244). Both are trees of boxes ("atoms" in QTFF): the
// 'moov' box indexes the media, whose samples lie in 'mdat' boxes at
// absolute file offsets ('stco', 'co64').
//
// Where a video keeps its metadata, and what Scrub does with it:
//
//   - 'udta' (user data, 14496-12 §8.10.1, QTFF "User Data Atoms") at the
//     file, movie and track levels: QuickTime text atoms ('©xyz' location,
//     '©mak', '©mod', '©day'…), 3GPP asset boxes ('loci', 'titl', 'auth'…,
//     TS 26.244 §8), XMP ('XMP_'), vendor boxes (GoPro 'FIRM', 'LENS',
//     'MUID', 'GPMF'; Samsung 'SDLN', 'smta'…) and an iTunes-style 'meta'.
//     Removed, Nero chapters ('chpl'), track selection ('tsel'), track
//     kind ('kind') and loudness ('ludt') included: they are copied raw
//     or not at all, and a box can hide in them.
//   - 'meta' (14496-12 §8.11.1) with handler 'mdta' (QTFF "Metadata":
//     'keys' and 'ilst', as in com.apple.quicktime.location.ISO6709) or
//     'mdir' (iTunes 'ilst' atoms such as '©nam', '©ART'), or any other
//     handler: removed at every level. No player needs a 'meta' box of a
//     video, so no 'iloc' of a kept one ever needs new offsets.
//   - 'uuid' boxes: XMP (BE7ACFCB-97A9-42E8-9C71-999491E3AFAC, XMP
//     Specification Part 3 §1.1.4), C2PA, vendor data: removed.
//   - Timed-metadata tracks: handler 'meta' (14496-12 §12.3, with sample
//     entries 'mett', 'metx', 'urim'; Apple 'mebx'; GoPro 'gpmd'; Sony
//     'rtmd'), 'camm' (Google camera motion metadata) and timecode tracks
//     ('tmcd', whose sample is the time of day of the recording): removed,
//     with the 'tref' entries that point to them; their samples in 'mdat'
//     are overwritten with zeros, which keeps every other offset valid.
//   - 'mvhd', 'tkhd' and 'mdhd' (14496-12 §8.2.2, §8.3.2, §8.4.2) creation
//     and modification times: set to 0 in place.
//   - 'free', 'skip' and 'wide' boxes, top-level boxes other than 'ftyp',
//     'moov' and 'mdat' (a QuickTime preview 'pnot'/'PICT', for one), and
//     any data after the last box (vendor trailers such as Samsung's
//     SEFT block): removed.
//
// The index is rebuilt from an allow-list (mov_index.go, mov_entry.go):
// the boxes a player needs, each from its fields at its spec length, and
// sample entries with only the decoder configuration boxes, rebuilt; an
// ICC profile in a 'colr' box is rebuilt as a photo's is (icc.go), or
// dropped with DropColorProfile. Anything else at any depth is dropped
// and reported. Sample data is copied byte for byte. When boxes before
// media data shrink, every chunk offset ('stco', 'co64') and auxiliary
// information offset ('saio') moves by exactly the bytes removed.
//
// What is refused, as a *FormatError with ErrUnsupportedFeature:
// fragmented files ('mvex', 'moof', 'mfra', 'sidx'), whose offsets are
// spread over the file; a compressed movie header ('cmov'); media in
// other files (a 'dref' entry that is not self-contained); sample data outside 'mdat' boxes; a 'moov' larger than
// maxMoovSize.

const (
	// maxMoovSize bounds the 'moov' box, which is held in memory: an hour
	// of 4K video at 60 frames per second indexes in a few megabytes.
	maxMoovSize = 256 << 20
	// maxMOVFindings bounds the findings of one file: a hostile 'udta' of
	// millions of tiny boxes would otherwise make a huge report.
	maxMOVFindings = 4096
)

// The containers of video findings.
const (
	containerKeys     = "QuickTime Keys"     // 'meta' with handler 'mdta'
	containerItemList = "QuickTime ItemList" // 'meta' with handler 'mdir', and other 'ilst'
	containerUserData = "QuickTime UserData" // 'udta'
	containerMovie    = "QuickTime"          // headers, tracks and top-level boxes
)

// Video metadata box types (14496-12 §8, QTFF, XMP, 3GPP); those of the
// movie structure are in package mp4.
var (
	boxUdta = bmff.FourCC{'u', 'd', 't', 'a'} // §8.10.1 user data
	boxKeys = bmff.FourCC{'k', 'e', 'y', 's'} // QTFF metadata item keys
	boxIlst = bmff.FourCC{'i', 'l', 's', 't'} // QTFF metadata item list
	boxXMP  = bmff.FourCC{'X', 'M', 'P', '_'} // XMP Specification Part 3 §1.1.4: XMP in QuickTime 'udta'
)

// Handler types (14496-12 §8.4.3, §12) and sample entries of timed
// metadata: tracks that are removed with their samples.
var (
	movMetadataHandlers = map[bmff.FourCC]string{
		{'m', 'e', 't', 'a'}: "timed metadata",
		{'c', 'a', 'm', 'm'}: "camera motion metadata",
		{'t', 'm', 'c', 'd'}: "timecode",
	}
	movMetadataEntries = map[bmff.FourCC]string{
		{'m', 'e', 'b', 'x'}: "Apple timed metadata",   // QTFF "Timed Metadata Media"
		{'m', 'e', 't', 't'}: "text timed metadata",    // 14496-12 §12.3.3
		{'m', 'e', 't', 'x'}: "XML timed metadata",     // 14496-12 §12.3.3
		{'u', 'r', 'i', 'm'}: "URI timed metadata",     // 14496-12 §12.3.3
		{'c', 'a', 'm', 'm'}: "camera motion metadata", // Google Camera Motion Metadata spec
		{'g', 'p', 'm', 'd'}: "GoPro telemetry (GPS)",  // GoPro GPMF
		{'r', 't', 'm', 'd'}: "Sony real-time metadata",
		{'t', 'm', 'c', 'd'}: "timecode", // QTFF "Timecode Media"
		{'d', 'j', 'm', 'd'}: "DJI telemetry",
		{'d', 'b', 'g', 'i'}: "DJI debug information",
	}
)

// Subtitle, caption and chapter tracks (14496-12 §12.5, §12.6; QTFF
// "Text Media"; 14496-30; 3GPP TS 26.245): text the user may not know is
// there (drones write their position into each cue), removed like the
// metadata tracks unless the policy keeps Text.
var (
	movTextHandlers = map[bmff.FourCC]string{
		{'t', 'e', 'x', 't'}: "text or chapters",
		{'s', 'b', 't', 'l'}: "subtitles",
		{'s', 'u', 'b', 't'}: "subtitles",
		{'c', 'l', 'c', 'p'}: "closed captions",
	}
	movTextEntries = map[bmff.FourCC]string{
		{'t', 'x', '3', 'g'}: "3GPP timed text",
		{'w', 'v', 't', 't'}: "WebVTT",
		{'s', 't', 'p', 'p'}: "TTML subtitles",
		{'s', 't', 'x', 't'}: "simple text",
		{'t', 'e', 'x', 't'}: "QuickTime text",
		{'c', '6', '0', '8'}: "CEA-608 captions",
		{'c', '7', '0', '8'}: "CEA-708 captions",
	}
)

// movAtoms gives the category and name of QuickTime user data atoms
// (QTFF "User Data Atom Types"), iTunes item list atoms, 3GPP asset boxes
// (TS 26.244 §8) and vendor boxes. Names follow ExifTool's where it has
// one.
var movAtoms = map[string]struct {
	cat  Category
	name string
}{
	"©xyz": {Location, "GPSCoordinates"}, "loci": {Location, "LocationInformation"},
	"©mak": {Device, "Make"}, "©mod": {Device, "Model"}, "©swr": {Device, "SoftwareVersion"},
	"©too": {Device, "Encoder"}, "©enc": {Device, "EncodedBy"}, "©hst": {Device, "HostComputer"},
	"©PRD": {Device, "Product"}, "©fmt": {Other, "Format"}, "©swf": {Device, "SoftwareFormat"},
	"FIRM": {Device, "FirmwareVersion"}, "LENS": {Device, "LensSerialNumber"}, "CAME": {Device, "SerialNumberHash"},
	"MUID": {Device, "MediaUID"}, "BCID": {Device, "BoardID"}, "GUMI": {Device, "MediaUniqueID"},
	"manu": {Device, "Make"}, "modl": {Device, "Model"}, "AMBA": {Device, "AmbarellaInfo"},
	"SDLN": {Device, "PlayMode"}, "smrd": {Device, "SamsungInfo"}, "smta": {Device, "SamsungModel"},
	"Cr8r": {Device, "CreatorApplication"}, "PENT": {Device, "PentaxInfo"}, "NCDT": {Device, "NikonInfo"},
	"CNCV": {Device, "CompressorVersion"}, "CNMN": {Device, "Model"}, "CNFV": {Device, "FirmwareVersion"},
	"QVMI": {Device, "CasioInfo"}, "MMA0": {Device, "MinoltaInfo"}, "TAGS": {Device, "MakerTags"},
	"©day": {Time, "ContentCreateDate"}, "©TIM": {Time, "StartTimecode"}, "yrrc": {Time, "Year"},
	"©ed1": {Time, "EditDate1"}, "©ed2": {Time, "EditDate2"}, "©ed3": {Time, "EditDate3"},
	"purd": {Time, "PurchaseDate"}, "date": {Time, "DateTime"},
	"©ART": {Identity, "Artist"}, "©aut": {Identity, "Author"}, "auth": {Identity, "Author"},
	"©cpy": {Identity, "Copyright"}, "cprt": {Identity, "Copyright"}, "©dir": {Identity, "Director"},
	"©prd": {Identity, "Producer"}, "©wrt": {Identity, "Composer"}, "©pub": {Identity, "Publisher"},
	"perf": {Identity, "Performer"}, "aART": {Identity, "AlbumArtist"}, "apID": {Identity, "AppleStoreAccount"},
	"ownr": {Identity, "Owner"}, "©url": {Identity, "URL"}, "©prf": {Identity, "Performers"},
	"©nam": {Text, "Title"}, "titl": {Text, "Title"}, "name": {Text, "Name"}, "©cmt": {Text, "Comment"},
	"©des": {Text, "Description"}, "dscp": {Text, "Description"}, "desc": {Text, "Description"},
	"ldes": {Text, "LongDescription"}, "©inf": {Text, "Information"}, "©alb": {Text, "Album"},
	"albm": {Text, "Album"}, "©gen": {Text, "Genre"}, "gnre": {Text, "Genre"}, "©grp": {Text, "Grouping"},
	"©lyr": {Text, "Lyrics"}, "kywd": {Text, "Keywords"}, "keyw": {Text, "Keywords"}, "©key": {Text, "Keywords"},
	"©wrn": {Text, "Warning"}, "©src": {Text, "OriginalSource"}, "catg": {Text, "Category"},
	"tvsh": {Text, "TVShow"}, "coll": {Text, "Collection"}, "©trk": {Text, "Track"}, "tags": {Text, "Tags"},
	"covr": {Embedded, "CoverArt"}, "thmb": {Embedded, "Thumbnail"}, "GPMF": {Embedded, "GoProMetadata"},
	"chpl": {Text, "ChapterList"}, "kind": {Embedded, "TrackKind"}, "tsel": {Embedded, "TrackSelection"},
	"ludt": {Embedded, "Loudness"},
	"XMP_": {Other, "XMP"}, "PICT": {Embedded, "PreviewPICT"}, "pnot": {Embedded, "PreviewInfo"},
}

// movKeyCategories classifies QuickTime metadata keys ('mdta', QTFF
// "QuickTime Metadata Keys"). Other keys are classified by their last
// component, as free-form names are.
var movKeyCategories = map[string]Category{
	"com.apple.quicktime.location.ISO6709":                    Location,
	"com.apple.quicktime.location.name":                       Location,
	"com.apple.quicktime.location.body":                       Location,
	"com.apple.quicktime.location.note":                       Location,
	"com.apple.quicktime.location.role":                       Location,
	"com.apple.quicktime.location.date":                       Time,
	"com.apple.quicktime.location.accuracy.horizontal":        Location,
	"com.apple.quicktime.make":                                Device,
	"com.apple.quicktime.model":                               Device,
	"com.apple.quicktime.software":                            Device,
	"com.apple.quicktime.camera.identifier":                   Device,
	"com.apple.quicktime.camera.lens_model":                   Device,
	"com.apple.quicktime.camera.focal_length.35mm_equivalent": Other,
	"com.apple.quicktime.content.identifier":                  Device,
	"com.apple.quicktime.live-photo.vitality-score":           Other,
	"com.apple.quicktime.creationdate":                        Time,
	"com.apple.quicktime.author":                              Identity,
	"com.apple.quicktime.artist":                              Identity,
	"com.apple.quicktime.copyright":                           Identity,
	"com.apple.quicktime.publisher":                           Identity,
	"com.apple.quicktime.director":                            Identity,
	"com.apple.quicktime.producer":                            Identity,
	"com.apple.quicktime.performer":                           Identity,
	"com.apple.quicktime.displayname":                         Text,
	"com.apple.quicktime.title":                               Text,
	"com.apple.quicktime.description":                         Text,
	"com.apple.quicktime.comment":                             Text,
	"com.apple.quicktime.keywords":                            Text,
	"com.apple.quicktime.information":                         Text,
	"com.apple.quicktime.album":                               Text,
	"com.apple.quicktime.genre":                               Text,
	"com.android.version":                                     Device,
	"com.android.manufacturer":                                Device,
	"com.android.model":                                       Device,
	"com.android.capture.fps":                                 Other,
	"location":                                                Location,
}

// movKeyCategory returns the category of a QuickTime metadata key.
func movKeyCategory(key string) Category {
	if c, ok := movKeyCategories[key]; ok {
		return c
	}
	if strings.Contains(key, "location") || strings.Contains(key, "ISO6709") {
		return Location
	}
	if c, ok := quickTimeKeys.lookup(key); ok {
		return c
	}
	return guessCategory(key[strings.LastIndexByte(key, '.')+1:])
}

// movReport collects the findings of one video, up to maxMOVFindings.
type movReport struct {
	rep *Report
	n   int
}

func (m *movReport) add(cat Category, container, tag, value string) {
	m.n++
	switch {
	case m.n < maxMOVFindings:
		m.rep.add(cat, container, tag, value)
	case m.n == maxMOVFindings:
		// What is not read must not pass a check.
		m.rep.add(Embedded, container, "Findings", fmt.Sprintf("more than %d; the rest are not listed", maxMOVFindings))
	}
}

// movTime formats a time in seconds since 1904-01-01 00:00 UTC, the epoch
// of 14496-12 §8.2.2 and QTFF.
func movTime(secs uint64) string {
	const from1904To1970 = 2082844800
	if secs > 1<<40 {
		return fmt.Sprintf("%d seconds after 1904", secs)
	}
	return date.UnixUTC(int64(secs)-from1904To1970) + " UTC"
}

// iso6709 parses a position in the ISO 6709 string form that QuickTime
// and 3GPP use, such as "+48.8584+002.2945+035.000/": latitude then
// longitude, each as ±DD.D, ±DDMM.M or ±DDDMMSS.S (ISO 6709:2008 Annex H),
// then an optional altitude, then a slash. It returns signed decimal
// degrees.
func iso6709(s string) (lat, lon, alt float64, hasAlt, ok bool) {
	s = strings.TrimSpace(s)
	var parts []string
	start := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '+' || c == '-' || c == '/' {
			if start >= 0 {
				parts = append(parts, s[start:i])
			}
			start = i
			if c == '/' {
				break
			}
			continue
		}
		if c != '.' && (c < '0' || c > '9') {
			if start >= 0 && c != 'C' { // "CRS..." may follow the altitude
				return 0, 0, 0, false, false
			}
			break
		}
	}
	if start >= 0 && start < len(s) && s[start] != '/' {
		end := len(s)
		if i := strings.IndexAny(s[start+1:], "/C"); i >= 0 {
			end = start + 1 + i
		}
		parts = append(parts, s[start:end])
	}
	if len(parts) < 2 {
		return 0, 0, 0, false, false
	}
	lat, ok1 := iso6709Angle(parts[0], 2)
	lon, ok2 := iso6709Angle(parts[1], 3)
	if !ok1 || !ok2 || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, 0, false, false
	}
	if len(parts) > 2 {
		if a, err := strconv.ParseFloat(parts[2], 64); err == nil {
			alt, hasAlt = a, true
		}
	}
	return lat, lon, alt, hasAlt, true
}

// iso6709Angle parses one signed angle whose degrees have degDigits
// digits; more digits before the point are minutes and seconds.
func iso6709Angle(s string, degDigits int) (float64, bool) {
	if len(s) < 2 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	sign := 1.0
	if s[0] == '-' {
		sign = -1
	}
	s = s[1:]
	intLen := strings.IndexByte(s, '.')
	if intLen < 0 {
		intLen = len(s)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	switch intLen {
	case degDigits: // degrees
	case degDigits + 2: // degrees and minutes
		d := math.Floor(v / 100)
		v = d + (v-d*100)/60
	case degDigits + 4: // degrees, minutes and seconds
		d := math.Floor(v / 10000)
		m := math.Floor((v - d*10000) / 100)
		v = d + m/60 + (v-d*10000-m*100)/3600
	default:
		return 0, false
	}
	return sign * v, true
}

// formatPosition is how video findings give a position: signed decimal
// degrees, which Report.Location reads back.
func formatPosition(lat, lon, alt float64, hasAlt bool) string {
	s := strconv.FormatFloat(lat, 'f', 6, 64) + ", " + strconv.FormatFloat(lon, 'f', 6, 64)
	if hasAlt {
		s += ", " + strconv.FormatFloat(alt, 'f', 1, 64) + " m"
	}
	return s
}

// parsePosition reads a position written by formatPosition.
func parsePosition(s string) (lat, lon float64, ok bool) {
	parts := strings.Split(s, ", ")
	if len(parts) < 2 {
		return 0, 0, false
	}
	lat, ok1 := parseDecimal(parts[0])
	lon, ok2 := parseDecimal(parts[1])
	return lat, lon, ok1 && ok2
}

// isVideoContainer reports whether a finding's container is one of a
// video's, whose positions are in formatPosition's form.
func isVideoContainer(c string) bool { return strings.HasPrefix(c, "QuickTime") }

// position converts an ISO 6709 string to formatPosition's form, or
// returns it unchanged.
func position(s string) string {
	if lat, lon, alt, hasAlt, ok := iso6709(s); ok {
		return formatPosition(lat, lon, alt, hasAlt)
	}
	return s
}

// atomName returns the printable form of an atom type.
func atomName(t bmff.FourCC) string {
	if t[0] == 0xa9 {
		return "©" + printable(string(t[1:]))
	}
	return t.String()
}

// reportUserData reports the children of a 'udta' box that Scrub removes.
func (m *movReport) reportUserData(bx bmff.Box) {
	r := bmff.NewReader(bx.Payload, bx.PayloadOffset(), false)
	for c := range r.All() {
		m.reportUserDataAtom(c)
	}
	if r.Err() != nil {
		m.add(Other, containerUserData, "UserData", fmt.Sprintf("(%d bytes, partly unreadable)", len(bx.Payload)))
	}
}

// reportUserDataAtom reports one child of 'udta'.
func (m *movReport) reportUserDataAtom(c bmff.Box) {
	name := atomName(c.Type)
	info, known := movAtoms[name]
	switch c.Type {
	case bmff.BoxMeta:
		m.reportMeta(c)
		return
	case boxXMP:
		parseXMP(m.rep, "XMP", trimNUL(c.Payload))
		return
	case mp4.BoxLoci:
		m.reportLoci(c)
		return
	case bmff.BoxUUID:
		m.reportUUID(c)
		return
	}
	if !known {
		info.cat, info.name = Other, name
	}
	v, ok := mp4.UserDataText(c.Payload)
	if !ok {
		v = fmt.Sprintf("(%d bytes)", len(c.Payload))
	} else if info.cat == Location {
		v = position(v)
	}
	m.add(info.cat, containerUserData, info.name, v)
}

// trimNUL removes the NUL padding writers leave after an XMP packet.
func trimNUL(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}

// reportLoci reports a 3GPP location box (mp4.ParseLoci).
func (m *movReport) reportLoci(bx bmff.Box) {
	l, err := mp4.ParseLoci(bx)
	if err != nil {
		m.add(Location, containerUserData, "LocationInformation", fmt.Sprintf("(%d bytes)", len(bx.Payload)))
		return
	}
	m.add(Location, containerUserData, "LocationInformation", lociPosition(l))
	for _, v := range lociTexts(l) {
		if v[1] != "" {
			m.add(Location, containerUserData, v[0], v[1])
		}
	}
}

// lociPosition is the position of a 3GPP location, in formatPosition's
// form.
func lociPosition(l mp4.Loci) string {
	return formatPosition(float64(l.Lat)/65536, float64(l.Lon)/65536, float64(l.Alt)/65536, true)
}

// lociTexts are the tags and texts of a 3GPP location.
func lociTexts(l mp4.Loci) [3][2]string {
	return [3][2]string{{"LocationName", l.Name}, {"LocationBody", l.Body}, {"LocationNote", l.Notes}}
}

// reportUUID reports a 'uuid' box: XMP, C2PA, or vendor data.
func (m *movReport) reportUUID(bx bmff.Box) {
	switch bx.UserType {
	case uuidXMP:
		parseXMP(m.rep, "XMP", trimNUL(bx.Payload))
	case uuidC2PA:
		m.add(Identity, containerMovie, "C2PA", fmt.Sprintf("(%d bytes)", len(bx.Payload)))
	default:
		m.add(Other, containerMovie, "UUID-"+fmt.Sprintf("%x", bx.UserType), fmt.Sprintf("(%d bytes)", len(bx.Payload)))
	}
}

// reportMeta reports a 'meta' box: QuickTime metadata ('keys' and
// 'ilst', handler 'mdta'), iTunes metadata ('ilst', handler 'mdir'), or
// any other. In QuickTime files 'meta' is a plain box; in ISO files it is
// a FullBox (14496-12 §8.11.1), whose version and flags come first.
func (m *movReport) reportMeta(bx bmff.Box) {
	p := bx.Payload
	base := bx.PayloadOffset()
	if len(p) >= 8 && string(p[4:8]) != "hdlr" {
		p, base = p[4:], base+4
	}
	var keys []string
	var handler bmff.FourCC
	reported := false
	r := bmff.NewReader(p, base, false)
	for c := range r.All() {
		switch c.Type {
		case bmff.BoxHdlr:
			handler, _ = bmff.HandlerType(bmff.NewCursor(c)) // a short box leaves it zero
		case boxKeys:
			keys = mp4.ParseKeys(c)
		case boxIlst:
			m.reportIlst(c, handler, keys)
			reported = true
		default:
			reported = m.reportMetaChild(c) || reported
		}
	}
	if !reported || r.Err() != nil {
		m.add(Other, containerMovie, "Metadata", fmt.Sprintf("('meta' box with handler '%s', %d bytes)", handler, len(bx.Payload)))
	}
}

// reportMetaChild reports a child of a 'meta' box other than its handler
// and items: XMP or a 'uuid' box. It returns false for anything else.
func (m *movReport) reportMetaChild(c bmff.Box) bool {
	switch c.Type {
	case boxXMP, bmff.FourCC{'x', 'm', 'l', ' '}:
		if c.Type == boxXMP || strings.Contains(string(c.Payload), "adobe:ns:meta") {
			parseXMP(m.rep, "XMP", trimNUL(c.Payload[min(4, len(c.Payload)):]))
			return true
		}
	case bmff.BoxUUID:
		m.reportUUID(c)
		return true
	}
	return false
}

// reportIlst reports the items of an 'ilst' box (QTFF "Metadata Item
// List Atom"), named as ilstItemKey names them.
func (m *movReport) reportIlst(bx bmff.Box, handler bmff.FourCC, keys []string) {
	r := bmff.NewReader(bx.Payload, bx.PayloadOffset(), false)
	for item := range r.All() {
		m.reportIlstItem(item, handler, keys)
	}
}

// reportIlstItem reports the values of one item of an 'ilst' box.
func (m *movReport) reportIlstItem(item bmff.Box, handler bmff.FourCC, keys []string) {
	key, cat, container := ilstItemKey(item, handler, keys)
	var values []string
	r := bmff.NewReader(item.Payload, item.PayloadOffset(), false)
	for d := range r.All() {
		if string(d.Type[:]) == "data" {
			if v, ok := mp4.DataValue(d.Payload); ok {
				values = append(values, v)
			}
		}
	}
	if len(values) == 0 {
		values = []string{fmt.Sprintf("(%d bytes)", len(item.Payload))}
	}
	for _, v := range values {
		if cat == Location {
			v = position(v)
		}
		m.add(cat, container, key, v)
	}
}
