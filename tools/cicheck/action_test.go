package main

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// actionStep is the part of a composite action's step these tests run.
type actionStep struct {
	ID   string            `yaml:"id"`
	Name string            `yaml:"name"`
	Run  string            `yaml:"run"`
	Env  map[string]string `yaml:"env"`
}

func actionSteps(t *testing.T) []actionStep {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Runs struct{ Steps []actionStep } `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	return a.Runs.Steps
}

func step(t *testing.T, steps []actionStep, name string) actionStep {
	t.Helper()
	for _, s := range steps {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("action.yml has no step %q", name)
	return actionStep{}
}

// TestActionInstall runs the action's install step, with bash, as a Linux
// runner would, against a release served on loopback: an archive built
// from this checkout and its checksum file. It must install the binary and
// put it on GITHUB_PATH, and refuse an archive whose checksum does not
// match, a sha256 input that does not, or no version at all. Then the
// check step, with the installed binary, must fail on a photo with GPS.
func TestActionInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("runs the step as a Linux or macOS runner does")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl (every GitHub runner has it)")
	}
	const version = "0.0.1-actiontest"
	runnerOS := map[string]string{"linux": "Linux", "darwin": "macOS"}[runtime.GOOS]
	runnerArch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	if runnerArch == "" {
		t.Skipf("no release for %s", runtime.GOARCH)
	}

	// The release: the binary, archived as tools/release names it, and
	// the checksum file.
	bin := filepath.Join(t.TempDir(), "exifscrub")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-X main.version="+version, "-o", bin, "./cmd/exifscrub")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	releases := t.TempDir()
	dir := filepath.Join(releases, "v"+version)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	archive := fmt.Sprintf("exifscrub_%s_%s_%s.tar.gz", version, runtime.GOOS, runtime.GOARCH)
	sum := writeTarGz(t, filepath.Join(dir, archive), bin)
	sums := filepath.Join(dir, "exifscrub_"+version+"_checksums.txt")
	writeSums := func(s string) {
		t.Helper()
		if err := os.WriteFile(sums, []byte(s+"  "+archive+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(releases)))
	defer srv.Close()

	steps := actionSteps(t)
	install := step(t, steps, "Install exifscrub")
	runInstall := func(t *testing.T, inputs map[string]string) (out string, runnerTemp, githubPath string, err error) {
		t.Helper()
		runnerTemp = t.TempDir()
		githubPath = filepath.Join(t.TempDir(), "path")
		cmd := exec.Command(bash, "-e", "-c", install.Run)
		cmd.Env = append(os.Environ(),
			"RUNNER_OS="+runnerOS, "RUNNER_ARCH="+runnerArch, "RUNNER_TEMP="+runnerTemp,
			"GITHUB_PATH="+githubPath, "GITHUB_OUTPUT="+filepath.Join(t.TempDir(), "output"),
			"EXIFSCRUB_DOWNLOAD_URL="+srv.URL, "EXIFSCRUB_ACTION_REF=main", "EXIFSCRUB_SHA256=", "EXIFSCRUB_VERSION=")
		for k, v := range inputs {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		b, err := cmd.CombinedOutput()
		return string(b), runnerTemp, githubPath, err
	}
	for k := range install.Env {
		if !strings.HasPrefix(k, "EXIFSCRUB_") {
			t.Errorf("install step sets %s: the test passes only EXIFSCRUB_ variables", k)
		}
	}

	t.Run("installs", func(t *testing.T) {
		writeSums(sum)
		out, runnerTemp, githubPath, err := runInstall(t, map[string]string{"EXIFSCRUB_VERSION": "v" + version, "EXIFSCRUB_SHA256": sum})
		if err != nil {
			t.Fatalf("install step: %v\n%s", err, out)
		}
		if !strings.Contains(out, "exifscrub version "+version) {
			t.Errorf("install step printed %q, want the installed --version", out)
		}
		p, err := os.ReadFile(githubPath)
		if err != nil {
			t.Fatal(err)
		}
		binDir := strings.TrimSpace(string(p))
		if want := filepath.Join(runnerTemp, "exifscrub-"+version, "bin"); binDir != want {
			t.Errorf("GITHUB_PATH got %q, want %q", binDir, want)
		}

		// The check step, with that binary on the PATH.
		check := step(t, steps, "exifscrub check")
		photo := filepath.Join(t.TempDir(), "photo.jpg")
		data, err := os.ReadFile(filepath.Join(root, "cmd", "exifscrub", "testdata", "kodak_gps.jpg"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(photo, data, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bash, "-e", "-c", check.Run)
		cmd.Dir = filepath.Dir(photo)
		cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
			"EXIFSCRUB_PATHS=.\n photo.jpg", "EXIFSCRUB_FAIL_ON=location", "EXIFSCRUB_ARGS=--ignore-names")
		b, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Errorf("check step on a photo with GPS: got %v, want exit status 1\n%s", err, b)
		}
		if !strings.Contains(string(b), "::error file=photo.jpg") {
			t.Errorf("check step printed %q, want an ::error annotation on photo.jpg", b)
		}
	})
	for _, tt := range []struct {
		name   string
		sums   string
		inputs map[string]string
		want   string
	}{
		{"checksum mismatch", strings.Repeat("0", 64), map[string]string{"EXIFSCRUB_VERSION": version}, "checksums.txt says"},
		{"sha256 input mismatch", sum, map[string]string{"EXIFSCRUB_VERSION": version, "EXIFSCRUB_SHA256": strings.Repeat("1", 64)}, "the sha256 input says"},
		{"no version", sum, nil, "no release version"},
		{"no such release", sum, map[string]string{"EXIFSCRUB_VERSION": "9.9.9"}, "404"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			writeSums(tt.sums)
			out, _, githubPath, err := runInstall(t, tt.inputs)
			if err == nil {
				t.Fatalf("install step succeeded, want a failure\n%s", out)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("install step printed %q, want %q", out, tt.want)
			}
			if _, err := os.Stat(githubPath); err == nil {
				t.Errorf("GITHUB_PATH written although the install failed")
			}
		})
	}
}

// writeTarGz writes a tar.gz holding bin as "exifscrub" and returns its
// hex SHA-256.
func writeTarGz(t *testing.T, path, bin string) string {
	t.Helper()
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	zw := gzip.NewWriter(io.MultiWriter(f, h))
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: "exifscrub", Mode: 0o755, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
