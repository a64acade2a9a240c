#!/usr/bin/env bash
# The process model's costs (issue 4): natively, under runc, under Moat and
# under gVisor's ptrace platform, in one run, on the same static programs
# (bench/proc.c, bench/proc_true.c):
#   fork        fork + _exit + waitpid (µs)
#   fork 16M    the same from a parent with 16 MiB of resident private memory
#   fork 512M   ... with 512 MiB (fork must not copy the memory)
#   exec        fork + execve of a static `true` + waitpid (µs)
#   thread      pthread_create + pthread_join (µs)
#   futex       futex ping-pong between two threads (round trips/s)
#   pipe        pipe ping-pong between two processes (round trips/s)
#   signal      SIGUSR1 bounced between two processes, handler + sigsuspend
#               (µs per round trip)
# runc, Moat and gVisor run the programs from one OCI bundle (`RUNTIME run`,
# a read-only rootfs holding the two programs); native runs them directly.
# Each figure is the median of BENCH_PROC_RUNS runs, the environments
# interleaved so that load elsewhere lands on all of them.
#
# Usage: bench/process.sh       (as root; bench/run.sh calls it)
#
# Environment knobs:
#   BENCH_WORK        scratch dir (default /var/tmp/moat-bench)
#   BENCH_PROC_RUNS   runs per figure and environment (default 3)
#   BENCH_PROC_ONLY   subset of environments: native runc moat gvisor
#   BENCH_TIMEOUT     seconds one run may take (default 120)
#   MOAT_RUNSC        Moat's runsc (default bin/runsc of this checkout)
#   GVISOR_RUNSC      gVisor's runsc (default /usr/bin/runsc, Debian's package)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src="$repo/bench"
work=${BENCH_WORK:-/var/tmp/moat-bench}
runs=${BENCH_PROC_RUNS:-3}
envs=${BENCH_PROC_ONLY:-native runc moat gvisor}
run_timeout=${BENCH_TIMEOUT:-120}
moat_bin=${MOAT_RUNSC:-$repo/bin/runsc}
gvisor_bin=${GVISOR_RUNSC:-/usr/bin/runsc}

