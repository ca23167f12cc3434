# The two commands a user needs: `make run` and `make test`. Both install what is missing first.
BUILD ?= build
JOBS ?= 2
DEBIAN_PACKAGES := cmake ninja-build g++ make ccache pkg-config sqlite3 libsqlite3-dev libboost-dev \
  nlohmann-json3-dev librdkafka-dev libspdlog-dev libgtest-dev libgmock-dev libbenchmark-dev \
  libcli11-dev libssl-dev zlib1g-dev openssl ca-certificates gnuplot-nox kcat clang-format \
  libpq-dev postgresql-15
CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DSQLITE_CDC_WERROR=ON

# The servers and the independent signer the tests run come from npm, pinned by package-lock.json.
NODE_DEPS := tests/node/node_modules/.package-lock.json

.PHONY: all deps node-deps build test test-sanitize fuzz bench run clean format format-check

all: build

# dpkg -s fails for any package that is not installed; only then do we touch apt.
deps:
	@if ! dpkg -s $(DEBIAN_PACKAGES) >/dev/null 2>&1; then \
	  echo "installing build dependencies with apt-get"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES); \
	fi

node-deps: $(NODE_DEPS)

$(NODE_DEPS): tests/node/package.json tests/node/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "installing Node.js and npm with apt-get"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends nodejs npm; \
	fi
	cd tests/node && npm ci --no-audit --no-fund --loglevel=error

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build node-deps
	cd $(BUILD) && ctest --output-on-failure -j 2

# Every C++ file in the style of .clang-format; format-check changes nothing and fails on a difference.
FORMATTED = $$(git ls-files '*.cc' '*.h')
format: deps
	clang-format -i $(FORMATTED)
format-check: deps
	clang-format --dry-run -Werror $(FORMATTED)

# The whole suite again with AddressSanitizer and UndefinedBehaviorSanitizer (CLIs included).
SAN_BUILD ?= build-asan
test-sanitize: deps node-deps
	cmake -S . -B $(SAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
	  -DSQLITE_CDC_SANITIZE=ON
	cmake --build $(SAN_BUILD) -j $(JOBS)
	cd $(SAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j 2

# The schema fuzzer for FUZZ_SECONDS, starting from the corpus kept in tests/fuzz/corpus; new finds
# go to $(FUZZ_BUILD)/corpus (merge them in with -merge=1 when they add coverage). FUZZ_SEED fixes
# libFuzzer's seed: CI sets it so that its verdict on a commit can be reproduced; unset, every run
# explores differently (what a developer runs, for longer, before landing trigger changes).
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SEED ?=
FUZZ_PACKAGES := clang libclang-rt-14-dev
fuzz: deps
	@if ! dpkg -s $(FUZZ_PACKAGES) >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(FUZZ_PACKAGES); \
	fi
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DSQLITE_CDC_FUZZ=ON -DBUILD_TESTING=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target schema_fuzzer
	mkdir -p $(FUZZ_BUILD)/corpus
	$(FUZZ_BUILD)/tests/fuzz/schema_fuzzer -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=4096 \
	  $(if $(FUZZ_SEED),-seed=$(FUZZ_SEED)) \
	  $(FUZZ_BUILD)/corpus tests/fuzz/corpus

# Benchmarks build in Release in a folder of their own; see bench/run.sh for the knobs.
BENCH_BUILD ?= build-bench
bench: deps node-deps
	cmake -S . -B $(BENCH_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
	  -DSQLITE_CDC_BENCH=ON -DBUILD_TESTING=OFF
	cmake --build $(BENCH_BUILD) -j $(JOBS) --target cdc_bench cdc_bench_report sqlite-cdc
	bench/run.sh $(BENCH_BUILD)

run: build
	./examples/demo/run.sh $(BUILD)

clean:
	rm -rf $(BUILD)
