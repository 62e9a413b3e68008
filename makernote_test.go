package exifscrub

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestReportMakerNotes checks that the report names what a maker note
// or a CIFF heap hides, by category, as ExifTool names it ("Canon:OwnerName"
// under the MakerNote's container; CIFF records under "CIFF"), while the
// MakerNote is still reported as a whole; and that Scrub removes it all.
// The values are ExifTool's for the same files.
func TestReportMakerNotes(t *testing.T) {
	type want struct {
		cat            Category
		container, tag string
		value          string
	}
	tests := []struct {
		file   string // in testdata, or the corpus when corpus is set
		corpus bool
		want   []want
	}{
		{"pillow__sugarshack.mpo", false, []want{
			{Device, containerExifIFD, "MakerNote", "(174 bytes)"},
			{Device, containerExifIFD, "Nintendo:ModelID", "3DS1"},
			{Time, containerExifIFD, "Nintendo:TimeStamp", "2014:03:02 14:17:39"},
			{Device, containerExifIFD, "Nintendo:InternalSerialNumber", "0x575bbdf3"},
		}},
		{"jpg__Canon_PowerShot_S40.jpg", true, []want{
			{Identity, containerExifIFD, "Canon:OwnerName", "Andreas Huggel"},
			{Device, containerExifIFD, "Canon:CanonFirmwareVersion", "Firmware Version 1.10"},
		}},
		{"jpg__Panasonic_DMC-FZ30.jpg", true, []want{
			{Device, containerExifIFD, "Panasonic:InternalSerialNumber", "S010604030293"},
		}},
		{"jpg__corrupted.jpg", true, []want{ // Olympus Equipment and CameraSettings sub-IFDs
			{Device, containerExifIFD, "Olympus:SerialNumber", "F70501740"},
			{Embedded, containerExifIFD, "Olympus:PreviewImage", "(59071 bytes at offset 1899600)"},
		}},
		{"jpg__tests__32-lens_data.jpeg", true, []want{ // Nikon type 3, its own TIFF header
			{Device, containerExifIFD, "Nikon:SerialNumber", "3105364"},
			{Time, containerExifIFD, "Nikon:TimeZone", "+03:00"},
			{Time, containerExifIFD, "Nikon:PowerUpTime", "2010:04:25 10:51:00"},
		}},
		{"jpg__Konica_Minolta_DiMAGE_Z3.jpg", true, []want{
			{Embedded, containerExifIFD, "Minolta:PreviewImage", "(47355 bytes at offset 2019319)"},
		}},
		{"jpg__Reconyx_HC500_Hyperfire.jpg", true, []want{ // a fixed record, not an IFD
			{Time, containerExifIFD, "Reconyx:DateTimeOriginal", "2020:03:16 10:00:00"},
			{Device, containerExifIFD, "Reconyx:SerialNumber", "H500EE06130468"},
			{Text, containerExifIFD, "Reconyx:UserLabel", "HC500 HYPERFIRE"},
		}},
		{"jpg__exif-org__sony-powershota5.jpg", true, []want{ // CIFF in APP0
			{Embedded, "JPEG APP0", "II", "(752 bytes)"},
			{Identity, "CIFF", "OwnerName", "Chris Smith"},
			{Device, "CIFF", "Model", "Canon PowerShot A5"},
			{Time, "CIFF", "DateTimeOriginal", "2000:10:27 22:56:26"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			dir := "testdata"
			if tt.corpus {
				dir = corpusDir(t)
			}
			b, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Scan(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				found := false
				for _, f := range rep.Findings {
					if f.Container == w.container && f.Tag == w.tag {
						found = true
						if f.Category != w.cat || f.Value != w.value {
							t.Errorf("%s %s: got %s %q, want %s %q", w.container, w.tag, f.Category, f.Value, w.cat, w.value)
						}
					}
				}
				if !found {
					t.Errorf("no finding %s %s; want %s %q", w.container, w.tag, w.cat, w.value)
				}
			}
			out, _ := scrubBytes(t, b)
			checkClean(t, out, nil)
		})
	}
}
