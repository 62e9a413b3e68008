package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/systeminfo"
	"github.com/chromedp/chromedp"
	"github.com/exifscrub/exifscrub"
)

// waitController waits until the service worker controls the page.
func waitController(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!navigator.serviceWorker.controller`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the service worker never took control of the page: %v", err)
	}
}

// cacheNames is the page's Cache Storage.
func cacheNames(t *testing.T, ctx context.Context) []string {
	t.Helper()
	names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`caches.keys()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// buildVersion is what build.sh wrote into js/version.js.
func buildVersion(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("js", "version.js"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`EXIFSCRUB_BUILD = "([0-9a-f]{16})"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("js/version.js holds no version: %s", b)
	}
	return string(m[1])
}

// TestPWA checks that the page is an installable app that works offline:
// Chromium parses its manifest with every field the issue names, icons
// of the sizes they claim; the service worker installs and caches the page
// under the build's version; with the network gone (emulated, and the
// server refusing everything) the page reloads from the cache and cleans a
// photo; and a new build replaces the old cache.
func TestPWA(t *testing.T) {
	tmp := t.TempDir()
	buildWasm(t)
	srv := newPageServer(t)
	ctx, _ := newBrowser(t, tmp, srv)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/index.html"), chromedp.WaitVisible(chromedp.ID("files"))); err != nil {
		t.Fatal(err)
	}
	checkManifest(t, ctx, srv.URL+"/")

	waitController(t, ctx)
	version := buildVersion(t)
	if got, want := cacheNames(t, ctx), []string{"exifscrub-" + version}; !slices.Equal(got, want) {
		t.Errorf("caches %q, want %q", got, want)
	}

	// Offline: the browser's network emulated away, for the page and its
	// service worker, and the server refusing whatever still came.
	srv.setOffline(true)
	offline := true
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &offline,
		MatchedNetworkConditions:    []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		t.Fatal(err)
	}
	photo, _ := filepath.Abs(filepath.Join("..", "testdata", "jpg__Kodak_CX7530.jpg"))
	dl := watchDownloads(t, ctx, filepath.Join(tmp, "downloads"))
	err := chromedp.Do(ctx,
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.ID("files")),
		chromedp.SetUploadFiles(chromedp.ID("files"), []string{photo}),
	)
	if err != nil {
		t.Fatalf("reloading offline: %v", err)
	}
	onLine, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`navigator.onLine`))
	cards := waitCards(t, ctx, 1, time.Minute)
	if cards[0].State != "clean" || cards[0].Download != "photo-1.jpg" {
		t.Fatalf("offline: %+v", cards[0])
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a.download`))); err != nil {
		t.Fatal(err)
	}
	if got, want := dl.wait(t, "photo-1.jpg"), goScrub(t, photo).clean; !bytes.Equal(got, want) {
		t.Errorf("offline: the clean photo (%d bytes) differs from Scrub's (%d bytes)", len(got), len(want))
	}
	srv.mu.Lock()
	hits := slices.Clone(srv.offlineHits)
	srv.mu.Unlock()
	if len(hits) > 0 {
		t.Errorf("offline, the page still asked the network for %q", hits)
	}
	t.Logf("offline (navigator.onLine %v): reloaded from the cache and cleaned %s", onLine, short(photo))

	// A new build: a new version.js makes the browser install the new
	// worker, which replaces the cache.
	srv.setOffline(false)
	online := false
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &online,
		MatchedNetworkConditions:    []*network.Conditions{},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	srv.extra["/version.js"] = []byte(`self.EXIFSCRUB_BUILD = "next-build";`)
	srv.mu.Unlock()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`navigator.serviceWorker.getRegistration().then((r) => r.update()).then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	want := []string{"exifscrub-next-build"}
	deadline := time.Now().Add(30 * time.Second)
	for got := cacheNames(t, ctx); !slices.Equal(got, want); got = cacheNames(t, ctx) {
		if time.Now().After(deadline) {
			srv.mu.Lock()
			t.Logf("requests: %q", srv.requests)
			srv.mu.Unlock()
			t.Fatalf("after a new build the caches are %q, want %q", got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkManifest checks the manifest as Chromium parsed it, and its icons.
func checkManifest(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	m, err := chromedp.Call(ctx, page.GetAppManifest, page.GetAppManifestParams{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range m.Errors {
		t.Errorf("manifest: line %d: %s", e.Line, e.Message)
	}
	// As Chromium parsed it (its protocol names some values its own way:
	// "kStandalone", colours as rgba()).
	p := m.Manifest
	if p == nil {
		t.Fatalf("no manifest (%s)", m.URL)
	}
	for _, c := range []struct{ field, got, want string }{
		{"name", p.Name, "exifscrub — clean photos and videos before you send them"},
		{"display", strings.ToLower(strings.TrimPrefix(p.Display, "k")), "standalone"},
		{"start_url", p.StartURL, base},
		{"scope", p.Scope, base},
		{"theme_color", p.ThemeColor, "rgba(11,87,208,1)"},
	} {
		if c.got != c.want {
			t.Errorf("manifest %s: %q, want %q", c.field, c.got, c.want)
		}
	}
	if p.BackgroundColor == "" || p.ShareTarget == nil || p.ShareTarget.Action != base+"share-target" {
		t.Errorf("manifest: background %q, share target %+v", p.BackgroundColor, p.ShareTarget)
	}
	// As written (the protocol's share target leaves out the files).
	var raw struct {
		ShortName   string `json:"short_name"`
		ShareTarget struct {
			Action, Method, Enctype string
			Params                  struct {
				Files []struct {
					Name   string
					Accept []string
				}
			}
		} `json:"share_target"`
		Icons []struct{ Src, Sizes, Type, Purpose string }
	}
	if err := json.Unmarshal([]byte(m.Data), &raw); err != nil {
		t.Fatal(err)
	}
	st := raw.ShareTarget
	if raw.ShortName != "exifscrub" || st.Method != "POST" || st.Enctype != "multipart/form-data" || len(st.Params.Files) != 1 || st.Params.Files[0].Name != "media" {
		t.Fatalf("manifest: short_name %q, share_target %+v", raw.ShortName, st)
	}
	for _, typ := range []string{"image/*", "video/*", "image/heic", "image/heif"} {
		if !slices.Contains(st.Params.Files[0].Accept, typ) {
			t.Errorf("share_target accepts %q, not %s", st.Params.Files[0].Accept, typ)
		}
	}

	// Icons: the sizes Android (192, 512, maskable 512) and iOS (180)
	// ask for, each a PNG of the size it claims.
	have := map[string]bool{}
	for _, ic := range raw.Icons {
		if ic.Type != "image/png" {
			continue
		}
		have[ic.Sizes+" "+ic.Purpose] = true
		f, err := os.Open(filepath.Join("js", ic.Src))
		if err != nil {
			t.Error(err)
			continue
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || fmt.Sprintf("%dx%d", cfg.Width, cfg.Height) != ic.Sizes {
			t.Errorf("icon %s: %dx%d (%v), manifest says %s", ic.Src, cfg.Width, cfg.Height, err, ic.Sizes)
		}
	}
	for _, want := range []string{"192x192 any", "512x512 any", "512x512 maskable", "180x180 any"} {
		if !have[want] {
			t.Errorf("manifest: no %s PNG icon (have %v)", want, have)
		}
	}
}

// stubShare replaces navigator.share and canShare in every page: the
// stub records each shared file's name, type, size and SHA-256 in
// window.__sent.
const stubShare = `window.__sent = [];
Object.defineProperty(Navigator.prototype, "canShare", { configurable: true,
  value: function (d) { return !!(d && d.files && d.files.length); } });
