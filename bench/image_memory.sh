#!/bin/sh
# Benchmark 7: RSS added by a 24 MP photo in rotation, against the same run
# with a 1080p photo, headless at 1920x1080.
# Benchmark 9: the time (and peak memory) to bring the same 24 MP JPEG to a
# 1920x1080 picture: deskplayer's image path (bench_image_load: sniff,
# reduced-scale decode, EXIF, resize) against ImageMagick's reduced-scale
# decode (/usr/bin/convert -define jpeg:size + -resize), both timed as whole
# processes with the same clock, interleaved, ratio per round.
# Usage: bench/image_memory.sh [BUILD_DIR]   (default: build)
set -eu
. "$(dirname "$0")/lib.sh"
bench_init "${1:-}"
rounds=${ROUNDS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench_target bench_image_load
loader=$build/bench/bench_image_load
# ImageMagick's own convert: another one may come first on PATH.
im=/usr/bin/convert
[ -x "$im" ] || im=""
ffmpeg -v error -y -f lavfi -i testsrc2=s=6000x4000 -frames:v 1 -q:v 3 "$work/big.jpg"
ffmpeg -v error -y -f lavfi -i testsrc2=s=1920x1080 -frames:v 1 -q:v 3 "$work/small.jpg"
for name in big small; do
    mkdir -p "$work/$name"
    cp "$work/$name.jpg" "$work/$name/photo.jpg"
    printf '{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"p","image":"photo.jpg"},{"id":"t","content_text":"text"}]}\n' > "$work/$name/feed.json"
done
cat > "$work/c.conf" <<CONF
[playback]
image_duration = 2s
text_duration = 2s
[status]
listen =
CONF
peak() {   # feed -> peak RSS in kB over two cycles
    /usr/bin/time -f '%M' -o "$work/rss" env SDL_AUDIODRIVER=dummy "$bin" --headless \
        -c "$work/c.conf" --cache-dir "$work/cache-$$" --cycles 2 "$1" >/dev/null 2>&1
    cat "$work/rss"
}
# command... -> "seconds peak_kB" of the whole process
timed() {
    t0=$(now)
    /usr/bin/time -f '%M' -o "$work/t" "$@" >/dev/null 2>&1
    t1=$(now)
    echo "$(elapsed "$t0" "$t1") $(cat "$work/t")"
}
: > "$work/added"; : > "$work/s"
: > "$work/dp_t"; : > "$work/dp_m"; : > "$work/im_t"; : > "$work/im_m"
for i in $(seq "$rounds"); do
    b=$(peak "$work/big/feed.json"); s=$(peak "$work/small/feed.json")
    echo "round $i: peak RSS 24 MP $b kB, 1080p $s kB, added $((b - s)) kB"
    echo "$((b - s))" >> "$work/added"; echo "$s" >> "$work/s"
    set -- $(timed "$loader" "$work/big.jpg" 1920 1080)
    echo "$1" >> "$work/dp_t"; echo "$2" >> "$work/dp_m"
    line="         24 MP JPEG -> 1920x1080: deskplayer $1 s, $2 kB"
    if [ -n "$im" ]; then
        set -- $(timed "$im" -define jpeg:size=1920x1080 "$work/big.jpg" -resize 1920x1080 \
                 "$work/out.ppm")
        echo "$1" >> "$work/im_t"; echo "$2" >> "$work/im_m"
        line="$line; ImageMagick jpeg:size + resize $1 s, $2 kB"
    fi
    echo "$line"
done
echo "median RSS added by a 24 MP photo: $(median < "$work/added") kB (target <= 40960 kB);" \
     "1080p run peak $(median < "$work/s") kB"
echo "median 24 MP JPEG -> 1920x1080: deskplayer $(median < "$work/dp_t") s," \
     "$(median < "$work/dp_m") kB"
if [ -n "$im" ]; then
    echo "median 24 MP JPEG -> 1920x1080: ImageMagick $(median < "$work/im_t") s," \
         "$(median < "$work/im_m") kB"
    ratio_line "time deskplayer/ImageMagick (target <= 1.2)" "$work/dp_t" "$work/im_t"
    ratio_line "peak memory deskplayer/ImageMagick" "$work/dp_m" "$work/im_m"
else
    echo "ImageMagick (/usr/bin/convert) not installed: no anchor"
fi
exit 0
