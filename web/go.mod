// The browser build: the WebAssembly module (wasm/), the JavaScript package
// and page around it (js/), and their tests, which drive Chromium through
// chromedp. A module of its own so that chromedp never reaches the library.
module github.com/exifscrub/exifscrub/web

go 1.25

require (
	github.com/chromedp/cdproto v0.159.0
	github.com/chromedp/chromedp v0.23.0
	github.com/exifscrub/exifscrub v0.0.0-00010101000000-000000000000
)

require github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect

// The library is the repository root.
replace github.com/exifscrub/exifscrub => ..
