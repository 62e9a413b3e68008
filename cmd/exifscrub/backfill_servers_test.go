package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/fsouza/fake-gcs-server/fakestorage"
)

// The GCS and Azure servers of the backfill tests, real servers on
// 127.0.0.1 reached through gocloud's gcsblob and azureblob drivers and
// the Google and Azure SDKs: fake-gcs-server (a Go module, a test
// dependency of this one) run in the test, and Azurite (npm), run as a
// process. Without one, a test skips, or under CI fails.

// needServer skips the test for want of a store's server, or fails it
// under CI, which installs them.
func needServer(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// needStore skips the test unless the command is built with the store's
// build tag (gcs, azblob: see backfill_store.go); .ci/run runs the
// backfill tests a second time with both.
func needStore(t testing.TB, tag string) {
	t.Helper()
	for _, h := range linkedStores {
		if h.name == tag {
			return
		}
	}
	t.Skipf("the %s store is linked only with -tags %s (go test -tags gcs,azblob)", tag, tag)
}

// buildTags are the tags of the linked stores, for building the command
// as this test binary was built.
func buildTags() string {
	var tags []string
	for _, h := range linkedStores {
		tags = append(tags, h.name)
	}
	return strings.Join(tags, ",")
}

// startGCS starts fake-gcs-server on a 127.0.0.1 listener with the
// buckets named, and points the GCS client at it (STORAGE_EMULATOR_HOST,
// which gcsblob reads at each OpenBucket): the buckets are gs://NAME.
func startGCS(t testing.TB, buckets ...string) {
	t.Helper()
	needStore(t, "gcs")
	// PublicHost: the Go client reads objects with the XML API,
	// http://HOST/BUCKET/KEY, which the server takes as that only when
	// HOST is its public host (else as a bucket named after the host).
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1", PublicHost: "127.0.0.1"})
	if err != nil {
		needServer(t, "no GCS server (fake-gcs-server): %v", err)
	}
	t.Cleanup(srv.Stop)
	for _, b := range buckets {
		srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: b})
	}
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("STORAGE_EMULATOR_HOST", u.Host)
}

// azuriteVersion is the Azurite that .ci/run installs (its last release
// that runs on Debian's Node 20: 3.36 wants Node 21), and names the
// directory it installs it in.
const azuriteVersion = "3.35.0"

// azuriteBlob finds Azurite's blob server: $EXIFSCRUB_AZURITE, else
// azurite-blob on the PATH, else where .ci/run installs it, under the
// user's cache directory.
func azuriteBlob() (string, error) {
	if p := os.Getenv("EXIFSCRUB_AZURITE"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("azurite-blob"); err == nil {
		return p, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(cache, "exifscrub", "azurite-"+azuriteVersion, "node_modules", ".bin", "azurite-blob")
	if _, err := os.Stat(p); err != nil {
		return "", errors.New("Azurite is not installed: npm install --prefix " + filepath.Dir(filepath.Dir(filepath.Dir(p))) + " azurite@" + azuriteVersion + " (as .ci/run does), or set EXIFSCRUB_AZURITE")
	}
	return p, nil
}

// Azurite's well-known account and key (they are in its documentation and
// every emulator's: not a secret).
const (
	azuriteAccount = "devstoreaccount1"
	azuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

var azuriteListening = regexp.MustCompile(`successfully listens on (http://127\.0\.0\.1:\d+)`)

// startAzurite starts Azurite's blob server on a 127.0.0.1 port of its
// choosing, in memory, with the containers named, and returns the query
// that points azureblob at it (localemu, domain, protocol): the
// containers are azblob://NAME?QUERY. The account and key go in the
// AZURE_STORAGE_* variables, as azureblob reads them.
func startAzurite(t testing.TB, containers ...string) (query string) {
	t.Helper()
	needStore(t, "azblob")
	bin, err := azuriteBlob()
	if err != nil {
		needServer(t, "no Azure server: %v", err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		needServer(t, "no Azure server: Azurite needs Node, and node is not on the PATH")
	}
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", "0", "--inMemoryPersistence",
		"--extentMemoryLimit", "512", "--disableTelemetry", "--skipApiVersionCheck", "--silent")
	cmd.Dir = t.TempDir()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		needServer(t, "no Azure server: %s: %v", bin, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	found := make(chan string, 1)
	var said []string
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := azuriteListening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
			said = append(said, sc.Text())
		}
		close(found)
		io.Copy(io.Discard, out) // what it says later, until it ends
	}()
	var endpoint string
	select {
	case endpoint = <-found:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-found
	}
	if endpoint == "" {
		needServer(t, "Azurite did not start: %q", said)
	}
	t.Setenv("AZURE_STORAGE_ACCOUNT", azuriteAccount)
	t.Setenv("AZURE_STORAGE_KEY", azuriteKey)
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{}
	q.Set("localemu", "true")
	q.Set("protocol", "http")
	q.Set("domain", u.Host)
	query = q.Encode()
	for _, c := range containers {
		b := openURL(t, "azblob://"+c+"?"+query)
		var cc *container.Client
		if !b.As(&cc) {
			t.Fatal("azureblob: no *container.Client")
		}
		if _, err := cc.Create(context.Background(), nil); err != nil {
			t.Fatalf("creating container %s in Azurite: %v", c, err)
		}
	}
	return query
}
