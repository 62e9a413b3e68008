package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// cold makes TestRelease's second build start from an empty build cache,
// so that every package is compiled again: the strong proof, but minutes
// of work (the standard library for six platforms), so .ci/run leaves it
// out and docs/release.md has the measured result.
var cold = flag.Bool("cold", false, "build the second release with an empty GOCACHE")

// TestRelease builds the release twice (the second time with an empty
// build cache with -cold), into two directories, and checks that the two are byte for byte the same, that
// the checksum file verifies, that each archive holds the binary, the
// licence and the README with the fixed time, and that each binary is for
// its platform and needs no library beyond the operating system's.
func TestRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds the command 12 times")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	const version = "0.0.0-SNAPSHOT-test"
	mtime := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	builds := make([]map[string]string, 2) // archive name → sha256, from the checksum file
	dists := make([]string, 2)
	for i := range builds {
		dists[i] = filepath.Join(t.TempDir(), "dist")
		var log bytes.Buffer // go build's output, shown when it fails
		c := config{root: root, dist: dists[i], version: version, mtime: mtime, targets: targets, log: &log}
		if i == 1 && *cold {
			// Nothing reused from the first build: compiled afresh, the
			// packages must still come out the same.
			c.env = []string{"GOCACHE=" + t.TempDir()}
		}
		start := time.Now()
		sums, err := build(c)
		if err != nil {
			t.Fatalf("build %d: %v\n%s", i+1, err, log.Bytes())
		}
		t.Logf("build %d: %v", i+1, time.Since(start).Round(time.Second))
		builds[i] = verifyChecksums(t, sums)
	}
	for name, sum := range builds[0] {
		if builds[1][name] != sum {
			t.Errorf("%s: sha256 %s in the first build, %s in the second: not reproducible", name, sum, builds[1][name])
		} else {
			t.Logf("%s  %s (both builds)", sum, name)
		}
	}
	if len(builds[0]) != len(targets) || len(builds[1]) != len(targets) {
		t.Errorf("checksum files list %d and %d archives, want %d", len(builds[0]), len(builds[1]), len(targets))
	}

	for _, tg := range targets {
		t.Run(tg.String(), func(t *testing.T) {
			name := fmt.Sprintf("%s_%s_%s%s", project, version, tg, tg.archiveExt())
			files := readArchive(t, filepath.Join(dists[0], name), mtime)
			var names []string
			for _, f := range files {
				names = append(names, f.name)
			}
			if want := append([]string{tg.exe()}, extraFiles...); !slices.Equal(names, want) {
				t.Fatalf("archive holds %v, want %v", names, want)
			}
			if files[0].mode&0o111 == 0 && tg.goos != "windows" {
				t.Errorf("%s has mode %v: not executable", files[0].name, files[0].mode)
			}
			loose, err := os.ReadFile(filepath.Join(dists[0], project+"_"+tg.String(), tg.exe()))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(loose, files[0].data) {
				t.Errorf("the binary in the archive is not the one in %s_%s/", project, tg)
			}
			checkStatic(t, tg, files[0].data)
			if tg.goos == runtime.GOOS && tg.goarch == runtime.GOARCH {
				exe := filepath.Join(dists[0], project+"_"+tg.String(), tg.exe())
				out, err := exec.Command(exe, "--version").CombinedOutput()
				if err != nil {
					t.Fatalf("%s --version: %v\n%s", exe, err, out)
				}
				if want := project + " version " + version; strings.TrimSpace(string(out)) != want {
					t.Errorf("--version printed %q, want %q", out, want)
				}
			}
		})
	}
}

// verifyChecksums checks every line of the checksum file against the file
// it names (with sha256sum -c as well, when it is installed) and returns
// them by name.
func verifyChecksums(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("%s: line %q is not \"SHA256  NAME\"", path, sc.Text())
		}
		got, err := fileSHA256(filepath.Join(filepath.Dir(path), name))
		if err != nil {
			t.Fatal(err)
		}
		if got != sum {
			t.Errorf("%s: sha256 %s, checksum file says %s", name, got, sum)
		}
		sums[name] = sum
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if sha256sum, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command(sha256sum, "--strict", "-c", filepath.Base(path))
		cmd.Dir = filepath.Dir(path)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c %s: %v\n%s", filepath.Base(path), err, out)
		}
	}
	return sums
}

type archived struct {
	name string
	mode os.FileMode
	data []byte
}

