package exifscrub

import (
	"encoding/xml"
	"strings"

	"github.com/exifscrub/exifscrub/internal/xmp"
)

// The XMP tables: the category of each property of the schemas exifscrub
// knows (xmpSchemas, for reports and Options.Keep), the prefix it writes
// for each (xmpPrefixes), the value type of the properties whose values
// are not free text (xmpTypes), and the Location properties finer than a
// city (xmpFine). A property is kept only when these tables list its
// namespace URI and its name (xmpKeepable); a property of a namespace
// they do not list is reported in guessCategory's category and never
// kept.

// XMP namespaces (XMP Specification Part 2 §8 and Part 1 §8.4 for the
// structure types; the IPTC Photo Metadata Standard; PLUS; the Metadata
// Working Group's Guidelines §5.9 for regions; vendors' documentation).
const (
	nsXMPDC       = "http://purl.org/dc/elements/1.1/"
	nsXMPBasic    = "http://ns.adobe.com/xap/1.0/"
	nsXMPRights   = "http://ns.adobe.com/xap/1.0/rights/"
	nsXMPMM       = "http://ns.adobe.com/xap/1.0/mm/"
	nsStEvt       = "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
	nsStRef       = "http://ns.adobe.com/xap/1.0/sType/ResourceRef#"
	nsStVer       = "http://ns.adobe.com/xap/1.0/sType/Version#"
	nsStArea      = "http://ns.adobe.com/xmp/sType/Area#"
	nsStDim       = "http://ns.adobe.com/xap/1.0/sType/Dimensions#"
	nsXMPPhotosh  = "http://ns.adobe.com/photoshop/1.0/"
	nsXMPExif     = "http://ns.adobe.com/exif/1.0/"
	nsXMPExifEX   = "http://cipa.jp/exif/1.0/"
	nsXMPTIFF     = "http://ns.adobe.com/tiff/1.0/"
	nsXMPAux      = "http://ns.adobe.com/exif/1.0/aux/"
	nsXMPCRS      = "http://ns.adobe.com/camera-raw-settings/1.0/"
	nsXMPIptcCore = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
	nsXMPIptcExt  = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
	nsXMPPlus     = "http://ns.useplus.org/ldf/xmp/1.0/"
	nsXMPDM       = "http://ns.adobe.com/xmp/1.0/DynamicMedia/"
	nsXMPPDF      = "http://ns.adobe.com/pdf/1.3/"
	nsXMPLR       = "http://ns.adobe.com/lightroom/1.0/"
	nsMWGRegions  = "http://www.metadataworkinggroup.com/schemas/regions/"
	nsMWGKeywords = "http://www.metadataworkinggroup.com/schemas/keywords/"
	nsMSPhoto     = "http://ns.microsoft.com/photo/1.0/"
	nsMSPhotoReg  = "http://ns.microsoft.com/photo/1.2/t/Region#"
	nsGPano       = "http://ns.google.com/photos/1.0/panorama/"
	nsGCamera     = "http://ns.google.com/photos/1.0/camera/"
	nsGContainer  = "http://ns.google.com/photos/1.0/container/"
	nsGItem       = "http://ns.google.com/photos/1.0/container/item/"
	nsGImage      = "http://ns.google.com/photos/1.0/image/"
	nsGDepth      = "http://ns.google.com/photos/1.0/depthmap/"
	nsGAudio      = "http://ns.google.com/photos/1.0/audio/"
	nsHDRGainMap  = "http://ns.adobe.com/hdr-gain-map/1.0/"
	nsAppleHDR    = "http://ns.apple.com/HDRGainMap/1.0/"
	nsAppleFace   = "http://ns.apple.com/faceinfo/1.0/"
	nsAppleAdjust = "http://ns.apple.com/adjustment-settings/1.0/"
	nsAppleIIO    = "http://ns.apple.com/ImageIO/1.0/"
)

// xmpGPS are the GPS properties of the exif schema, the GPS IFD's tags
// (XMP Specification Part 2 §3.3.2; CIPA DC-008 §4.6.6).
var xmpGPS = []string{
	"GPSVersionID", "GPSLatitude", "GPSLongitude", "GPSAltitudeRef", "GPSAltitude", "GPSTimeStamp",
	"GPSSatellites", "GPSStatus", "GPSMeasureMode", "GPSDOP", "GPSSpeedRef", "GPSSpeed",
	"GPSTrackRef", "GPSTrack", "GPSImgDirectionRef", "GPSImgDirection", "GPSMapDatum",
	"GPSDestLatitude", "GPSDestLongitude", "GPSDestBearingRef", "GPSDestBearing",
	"GPSDestDistanceRef", "GPSDestDistance", "GPSProcessingMethod", "GPSAreaInformation",
	"GPSDifferential", "GPSHPositioningError",
}

