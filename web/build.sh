#!/bin/sh
# Builds the WebAssembly module into js/exifscrub.wasm, copies Go's loader
# for it (wasm_exec.js) and the licence beside it, and writes js/version.js,
# the build's version: everything the JavaScript package and the page need.
# The service worker (js/sw.js) names its cache after that version, so a new
# build replaces the old cache. Run from anywhere: sh web/build.sh
set -eu
cd "$(dirname "$0")"
# The metadata codecs, which run once per block of metadata, are compiled
# without inlining: 40 kB less gzipped, no measurable cost (docs/web.md).
# The walkers and the inflater, which run once per byte of image data
# (jpegscan, zlib, png, vp8, nal, av1, bmff), keep it.
m=github.com/exifscrub/exifscrub/internal
noinline=""
for p in tiff xmp heif mp4 iptc icc; do noinline="$noinline -gcflags=$m/$p=-l"; done
# shellcheck disable=SC2086 # one word a flag
GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" $noinline -o js/exifscrub.wasm ./wasm
# Joins the module's data segments, which gzip then compresses 6% better
# (joindata/main.go).
go run ./joindata js/exifscrub.wasm
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" js/wasm_exec.js
cp ../LICENSE js/LICENSE
# The version is a hash of the page's files (every file of js/ but this
# one, npm tarballs and node_modules), so that it changes when any file the
# service worker caches does, and only then.
cd js
version=$(find . -path ./node_modules -prune -o -type f ! -name version.js ! -name '*.tgz' -print | LC_ALL=C sort |
	xargs cat | sha256sum | cut -c1-16)
printf '// Written by ../build.sh: the build, which names the service worker'"'"'s cache.\nself.EXIFSCRUB_BUILD = "%s";\n' "$version" >version.js
