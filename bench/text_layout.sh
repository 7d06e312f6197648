#!/bin/sh
# Text in every script (issue 9). 1) Layout time of a 5,000-character post
# in each script, as a 1920x1080 text card lays it out, against Latin text
# of the same length and one 60 Hz frame (bench_text_layout, CPU time).
# 2) Peak RSS added by the fallback fonts: the same headless run (1920x1080,
# one cycle) over a mixed-script desk (Hebrew, Arabic, Chinese, Japanese,
# emoji, Mathematical Bold) and over a Latin desk of as many posts,
# interleaved; prints each round and the medians.
# Usage: bench/text_layout.sh [path/to/deskplayer]   (default build/deskplayer)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/build/deskplayer}
build=$(dirname "$bin")
rounds=${ROUNDS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

lay="$build/bench/bench_text_layout"
[ -x "$lay" ] || cmake --build "$build" -j2 --target bench_text_layout >/dev/null
echo "-- layout of a 5,000-character post (1920x1080 card, fonts of $here/assets)"
"$lay" "$here/assets" 2>/dev/null

python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
desks = {
    "mixed": ["שלום לכולם וברוכים הבאים לכנס השנתי", "مرحبا بكم في المؤتمر السنوي 19:30",
              "欢迎大家参加今年的年度大会，下午两点在主会场开始。",
              "本日の基調講演は午後七時半から大ホールで始まります。",
              "Family 👨‍👩‍👧 pride 🏳️‍🌈 alarm 🚨", "𝐒𝐚𝐫𝐚 says hello"],
    "latin": ["Welcome everyone to the annual meeting", "Doors open at seven in the hall",
              "The keynote starts at half past seven tonight", "Coffee is served in the lobby",
              "Family pride alarm tonight", "Sara says hello"],
}
for name, texts in desks.items():
    os.makedirs(os.path.join(work, name))
    items = [{"id": "p%d" % i, "content_text": t, "authors": [{"name": "Desk"}]}
             for i, t in enumerate(texts)]
    with open(os.path.join(work, name, "feed.json"), "w", encoding="utf-8") as f:
        json.dump({"version": "https://jsonfeed.org/version/1.1", "items": items}, f,
                  ensure_ascii=False)
PY
cat > "$work/c.conf" <<CONF
[playback]
text_duration = 1s
[display]
transition = cut
CONF
peak() {   # desk -> peak RSS in kB over one cycle
    /usr/bin/time -f '%M' -o "$work/rss" env SDL_AUDIODRIVER=dummy "$bin" --headless \
        --size 1920x1080 -c "$work/c.conf" --cache-dir "$work/cache-$1" --cycles 1 \
        "$work/$1/feed.json" >/dev/null 2>&1
    cat "$work/rss"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: > "$work/m"; : > "$work/l"
echo "-- peak RSS, mixed-script desk against a Latin desk"
for i in $(seq "$rounds"); do
    m=$(peak mixed); l=$(peak latin)
    echo "round $i: mixed $m kB, latin $l kB, added $((m - l)) kB"
    echo "$((m - l))" >> "$work/m"; echo "$l" >> "$work/l"
done
echo "median RSS added by the fallback fonts: $(median < "$work/m") kB" \
     "(Latin desk peak $(median < "$work/l") kB)"
