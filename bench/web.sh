#!/usr/bin/env bash
# bench/web.sh: the WebAssembly module's size (raw and gzipped) and the
# speed of a scrub in Chromium against native Go on the same machine: a
# 12-megapixel JPEG and, with the corpus, a HEIC (web/'s
# TestPageLargeAndSpeed: 40 runs each, the best of the first 10 and of the
# last 10, after Chromium has optimized the code), and a 100 MB video with
# the tab's memory (TestLargeVideo).
#
#   bash bench/web.sh
#
# Needs: go, chromium (apt-get install -y chromium); EXIFSCRUB_CORPUS or
# ../shared/corpus (or /work/shared/corpus) for the HEIC.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${EXIFSCRUB_CORPUS:-}" ] && [ -f /work/shared/corpus/MANIFEST.tsv ]; then export EXIFSCRUB_CORPUS=/work/shared/corpus; fi
sh web/build.sh
raw=$(stat -c %s web/js/exifscrub.wasm)
gz=$(gzip -9 -c web/js/exifscrub.wasm | wc -c)
echo "module: $raw bytes, $gz gzipped (gzip -9): $(awk "BEGIN { printf \"%.2f MB\", $gz / 1e6 }") (goal 1.5 MB)"
out=$(mktemp -d /tmp/exifscrub-webbench.XXXXXX)
EXIFSCRUB_ARTIFACTS=$out go test -count=1 -run 'TestPageLargeAndSpeed|TestLargeVideo' -v ./web 2>&1 |
	grep -E 'MB photo|MB video|^--- ' || true
cat "$out/speed.txt"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(chromium --version 2>/dev/null); $(go version)"
