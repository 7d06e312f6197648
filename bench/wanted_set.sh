#!/bin/sh
# The wanted-media rebuild for the 4,000 posts of 20 attachments (issue 8;
# "bench_wanted_set 10000 20" for 10,000 posts, ~2 min of nested loop):
# hash set vs the nested loop it replaced, same run. Usage: wanted_set.sh BUILD_DIR
set -eu
dir=$1
"$dir/bench/bench_wanted_set" 4000 20
