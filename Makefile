# Convenience wrapper around the CMake build in build/.
#   make demo    build everything, run the demo (examples/run-demo.sh)
#   make install install under PREFIX (default /usr/local): cmake --install
#   make deb     build the Debian package build/fr_*.deb (cpack -G DEB)
#   make check   build everything, run the whole lit suite (every LLVM found;
#                also make check-all-llvm)
#   make bench   build everything, run the micro-benchmarks (bench/run.sh,
#                bench/sync.sh, bench/runtime.sh)
#   make redis-check  redis from Debian's source, built with the plugin,
#                recorded under redis-benchmark (bench/realworld/redis.sh)
#   make browser-check  frtool report and export in headless Chromium
#                (test/browser/run.sh; installs chromium and npm packages)
#   make stress  the adversarial programs of test/stress/ (signal and fork
#                storms, dlopen loops), with what was asked for counted
#   make fuzz    the libFuzzer harnesses, one per frtool command, with ASan
#                and UBSan, FUZZ_SECONDS each (default 60; test/fuzz/run.sh)
#   make check-repeat  the whole suite REPEAT times (default 20) under load
#                (test/check-repeat.sh)
#   make check-asan, make check-tsan  the e2e and trigger tests with the
#                runtime and the test programs built with ASan+UBSan, TSan
#   make stress-asan, make stress-tsan  make stress, likewise built
BUILD ?= build
CMAKE_FLAGS ?= -DCMAKE_C_COMPILER=clang

.PHONY: all setup install deb demo check check-all-llvm bench redis-check browser-check stress fuzz \
	check-repeat check-asan check-tsan stress-asan stress-tsan clean

# Every build first installs what is missing (tools/setup-debian: one line
# says what and why; nothing when all is there), and also installs into
# $(BUILD)/stage: the tests of the installed tree (fr-clang,
# find_package(fr), pkg-config) use it.
all: setup $(BUILD)/Makefile
	cmake --build $(BUILD) -j2
	cmake --install $(BUILD) --prefix $(abspath $(BUILD))/stage > /dev/null

install: all
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

deb: all
	cd $(BUILD) && cpack -G DEB

setup:
	tools/setup-debian

$(BUILD)/Makefile: | setup
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

demo: all
	examples/run-demo.sh $(BUILD)

check: all
	cmake --build $(BUILD) --target check

check-all-llvm: check

bench: all
	bench/run.sh $(BUILD)
	bench/sync.sh $(BUILD)
	bench/runtime.sh $(BUILD)

redis-check: all
	bench/realworld/redis.sh $(BUILD)

browser-check: all
	test/browser/run.sh $(BUILD)

stress: all
	test/stress/run.sh $(BUILD)

fuzz: all
	test/fuzz/run.sh $(BUILD)

check-repeat: all
	test/check-repeat.sh $(BUILD)

check-asan: all
	cmake --build $(BUILD) --target check-asan

check-tsan: all
	cmake --build $(BUILD) --target check-tsan

stress-asan: all
	SANITIZER=asan test/stress/run.sh $(BUILD)

stress-tsan: all
	SANITIZER=tsan test/stress/run.sh $(BUILD)

clean:
	rm -rf $(BUILD)