case "$work" in
/tmp | /tmp/*)
	echo "process bench: BENCH_WORK=$work is under /tmp" >&2
	exit 1
	;;
esac
mkdir -p "$work"
dir=$(mktemp -d "$work/proc.XXXXXX")
chmod 755 "$dir"
state="$dir/state"
trap 'rm -rf "$dir"' EXIT

# --- the programs and the bundle -------------------------------------------
root="$dir/bundle/rootfs"
mkdir -p "$root"/{proc,dev,sys,tmp} "$state"
gcc -static -O2 -Wall -Wextra -pthread -o "$root/bench_proc" "$src/proc.c"
gcc -static -O2 -Wall -Wextra -o "$root/bench_true" "$src/proc_true.c"

# config ARGS... writes the bundle's config.json: runc's defaults (`runc
# spec`) with a read-only root, no terminal and ARGS.
config() {
	local args
	args=$(printf '"%s",' "$@")
	cat >"$dir/bundle/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false, "user": {"uid": 0, "gid": 0},
    "args": [${args%,}], "env": ["PATH=/"], "cwd": "/",
    "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "bench",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
  ],
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
    "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"]
  }
}
JSON
}

# runtime ENV prints the runtime command line of ENV (empty for native).
runtime() {
	case "$1" in
	native) ;;
	runc) echo runc ;;
	moat) echo "$moat_bin" ;;
	gvisor) echo "$gvisor_bin --platform=ptrace --network=none" ;;
	esac
}

# iterations ENV BENCH: natively 10 times the sandboxes' count.
iterations() {
	local n
	case "$2" in
	fork) n=300 ;;
	fork16) n=100 ;;
	fork512) n=10 ;;
	exec) n=200 ;;
	thread) n=500 ;;
	futex | pipe) n=5000 ;;
	signal) n=2000 ;;
	esac
	[[ "$1" == native || "$1" == runc ]] && n=$((n * 10))
	echo "$n"
}

# args ENV BENCH prints the program's command line for BENCH.
args() {
	local n
	n=$(iterations "$1" "$2")
	case "$2" in
	fork) echo "fork $n" ;;
	fork16) echo "fork $n 16" ;;
	fork512) echo "fork $n 512" ;;
	exec) echo "exec $n /bench_true" ;;
	*) echo "$2 $n" ;;
	esac
}

errfile="$dir/stderr.txt"
declare -A samples reason
seq_id=0

# run_once ENV BENCH appends one figure to samples[ENV/BENCH].
run_once() {
	local env=$1 bench=$2 out rc=0 rt id
	# shellcheck disable=SC2046
	set -- $(args "$env" "$bench")
	if [[ "$env" == native ]]; then
		# The same programs, found in the bundle's root.
		local a=("$@")
		if [[ "$bench" == exec ]]; then
			a[2]="$root/bench_true"
		fi
		out=$(timeout "$run_timeout" "$root/bench_proc" "${a[@]}" 2>"$errfile") || rc=$?
	else
		rt=$(runtime "$env")
		seq_id=$((seq_id + 1))
		id="bench-proc-$$-$seq_id"
		config /bench_proc "$@"
		# shellcheck disable=SC2086
		out=$(cd "$dir/bundle" && timeout "$run_timeout" $rt --root "$state" run --bundle "$dir/bundle" "$id" </dev/null 2>"$errfile") || rc=$?
		# shellcheck disable=SC2086
		$rt --root "$state" delete --force "$id" >/dev/null 2>&1 || true
	fi
	if [[ $rc -ne 0 || ! "$out" =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
		reason[$env/$bench]="exit $rc: $(tail -n 1 "$errfile" | cut -c1-120)"
		return
	fi
	samples[$env/$bench]+="$out "
}

median() {
	tr ' ' '\n' <<<"$1" | awk NF | sort -g | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

benches=(fork fork16 fork512 exec thread futex pipe signal)
echo "== process-model benchmarks ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, median of $runs runs, load $(cut -d' ' -f1 /proc/loadavg))"
live=()
for env in $envs; do
	case "$env" in
	runc) command -v runc >/dev/null || { echo "runc: not installed"; continue; } ;;
	moat) [[ -x "$moat_bin" ]] || { echo "moat: $moat_bin not built"; continue; } ;;
	gvisor) [[ -x "$gvisor_bin" ]] || { echo "gvisor: $gvisor_bin not installed"; continue; } ;;
	esac
	live+=("$env")
done
for ((r = 1; r <= runs; r++)); do
	for bench in "${benches[@]}"; do
		for env in "${live[@]}"; do
			run_once "$env" "$bench"
		done
	done
done

# --- report -------------------------------------------------------------------
declare -A value
for bench in "${benches[@]}"; do
	for env in native runc moat gvisor; do
		value[$env/$bench]=$(median "${samples[$env/$bench]:-}")
	done
done
cell() {
	local v=${value[$1/$2]:-}
	if [[ -n "$v" ]]; then
		awk -v v="$v" 'BEGIN { printf (v >= 100 ? "%.0f" : "%.1f"), v }'
	elif [[ -n "${reason[$1/$2]:-}" ]]; then
		echo failed
	else
		echo -
	fi
}
# ratio A B UNIT: cost(A)/cost(B), below 1.00 means A is faster.
ratio() {
	awk -v a="$1" -v b="$2" -v u="$3" 'BEGIN {
		if (a == "" || b == "" || a == 0 || b == 0) { print "-"; exit }
		printf "%.2f\n", (u == "rt/s") ? b / a : a / b }'
}
table="$work/process.md"
{
	echo "| benchmark | unit | native | runc | moat | gvisor | moat/gvisor | moat/runc |"
	echo "|---|---|--:|--:|--:|--:|--:|--:|"
	for bench in "${benches[@]}"; do
		case "$bench" in
		fork) label="fork+exit+wait" unit=µs ;;
		fork16) label="fork, 16 MiB resident" unit=µs ;;
		fork512) label="fork, 512 MiB resident" unit=µs ;;
		exec) label="fork+exec+wait (static true)" unit=µs ;;
		thread) label="pthread create+join" unit=µs ;;
		futex) label="futex ping-pong" unit=rt/s ;;
		pipe) label="pipe ping-pong" unit=rt/s ;;
		signal) label="signal round trip" unit=µs ;;
		esac
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$unit" \
			"$(cell native "$bench")" "$(cell runc "$bench")" "$(cell moat "$bench")" "$(cell gvisor "$bench")" \
			"$(ratio "${value[moat/$bench]}" "${value[gvisor/$bench]}" "$unit")" \
			"$(ratio "${value[moat/$bench]}" "${value[runc/$bench]}" "$unit")"
	done
} >"$table"
echo
cat "$table"
for k in "${!reason[@]}"; do
	echo "$k: failed (${reason[$k]})"
done
echo
echo "targets:"
for bench in "${benches[@]}"; do
	u=µs
	[[ "$bench" == futex || "$bench" == pipe ]] && u=rt/s
	r=$(ratio "${value[moat/$bench]}" "${value[gvisor/$bench]}" "$u")
	if [[ "$r" == - ]]; then
		echo "  $bench better than gVisor: not measured"
	elif awk -v r="$r" 'BEGIN { exit !(r < 1) }'; then
		echo "  $bench better than gVisor: met (moat/gvisor $r)"
	else
		echo "  $bench better than gVisor: not met (moat/gvisor $r)"
	fi
done
r=$(ratio "${value[moat/exec]}" "${value[runc/exec]}" µs)
if [[ "$r" != - ]] && awk -v r="$r" 'BEGIN { exit !(r <= 5) }'; then
	echo "  fork+exec+wait within 5x of runc: met (moat/runc $r)"
else
	echo "  fork+exec+wait within 5x of runc: not met (moat/runc $r)"
fi
r=$(ratio "${value[moat/fork512]}" "${value[moat/fork16]}" µs)
echo "  fork independent of resident memory: moat 512 MiB / 16 MiB = $r (gVisor $(ratio "${value[gvisor/fork512]}" "${value[gvisor/fork16]}" µs), native $(ratio "${value[native/fork512]}" "${value[native/fork16]}" µs))"
echo "table: $table"
