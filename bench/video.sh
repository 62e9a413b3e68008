#!/usr/bin/env bash
# bench/video.sh: scrub a generated 1 GB video and compare, in one run, with
# cp, ExifTool (-all=) and ffmpeg (-map_metadata -1 -c copy): wall time and
# peak memory (maximum resident set size, from GNU time).
#
#   bash bench/video.sh [MB]     # size of the video (default 1024)
#
# The video is raw 1080p frames (no encoding, so it is quick to make) in a
# QuickTime file with its index last, as a phone writes it, with Keys GPS,
# make and model, and a timecode track whose sample exifscrub overwrites.
# Needs: go, ffmpeg, exiftool, GNU time (apt-get install -y ffmpeg
# libimage-exiftool-perl time). BENCH_DIR keeps the video between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-1024}
runs=${RUNS:-3}
for tool in ffmpeg exiftool /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 2; }
done
work=${BENCH_DIR:-$(mktemp -d /tmp/exifscrub-video.XXXXXX)}
mkdir -p "$work"
go build -o "$work/exifscrub" ./cmd/exifscrub
in=$work/in-$mb.mov
if [ ! -f "$in" ]; then
	frames=$((mb * 1024 * 1024 / (1920 * 1080 * 2)))
	ffmpeg -loglevel error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" -frames:v "$frames" \
		-c:v rawvideo -pix_fmt uyvy422 -timecode 13:14:15:00 -movflags use_metadata_tags \
		-metadata com.apple.quicktime.location.ISO6709="+48.8584+002.2945+035.000/" \
		-metadata com.apple.quicktime.make=Apple -metadata com.apple.quicktime.model="iPhone 15 Pro" \
		-metadata creation_time=2024-06-01T19:14:03Z "$in"
fi
cd "$work"
cat "$in" >/dev/null # warm the page cache: every tool reads from memory
echo "== $(basename "$in"): $(du -h "$in" | cut -f1), $runs runs each, best wall time"

# run NAME CMD...: the best wall time and the largest peak RSS of $runs runs.
run() {
	local name=$1 best="" rss=0
	shift
	for _ in $(seq "$runs"); do
		rm -f out.mov
		/usr/bin/time -f "%e %M" -o t.txt "$@" >/dev/null 2>err.txt || { echo "$name failed: $(tail -1 err.txt)"; return; }
		read -r s kb <t.txt
		if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; fi
		((kb > rss)) && rss=$kb
	done
	printf '%-38s %7.2f s  %8d KB peak RSS\n' "$name" "$best" "$rss"
	echo "$name $best" >>times.txt
}
rm -f times.txt
run "cp" cp "$in" out.mov
run "exifscrub scrub -o out.mov" ./exifscrub scrub -o out.mov "$in"
run "exifscrub (stdin to a file)" sh -c "./exifscrub scrub -o out.mov - < '$in'"
run "exifscrub (stdin to stdout, a pipe)" sh -c "./exifscrub scrub -o - - < '$in' | cat > out.mov"
run "exiftool -all=" exiftool -q -q -all= -o out.mov "$in"
run "ffmpeg -map_metadata -1 -c copy" ffmpeg -v error -y -i "$in" -map 0 -c copy -map_metadata -1 out.mov
cp_s=$(awk '$1=="cp"{print $2}' times.txt)
echo "== relative to cp"
awk -v cp="$cp_s" '{n=$0; sub(/ [^ ]*$/, "", n); printf "%-38s %5.2fx\n", n, $NF/cp}' times.txt
