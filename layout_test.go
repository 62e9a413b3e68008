package exifscrub

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLayout keeps the house in order (see doc.go, "Layout"): no package
// under internal/ imports the root, and every codec package there has
// tests and a fuzz target of its own. Packages named ...test are test
// helpers and need neither.
func TestLayout(t *testing.T) {
	type pkg struct{ tests, fuzz bool }
	pkgs := map[string]*pkg{}
	err := filepath.WalkDir("internal", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		dir := filepath.Dir(path)
		if pkgs[dir] == nil {
			pkgs[dir] = &pkg{}
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "github.com/exifscrub/exifscrub" {
				t.Errorf("%s imports the root package: a codec reports through plain values", path)
			}
		}
		if strings.HasSuffix(path, "_test.go") {
			pkgs[dir].tests = true
			pkgs[dir].fuzz = pkgs[dir].fuzz || strings.Contains(string(src), "\nfunc Fuzz")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) == 0 {
		t.Fatal("no packages under internal/")
	}
	for dir, p := range pkgs {
		if strings.HasSuffix(dir, "test") {
			continue
		}
		if !p.tests || !p.fuzz {
			t.Errorf("%s: tests %v, fuzz target %v; want both", dir, p.tests, p.fuzz)
		}
	}
}
