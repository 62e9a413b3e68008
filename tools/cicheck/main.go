// Command cicheck validates YAML and JSON files against JSON schemas, for
// .ci/run: the files a CI system or a package manager reads, and that no
// Go test of the command would notice were broken.
//
//	go run ./tools/cicheck SCHEMA=FILE ...
//	go run ./tools/cicheck tools/cicheck/schemas/github-action.json=action.yml
//
// A FILE ending in .yml or .yaml is read as YAML (one document), anything
// else as JSON. Paths are relative to the current directory. It exits 1
// when a file does not validate, 2 on a usage or read error.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

const (
	exitOK      = 0
	exitInvalid = 1
	exitUsage   = 2
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: cicheck SCHEMA=FILE ...")
		return exitUsage
	}
	code := exitOK
	for _, arg := range args {
		schema, file, ok := strings.Cut(arg, "=")
		if !ok || schema == "" || file == "" {
			fmt.Fprintf(stderr, "cicheck: %q is not SCHEMA=FILE\n", arg)
			return exitUsage
		}
		err := validateFile(schema, file)
		var verr *jsonschema.ValidationError
		switch {
		case errors.As(err, &verr):
			fmt.Fprintf(stderr, "cicheck: %s does not validate against %s:\n%v\n", file, schema, verr)
			code = exitInvalid
		case err != nil:
			fmt.Fprintf(stderr, "cicheck: %v\n", err)
			return exitUsage
		default:
			fmt.Fprintf(stdout, "ok   %s (%s)\n", file, filepath.Base(schema))
		}
	}
	return code
}

// validateFile validates file against the schema in schemaPath. A
// *jsonschema.ValidationError says how it does not; any other error, that
// either could not be read.
func validateFile(schemaPath, file string) error {
	sch, err := compile(schemaPath)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	inst, err := decode(file, data)
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// compile compiles the schema in path, asserting "format" as well (the
// draft-07 and 2020-12 schemas only annotate it by default). The schema
// names itself by its $id, so that its own references resolve; nothing
// is fetched: a reference outside the file is an error.
func compile(path string) (*jsonschema.Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	url := "file:///" + filepath.ToSlash(filepath.Base(path))
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sch, nil
}

// decode reads a file's content as the JSON value a schema validates: YAML
// goes through encoding/json, so that its numbers and maps take the forms
// the validator expects of JSON (json.Number, map[string]any).
func decode(file string, data []byte) (any, error) {
	ext := strings.ToLower(filepath.Ext(file))
	if ext == ".yml" || ext == ".yaml" {
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		var err error
		if data, err = json.Marshal(v); err != nil {
			// yaml.v3 gives map[string]any for string keys; a map with
			// other keys (1: x) has no JSON form.
			return nil, fmt.Errorf("%s: not representable as JSON: %w", file, err)
		}
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return v, nil
}
