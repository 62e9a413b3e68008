package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// root is the repository root, from this package's directory.
var root = filepath.Join("..", "..")

// TestRepositoryFiles validates the repository's own action.yml and
// .pre-commit-hooks.yaml, as .ci/run does.
func TestRepositoryFiles(t *testing.T) {
	for _, tt := range []struct{ schema, file string }{
		{"schemas/github-action.json", filepath.Join(root, "action.yml")},
		{"schemas/pre-commit-hooks.json", filepath.Join(root, ".pre-commit-hooks.yaml")},
	} {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			if err := validateFile(tt.schema, tt.file); err != nil {
				t.Errorf("%s against %s: %v", tt.file, tt.schema, err)
			}
		})
	}
}

// TestRejects checks that each schema does reject files that GitHub or
// pre-commit would refuse, and that YAML is read as such, so that the
// passes above mean something.
func TestRejects(t *testing.T) {
	for _, tt := range []struct{ name, schema, doc string }{
		{"action without runs", "schemas/github-action.json", "name: x\ndescription: y\n"},
		{"composite step without shell", "schemas/github-action.json",
			"name: x\ndescription: y\nruns:\n  using: composite\n  steps:\n    - run: echo\n"},
		{"unknown runs.using", "schemas/github-action.json",
			"name: x\ndescription: y\nruns:\n  using: node8\n  main: a.js\n"},
		{"input required not a boolean", "schemas/github-action.json",
			"name: x\ndescription: y\ninputs:\n  a:\n    description: d\n    required: maybe\nruns:\n  using: composite\n  steps: []\n"},
		{"hook without entry", "schemas/pre-commit-hooks.json", "- id: x\n  name: y\n  language: golang\n"},
		{"hooks not a list", "schemas/pre-commit-hooks.json", "id: x\nname: y\nentry: z\nlanguage: golang\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "doc.yaml")
			if err := os.WriteFile(file, []byte(tt.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			err := validateFile(tt.schema, file)
			var verr *jsonschema.ValidationError
			if !errors.As(err, &verr) {
				t.Errorf("got %v, want a validation error", err)
			}
		})
	}
}

// TestRun checks cicheck's exit codes and messages.
func TestRun(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "action.yml")
	if err := os.WriteFile(bad, []byte("name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	action := filepath.Join(root, "action.yml")
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"valid", []string{"schemas/github-action.json=" + action}, exitOK, "ok   " + action},
		{"invalid", []string{"schemas/github-action.json=" + action, "schemas/github-action.json=" + bad}, exitInvalid, "does not validate"},
		{"no argument", nil, exitUsage, "usage"},
		{"not a pair", []string{action}, exitUsage, "is not SCHEMA=FILE"},
		{"missing file", []string{"schemas/github-action.json=" + bad + ".missing"}, exitUsage, "no such file"},
		{"a schema elsewhere", []string{"schemas/nonexistent.json=" + action}, exitUsage, "no such file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != tt.code {
				t.Errorf("exit code: got %d, want %d\n%s%s", code, tt.code, stdout.String(), stderr.String())
			}
			if out := stdout.String() + stderr.String(); !strings.Contains(out, tt.want) {
				t.Errorf("output %q does not contain %q", out, tt.want)
			}
		})
	}
}
