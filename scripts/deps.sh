#!/bin/sh
# Installs the Debian packages deskplayer needs to build, run and test.
# Skips apt-get entirely when every package is already installed, so a run
# needs no package registry when nothing is missing.
set -eu

PACKAGES="build-essential cmake pkg-config
libsdl2-dev libsdl2-image-dev libsdl2-ttf-dev libjpeg62-turbo-dev libexif-dev
libcurl4-openssl-dev libavformat-dev libavcodec-dev libavutil-dev
libswresample-dev libswscale-dev libcjson-dev libxml2-dev libinih-dev
libsodium-dev libqrencode-dev libcmocka-dev
ffmpeg python3 xvfb xauth clang libclang-rt-14-dev fiu-utils
libmosquitto-dev mosquitto mosquitto-clients"

if [ "${1:-}" = "--list" ]; then
    echo $PACKAGES
    exit 0
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "deps: all packages present"
    exit 0
fi

echo "deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "deps: not root and no sudo; install these packages:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
