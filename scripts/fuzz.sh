#!/bin/sh
# Builds the libFuzzer targets with clang and runs each for N seconds.
# Usage: scripts/fuzz.sh --if-available|--required BUILD_DIR SECONDS [TARGET...]
# --if-available: skip quietly when clang's fuzzer runtime is missing.
# --required: fail when it is missing.
# Seeds: tests/fuzz/seeds/<target>/ plus, when present, data-only folders of
# ../shared/corpus (read, never written). New inputs go to a temporary corpus;
# crashes, leaks, timeouts and OOMs are written under a temporary artifact
# folder (-artifact_prefix), reported, and copied to BUILD_DIR/fuzz-artifacts.
set -eu
mode=${1:?mode}; dir=${2:?build dir}; secs=${3:?seconds}
shift 3
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${DP_CORPUS:-$here/../shared/corpus}
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

# Extra read-only seed folders from the shared corpus, per target.
extra_seeds() {
    target=$1
    case $1 in
    jsonfeed) set -- jsonfeed-examples/test/examples/v1.1 jsontestsuite/test_parsing ;;
    mastodon) set -- jsontestsuite/test_parsing ;;
    xmlfeed) set -- feedparser/tests/wellformed/rss feedparser/tests/wellformed/atom10 \
                    feedparser/tests/wellformed/media-rss feedparser/tests/illformed \
                    feedparser/tests/encoding ;;
    *) set -- ;;
    esac
    for d in "$@"; do
        [ -d "$corpus/$d" ] && echo "$corpus/$d"
    done
    # The project's own fixtures (read, never written).
    case $target in
    minisign) echo "$here/tests/fixtures/minisign" "$here/tests/fixtures/minisign/bad" ;;
    esac
    return 0
}

targets=${*:-}
if [ -z "$targets" ]; then
    for t in "$dir"/tests/fuzz/fuzz_*; do
        [ -x "$t" ] && targets="$targets $(basename "$t")"
    done
fi
failed=0
for name in $targets; do
    t="$dir/tests/fuzz/$name"
    [ -x "$t" ] || { echo "fuzz: no target $name" >&2; exit 1; }
    short=${name#fuzz_}
    seeds="$here/tests/fuzz/seeds/$short"
    work=$(mktemp -d)
    artifacts=$(mktemp -d)
    log="$work.log"
    echo "fuzz: $name for ${secs}s"
    # shellcheck disable=SC2046
    status=0
    "$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" \
        "$work" $( [ -d "$seeds" ] && echo "$seeds" ) $(extra_seeds "$short") \
        >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    grep -E '^(==[0-9]+==ERROR|SUMMARY|INFO: Done|Done)' "$log" || true
    echo "fuzz: $name: ${execs:-0} executions, exit status $status"
    found=$(ls "$artifacts" 2>/dev/null | grep -E '^(crash|leak|timeout|oom|slow-unit)-' || true)
    if [ -n "$found" ] || [ "$status" -ne 0 ]; then
        mkdir -p "$dir/fuzz-artifacts/$short"
        cp "$artifacts"/* "$dir/fuzz-artifacts/$short/" 2>/dev/null || true
        cp "$log" "$dir/fuzz-artifacts/$short/$name.log"
        echo "fuzz: $name found a problem: ${found:-exit status $status}" \
             "(kept in $dir/fuzz-artifacts/$short)" >&2
        failed=1
    fi
    rm -rf "$work" "$artifacts" "$log"
done
exit $failed
