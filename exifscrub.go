package exifscrub

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
)

// A Format names an image container that exifscrub understands.
type Format string

// The formats exifscrub detects by their magic bytes.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	HEIF Format = "heif" // HEIC and other HEIF brands (ISO/IEC 23008-12)
	AVIF Format = "avif" // AV1 in HEIF (AV1 Image File Format)
	WebP Format = "webp"
	MOV  Format = "mov" // QuickTime movie (QuickTime File Format)
	MP4  Format = "mp4" // MP4, 3GP, M4V and other ISO base media video (ISO/IEC 14496-12, -14)
)

// MIMEType returns the media type of files of format f ("image/jpeg",
// "video/quicktime"), or "application/octet-stream" for a Format that is
// none of the above. A brand can be more precise: an HEVC-coded HEIF is
// "image/heic" (ISO/IEC 23008-12 Annex C), a 3GP file "video/3gpp".
func (f Format) MIMEType() string {
	switch f {
	case JPEG:
		return "image/jpeg"
	case PNG:
		return "image/png"
	case HEIF:
		return "image/heif"
	case AVIF:
		return "image/avif"
	case WebP:
		return "image/webp"
	case MOV:
		return "video/quicktime"
	case MP4:
		return "video/mp4"
	}
	return "application/octet-stream"
}

// Extension returns the usual file name extension of format f, with its
// dot (".jpg", ".heic", ".mov"), or "" for a Format that is none of the
// above.
func (f Format) Extension() string {
	switch f {
	case JPEG:
		return ".jpg"
	case PNG:
		return ".png"
	case HEIF:
		return ".heic"
	case AVIF:
		return ".avif"
	case WebP:
		return ".webp"
	case MOV:
		return ".mov"
	case MP4:
		return ".mp4"
	}
	return ""
}

// IsVideo reports whether f is a video format (MOV, MP4).
func (f Format) IsVideo() bool { return f == MOV || f == MP4 }

// A Category says what a piece of metadata gives away.
type Category string

// The categories a Finding can have, from most to least sensitive.
const (
	Location Category = "location" // where the photo was taken: GPS, city, country
	Time     Category = "time"     // when: capture, digitisation and modification times
	Device   Category = "device"   // on what: make, model, serials, lens, software, unique IDs
	Identity Category = "identity" // who: artist, owner, copyright, creator, contact details
	Text     Category = "text"     // free text: comments, descriptions, titles, keywords
	Embedded Category = "embedded" // other images or data: thumbnails, previews, trailers
	Other    Category = "other"    // any other metadata that Scrub removes
)

// Categories returns every Category in report order (a new slice each
// time: the caller may change it).
func Categories() []Category { return slices.Clone(categories) }

// categories is every Category in report order.
var categories = []Category{Location, Time, Device, Identity, Text, Embedded, Other}

// A Finding is one piece of metadata in an image.
type Finding struct {
	Category Category `json:"category"`
	// Container says where the finding was found, such as "EXIF GPS",
	// "XMP", "IPTC", "JPEG COM" or "PNG tEXt".
	Container string `json:"container"`
	// Tag is the name of the tag, property or keyword.
	Tag string `json:"tag"`
	// Value is a printable form of the value, shortened when long.
	// GPS coordinates are signed decimal degrees.
	Value string `json:"value"`
	// More is how many further findings of the same category, container
	// and tag the image holds that the report counts instead of listing:
	// past a few of a kind (MaxSameKind), ten million empty JPEG comments
	// are ten findings, the last with More 9,999,990. Zero in most
	// findings.
	More int `json:"more,omitempty"`
}

// Report bounds. A hostile file can hold millions of metadata blocks; the
// report stays small however many there are, and never drops one without
// saying so.
const (
	// MaxSameKind is how many findings of one category, container and tag
	// a report lists; the rest are counted in the More of the last one.
	MaxSameKind = 10
	// MaxFindings is how many kinds of finding a report lists. Past it,
	// findings of kinds not yet listed are counted in one finding per
	// category (container "exifscrub", tag "ReportLimit"), so that what
	// is not listed still counts in Has and in a check; those of category
	// Other are counted as Embedded, so that a report that hit the limit
	// always fails a check.
	MaxFindings = 1000
)

