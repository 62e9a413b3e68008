#!/usr/bin/env bash
# bench/pipe.sh: scrub a ~600 MB MP4 from a pipe to a pipe, with its index
# first ("fast start") and last (as phones write it), and compare with cat
# in the same place of the same pipeline:
#
#   cat IN | cat                                  | cat >/dev/null
#   cat IN | exifscrub scrub -o - -               | cat >/dev/null
#   cat IN | exifscrub scrub --stream -o - -      | cat >/dev/null
#
# The runs are interleaved (one of each per round) and the medians of the
# wall times printed, with each as a ratio to cat of the same layout, and
# the largest peak RSS of the middle process (GNU time). The CPU time
# (user + system) of the middle process is printed too: on a loaded
# machine the wall time of a pipeline is mostly waiting for a core.
#
#   bash bench/pipe.sh [MB] [ROUNDS]   # default 600 MB, 7 rounds
#
# BASE=/path/to/an/older/exifscrub adds its default mode, for a before and
# after in the same run.
# The video is testdata's corpus file mei__mp4__with-gps.mp4 (H.264 and AAC,
# UserData GPS) looped with ffmpeg -stream_loop, -c copy: a phone-like
# index of about 27,000 samples (350 kB). Needs go, ffmpeg and GNU time
# (apt-get install -y ffmpeg time), and ../shared/corpus-video (or
# CORPUS_VIDEO). BENCH_DIR keeps the videos between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-600}
rounds=${2:-7}
for tool in ffmpeg /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is not installed (apt-get install -y ffmpeg time)" >&2; exit 2; }
done
src=${CORPUS_VIDEO:-../shared/corpus-video}/mei__mp4__with-gps.mp4
[ -f "$src" ] || src=/work/shared/corpus-video/mei__mp4__with-gps.mp4
[ -f "$src" ] || { echo "bench: no $src (set CORPUS_VIDEO)" >&2; exit 2; }
work=${BENCH_DIR:-$(mktemp -d /tmp/exifscrub-pipe.XXXXXX)}
mkdir -p "$work"
go build -o "$work/exifscrub" ./cmd/exifscrub
last=$work/last-$mb.mp4
first=$work/first-$mb.mp4
if [ ! -f "$last" ] || [ ! -f "$first" ]; then
	loops=$((mb * 1024 * 1024 / $(stat -c %s "$src")))
	ffmpeg -loglevel error -y -stream_loop "$loops" -i "$src" -map 0 -c copy "$last"
	ffmpeg -loglevel error -y -i "$last" -map 0 -c copy -movflags faststart "$first"
fi
cd "$work"
# The outputs of both modes are the file-mode output, byte for byte.
for in in "$first" "$last"; do
	./exifscrub scrub -o file.mp4 "$in"
	for mode in "" --stream; do
		cat "$in" | ./exifscrub scrub $mode -o - - >pipe.mp4
		cmp -s file.mp4 pipe.mp4 || { echo "bench: $in $mode: the output differs from the file mode's" >&2; exit 1; }
	done
done
rm -f file.mp4 pipe.mp4
echo "== $(du -h "$first" | cut -f1) MP4, $rounds rounds, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# one NAME IN CMD...: one timed run of cat IN | CMD | cat >/dev/null.
one() {
	local name=$1 in=$2
	shift 2
	cat "$in" "$in" >/dev/null # warm the page cache: every run reads from memory
	local t0 t1
	t0=$(date +%s%N)
	cat "$in" | /usr/bin/time -f '%M %U %S' -o rss.txt "$@" | cat >/dev/null
	t1=$(date +%s%N)
	echo "$name $(((t1 - t0) / 1000)) $(awk '{printf "%d %d", $1, ($2 + $3) * 1000000}' rss.txt)" >>times.txt
}
rm -f times.txt
for _ in $(seq "$rounds"); do
	for layout in first last; do
		in=$first
		[ $layout = last ] && in=$last
		one "$layout cat" "$in" cat
		one "$layout exifscrub" "$in" ./exifscrub scrub -o - -
		one "$layout exifscrub--stream" "$in" ./exifscrub scrub --stream -o - -
		if [ -n "${BASE:-}" ]; then one "$layout base" "$in" "$BASE" scrub -o - -; fi
	done
done
whats="cat exifscrub exifscrub--stream"
[ -n "${BASE:-}" ] && whats="$whats base"
printf '%-26s %9s %7s %9s %7s %10s\n' "moov / middle process" "wall" "x cat" "CPU" "x cat" "peak RSS"
for layout in first last; do
	c="" cc=""
	for what in $whats; do
		# medians of the wall and CPU times, the largest RSS
		med=$(awk -v n="$layout $what" '$1" "$2==n{print $3}' times.txt | sort -n | awk '{t[NR]=$1} END{print t[int((NR+1)/2)]}')
		cpu=$(awk -v n="$layout $what" '$1" "$2==n{print $5}' times.txt | sort -n | awk '{t[NR]=$1} END{print t[int((NR+1)/2)]}')
		rss=$(awk -v n="$layout $what" '$1" "$2==n && $4>m{m=$4} END{print m}' times.txt)
		[ -z "$c" ] && c=$med cc=$cpu
		printf '%-26s %7.3f s %6.2fx %7.3f s %6.2fx %7d KB\n' "$layout ${what/--/ --}" \
			"$(echo "$med/1000000" | bc -l)" "$(echo "$med/$c" | bc -l)" \
			"$(echo "$cpu/1000000" | bc -l)" "$(echo "$cpu/$cc" | bc -l)" "$rss"
	done
done
