#!/usr/bin/env bash
# The OCI command line's costs (issue 3), runc vs Moat vs gVisor in one run,
# on the same busybox bundle:
#   run        `RUNTIME run ID` of /bin/true, end to end (ms)
#   lifecycle  create + start + wait + delete of /bin/true (ms); runc has no
#              `wait`, so its "wait" polls `runc state` until stopped
#   exec       `RUNTIME exec ID /bin/true` into a running container (ms)
#   idle RSS   resident memory of a container idling in `sleep` (MiB): for
#              runc the container's process; for Moat and gVisor the sandbox,
#              the gofer and the stubs (every process of the sandbox's
#              session, and every process naming the private --root)
# Each figure is the median of BENCH_OCI_RUNS runs, the runtimes interleaved.
#
# Usage: bench/oci.sh       (as root; bench/run.sh calls it)
#
# Environment knobs:
#   BENCH_WORK        scratch dir (default /var/tmp/moat-bench)
#   BENCH_OCI_RUNS    runs per figure and runtime (default 10)
#   BENCH_OCI_ONLY    space-separated subset of runtimes: runc moat gvisor
#   MOAT_RUNSC        Moat's runsc (default bin/runsc of this checkout)
#   GVISOR_RUNSC      gVisor's runsc (default /usr/bin/runsc, Debian's package)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${BENCH_WORK:-/var/tmp/moat-bench}
runs=${BENCH_OCI_RUNS:-10}
moat_bin=${MOAT_RUNSC:-$repo/bin/runsc}
gvisor_bin=${GVISOR_RUNSC:-/usr/bin/runsc}
only=${BENCH_OCI_ONLY:-runc moat gvisor}

