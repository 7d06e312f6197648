#!/bin/sh
# Benchmark (issue 11): live item due -> first frame; CPU of a 720p30 live
# stream beside the same as a file; see live_play.py.
exec python3 "$(dirname "$0")/live_play.py" "${1:-build/deskplayer}"