// withGPS adds the GPS properties to names, as Location.
func withGPS(names map[string]Category) map[string]Category {
	for _, n := range xmpGPS {
		names[n] = Location
	}
	return names
}

// xmpSchemas classify the properties of known XMP schemas, by namespace
// URI. Structure fields are properties of their own namespace: the fields
// of xmpMM:History are stEvt's, those of Iptc4xmpExt:LocationCreated are
// Iptc4xmpExt's. A schema whose other is Other lists every property that
// reveals something; a vendor's schema that is not here gets
// guessCategory's guess for each property in reports, and is never kept.
var xmpSchemas = map[string]*nameTable{
	nsXMPDC: {other: Other, names: map[string]Category{
		"creator": Identity, "contributor": Identity, "publisher": Identity, "rights": Identity,
		"description": Text, "title": Text, "subject": Text, "source": Text,
		"coverage": Location, "date": Time,
	}},
	nsXMPBasic: {other: Other, names: map[string]Category{
		"CreateDate": Time, "ModifyDate": Time, "MetadataDate": Time,
		"CreatorTool": Device, "Label": Text, "Nickname": Identity, "Author": Identity,
		"Thumbnails": Embedded, "Title": Text, "Description": Text,
	}},
	nsXMPRights: {other: Other, names: map[string]Category{
		"Owner": Identity, "Certificate": Identity, "WebStatement": Identity, "UsageTerms": Text,
	}},
	nsXMPMM: {other: Other, names: map[string]Category{
		"DocumentID": Device, "InstanceID": Device, "OriginalDocumentID": Device,
		"Manager": Device, "ManageTo": Device, "ManageUI": Device, "ManagerVariant": Device,
		"LastURL": Identity, "SaveID": Device,
	}},
	nsStEvt: {other: Other, names: map[string]Category{
		"when": Time, "softwareAgent": Device, "instanceID": Device,
	}},
	nsStRef: {other: Other, names: map[string]Category{
		"documentID": Device, "instanceID": Device, "originalDocumentID": Device,
		"lastModifyDate": Time, "manager": Device, "managerVariant": Device,
		"manageTo": Device, "manageUI": Device, "filePath": Identity, "lastURL": Identity,
	}},
	nsStVer:  {other: Other, names: map[string]Category{"modifier": Identity, "modifyDate": Time, "comments": Text}},
	nsStArea: {other: Other},
	nsStDim:  {other: Other},
	nsXMPPhotosh: {other: Other, names: map[string]Category{
		"AuthorsPosition": Identity, "CaptionWriter": Identity, "Credit": Identity, "Source": Identity,
		"City": Location, "State": Location, "Country": Location,
		"DateCreated": Time,
		"Headline":    Text, "Instructions": Text, "Category": Text, "SupplementalCategories": Text,
		"TransmissionReference": Text, "History": Text, "LayerName": Text, "LayerText": Text,
		"DocumentAncestors": Device,
	}},
	nsXMPExif: {other: Other, names: withGPS(map[string]Category{
		"DateTimeOriginal": Time, "DateTimeDigitized": Time, "SubSecTime": Time,
		"SubSecTimeOriginal": Time, "SubSecTimeDigitized": Time, "DateTime": Time,
		"UserComment": Text, "MakerNote": Device, "ImageUniqueID": Device,
		// Not in the schema, but written by some tools.
		"Make": Device, "Model": Device, "Software": Device, "Artist": Identity, "Copyright": Identity,
		"ImageDescription": Text, "SerialNumber": Device, "BodySerialNumber": Device,
		"LensModel": Device, "LensMake": Device, "CameraOwnerName": Identity,
	})},
	nsXMPExifEX: {other: Other, names: withGPS(map[string]Category{
		"BodySerialNumber": Device, "CameraOwnerName": Identity, "LensMake": Device,
		"LensModel": Device, "LensSerialNumber": Device, "LensSpecification": Device,
		"ImageUniqueID": Device, "OffsetTime": Time, "OffsetTimeOriginal": Time,
		"OffsetTimeDigitized": Time, "Photographer": Identity, "ImageEditor": Identity,
		"CameraFirmware": Device, "RAWDevelopingSoftware": Device, "ImageEditingSoftware": Device,
		"MetadataEditingSoftware": Device, "ImageTitle": Text,
	})},
	nsXMPTIFF: {other: Other, names: map[string]Category{
		"Make": Device, "Model": Device, "Software": Device, "HostComputer": Device,
		"DateTime": Time, "Artist": Identity, "Copyright": Identity, "ImageDescription": Text,
	}},
	nsXMPAux: {other: Other, names: map[string]Category{
		"SerialNumber": Device, "Lens": Device, "LensID": Device, "LensInfo": Device,
		"LensSerialNumber": Device, "Firmware": Device, "OwnerName": Identity,
		"DateTimeDigitized": Time,
	}},
	// Camera Raw settings: editing parameters, except the raw file's name.
	nsXMPCRS: {other: Other, names: map[string]Category{"RawFileName": Text}},
	nsXMPIptcCore: {other: Other, names: map[string]Category{
		"Location": Location, "CountryCode": Location,
		// CreatorContactInfo: the creator's own address, not the photo's.
		"CreatorContactInfo": Identity, "CiAdrExtadr": Identity, "CiAdrCity": Identity,
		"CiAdrRegion": Identity, "CiAdrPcode": Identity, "CiAdrCtry": Identity,
		"CiEmailWork": Identity, "CiTelWork": Identity, "CiUrlWork": Identity,
		"IntellectualGenre": Text, "AltTextAccessibility": Text, "ExtDescrAccessibility": Text,
	}},
	nsXMPIptcExt: {other: Other, names: map[string]Category{
		// Fields of LocationCreated and LocationShown.
		"LocationCreated": Location, "LocationShown": Location, "City": Location,
		"CountryCode": Location, "CountryName": Location, "ProvinceState": Location,
		"Sublocation": Location, "WorldRegion": Location, "LocationName": Location,
		"LocationId": Location, "GPSLatitude": Location, "GPSLongitude": Location,
		"GPSAltitude": Location, "GPSAltitudeRef": Location,
		"PersonInImage": Identity, "PersonName": Identity, "PersonId": Identity,
		"PersonDescription": Identity, "OrganisationInImageName": Identity,
		"ModelAge": Identity, "AddlModelInfo": Identity,
		"AOCreator": Identity, "AOCopyrightNotice": Identity, "AOTitle": Text,
		"AODateCreated": Time, "Event": Text, "ContributorName": Identity,
	}},
	// PLUS: licensors and owners, with their addresses (Identity, not the
	// photo's location).
	nsXMPPlus: {other: Other, names: map[string]Category{
		"Licensor": Identity, "LicensorName": Identity, "LicensorID": Identity,
		"LicensorEmail": Identity, "LicensorURL": Identity, "LicensorTelephone1": Identity,
		"LicensorTelephone2": Identity, "LicensorStreetAddress": Identity,
		"LicensorExtendedAddress": Identity, "LicensorCity": Identity, "LicensorRegion": Identity,
		"LicensorPostalCode": Identity, "LicensorCountry": Identity,
		"CopyrightOwner": Identity, "CopyrightOwnerName": Identity, "CopyrightOwnerID": Identity,
		"ImageCreator": Identity, "ImageCreatorName": Identity, "ImageCreatorID": Identity,
		"ImageSupplier": Identity, "ImageSupplierName": Identity, "ImageSupplierID": Identity,
		"ModelReleaseID": Identity, "PropertyReleaseID": Identity, "ImageSupplierImageID": Device,
	}},
	nsXMPDM: {other: Other, names: map[string]Category{
		"artist": Identity, "composer": Identity, "engineer": Identity, "director": Identity,
		"album": Text, "comment": Text, "logComment": Text, "shotName": Text, "scene": Text,
		"shotDate": Time, "releaseDate": Time, "shotLocation": Location, "cameraModel": Device,
		"cameraLabel": Device, "cameraMove": Other,
	}},
	nsXMPPDF: {other: Other, names: map[string]Category{
		"Author": Identity, "Keywords": Text, "Producer": Device, "Title": Text,
	}},
	nsXMPLR: {other: Other, names: map[string]Category{"hierarchicalSubject": Text}},
	// Regions name the people whose faces are in the photo.
	nsMWGRegions:  {other: Other, names: map[string]Category{"Name": Identity, "Description": Text}},
	nsMWGKeywords: {other: Other, names: map[string]Category{"Keyword": Text}},
	nsMSPhoto: {other: Other, names: map[string]Category{
		"LastKeywordXMP": Text, "LastKeywordIPTC": Text, "DateAcquired": Time,
		"CameraSerialNumber": Device, "LensManufacturer": Device, "LensModel": Device,
		"FlashManufacturer": Device, "FlashModel": Device,
	}},
	nsMSPhotoReg: {other: Other, names: map[string]Category{
		"PersonDisplayName": Identity, "PersonEmailDigest": Identity, "PersonLiveIdCID": Identity,
	}},
	nsGPano: {other: Other, names: map[string]Category{
		"FirstPhotoDate": Time, "LastPhotoDate": Time, "PoseHeadingDegrees": Location,
	}},
	nsGCamera:     {other: Other},
	nsGContainer:  {other: Other},
	nsGItem:       {other: Other},
	nsGImage:      {other: Other, names: map[string]Category{"Data": Embedded}},
	nsGDepth:      {other: Other, names: map[string]Category{"Data": Embedded, "Confidence": Embedded}},
	nsGAudio:      {other: Other, names: map[string]Category{"Data": Embedded}},
	nsHDRGainMap:  {other: Other},
	nsAppleHDR:    {other: Other},
	nsAppleFace:   {other: Other},
	nsAppleAdjust: {other: Other},
	nsAppleIIO:    {other: Other},
}

