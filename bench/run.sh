#!/usr/bin/env bash
# Moat's micro-benchmarks: the same static programs natively, under Moat and
# under gVisor, in one run, printed as one table with ratios.
#
# Usage: bench/run.sh            (as root; `make bench` builds Moat first)
#
# Environment knobs:
#   BENCH_WORK        scratch dir for binaries and the data file
#                     (default /var/tmp/moat-bench; never under /tmp, which is
#                     a sandbox tmpfs in Moat and so not the host's /tmp)
#   BENCH_REPEAT      runs per syscall figure (default 5)
#   BENCH_STAT        median (default) or best: which of those runs is reported
#                     ("best" = the cheapest, steadier on a busy machine)
#   BENCH_SCALE       multiplies every iteration count (default 1)
#   BENCH_START_RUNS  runs of `do /bin/true` for start-to-exit (default 20)
#   BENCH_PIN         1 (default): pin syscall benchmarks to one CPU with taskset;
#                     0: let the scheduler place them (2-4x noisier here)
#   BENCH_TIMEOUT     seconds one sandboxed run may take (default 120)
#   MOAT_RUNSC        Moat's runsc (default bin/runsc of this checkout)
#   GVISOR_RUNSC      gVisor's runsc (default /usr/bin/runsc, Debian's package)
#   BENCH_ONLY        space-separated subset of environments: native moat gvisor
#
# A sandbox that cannot run a program gets "failed" in its column and a
# "NAME: failed (reason)" line under the table; the script still exits 0 unless
# the native baseline itself fails.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src="$repo/bench"
work=${BENCH_WORK:-/var/tmp/moat-bench}
repeat=${BENCH_REPEAT:-5}
stat=${BENCH_STAT:-median}
scale=${BENCH_SCALE:-1}
start_runs=${BENCH_START_RUNS:-20}
pin=${BENCH_PIN:-1}
run_timeout=${BENCH_TIMEOUT:-120}
moat_bin=${MOAT_RUNSC:-$repo/bin/runsc}
gvisor_bin=${GVISOR_RUNSC:-/usr/bin/runsc}
envs=${BENCH_ONLY:-native moat gvisor}

die() {
	echo "bench: $*" >&2
	exit 1
}

