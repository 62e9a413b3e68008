package exifscrub

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
		"main.go": readmeProgram(t),
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
	if out := run("run", "-mod=mod", "."); out != "err\nerr\n" {
		t.Errorf("the README's snippet on an empty input and on a GIF printed %q, want \"err\" twice", out)
	}
}

// readmeProgram returns a program that runs the README's Go snippet on an
// empty input and on a GIF, each "{ … }" printing the word before it:
// the snippet must compile and must not panic on what is not a photo.
func readmeProgram(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(b), "## Use as a Go package")
	_, rest, _ = strings.Cut(rest, "```go\n")
	block, _, _ := strings.Cut(rest, "```")
	_, body, ok := strings.Cut(block, "import \"github.com/exifscrub/exifscrub\"\n")
	if !ok {
		t.Fatalf("no Go block importing the package under \"Use as a Go package\" in README.md")
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
		if cond, _, ok := strings.Cut(l, "{ … }"); ok {
			word := strings.Fields(strings.TrimPrefix(cond, "if "))[0]
			l = cond + "{ fmt.Println(" + strconv.Quote(word) + ") }"
		}
		lines = append(lines, "\t\t"+l)
	}
	return `package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/exifscrub/exifscrub"
)

func main() {
	for _, in := range []string{"", "GIF89a\x01\x00\x01\x00"} {
		w, r := io.Discard, strings.NewReader(in)
` + strings.Join(lines, "\n") + `
		_ = rep
	}
}
`
}

// TestREADME keeps the README a newcomer's path: under 25 KB (design
// notes and measurements live in docs/), with the two commands a newcomer
// needs, and every relative link pointing at a file that exists.
func TestREADME(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 25_000 {
		t.Errorf("README.md is %d bytes; keep it under 25,000 and move detail to docs/", len(b))
	}
	for _, want := range []string{"exifscrub scrub -o", "go test work"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("README.md does not show %q", want)
		}
	}
	for _, doc := range append([]string{"README.md"}, mdFiles(t, "docs")...) {
		text, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, link := range relativeLinks(string(text)) {
			target := filepath.Join(filepath.Dir(doc), link)
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s links to %s, which does not exist", doc, link)
			}
		}
	}
}

// mdFiles lists the Markdown files in dir.
func mdFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// relativeLinks returns the file part of the Markdown links "](target)"
// in text that point inside the repository.
func relativeLinks(text string) []string {
	var links []string
	for _, part := range strings.Split(text, "](")[1:] {
		target, _, ok := strings.Cut(part, ")")
		if !ok || strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
			continue
		}
		target, _, _ = strings.Cut(target, "#")
		links = append(links, target)
	}
	return links
}