// classifyXMP returns the category of the XMP property local in the
// namespace space, as reports give it: a property of a namespace that no
// table lists gets guessCategory's guess, so that a vendor's position
// still fails "check --fail-on location"; it is never kept (see
// xmpKeepable).
func classifyXMP(space, local string) Category {
	if t, ok := xmpSchemas[space]; ok {
		return t.classify(local)
	}
	return guessCategory(local)
}

// xmpPrefixes are the prefixes that a kept packet declares for the
// namespaces of xmpSchemas (the prefixes of XMP Specification Part 2 §8
// and the schemas' own documents), whatever prefix the packet read used.
var xmpPrefixes = map[string]string{
	nsXMPDC: "dc", nsXMPBasic: "xmp", nsXMPRights: "xmpRights", nsXMPMM: "xmpMM",
	nsStEvt: "stEvt", nsStRef: "stRef", nsStVer: "stVer", nsStArea: "stArea", nsStDim: "stDim",
	nsXMPPhotosh: "photoshop", nsXMPExif: "exif", nsXMPExifEX: "exifEX", nsXMPTIFF: "tiff",
	nsXMPAux: "aux", nsXMPCRS: "crs", nsXMPIptcCore: "Iptc4xmpCore", nsXMPIptcExt: "Iptc4xmpExt",
	nsXMPPlus: "plus", nsXMPDM: "xmpDM", nsXMPPDF: "pdf", nsXMPLR: "lr", nsMWGRegions: "mwg-rs",
	nsMWGKeywords: "mwg-kw", nsMSPhoto: "MicrosoftPhoto", nsMSPhotoReg: "MPReg", nsGPano: "GPano",
	nsGCamera: "GCamera", nsGContainer: "Container", nsGItem: "Item", nsGImage: "GImage",
	nsGDepth: "GDepth", nsGAudio: "GAudio", nsHDRGainMap: "hdrgm", nsAppleHDR: "HDRGainMap",
	nsAppleFace: "apple-fi", nsAppleAdjust: "AdjustmentSettings", nsAppleIIO: "iio",
}

