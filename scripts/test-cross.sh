#!/bin/sh
# make test-arm64 (issue 12): cross-builds the tree for ARCH with multiarch
# and runs, under qemu-user, the unit tests and the integration tests that
# prove the player on that architecture: headless playback, offline start,
# video, and the service's notify protocol. Not part of make test (slow).
#   scripts/test-cross.sh arm64
set -eu
cd "$(dirname "$0")/.."
ARCH=${1:-arm64}
case "$ARCH" in
    arm64) TOOLCHAIN=cmake/cross-aarch64.cmake ;;
    *) echo "test-cross: no toolchain file for $ARCH" >&2; exit 2 ;;
esac
BUILD=${CROSSBUILD:-build-$ARCH}
JOBS=${JOBS:-2}
./scripts/deps.sh --cross "$ARCH"
start=$(date +%s)
cmake -S . -B "$BUILD" -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDP_WERROR=ON >/dev/null
cmake --build "$BUILD" -j"$JOBS"
built=$(date +%s)
file "$BUILD/deskplayer"
TESTS='^unit\.|^integration\.test_(playback|net_offline|video_playback|service_notify)$'
set +e
# Emulation runs several times slower than the sanitizer pass: the timing
# checks that pass reports instead of judging (dropped frames) are reported
# here too (DP_SANITIZER, DP_ASAN), and a clip may take longer than its
# length, within the player's grace (DP_EMULATED); the rest is judged as usual.
(cd "$BUILD" && DP_SANITIZER=1 DP_ASAN=1 DP_EMULATED=1 ctest --output-on-failure -j"$JOBS" --timeout 1800 -R "$TESTS")
rc=$?
set -e
end=$(date +%s)
echo "test-$ARCH: build $((built - start)) s, tests $((end - built)) s, exit $rc"
exit $rc
