package exifscrub

import (
	"strings"
	"testing"
)

func TestPrintable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Canon EOS 40D", "Canon EOS 40D"},
		{"  padded\x00 ", "padded\\x00"},
		{"line\nbreak\ttab", "line break tab"},
		{"\x1b[2Jclear screen", "\\x1b[2Jclear screen"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"\u009bCSI", "\\x9bCSI"},
		{strings.Repeat("é", maxValueLen+5), strings.Repeat("é", maxValueLen) + "…"},
	}
	for _, tt := range tests {
		if got := printable(tt.in); got != tt.want {
			t.Errorf("printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		space, name string
		want        Category
	}{
		// The names of issue 14: words inside names are not categories.
		{nsXMPCRS, "Opacity", Other},
		{nsXMPCRS, "SourceState", Other},
		{nsXMPCRS, "ToneCurveName", Other},
		{nsXMPCRS, "Name", Other},
		{nsXMPRights, "WebStatement", Identity},
		{nsXMPPhotosh, "LayerName", Text},
		{nsXMPExif, "SubjectDistanceRange", Other},
		{nsXMPExif, "FileSource", Other},
		{nsXMPExif, "LightSource", Other},
		{nsXMPCRS, "LensProfileEnable", Other},
		// Known properties.
		{nsXMPExif, "GPSLatitude", Location},
		{nsXMPExif, "ExposureTime", Other},
		{nsXMPPhotosh, "City", Location},
		{nsXMPPhotosh, "State", Location},
		{nsXMPBasic, "CreateDate", Time},
		{nsXMPBasic, "creatortool", Device}, // case folded
		{nsStEvt, "when", Time},
		{nsXMPMM, "DocumentID", Device},
		{nsXMPDC, "creator", Identity},
		{nsXMPDC, "description", Text},
		{nsXMPTIFF, "ImageWidth", Other},
		{nsXMPIptcExt, "City", Location},
		{nsXMPIptcCore, "CiAdrCity", Identity}, // the creator's address
		{nsXMPPlus, "LicensorCity", Identity},
		{nsMWGRegions, "Name", Identity}, // a face's name
		{nsMWGRegions, "Type", Other},
		{nsGPano, "ProjectionType", Other},
		// Unknown schemas: whole words only.
		{"http://example.com/vendor/", "Latitude", Location},
		{"http://example.com/vendor/", "GPSPosition", Location},
		{"http://example.com/vendor/", "camera_location", Location},
		{"http://example.com/vendor/", "State", Location},
		{"http://example.com/vendor/", "OwnerName", Identity},
		{"http://example.com/vendor/", "Opacity", Other},
		{"http://example.com/vendor/", "Velocity", Other},
		{"http://example.com/vendor/", "SourceState", Other},
		{"http://example.com/vendor/", "LayerName", Other},
		{"http://example.com/vendor/", "ExposureTime", Other},
		{"http://example.com/vendor/", "ColorModel", Other},
		{"http://example.com/vendor/", "Statement", Other},
		{"http://example.com/vendor/", "Geometry", Other},
	}
	for _, tt := range tests {
		if got := classifyXMP(tt.space, tt.name); got != tt.want {
			t.Errorf("classifyXMP(%q, %q) = %s, want %s", tt.space, tt.name, got, tt.want)
		}
	}
}

func TestClassifyKeywords(t *testing.T) {
	for _, tt := range []struct {
		keyword string
		want    Category
	}{
		{"Author", Identity},
		{"date:create", Time},
		{"icc:model", Device},
		{"exif:DateTimeOriginal", Time},
		{"exif:GPSLatitude", Location},
		{"parameters", Text}, // free text, whatever its keyword
		{"GPS Position", Location},
	} {
		if got := classifyPNGKeyword(tt.keyword); got != tt.want {
			t.Errorf("classifyPNGKeyword(%q) = %s, want %s", tt.keyword, got, tt.want)
		}
	}
	for _, tt := range []struct {
		key  string
		want Category
	}{
		{"com.apple.quicktime.location.ISO6709", Location},
		{"com.apple.quicktime.make", Device},
		{"\xa9xyz", Location},
		{"com.example.camera.serialNumber", Device},
		{"com.example.opacity", Other},
	} {
		if got := classifyQuickTimeKey(tt.key); got != tt.want {
			t.Errorf("classifyQuickTimeKey(%q) = %s, want %s", tt.key, got, tt.want)
		}
	}
}

func TestSplitWords(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
	}{
		{"GPSLatitude", "gps latitude"},
		{"camera_serial-number", "camera serial number"},
		{"ISO6709", "iso6709"},
		{"Opacity", "opacity"},
		{"HTTPServerURL", "http server url"},
		{"Serial#", "serial"},
	} {
		if got := strings.Join(splitWords(tt.in), " "); got != tt.want {
			t.Errorf("splitWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
