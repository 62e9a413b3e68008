package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/exifscrub/exifscrub"
)

// GitLab Code Quality (https://docs.gitlab.com/ci/testing/code_quality/,
// "Code Quality report format"): a JSON array of issues, a subset of the
// Code Climate issue spec, that a job uploads as artifacts:reports:codequality
// and GitLab shows in the merge request. Each issue needs description,
// check_name, fingerprint, severity, location.path and a line
// (location.lines.begin); an image has no lines, so every issue is on line 1,
// as other tools that report on whole files do.

type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string `json:"path"`
	Lines struct {
		Begin int `json:"begin"`
	} `json:"lines"`
}

// gitlabSeverity ranks the categories on GitLab's scale (info, minor,
// major, critical, blocker): where the photo was taken and who took it
// are what gets people found, so those are critical.
var gitlabSeverity = map[exifscrub.Category]string{
	exifscrub.Location: "critical",
	exifscrub.Identity: "critical",
	exifscrub.Time:     "major",
	exifscrub.Device:   "major",
	exifscrub.Text:     "major",
	exifscrub.Embedded: "major",
	exifscrub.Other:    "minor",
}

// gitlabUnreadable is the check_name of a file that could not be read: a
// blocker, as check exits 2 for it whatever else it finds.
const gitlabUnreadable = "exifscrub/unreadable"

// gitlabCheck collects one issue per finding whose category --fail-on
// names, and one per unreadable file, and prints the array at the end.
type gitlabCheck struct {
	w      io.Writer
	issues []gitlabIssue
}

func (o *gitlabCheck) file(s scanned, private, failOn []exifscrub.Category) {
	path := gitlabPath(s.it.path)
	if s.err != nil {
		o.add(gitlabIssue{
			Description: "exifscrub cannot read this image: " + describeErr(s.err, s.it.path),
			CheckName:   gitlabUnreadable,
			Fingerprint: gitlabFingerprint(path, gitlabUnreadable),
			Severity:    "blocker",
		}, path)
		return
	}
	// GitLab matches issues between the base and the head of a merge
	// request by fingerprint, so each must be unique in the report and
	// the same from run to run: the path, the category and the finding's
	// container and tag, counted when a file repeats a tag.
	seen := map[string]int{}
	for _, f := range s.rep.Findings {
		if !slices.Contains(private, f.Category) {
			continue
		}
		key := string(f.Category) + "\x00" + f.Container + "\x00" + f.Tag
		seen[key]++
		o.add(gitlabIssue{
			Description: fmt.Sprintf("%s %s reveals %s: %s%s", f.Container, f.Tag, f.Category, f.Value, moreLike(f)),
			CheckName:   "exifscrub/" + string(f.Category),
			Fingerprint: gitlabFingerprint(path, key, fmt.Sprint(seen[key])),
			Severity:    gitlabSeverity[f.Category],
		}, path)
	}
}

// gitlabPath is a file's path as GitLab wants it: relative to the
// repository root, where the job runs, with forward slashes. An absolute
// path under the current directory ($CI_PROJECT_DIR/photos/a.jpg) is made
// relative to it; one outside stays absolute, which GitLab shows without a
// link to the file.
func gitlabPath(p string) string {
	if filepath.IsAbs(p) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, p); err == nil && filepath.IsLocal(rel) {
				p = rel
			}
		}
	}
	return slashPath(p)
}

func (o *gitlabCheck) add(is gitlabIssue, path string) {
	is.Location.Path = path
	is.Location.Lines.Begin = 1
	o.issues = append(o.issues, is)
}

func (o *gitlabCheck) end(tally, int) {
	if o.issues == nil {
		o.issues = []gitlabIssue{} // an empty report is [], not null
	}
	b, err := json.MarshalIndent(o.issues, "", "  ")
	if err != nil {
		panic(err) // only strings and numbers: cannot fail
	}
	fmt.Fprintf(o.w, "%s\n", jsonSafe(b))
}

// gitlabFingerprint is the hex SHA-256 of its parts, each ended by a NUL
// so that no two lists of parts hash alike.
func gitlabFingerprint(parts ...string) string {
	h := sha256.New()
	io.WriteString(h, "exifscrub/v1\x00")
	for _, p := range parts {
		io.WriteString(h, p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
