package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// gitlabSchemaFile is the GitLab Code Quality report schema (see
// testdata/README.md).
const gitlabSchemaFile = "testdata/gitlab-codequality-schema.json"

func compileSchemaFile(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	name := filepath.Base(path)
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(name)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// TestGitLab checks that check --format gitlab validates against the
// GitLab Code Quality report format, with one issue per finding that
// --fail-on names and one per unreadable file, fingerprints unique and the
// same from run to run, and paths relative to the current directory.
func TestGitLab(t *testing.T) {
	sch := compileSchemaFile(t, gitlabSchemaFile)
	// The schema does reject what GitLab would not read.
	for _, bad := range []string{
		`{}`,
		`[{"description": "d", "check_name": "c", "fingerprint": "f", "severity": "high", "location": {"path": "a.jpg", "lines": {"begin": 1}}}]`,
		`[{"description": "d", "check_name": "c", "fingerprint": "f", "severity": "major", "location": {"path": "a.jpg"}}]`,
		`[{"description": "d", "fingerprint": "f", "severity": "major", "location": {"path": "a.jpg", "lines": {"begin": 1}}}]`,
	} {
		inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if sch.Validate(inst) == nil {
			t.Errorf("schema accepts %s", bad)
		}
	}
	missing := filepath.Join(t.TempDir(), "missing.jpg")

	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		{"findings", []string{gpsJPEG, cleanPNG, textPNG}, exitFound},
		{"clean", []string{cleanPNG}, exitOK},
		{"error", []string{gpsJPEG, missing}, exitFailed},
		{"absolute path", []string{mustAbs(t, gpsJPEG)}, exitFound},
		{"fail-on", []string{"--fail-on", "location", gpsJPEG}, exitFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, append([]string{"check", "--format", "gitlab"}, tt.args...)...)
			if r.code != tt.code {
				t.Errorf("exit code: got %d, want %d", r.code, tt.code)
			}
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(r.stdout))
			if err != nil {
				t.Fatalf("not JSON: %v\n%s", err, r.stdout)
			}
			if err := sch.Validate(inst); err != nil {
				t.Errorf("does not validate against the GitLab Code Quality schema: %v\n%s", err, r.stdout)
			}
			var issues []gitlabIssue
			if err := json.Unmarshal([]byte(r.stdout), &issues); err != nil {
				t.Fatal(err)
			}
			fingerprints := map[string]bool{}
			for i, is := range issues {
				if fingerprints[is.Fingerprint] {
					t.Errorf("issue %d: fingerprint %s repeats: GitLab would show one of them", i, is.Fingerprint)
				}
				fingerprints[is.Fingerprint] = true
			}
			// The same input gives the same fingerprints, so that GitLab
			// can tell new issues from old ones.
			again := runCLI(t, nil, append([]string{"check", "--format", "gitlab"}, tt.args...)...)
			if again.stdout != r.stdout {
				t.Errorf("a second run printed something else:\n%s\nthen\n%s", r.stdout, again.stdout)
			}
			switch tt.name {
			case "findings":
				wantN := 0
				for _, f := range scan(t, gpsJPEG).Findings {
					if f.Category != exifscrub.Other {
						wantN++
					}
				}
				wantN += 2 // textPNG: a time and a text finding
				if len(issues) != wantN {
					t.Errorf("got %d issues, want one per finding: %d", len(issues), wantN)
				}
				first := issues[0]
				if first.Location.Path != "testdata/kodak_gps.jpg" || first.Location.Lines.Begin != 1 {
					t.Errorf("first location: got %+v, want testdata/kodak_gps.jpg line 1", first.Location)
				}
				for _, is := range issues {
					if is.CheckName == "exifscrub/location" && is.Severity != "critical" {
						t.Errorf("a location issue has severity %q, want critical", is.Severity)
					}
					if !strings.HasPrefix(is.CheckName, "exifscrub/") {
						t.Errorf("check_name %q, want exifscrub/CATEGORY", is.CheckName)
					}
				}
			case "clean":
				if strings.TrimSpace(r.stdout) != "[]" {
					t.Errorf("got %q, want []", r.stdout)
				}
			case "error":
				last := issues[len(issues)-1]
				if last.CheckName != gitlabUnreadable || last.Severity != "blocker" || !strings.HasSuffix(last.Location.Path, "missing.jpg") {
					t.Errorf("unreadable file: got %+v, want a blocker %s issue at missing.jpg", last, gitlabUnreadable)
				}
			case "absolute path":
				if p := issues[0].Location.Path; p != "testdata/kodak_gps.jpg" {
					t.Errorf("absolute path under the current directory: got %q, want testdata/kodak_gps.jpg", p)
				}
			case "fail-on":
				for _, is := range issues {
					if is.CheckName != "exifscrub/location" {
						t.Errorf("--fail-on location: got a %q issue", is.CheckName)
					}
				}
			}
		})
	}
}
