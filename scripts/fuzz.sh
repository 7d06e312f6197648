#!/bin/sh
# Builds the libFuzzer targets with clang and runs each for N seconds.
# --if-available: skip quietly when clang's fuzzer runtime is missing.
# --required: fail when it is missing.
set -eu
mode=$1; dir=$2; secs=$3
here=$(cd "$(dirname "$0")/.." && pwd)
rt=$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null | head -n1 || true)
if ! command -v clang >/dev/null 2>&1 || [ -z "$rt" ]; then
    if [ "$mode" = "--required" ]; then
        echo "fuzz: clang with libFuzzer runtime not found (libclang-rt-14-dev)" >&2
        exit 1
    fi
    echo "fuzz: skipped (no clang fuzzer runtime)"
    exit 0
fi
if [ ! -f "$here/tests/fuzz/CMakeLists.txt" ]; then
    echo "fuzz: no fuzz targets yet"
    exit 0
fi
CC=clang cmake -S "$here" -B "$dir" -DENABLE_FUZZING=ON -DBUILD_TESTING=OFF \
    -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$dir" -j2 --target fuzz_targets
for t in "$dir"/tests/fuzz/fuzz_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    seeds="$here/tests/fuzz/seeds/${name#fuzz_}"
    work=$(mktemp -d)
    echo "fuzz: $name for ${secs}s"
    "$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        "$work" $( [ -d "$seeds" ] && echo "$seeds" ) 2>&1 | grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Done' || true
    status=0
    ls "$work"/../crash-* >/dev/null 2>&1 && status=1
    rm -rf "$work"
    [ $status -eq 0 ] || { echo "fuzz: $name found a crash" >&2; exit 1; }
done