// A Report lists what an image reveals. Scan returns what is in the image;
// Scrub returns what it removed. Metadata that Scrub keeps because the image
// needs it to display correctly (a colour profile's colour tags, a lone EXIF
// orientation) is not reported; what Scrub removes from a colour profile
// (its text, date, device and creator) is.
//
// Findings is empty, not nil, in a report of a clean image, so that it
// encodes as a JSON array ("findings": []).
type Report struct {
	Format   Format    `json:"format"`
	Findings []Finding `json:"findings"`
	// Kept lists what Scrub kept because Options.Keep named its category,
	// as it is in the output (a rounded position under CoarseLocation).
	// It is empty unless Options.Keep is set, and never lists what is
	// kept by default for display (orientation, colour).
	Kept []Finding `json:"kept,omitempty"`
	// Damaged says the image data itself is damaged, and Scrub kept
	// what decoders show of it: a JPEG cut inside its scan data is
	// written up to the cut, with the EOI marker decoders supply. The
	// error is nil, so an upload pipeline that wants whole images must
	// test Damaged; a Finding of category Other says where the damage is.
	Damaged bool `json:"damaged,omitempty"`

	kinds    map[findingKind]kindCount
	n        int              // findings added, listed or counted
	liveID   string           // the original Live Photo content identifier (ContentIdentifier)
	overflow map[Category]int // index in Findings of each category's ReportLimit finding
}

// A findingKind is what findings that a report counts together share.
type findingKind struct {
	cat            Category
	container, tag string
}

type kindCount struct {
	last   int // index in Findings of the last listed finding of the kind
	listed int // how many of the kind are listed
}

// Total returns the number of findings in the report, counting those
// summed up in More.
func (r *Report) Total() int {
	if r == nil {
		return 0
	}
	n := 0
	for _, f := range r.Findings {
		n += 1 + f.More
	}
	return n
}

// MarshalJSON encodes a report with no findings as "findings": [], never
// null, however the report was made.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report // without this method
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	return json.Marshal(plain(r))
}

// Has reports whether any finding is in one of the given categories.
func (r *Report) Has(cats ...Category) bool {
	if r == nil {
		return false
	}
	for _, f := range r.Findings {
		for _, c := range cats {
			if f.Category == c {
				return true
			}
		}
	}
	return false
}

// Location returns the GPS position recorded in the image's EXIF, in signed
// decimal degrees, and whether there was one; failing that, the video's
// (below), and failing that, XMP's (exif:GPSLatitude and
// exif:GPSLongitude). For a video, it is the
// position of QuickTime metadata (an ISO 6709 string), preferably Apple's
// com.apple.quicktime.location.ISO6709 key, or of the user data.
func (r *Report) Location() (lat, lon float64, ok bool) {
	if r == nil {
		return 0, 0, false
	}
	if lat, lon, ok := r.pairLocation(func(f Finding) bool { return f.Container == containerGPS }, "GPSLatitude", "GPSLongitude"); ok {
		return lat, lon, true
	}
	if lat, lon, ok := r.videoLocation(); ok {
		return lat, lon, true
	}
	return r.pairLocation(func(f Finding) bool { return f.Category == Location }, "exif:GPSLatitude", "exif:GPSLongitude")
}

// pairLocation returns the position of the findings in decimal degrees
// tagged latTag and lonTag among those that in accepts: EXIF's GPS IFD,
// XMP's exif:GPS properties. The first of each counts.
func (r *Report) pairLocation(in func(Finding) bool, latTag, lonTag string) (lat, lon float64, ok bool) {
	var haveLat, haveLon bool
	for _, f := range r.Findings {
		switch {
		case !in(f):
		case f.Tag == latTag && !haveLat:
			lat, haveLat = parseDecimal(f.Value)
		case f.Tag == lonTag && !haveLon:
			lon, haveLon = parseDecimal(f.Value)
		}
	}
	return lat, lon, haveLat && haveLon
}

