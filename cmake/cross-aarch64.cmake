# Cross-building for arm64 on a Debian amd64 machine with multiarch (issue 12):
# the compiler of crossbuild-essential-arm64, the :arm64 libraries through
# their pkg-config wrapper, tests run under qemu-user (no binfmt needed).
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/cross-aarch64.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(PKG_CONFIG_EXECUTABLE /usr/bin/aarch64-linux-gnu-pkg-config CACHE FILEPATH "")
find_program(DP_QEMU_AARCH64 qemu-aarch64-static)
if(DP_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${DP_QEMU_AARCH64})
endif()
# Programs (python3, ffmpeg) from the build machine; libraries and headers
# from the multiarch paths.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
