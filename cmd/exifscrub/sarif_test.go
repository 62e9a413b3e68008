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

// sarifSchemaFile is the SARIF 2.1.0 schema (see testdata/README.md).
const sarifSchemaFile = "testdata/sarif-schema-2.1.0-rtm.5.json"

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(sarifSchemaFile)
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
	if err := c.AddResource("sarif-schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// TestSARIF checks that check --format sarif validates against the SARIF
// 2.1.0 schema, with one result per finding located at its file and a rule
// per category, and that errors become notifications.
func TestSARIF(t *testing.T) {
	sch := compileSARIFSchema(t)
	// The schema does reject what is not SARIF 2.1.0.
	for _, bad := range []string{
		`{"version": "2.0.0", "runs": []}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "r"}]}]}`,
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
			r := runCLI(t, nil, append([]string{"check", "--format", "sarif"}, tt.args...)...)
			if r.code != tt.code {
				t.Errorf("exit code: got %d, want %d", r.code, tt.code)
			}
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(r.stdout))
			if err != nil {
				t.Fatalf("not JSON: %v\n%s", err, r.stdout)
			}
			if err := sch.Validate(inst); err != nil {
				t.Errorf("does not validate against the SARIF 2.1.0 schema: %v\n%s", err, r.stdout)
			}
			var log sarifLog
			if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
				t.Fatal(err)
			}
			if log.Version != "2.1.0" || len(log.Runs) != 1 {
				t.Fatalf("got version %q and %d runs, want 2.1.0 and 1", log.Version, len(log.Runs))
			}
			run := log.Runs[0]
			if len(run.Tool.Driver.Rules) != len(exifscrub.Categories()) {
				t.Errorf("got %d rules, want one per category", len(run.Tool.Driver.Rules))
			}
			for i, res := range run.Results {
				if rule := run.Tool.Driver.Rules[res.RuleIndex]; rule.ID != res.RuleID {
					t.Errorf("result %d: ruleIndex %d is rule %q, ruleId is %q", i, res.RuleIndex, rule.ID, res.RuleID)
				}
			}
			switch tt.name {
			case "findings":
				rep := scan(t, gpsJPEG)
				wantN := 0
				for _, f := range rep.Findings {
					if f.Category != exifscrub.Other {
						wantN++
					}
				}
				wantN += 2 // textPNG: a time and a text finding
				if len(run.Results) != wantN {
					t.Errorf("got %d results, want one per finding: %d", len(run.Results), wantN)
				}
				loc := run.Results[0].Locations[0].PhysicalLocation.ArtifactLocation
				if loc.URI != "testdata/kodak_gps.jpg" || loc.URIBaseID != "%SRCROOT%" {
					t.Errorf("first location: got %+v", loc)
				}
				if !run.Invocations[0].ExecutionSuccessful {
					t.Errorf("executionSuccessful is false")
				}
			case "clean":
				if len(run.Results) != 0 {
					t.Errorf("got %d results, want none", len(run.Results))
				}
			case "error":
				inv := run.Invocations[0]
				if inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 1 {
					t.Errorf("got %+v, want one notification and executionSuccessful false", inv)
				}
			case "absolute path":
				if uri := run.Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI; !strings.HasPrefix(uri, "file:///") {
					t.Errorf("absolute path: got URI %q, want file:///…", uri)
				}
			case "fail-on":
				for _, res := range run.Results {
					if res.RuleID != "location" {
						t.Errorf("--fail-on location: got a %q result", res.RuleID)
					}
				}
			}
		})
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
