#!/bin/sh
# Cache eviction with 20,000 files all in the rotation (issue 8): 100 evicted.
# Usage: cache_evict.sh BUILD_DIR
set -eu
dir=$1
"$dir/bench/bench_cache_evict" 20000