// videoLocation returns the first position of a video's metadata, keys
// first.
func (r *Report) videoLocation() (lat, lon float64, ok bool) {
	for _, keysOnly := range []bool{true, false} {
		for _, f := range r.Findings {
			if f.Category != Location || !isVideoContainer(f.Container) || keysOnly && f.Container != containerKeys {
				continue
			}
			if lat, lon, ok := parsePosition(f.Value); ok {
				return lat, lon, true
			}
		}
	}
	return 0, 0, false
}

// add adds a finding, or counts it in the More of an earlier one (see
// MaxSameKind and MaxFindings), so that the report's size does not grow
// with the number of metadata blocks in the file.
func (r *Report) add(cat Category, container, tag, value string) {
	r.addFinding(Finding{Category: cat, Container: container, Tag: tag, Value: value}, true)
}

// mergeExcept adds the findings of o to r but for the first XMP finding
// of each of the given property names, which are kept (a gain map's XMP).
func (r *Report) mergeExcept(o *Report, kept map[string]int) {
	for _, f := range o.Findings {
		if f.Container == "XMP" && kept[f.Tag] > 0 {
			kept[f.Tag]--
			continue
		}
		r.addFinding(f, false)
	}
}

// merge adds the findings of o, a report of part of the file, to r.
func (r *Report) merge(o *Report) {
	r.Damaged = r.Damaged || o.Damaged
	for _, f := range o.Findings {
		r.addFinding(f, false)
	}
}

// addFinding is add for a whole finding, whose strings are made printable
// first when clean is set, and which may count others in its More.
func (r *Report) addFinding(f Finding, clean bool) {
	cat, container, tag := f.Category, f.Container, f.Tag
	r.n += 1 + f.More
	if r.kinds == nil {
		r.kinds = make(map[findingKind]kindCount)
	}
	k := findingKind{cat, container, tag}
	c, ok := r.kinds[k]
	switch {
	case ok && c.listed >= MaxSameKind:
		r.Findings[c.last].More += 1 + f.More
		return
	case !ok && len(r.kinds) >= MaxFindings:
		if cat == Other {
			// Other does not fail a check; what the report could not
			// list must, however harmless each piece may be.
			cat = Embedded
		}
		if i, ok := r.overflow[cat]; ok {
			r.Findings[i].More += 1 + f.More
			return
		}
		if r.overflow == nil {
			r.overflow = make(map[Category]int)
		}
		r.overflow[cat] = len(r.Findings)
		r.Findings = append(r.Findings, Finding{Category: cat, Container: "exifscrub", Tag: "ReportLimit",
			Value: fmt.Sprintf("more kinds of metadata than a report lists (%d); the rest are counted here", MaxFindings), More: f.More})
		return
	}
	r.kinds[k] = kindCount{last: len(r.Findings), listed: c.listed + 1}
	if clean {
		f.Container, f.Tag, f.Value = printable(container), printable(tag), printable(f.Value)
	}
	r.Findings = append(r.Findings, f)
}

// keep lists a kept tag in Kept. Kept tags are bounded by the structures
// that hold them, which are rebuilt with only kept tags; past MaxFindings,
// one finding counts the rest.
func (r *Report) keep(cat Category, container, tag, value string) {
	f := Finding{Category: cat, Container: printable(container), Tag: printable(tag), Value: printable(value)}
	if len(r.Kept) >= MaxFindings {
		r.Kept[len(r.Kept)-1].More++
		return
	}
	r.Kept = append(r.Kept, f)
}

// count returns the number of findings added so far, listed or counted:
// parsers compare it before and after a block to see whether the block
// said anything.
func (r *Report) count() int { return r.n }

// sort orders findings by category, keeping the file's order within one.
func (r *Report) sort() {
	rank := make(map[Category]int, len(categories))
	for i, c := range categories {
		rank[c] = i
	}
	for _, fs := range [][]Finding{r.Findings, r.Kept} {
		sort.SliceStable(fs, func(i, j int) bool {
			return rank[fs[i].Category] < rank[fs[j].Category]
		})
	}
}

