package exifscrub

import "testing"

// TestTagNamesSorted checks the order tagName's binary search relies on.
func TestTagNamesSorted(t *testing.T) {
	for i := 1; i < len(exifTagNames); i++ {
		if !exifTagNames[i-1].key.less(exifTagNames[i].key) {
			t.Fatalf("exifTagNames[%d] %v is not before [%d] %v", i-1, exifTagNames[i-1].key, i, exifTagNames[i].key)
		}
	}
	w := &exifWalk{}
	if got := w.tagName(ifdExif, 0x829a); got != "ExposureTime" {
		t.Errorf("tagName(Exif, 0x829a) = %q, want ExposureTime", got)
	}
}