case "$work" in
/tmp | /tmp/*)
	echo "oci bench: BENCH_WORK=$work is under /tmp" >&2
	exit 1
	;;
esac
busybox=$(command -v busybox || true)
if [[ -z "$busybox" ]] || ! file -L "$busybox" | grep -q 'statically linked'; then
	echo "oci bench: skipped: no static busybox (make deps)"
	exit 0
fi

mkdir -p "$work"
dir=$(mktemp -d "$work/oci.XXXXXX")
chmod 755 "$dir"
# --- the bundle: busybox, runc's default mounts, /bin/true ------------------
rootfs="$dir/bundle/rootfs"
mkdir -p "$rootfs"/{bin,proc,dev,sys,tmp,etc}
cp "$busybox" "$rootfs/bin/busybox"
for a in sh true sleep; do ln -s busybox "$rootfs/bin/$a"; done
chmod 1777 "$rootfs/tmp"
# config PROGRAM... writes the bundle's config.json for PROGRAM.
config() {
	local args
	args=$(printf '"%s",' "$@")
	cat >"$dir/bundle/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false, "user": {"uid": 0, "gid": 0},
    "args": [${args%,}],
    "env": ["PATH=/bin"], "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "bench",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
  ],
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]
  }
}
EOF
}

# --- the runtimes --------------------------------------------------------------
declare -A cmd # runtime -> its command line before the subcommand
declare -A why # runtime -> why it is not measured
for rt in $only; do
	case "$rt" in
	runc) bin=$(command -v runc || true) ;;
	moat) bin=$moat_bin ;;
	gvisor) bin=$gvisor_bin ;;
	*)
		echo "oci bench: unknown runtime $rt" >&2
		exit 1
		;;
	esac
	if [[ -z "$bin" || ! -x "$bin" ]]; then
		why[$rt]="not installed (make deps; make build)"
		continue
	fi
	mkdir -p "$dir/root-$rt"
	case "$rt" in
	runc) cmd[$rt]="$bin --root $dir/root-$rt" ;;
	moat) cmd[$rt]="$bin --platform=ptrace --root=$dir/root-$rt" ;;
	gvisor) cmd[$rt]="$bin --platform=ptrace --network=none --root=$dir/root-$rt" ;;
	esac
done

# rt RUNTIME ARGS... runs a runtime command quietly.
rt() {
	local r=$1
	shift
	# shellcheck disable=SC2086 # cmd holds words
	${cmd[$r]} "$@" </dev/null >/dev/null 2>>"$dir/errors-$r"
}

cleanup() {
	for r in "${!cmd[@]}"; do
		# shellcheck disable=SC2086 # cmd holds words
		for id in $(${cmd[$r]} list -q 2>/dev/null); do
			rt "$r" delete --force "$id" || true
		done
		# Anything still naming the private root (a sandbox whose state went).
		for p in $(pgrep -f -- "$dir/root-$r" || true); do kill -9 "$p" 2>/dev/null || true; done
	done
	rm -rf "$dir"
}
trap cleanup EXIT

now_ns() { date +%s%N; }

declare -A samples # runtime/figure -> space-separated values

# add RUNTIME FIGURE START_NS appends the ms since START_NS.
add() {
	samples[$1/$2]+="$(awk -v a="$3" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }') "
}

declare -A bad # runtime/figure -> why that figure is missing

# fail RUNTIME FIGURE WHAT records the first failure of a figure.
fail() {
	bad[$1/$2]=${bad[$1/$2]:-"$3 failed: $(tail -n 1 "$dir/errors-$1" 2>/dev/null | cut -c1-140)"}
}

# ok RUNTIME FIGURE reports whether the figure is still measured.
ok() { [[ -z "${why[$1]:-}" && -z "${bad[$1/$2]:-}" ]]; }

# wait_stopped RUNTIME ID waits until the container stopped: `wait` for
# Moat; runc has no wait and Debian's gVisor cannot wait once its sandbox
# has gone with the container, so those poll `state`.
wait_stopped() {
	if [[ "$1" == moat ]]; then
		rt "$1" wait "$2"
		return
	fi
	local st
	for _ in $(seq 2000); do
		# shellcheck disable=SC2086
		st=$(${cmd[$1]} state "$2" 2>/dev/null || true)
		[[ "$st" != *'"status": "stopped"'* ]] || return 0
	done
	return 1
}

config /bin/true
for ((i = 1; i <= runs; i++)); do
	for r in "${!cmd[@]}"; do
		if ok "$r" run; then
			t=$(now_ns)
			if rt "$r" run --bundle "$dir/bundle" "r$i"; then add "$r" run "$t"; else fail "$r" run run; fi
			rt "$r" delete --force "r$i" || true
		fi
		ok "$r" lifecycle || continue
		t=$(now_ns)
		if rt "$r" create --bundle "$dir/bundle" "l$i" && rt "$r" start "l$i" &&
			wait_stopped "$r" "l$i" && rt "$r" delete "l$i"; then
			add "$r" lifecycle "$t"
		else
			fail "$r" lifecycle "create+start+wait+delete"
			rt "$r" delete --force "l$i" || true
		fi
	done
done

config /bin/sleep 1000
for r in "${!cmd[@]}"; do
	[[ -z "${why[$r]:-}" ]] || continue
	if ! rt "$r" run --detach --bundle "$dir/bundle" idle; then
		fail "$r" exec "run --detach"
		fail "$r" rss "run --detach"
	fi
done
sleep 2 # let the sandboxes settle before measuring
for ((i = 1; i <= runs; i++)); do
	for r in "${!cmd[@]}"; do
		ok "$r" exec || continue
		t=$(now_ns)
		if rt "$r" exec idle /bin/true; then add "$r" exec "$t"; else fail "$r" exec exec; fi
	done
done

# rss_mib RUNTIME prints the resident memory of the idle container.
rss_mib() {
	local r=$1 pid pids kb=0
	# shellcheck disable=SC2086
	pid=$(${cmd[$r]} state idle 2>/dev/null | awk -F'[:,]' '/"pid"/ { gsub(/ /, "", $2); print $2; exit }')
	[[ -n "$pid" && "$pid" != 0 ]] || return 1
	if [[ "$r" == runc ]]; then
		pids=$pid
	else
		# The sandbox's session (sentry and stubs) and whatever names the root (gofer).
		pids=$( (ps -e -o pid=,sid= | awk -v s="$pid" '$2 == s { print $1 }'; pgrep -f -- "$dir/root-$r" || true) | sort -u)
	fi
	for p in $pids; do
		kb=$((kb + $(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)))
	done
	awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }'
}
for r in "${!cmd[@]}"; do
	[[ -z "${why[$r]:-}" ]] || continue
	if ok "$r" rss; then
		if m=$(rss_mib "$r"); then samples[$r/rss]=$m; else fail "$r" rss "idle RSS"; fi
	fi
	rt "$r" kill idle KILL || true
	rt "$r" delete --force idle || true
done

# --- report --------------------------------------------------------------------
median() {
	tr ' ' '\n' | { grep -v '^$' || true; } | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit; print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
fig() { echo "${samples[$1/$2]:-}" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }

echo
echo "== OCI command line: runc vs Moat vs gVisor (median of $runs runs, busybox bundle)"
echo "| benchmark | unit | runc | moat | gvisor | moat/runc | moat/gvisor |"
echo "|---|---|--:|--:|--:|--:|--:|"
for f in "run run-/bin/true ms" "lifecycle create+start+wait+delete ms" "exec exec-/bin/true ms" "rss idle-RSS MiB"; do
	read -r key label unit <<<"$f"
	c=$(fig runc "$key") m=$(fig moat "$key") g=$(fig gvisor "$key")
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "${label//-/ }" "$unit" "${c:--}" "${m:--}" "${g:--}" \
		"$(ratio "$m" "$c")" "$(ratio "$m" "$g")"
done
for r in runc moat gvisor; do
	[[ -z "${why[$r]:-}" ]] || echo "$r: ${why[$r]}"
	for f in run lifecycle exec rss; do
		[[ -z "${bad[$r/$f]:-}" ]] || echo "$r: ${bad[$r/$f]}"
	done
done