// Options control Scrub. A nil *Options and the zero value both mean the
// default policy: remove every piece of metadata that the image does not
// need to display correctly, and keep what it does need.
type Options struct {
	// DropColorProfile also removes embedded ICC colour profiles. By
	// default a profile is kept sanitised: its colour tags byte for byte,
	// without the text, dates and device names it may hold. Without a
	// profile, wide-gamut photos display with the wrong colours.
	DropColorProfile bool

	// DropOrientation also removes the EXIF orientation that Scrub otherwise
	// keeps in a minimal EXIF block. Without it, photos taken with the camera
	// on its side display rotated.
	DropOrientation bool

	// Keep lists the categories of metadata to keep: Location, Time,
	// Device, Identity and Text can be kept (see Keepable); Embedded and
	// Other cannot. Nil keeps none, the safest policy. A kept category is
	// kept wherever it is (EXIF, XMP, IPTC, PNG text, HEIF items, WebP
	// chunks), in new structures that hold only the kept tags; what was
	// not chosen never rides along (MakerNotes and thumbnails are never
	// kept). Scrub's report lists the kept tags in Kept.
	Keep []Category

	// CoarseLocation, when Location is kept and CoarseLocation is above
	// zero, rounds the GPS position to a grid of that many degrees (0.01
	// is about 1.1 km, 0.1 about 11 km) and drops every other GPS tag of
	// Location: altitude, direction, speed, destination, area, processing
	// method, accuracy (the GPS time and date stamps are Time, kept only
	// when Time is). "The city, not the house." It is 0 (off) or between
	// MinCoarseLocation and 180 degrees; anything else, or a grid without
	// Location in Keep, is an error.
	CoarseLocation float64

	// KeepMotion keeps the video of a motion photo (a Google Motion Photo
	// or MicroVideo JPEG, a Samsung motion photo JPEG or HEIC), scrubbed
	// as Scrub scrubs any video under the same policy (its samples copied,
	// its private fields removed), with only the fields a gallery needs to
	// play it, written anew. By default the video is removed and reported
	// as Embedded "MotionVideo".
	KeepMotion bool

	// LiveIdentifier, with KeepMotion, is the content identifier written
	// into a Live Photo's still (Apple MakerNote ContentIdentifier) and
	// its video (com.apple.quicktime.content.identifier) in place of the
	// original, so that the clean still and the clean video stay a pair.
	// Give both files of a pair the same fresh value from
	// NewLiveIdentifier: never the original, which links the copy to the
	// owner's library. Empty removes the identifiers, the default. It is
	// an error without KeepMotion, or when it is not an uppercase UUID
	// (8-4-4-4-12 hexadecimal digits), the form Apple writes.
	LiveIdentifier string
}

// MinCoarseLocation is the finest grid CoarseLocation accepts, 0.001
// degrees (about 110 m of latitude): a finer grid would round nothing
// away (a phone's fix is rarely better than 5 m, 0.00005 degrees) and
// keep the house while promising the city.
const MinCoarseLocation = 0.001

// Keepable returns the categories that Options.Keep may name, in report
// order (a new slice each time).
func Keepable() []Category { return slices.Clone(keepable) }

// keepable is what Keepable returns.
var keepable = []Category{Location, Time, Device, Identity, Text}

// ErrInvalidOptions is returned by Scrub for Options it cannot apply: a
// category in Keep that cannot be kept, or a CoarseLocation that is
// neither 0 nor a number of degrees between MinCoarseLocation and 180, or
// that is set while Keep does not name Location.
var ErrInvalidOptions = errors.New("exifscrub: invalid options")

// ParseCategory returns the category named name ("location", "time", …),
// ignoring case, or an error listing the valid names.
func ParseCategory(name string) (Category, error) {
	for _, c := range categories {
		if strings.EqualFold(name, string(c)) {
			return c, nil
		}
	}
	names := make([]string, len(categories))
	for i, c := range categories {
		names[i] = string(c)
	}
	return "", fmt.Errorf("exifscrub: unknown category %q (want one of %s)", name, strings.Join(names, ", "))
}

