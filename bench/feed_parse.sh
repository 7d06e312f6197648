#!/bin/sh
# Feed parsing benchmark: our parser (bench_feed_parse, C, libxml2) against
# Python's feedparser on the same generated 1,000-item RSS 2.0 feed (HTML in
# CDATA, content:encoded, enclosures, Media RSS, dc:creator). Five rounds,
# interleaved (ours, then feedparser); each round times 3 parses after one
# warm-up, in-process, so interpreter and process start-up are not counted.
# Prints each round's ratio feedparser / ours, their median and range.
# Usage: bench/feed_parse.sh [BUILD_DIR]   (default: build)
set -eu
. "$(dirname "$0")/lib.sh"
bench_init "${1:-}"
rounds=${ROUNDS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# The Python that has feedparser (Debian's python3-feedparser lives in
# /usr/bin/python3, which a pyenv or venv python3 on PATH may hide).
py=""
for c in ${PYTHON:-} python3 /usr/bin/python3; do
    if "$c" -c 'import feedparser' 2>/dev/null; then py=$c; break; fi
done
[ -n "$py" ] || { echo "feed_parse: python3-feedparser is not installed" >&2; exit 1; }

bench_target bench_feed_parse
bin="$build/bench/bench_feed_parse"

"$py" - "$work/feed.xml" <<'PY'
import sys, datetime
out = sys.argv[1]
base = datetime.datetime(2026, 3, 1, 12, 0, 0)
items = []
for i in range(1000):
    d = (base - datetime.timedelta(minutes=37 * i)).strftime('%a, %d %b %Y %H:%M:%S +0000')
    items.append(f'''    <item>
      <title>Item {i}: caf\u00e9 &amp; cr\u00e8me \u2014 \u00ab news \u00bb</title>
      <link>https://bench.example/posts/{i}</link>
      <guid isPermaLink="false">bench-{i}</guid>
      <pubDate>{d}</pubDate>
      <dc:creator>Author {i % 17}</dc:creator>
      <description><![CDATA[<p>Summary of item {i}, with <b>bold</b> and <a href="https://x.example/{i}">a link</a>.</p>]]></description>
      <content:encoded><![CDATA[<p>Full text of item {i}. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.</p><p>Second paragraph&nbsp;: \u00e0 bient\u00f4t.<br>Line two.</p><img src="/img/{i}.jpg" alt="inline">]]></content:encoded>
      <enclosure url="https://cdn.bench.example/{i}.jpg" length="{10000 + i}" type="image/jpeg"/>
      <media:content url="https://cdn.bench.example/{i}-hd.mp4" type="video/mp4" medium="video" width="1920" height="1080" duration="{5 + i % 50}"/>
    </item>''')
with open(out, 'w', encoding='utf-8') as f:
    f.write('''<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
  <channel>
    <title>Benchmark feed</title>
    <link>https://bench.example/</link>
    <description>1,000 items</description>
''' + '\n'.join(items) + '\n  </channel>\n</rss>\n')
PY
size=$(wc -c <"$work/feed.xml")
echo "feed: 1000 items, $size bytes"

: >"$work/ours"; : >"$work/py"
r=1
while [ $r -le $rounds ]; do
    ours=$("$bin" "$work/feed.xml" 3 | sed -n 's/^ms=\([0-9.]*\) posts=\([0-9]*\)$/\1 \2/p')
    echo "${ours% *}" >>"$work/ours"
    fp=$("$py" - "$work/feed.xml" <<'PY'
import sys, time, feedparser
data = open(sys.argv[1], 'rb').read()
d = feedparser.parse(data)
t = time.perf_counter()
for _ in range(3):
    d = feedparser.parse(data)
ms = (time.perf_counter() - t) * 1000 / 3
print(f"{ms:.3f} {len(d.entries)}")
PY
)
    echo "${fp% *}" >>"$work/py"
    echo "round $r: ours ${ours% *} ms (${ours#* } posts), feedparser ${fp% *} ms (${fp#* } entries)"
    r=$((r + 1))
done
set -- $(stats <"$work/ours"); m_ours=$1
set -- $(stats <"$work/py"); m_py=$1
echo "median: ours $m_ours ms, feedparser $m_py ms"
ratio_line "feedparser/ours (target >= 50)" "$work/py" "$work/ours"
