package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// containerfileLines returns the Containerfile's instructions, without
// comments, blank lines or line continuations.
func containerfileLines(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "Containerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestContainerfile checks what the Containerfile promises without
// building it: an empty base, the binary where tools/release puts it, a
// user that is not root, serve as the entrypoint and a HEALTHCHECK that
// needs nothing but the binary.
func TestContainerfile(t *testing.T) {
	lines := containerfileLines(t)
	has := func(prefix string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return l
			}
		}
		t.Errorf("Containerfile has no %s instruction", prefix)
		return ""
	}
	if from := has("FROM "); from != "FROM scratch" && !strings.HasPrefix(from, "FROM gcr.io/distroless/static") {
		t.Errorf("%q: want scratch or distroless/static", from)
	}
	if user := has("USER "); user != "" {
		uid, _, _ := strings.Cut(strings.TrimPrefix(user, "USER "), ":")
		if uid == "0" || uid == "root" || uid == "" {
			t.Errorf("%q: runs as root", user)
		}
	}
	if cp := has("COPY "); !strings.Contains(cp, "exifscrub_linux_${TARGETARCH}/exifscrub") {
		t.Errorf("%q: want the binary of dist/exifscrub_linux_ARCH/ (tools/release's layout)", cp)
	}
	if ep := has("ENTRYPOINT "); ep != `ENTRYPOINT ["/exifscrub", "serve"]` {
		t.Errorf("%q: want serve as the entrypoint, in exec form", ep)
	}
	if hc := has("HEALTHCHECK "); !strings.Contains(hc, `CMD ["/exifscrub", "healthcheck"]`) {
		t.Errorf("%q: want the binary's own healthcheck (scratch has no curl)", hc)
	}
	if env := has("ENV EXIFSCRUB_ADDR="); env != "" && strings.Contains(env, "127.0.0.1") {
		t.Errorf("%q: a loopback address is unreachable from outside the container", env)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "RUN ") {
			t.Errorf("%q: scratch has no shell to RUN with", l)
		}
	}
}

// TestContainerImage builds the image with podman from a binary built
// here, as .ci/run does from the release snapshot, and checks its
// configuration and that the binary runs in it. The service itself is
// started when the binary has a serve command: then the health check must
// pass.
func TestContainerImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a container image")
	}
	podman, err := exec.LookPath("podman")
	if err != nil {
		t.Skip("no podman: TestContainerfile checks the file only")
	}
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skip("builds a linux/amd64 or linux/arm64 image")
	}
	ctx := t.TempDir()
	bin := filepath.Join(ctx, "exifscrub_linux_"+runtime.GOARCH, "exifscrub")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -X main.version=0.0.1-containertest", "-o", bin, "./cmd/exifscrub")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	image := "localhost/exifscrub-test:" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	out, err := exec.Command(podman, "build", "-q", "--format", "docker", "--build-arg", "TARGETARCH="+runtime.GOARCH,
		"-t", image, "-f", filepath.Join(root, "Containerfile"), ctx).CombinedOutput()
	if err != nil {
		t.Fatalf("podman build: %v\n%s", err, out)
	}
	defer exec.Command(podman, "rmi", "-f", image).Run()

	out, err = exec.Command(podman, "image", "inspect", image).Output()
	if err != nil {
		t.Fatalf("podman image inspect: %v", err)
	}
	var inspect []struct {
		Config struct {
			User       string
			Entrypoint []string
			Env        []string
		}
		Healthcheck struct{ Test []string } // beside Config in podman's output
		RootFS      struct{ Layers []string }
		Size        int64
	}
	if err := json.Unmarshal(out, &inspect); err != nil || len(inspect) != 1 {
		t.Fatalf("podman image inspect: %v\n%s", err, out)
	}
	cfg := inspect[0].Config
	if cfg.User != "65532:65532" {
		t.Errorf("User %q, want 65532:65532", cfg.User)
	}
	if !slices.Equal(cfg.Entrypoint, []string{"/exifscrub", "serve"}) {
		t.Errorf("Entrypoint %q, want [/exifscrub serve]", cfg.Entrypoint)
	}
	if !slices.Equal(inspect[0].Healthcheck.Test, []string{"CMD", "/exifscrub", "healthcheck"}) {
		t.Errorf("Healthcheck %q, want [CMD /exifscrub healthcheck]", inspect[0].Healthcheck.Test)
	}
	if !slices.Contains(cfg.Env, "EXIFSCRUB_ADDR=:8080") {
		t.Errorf("Env %q, want EXIFSCRUB_ADDR=:8080", cfg.Env)
	}
	if n := len(inspect[0].RootFS.Layers); n != 1 {
		t.Errorf("%d layers, want 1: the binary alone", n)
	}
	t.Logf("image %s: %d bytes, user %s, entrypoint %q, healthcheck %q", image, inspect[0].Size, cfg.User, cfg.Entrypoint, inspect[0].Healthcheck.Test)

	out, err = exec.Command(podman, "run", "--rm", "--network", "none", "--read-only", "--entrypoint", "/exifscrub", image, "--version").CombinedOutput()
	if err != nil && strings.Contains(string(out), "setrlimit") {
		// A sandbox that lets podman build but not set a container's
		// limits (crun: "setrlimit RLIMIT_NPROC: Operation not
		// permitted"): what runs in the image cannot be checked here.
		t.Skipf("podman cannot run containers here: %s", lastLine(out))
	}
	if err != nil || !strings.Contains(string(out), "exifscrub version 0.0.1-containertest") {
		t.Fatalf("podman run --version: %v\n%s", err, out)
	}
	out, err = exec.Command(podman, "run", "--rm", "--network", "none", "--entrypoint", "/exifscrub", image, "healthcheck").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("healthcheck with no service: got %v, want exit status 1\n%s", err, out)
	}

	if exec.Command(bin, "serve", "--help").Run() != nil {
		t.Log("the binary has no serve command yet: the service is not started")
		return
	}
	name := "exifscrub-test-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	if out, err := exec.Command(podman, "run", "-d", "--name", name, "--network", "none", "--read-only", "--tmpfs", "/tmp", image).CombinedOutput(); err != nil {
		t.Fatalf("podman run: %v\n%s", err, out)
	}
	defer exec.Command(podman, "rm", "-f", name).Run()
	var last []byte
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if last, err = exec.Command(podman, "healthcheck", "run", name).CombinedOutput(); err == nil {
			return
		}
	}
	logs, _ := exec.Command(podman, "logs", name).CombinedOutput()
	t.Errorf("podman healthcheck run: %v\n%s\nlogs:\n%s", err, last, logs)
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}