Object.defineProperty(Navigator.prototype, "share", { configurable: true,
  value: async function (d) {
    for (const f of d.files) {
      const h = new Uint8Array(await crypto.subtle.digest("SHA-256", await f.arrayBuffer()));
      window.__sent.push({ name: f.name, type: f.type, size: f.size, sha256: [...h].map((b) => b.toString(16).padStart(2, "0")).join("") });
    }
  } });`

type sentFile struct {
	Name, Type, Sha256 string
	Size               int
}

// TestShareTarget sends files to the app as Android's share sheet does,
// a multipart/form-data POST to the share target's action, and checks
// that the service worker takes it (the server never sees it), the page
// cleans the files at once and offers them under neutral names, and
// "Send all" hands the clean copies to navigator.share (stubbed).
func TestShareTarget(t *testing.T) {
	tmp := t.TempDir()
	buildWasm(t)
	srv := newPageServer(t)
	ctx, requests := newBrowser(t, tmp, srv)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: stubShare}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/index.html"), chromedp.WaitVisible(chromedp.ID("files"))); err != nil {
		t.Fatal(err)
	}
	waitController(t, ctx)

	// The files: a photo with a position, a video, and a photo whose name
	// tells when it was taken.
	named := filepath.Join(tmp, "IMG_20240601_211403.jpg")
	b, err := os.ReadFile(filepath.Join("..", "testdata", "pillow__exif_gps.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, named, b)
	files := []string{filepath.Join("..", "testdata", "jpg__Kodak_CX7530.jpg"), filepath.Join("..", "testdata", "video__keys_tmcd_rot90.mov"), named}
	for i, f := range files {
		files[i], _ = filepath.Abs(f)
	}
	wantNames := []string{"photo-1.jpg", "video-1.mov", "photo-2.jpg"}

	// Android's POST: multipart/form-data with the files under the name
	// the manifest gives, each with its file name and type. A form in a
	// page of the app's scope sends just that, through the service worker.
	srv.mu.Lock()
	srv.extra["/share-test.html"] = []byte(`<!doctype html><form id="f" method="post" enctype="multipart/form-data" action="share-target">
