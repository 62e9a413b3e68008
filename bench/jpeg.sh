#!/usr/bin/env bash
# bench/jpeg.sh: issue 26's JPEG speed goals, measured in one run. On a set
# of 12 MP high-entropy photos (bench/genphotos) it times, interleaved
# round by round, and prints the median of each with its ratio to cp:
#
#   batch:    cp -r; exifscrub scrub --out-dir; exiftool -all= -o DIR (one
#             process); exiv2 rm (one process, on a copy)
#   per file: one process per photo, from a shell loop: cp; exifscrub
#             scrub -o; exiftool -all= -o; exiv2 rm (on copies); djpeg
#             -scale 1/8 (libjpeg-turbo's Huffman decoding, DC only)
#
# CPU time (user+sys of the command and its children) is printed beside
# the wall time: on a loaded machine it moves less, but it does not show
# the gain of spreading one file over the cores.
#
# It does so for two sets: "plain" (no restart interval, as Go's
# image/jpeg writes) and "restart" (a restart marker every MCU row, as
# many phones write), whose walk exifscrub can spread over the cores.
#
#   bash bench/jpeg.sh [N]       # N photos a set (default 60), 6.6 MB each
#
# ROUNDS (default 5) sets the rounds; SETS="plain restart" the sets; BASE=REV
# also times the exifscrub of git revision REV (built from `git archive`),
# and checks that both write the same bytes. The photos are generated once
# into $BENCH_CACHE/SET-N/photos (default ~/.cache/exifscrub-bench), never
# into the repository; the outputs go to SET-N/out, removed at the end. The load average is printed before and after: on a shared
# machine, compare ratios from one run only.
#
# Needs: go, python3, exiftool, exiv2, djpeg, jpegtran
#   apt-get install -y libimage-exiftool-perl exiv2 libjpeg-turbo-progs
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-60}
rounds=${ROUNDS:-5}
sets=${SETS:-plain restart}
for tool in go python3 exiftool exiv2 djpeg jpegtran; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 2; }
done
cache=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/exifscrub-bench}
work=$(mktemp -d /tmp/exifscrub-jpeg.XXXXXX)
trap 'rm -rf "$work"' EXIT
go build -o "$work/exifscrub" ./cmd/exifscrub
bins=("$work/exifscrub")
if [ -n "${BASE:-}" ]; then
	mkdir "$work/base"
	git archive "$BASE" | tar -x -C "$work/base"
	(cd "$work/base" && go build -o "$work/exifscrub-base" ./cmd/exifscrub)
	bins+=("$work/exifscrub-base")
fi
for set in $sets; do
	dir=$cache/$set-$n/photos
	if [ "$(find "$dir" -name '*.JPG' 2>/dev/null | wc -l)" -ne "$n" ]; then
		rm -rf "$dir"
		restart=0
		[ "$set" = restart ] && restart=1
		go run ./bench/genphotos -n "$n" -restart "$restart" -dir "$dir"
	fi
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), go $(go env GOVERSION)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work" "$cache" "$n" "$rounds" "$sets" "${bins[@]}" <<'EOF'
import os, resource, shutil, statistics, subprocess, sys, time
work, cache, n, rounds, sets, bins = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5].split(), sys.argv[6:]

def sh(cmd):
    subprocess.run(["sh", "-c", cmd], check=True, stdout=subprocess.DEVNULL)

def rm_out():
    shutil.rmtree("out", ignore_errors=True)

def fresh_out():
    rm_out()
    os.mkdir("out")

def copy_out():
    rm_out()
    shutil.copytree("photos", "out")

loop = 'for f in photos/*; do %s; done'
def cases():
    c = [("batch", "cp -r", rm_out, "cp -r photos out")]
    for b in bins:
        c.append(("batch", os.path.basename(b) + " scrub --out-dir", rm_out, b + " scrub --out-dir out photos"))
    c += [
        ("batch", "exiftool -all= -o DIR", fresh_out, "exiftool -q -all= -o out/ photos"),
        ("batch", "exiv2 rm (on a copy)", copy_out, "exiv2 rm out/*"),
        ("per file", "cp", fresh_out, loop % 'cp "$f" out/'),
    ]
    for b in bins:
        c.append(("per file", os.path.basename(b) + " scrub -o", fresh_out, loop % (b + ' scrub -o "out/${f##*/}" "$f"')))
    c += [
        ("per file", "exiftool -all= -o", fresh_out, loop % 'exiftool -q -all= -o out/ "$f"'),
        ("per file", "exiv2 rm (on copies)", copy_out, 'for f in out/*; do exiv2 rm "$f"; done'),
        ("per file", "djpeg -scale 1/8", fresh_out, loop % 'djpeg -scale 1/8 -outfile /dev/null "$f"'),
    ]
    return c

for s in sets:
    os.chdir(os.path.join(cache, "%s-%d" % (s, n)))  # photos/ and out/
    sh("cat photos/* >/dev/null")  # every tool reads from the page cache
    size = sum(os.path.getsize(os.path.join("photos", f)) for f in os.listdir("photos"))
    cs = cases()
    times = {c[1] + c[0]: [] for c in cs}
    cpus = {c[1] + c[0]: [] for c in cs}
    for r in range(rounds):
        for mode, name, prep, cmd in cs:
            prep()
            u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            sh(cmd)
            times[name + mode].append(time.perf_counter() - t)
            u1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[name + mode].append(u1.ru_utime + u1.ru_stime - u0.ru_utime - u0.ru_stime)
    if len(bins) > 1:  # both builds must write the same bytes
        outs = []
        for b in bins:
            rm_out()
            sh(b + " scrub --out-dir out photos")
            outs.append(b"".join(open(os.path.join("out", f), "rb").read() for f in sorted(os.listdir("out"))))
        print("\noutputs of %s: %s" % (", ".join(map(os.path.basename, bins)), "identical" if len(set(outs)) == 1 else "DIFFERENT"))
    print("\n== set %s: %d photos, %.1f MB; %d rounds: median wall time (min-max), and median CPU time (user+sys)" % (s, n, size / 1e6, rounds))
    for mode in ("batch", "per file"):
        rows = [(name, statistics.median(times[name + mode]), min(times[name + mode]), max(times[name + mode]), statistics.median(cpus[name + mode])) for m, name, _, _ in cs if m == mode]
        cp, cpcpu = rows[0][1], rows[0][4]
        ref = {name: (t, c) for name, t, _, _, c in rows}
        print("  %s:%s wall%s CPU" % (mode, " " * (52 - len(mode)), " " * 21))
        for name, t, lo, hi, c in rows:
            print("    %-34s %8.0f ms (%5.0f-%5.0f) %6.2fx cp %8.0f ms %6.2fx cp" % (name, t * 1000, lo * 1000, hi * 1000, t / cp, c * 1000, c / cpcpu))
        us = ref[os.path.basename(bins[0]) + (" scrub --out-dir" if mode == "batch" else " scrub -o")]
        et = ref["exiftool -all= -o DIR" if mode == "batch" else "exiftool -all= -o"]
        print("    exiftool / exifscrub: wall %.2fx, CPU %.2fx; exifscrub / cp: wall %.2fx, CPU %.2fx" % (et[0] / us[0], et[1] / us[1], us[0] / cp, us[1] / cpcpu))
    rm_out()
EOF
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
