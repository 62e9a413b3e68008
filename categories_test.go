package exifscrub

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/xmp"
)

var update = flag.Bool("update", false, "rewrite testdata/categories.tsv from the corpus")

// TestCorpusCategories runs the classifier over every tag name ExifTool
// reports on the corpus, in the families exifscrub classifies by name
// (EXIF, XMP, IPTC, PNG text, APP12 picture info), and compares with the
// reviewed table in testdata/categories.tsv. After a deliberate change,
// regenerate it with
//
//	EXIFSCRUB_CORPUS=/path/to/corpus go test -run TestCorpusCategories -update .
//
// and review the diff.
func TestCorpusCategories(t *testing.T) {
	need(t, "exiftool")
	dir := corpusDir(t)
	out, err := exec.Command("exiftool", "-j", "-a", "-G1", "-u", "-s", "-D", "-q", "-q", "-r", dir).Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("exiftool: %v", err)
	}
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("exiftool: bad JSON: %v", err)
	}
	seen := make(map[string]bool)
	for _, row := range rows {
		for key, raw := range row {
			var tag struct {
				ID any `json:"id"`
			}
			if json.Unmarshal(raw, &tag) != nil || tag.ID == nil {
				continue
			}
			group, name, _ := strings.Cut(key, ":")
			id := fmt.Sprint(tag.ID)
			if cat, ok := classifyExifTool(group, id, name); ok {
				seen[fmt.Sprintf("%s\t%s\t%s", key, id, cat)] = true
			}
		}
	}
	lines := make([]string, 0, len(seen))
	for l := range seen {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	got := "# ExifTool tag (group:name)\tID\tcategory exifscrub gives it; see TestCorpusCategories\n" +
		strings.Join(lines, "\n") + "\n"
	path := filepath.Join("testdata", "categories.tsv")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wantSet := make(map[string]bool)
	for _, l := range strings.Split(strings.TrimSpace(string(want)), "\n")[1:] {
		wantSet[l] = true
	}
	for _, l := range lines {
		if !wantSet[l] {
			t.Errorf("new or changed: %s", l)
		}
		delete(wantSet, l)
	}
	for l := range wantSet {
		t.Errorf("missing: %s", l)
	}
}

// exiftoolEXIFGroups are ExifTool's names for the IFDs of EXIF.
var exiftoolEXIFGroups = map[string]ifdKind{
	"IFD0": ifd0, "IFD1": ifd1, "ExifIFD": ifdExif, "GPS": ifdGPS, "InteropIFD": ifdInterop,
	"SubIFD": ifdSub, "SubIFD1": ifdSub, "SubIFD2": ifdSub,
}

// exiftoolXMPStructs are the structures whose fields ExifTool flattens into
// one name ("HistoryWhen" for the when field of xmpMM:History), with the
// namespace of their fields.
var exiftoolXMPStructs = []struct{ space, name, fields string }{
	{nsXMPMM, "History", nsStEvt},
	{nsXMPMM, "DerivedFrom", nsStRef},
	{nsXMPMM, "ManagedFrom", nsStRef},
	{nsXMPMM, "Ingredients", nsStRef},
	{nsXMPMM, "Versions", nsStVer},
	{nsXMPPhotosh, "TextLayers", nsXMPPhotosh},
	{nsXMPExif, "Flash", nsXMPExif},
	{nsXMPIptcCore, "CreatorContactInfo", nsXMPIptcCore},
	{nsXMPIptcExt, "LocationCreated", nsXMPIptcExt},
	{nsXMPIptcExt, "LocationShown", nsXMPIptcExt},
}

// pngChunkID matches ExifTool's IDs for tags from PNG chunks rather than
// text keywords.
var pngChunkID = regexp.MustCompile(`^([a-z][A-Z]{2}[A-Za-z]|[a-z]{2}TL)(-.*)?$`)

// classifyExifTool classifies an ExifTool tag, given its group, its ID (-D)
// and its name, with exifscrub's tables. It reports false for groups that
// exifscrub does not classify by name (maker notes, ICC profiles, file
// structure) and for names exifscrub does not report.
func classifyExifTool(group, id, name string) (Category, bool) {
	if kind, ok := exiftoolEXIFGroups[group]; ok {
		tag, err := strconv.ParseUint(id, 10, 16)
		if err != nil {
			return "", false
		}
		info, known := lookupTag(kind, uint16(tag))
		switch {
		case known:
			return info.cat, true
		case kind == ifdGPS:
			return Location, true
		}
		return Other, true
	}
	if prefix, ok := strings.CutPrefix(group, "XMP-"); ok {
		if prefix == "x" || prefix == "rdf" {
			return "", false // packet syntax, not properties
		}
		space := "http://example.com/unknown/" + prefix
		if uri := xmp.UsualNamespace(prefix); uri != "" {
			space = uri
		}
		if prefix == "microsoft" {
			space = nsMSPhoto
		}
		if t, ok := xmpSchemas[space]; ok {
			if _, listed := t.lookup(id); !listed {
				for _, s := range exiftoolXMPStructs {
					if field, ok := strings.CutPrefix(id, s.name); ok && s.space == space && field != "" {
						return classifyXMP(s.fields, field), true
					}
				}
			}
		}
		return classifyXMP(space, id), true
	}
	switch group {
	case "IPTC":
		for _, d := range iptcDatasets {
			if d.name == name {
				return d.cat, true
			}
		}
		return Other, true
	case "PNG":
		if _, err := strconv.Atoi(id); err == nil || pngChunkID.MatchString(id) {
			return "", false // IHDR fields and chunks (tIME, bKGD, iCCP-name), not keywords
		}
		return classifyPNGKeyword(id), true
	case "PictureInfo":
		return pictureInfoKeys.classify(id), true
	}
	return "", false
}
