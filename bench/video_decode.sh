#!/bin/sh
# Benchmark 1 (docs/benchmarks.md): decode throughput of deskplayer's video
# pipeline (demux + decode threads and queues, no pacing, no display) on a
# generated 1080p30 H.264 clip, against `ffmpeg -threads N -i clip -an -f null -`,
# interleaved A, B, A, B ... ROUNDS times. Prints medians, ranges and the ratio
# (target >= 0.9). Both are timed as whole processes with the same clock.
#
# usage: bench/video_decode.sh [BUILD_DIR] [THREADS] [ROUNDS] [SECONDS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=${1:-$src/build-video}
threads=${2:-2}
rounds=${3:-5}
secs=${4:-20}
work=${BENCH_DIR:-/tmp/dp_bench_video}
mkdir -p "$work"

clip=$work/h264_1080p30_${secs}s.mp4
if [ ! -s "$clip" ]; then
    ffmpeg -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=$secs" \
        -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$secs" \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest "$clip"
fi
frames=$(ffprobe -v error -select_streams v:0 -count_packets \
         -show_entries stream=nb_read_packets -of csv=p=0 "$clip")

# The bench program links the media and core libraries of the build.
prog=$work/video_decode
[ -f "$build/libdpmedia.a" ] || { echo "build $build first (libdpmedia.a)"; exit 1; }
cc -O2 -std=c11 -D_GNU_SOURCE -I"$src/player" -o "$prog" "$here/video_decode.c" \
    "$build/libdpmedia.a" "$build/libdpcore.a" \
    $(pkg-config --libs sdl2 SDL2_image libavformat libavcodec libavutil libswresample \
      libswscale libjpeg libexif libcjson libxml-2.0 inih libsodium) -lpthread -lm

now() { date +%s.%N; }
ours=""; theirs=""
i=1
while [ "$i" -le "$rounds" ]; do
    t0=$(now)
    out=$("$prog" "$clip" "$threads" none 2>/dev/null)
    t1=$(now)
    got=$(echo "$out" | sed 's/.*frames=\([0-9]*\).*/\1/')
    [ "$got" = "$frames" ] || { echo "deskplayer decoded $got of $frames frames"; exit 1; }
    ours="$ours $(echo "$frames $t0 $t1" | awk '{printf "%.1f", $1 / ($3 - $2)}')"

    t0=$(now)
    ffmpeg -hide_banner -loglevel error -threads "$threads" -i "$clip" -an -f null - </dev/null
    t1=$(now)
    theirs="$theirs $(echo "$frames $t0 $t1" | awk '{printf "%.1f", $1 / ($3 - $2)}')"
    echo "round $i: deskplayer $(echo $ours | awk '{print $NF}') fps," \
         "ffmpeg $(echo $theirs | awk '{print $NF}') fps"
    i=$((i + 1))
done

stats() { echo "$@" | tr ' ' '\n' | grep . | sort -n |
          awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2;
                printf "%.1f %.1f %.1f", m, v[1], v[NR]}'; }
set -- $(stats $ours); om=$1; olo=$2; ohi=$3
set -- $(stats $theirs); fm=$1; flo=$2; fhi=$3
echo "clip: $clip ($frames frames, 1920x1080 H.264), threads=$threads, rounds=$rounds"
echo "deskplayer pipeline: median $om fps (range $olo-$ohi)"
echo "ffmpeg -threads $threads -an -f null: median $fm fps (range $flo-$fhi)"
echo "$om $fm" | awk '{r = $1 / $2; printf "ratio %.3f (target >= 0.9): %s\n", r,
                        (r >= 0.9 ? "PASS" : "FAIL")}'
