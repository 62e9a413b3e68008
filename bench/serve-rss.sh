#!/usr/bin/env bash
# bench/serve-rss.sh: the peak memory (VmHWM) of `exifscrub serve` while
# curl posts a large video to /v1/scrub, streaming it from a file: one
# whose index comes first (streamed through the server) and one whose
# index comes last (buffered in a temporary file), made by padding the
# 'mdat' of the library's test videos with zeros. Goal: < 64 MB.
#
#   bash bench/serve-rss.sh [MB]     # size of the videos (default 1024)
#
# Needs: go, curl, python3. BENCH_DIR keeps the videos between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-1024}
work=${BENCH_DIR:-$(mktemp -d /tmp/exifscrub-rss.XXXXXX)}
mkdir -p "$work"
go build -o "$work/exifscrub" ./cmd/exifscrub

# pad SRC DST: SRC with $mb MiB of zeros at the end of its first 'mdat'.
pad() {
	python3 - "$1" "$2" "$mb" <<'PY'
import sys
src, dst, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
v = open(src, "rb").read()
off = 0
while v[off + 4:off + 8] != b"mdat":
    off += int.from_bytes(v[off:off + 4], "big")
end = off + int.from_bytes(v[off:off + 4], "big")
n = mb << 20
with open(dst, "wb") as f:
    f.write(v[:off] + (end - off + n).to_bytes(4, "big") + v[off + 4:end])
    zeros = bytes(1 << 20)
    for _ in range(mb):
        f.write(zeros)
    f.write(v[end:])
PY
}
[ -f "$work/fast-$mb.mp4" ] || pad testdata/video__udta_xmp_faststart.mp4 "$work/fast-$mb.mp4"
[ -f "$work/last-$mb.mov" ] || pad testdata/video__keys_tmcd_rot90.mov "$work/last-$mb.mov"

echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for in in "$work/fast-$mb.mp4" "$work/last-$mb.mov"; do
	"$work/exifscrub" serve --addr 127.0.0.1:18441 --max-bytes "$((mb + 64))MiB" 2>"$work/serve.log" &
	pid=$!
	for _ in $(seq 100); do grep -q listening "$work/serve.log" && break; sleep 0.1; done
	start=$(date +%s.%N)
	curl -sS --fail-with-body -X POST -T "$in" -o "$work/out" http://127.0.0.1:18441/v1/scrub
	end=$(date +%s.%N)
	"$work/exifscrub" scrub -o "$work/want" "$in"
	cmp -s "$work/out" "$work/want" && same="same bytes as scrub" || same="DIFFERENT from scrub"
	answer=$(grep -o '"answer":"[a-z]*"' "$work/serve.log" | cut -d'"' -f4)
	printf '%-16s %5d MB  %-8s %6.1f s  peak RSS %6d KB  (%s)\n' "$(basename "$in")" "$(($(stat -c %s "$in") >> 20))" \
		"$answer" "$(echo "$end - $start" | bc)" "$(awk '/VmHWM/ {print $2}' /proc/$pid/status)" "$same"
	kill $pid
	wait $pid || true
	rm -f "$work/out" "$work/want"
done
