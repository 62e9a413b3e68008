#!/usr/bin/env bash
# bench/serve-busy.sh: `exifscrub serve` past --max-inflight. hey posts a
# 12-megapixel JPEG (bench/genphotos) from C clients (default 16) to a
# server that takes M at once (default 4): every answer must be 200 or
# 503 (with Retry-After), and hey must see no transport error.
#
#   bash bench/serve-busy.sh        # N=800 requests
#
# Needs: go, hey. BENCH_DIR keeps the photo between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-800} c=${C:-16} m=${M:-4}
command -v hey >/dev/null || { echo "bench: hey is not installed" >&2; exit 2; }
work=${BENCH_DIR:-$(mktemp -d /tmp/exifscrub-busy.XXXXXX)}
mkdir -p "$work"
go build -o "$work/exifscrub" ./cmd/exifscrub
[ -f "$work/photos/IMG_0001.JPG" ] || go run ./bench/genphotos -n 1 -dir "$work/photos"

echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $c clients, --max-inflight $m"
"$work/exifscrub" serve --addr 127.0.0.1:18451 --max-inflight "$m" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/18451) 2>/dev/null && break; sleep 0.1; done
hey -n "$n" -c "$c" -m POST -D "$work/photos/IMG_0001.JPG" http://127.0.0.1:18451/v1/scrub >"$work/hey.txt"
sed -n '/Requests\/sec/p; /Status code distribution/,$p' "$work/hey.txt"
if grep -q 'Error distribution' "$work/hey.txt"; then echo "FAIL: transport errors"; exit 1; fi
if grep -E '^\s*\[[0-9]+\]' "$work/hey.txt" | grep -vqE '\[(200|503)\]'; then echo "FAIL: a status other than 200 and 503"; exit 1; fi
echo "ok: only 200 and 503"