// readArchive reads a tar.gz or zip archive and checks that each entry has
// the time mtime and, in a tar, owner 0:0 without names.
func readArchive(t *testing.T, path string, mtime time.Time) []archived {
	t.Helper()
	var files []archived
	if strings.HasSuffix(path, ".zip") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			if !f.Modified.Equal(mtime) {
				t.Errorf("%s: %s has time %v, want %v", path, f.Name, f.Modified, mtime)
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, archived{f.Name, f.Mode(), data})
		}
		return files
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	if !zr.ModTime.IsZero() || zr.Name != "" {
		t.Errorf("%s: gzip header has time %v and name %q, want neither", path, zr.ModTime, zr.Name)
	}
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !hdr.ModTime.Equal(mtime) || hdr.Uid != 0 || hdr.Gid != 0 || hdr.Uname != "" || hdr.Gname != "" {
			t.Errorf("%s: %s has time %v, owner %d:%d (%q:%q), want %v, 0:0 and no names",
				path, hdr.Name, hdr.ModTime, hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname, mtime)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, archived{hdr.Name, hdr.FileInfo().Mode(), data})
	}
	return files
}

// checkStatic checks that bin is an executable for tg that loads no
// library the operating system does not provide. On Linux that means
// none at all: no program interpreter (ld.so) and no DT_NEEDED entry. A Go
// binary on macOS always calls the kernel through libSystem (Apple
// supports no other way), and on Windows through kernel32.dll and the
// other system DLLs, so there "static" means those and nothing else.
func checkStatic(t *testing.T, tg target, bin []byte) {
	t.Helper()
	r := bytes.NewReader(bin)
	var libs []string
	switch tg.goos {
	case "linux":
		f, err := elf.NewFile(r)
		if err != nil {
			t.Fatalf("not ELF: %v", err)
		}
		want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[tg.goarch]
		if f.Machine != want || f.Type != elf.ET_EXEC {
			t.Errorf("ELF machine %v, type %v, want %v, ET_EXEC", f.Machine, f.Type, want)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
				t.Errorf("has a %v program header: dynamically linked", p.Type)
			}
		}
		libs, _ = f.ImportedLibraries()
		if len(libs) > 0 {
			t.Errorf("needs shared libraries %v", libs)
		}
		if file, err := exec.LookPath("file"); err == nil {
			tmp := filepath.Join(t.TempDir(), tg.exe())
			if err := os.WriteFile(tmp, bin, 0o755); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(file, "-b", tmp).Output()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), "statically linked") {
				t.Errorf("file says %q, want statically linked", out)
			}
		}
	case "darwin":
		f, err := macho.NewFile(r)
		if err != nil {
			t.Fatalf("not Mach-O: %v", err)
		}
		want := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[tg.goarch]
		if f.Cpu != want || f.Type != macho.TypeExec {
			t.Errorf("Mach-O CPU %v, type %v, want %v, executable", f.Cpu, f.Type, want)
		}
		libs, _ = f.ImportedLibraries()
		for _, l := range libs {
			// libresolv: the net package's DNS resolver, without cgo.
			if l != "/usr/lib/libSystem.B.dylib" && l != "/usr/lib/libresolv.9.dylib" && !strings.HasPrefix(l, "/System/Library/Frameworks/") {
				t.Errorf("needs %s, which macOS does not provide", l)
			}
		}
	case "windows":
		f, err := pe.NewFile(r)
		if err != nil {
			t.Fatalf("not PE: %v", err)
		}
		want := map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64}[tg.goarch]
		if f.Machine != want {
			t.Errorf("PE machine %#x, want %#x", f.Machine, want)
		}
		// debug/pe's ImportedLibraries is not implemented (it returns
		// nothing); ImportedSymbols gives "symbol:DLL" for every import.
		syms, err := f.ImportedSymbols()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range syms {
			if _, dll, ok := strings.Cut(s, ":"); ok && !slices.Contains(libs, strings.ToLower(dll)) {
				libs = append(libs, strings.ToLower(dll))
			}
		}
		if len(libs) == 0 {
			t.Errorf("imports nothing: the import table was not read")
		}
		for _, l := range libs {
			if !slices.Contains(windowsSystemDLLs, l) {
				t.Errorf("needs %s, which is not a Windows system DLL", l)
			}
		}
	}
	t.Logf("%d bytes, loads %v", len(bin), libs)
}

// windowsSystemDLLs are the DLLs that every Windows has in System32 and
// that Go's runtime and syscall packages import.
var windowsSystemDLLs = []string{"kernel32.dll", "ntdll.dll", "advapi32.dll", "ws2_32.dll", "winmm.dll", "bcryptprimitives.dll", "userenv.dll", "iphlpapi.dll", "dnsapi.dll", "netapi32.dll", "secur32.dll", "crypt32.dll", "shell32.dll", "mswsock.dll", "powrprof.dll"}
