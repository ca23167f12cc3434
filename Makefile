# The two commands a user needs: `make run` and `make test`. Both install what is missing first.
BUILD ?= build
JOBS ?= 2
DEBIAN_PACKAGES := cmake ninja-build g++ make ccache pkg-config sqlite3 libsqlite3-dev libboost-dev \
  nlohmann-json3-dev librdkafka-dev libspdlog-dev libgtest-dev libgmock-dev libbenchmark-dev \
  libcli11-dev libssl-dev zlib1g-dev openssl ca-certificates kcat
CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache

.PHONY: all deps build test run clean

all: build

# dpkg -s fails for any package that is not installed; only then do we touch apt.
deps:
	@if ! dpkg -s $(DEBIAN_PACKAGES) >/dev/null 2>&1; then \
	  echo "installing build dependencies with apt-get"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES); \
	fi

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j 2

run: build
	./examples/demo/run.sh $(BUILD)

clean:
	rm -rf $(BUILD)
