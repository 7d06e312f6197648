#!/bin/sh
# Issue 10's figures. (1) Decode time and peak memory of a 12 MP (4032x3024,
# a phone's photo) HEIC and AVIF beside a JPEG of the same picture, each
# brought to 1920x1080 by deskplayer's loader code (bench_image_decode: JPEG
# at reduced DCT scale, HEIF decoded whole by libheif, then resized), with
# ImageMagick doing the same in the same go as the reference. (2) CPU of an
# animated GIF item (480x270, 10 frames/s) beside a still image, headless at
# 1920x1080, over 10 s starting 5 s after launch.
# Usage: bench/image_formats.sh [build/deskplayer]
set -eu
bin=${1:-build/deskplayer}
build=$(dirname "$bin")
dec="$build/bench/bench_image_decode"
[ -x "$dec" ] || dec="$build/bench_image_decode"
[ -x "$dec" ] || { echo "image_formats: build bench_image_decode first" >&2; exit 1; }
im=/usr/bin/convert
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ffmpeg -v error -y -f lavfi -i testsrc2=s=4032x3024 -frames:v 1 "$work/src.png"
$im "$work/src.png" -quality 90 "$work/p.jpg"
$im "$work/src.png" -quality 80 "$work/p.heic"
$im "$work/src.png" -quality 80 "$work/p.avif"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for f in jpg heic avif; do
    [ -s "$work/p.$f" ] || { echo "$f: could not be made"; continue; }
    /usr/bin/time -f '%M' -o "$work/rss" "$dec" "$work/p.$f" 1920 1080 5 > "$work/t"
    set -- $(cat "$work/t")
    ours_ms=$2; ours_kb=$(cat "$work/rss")
    : > "$work/imt"
    for i in 1 2 3; do
        /usr/bin/time -f '%e %M' -o "$work/one" $im "$work/p.$f" -resize 1920x1080 \
            "$work/out.bmp"
        cat "$work/one" >> "$work/imt"
    done
    im_s=$(cut -d' ' -f1 "$work/imt" | median); im_kb=$(cut -d' ' -f2 "$work/imt" | median)
    echo "$f ($(stat -c %s "$work/p.$f") bytes) -> $3: deskplayer median $ours_ms ms," \
         "peak RSS $ours_kb kB; ImageMagick $im_s s, $im_kb kB" \
         "(ratio time $(awk -v a="$im_s" -v b="$ours_ms" 'BEGIN{printf "%.2f", a*1000/b}'))"
done

# (2) CPU of an animated GIF item against a still image.
ffmpeg -v error -y -f lavfi -i testsrc2=s=480x270:r=10 -t 3 "$work/anim.gif"
ffmpeg -v error -y -f lavfi -i testsrc2=s=480x270 -frames:v 1 "$work/still.png"
for k in anim still; do
    mkdir -p "$work/$k"
    cp "$work/$k".* "$work/$k/"
done
ticks() {
    t=0
    for s in /proc/"$1"/task/*/stat; do
        set -- $(cut -d' ' -f14,15 "$s" 2>/dev/null || echo "0 0")
        t=$((t + $1 + $2))
    done
    echo $t
}
cpu() {   # folder -> % of one core over 10 s
    env SDL_AUDIODRIVER=dummy "$bin" --headless --size 1920x1080 --cache-dir "$work/c" \
        "$1" >/dev/null 2>&1 &
    pid=$!
    sleep 5
    a=$(ticks $pid); sleep 10; b=$(ticks $pid)
    kill $pid; wait $pid 2>/dev/null || true
    awk -v d=$((b - a)) -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f\n", d * 100.0 / hz / 10}'
}
: > "$work/ca"; : > "$work/cs"
for i in 1 2 3; do
    a=$(cpu "$work/anim"); s=$(cpu "$work/still")
    echo "round $i: animated GIF $a% of a core, still image $s%"
    echo "$a" >> "$work/ca"; echo "$s" >> "$work/cs"
done
echo "median: animated GIF $(median < "$work/ca")%, still image $(median < "$work/cs")%"
