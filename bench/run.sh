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
#   BENCH_PIN         both (default): every syscall figure twice, once placed
#                     by the scheduler ("any CPU") and once pinned, sandbox and
#                     all, to one CPU with taskset ("1 CPU"); 0: only the
#                     first; 1: only the second
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
pin=${BENCH_PIN:-both}
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
case "$pin" in
both) modes=(any 1cpu) ;;
0) modes=(any) ;;
1) modes=(1cpu) ;;
*) die "BENCH_PIN=$pin: want both, 0 or 1" ;;
esac
for tool in gcc taskset timeout awk flock; do
	command -v "$tool" >/dev/null || die "$tool not found: run 'make deps' first"
done

# --- build -----------------------------------------------------------------

mkdir -p "$work"
# One run at a time per scratch dir: runs share its binaries and files.
exec 9>"$work/.lock"
if ! flock -n 9; then
	echo "bench: waiting for another run using $work" >&2
	flock -w 600 9 || die "another run still holds $work/.lock"
fi
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

# run_in ENV MODE PROGRAM ARGS... runs PROGRAM in ENV with a time limit,
# pinned (sandbox and all) to one CPU in MODE 1cpu; stdout is the program's,
# stderr goes to $errfile.
errfile="$work/stderr.txt"
cpu=$(($(nproc) - 1))
run_in() {
	local pin_cmd=()
	[[ "$2" == 1cpu ]] && pin_cmd=(taskset -c "$cpu")
	set_prefix "$1"
	shift 2
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

declare -A reason  # ENV -> why it cannot run (the first failure)
declare -A samples # ENV/BENCH/MODE -> every figure measured, space-separated
declare -A value   # ENV/BENCH/MODE -> reported figure, or "failed"

# fail ENV WHAT RC records the first reason ENV failed; later runs skip ENV.
fail() {
	reason[$1]=${reason[$1]:-"$2: $(failure_reason "$3")"}
}

# iterations ENV BENCH prints the loop count of BENCH in ENV: natively 20
# times the sandbox count, so that every run lasts long enough to time.
iterations() {
	local n
	case "$2" in
	getpid) n=20000 ;;
	open_close | stat) n=10000 ;;
	read4k) n=20000 ;;
	esac
	[[ "$1" == native ]] && n=$((n * 20))
	echo $((n * scale))
}

# run_once ENV BENCH MODE appends one figure to samples[ENV/BENCH/MODE].
run_once() {
	local env=$1 bench=$2 mode=$3 out rc=0 args=()
	[[ "$bench" == getpid ]] || args=("$data")
	out=$(run_in "$env" "$mode" "$work/$bench" "$(iterations "$env" "$bench")" "${args[@]}") || rc=$?
	if [[ $rc -eq 0 ]] && ! is_number "$out"; then
		echo "printed '$out' instead of a number" >"$errfile"
		rc=1
	fi
	if [[ $rc -ne 0 ]]; then
		fail "$env" "$bench" "$rc"
		return
	fi
	samples[$env/$bench/$mode]+="$out "
}

# summarize KEY BENCH sets value[KEY] to the median or best of its samples.
summarize() {
	local key=$1 bench=$2 order=-g figures
	read -r -a figures <<<"${samples[$key]}"
	# Sorted from cheapest: ascending for ns/op, descending for MB/s.
	[[ "$bench" == read4k ]] && order=-gr
	value[$key]=$(printf '%s\n' "${figures[@]}" | sort "$order" | awk -v stat="$stat" '
		{ a[NR] = $1 }
		END {
			if (stat == "best") print a[1]
			else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		}')
	echo "  $key: ${samples[$key]}-> $stat ${value[$key]}" >>"$work/samples.txt"
}

# --- run -------------------------------------------------------------------

benches=(getpid open_close stat read4k)
: >"$work/samples.txt"
echo "== Moat micro-benchmarks ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, kernel $(uname -r))"
echo "   syscall figures: $stat of $repeat rounds, CPU placement: ${modes[*]} (1cpu = CPU $cpu)"
echo "   start-to-exit: median of $start_runs runs"
read -r load1 _ </proc/loadavg
echo "   load average $load1 at start"
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
	echo "   warning: the machine is busy; absolute figures will be high, compare ratios"
fi

# Which environments can run at all: a one-iteration getpid each.
live=()
for env in $envs; do
	case "$env" in
	moat) [[ -x "$moat_bin" ]] || reason[moat]="$moat_bin not built (make build)" ;;
	gvisor) [[ -x "$gvisor_bin" ]] || reason[gvisor]="$gvisor_bin not installed (make deps)" ;;
	esac
	if [[ -z "${reason[$env]:-}" ]]; then
		rc=0
		out=$(run_in "$env" any "$work/getpid" 1) || rc=$?
		if [[ $rc -ne 0 ]]; then
			fail "$env" "getpid" "$rc"
		elif ! is_number "$out"; then
			reason[$env]="getpid printed '$out' instead of a number"
		fi
	fi
	[[ -n "${reason[$env]:-}" ]] || live+=("$env")
done

