#!/usr/bin/env bash
# bench/walk-instructions.sh: count the instructions of the JPEG scan walker
# (internal/jpegscan) per byte of entropy-coded data, against libjpeg-turbo's
# `djpeg -scale 1/8` (Huffman decoding and DC-only output) on the same photo,
# with valgrind's callgrind, whose counts repeat exactly from run to run
# (wall-clock times on a shared machine do not). Issue 26's goal is a ratio
# of at most 0.5.
#
#   bash bench/walk-instructions.sh [photo.jpg]
#
# Without an argument it makes one 12 MP photo with bench/genphotos.
# Needs: go, valgrind, djpeg (it installs nothing):
#   apt-get install -y valgrind libjpeg-turbo-progs
#
# The walker's count is that of a test binary walking the photo's first scan
# once (TestWalkFile) less that of the same binary reading the photo and
# not walking it; djpeg's is its whole process, start-up included (under
# 0.5 M instructions: an 8 KB photo takes 0.48 M). It also counts one whole `exifscrub scrub -o` of the
# photo, start-up included. GODEBUG=asyncpreemptoff=1: callgrind fails an
# assertion on the signals that Go's scheduler uses to preempt goroutines.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in go valgrind djpeg; do
	command -v "$tool" >/dev/null || { echo "walk-instructions: $tool is not installed" >&2; exit 2; }
done
work=$(mktemp -d /tmp/exifscrub-walk.XXXXXX)
trap 'rm -rf "$work"' EXIT
photo=${1:-}
if [ -z "$photo" ]; then
	go run ./bench/genphotos -n 1 -dir "$work/photos" >/dev/null
	photo=$work/photos/IMG_0001.JPG
fi
go test -c -o "$work/jpegscan.test" ./internal/jpegscan/
go build -o "$work/exifscrub" ./cmd/exifscrub

# instructions CMD...: the instructions callgrind counts for CMD.
instructions() {
	GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>"$work/cg.log" >"$work/out.log" ||
		{ cat "$work/cg.log" "$work/out.log" >&2; exit 1; }
	sed -n 's/.*Collected : //p' "$work/cg.log"
}
walk() { JPEGSCAN_WALK_FILE=$photo JPEGSCAN_WALKS=$1 instructions "$work/jpegscan.test" -test.run '^TestWalkFile$'; }

none=$(walk 0)
one=$(walk 1)
bytes=$(sed -n 's/^entropy-coded bytes: //p' "$work/out.log")
djpeg=$(instructions djpeg -scale 1/8 -outfile /dev/null "$photo")
scrub=$(instructions "$work/exifscrub" scrub -o "$work/out.jpg" "$photo")

awk -v walk=$((one - none)) -v djpeg="$djpeg" -v scrub="$scrub" -v bytes="$bytes" -v photo="$photo" 'BEGIN {
	printf "%s: %d bytes of entropy-coded data in its first scan\n", photo, bytes
	printf "  %-28s %13s %12s\n", "", "instructions", "per byte"
	printf "  %-28s %13d %12.2f\n", "walker (jpegscan, one walk)", walk, walk / bytes
	printf "  %-28s %13d %12.2f\n", "djpeg -scale 1/8", djpeg, djpeg / bytes
	printf "  %-28s %13d %12.2f\n", "exifscrub scrub -o (all)", scrub, scrub / bytes
	printf "  walker / djpeg: %.3f (goal: at most 0.5)\n", walk / djpeg
}'