// xmpTypes are the value types (xmp.Type, checked by xmpValue) of the
// properties of kept categories that do not hold free text; a property
// they do not list holds text (Part 2 §3.2 and §3.3 for tiff: and exif:, CIPA
// DC-010 for exifEX:, the IPTC Photo Metadata Standard, the schemas' own
// documents).
var xmpTypes = func() map[xml.Name]xmp.Type {
	m := make(map[xml.Name]xmp.Type)
	add := func(t xmp.Type, space string, names ...string) { setNames(m, t, space, names) }
	add(xmp.TypeDate, nsXMPDC, "date")
	add(xmp.TypeDate, nsXMPBasic, "CreateDate", "ModifyDate", "MetadataDate")
	add(xmp.TypeDate, nsStEvt, "when")
	add(xmp.TypeDate, nsStRef, "lastModifyDate")
	add(xmp.TypeDate, nsStVer, "modifyDate")
	add(xmp.TypeDate, nsXMPPhotosh, "DateCreated")
	add(xmp.TypeDate, nsXMPTIFF, "DateTime")
	add(xmp.TypeDate, nsXMPAux, "DateTimeDigitized")
	add(xmp.TypeDate, nsXMPIptcExt, "AODateCreated")
	add(xmp.TypeDate, nsXMPDM, "shotDate", "releaseDate")
	add(xmp.TypeDate, nsMSPhoto, "DateAcquired")
	add(xmp.TypeDate, nsGPano, "FirstPhotoDate", "LastPhotoDate")
	add(xmp.TypeCoordinate, nsXMPIptcExt, "GPSLatitude", "GPSLongitude")
	add(xmp.TypeRational, nsXMPIptcExt, "GPSAltitude")
	add(xmp.TypeInteger, nsXMPIptcExt, "GPSAltitudeRef", "ModelAge")
	add(xmp.TypeCountry, nsXMPIptcExt, "CountryCode")
	add(xmp.TypeCountry, nsXMPIptcCore, "CountryCode")
	add(xmp.TypeReal, nsGPano, "PoseHeadingDegrees")
	add(xmp.TypeRational, nsXMPExifEX, "LensSpecification")
	add(xmp.TypeOffset, nsXMPExifEX, "OffsetTime", "OffsetTimeOriginal", "OffsetTimeDigitized")
	for _, space := range []string{nsXMPExif, nsXMPExifEX} {
		add(xmp.TypeDate, space, "DateTimeOriginal", "DateTimeDigitized", "DateTime", "GPSTimeStamp")
		add(xmp.TypeDigits, space, "SubSecTime", "SubSecTimeOriginal", "SubSecTimeDigitized")
		add(xmp.TypeCoordinate, space, "GPSLatitude", "GPSLongitude", "GPSDestLatitude", "GPSDestLongitude")
		add(xmp.TypeRational, space, "GPSAltitude", "GPSDOP", "GPSSpeed", "GPSTrack", "GPSImgDirection",
			"GPSDestBearing", "GPSDestDistance", "GPSHPositioningError")
		add(xmp.TypeInteger, space, "GPSAltitudeRef", "GPSDifferential")
		add(xmp.TypeRef, space, "GPSStatus", "GPSMeasureMode", "GPSSpeedRef", "GPSTrackRef",
			"GPSImgDirectionRef", "GPSDestBearingRef", "GPSDestDistanceRef")
		add(xmp.TypeVersion, space, "GPSVersionID")
	}
	return m
}()

