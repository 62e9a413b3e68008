#!/usr/bin/env bash
# bench/run.sh: time exifscrub against ExifTool, exiv2 and cp on the same
# folder of phone-sized photos, in one run, and print each as a ratio to cp.
#
#   bash bench/run.sh [N]        # N photos (default 200), 6.6 MB each
#
# Needs: go, hyperfine, exiftool, exiv2
#   apt-get install -y hyperfine libimage-exiftool-perl exiv2
# BENCH_DIR keeps the generated photos between runs (default: a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
runs=${RUNS:-3}
for tool in hyperfine exiftool exiv2; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 2; }
done

work=${BENCH_DIR:-$(mktemp -d /tmp/exifscrub-bench.XXXXXX)}
mkdir -p "$work"
go build -o "$work/exifscrub" ./cmd/exifscrub
if [ "$(find "$work/photos" -name '*.JPG' 2>/dev/null | wc -l)" -ne "$n" ]; then
	rm -rf "$work/photos"
	go run ./bench/genphotos -n "$n" -dir "$work/photos"
fi
cd "$work"
cat photos/* >/dev/null # warm the page cache: every tool reads from memory
one=photos/IMG_0001.JPG

echo "== batch: $n photos, $(du -sh photos | cut -f1)"
hyperfine --runs "$runs" --warmup 1 --export-json batch.json \
	--prepare 'rm -rf out' --command-name 'cp -r' 'cp -r photos out' \
	--prepare 'rm -rf out' --command-name 'exifscrub scrub --out-dir' './exifscrub scrub --out-dir out photos' \
	--prepare 'rm -rf out && mkdir out' --command-name 'exiftool -all= (one process)' 'exiftool -q -all= -o out/ photos' \
	--prepare 'rm -rf out && cp -r photos out' --command-name 'exiv2 rm (in place, on a copy)' 'exiv2 rm out/*'

echo "== one file per process: $one ($(du -h "$one" | cut -f1))"
hyperfine --runs $((runs * 10)) --warmup 3 --export-json single.json \
	--prepare 'rm -f out.jpg' --command-name 'cp' "cp $one out.jpg" \
	--prepare 'rm -f out.jpg' --command-name 'exifscrub scrub -o' "./exifscrub scrub -o out.jpg $one" \
	--prepare 'rm -f out.jpg' --command-name 'exiftool -all= -o' "exiftool -q -all= -o out.jpg $one" \
	--prepare 'rm -f out.jpg && cp '"$one"' out.jpg' --command-name 'exiv2 rm' 'exiv2 rm out.jpg'

python3 - <<'EOF'
import json
for name in ("batch", "single"):
    rows = json.load(open(name + ".json"))["results"]
    floor = rows[0]["mean"]
    print(f"\n{name}: mean wall time, and ratio to {rows[0]['command']}")
    for r in rows:
        print(f"  {r['command']:34s} {r['mean']*1000:9.1f} ms  ±{r['stddev']*1000:6.1f}  {r['mean']/floor:5.2f}x")
EOF
echo
echo "photos and results in $work"
