#!/usr/bin/env bash
# A CRI pod start-to-ready under runc and under Moat, in one run: a private
# containerd 2.x (built by scripts/deps.sh into the e2e cache) with the CRI
# plugin and two runtime handlers, runc (2.x's runc shim) and runsc
# (containerd-shim-runsc-v1, what a RuntimeClass with `handler: runsc`
# selects), driven by a small Go CRI client (bench/cri). Prints a table with
# the ratios.
#
# Usage: bench/cri.sh       (as root; bench/run.sh calls it)
#
# Environment knobs:
#   BENCH_WORK        scratch dir (default /var/tmp/moat-bench)
#   BENCH_CRI_RUNS    runs per handler, interleaved (default 10)
#   MOAT_RUNSC        Moat's runsc (default bin/runsc of this checkout)
#   MOAT_SHIM         the shim (default bin/containerd-shim-runsc-v1 beside it)
#   MOAT_E2E_CACHE    where scripts/deps.sh keeps containerd 2.x
#                     (default /var/tmp/moat-e2e-cache)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${BENCH_WORK:-/var/tmp/moat-bench}
runs=${BENCH_CRI_RUNS:-10}
moat_bin=${MOAT_RUNSC:-$repo/bin/runsc}
shim=${MOAT_SHIM:-$(dirname "$moat_bin")/containerd-shim-runsc-v1}
ctrd=${MOAT_E2E_CACHE:-/var/tmp/moat-e2e-cache}/containerd-v2.4.2/bin # e2eutil.Containerd2Version
go=/usr/local/go/bin/go
[[ -x $go ]] || go=go

for p in "$ctrd/containerd" "$ctrd/ctr" "$ctrd/containerd-shim-runc-v2" "$moat_bin" "$shim" /bin/busybox; do
	if [[ ! -x "$p" ]]; then
		echo "cri bench: skipped: $p missing (make deps; make build)"
		exit 0
	fi
done

mkdir -p "$work"
prog="$work/bench-cri"
(cd "$repo" && CGO_ENABLED=0 GOTOOLCHAIN=local "$go" build -o "$prog" ./bench/cri)

# The daemon's PATH starts with a directory holding runsc and the shim.
bin="$work/cri-bin"
mkdir -p "$bin"
ln -sfn "$(realpath "$moat_bin")" "$bin/runsc"
ln -sfn "$(realpath "$shim")" "$bin/containerd-shim-runsc-v1"

"$prog" -containerd "$ctrd/containerd" -ctr "$ctrd/ctr" -runc-shim "$ctrd/containerd-shim-runc-v2" \
	-bin-dir "$bin" -work "$work" -runs "$runs"
