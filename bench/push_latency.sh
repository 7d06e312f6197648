#!/bin/sh
# Benchmark (issue 11): MQTT message -> new post on screen; see push_latency.py.
exec python3 "$(dirname "$0")/push_latency.py" "${1:-build/deskplayer}"
