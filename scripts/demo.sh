#!/bin/sh
# Plays the bundled demo feed fullscreen, or explains how to run headless.
set -eu
bin=$1
here=$(cd "$(dirname "$0")/.." && pwd)
feed="$here/assets/demo/feed.json"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && ! ls /dev/dri/card* >/dev/null 2>&1; then
    cat <<MSG
deskplayer: no display found (no \$DISPLAY, no \$WAYLAND_DISPLAY, no /dev/dri/card*).
Run it headless, writing a PNG of each item it shows:

    $bin --headless --snapshot-dir /tmp/deskplayer-shots --cycles 1 "$feed"

or under a virtual X server:

    xvfb-run -s '-screen 0 1920x1080x24' $bin "$feed"
MSG
    exit 0
fi
exec "$bin" --cache-dir "${XDG_CACHE_HOME:-$HOME/.cache}/deskplayer-demo" "$feed"