// check returns an error wrapping ErrInvalidOptions if o cannot be
// applied.
func (o *Options) check() error {
	for _, c := range o.Keep {
		if !slices.Contains(keepable, c) {
			return fmt.Errorf("%w: category %q cannot be kept (Keepable: location, time, device, identity, text)", ErrInvalidOptions, c)
		}
	}
	if g := o.CoarseLocation; g != 0 && !(g >= MinCoarseLocation && g <= 180) { // NaN too
		return fmt.Errorf("%w: CoarseLocation %v is neither 0 (off) nor between %v and 180 degrees", ErrInvalidOptions, g, MinCoarseLocation)
	}
	if o.CoarseLocation != 0 && !o.keeps(Location) {
		// The caller meant to keep a rounded position; removing it all
		// instead would be safe, but not what was asked.
		return fmt.Errorf("%w: CoarseLocation rounds a kept position, and Keep does not name Location", ErrInvalidOptions)
	}
	if id := o.LiveIdentifier; id != "" {
		if !o.KeepMotion {
			return fmt.Errorf("%w: LiveIdentifier pairs kept motion, and KeepMotion is not set", ErrInvalidOptions)
		}
		if !isLiveIdentifier(id) {
			return fmt.Errorf("%w: LiveIdentifier %q is not an uppercase UUID (8-4-4-4-12 hexadecimal digits)", ErrInvalidOptions, id)
		}
	}
	return nil
}

// keeps reports whether the policy keeps metadata of category c.
func (o *Options) keeps(c Category) bool {
	return o != nil && slices.Contains(o.Keep, c)
}

// roundToGrid rounds a coordinate in degrees to the nearest multiple of
// grid, for CoarseLocation: EXIF, XMP and videos round alike.
func roundToGrid(deg, grid float64) float64 {
	return math.Round(deg/grid) * grid
}

// keepsAny reports whether the policy keeps any category: when it does
// not, every format takes the default path, byte for byte.
func (o *Options) keepsAny() bool {
	return o != nil && len(o.Keep) > 0
}

// Scan reads an image from r and reports the metadata it holds, without
// changing anything. The format is detected from the content, not a name.
// Scan reads r to its end: data after the image is part of the report.
//
// An unrecognised format gives an error matching ErrUnsupportedFormat; a
// malformed image gives a *FormatError naming the offset; an error from r
// itself is returned as it is. The report is never nil, even with an
// error: it lists what was read before the error, and its Format is empty
// when the error came before the format was known. Its methods are safe on
// a nil *Report too.
func Scan(r io.Reader) (*Report, error) {
	return scrub(io.Discard, r, nil)
}

// Scrub copies the image in r to w without the metadata that opts removes,
// and reports what it removed. Image data is copied byte for byte, never
// decoded or re-encoded.
//
// JPEG and PNG images are streamed: memory use is bounded by the largest
// metadata block, not the file size. WebP images are read into memory
// whole, because the RIFF header's size must be rewritten before the chunks
// that follow it; HEIF and AVIF images too, because their index can point
// anywhere in the file. For those, nothing is written to w unless the whole
// file has been checked and rebuilt.
//
// If Scrub returns an error, what it wrote to w (for JPEG and PNG) is an
// incomplete image that must be discarded; it never contains removed
// metadata. ScrubFile discards it for you. Errors are
// as for Scan, and errors from w are returned as they are too. The report
// is final only when the whole output has been written and the error is
// nil; with an error it lists what was found before the problem.
func Scrub(w io.Writer, r io.Reader, opts *Options) (*Report, error) {
	return scrub(w, r, opts)
}

// readerSize is the read buffer size: large enough to hold any JPEG segment
// and to copy image data in big pieces.
const readerSize = 256 << 10

// writerSize is the output buffer size, which gathers the small writes of
// segment headers; image data bypasses it.
const writerSize = 32 << 10

