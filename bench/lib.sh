# Sourced by every bench/*.sh: the one argument they all take and the
# helpers they share. Each script is run as
#     bench/<name>.sh [BUILD_DIR] [extra arguments of its own]
# with BUILD_DIR the CMake build folder (default: build, at the top of the
# source tree); deskplayer is BUILD_DIR/deskplayer, the bench programs are
# BUILD_DIR/bench/bench_*. Rounds are interleaved (deskplayer, then its
# anchor, ROUNDS times) and every ratio is computed per round, from the two
# runs of the same round, then summarised by its median and range.

# Sets here (bench/), src (the source tree), build and bin from $1.
bench_init() {
    here=$(cd "$(dirname "$0")" && pwd)
    src=$(dirname "$here")
    build=${1:-$src/build}
    case $build in /*) ;; *) build=$PWD/$build ;; esac
    if [ ! -f "$build/CMakeCache.txt" ]; then
        echo "$(basename "$0"): $build is not a build folder (run make build)" >&2
        exit 1
    fi
    bin=$build/deskplayer
}

# Builds (if needed) and checks one CMake target of the build folder.
bench_target() {
    cmake --build "$build" -j2 --target "$1" >/dev/null || exit 1
}

now() { date +%s.%N; }
# elapsed T0 T1: seconds between two now() readings, "0.254".
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# Median and range of the numbers on stdin, one a line: "median lo hi".
stats() {
    sort -g | awk '{v[NR]=$1} END {if (NR == 0) {print "nan nan nan"; exit}
        m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; print m, v[1], v[NR]}'
}
median() { stats | cut -d' ' -f1; }

# pair_ratios A B: line i of file A over line i of file B (the same round),
# one a line; rounds where B is 0 are left out.
pair_ratios() {
    paste -d' ' "$1" "$2" | awk '$2 + 0 != 0 {printf "%.4f\n", $1 / $2}'
}

# ratio_line LABEL A B: "LABEL: per round r1 r2 ...; median M (range lo-hi)".
ratio_line() {
    r=$(pair_ratios "$2" "$3")
    if [ -z "$r" ]; then
        echo "$1: no ratio (the anchor measured 0)"
        return 0
    fi
    list=$(echo "$r" | awk '{printf "%s%.2f", (NR > 1 ? " " : ""), $1}')
    set -- "$1" $(echo "$r" | stats) "$list"
    printf '%s: per round %s; median %.3f (range %.3f-%.3f)\n' "$1" "$5" "$2" "$3" "$4"
}
