# Thin wrapper around CMake: deps, build, demo, test, bench, fuzz, install.
JOBS      ?= 2
BUILD     ?= build
ASAN      ?= build-asan
FUZZBUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
CMAKE_FLAGS ?=

.PHONY: all deps build build-asan demo test test-unit test-asan test-long bench fuzz install clean

all: build

deps:
	@./scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

build-asan: deps
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DENABLE_SANITIZERS=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN) -j$(JOBS)

demo: build
	@./scripts/demo.sh $(BUILD)/deskplayer

test: build build-asan
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	cd $(ASAN) && DP_SANITIZER=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ctest --output-on-failure -j$(JOBS)
	@./scripts/fuzz.sh --if-available $(FUZZBUILD) $(FUZZ_SECONDS)

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

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZBUILD)
