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

func TestClassifyName(t *testing.T) {
	tests := []struct {
		name string
		want Category
	}{
		{"exif:GPSLatitude", Location},
		{"photoshop:City", Location},
		{"xmp:CreateDate", Time},
		{"stEvt:when", Time},
		{"xmp:CreatorTool", Device},
		{"xmpMM:DocumentID", Device},
		{"dc:creator", Identity},
		{"dc:description", Text},
		{"exif:ExposureTime", Other},
		{"tiff:ImageWidth", Other},
	}
	for _, tt := range tests {
		if got := classifyName(tt.name); got != tt.want {
			t.Errorf("classifyName(%q) = %s, want %s", tt.name, got, tt.want)
		}
	}
}
