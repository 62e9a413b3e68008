#!/usr/bin/env bash
# bench/serve.sh: load-test `exifscrub serve` on loopback with hey, beside
# the ExifTool patterns platforms use today, in one run: requests per
# second and p50/p99 latency for a 12-megapixel JPEG (6.6 MB, from
# bench/genphotos) at 16 concurrent clients; then the server's memory over
# 10,000 requests.
#
#   bash bench/serve.sh            # N=2000 exifscrub requests, 200 and 400 for ExifTool
#
# Needs: go, hey, exiftool, python3 (apt-get install -y hey libimage-exiftool-perl).
# BENCH_DIR keeps the photo between runs. Counts: N, N_PER_REQUEST, N_STAY_OPEN,
# N_FLAT (default 10000), C (default 16).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-2000} n_pr=${N_PER_REQUEST:-200} n_so=${N_STAY_OPEN:-400} n_flat=${N_FLAT:-10000} c=${C:-16}
for tool in hey exiftool python3; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 2; }
done
work=${BENCH_DIR:-$(mktemp -d /tmp/exifscrub-serve.XXXXXX)}
mkdir -p "$work"
go build -o "$work/exifscrub" ./cmd/exifscrub
[ -f "$work/photos/IMG_0001.JPG" ] || go run ./bench/genphotos -n 1 -dir "$work/photos"
photo=$work/photos/IMG_0001.JPG
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

# wait_port PORT: until something listens there.
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; echo "nothing on $1" >&2; exit 1; }
# load NAME N URL: one hey run, summed up on one line.
load() {
	local name=$1 count=$2 url=$3
	hey -n "$count" -c "$c" -m POST -T image/jpeg -D "$photo" "$url" >"$work/hey.txt"
	awk -v name="$name" -v n="$count" '
		/Requests\/sec/ {rps=$2}
		/ 50% in/ {p50=$3}
		/ 99% in/ {p99=$3}
		/^[ \t]*\[[0-9]+\]/ {codes=codes $0}
		END {gsub(/[ \t]+/, " ", codes); printf "%-34s %6d req %8.1f req/s  p50 %6.3f s  p99 %6.3f s  status:%s\n", name, n, rps, p50, p99, codes}
	' "$work/hey.txt"
}
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(basename "$photo") $(du -h "$photo" | cut -f1), $c concurrent clients"
"$work/exifscrub" serve --addr 127.0.0.1:18431 --max-inflight 64 2>/dev/null &
pids+=($!) es=$!
python3 bench/serve_exiftool.py per-request 18432 & pids+=($!)
python3 bench/serve_exiftool.py stay-open 18433 "$(nproc)" & pids+=($!)
for p in 18431 18432 18433; do wait_port $p; done
hey -n 32 -c "$c" -m POST -D "$photo" http://127.0.0.1:18431/v1/scrub >/dev/null # warm up
load "exifscrub serve" "$n" http://127.0.0.1:18431/v1/scrub
load "exiftool per request (pict-rs)" "$n_pr" http://127.0.0.1:18432/
load "exiftool -stay_open ($(nproc) processes)" "$n_so" http://127.0.0.1:18433/

echo "== exifscrub serve memory over $n_flat requests (VmRSS, KB; VmHWM is the peak)"
printf '%8s %8s\n' requests rss
printf '%8d %8d\n' 0 "$(rss $es)"
step=$((n_flat / 5))
for i in 1 2 3 4 5; do
	hey -n "$step" -c "$c" -m POST -D "$photo" http://127.0.0.1:18431/v1/scrub >"$work/hey.txt"
	grep -q '\[200\]' "$work/hey.txt" || { echo "not every request got 200:"; cat "$work/hey.txt"; exit 1; }
	printf '%8d %8d\n' $((i * step)) "$(rss $es)"
done
grep VmHWM "/proc/$es/status"
