#!/bin/sh
# Benchmark 10: start -> first frame with a warm cache, image first, headless
# 1920x1080, against a minimal SDL program that shows the same image
# (bench/sdl_show_image.c, built here). Interleaved rounds, medians, and the
# ratio of each round.
# Usage: bench/first_frame.sh [BUILD_DIR]   (default: build)
set -eu
. "$(dirname "$0")/lib.sh"
bench_init "${1:-}"
rounds=${ROUNDS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/anchor" "$here/sdl_show_image.c" $(pkg-config --cflags --libs sdl2 SDL2_image)
ffmpeg -v error -y -f lavfi -i testsrc2=s=1920x1080 -frames:v 1 -q:v 3 "$work/photo.jpg"
mkdir -p "$work/site"
cp "$work/photo.jpg" "$work/site/"
printf '{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"p","image":"photo.jpg"}]}\n' \
    > "$work/site/feed.json"
( cd "$work/site" && exec python3 -m http.server --bind 127.0.0.1 0 ) > "$work/http.log" 2>&1 &
srv=$!
sleep 1
port=$(grep -o 'port [0-9]*' "$work/http.log" | head -n1 | cut -d' ' -f2)
url="http://127.0.0.1:$port/feed.json"
printf '[display]\ntransition = cut\n' > "$work/c.conf"
export SDL_AUDIODRIVER=dummy SDL_VIDEODRIVER=offscreen
# Warm the cache once.
"$bin" --headless -c "$work/c.conf" --cache-dir "$work/cache" --run-for 3 "$url" >/dev/null 2>&1
: > "$work/dp"; : > "$work/an"
for i in $(seq "$rounds"); do
    t0=$(now)
    "$bin" --headless -c "$work/c.conf" --cache-dir "$work/cache" --run-for 2 \
        --play-log "$work/log$i" "$url" >/dev/null 2>&1
    show=$(grep -m1 '"event":"show"' "$work/log$i" | sed 's/.*"ts":"\([^"]*\)".*/\1/')
    t1=$(date -d "$show" +%s.%N)
    dp=$(elapsed "$t0" "$t1")
    t0=$(now)
    t1=$("$work/anchor" "$work/photo.jpg")
    an=$(elapsed "$t0" "$t1")
    echo "round $i: deskplayer ${dp}s, minimal SDL program ${an}s"
    echo "$dp" >> "$work/dp"; echo "$an" >> "$work/an"
done
kill $srv
echo "median start->first show: deskplayer $(median <"$work/dp")s," \
     "anchor $(median <"$work/an")s"
ratio_line "deskplayer/anchor (target <= 1.3)" "$work/dp" "$work/an"