// xmpFine are the Location properties and structure fields that say more
// than the city, dropped under Options.CoarseLocation: every GPS property
// but the latitude and longitude, which are rounded (the exif: and exifEX:
// ones, and those of the IPTC location structures); the IPTC
// sub-location, location name (a landmark) and location identifier; the
// free-text coverage and shot location; the heading. A Location name
// that ends in "Position" is fine too (xmpIsFine).
var xmpFine = func() map[xml.Name]bool {
	m := make(map[xml.Name]bool)
	add := func(space string, names ...string) { setNames(m, true, space, names) }
	for _, space := range []string{nsXMPExif, nsXMPExifEX} {
		for _, n := range xmpGPS {
			if n != "GPSLatitude" && n != "GPSLongitude" {
				add(space, n)
			}
		}
	}
	add(nsXMPIptcCore, "Location")
	add(nsXMPIptcExt, "Sublocation", "LocationName", "LocationId", "GPSAltitude", "GPSAltitudeRef")
	add(nsXMPDC, "coverage")
	add(nsXMPDM, "shotLocation")
	add(nsGPano, "PoseHeadingDegrees")
	return m
}()

// setNames sets m[name] to v for the names of a namespace.
func setNames[V any](m map[xml.Name]V, v V, space string, names []string) {
	for _, n := range names {
		m[xml.Name{Space: space, Local: n}] = v
	}
}

// xmpIsFine reports whether a Location property is finer than a city.
func xmpIsFine(n xml.Name) bool {
	return xmpFine[n] || strings.HasSuffix(n.Local, "Position")
}

// xmpKeepable returns the table's name of a property that the tables
// list, with its category: the name as the table spells it (a packet may
// write "xmp:creatortool"), in the table's namespace. A name the tables
// do not list is not keepable.
func xmpKeepable(n xml.Name) (xml.Name, Category, bool) {
	t, ok := xmpSchemas[n.Space]
	if !ok {
		return xml.Name{}, "", false
	}
	if c, ok := t.names[n.Local]; ok {
		return n, c, true
	}
	for name, c := range t.names {
		if strings.EqualFold(name, n.Local) {
			return xml.Name{Space: n.Space, Local: name}, c, true
		}
	}
	return xml.Name{}, "", false
}
