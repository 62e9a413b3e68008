// The browser build: the WebAssembly module (wasm/), the JavaScript package
// and page around it (js/), and their tests, which drive Chromium through
// chromedp. A module of its own so that chromedp never reaches the library.
module github.com/exifscrub/exifscrub/web

go 1.24.0

require github.com/exifscrub/exifscrub v0.0.0-00010101000000-000000000000

// The library is the repository root.
replace github.com/exifscrub/exifscrub => ..