<input type="file" name="media" id="media" multiple></form>`)
	srv.mu.Unlock()
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/share-test.html"),
		chromedp.SetUploadFiles(chromedp.ID("media"), files),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("f").submit(), true`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // the navigation starts
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`location.pathname === "/" && !!document.getElementById("results")`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the share did not land on the page: %v", err)
	}
	cards := waitCards(t, ctx, len(files), time.Minute)
	srv.mu.Lock()
	for _, r := range srv.requests {
		if strings.Contains(r, "share-target") {
			t.Errorf("the share reached the server (%s): the service worker must take it", r)
		}
	}
	srv.mu.Unlock()
	if u, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`)); u != srv.URL+"/" {
		t.Errorf("after the share the address is %s, want %s/ (no token left to reload)", u, srv.URL)
	}

	dl := watchDownloads(t, ctx, filepath.Join(tmp, "downloads"))
	want := make([][]byte, len(files))
	for i, f := range files {
		c := cards[i]
		if c.State != "clean" || c.Download != wantNames[i] {
			t.Errorf("%s: %s %q, offered as %q, want clean as %s", short(f), c.State, c.Status, c.Download, wantNames[i])
			continue
		}
		want[i] = goScrub(t, f).clean
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`article.file:nth-of-type(%d) a.download`, i+1)))); err != nil {
			t.Fatal(err)
		}
		if got := dl.wait(t, c.Download); !bytes.Equal(got, want[i]) {
			t.Errorf("%s: the download differs from Scrub's output", short(f))
		}
	}
	if note := cards[2].NameNote; !strings.Contains(note, "1 June 2024, 21:14") || !strings.Contains(note, "photo-2.jpg") {
		t.Errorf("the card of %s does not say that its name tells the time: %q", short(named), note)
	}
	if cards[0].NameNote != "" {
		t.Errorf("the card of %s says its name tells the time: %q", short(files[0]), cards[0].NameNote)
	}

	// Share out: "Send all" with the stubbed navigator.share.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("send-all")), chromedp.Click(chromedp.ID("send-all"))); err != nil {
		t.Fatal(err)
	}
	sent, err := chromedp.Run(ctx, chromedp.Poll[[]sentFile](`window.__sent.length === 3 && window.__sent`, chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatalf("navigator.share was not called with the files: %v", err)
	}
	for i, s := range sent {
		sum := sha256.Sum256(want[i])
		if s.Name != wantNames[i] || s.Sha256 != hex.EncodeToString(sum[:]) || s.Size != len(want[i]) {
			t.Errorf("shared file %d: %s (%s, %d bytes, %.8s…), want %s with Scrub's bytes", i, s.Name, s.Type, s.Size, s.Sha256, wantNames[i])
		}
	}
	if sent[1].Type != "video/quicktime" || sent[0].Type != "image/jpeg" {
		t.Errorf("shared types %q, %q", sent[0].Type, sent[1].Type)
	}
	checkOrigin(t, srv, requests())
}

// bigVideo writes a video of about size bytes: a sample from testdata
// with random bytes added at the end of its 'mdat', which moves no chunk
// offset whether the 'moov' comes before the media or after it.
func bigVideo(t *testing.T, dst string, size int) {
	t.Helper()
	in, err := os.ReadFile(filepath.Join("..", "testdata", "video__keys_tmcd_rot90.mov"))
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off+8 <= len(in); {
		n := int(binary.BigEndian.Uint32(in[off:]))
		if n < 8 || off+n > len(in) {
			t.Fatalf("box at %d: size %d", off, n)
		}
		if string(in[off+4:off+8]) == "mdat" {
			pad := make([]byte, size-len(in))
			rand.Read(pad)
			out := slices.Concat(in[:off+n], pad, in[off+n:])
			binary.BigEndian.PutUint32(out[off:], uint32(n+len(pad)))
			mustWrite(t, dst, out)
			return
		}
		off += n
	}
	t.Fatal("the sample has no mdat")
}

// rendererMemory is the resident memory, now and at its peak (VmRSS,
// VmHWM), in bytes, of the browser's renderer processes, which run the
// pages and their workers: the largest of each.
func rendererMemory(t *testing.T, ctx context.Context) (rss, peak int64) {
	t.Helper()
	info, err := chromedp.CallBrowser(ctx, systeminfo.GetProcessInfo, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range info.ProcessInfo {
		if p.Type != "renderer" {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.ID))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			switch f[0] {
			case "VmRSS:":
				rss = max(rss, kb<<10)
			case "VmHWM:":
				peak = max(peak, kb<<10)
			}
		}
	}
	if peak == 0 {
		t.Skip("no renderer process found in /proc")
	}
	return rss, peak
}

// videoMemoryBound is how far the renderer's peak memory may rise above
// what it held with the page loaded and the module running, while a
// 100 MB video is cleaned. Reading the video whole would take the file
// and the module's copy of it, 200 MB, before any output; the first
// version of the slices, which handed the module a new Uint8Array per
// read and kept the output in a Blob, rose by 285 MB. Now the output goes
// to a file (worker.js's fileSink) and the rise, about 85 MB on the
// machine of docs/web-bench.md, is FileReaderSync's ArrayBuffers waiting
// for the garbage collector: it grows with the file (about 190 MB for
// 800 MB read), though more slowly than the file does. How soon the
// collector runs depends on the machine's load (134 MB was seen on a busy
// 2-core machine), so the bound sits between that and the old 285 MB.
const videoMemoryBound = 200 << 20

// TestLargeVideo cleans a 100 MB video through the page: the card shows
// progress, the download equals Scrub's bytes, and the tab's memory stays
// within videoMemoryBound of where it started.
func TestLargeVideo(t *testing.T) {
	tmp := t.TempDir()
	buildWasm(t)
	srv := newPageServer(t)
	ctx, _ := newBrowser(t, tmp, srv)
	video := filepath.Join(tmp, "VID_20240601_211403.mov")
	bigVideo(t, video, 100<<20)
	var want bytes.Buffer
	in, _ := os.ReadFile(video)
	if _, err := exifscrub.Scrub(&want, bytes.NewReader(in), nil); err != nil {
		t.Fatal(err)
	}
	in = nil
	photo, _ := filepath.Abs(filepath.Join("..", "testdata", "jpg__Kodak_CX7530.jpg"))

	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/index.html"),
		chromedp.WaitVisible(chromedp.ID("files")),
		chromedp.SetUploadFiles(chromedp.ID("files"), []string{photo}),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitCards(t, ctx, 1, time.Minute)
	base, basePeak := rendererMemory(t, ctx)

	// Watch the card's progress as the page reports it.
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`window.progressSeen = [];
		new MutationObserver(() => { for (const p of document.querySelectorAll("article.file progress")) progressSeen.push(p.value); })
		  .observe(document.getElementById("results"), { subtree: true, attributes: true, childList: true, characterData: true }); true`))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("files"), []string{video})); err != nil {
		t.Fatal(err)
	}
	cards := waitCards(t, ctx, 2, 3*time.Minute)
	took := time.Since(start)
	_, peak := rendererMemory(t, ctx)
	c := cards[1]
	if c.State != "clean" || c.Download != "video-1.mov" {
		t.Fatalf("100 MB video: %s %q as %q", c.State, c.Status, c.Download)
	}
	if !strings.Contains(c.NameNote, "1 June 2024, 21:14") {
		t.Errorf("the card does not say that the name tells the time: %q", c.NameNote)
	}
	progress, _ := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`progressSeen`))
	steps := 0
	for i, p := range progress {
		if p > 0 && p < 100 && (i == 0 || p != progress[i-1]) {
			steps++
		}
	}
	if steps < 3 {
		t.Errorf("the card showed progress %v: want several steps between 0 and 100", progress)
	}
	rise := peak - base
	t.Logf("100 MB video cleaned in %v; renderer memory: %d MB with the page loaded (peak %d MB), peak %d MB while cleaning: +%d MB (bound %d MB); progress in %d steps",
		took.Round(time.Millisecond), base>>20, basePeak>>20, peak>>20, rise>>20, videoMemoryBound>>20, steps)
	if rise > videoMemoryBound {
		t.Errorf("cleaning a 100 MB video raised the tab's memory by %d MB, more than %d MB", rise>>20, videoMemoryBound>>20)
	}

	dl := watchDownloads(t, ctx, filepath.Join(tmp, "downloads"))
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`article.file:nth-of-type(2) a.download`))); err != nil {
		t.Fatal(err)
	}
	if got := dl.wait(t, "video-1.mov"); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("the clean video (%d bytes) differs from Scrub's (%d bytes)", len(got), want.Len())
	}
}
