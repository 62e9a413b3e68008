package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/exifscrub/exifscrub"
)

// buildWasm runs build.sh: the module and wasm_exec.js into js/.
func buildWasm(t testing.TB) {
	t.Helper()
	if out, err := exec.Command("sh", "build.sh").CombinedOutput(); err != nil {
		t.Fatalf("build.sh: %v\n%s", err, out)
	}
}

// A pageServer serves the js/ folder, as any static file server would. It
// is also the browser's proxy for every request, its own included
// (newBrowser), so it sees every request of the page, its worker and the
// browser: those for any other host are recorded in offsite and refused.
type pageServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
	offsite  []string
	extra    map[string][]byte // test-only files, by path
	// While offline is set, the server refuses every request, as if the
	// network were gone, and counts them in offlineHits.
	offline     bool
	offlineHits []string
}

// setOffline makes the server refuse every request, or serve again.
func (s *pageServer) setOffline(off bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offline = off
}

func newPageServer(t testing.TB) *pageServer {
	s := &pageServer{extra: map[string][]byte{}}
	files := http.FileServer(http.Dir("js"))
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if r.Method == http.MethodConnect || r.Host != strings.TrimPrefix(s.URL, "http://") {
			s.offsite = append(s.offsite, r.Method+" "+r.RequestURI)
			s.mu.Unlock()
			http.Error(w, "offline", http.StatusForbidden)
			return
		}
		if s.offline {
			s.offlineHits = append(s.offlineHits, r.Method+" "+r.URL.Path)
			s.mu.Unlock()
			http.Error(w, "offline", http.StatusServiceUnavailable)
			return
		}
		s.requests = append(s.requests, r.Method+" "+r.URL.Path)
		b, ok := s.extra[r.URL.Path]
		s.mu.Unlock()
		if ok {
			// A service worker refuses a script that is not served as one.
			if t := mime.TypeByExtension(path.Ext(r.URL.Path)); t != "" {
				w.Header().Set("Content-Type", t)
			}
			w.Write(b)
			return
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// newBrowser starts Debian's chromium, headless, with a fresh profile and
// downloads allowed into dir. It records the URL of every request a page
// or its worker makes.
func newBrowser(t *testing.T, dir string, proxy *pageServer) (ctx context.Context, requests func() []string) {
	t.Helper()
	exe := need(t, "chromium", "chromium-browser", "google-chrome")
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Chromium's own services, which would otherwise reach Google's
		// servers while the test runs (the proxy would count them).
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.Flag("disable-field-trial-config", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("disable-features", "OptimizationHints,OptimizationHintsFetching,OptimizationGuideModelDownloading,"+
			"OptimizationTargetPrediction,AutofillServerCommunication,MediaRouter,Translate,DialMediaRouteProvider,"+
			"CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions,SignInProfileCreation,AccountConsistency"),
		chromedp.WindowSize(1000, 1000),
		chromedp.ProxyServer(proxy.URL),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"), // the proxy sees requests to 127.0.0.1 too
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancel2)
	var mu sync.Mutex
	var urls []string
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			mu.Lock()
			urls = append(urls, ev.Request.URL)
			mu.Unlock()
		case *runtime.EventExceptionThrown:
			t.Logf("page: exception: %s", ev.ExceptionDetails.Text+" "+exceptionDescription(ev.ExceptionDetails))
		case *runtime.EventConsoleAPICalled:
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			t.Logf("page: console.%s: %s", ev.Type, strings.Join(args, " "))
		case *log.EventEntryAdded:
			t.Logf("page: %s: %s %s", ev.Entry.Level, ev.Entry.Text, ev.Entry.URL)
		}
	})
	if err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(urls)
	}
}

// downloads collects the files the browser downloads into dir, by the
// name the page gave them.
type downloads struct {
	mu    sync.Mutex
	names map[string]string // guid -> suggested name
	done  map[string]string // suggested name -> path, when complete
	dir   string
}

