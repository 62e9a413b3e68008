// Command release cross-builds exifscrub's release archives: a static
// binary (CGO_ENABLED=0) for linux, darwin and windows on amd64 and arm64,
// each in an archive with the licence and the README, and a SHA-256
// checksum file, all reproducible: the same commit gives the same bytes
// on any machine with the same Go release. It does what .goreleaser.yaml
// describes, with the same file names, without GoReleaser (see
// docs/release.md for why and for the release steps).
//
//	go run ./tools/release --snapshot        (from the repository root)
//	go run ./tools/release                   (at a tag vX.Y.Z, clean tree)
//
// It writes into dist/ (removed first):
//
//	exifscrub_VERSION_linux_amd64.tar.gz ... exifscrub_VERSION_windows_arm64.zip
//	exifscrub_VERSION_checksums.txt          sha256sum -c format
//	exifscrub_linux_amd64/exifscrub ...      the binaries, for the container image
package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// project names the archives, as GoReleaser's project_name does.
const project = "exifscrub"

// mainPackage is the command that is built, relative to the root.
const mainPackage = "./cmd/exifscrub"

// A target is one GOOS/GOARCH pair.
type target struct{ goos, goarch string }

func (t target) String() string { return t.goos + "_" + t.goarch }

// exe is the binary's file name on t.
func (t target) exe() string {
	if t.goos == "windows" {
		return project + ".exe"
	}
	return project
}

// archiveExt is ".zip" on Windows, where tar.gz is awkward, and ".tar.gz"
// elsewhere (GoReleaser's format_overrides in .goreleaser.yaml).
func (t target) archiveExt() string {
	if t.goos == "windows" {
		return ".zip"
	}
	return ".tar.gz"
}

// targets is every platform a release holds.
var targets = []target{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

// extraFiles go into every archive beside the binary.
var extraFiles = []string{"LICENSE", "README.md"}

// config is one run of the builder.
type config struct {
	root    string    // the repository root
	dist    string    // output directory, removed first
	version string    // without "v": 1.2.3, 0.0.0-SNAPSHOT-0123abc
	mtime   time.Time // of every file in every archive
	targets []target
	env     []string // extra environment for go build (tests: GOCACHE)
	log     io.Writer
}

func main() {
	snapshot := flag.Bool("snapshot", false, "build from any commit, versioned 0.0.0-SNAPSHOT-COMMIT, instead of requiring a clean tree at a tag vX.Y.Z")
	version := flag.String("version", "", "the version, without v (default: from the tag, or the snapshot version)")
	dist := flag.String("dist", "dist", "output `DIR`, relative to the repository root (removed first)")
	flag.Parse()
	if err := mainErr(*snapshot, *version, *dist); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func mainErr(snapshot bool, version, dist string) error {
	root, err := gitOut(".", "rev-parse", "--show-toplevel")
	if err != nil {
		return fmt.Errorf("not in a git checkout: %w", err)
	}
	c := config{root: root, dist: filepath.Join(root, dist), targets: targets, log: os.Stderr}
	if c.mtime, err = sourceDate(root); err != nil {
		return err
	}
	switch {
	case version != "":
		c.version = version
	case snapshot:
		commit, err := gitOut(root, "rev-parse", "--short", "HEAD")
		if err != nil {
			return err
		}
		c.version = "0.0.0-SNAPSHOT-" + commit
	default:
		tag, err := gitOut(root, "describe", "--tags", "--exact-match", "--match", "v*", "HEAD")
		if err != nil {
			return errors.New("HEAD is not at a tag vX.Y.Z: tag it, or use --snapshot")
		}
		if dirty, _ := gitOut(root, "status", "--porcelain", "--untracked-files=no"); dirty != "" {
			return errors.New("the working tree has changes: commit them, or use --snapshot")
		}
		c.version = strings.TrimPrefix(tag, "v")
	}
	if !validVersion.MatchString(c.version) {
		return fmt.Errorf("version %q is not semver without a v (1.2.3, 1.2.3-rc.1)", c.version)
	}
	sums, err := build(c)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.log, "release: %s in %s\n", filepath.Base(sums), c.dist)
	return nil
}

// validVersion is SemVer 2.0.0's version core with an optional pre-release
// and build, in the characters it allows.
var validVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// sourceDate is the time every archive entry gets: $SOURCE_DATE_EPOCH
// when set (https://reproducible-builds.org/specs/source-date-epoch/),
// else the commit time of HEAD, so that the archives depend on the commit
// only, never on when or where they were built.
func sourceDate(root string) (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		var err error
		if s, err = gitOut(root, "log", "-1", "--format=%ct", "HEAD"); err != nil {
			return time.Time{}, err
		}
	}
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", s, err)
	}
	return time.Unix(sec, 0).UTC(), nil
}

