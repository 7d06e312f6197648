#!/bin/sh
# Builds dist/deskplayer_<version>_<arch>.deb with Debian's tooling (debian/,
# dh and its cmake build system). ARCH other than the machine's cross-builds
# it with multiarch: scripts/deps.sh --cross ARCH installs the cross
# compiler and the ARCH development packages first. (issue 12)
#   scripts/deb.sh [ARCH]
set -eu
cd "$(dirname "$0")/.."
HOST=$(dpkg --print-architecture)
ARCH=${1:-$HOST}
[ -n "$ARCH" ] || ARCH=$HOST

if [ "$ARCH" = "$HOST" ]; then
    ./scripts/deps.sh
else
    ./scripts/deps.sh --cross "$ARCH"
    # dh_auto_test does nothing when cross-building: make test-arm64 runs the tests.
    DEB_BUILD_OPTIONS="nocheck${DEB_BUILD_OPTIONS:+ $DEB_BUILD_OPTIONS}"
    CC="$(dpkg-architecture -a "$ARCH" -q DEB_HOST_GNU_TYPE 2>/dev/null)-gcc"
    export DEB_BUILD_OPTIONS CC
fi
dpkg-checkbuilddeps -a "$ARCH"
mkdir -p dist
# The build directory is per architecture (obj-<triplet>), the staging one
# (debian/deskplayer) is cleaned first.
dpkg-architecture -a "$ARCH" -c debian/rules clean
dpkg-architecture -a "$ARCH" -c debian/rules binary
ls -l dist/*_"$ARCH".deb
