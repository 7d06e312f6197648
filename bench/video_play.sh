#!/bin/sh
# Benchmarks 3, 4 and 6 (docs/benchmarks.md): deskplayer playing a generated
# 1080p30 H.264 clip (with sound) in a 1920x1080 window under Xvfb, against
# ffplay playing the same clip in the same window size and SDL environment
# (SDL_RENDER_DRIVER=software SDL_FRAMEBUFFER_ACCELERATION=0, dummy audio),
# interleaved A, B, A, B ... ROUNDS times, each measured with /usr/bin/time -v.
# Prints medians and ranges of CPU (user+sys over wall, % of a core), the
# ratio (target <= 1.0), dropped frames (deskplayer: the play log's `shown`
# event; ffplay: its fd= counter), and peak RSS beside ffplay's.
#
# The ratios (CPU, peak RSS) are computed per round, from the two runs of
# that round.
#
# usage: bench/video_play.sh [BUILD_DIR] [ROUNDS] [SECONDS]   (default: build, 5, 20)
# PLAYER=standalone measures bench/video_play.c instead (the scene and video
# modules as the app drives them, without feed, cache or network).
set -eu
. "$(dirname "$0")/lib.sh"
bench_init "${1:-}"
rounds=${2:-5}
secs=${3:-20}
work=${BENCH_DIR:-/tmp/dp_bench_video}
mkdir -p "$work"
player=${PLAYER:-deskplayer}
if [ "$player" = standalone ]; then
    bench_target bench_video_play
    bin=$build/bench/bench_video_play
fi
[ -x "$bin" ] || { echo "build $bin first"; exit 1; }

clip=$work/h264_1080p30_${secs}s.mp4
if [ ! -s "$clip" ]; then
    ffmpeg -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=$secs" \
        -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$secs" \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest "$clip"
fi
frames=$(ffprobe -v error -select_streams v:0 -count_packets \
         -show_entries stream=nb_read_packets -of csv=p=0 "$clip")

# One video post in a local JSON feed.
feed=$work/play_feed.json
cat > "$feed" <<JSON
{"version": "https://jsonfeed.org/version/1.1", "title": "bench",
 "items": [{"id": "clip", "content_text": "",
            "attachments": [{"url": "file://$clip", "mime_type": "video/mp4"}]}]}
JSON

# An X server of our own (stopped at the end if we started it).
xpid=""
if ! DISPLAY=:99 xdpyinfo >/dev/null 2>&1; then
    Xvfb :99 -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
    xpid=$!
    i=0
    until DISPLAY=:99 xdpyinfo >/dev/null 2>&1; do
        i=$((i + 1)); [ $i -lt 50 ] || { echo "Xvfb did not start"; exit 1; }
        sleep 0.1
    done
