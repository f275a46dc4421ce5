# Convenience wrapper around the CMake build in build/.
#   make demo    build everything, run the demo (examples/run-demo.sh)
#   make check   build everything, run the whole lit suite (every LLVM found)
#   make bench   build everything, run the micro-benchmarks (bench/run.sh,
#                bench/sync.sh, bench/runtime.sh)
#   make redis-check  redis from Debian's source, built with the plugin,
#                recorded under redis-benchmark (bench/realworld/redis.sh)
#   make browser-check  frtool report and export in headless Chromium
#                (test/browser/run.sh; installs chromium and npm packages)
#   make stress  the adversarial programs of test/stress/ (signal and fork
#                storms, dlopen loops), with what was asked for counted
BUILD ?= build
CMAKE_FLAGS ?= -DCMAKE_C_COMPILER=clang

.PHONY: all demo check bench redis-check browser-check stress clean

all: $(BUILD)/Makefile
	cmake --build $(BUILD) -j2

$(BUILD)/Makefile:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

demo: all
	examples/run-demo.sh $(BUILD)

check: all
	cmake --build $(BUILD) --target check

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

clean:
	rm -rf $(BUILD)
