# Moat's build. `make check` is what CI runs: deps, build, test.
#
#   make deps    install the Debian packages the tests and benchmarks need
#   make build   bin/runsc (and bin/containerd-shim-runsc-v1 once ./shim has Go files)
#   make test    gofmt check, go vet, shellcheck, go test (as root)
#   make check   deps + build + test
#   make e2e     build, then only tests/e2e (real containerd/Docker daemons)
#   make bench   bench/run.sh: native vs Moat vs gVisor
#   make demo    scripts/demo.sh: busybox in a Moat sandbox
#   make clean   remove bin/ and the scratch dirs

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

export PATH := /usr/local/go/bin:$(PATH)
# Never fetch a different Go toolchain: use the one installed here.
export GOTOOLCHAIN := local
# No cgo anywhere (runsc refuses to build with it): build, vet and test alike.
export CGO_ENABLED := 0
# No cgo anywhere in Moat (runsc refuses to build with it: see
# runsc/cgo_guard.go); vet and test see the same build as make build.
export CGO_ENABLED := 0

GO ?= go
GOFLAGS_BUILD ?= -trimpath
# go test's -timeout is per package binary; the whole suite must fit well
# inside CI's 90 minutes.
TEST_TIMEOUT ?= 15m
TEST_FLAGS ?=
PKGS ?= ./...

# Tests that start sandboxes find the binaries here.
export MOAT_BIN_DIR := $(CURDIR)/bin
export MOAT_RUNSC := $(CURDIR)/bin/runsc

# Go files to format-check: everything in the tree but caches and build output.
GO_FILES = $(shell find . -name '*.go' -not -path './.cache/*' -not -path './bin/*' \
	-not -path './.git/*' -not -path '*/testdata/*')
SH_FILES = .ci/run $(wildcard scripts/*.sh bench/*.sh)

.PHONY: all deps build test fmt-check vet lint-sh go-test check e2e bench demo clean

all: build

deps:
	scripts/deps.sh

build:
	@mkdir -p bin
	$(GO) build $(GOFLAGS_BUILD) -o bin/runsc ./runsc
	@if ls shim/*.go >/dev/null 2>&1; then \
		echo "$(GO) build $(GOFLAGS_BUILD) -o bin/containerd-shim-runsc-v1 ./shim"; \
		$(GO) build $(GOFLAGS_BUILD) -o bin/containerd-shim-runsc-v1 ./shim; \
	fi

fmt-check:
	@echo "gofmt -l (all Go files)"
	@out=$$(gofmt -l $(GO_FILES) </dev/null); \
	if [ -n "$$out" ]; then echo "gofmt would change these files (run gofmt -w):"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

lint-sh:
	shellcheck $(SH_FILES)

go-test:
	@if [ "$$(id -u)" -ne 0 ]; then echo "make test: tests that start sandboxes need root" >&2; exit 1; fi
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) $(TEST_FLAGS) $(PKGS)

test: fmt-check vet lint-sh go-test

# Sequential on purpose, even under make -j: tests use the built binaries.
check:
	@echo "==== make deps ===="
	@$(MAKE) --no-print-directory deps
	@echo "==== make build ===="
	@$(MAKE) --no-print-directory build
	@echo "==== make test ===="
	@$(MAKE) --no-print-directory test

# tests/e2e alone (make check runs it too, as part of ./...).
e2e: build
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) $(TEST_FLAGS) ./tests/e2e

bench:
	scripts/deps.sh
	@$(MAKE) --no-print-directory build || echo "bench: build failed; the Moat column will say why"
	bench/run.sh

demo:
	scripts/demo.sh

clean:
	rm -rf bin /var/tmp/moat-bench /var/tmp/moat-demo /var/tmp/moat-tests-$$(id -u)
