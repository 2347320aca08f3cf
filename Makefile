# kgdb-lab: build, run and test. See README.md for what each target is for.
#
#   make run     build, then serve the bundled guest to gdb (kgdb-lab serve: 4 CPUs,
#                hardlockup scenario, pseudo-NMI roundup, 127.0.0.1:1234); needs only node + npm
#   make test    everything the CI runs: deps, build, guest tests, guest image
#                reproducibility, jest, typecheck
#
# guest/Makefile (targets image, check, tests, bench) builds the bundled guest kernel.

SHELL := /bin/bash
.DEFAULT_GOAL := build
# A failed recipe must not leave a target that looks up to date.
.DELETE_ON_ERROR:

# Host tools the guest build, the tests and the benchmarks use, and the Debian 12 packages that
# provide them (chromium: the headless browser the `compare --html` test drives through
# playwright-core; cc: bench/replay-stub.c, the no-work stub of `make bench` row 2's floor).
HOST_TOOLS := gdb-multiarch aarch64-linux-gnu-gcc aarch64-linux-gnu-as aarch64-linux-gnu-ld \
              qemu-system-aarch64 dtc chromium cc
APT_PACKAGES := gdb-multiarch gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-system-arm \
                device-tree-compiler chromium gcc

# npm ci writes node_modules/.package-lock.json, so it stands for "node_modules matches the lock".
NODE_STAMP := node_modules/.package-lock.json
BUILD_STAMP := dist/.build-stamp
# Directories too: deleting a source file changes its directory's mtime and forces a rebuild.
TS_SOURCES := $(shell find src -name '*.ts' -o -type d)

# How long `make fuzz` fuzzes the RSP server, and `make soak` cycles gdb, host seconds.
FUZZ_SECONDS ?= 60
SOAK_SECONDS ?= 600

# Extra arguments for `make run` (options of `kgdb-lab serve`), e.g.
# make run RUN_ARGS='--roundup ipi --port 4321'.
RUN_ARGS ?=

.PHONY: deps node-deps host-tools build typecheck run guest guest-check guest-tests test bench fuzz soak clean

## deps: npm packages (npm ci, when package-lock.json changed) and the host tools.
deps: node-deps host-tools

node-deps: $(NODE_STAMP)

$(NODE_STAMP): package-lock.json
	npm ci
	@touch $@

## host-tools: install the cross toolchain, QEMU, gdb and dtc when any is missing (as root),
## or print the apt command and fail.
host-tools:
	@missing=""; \
	for t in $(HOST_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "kgdb-lab: missing host tools:$$missing"; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "kgdb-lab: as root, run: apt-get update && apt-get install -y $(APT_PACKAGES)"; \
	  exit 1; \
	fi; \
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-upgrade $(APT_PACKAGES); \
	for t in $(HOST_TOOLS); do \
	  command -v $$t >/dev/null 2>&1 || { echo "kgdb-lab: $$t still missing after apt-get install"; exit 1; }; \
	done

## build: compile src/ to dist/ (bin/kgdb-lab.js runs dist/cli/main.js).
build: $(BUILD_STAMP)

$(BUILD_STAMP): $(NODE_STAMP) $(TS_SOURCES) tsconfig.json tsconfig.build.json
	rm -rf dist
	npx tsc -p tsconfig.build.json
	@touch $@

## typecheck: type-check src/, test/ and bench/ (jest runs ts-jest without type checking).
typecheck: $(NODE_STAMP)
	npx tsc -p tsconfig.json --noEmit

## run: serve the bundled guest to gdb (kgdb-lab serve; it prints the gdb command that
## attaches); needs only node and the npm packages. The guest's console is this terminal.
run: build
	node bin/kgdb-lab.js serve $(RUN_ARGS)

## guest: build the bundled guest image (guest/kgdb-lab-guest.elf).
guest: host-tools
	$(MAKE) -C guest image

## guest-check: rebuild the guest and compare it with the committed image (reproducibility).
guest-check: host-tools
	$(MAKE) -C guest check

## guest-tests: build the guest test programs.
guest-tests: host-tools
	$(MAKE) -C guest tests

## test: everything; this is what .ci/run calls. The type check of the tests comes last so a
## type error there does not hide the jest results (ts-jest itself does not type-check).
test: deps build
	$(MAKE) --no-print-directory guest-tests
	$(MAKE) --no-print-directory guest-check
	npx jest
	$(MAKE) --no-print-directory typecheck

## bench: build kgdb-lab and the benchmark guest, then measure the issue-8 table against QEMU
## (prints it and writes bench/results/bench-<time>.json). BENCH_ARGS passes options, e.g.
## make bench BENCH_ARGS='--rows 1,3 --runs 5' (see bench/README.md).
BENCH_ARGS ?=
bench: deps build
	$(MAKE) -C guest bench
	npx ts-node --transpile-only bench/bench.ts $(BENCH_ARGS)

## fuzz: fuzz the RSP server (random bytes, grammar-built packets, mutated gdb captures)
## against the bundled guest for FUZZ_SECONDS (default 60); prints the cases tried.
## FUZZ_SEED=N replays a seed.
fuzz: deps build
	FUZZ_SECONDS=$(FUZZ_SECONDS) npx ts-node --transpile-only test/fuzz/run.ts

## soak: SOAK_SECONDS (default 600) of real gdb continue / Ctrl-C / breakpoint cycles across
## all CPUs of a 16-CPU machine; prints cycles done, failures and the server's resident
## memory at start and end.
soak: deps build
	SOAK_SECONDS=$(SOAK_SECONDS) npx ts-node --transpile-only test/soak/run.ts

clean:
	rm -rf dist