func watchDownloads(t *testing.T, ctx context.Context, dir string) *downloads {
	d := &downloads{names: map[string]string{}, done: map[string]string{}, dir: dir}
	err := chromedp.ListenBrowser(ctx, func(ev any) {
		d.mu.Lock()
		defer d.mu.Unlock()
		switch ev := ev.(type) {
		case *browser.EventDownloadWillBegin:
			d.names[ev.GUID] = ev.SuggestedFilename
		case *browser.EventDownloadProgress:
			if ev.State == browser.DownloadProgressStateCompleted {
				d.done[d.names[ev.GUID]] = filepath.Join(dir, ev.GUID)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	events := true
	_, err = chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// forget forgets a download, so that the next one of that name is waited for.
func (d *downloads) forget(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.done, name)
}

// wait returns the downloaded file named name.
func (d *downloads) wait(t *testing.T, name string) []byte {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		d.mu.Lock()
		p, ok := d.done[name]
		d.mu.Unlock()
		if ok {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	t.Fatalf("download %q did not complete; began %d: %q, completed %d", name, len(d.names), d.names, len(d.done))
	return nil
}

// A card is what the page shows for one file.
type card struct {
	Name     string
	State    string // "clean", "error", or "" while busy
	Status   string
	Reveals  map[string]string // category -> the summary shown
	Findings [][4]string       // the table: what, where, name, value
	Download string            // the clean file's name
	Map      bool
	Damaged  bool   // the card says the file is damaged
	NameNote string // what the card says of a name that tells the time
}

const readCards = `[...document.querySelectorAll("article.file")].map((a) => ({
	Name: a.querySelector("h2").textContent,
	State: a.dataset.state || "",
	Status: a.querySelector(".status").textContent,
	Reveals: Object.fromEntries([...a.querySelectorAll("dd[data-category]")].map((d) => [d.dataset.category, d.textContent])),
	Findings: [...a.querySelectorAll("tr.finding")].map((tr) => [...tr.cells].map((c) => c.textContent)),
	Damaged: !!a.dataset.damaged,
	NameNote: (a.querySelector(".name-note") || {}).textContent || "",
	Download: (a.querySelector("a.download") || {}).download || "",
	Map: !!a.querySelector("svg.map circle"),
}))`

// waitCards waits until the page has finished with n files.
func waitCards(t *testing.T, ctx context.Context, n int, timeout time.Duration) []card {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		cards, err := chromedp.Run(ctx, chromedp.Evaluate[[]card](readCards))
		if err != nil {
			t.Fatal(err)
		}
		finished := 0
		for _, c := range cards {
			if c.State != "" {
				finished++
			}
		}
		if len(cards) == n && finished == n {
			return cards
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v the page has finished %d of %d files", timeout, finished, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var categoryLabels = map[exifscrub.Category]string{
	exifscrub.Location: "Position", exifscrub.Time: "Time", exifscrub.Device: "Device", exifscrub.Identity: "Names",
	exifscrub.Text: "Text", exifscrub.Embedded: "Hidden images and data", exifscrub.Other: "Other details",
}

// TestPage drives the offline page in Chromium: every sample and corpus
// file, plus bad input, through the file input; each clean download must
// equal exifscrub.Scrub's output, each card must show Scan's findings,
// the zip must hold every clean file, and no request may leave the page's
// origin.
func TestPage(t *testing.T) {
	tmp := t.TempDir()
	buildWasm(t)
	srv := newPageServer(t)
	ctx, requests := newBrowser(t, tmp, srv)

	// One file per name (the samples in testdata are copies of corpus
	// files), then the bad ones: the page knows files by name only.
	var files []string
	seen := map[string]bool{}
	for _, f := range inputFiles(t) {
		if !seen[short(f)] {
			seen[short(f)] = true
			files = append(files, f)
		}
	}
	files = append(files, badFiles(t, tmp)...)
	huge := filepath.Join(tmp, "huge.jpg") // 300 MB, sparse: the page refuses it by its size
	if err := os.WriteFile(huge, []byte{0xff, 0xd8, 0xff}, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 300<<20); err != nil {
		t.Fatal(err)
	}
	files = append(files, huge)
	n := len(files)

	dl := watchDownloads(t, ctx, filepath.Join(tmp, "downloads"))
	start := time.Now()
	// Chromium lets a page start ten downloads or so; a fresh page each
	// batch of files keeps it from refusing the rest.
	for len(files) > 0 {
		batch := files[:min(batchSize, len(files))]
		files = files[len(batch):]
		pageBatch(t, ctx, srv, dl, batch, huge)
	}
	t.Logf("the page cleaned and downloaded %d files in %v", n, time.Since(start).Round(time.Millisecond))
	checkOrigin(t, srv, requests())
}

// batchSize is how many files TestPage gives the page at once.
const batchSize = 8

// pageBatch loads the page, gives it the files through the file input,
// checks what it shows and downloads each clean file and the zip.
func pageBatch(t *testing.T, ctx context.Context, srv *pageServer, dl *downloads, files []string, huge string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/index.html"),
		chromedp.WaitVisible(chromedp.ID("files")),
		chromedp.SetUploadFiles(chromedp.ID("files"), files),
	)
	if err != nil {
		t.Fatal(err)
	}
	cards := waitCards(t, ctx, len(files), time.Minute)

	var wantZip [][]byte
	for i, f := range files {
		c := cards[i]
		name := short(f)
		if c.Name != name {
			t.Fatalf("card %d is %q, want %q", i, c.Name, name)
		}
		if f == huge {
			if c.State != "error" || !strings.Contains(c.Status, "too large") {
				t.Errorf("%s: %s %q, want a message that it is too large", name, c.State, c.Status)
			}
			continue
		}
		g := goScrub(t, f)
		if g.err != nil {
			if c.State != "error" {
				t.Errorf("%s: the page says %q where Go fails with %v", name, c.Status, g.err)
				continue
			}
			var want string
			switch fi, _ := os.Stat(f); {
			case fi.Size() == 0:
				want = "empty"
			case errors.Is(g.err, exifscrub.ErrUnsupportedFormat):
				want = "not a photo"
			default:
				want = describe(g.err)
			}
			if !strings.Contains(c.Status, want) {
				t.Errorf("%s: the page says %q, want it to say %q", name, c.Status, want)
			}
			continue
		}
		if c.State != "clean" {
			t.Errorf("%s: the page says %q where Go cleans it", name, c.Status)
			continue
		}
		checkShown(t, name, c, g.scrubRep)
		if c.Damaged != g.scrubRep.Damaged {
			t.Errorf("%s: the card says damaged %v, Scrub's report %v", name, c.Damaged, g.scrubRep.Damaged)
		}
		if !neutralName.MatchString(c.Download) {
			t.Errorf("%s: offered as %q, not a neutral name", name, c.Download)
		}
		dl.forget(c.Download) // each page names its copies from photo-1 on
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`article.file:nth-of-type(%d) a.download`, i+1)))); err != nil {
			t.Fatal(err)
		}
		if got := dl.wait(t, c.Download); !bytes.Equal(got, g.clean) {
			t.Errorf("%s: the downloaded clean file (%d bytes) differs from exifscrub.Scrub's output (%d bytes)", name, len(got), len(g.clean))
		}
		wantZip = append(wantZip, g.clean)
	}
	if len(wantZip) < 2 {
		return // the page offers a zip for two files or more
	}
	dl.forget("clean-files.zip")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("zip"))); err != nil {
		t.Fatal(err)
	}
	z := dl.wait(t, "clean-files.zip")
	zipPath := filepath.Join(t.TempDir(), "all.zip")
	mustWrite(t, zipPath, z)
	checkZip(t, zipPath, wantZip)
}