// Buffers are pooled: a server scrubbing many uploads would otherwise
// allocate and clear them for every call.
var (
	readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, readerSize) }}
	writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, writerSize) }}
)

func scrub(w io.Writer, r io.Reader, opts *Options) (*Report, error) {
	br := readerPool.Get().(*bufio.Reader)
	br.Reset(source{r})
	defer func() {
		br.Reset(nil)
		readerPool.Put(br)
	}()
	empty := &Report{Findings: []Finding{}} // for an error before the format is known
	head, err := br.Peek(maxMagicLen)
	if ioErr, ok := ioError(err); ok {
		return empty, ioErr
	}
	if len(head) == 0 {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return empty, &FormatError{Reason: "empty input", Err: err}
	}
	f := detect(head)
	if f == nil {
		return empty, unsupported(head)
	}
	if opts == nil {
		opts = new(Options)
	}
	if err := opts.check(); err != nil {
		return empty, err
	}
	rep := &Report{Format: f.name, Findings: []Finding{}}
	s := &scrubber{in: &reader{br: br}, out: w, opts: opts, rep: rep, scan: w == io.Discard, src: r, dst: w}
	var bw *bufio.Writer
	if !s.scan {
		bw = writerPool.Get().(*bufio.Writer)
		bw.Reset(w)
		defer func() {
			bw.Reset(nil)
			writerPool.Put(bw)
		}()
		s.out = bw
	}
	err = f.scrub(s)
	if err == nil && bw != nil {
		err = bw.Flush()
	}
	if ioErr, ok := ioError(err); ok {
		err = ioErr
	}
	rep.findLiveID()
	rep.sort()
	return rep, err
}

// A scrubber carries the state of one Scan or Scrub call.
type scrubber struct {
	in   *reader
	out  io.Writer // io.Discard when scanning
	opts *Options
	rep  *Report
	scan bool // nothing is written; work only needed for output can be skipped
	// src and dst are the caller's reader and writer, unbuffered: a video
	// whose index follows its media data may need to read ahead in one or
	// go back in the other (see mov_write.go).
	src io.Reader
	dst io.Writer

	inflated int64 // bytes decompressed for the report so far (see maxInflatedTotal)
}

// write writes b to the output, unless scanning.
func (s *scrubber) write(b []byte) error {
	if s.scan || len(b) == 0 {
		return nil
	}
	if _, err := s.out.Write(b); err != nil {
		return &writeError{err}
	}
	return nil
}

// formatError describes a problem with the input at offset off. Errors
// from the caller's reader or writer are returned as they are: they say
// nothing about the image.
func (s *scrubber) formatError(off int64, reason string, err error) error {
	if ioErr, ok := ioError(err); ok {
		return ioErr
	}
	return &FormatError{Format: s.rep.Format, Offset: off, Reason: reason, Err: err}
}

// trailer reads whatever follows the end of the image, which Scrub drops:
// MPF secondary images, motion-photo videos, vendor trailers.
func (s *scrubber) trailer(container string) error {
	r := s.in
	start := r.off
	var head [16]byte
	var n int64
	zeros := true
	for {
		b, err := r.buffered()
		if err == io.EOF {
			break
		}
		if err != nil {
			return s.formatError(r.off, "reading after the end of the image", err)
		}
		if n < int64(len(head)) {
			copy(head[n:], b)
		}
		for i := 0; zeros && i < len(b); i++ {
			zeros = b[i] == 0
		}
		n += int64(len(b))
		r.consume(len(b))
	}
	switch {
	case n == 0:
	case zeros:
		s.rep.add(Other, container, "Padding", fmt.Sprintf("(%d zero bytes after the image)", n))
	default:
		s.rep.add(Embedded, container, "Trailer", fmt.Sprintf("(%d bytes after the image at offset %d: %s)", n, start, trailerKind(head[:min(n, 16)])))
	}
	return nil
}

// trailerKind guesses what data after an image is from its first bytes.
func trailerKind(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xd8}):
		return "JPEG image"
	case len(head) >= 8 && string(head[4:8]) == "ftyp":
		return "MP4 video"
	}
	return "data"
}