case "$work" in
/tmp | /tmp/*) die "BENCH_WORK=$work is under /tmp, which sandboxes replace with their own tmpfs" ;;
esac
case "$stat" in
median | best) ;;
*) die "BENCH_STAT=$stat: want median or best" ;;
esac
for tool in gcc taskset timeout awk; do
	command -v "$tool" >/dev/null || die "$tool not found: run 'make deps' first"
done

# --- build -----------------------------------------------------------------

mkdir -p "$work"
progs=(getpid open_close stat read4k startexit)
for p in "${progs[@]}"; do
	if [[ ! -x "$work/$p" || "$src/$p.c" -nt "$work/$p" || "$src/bench.h" -nt "$work/$p" ]]; then
		gcc -static -O2 -Wall -Wextra -o "$work/$p" "$src/$p.c"
	fi
done
data="$work/data"
if [[ ! -f "$data" || $(stat -c %s "$data") -ne 1048576 ]]; then
	head -c 1048576 /dev/urandom >"$data.new"
	mv "$data.new" "$data"
fi
cat "$data" >/dev/null # into the page cache

# --- how each environment runs a program -----------------------------------

# set_prefix ENV sets the array prefix to the command line that starts a
# program in ENV (empty for native).
prefix=()
set_prefix() {
	case "$1" in
	native) prefix=() ;;
	moat) prefix=("$moat_bin" --platform=ptrace "do" --) ;;
	gvisor) prefix=("$gvisor_bin" --platform=ptrace --network=none "do") ;;
	*) die "unknown environment $1" ;;
	esac
}

# run_in ENV PROGRAM ARGS... runs PROGRAM in ENV with a time limit, pinned
# (sandbox and all) to one CPU when BENCH_PIN=1; stdout is the program's,
# stderr goes to $errfile.
errfile="$work/stderr.txt"
run_in() {
	set_prefix "$1"
	shift
	timeout "$run_timeout" "${pin_cmd[@]}" "${prefix[@]}" "$@" 2>"$errfile"
}

# failure_reason RC describes a failed run from its exit status and stderr.
failure_reason() {
	local rc=$1 last
	if [[ $rc -eq 124 ]]; then
		echo "timed out after ${run_timeout}s"
		return
	fi
	last=$(grep -v '^[[:space:]]*$' "$errfile" 2>/dev/null | tail -n 1 | cut -c1-160 || true)
	if [[ -n "$last" ]]; then
		echo "exit status $rc: $last"
	else
		echo "exit status $rc"
	fi
}

is_number() {
	[[ "$1" =~ ^[0-9]+(\.[0-9]+)?$ ]]
}

declare -A reason # ENV -> why it cannot run at all
declare -A value  # ENV/BENCH -> reported figure, or "failed"

cpu=$(($(nproc) - 1))
pin_cmd=()
if [[ "$pin" == 1 ]]; then
	pin_cmd=(taskset -c "$cpu")
fi

# measure ENV BENCH ITERS ARGS...: the median or best of $repeat runs into
# value[ENV/BENCH].
measure() {
	local env=$1 bench=$2 iters=$3 out rc i samples=()
	shift 3
	for ((i = 0; i < repeat; i++)); do
		rc=0
		out=$(run_in "$env" "$work/$bench" "$iters" "$@") || rc=$?
		if [[ $rc -ne 0 ]] || ! is_number "$out"; then
			value[$env/$bench]=failed
			[[ $rc -ne 0 ]] || echo "printed '$out' instead of a number" >"$errfile"
			reason[$env]=${reason[$env]:-"$bench: $(failure_reason "$rc")"}
			return
		fi
		samples+=("$out")
	done
	# Sorted from cheapest: ascending for ns/op, descending for MB/s.
	local order=-g
	[[ "$bench" == read4k ]] && order=-gr
	value[$env/$bench]=$(printf '%s\n' "${samples[@]}" | sort "$order" | awk -v stat="$stat" '
		{ a[NR] = $1 }
		END {
			if (stat == "best") print a[1]
			else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		}')
	echo "  $env $bench: ${samples[*]} -> $stat ${value[$env/$bench]}" >>"$work/samples.txt"
}

# n COUNT scales a sandbox iteration count for the current environment.
n() {
	echo $(($1 * mult * scale))
}

# --- run -------------------------------------------------------------------

: >"$work/samples.txt"
echo "== Moat micro-benchmarks ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, kernel $(uname -r))"
[[ "$pin" == 1 ]] && echo "   syscall figures pinned to CPU $cpu"
echo "   syscall figures: $stat of $repeat runs; start-to-exit: median of $start_runs runs"
read -r load1 _ </proc/loadavg
echo "   load average $load1 at start"
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
	echo "   warning: the machine is busy; absolute figures will be high, compare ratios"
fi

for env in $envs; do
	case "$env" in
	moat)
		if [[ ! -x "$moat_bin" ]]; then
			reason[moat]="$moat_bin not built (make build)"
			continue
		fi
		;;
	gvisor)
		if [[ ! -x "$gvisor_bin" ]]; then
			reason[gvisor]="$gvisor_bin not installed (make deps)"
			continue
		fi
		;;
	esac
	mult=1
	[[ "$env" == native ]] && mult=20
	echo "-- $env"
	measure "$env" getpid "$(n 20000)"
	[[ -n "${reason[$env]:-}" ]] && continue
	measure "$env" open_close "$(n 10000)" "$data"
	measure "$env" stat "$(n 10000)" "$data"
	measure "$env" read4k "$(n 20000)" "$data"
	# Start-to-exit: the driver (startexit, run natively) times whole runs.
	set_prefix "$env"
	rc=0
	out=$(timeout $((run_timeout * 2)) "$work/startexit" "$start_runs" "${prefix[@]}" /bin/true 2>"$errfile") || rc=$?
	if [[ $rc -eq 0 ]] && is_number "$out"; then
		value[$env/true]=$out
	else
		value[$env/true]=failed
		reason[$env]=${reason[$env]:-"do /bin/true: $(failure_reason "$rc")"}
	fi
done

[[ -z "${reason[native]:-}" ]] || die "native baseline failed: ${reason[native]}"

# --- report ----------------------------------------------------------------

# cell ENV BENCH prints a figure, "failed" or "-" (not run).
cell() {
	local v=${value[$1/$2]:-}
	if [[ -n "$v" ]]; then
		echo "$v"
	elif [[ -n "${reason[$1]:-}" ]]; then
		echo failed
	else
		echo -
	fi
}

# ratio A B UNIT prints cost(A)/cost(B): below 1.00 means A is faster.
ratio() {
	local a=$1 b=$2 unit=$3
	if ! is_number "$a" || ! is_number "$b"; then
		echo -
		return
	fi
	awk -v a="$a" -v b="$b" -v u="$unit" 'BEGIN {
		if (a == 0 || b == 0) { print "-"; exit }
		r = (u == "MB/s") ? b / a : a / b
		printf "%.2f\n", r
	}'
}

fmt() {
	if is_number "$1"; then
		awk -v v="$1" 'BEGIN { printf (v >= 100 ? "%.0f" : "%.1f"), v }'
	else
		echo "$1"
	fi
}

table="$work/results.md"
{
	echo "| benchmark | unit | native | moat | gvisor | moat/gvisor | moat x native | gvisor x native |"
	echo "|---|---|--:|--:|--:|--:|--:|--:|"
	while read -r bench label unit; do
		nat=$(cell native "$bench")
		m=$(cell moat "$bench")
		g=$(cell gvisor "$bench")
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$unit" \
			"$(fmt "$nat")" "$(fmt "$m")" "$(fmt "$g")" \
			"$(ratio "$m" "$g" "$unit")" "$(ratio "$m" "$nat" "$unit")" "$(ratio "$g" "$nat" "$unit")"
	done <<-'EOF'
		getpid getpid ns/op
		open_close open+close ns/op
		stat stat ns/op
		read4k read-4KiB MB/s
		true start-to-exit ms
	EOF
} >"$table"

echo
cat "$table"
echo
for env in moat gvisor; do
	[[ -z "${reason[$env]:-}" ]] || echo "$env: failed (${reason[$env]})"
done

# The targets from the benchmark issue, checked against this run.
target() {
	local what=$1 bench=$2 unit=$3 limit=$4 r
	r=$(ratio "$(cell moat "$bench")" "$(cell gvisor "$bench")" "$unit")
	if [[ "$r" == - ]]; then
		echo "  $what: not measured"
	elif awk -v r="$r" -v l="$limit" 'BEGIN { exit !(r <= l) }'; then
		echo "  $what: met (moat/gvisor $r, target <= $limit)"
	else
		echo "  $what: not met (moat/gvisor $r, target <= $limit)"
	fi
}
echo "targets:"
target "getpid 2x faster than gVisor ptrace" getpid ns/op 0.50
target "open+close 2x faster than gVisor ptrace" open_close ns/op 0.50
target "stat 2x faster than gVisor ptrace" stat ns/op 0.50
target "start-to-exit no slower than gVisor" true ms 1.00
echo
echo "table: $table; every sample: $work/samples.txt"
