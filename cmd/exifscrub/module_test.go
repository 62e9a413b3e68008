package main

import (
	"archive/zip"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

const (
	libraryModule = "github.com/exifscrub/exifscrub"
	cliModule     = "github.com/exifscrub/exifscrub/cmd/exifscrub"
)

// goModJSON is the part of "go mod edit -json" these tests read.
type goModJSON struct {
	Require []struct{ Path, Version string }
	Replace []struct {
		Old, New struct{ Path, Version string }
	}
}

func readGoMod(t *testing.T, dir string) goModJSON {
	t.Helper()
	cmd := exec.Command("go", "mod", "edit", "-json")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod edit -json in %s: %v", dir, err)
	}
	var m goModJSON
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestInstallModule installs the command as a user would, with
// "go install github.com/exifscrub/exifscrub/cmd/exifscrub@VERSION", from
// a module proxy on disk that serves this checkout's library and command
// (and every other module from the module cache), outside the workspace
// and without the network. "go install pkg@version" refuses a go.mod with
// a replace directive, so this fails if one comes back; go.work is what
// ties the modules together for development.
func TestInstallModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command from a module proxy")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	cli := readGoMod(t, ".")
	if len(cli.Replace) > 0 {
		t.Errorf("cmd/exifscrub/go.mod has replace directives %v: go install ...@VERSION refuses them", cli.Replace)
	}
	libVersion := ""
	for _, r := range cli.Require {
		if r.Path == libraryModule {
			libVersion = r.Version
		}
	}
	if libVersion == "" {
		t.Fatalf("cmd/exifscrub/go.mod does not require %s", libraryModule)
	}

	const cliVersion = "v0.0.1-installtest"
	proxy := t.TempDir()
	// The library at the version the command requires, as the proxy
	// would serve the tag: the root module without its nested modules.
	serveModule(t, proxy, libraryModule, libVersion, root)
	// The command as its tag would be published.
	serveModule(t, proxy, cliModule, cliVersion, ".")

	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	download := filepath.Join(strings.TrimSpace(string(modcache)), "cache", "download")
	bin := t.TempDir()
	cmd := exec.Command("go", "install", cliModule+"@"+cliVersion)
	cmd.Dir = t.TempDir() // outside the workspace and any module
	cmd.Env = append(os.Environ(),
		"GOWORK=off", "GOBIN="+bin, "GOTOOLCHAIN=local",
		// A module cache of its own, so that the test versions never
		// reach the shared one (writable, so that TempDir can remove it).
		"GOMODCACHE="+t.TempDir(), "GOFLAGS=-modcacherw",
		// The module cache's download directory is a proxy's layout:
		// the command's other dependencies come from there, offline.
		"GOPROXY="+fileURL(proxy)+","+fileURL(download),
		"GOSUMDB=off", // the test versions are not in sum.golang.org
	)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install %s@%s: %v\n%s", cliModule, cliVersion, err, out)
	}
	exe := filepath.Join(bin, "exifscrub")
	if _, err := os.Stat(exe); err != nil {
		exe += ".exe"
	}
	out, err := exec.Command(exe, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("installed exifscrub --version: %v\n%s", err, out)
	}
	// go install records the module version, which --version reports
	// when the build did not set main.version.
	if want := "exifscrub version " + strings.TrimPrefix(cliVersion, "v"); !strings.Contains(string(out), want) {
		t.Errorf("installed exifscrub --version printed %q, want %q", out, want)
	}
}

func fileURL(dir string) string {
	p := filepath.ToSlash(dir)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x on Windows
	}
	return "file://" + p
}

// serveModule writes module mod at version v, from the files in dir, into
// the GOPROXY directory proxy: @v/list, .info, .mod and .zip
// (https://go.dev/ref/mod#goproxy-protocol). The zip holds what "go mod
// download" would: every file but the nested modules, the .git directory
// and, as the command does not need them to build, tests, testdata and
// a binary built in place.
func serveModule(t *testing.T, proxy, mod, v, dir string) {
	t.Helper()
	at := filepath.Join(proxy, filepath.FromSlash(mod), "@v") // module paths here are lower case: no !-escaping
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	goMod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"list":      []byte(v + "\n"),
		v + ".info": []byte(`{"Version":"` + v + `","Time":"2025-01-01T00:00:00Z"}`),
		v + ".mod":  goMod,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(at, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	zf, err := os.Create(filepath.Join(at, v+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	prefix := mod + "@" + v + "/"
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			base := path.Base(rel)
			if base == "testdata" || strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir // a module of its own
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasSuffix(rel, "_test.go") || strings.HasPrefix(path.Base(rel), ".") ||
			rel == "go.work" || rel == "go.work.sum" || rel == "exifscrub" || rel == "exifscrub.exe" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := zw.Create(prefix + rel)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zf.Close(); err != nil {
		t.Fatal(err)
	}
}