fi
cleanup() { [ -z "$xpid" ] || kill "$xpid" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

export DISPLAY=:99 SDL_VIDEODRIVER=x11 SDL_RENDER_DRIVER=software \
       SDL_FRAMEBUFFER_ACCELERATION=0 SDL_AUDIODRIVER=dummy

# "cpu% rss_kb" from a /usr/bin/time -v report.
usage() { awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} /Maximum resident/ {m=$2}
          /Elapsed \(wall/ {n=split($2, t, ":"); w=0; for (i=1; i<=n; i++) w = w*60 + t[i]}
          END {printf "%.1f %d %.2f", (u+s)*100/w, m, w}' "$1"; }

# A warm cache, as on a screen that has played its desk before (the clip is
# copied into the cache once, here, unmeasured).
rm -rf "$work/cache"
if [ "$player" != standalone ]; then
    timeout 120 "$bin" --windowed 1920x1080 --cache-dir "$work/cache" --cycles 1 "$feed" \
        >/dev/null 2>&1 || true
fi

d_cpu=""; f_cpu=""; d_rss=""; f_rss=""; d_drop=""; f_drop=""
: > "$work/d_cpu"; : > "$work/f_cpu"; : > "$work/d_rss"; : > "$work/f_rss"
i=1
while [ "$i" -le "$rounds" ]; do
    log=$work/play.log; rm -f "$log"
    if [ "$player" = standalone ]; then
        /usr/bin/time -v -o "$work/time_d" timeout 120 "$bin" "$clip" 1920x1080 \
            >"$work/stdout_d" 2>"$work/stderr_d" || true
        dd=$(grep -o 'dropped=[0-9]*' "$work/stdout_d" | grep -o '[0-9]*$' || true)
        df=$(grep -o 'frames=[0-9]*' "$work/stdout_d" | grep -o '[0-9]*$' || true)
    else
        /usr/bin/time -v -o "$work/time_d" timeout 120 "$bin" --windowed 1920x1080 \
            --play-log "$log" --cache-dir "$work/cache" --cycles 1 "$feed" \
            2>"$work/stderr_d" || true
        dd=$(grep '"shown"' "$log" 2>/dev/null | grep -o '"dropped": *[0-9]*' | tail -1 |
             grep -o '[0-9]*$' || true)
        df=$(grep '"shown"' "$log" 2>/dev/null | grep -o '"frames": *[0-9]*' | tail -1 |
             grep -o '[0-9]*$' || true)
    fi
    set -- $(usage "$work/time_d"); dc=$1; dr=$2; dw=$3

    /usr/bin/time -v -o "$work/time_f" ffplay -hide_banner -loglevel info -stats \
        -autoexit -x 1920 -y 1080 -left 0 -top 0 -noborder "$clip" 2>"$work/stderr_f" || true
    set -- $(usage "$work/time_f"); fc=$1; fr=$2; fw=$3
    fd=$(tr '\r' '\n' < "$work/stderr_f" | grep -o 'fd= *[0-9]*' | tail -1 | grep -o '[0-9]*$')

    echo "round $i: deskplayer ${dc}% ${dr} KB ${dw}s frames=${df:-?} dropped=${dd:-?};" \
         "ffplay ${fc}% ${fr} KB ${fw}s dropped=${fd:-?}"
    d_cpu="$d_cpu $dc"; f_cpu="$f_cpu $fc"; d_rss="$d_rss $dr"; f_rss="$f_rss $fr"
    d_drop="$d_drop ${dd:-0}"; f_drop="$f_drop ${fd:-0}"
    echo "$dc" >> "$work/d_cpu"; echo "$fc" >> "$work/f_cpu"
    echo "$dr" >> "$work/d_rss"; echo "$fr" >> "$work/f_rss"
    i=$((i + 1))
done

stats_of() { echo "$@" | tr ' ' '\n' | grep . | stats; }
set -- $(stats_of $d_cpu); dm=$1; dlo=$2; dhi=$3
set -- $(stats_of $f_cpu); fm=$1; flo=$2; fhi=$3
echo "clip: $clip ($frames frames, 1920x1080 H.264 + AAC), window 1920x1080 on Xvfb," \
     "SDL software renderer, dummy audio, rounds=$rounds"
echo "player: $player ($bin)"
echo "CPU deskplayer: median ${dm}% of a core (range $dlo-$dhi)"
echo "CPU ffplay:     median ${fm}% of a core (range $flo-$fhi)"
ratio_line "CPU deskplayer/ffplay (target <= 1.0, aim 0.9)" "$work/d_cpu" "$work/f_cpu"
set -- $(stats_of $d_drop); echo "dropped deskplayer: median $1 (range $2-$3) of $frames"
set -- $(stats_of $f_drop); echo "dropped ffplay:     median $1 (range $2-$3)"
set -- $(stats_of $d_rss); drm=$1
set -- $(stats_of $f_rss); frm=$1
echo "$drm $frm" | awk '{printf "peak RSS: deskplayer %.0f MB, ffplay %.0f MB (medians)\n",
                         $1 / 1024, $2 / 1024}'
ratio_line "peak RSS deskplayer/ffplay (target <= 1.1)" "$work/d_rss" "$work/f_rss"
