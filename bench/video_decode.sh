#!/bin/sh
# Benchmark 1 (docs/benchmarks.md): decode throughput of deskplayer's video
# pipeline (demux + decode threads and queues, no pacing, no display) on a
# generated 1080p30 H.264 clip, against `ffmpeg -threads N -i clip -an -f null -`,
# interleaved A, B, A, B ... ROUNDS times. Prints medians, ranges and the
# ratio of each round (target >= 0.9). Both are timed as whole processes with
# the same clock.
#
# usage: bench/video_decode.sh [BUILD_DIR] [THREADS] [ROUNDS] [SECONDS]
#        (default: build, 2, 5, 20)
set -eu
. "$(dirname "$0")/lib.sh"
bench_init "${1:-}"
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
bench_target bench_video_decode
prog=$build/bench/bench_video_decode

: > "$work/ours"; : > "$work/theirs"
i=1
while [ "$i" -le "$rounds" ]; do
    t0=$(now)
    out=$("$prog" "$clip" "$threads" none 2>/dev/null)
    t1=$(now)
    got=$(echo "$out" | sed 's/.*frames=\([0-9]*\).*/\1/')
    [ "$got" = "$frames" ] || { echo "deskplayer decoded $got of $frames frames"; exit 1; }
    o=$(echo "$frames $t0 $t1" | awk '{printf "%.1f", $1 / ($3 - $2)}')

    t0=$(now)
    ffmpeg -hide_banner -loglevel error -threads "$threads" -i "$clip" -an -f null - </dev/null
    t1=$(now)
    f=$(echo "$frames $t0 $t1" | awk '{printf "%.1f", $1 / ($3 - $2)}')
    echo "$o" >> "$work/ours"; echo "$f" >> "$work/theirs"
    echo "round $i: deskplayer $o fps, ffmpeg $f fps"
    i=$((i + 1))
done

set -- $(stats < "$work/ours"); om=$1; olo=$2; ohi=$3
set -- $(stats < "$work/theirs"); fm=$1; flo=$2; fhi=$3
echo "clip: $clip ($frames frames, 1920x1080 H.264), threads=$threads, rounds=$rounds"
echo "deskplayer pipeline: median $om fps (range $olo-$ohi)"
echo "ffmpeg -threads $threads -an -f null: median $fm fps (range $flo-$fhi)"
ratio_line "fps deskplayer/ffmpeg (target >= 0.9)" "$work/ours" "$work/theirs"
