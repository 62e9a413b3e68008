package exifscrub

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestConsumerModule builds a throwaway app that imports the library, as
// an embedder would, and checks that the library brings no module with it:
// "go list -m all" lists the app and the library only, and the app builds
// and runs without the network.
func TestConsumerModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/consumer\n\ngo 1.24\n\n" +
			"require github.com/exifscrub/exifscrub v0.0.0\n\n" +
			"replace github.com/exifscrub/exifscrub => " + filepath.ToSlash(root) + "\n",
		"main.go": `package main

import (
	"fmt"
	"strings"

	"github.com/exifscrub/exifscrub"
)

func main() {
	_, err := exifscrub.Scan(strings.NewReader("not an image"))
	fmt.Println(err)
}
`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(goCmd, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOPROXY=off", "GOFLAGS=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	mods := strings.Fields(run("list", "-mod=mod", "-m", "-f", "{{.Path}}", "all"))
	want := []string{"example.com/consumer", "github.com/exifscrub/exifscrub"}
	if strings.Join(mods, " ") != strings.Join(want, " ") {
		t.Errorf("go list -m all in a module importing the library:\n%s\nwant only %v", strings.Join(mods, "\n"), want)
	}
	if out := run("run", "-mod=mod", "."); !strings.Contains(out, "exifscrub: unsupported format") {
		t.Errorf("consumer printed %q", out)
	}
}
