#!/bin/sh
# Benchmark 7: RSS added by a 24 MP photo in rotation, against the same run
# with a 1080p photo, headless at 1920x1080; and benchmark 9's anchor: the
# time and memory ImageMagick needs to bring the same JPEG to screen size
# with a reduced-scale decode (-define jpeg:size), when convert is installed.
set -eu
bin=${1:-build/deskplayer}
rounds=${ROUNDS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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
CONF
peak() {   # feed -> peak RSS in kB over two cycles, and first-show latency
    /usr/bin/time -f '%M' -o "$work/rss" env SDL_AUDIODRIVER=dummy "$bin" --headless \
        -c "$work/c.conf" --cache-dir "$work/cache-$$" --cycles 2 "$1" >/dev/null 2>&1
    cat "$work/rss"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: > "$work/b"; : > "$work/s"; : > "$work/im"
for i in $(seq "$rounds"); do
    b=$(peak "$work/big/feed.json"); s=$(peak "$work/small/feed.json")
    echo "round $i: peak RSS 24 MP $b kB, 1080p $s kB, added $((b - s)) kB"
    echo "$((b - s))" >> "$work/b"; echo "$s" >> "$work/s"
    if command -v convert >/dev/null 2>&1; then
        /usr/bin/time -f '%e %M' -o "$work/imt" convert -define jpeg:size=1920x1080 \
            "$work/big.jpg" -resize 1920x1080 "$work/out.png"
        echo "          ImageMagick jpeg:size + resize: $(cat "$work/imt") (s, kB)"
        cut -d' ' -f2 "$work/imt" >> "$work/im"
    fi
done
echo "median RSS added by a 24 MP photo: $(median < "$work/b") kB (target <= 40960 kB);" \
     "1080p run peak $(median < "$work/s") kB"
[ -s "$work/im" ] && echo "ImageMagick peak for the same JPEG: $(median < "$work/im") kB"
exit 0
