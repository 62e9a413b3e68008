#!/bin/sh
# Builds the WebAssembly module into js/exifscrub.wasm and copies Go's
# loader for it, wasm_exec.js, beside it: everything the JavaScript package
# and the page need. Run from anywhere: sh web/build.sh
set -eu
cd "$(dirname "$0")"
GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o js/exifscrub.wasm ./wasm
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" js/wasm_exec.js
