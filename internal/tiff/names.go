package tiff

import "sort"

// Name returns the name a standard gives tag in an IFD of kind (the TIFF
// 6.0 and EXIF tags of go-exif's table, tagnames.go, and those it lacks),
// and false when none does. IFD1 and SubIFDs hold TIFF tags, named as in
// IFD0, which is the only one of the three that the table lists.
func Name(kind Kind, tag uint16) (string, bool) {
	k := key{kind, tag}
	if name, ok := extraTagNames[k]; ok {
		return name, true
	}
	i := sort.Search(len(tagNames), func(i int) bool { return !tagNames[i].key.less(k) })
	if i < len(tagNames) && tagNames[i].key == k {
		return tagNames[i].name, true
	}
	return "", false
}

// extraTagNames names tags that go-exif's table lacks, as ExifTool does:
// EXIF 2.32's composite-image tags (CIPA DC-008-2019 §4.6.5) and the
// padding Microsoft's Windows writes to leave room for edits.
var extraTagNames = map[key]string{
	{Exif, 0xa460}: "CompositeImage",
	{Exif, 0xa461}: "CompositeImageCount",
	{Exif, 0xa462}: "CompositeImageExposureTimes",
	{IFD0, 0xea1c}: "Padding",
	{Exif, 0xea1c}: "Padding",
	{Exif, 0xea1d}: "OffsetSchema",
	{Exif, 0xa500}: "Gamma", // EXIF 2.2 §4.6.5
}

// A key is a tag in an IFD of one kind.
type key struct {
	ifd Kind
	tag uint16
}

func (k key) less(l key) bool { return k.ifd < l.ifd || k.ifd == l.ifd && k.tag < l.tag }

// A tagName is an entry of tagNames.
type tagName struct {
	key  key
	name string
}
