package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/exifscrub/exifscrub"
)

// SARIF 2.1.0 (OASIS Standard, 2020): the subset check writes. One run,
// one rule per category, one result per finding whose category --fail-on
// names, located at the image file. Files that could not be read become
// tool execution notifications, and make the invocation unsuccessful.

const sarifSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string       `json:"id"`
	Name                 string       `json:"name"`
	ShortDescription     sarifMessage `json:"shortDescription"`
	FullDescription      sarifMessage `json:"fullDescription"`
	Help                 sarifMessage `json:"help"`
	DefaultConfiguration struct {
		Level   string `json:"level"`
		Enabled bool   `json:"enabled"`
	} `json:"defaultConfiguration"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
	// PartialFingerprints let dashboards follow a result from run to run.
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifLocation struct {
	PhysicalLocation struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	} `json:"physicalLocation"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// ruleHelp says why each category matters.
var ruleHelp = map[exifscrub.Category]string{
	exifscrub.Location: "GPS coordinates or place names tell anyone who gets the file where it was taken, often a home address.",
	exifscrub.Time:     "Capture and edit times, with their time zone, tell when the photo was taken and where in the world.",
	exifscrub.Device:   "Make, model, serial numbers and unique IDs link the photo to a device and to every other photo from it.",
	exifscrub.Identity: "Artist, owner, copyright and contact fields name a person.",
	exifscrub.Text:     "Comments, descriptions and keywords can say anything about the people or places in the photo.",
	exifscrub.Embedded: "Thumbnails, previews and trailing data can hold another, uncropped or unedited image.",
	exifscrub.Other:    "Other metadata, such as camera settings, that exifscrub removes.",
}

type sarifCheck struct {
	w    io.Writer
	log  sarifLog
	rule map[exifscrub.Category]int // index in the rules
}

func newSARIFCheck(w io.Writer, failOn []exifscrub.Category) *sarifCheck {
	o := &sarifCheck{w: w, rule: map[exifscrub.Category]int{}}
	d := sarifDriver{Name: "exifscrub", InformationURI: "https://github.com/exifscrub/exifscrub", Rules: []sarifRule{}}
	if version != "devel" {
		d.Version = version
	}
	for i, c := range exifscrub.Categories() {
		r := sarifRule{
			ID:               string(c),
			Name:             "PrivateMetadata" + string(c[0]-'a'+'A') + string(c[1:]),
			ShortDescription: sarifMessage{strings.ReplaceAll(categoryTitles[c], "%s", "photo or video")},
			FullDescription:  sarifMessage{ruleHelp[c]},
			Help:             sarifMessage{"Remove the metadata with 'exifscrub scrub --in-place FILE', or list the file in " + ignoreFileName + " if it may keep it."},
		}
		r.DefaultConfiguration.Level = "error"
		r.DefaultConfiguration.Enabled = slices.Contains(failOn, c)
		d.Rules = append(d.Rules, r)
		o.rule[c] = i
	}
	o.log = sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{{
		Tool:        sarifTool{Driver: d},
		Invocations: []sarifInvocation{{ExecutionSuccessful: true}},
		Results:     []sarifResult{},
	}}}
	return o
}

func (o *sarifCheck) file(s scanned, private, failOn []exifscrub.Category) {
	run := &o.log.Runs[0]
	loc := artifact(s.it.path)
	if s.err != nil {
		inv := &run.Invocations[0]
		inv.ExecutionSuccessful = false
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level:     "error",
			Message:   sarifMessage{"cannot read image: " + describeErr(s.err, s.it.path)},
			Locations: []sarifLocation{loc},
		})
		return
	}
	for _, f := range s.rep.Findings {
		if !slices.Contains(private, f.Category) {
			continue
		}
		run.Results = append(run.Results, sarifResult{
			RuleID:    string(f.Category),
			RuleIndex: o.rule[f.Category],
			Level:     "error",
			Message:   sarifMessage{fmt.Sprintf("%s %s reveals %s: %s%s", f.Container, f.Tag, f.Category, f.Value, moreLike(f))},
			Locations: []sarifLocation{loc},
			PartialFingerprints: map[string]string{
				"exifscrubFinding/v1": f.Container + "/" + f.Tag,
			},
		})
	}
}

func (o *sarifCheck) end(tally, int) {
	b, err := json.MarshalIndent(o.log, "", "  ")
	if err != nil {
		panic(err) // only strings, numbers and booleans: cannot fail
	}
	fmt.Fprintf(o.w, "%s\n", jsonSafe(b))
}

// artifact locates a file for SARIF: a relative path becomes a relative
// URI against %SRCROOT% (the checkout, for GitHub code scanning), an
// absolute one a file: URI.
func artifact(path string) sarifLocation {
	var l sarifLocation
	p := filepath.ToSlash(filepath.Clean(path))
	if filepath.IsAbs(path) {
		l.PhysicalLocation.ArtifactLocation.URI = (&url.URL{Scheme: "file", Path: p}).String()
	} else {
		l.PhysicalLocation.ArtifactLocation.URI = (&url.URL{Path: p}).String()
		l.PhysicalLocation.ArtifactLocation.URIBaseID = "%SRCROOT%"
	}
	return l
}
