package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// openAPISchemaFile is the OpenAPI 3.1 schema (testdata/README.md).
const openAPISchemaFile = "testdata/openapi-3.1-schema.json"

// TestServeOpenAPI validates openapi.json against the OpenAPI 3.1 schema,
// and real answers of the server against the schemas the document gives
// them, so that the document describes what the server does.
func TestServeOpenAPI(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	load := func(url, file string) any {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if err := c.AddResource(url, doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	load("https://spec.openapis.org/oas/3.1/schema/2022-10-07", openAPISchemaFile)
	doc := load("https://exifscrub.invalid/openapi.json", "openapi.json")
	oas, err := c.Compile("https://spec.openapis.org/oas/3.1/schema/2022-10-07")
	if err != nil {
		t.Fatal(err)
	}
	if err := oas.Validate(doc); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3.1 document: %v", err)
	}
	// The schema rejects what is not OpenAPI 3.1.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"openapi": "3.0.3", "info": {"title": "x", "version": "1"}, "paths": {}}`))
	if oas.Validate(bad) == nil {
		t.Fatal("the schema accepts an OpenAPI 3.0 document")
	}

	component := func(name string) *jsonschema.Schema {
		s, err := c.Compile("https://exifscrub.invalid/openapi.json#/components/schemas/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ts := startServer(t, serveConfig{})
	photo := readFile(t, gpsJPEG)
	check := func(what, schema string, b []byte) {
		t.Helper()
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v: %s", what, err, b)
		}
		if err := component(schema).Validate(v); err != nil {
			t.Errorf("%s does not match the schema %s: %v\n%.500s", what, schema, err, b)
		}
	}
	res, _, _ := post(t, ts.url+"/v1/scrub?keep=location", bytes.NewReader(photo))
	check("X-Exifscrub-Report", "Report", []byte(res.Header.Get(reportHeader)))
	check("X-Exifscrub-Summary", "Summary", []byte(res.Header.Get(summaryHeader)))
	check("the Exifscrub-Summary trailer", "Summary", []byte(res.Trailer.Get(summaryTrailer)))
	_, b, _ := post(t, ts.url+"/v1/report?keep=location&coarse=0.1", bytes.NewReader(photo))
	check("/v1/report", "FileReport", b)
	_, b, _ = post(t, ts.url+"/v1/check", bytes.NewReader(photo))
	check("/v1/check", "FileCheck", b)
	_, b, _ = post(t, ts.url+"/v1/check", bytes.NewReader(photo[:1000]))
	check("a 422", "Error", b)
	_, b, _ = post(t, ts.url+"/v1/scrub?x", bytes.NewReader(photo))
	check("a 400", "Error", b)
	for _, path := range []string{"/healthz", "/readyz"} {
		res, err := http.Get(ts.url + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		check(path, "Status", b)
	}
}
