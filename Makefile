# Thin wrapper around CMake: deps, build, demo, test, bench, fuzz, install.
JOBS      ?= 2
BUILD     ?= build
ASAN      ?= build-asan
FUZZBUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
# make test gives each fuzz target less time (eight targets; CI has 2 cores)
TEST_FUZZ_SECONDS ?= 10
CMAKE_FLAGS ?=
# -Werror: off for users and packagers (a new compiler's new warning must not
# break their build), on in `make test` and so in CI.
WERROR    ?= OFF
FLAGSBUILD ?= build-flags
PYTHON    ?= python3

.PHONY: all deps build build-asan build-flags deb test-deb test-arm64 demo test test-unit test-asan test-long bench fuzz install clean

all: build

deps:
	@./scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDP_WERROR=$(WERROR) \
	    $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

build-asan: deps
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DENABLE_SANITIZERS=ON \
	    -DDP_WERROR=$(WERROR) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN) -j$(JOBS)

demo: build
	@./scripts/demo.sh $(BUILD)/deskplayer

# The whole tree, tests included, with Debian's hardening flags (-O2,
# _FORTIFY_SOURCE, stack protector, PIE, relro) as a package build sets them:
# built, not run (make test runs the other two builds).
build-flags: deps
	eval "$$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)" && \
	    cmake -S . -B $(FLAGSBUILD) -DCMAKE_BUILD_TYPE=None -DDP_WERROR=$(WERROR) \
	    $(CMAKE_FLAGS) >/dev/null && cmake --build $(FLAGSBUILD) -j$(JOBS)

test: WERROR = ON
test: build build-asan build-flags
	@./scripts/format.sh --check
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	cd $(ASAN) && DP_SANITIZER=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ctest --output-on-failure -j$(JOBS)
	@./scripts/fuzz.sh --if-available $(FUZZBUILD) $(TEST_FUZZ_SECONDS)

test-long: build
	cd $(BUILD) && DP_LONG=1 ctest --output-on-failure -j$(JOBS)

# Every bench script takes the build folder; one that fails is named at the
# end and the others still run.
bench: build
	@failed=""; for b in bench/*.sh; do [ "$$b" = bench/lib.sh ] && continue; \
	    echo "== $$b"; sh $$b $(BUILD) || failed="$$failed $$b"; done; \
	    [ -z "$$failed" ] || { echo "bench: failed:$$failed" >&2; exit 1; }

fuzz: deps
	@./scripts/fuzz.sh --required $(FUZZBUILD) $(FUZZ_SECONDS)

# issue 12: the Debian package, dist/deskplayer_<version>_<arch>.deb; ARCH=arm64
# cross-builds it (multiarch). test-deb checks the package (contents,
# conffile, unit, a run from the unpacked tree); test-arm64 cross-builds the
# tests and runs them under qemu-user.
ARCH ?=
deb:
	@./scripts/deb.sh $(ARCH)

test-deb: deb
	$(PYTHON) tests/package/test_deb.py \
	    dist/deskplayer_*_$(or $(ARCH),$$(dpkg --print-architecture)).deb

test-arm64:
	@./scripts/test-cross.sh arm64

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZBUILD) $(FLAGSBUILD)
