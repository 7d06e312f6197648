#!/bin/sh
# Checks or applies the project's .clang-format to the C sources of player/,
# tests/ and bench/.
# Usage: scripts/format.sh --check   lists every file clang-format would
#                                    change, with how many lines; exit 1 if any
#        scripts/format.sh --fix     rewrites those files in place
set -eu
mode=${1:-}
case $mode in --check|--fix) ;; *) echo "usage: $0 --check|--fix" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
command -v clang-format >/dev/null 2>&1 ||
    { echo "format: clang-format is not installed (apt-get install clang-format)" >&2; exit 2; }
files=$(find player tests bench -name '*.[ch]' | sort)
if [ "$mode" = --fix ]; then
    # shellcheck disable=SC2086
    clang-format -i --style=file $files
    echo "format: $(echo "$files" | wc -l) files formatted"
    exit 0
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT INT TERM
total=0; nfiles=0
for f in $files; do
    clang-format --style=file "$f" >"$tmp"
    n=$(diff --unchanged-line-format= --old-line-format='%L' --new-line-format= "$f" "$tmp" |
        wc -l || true)
    if [ "$n" -gt 0 ]; then
        echo "$f: $n lines"
        total=$((total + n)); nfiles=$((nfiles + 1))
    fi
done
if [ "$total" -gt 0 ]; then
    echo "format: $total lines in $nfiles files differ from .clang-format" \
         "(scripts/format.sh --fix rewrites them)"
    exit 1
fi
echo "format: every file matches .clang-format"
