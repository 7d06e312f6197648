#!/bin/sh
# Benchmark 5: CPU and wake-ups of deskplayer showing one still image,
# headless, over a 10 s window that starts 5 s after launch, against feh
# when it is installed (under Xvfb). Prints per-round figures and medians
# (feh's 0% and 0 wake-ups make a ratio meaningless: the targets are
# absolute, docs/benchmarks.md #5).
# Usage: bench/still_image.sh [BUILD_DIR]   (default: build)
set -eu
. "$(dirname "$0")/lib.sh"
bench_init "${1:-}"
rounds=${ROUNDS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ffmpeg -v error -y -f lavfi -i testsrc2=s=1920x1080 -frames:v 1 "$work/still.png"
printf '{"version":"https://jsonfeed.org/version/1.1","title":"still","items":[{"id":"s","image":"still.png"}]}\n' > "$work/feed.json"

# Sums utime+stime (clock ticks) and context switches over every thread.
sample() {
    pid=$1
    ticks=0; sw=0
    for t in /proc/"$pid"/task/*; do
        set -- $(cut -d' ' -f14,15 "$t/stat" 2>/dev/null || echo "0 0")
        ticks=$((ticks + $1 + $2))
        v=$(awk '/^voluntary_ctxt_switches/ {v=$2} /^nonvoluntary_ctxt_switches/ {n=$2} END {print v+n}' "$t/status" 2>/dev/null || echo 0)
        sw=$((sw + v))
    done
    echo "$ticks $sw"
}

measure() {   # command...; prints "cpu% wakeups/s rss_kB"
    "$@" >/dev/null 2>&1 &
    pid=$!
    sleep 5
    set -- $(sample $pid); t0=$1; s0=$2
    sleep 10
    set -- $(sample $pid); t1=$1; s1=$2
    rss=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
    kill $pid; wait $pid 2>/dev/null || true
    hz=$(getconf CLK_TCK)
    awk -v dt=$((t1 - t0)) -v ds=$((s1 - s0)) -v hz="$hz" -v rss="$rss" \
        'BEGIN { printf "%.3f %.1f %d\n", dt * 100.0 / hz / 10, ds / 10.0, rss }'
}

: > "$work/dp.txt"; : > "$work/feh.txt"
have_feh=0
if command -v feh >/dev/null 2>&1 && command -v Xvfb >/dev/null 2>&1; then
    Xvfb :97 -screen 0 1920x1080x24 >/dev/null 2>&1 &
    xvfb=$!
    sleep 1
    have_feh=1
fi
for i in $(seq "$rounds"); do
    rm -rf "$work/cache"
    r=$(measure env SDL_AUDIODRIVER=dummy "$bin" --headless --cache-dir "$work/cache" "$work/feed.json")
    echo "deskplayer round $i: cpu% wakeups/s peakRSS_kB = $r"
    echo "$r" >> "$work/dp.txt"
    if [ $have_feh = 1 ]; then
        r=$(measure env DISPLAY=:97 feh -F "$work/still.png")
        echo "feh        round $i: cpu% wakeups/s peakRSS_kB = $r"
        echo "$r" >> "$work/feh.txt"
    fi
done
[ $have_feh = 1 ] && kill $xvfb
echo "deskplayer median: cpu $(cut -d' ' -f1 "$work/dp.txt" | median)% of a core," \
     "$(cut -d' ' -f2 "$work/dp.txt" | median) wake-ups/s," \
     "peak RSS $(cut -d' ' -f3 "$work/dp.txt" | median) kB (targets: <= 0.2%, <= 15/s)"
if [ $have_feh = 1 ]; then
    echo "feh median:        cpu $(cut -d' ' -f1 "$work/feh.txt" | median)%," \
         "$(cut -d' ' -f2 "$work/feh.txt" | median) wake-ups/s"
fi