func gitOut(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// ldflags are the linker flags of every build: -s -w drop the symbol table
// and DWARF (smaller, and nothing in them is needed to run); -buildid=
// leaves out the build ID, which hashes the inputs' action IDs and could
// differ between machines; -X sets what --version prints.
func ldflags(version string) string {
	return "-s -w -buildid= -X main.version=" + version
}

// build cross-builds every target into c.dist, archives each binary and
// writes the checksum file, whose path it returns.
func build(c config) (string, error) {
	if err := os.RemoveAll(c.dist); err != nil {
		return "", err
	}
	if err := os.MkdirAll(c.dist, 0o755); err != nil {
		return "", err
	}
	var archives []string
	for _, t := range c.targets {
		bin := filepath.Join(c.dist, project+"_"+t.String(), t.exe())
		fmt.Fprintf(c.log, "release: building %s\n", t)
		cmd := exec.Command("go", "build",
			"-trimpath",       // no file system paths of this machine in the binary
			"-buildvcs=false", // the binary depends on the source, not on the .git directory
			"-ldflags="+ldflags(c.version),
			"-o", bin, mainPackage)
		cmd.Dir = c.root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+t.goos, "GOARCH="+t.goarch,
			"GOFLAGS=", "GOAMD64=v1", "GOARM64=v8.0") // the baseline every CPU of the arch runs
		cmd.Env = append(cmd.Env, c.env...)
		cmd.Stdout, cmd.Stderr = c.log, c.log
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("go build for %s: %w", t, err)
		}
		name := fmt.Sprintf("%s_%s_%s%s", project, c.version, t, t.archiveExt())
		if err := writeArchive(c, t, bin, filepath.Join(c.dist, name)); err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		archives = append(archives, name)
	}
	return writeChecksums(c, archives)
}

// A member is one file of an archive.
type member struct {
	name string
	mode os.FileMode
	path string // on disk
}

// writeArchive writes the archive of target t: the binary and extraFiles,
// in that order, each with c.mtime, owner 0:0 and no user or group name, so
// that nothing of the build machine gets in.
func writeArchive(c config, t target, bin, name string) error {
	members := []member{{t.exe(), 0o755, bin}}
	for _, f := range extraFiles {
		members = append(members, member{f, 0o644, filepath.Join(c.root, f)})
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if t.archiveExt() == ".zip" {
		err = writeZip(w, members, c.mtime)
	} else {
		err = writeTarGz(w, members, c.mtime)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func writeTarGz(w io.Writer, members []member, mtime time.Time) error {
	// No name and a zero time in the gzip header (RFC 1952 §2.3.1: MTIME 0
	// means none): only the content decides the bytes.
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	for _, m := range members {
		data, err := os.ReadFile(m.path)
		if err != nil {
			return err
		}
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     m.name,
			Mode:     int64(m.mode),
			Size:     int64(len(data)),
			ModTime:  mtime,
			Format:   tar.FormatUSTAR, // no PAX records with access or change times
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

func writeZip(w io.Writer, members []member, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, m := range members {
		data, err := os.ReadFile(m.path)
		if err != nil {
			return err
		}
		hdr := &zip.FileHeader{Name: m.name, Method: zip.Deflate, Modified: mtime}
		hdr.SetMode(m.mode)
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// writeChecksums writes PROJECT_VERSION_checksums.txt: a line
// "HEX-SHA256  NAME" per archive, sorted by name, which "sha256sum -c"
// (and "shasum -a 256 -c" on macOS) verifies.
func writeChecksums(c config, archives []string) (string, error) {
	sort.Strings(archives)
	var b strings.Builder
	for _, name := range archives {
		sum, err := fileSHA256(filepath.Join(c.dist, name))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, name)
	}
	path := filepath.Join(c.dist, fmt.Sprintf("%s_%s_checksums.txt", project, c.version))
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