// neutralName is the form of the names the page gives clean copies.
var neutralName = regexp.MustCompile(`^(photo|video)-[0-9]+\.(jpg|jpeg|mpo|png|heic|heif|hif|avif|webp|mov|qt|mp4|m4v|3gp|3g2)$`)

// checkShown checks that the card lists every finding Scrub reports
// removed, in order, and says in plain words where, when and on what the
// file was taken.
func checkShown(t *testing.T, name string, c card, rep *exifscrub.Report) {
	t.Helper()
	if len(c.Findings) != len(rep.Findings) {
		t.Errorf("%s: the page lists %d findings, Scan %d", name, len(c.Findings), len(rep.Findings))
		return
	}
	for i, f := range rep.Findings {
		value := f.Value
		if f.More > 0 {
			value += fmt.Sprintf(" (and %d more like it)", f.More)
		}
		want := [4]string{categoryLabels[f.Category], f.Container, f.Tag, value}
		if c.Findings[i] != want {
			t.Errorf("%s: finding %d shown as %q, want %q", name, i, c.Findings[i], want)
		}
	}
	if lat, lon, ok := rep.Location(); ok {
		want := fmt.Sprintf("(%.5f, %.5f)", lat, lon)
		if !strings.Contains(c.Reveals["location"], want) || !c.Map {
			t.Errorf("%s: position shown as %q (map %v), want %s and a map", name, c.Reveals["location"], c.Map, want)
		}
	}
	for _, cat := range []exifscrub.Category{exifscrub.Time, exifscrub.Device, exifscrub.Identity} {
		if rep.Has(cat) && c.Reveals[string(cat)] == "" {
			t.Errorf("%s: the page does not summarise the %s findings", name, cat)
		}
	}
}

// checkOrigin fails the test if any request went anywhere but the page's
// server: as the browser's proxy, the server saw them all; the page's own
// network events must agree.
func checkOrigin(t *testing.T, srv *pageServer, urls []string) {
	t.Helper()
	for _, u := range urls {
		if !strings.HasPrefix(u, srv.URL+"/") && !strings.HasPrefix(u, "blob:"+srv.URL+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page requested %s, outside its origin", u)
		}
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for _, r := range srv.offsite {
		if chromiumOwn(r) {
			t.Logf("Chromium's own request (not the page's), refused: %s", r)
			continue
		}
		t.Errorf("a request left the page's origin: %s", r)
	}
	if !slices.Contains(srv.requests, "GET /exifscrub.wasm") {
		t.Errorf("the worker's request for the module did not reach the proxy, so requests are not all watched: %q", srv.requests)
	}
	t.Logf("%d requests, all to %s: %s", len(srv.requests), srv.URL, strings.Join(srv.requests, " "))
}

// chromiumOwn reports whether a request the proxy saw is one of those that
// Chromium itself makes to Google's services whatever the flags (signing
// in, updates), rather than the page's: the page's own are checked through
// its network events as well, and the page has no code that names a host.
func chromiumOwn(r string) bool {
	_, u, _ := strings.Cut(r, " ")
	host := strings.TrimPrefix(u, "http://")
	host, _, _ = strings.Cut(host, "/")
	host, _, _ = strings.Cut(host, ":")
	for _, h := range []string{".google.com", ".googleapis.com", ".gvt1.com"} {
		if strings.HasSuffix(host, h) {
			return true
		}
	}
	return false
}

func exceptionDescription(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}
