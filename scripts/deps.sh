#!/bin/sh
# Installs the Debian packages deskplayer needs to build, run and test.
# Skips apt-get entirely when every package is already installed, so a run
# needs no package registry when nothing is missing.
set -eu

PACKAGES="build-essential cmake pkg-config
libsdl2-dev libsdl2-image-dev libsdl2-ttf-dev libjpeg62-turbo-dev libexif-dev
libcurl4-openssl-dev libavformat-dev libavcodec-dev libavutil-dev
libswresample-dev libswscale-dev libcjson-dev libxml2-dev
libsodium-dev libqrencode-dev libcmocka-dev
ffmpeg python3 xvfb xauth clang libclang-rt-14-dev fiu-utils"
# issue 12: service (sd_notify), screen power (DRM, X11 DPMS), packaging
PACKAGES="$PACKAGES libsystemd-dev libdrm-dev libx11-dev libxext-dev
debhelper dpkg-dev lintian systemd"
# issue 9: text in every script (ICU, fontconfig, fallback fonts, OCR in tests)
PACKAGES="$PACKAGES libicu-dev libfontconfig-dev fonts-noto-core fonts-noto-cjk
fonts-noto-color-emoji tesseract-ocr tesseract-ocr-heb tesseract-ocr-ara
tesseract-ocr-chi-sim tesseract-ocr-jpn"
# issue 10: pictures of the wild (HEIF/AVIF, JPEG XL, ICC, animated WebP)
PACKAGES="$PACKAGES libheif-dev libjxl-dev liblcms2-dev libwebp-dev zlib1g-dev imagemagick"
# issue 13: the status endpoint (libmicrohttpd), the format check, the bench anchors
PACKAGES="$PACKAGES libmicrohttpd-dev clang-format python3-feedparser"
# issue 11: push (MQTT) and its tests' broker
PACKAGES="$PACKAGES libmosquitto-dev mosquitto mosquitto-clients"

# issue 12: `--cross ARCH` adds the foreign architecture and its development
# packages (multiarch), the cross compiler and qemu-user; only asked for by
# `make deb ARCH=...` and `make test-arm64`, never by a plain build.
CROSS_DEV="libsdl2-dev libsdl2-image-dev libsdl2-ttf-dev libjpeg62-turbo-dev
libexif-dev libcurl4-openssl-dev libavformat-dev libavcodec-dev libavutil-dev
libswresample-dev libswscale-dev libcjson-dev libxml2-dev
libsodium-dev libqrencode-dev libcmocka-dev libsystemd-dev libdrm-dev
libx11-dev libxext-dev libicu-dev libfontconfig-dev
libheif-dev libjxl-dev liblcms2-dev libwebp-dev zlib1g-dev libmicrohttpd-dev
libmosquitto-dev"

CROSS=""
LIST=""
while [ $# -gt 0 ]; do
    case "$1" in
        --list) LIST=1 ;;
        --cross) CROSS="${2:?deps: --cross needs an architecture, e.g. arm64}"; shift ;;
        *) echo "deps: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
if [ -n "$CROSS" ]; then
    case "$CROSS" in
        arm64) GNU=aarch64-linux-gnu; QEMU=qemu-user-static ;;
        armhf) GNU=arm-linux-gnueabihf; QEMU=qemu-user-static ;;
        *) echo "deps: unknown cross architecture $CROSS" >&2; exit 2 ;;
    esac
    PACKAGES="$PACKAGES crossbuild-essential-$CROSS gcc-$GNU $QEMU"
    for p in $CROSS_DEV; do
        PACKAGES="$PACKAGES $p:$CROSS"
    done
fi

if [ -n "$LIST" ]; then
    echo $PACKAGES
    exit 0
fi

missing=""
NATIVE=$(dpkg --print-architecture)
installed() {
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}
for p in $PACKAGES; do
    # With a foreign architecture added, a bare name installed for both is
    # ambiguous to dpkg: ask for the native one then.
    case "$p" in
        *:*) installed "$p" || missing="$missing $p" ;;
        *) installed "$p" || installed "$p:$NATIVE" || missing="$missing $p" ;;
    esac
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
if [ -n "$CROSS" ] && ! dpkg --print-foreign-architectures | grep -qx "$CROSS"; then
    $SUDO dpkg --add-architecture "$CROSS"
fi
# Another apt-get may hold the dpkg lock: wait for it (up to ~10 minutes).
apt_retry() {
    n=0
    until $SUDO apt-get -o DPkg::Lock::Timeout=60 "$@"; do
        n=$((n + 1))
        if [ "$n" -ge 10 ]; then
            return 1
        fi
        echo "deps: apt-get $1 failed (lock held?), retrying in 30 s" >&2
        sleep 30
    done
}
apt_retry update -qq
# shellcheck disable=SC2086
apt_retry install -y -qq --no-install-recommends $missing
