#!/usr/bin/env bash
# Installs every Debian package that Moat's build, tests, demo and benchmarks
# need, with apt-get. Safe to run again: when everything is already installed
# it changes nothing and does not touch the network.
#
# Usage: scripts/deps.sh            (as root, or with sudo available)
#        MOAT_DEPS_FORCE=1 scripts/deps.sh   always apt-get update + install
#
# Packages come from the list below plus any file named debian-packages.txt
# under tests/ (one package a line, '#' comments), so a test suite can declare
# what it needs next to itself.
#
# Go itself is not a Debian package here: Moat needs Go 1.26 at /usr/local/go.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

packages=(
	ca-certificates # Go module proxy over HTTPS
	git
	make
	gcc       # static C test programs and benchmarks
	libc6-dev # static libc for them
	file      # tests check that built programs are static
	busybox-static # the demo's and the tests' root file systems
	strace    # debugging only
	runc      # reference runtime for integration tests
	docker.io containerd # tests/e2e/docker_test.go: Debian's dockerd 20.10 and its containerd
	runsc     # Debian's gVisor: the benchmarks' anchor, /usr/bin/runsc
	shellcheck # make test lints the shell scripts
	util-linux # taskset, unshare, nsenter
	mount      # mount(8) for the native chroot reference runs
	procps     # ps, pgrep for leak checks in tests
	jq         # the demo edits config.json
	# Real programs that tests/programs runs natively and in the sandbox.
	bash
	python3
	perl
	tar
	gzip
	findutils
	coreutils
)

if [[ -d "$repo/tests" ]]; then
	while IFS= read -r f; do
		while read -r line; do
			line=${line%%#*}
			for p in $line; do
				packages+=("$p")
			done
		done <"$f"
	done < <(find "$repo/tests" -name debian-packages.txt -type f | sort)
fi

# check_go warns when the Go toolchain Moat builds with is absent.
check_go() {
	if [[ ! -x /usr/local/go/bin/go ]] && ! command -v go >/dev/null; then
		echo "deps: warning: Go 1.26 is not at /usr/local/go; 'make build' needs it" >&2
	fi
}
check_go

# containerd2 builds containerd 2.x, its ctr and its runc shim for tests/e2e (Debian has
# 1.6 only) through the Go module proxy, once: they are kept in
# $MOAT_E2E_CACHE/containerd-<version>/bin (default /var/tmp/moat-e2e-cache),
# where tests/e2e/e2eutil looks for them.
containerd2() {
	local v=v2.4.2 # e2eutil.Containerd2Version
	local dir=${MOAT_E2E_CACHE:-/var/tmp/moat-e2e-cache}/containerd-$v/bin
	[[ -x $dir/containerd && -x $dir/ctr && -x $dir/containerd-shim-runc-v2 ]] && return 0
	local go=/usr/local/go/bin/go
	[[ -x $go ]] || go=go
	echo "deps: building containerd $v, ctr and containerd-shim-runc-v2 into $dir (go install)"
	mkdir -p "$dir"
	(cd "$dir" && GOBIN=$dir CGO_ENABLED=0 GOTOOLCHAIN=local "$go" install \
		"github.com/containerd/containerd/v2/cmd/containerd@$v" \
		"github.com/containerd/containerd/v2/cmd/ctr@$v" \
		"github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2@$v")
}

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[[ "$status" == installed ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 && "${MOAT_DEPS_FORCE:-0}" != 1 ]]; then
	echo "deps: all ${#packages[@]} Debian packages already installed"
	containerd2
	exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || {
		echo "deps: need root (or sudo) to install: ${missing[*]}" >&2
		exit 1
	}
	sudo=(sudo)
fi

echo "deps: installing ${missing[*]:-${packages[*]}}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${packages[@]}"
containerd2
