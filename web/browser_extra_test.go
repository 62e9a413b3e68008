package web

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/exifscrub/exifscrub"
)

// artifactDir is where tests leave files for people to look at:
// $EXIFSCRUB_ARTIFACTS, or a folder in the system's temporary directory.
func artifactDir(t *testing.T) string {
	dir := os.Getenv("EXIFSCRUB_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "exifscrub-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPagePhone uses the page on a phone-sized screen with the keyboard
// alone: after the results, Tab must reach every download link and the
// zip button, each with a visible focus style. It saves a screenshot
// (the README's docs/page.png is one).
func TestPagePhone(t *testing.T) {
	tmp := t.TempDir()
	buildWasm(t)
	srv := newPageServer(t)
	ctx, requests := newBrowser(t, tmp, srv)
	files := []string{filepath.Join("..", "testdata", "jpg__Kodak_CX7530.jpg"), filepath.Join("..", "testdata", "pillow__exif_gps.jpg")}
	files = append(files, filepath.Join(tmp, "notes.txt"))
	mustWrite(t, files[2], []byte("not a photo\n"))
	for i, f := range files {
		files[i], _ = filepath.Abs(f)
	}
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(srv.URL+"/index.html"),
		chromedp.WaitVisible(chromedp.ID("files")),
		chromedp.SetUploadFiles(chromedp.ID("files"), files),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitCards(t, ctx, len(files), time.Minute)

	// Nothing may be wider than the screen.
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if wide > 390 {
		t.Errorf("the page is %d pixels wide on a 390-pixel screen", wide)
	}

	// Keyboard: Tab through the page, noting what gets focus.
	var focused []string
	for range 20 {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
		f, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
			const e = document.activeElement;
			const outline = getComputedStyle(e).outlineStyle;
			return e.tagName.toLowerCase() + "#" + (e.id || e.className) + (outline === "none" ? " (no focus style)" : "");
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		focused = append(focused, f)
	}
	got := strings.Join(focused, " ")
	for _, want := range []string{"input#files", "a#download", "button#zip"} {
		if n := strings.Count(got, want); n == 0 || want == "a#download" && n < 2 {
			t.Errorf("Tab never reached %s (or not every one): %s", want, got)
		}
	}
	if strings.Contains(strings.ReplaceAll(got, "body# (no focus style)", ""), "no focus style") {
		t.Errorf("an element has no visible focus: %s", got)
	}

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(artifactDir(t), "page.png")
	mustWrite(t, p, shot)
	t.Logf("screenshot: %s (%d bytes)", p, len(shot))
	checkOrigin(t, srv, requests())
}

// TestPageLargeAndSpeed checks that the page stays responsive while a
// 50 MB photo is cleaned (the worker does the work), then measures the
// time to scrub a 12-megapixel JPEG and a HEIC in Chromium against
// native Go on the same machine.
func TestPageLargeAndSpeed(t *testing.T) {
	tmp := t.TempDir()
	buildWasm(t)
	srv := newPageServer(t)
	ctx, _ := newBrowser(t, tmp, srv)

	// A photo with 50 MB of data after it, which Scrub reads and drops.
	big := filepath.Join(tmp, "big.jpg")
	photo, err := os.ReadFile(filepath.Join("..", "testdata", "jpg__Kodak_CX7530.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	trailer := make([]byte, 50<<20)
	rand.Read(trailer)
	mustWrite(t, big, append(photo, trailer...))
	err = chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/index.html"), chromedp.WaitVisible(chromedp.ID("files")))
	if err != nil {
		t.Fatal(err)
	}
	_, err = chromedp.Run(ctx, chromedp.Evaluate[int](`window.maxGap = 0; window.last = performance.now();
		setInterval(() => { const now = performance.now(); maxGap = Math.max(maxGap, now - last); last = now; }, 10); 0`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("files"), []string{big})); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cards := waitCards(t, ctx, 1, time.Minute)
	gap, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`maxGap`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("50 MB photo: %s in %v; the page's longest pause was %.0f ms", cards[0].State, time.Since(start).Round(time.Millisecond), gap)
	if cards[0].State != "clean" {
		t.Errorf("50 MB photo: %q", cards[0].Status)
	}
	if gap > 1000 {
		t.Errorf("the page froze for %.0f ms while the photo was cleaned", gap)
	}

	// Speed: the same bytes through the package in the page and through
	// the library natively, best of several runs each. Chromium first runs
	// the module's code as its baseline compiler made it, and optimizes a
	// function only once it has run enough: for a HEIC, after about 25
	// calls. Hence two bests: of the first 10 runs, and of runs 31 to 40.
	// The HEICs: a phone's of 3.0 MB (a grid of 48 tiles) and an
	// iPhone's of 0.8 MB from the corpus, and a small one of 29 kB, where
	// the cost of a call is most of the time.
	inputs := map[string][]byte{"jpeg": phoneJPEG(t, photo)}
	heics := map[string]string{"heic": "heic__mobile__HMD_Nokia_8.3_5G.heif", "heic-iphone": "heic__IMG_5195.HEIC"}
	if c := corpusDir(t); c != "" {
		for name, file := range heics {
			if b, err := os.ReadFile(filepath.Join(c, file)); err == nil {
				inputs[name] = b
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join("..", "testdata", "heic__samplefilehub.heif")); err == nil {
		inputs["heic-small"] = b
	}
	srv.mu.Lock()
	srv.extra["/bench.html"] = []byte(`<!doctype html><script type="module">
import { scrub, scrubBlob } from "./exifscrub.js";
// bench times scrub on the bytes, or with blob set scrubBlob on a Blob of
// them, as the page cleans a File.
window.bench = async (url, runs, blob) => {
  const b = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const file = new Blob([b]);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await (blob ? scrubBlob(file) : scrub(b));
    times.push(performance.now() - t0);
  }
  return times;
};
</script>`)
	for name, b := range inputs {
		srv.extra["/bench/"+name] = b
	}
	srv.mu.Unlock()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/bench.html")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!window.bench`)); err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	for _, name := range []string{"jpeg", "heic", "heic-iphone", "heic-small"} {
		b, ok := inputs[name]
		if !ok {
			continue
		}
		const runs = 40
		ms, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(`bench("/bench/%s", %d, false)`, name, runs), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s in Chromium, ms per run: %.0f", name, ms)
		blobMS, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(`bench("/bench/%s", %d, true)`, name, 10), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		native := time.Duration(1<<63 - 1)
		for range runs + 1 {
			var out bytes.Buffer
			t0 := time.Now()
			if _, err := exifscrub.Scrub(&out, bytes.NewReader(b), nil); err != nil {
				t.Fatal(err)
			}
			// The package scans its output again, so this does too.
			if _, err := exifscrub.Scan(bytes.NewReader(out.Bytes())); err != nil {
				t.Fatal(err)
			}
			native = min(native, time.Since(t0))
		}
		nativeMS := float64(native.Microseconds()) / 1000
		first, early, late := ms[0], slices.Min(ms[:10]), slices.Min(ms[30:])
		fmt.Fprintf(&report, "%s (%.2f MB): Chromium first %.0f ms, best of runs 1-10 %.1f ms, of runs 31-40 %.1f ms; native Go best %.2f ms; ratios %.1f× and %.1f×\n",
			name, float64(len(b))/1e6, first, early, late, nativeMS, early/nativeMS, late/nativeMS)
		fmt.Fprintf(&report, "  the page's way (scrubBlob, a Blob), 10 runs after those: best %.1f ms, %.1f×\n", slices.Min(blobMS), slices.Min(blobMS)/nativeMS)
	}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(&report, "load average while measuring: %s", load)
	}
	t.Logf("scrub, 40 runs each (Chromium: through the package's worker, with the rescan):\n%s", report.String())
	mustWrite(t, filepath.Join(artifactDir(t), "speed.txt"), []byte(report.String()))
}

// phoneJPEG makes a 12-megapixel JPEG (4000 × 3000) of noisy pixels, about
// the size a phone's is, with the EXIF segment of photo in it.
func phoneJPEG(t *testing.T, photo []byte) []byte {
	t.Helper()
	img := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	rand.Read(img.Y)
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = uint8(i), uint8(i>>3)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	// The EXIF segment (APP1) of photo, among the segments after its SOI.
	var app1 []byte
	for i := 2; i+4 <= len(photo) && photo[i] == 0xff && app1 == nil; {
		n := 2 + int(binary.BigEndian.Uint16(photo[i+2:]))
		if photo[i+1] == 0xe1 {
			app1 = photo[i : i+n]
		}
		i += n
	}
	if app1 == nil {
		t.Fatal("the sample has no APP1 segment")
	}
	out := append([]byte{0xff, 0xd8}, app1...)
	return append(out, buf.Bytes()[2:]...)
}

// TestPageScreenshots shows the page as a phone of the narrowest common
// width (320 CSS pixels) does, in light and in dark mode, after cleaning a
// photo with a position and a name that tells the time: nothing may be
// wider than the screen, and the text must keep its contrast. It saves
// phone-light.png and phone-dark.png; docs/ holds the ones looked at,
// reduced to 48 colours:
//
//	EXIFSCRUB_ARTIFACTS=/tmp/shots go test ./web -run TestPageScreenshots
//	for s in light dark; do convert /tmp/shots/phone-$s.png -colors 48 PNG8:docs/phone-$s.png; done
func TestPageScreenshots(t *testing.T) {
	tmp := t.TempDir()
	buildWasm(t)
	srv := newPageServer(t)
	ctx, _ := newBrowser(t, tmp, srv)
	// A photo with a position in Nairobi, as a phone's would have.
	exiftool := need(t, "exiftool")
	named := filepath.Join(tmp, "IMG_20240601_211403.jpg")
	b, err := os.ReadFile(filepath.Join("..", "testdata", "jpg__Kodak_CX7530.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, named, b)
	if out, err := exec.Command(exiftool, "-q", "-overwrite_original", "-GPSLatitude=1.2864", "-GPSLatitudeRef=S",
		"-GPSLongitude=36.8172", "-GPSLongitudeRef=E", named).CombinedOutput(); err != nil {
		t.Fatalf("exiftool: %v\n%s", err, out)
	}
	for _, scheme := range []string{"light", "dark"} {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		if err != nil {
			t.Fatal(err)
		}
		err = chromedp.Do(ctx,
			chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile, chromedp.EmulateScale(1)),
			chromedp.Navigate(srv.URL+"/index.html"),
			chromedp.WaitVisible(chromedp.ID("files")),
			chromedp.SetUploadFiles(chromedp.ID("files"), []string{named}),
		)
		if err != nil {
			t.Fatal(err)
		}
		waitCards(t, ctx, 1, time.Minute)
		// The technical table open, as a curious reader would have it.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("article.file summary"))); err != nil {
			t.Fatal(err)
		}
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if wide > 320 {
			t.Errorf("%s: the page is %d pixels wide on a 320-pixel screen", scheme, wide)
		}
		// Contrast of body text and of the coloured status line against
		// the background (WCAG 2.1 §1.4.3: at least 4.5:1).
		ratios, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](contrastJS))
		if err != nil {
			t.Fatal(err)
		}
		for what, r := range ratios {
			if r < 4.5 {
				t.Errorf("%s: %s has a contrast of %.1f:1 against the background, want at least 4.5:1", scheme, what, r)
			}
		}
		// The screenshot with the table closed again, as the page opens.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("article.file summary"))); err != nil {
			t.Fatal(err)
		}
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(artifactDir(t), "phone-"+scheme+".png")
		mustWrite(t, p, shot)
		t.Logf("%s: contrast %v; screenshot %s (%d bytes)", scheme, ratios, p, len(shot))
	}
}

// contrastJS measures the contrast ratio (WCAG 2.1's relative luminance)
// of a few texts against the page's background colour.
const contrastJS = `(() => {
  const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const bg = lum(rgb(getComputedStyle(document.body).backgroundColor));
  const ratio = (el) => { const l = lum(rgb(getComputedStyle(el).color)); return (Math.max(l, bg) + 0.05) / (Math.min(l, bg) + 0.05); };
  const out = {};
  for (const [name, sel] of [["text", "p.lead"], ["status", "article.file .status"], ["link", "footer a"], ["name note", ".name-note"], ["table", "td"]]) {
    const el = document.querySelector(sel);
    if (el) out[name] = ratio(el);
  }
  return out;
})()`