# Rounds interleave the environments, so that a burst of load elsewhere on
# the machine lands on all of them rather than on one column.
for ((round = 1; round <= repeat; round++)); do
	echo "-- round $round of $repeat"
	for mode in "${modes[@]}"; do
		for bench in "${benches[@]}"; do
			for env in "${live[@]}"; do
				if [[ -z "${reason[$env]:-}" ]]; then
					run_once "$env" "$bench" "$mode"
				fi
			done
		done
	done
done
for env in "${live[@]}"; do
	[[ -z "${reason[$env]:-}" ]] || continue
	for mode in "${modes[@]}"; do
		for bench in "${benches[@]}"; do
			summarize "$env/$bench/$mode" "$bench"
		done
	done
done

# Start-to-exit: the driver (startexit, run natively) times whole runs.
echo "-- start-to-exit"
for env in "${live[@]}"; do
	set_prefix "$env"
	rc=0
	out=$(timeout $((run_timeout * 2)) "$work/startexit" "$start_runs" "${prefix[@]}" /bin/true 2>"$errfile") || rc=$?
	if [[ $rc -eq 0 ]] && is_number "$out"; then
		value[$env/true/any]=$out
	else
		fail "$env" "do /bin/true" "$rc"
	fi
done

[[ -z "${reason[native]:-}" ]] || die "native baseline failed: ${reason[native]}"

# --- report ----------------------------------------------------------------

# cell ENV BENCH/MODE prints a figure, "failed" or "-" (not run).
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

# rows prints "KEY LABEL UNIT" for every row of the table.
rows() {
	local bench label unit mode
	for bench in "${benches[@]}"; do
		case "$bench" in
		getpid) label=getpid unit=ns/op ;;
		open_close) label=open+close unit=ns/op ;;
		stat) label=stat unit=ns/op ;;
		read4k) label=read-4KiB unit=MB/s ;;
		esac
		for mode in "${modes[@]}"; do
			if [[ "$mode" == 1cpu ]]; then
				echo "$bench/$mode $label,_1_CPU $unit"
			else
				echo "$bench/$mode $label $unit"
			fi
		done
	done
	echo "true/any start-to-exit ms"
}

table="$work/results.md"
{
	echo "| benchmark | unit | native | moat | gvisor | moat/gvisor | moat x native | gvisor x native |"
	echo "|---|---|--:|--:|--:|--:|--:|--:|"
	while read -r key label unit; do
		nat=$(cell native "$key")
		m=$(cell moat "$key")
		g=$(cell gvisor "$key")
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "${label//_/ }" "$unit" \
			"$(fmt "$nat")" "$(fmt "$m")" "$(fmt "$g")" \
			"$(ratio "$m" "$g" "$unit")" "$(ratio "$m" "$nat" "$unit")" "$(ratio "$g" "$nat" "$unit")"
	done < <(rows)
} >"$table"

echo
cat "$table"
echo
for env in moat gvisor; do
	[[ -z "${reason[$env]:-}" ]] || echo "$env: failed (${reason[$env]})"
done

# The targets from the benchmark issue, checked against this run.
target() {
	local what=$1 key=$2 unit=$3 limit=$4 r
	r=$(ratio "$(cell moat "$key")" "$(cell gvisor "$key")" "$unit")
	if [[ "$r" == - ]]; then
		echo "  $what: not measured"
	elif awk -v r="$r" -v l="$limit" 'BEGIN { exit !(r <= l) }'; then
		echo "  $what: met (moat/gvisor $r, target <= $limit)"
	else
		echo "  $what: not met (moat/gvisor $r, target <= $limit)"
	fi
}
echo "targets:"
for mode in "${modes[@]}"; do
	where="any CPU"
	[[ "$mode" == 1cpu ]] && where="1 CPU"
	target "getpid ($where) 2x faster than gVisor ptrace" "getpid/$mode" ns/op 0.50
	target "open+close ($where) 2x faster than gVisor ptrace" "open_close/$mode" ns/op 0.50
	target "stat ($where) 2x faster than gVisor ptrace" "stat/$mode" ns/op 0.50
done
target "start-to-exit no slower than gVisor" true/any ms 1.00
echo
echo "table: $table; every sample: $work/samples.txt"

# Docker: docker run --rm IMAGE true, runc vs Moat (bench/docker.sh).
MOAT_RUNSC=$moat_bin BENCH_WORK=$work "$src/docker.sh" || echo "bench: docker.sh failed"

# CRI: a pod start-to-ready and RunPodSandbox alone, runc vs Moat handlers
# on one containerd 2.x (bench/cri.sh).
MOAT_RUNSC=$moat_bin BENCH_WORK=$work "$src/cri.sh" || echo "bench: cri.sh failed"

# OCI command line: run, create+start+wait+delete, exec, idle memory;
# runc vs Moat vs gVisor (bench/oci.sh).
MOAT_RUNSC=$moat_bin GVISOR_RUNSC=$gvisor_bin BENCH_WORK=$work "$src/oci.sh" || echo "bench: oci.sh failed"

# Process model: fork, exec, threads, futex, pipe and signal round trips;
# native vs runc vs Moat vs gVisor (bench/process.sh).
MOAT_RUNSC=$moat_bin GVISOR_RUNSC=$gvisor_bin BENCH_WORK=$work "$src/process.sh" || echo "bench: process.sh failed"
