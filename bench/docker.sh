#!/usr/bin/env bash
# `docker run --rm IMAGE true` under runc and under Moat, in one run, with a
# private dockerd (Debian's docker.io 20.10) where Moat is registered by
# `runsc install` as a path runtime. Prints a small table with the ratio.
#
# Usage: bench/docker.sh       (as root; bench/run.sh calls it)
#
# Environment knobs:
#   BENCH_WORK          scratch dir (default /var/tmp/moat-bench)
#   BENCH_DOCKER_RUNS   runs per runtime, interleaved (default 10)
#   MOAT_RUNSC          Moat's runsc (default bin/runsc of this checkout)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${BENCH_WORK:-/var/tmp/moat-bench}
runs=${BENCH_DOCKER_RUNS:-10}
moat_bin=${MOAT_RUNSC:-$repo/bin/runsc}
client=/usr/bin/docker # dockerd's own client; /usr/local/bin/docker may be newer

for p in /usr/sbin/dockerd "$client" /bin/busybox "$moat_bin"; do
	if [[ ! -x "$p" ]]; then
		echo "docker bench: skipped: $p missing (make deps; make build)"
		exit 0
	fi
done

dir=$(mktemp -d "$work/docker.XXXXXX")
sock="$dir/docker.sock"
export DOCKER_HOST="unix://$sock"
dockerd_pid=

# shellcheck disable=SC2329 # invoked by the trap
cleanup() {
	if [[ -n "$dockerd_pid" ]]; then
		ids=$("$client" ps -aq 2>/dev/null || true)
		# shellcheck disable=SC2086 # one word per id
		[[ -z "$ids" ]] || "$client" rm -f $ids >/dev/null 2>&1 || true
		kill -TERM "$dockerd_pid" 2>/dev/null || true
		for _ in $(seq 100); do
			kill -0 "$dockerd_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$dockerd_pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT

"$moat_bin" install --config-file "$dir/daemon.json" >/dev/null 2>&1
/usr/sbin/dockerd --config-file "$dir/daemon.json" --data-root "$dir/data" \
	--exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" -H "unix://$sock" \
	--iptables=false --ip6tables=false --bridge=none >"$dir/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 300); do
	"$client" version >/dev/null 2>&1 && break
	sleep 0.2
done
"$client" version >/dev/null 2>&1 || {
	echo "docker bench: dockerd did not start: $(tail -3 "$dir/dockerd.log")"
	exit 0
}

# A busybox image: /bin/busybox and its applets as symlinks.
root="$dir/rootfs"
mkdir -p "$root/bin" "$root/proc" "$root/dev" "$root/sys" "$root/etc" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list); do
	[[ -e "$root/bin/$a" ]] || ln -s busybox "$root/bin/$a"
done
tar -C "$root" -cf "$dir/rootfs.tar" .
image=moat-bench-busybox:latest
"$client" import "$dir/rootfs.tar" "$image" >/dev/null

# ms prints the milliseconds one docker run takes, or "failed".
ms() {
	local t0 t1
	t0=$(date +%s%N)
	if ! "$client" run --rm --runtime="$1" "$image" true >/dev/null 2>&1; then
		echo failed
		return
	fi
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

declare -A samples
for rt in runc runsc; do ms "$rt" >/dev/null; done # warm up caches
for _ in $(seq "$runs"); do
	for rt in runc runsc; do
		samples[$rt]+="$(ms "$rt") "
	done
done

median() {
	tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print a[int((NR + 1) / 2)] }'
}
failed=0
for rt in runc runsc; do
	[[ "${samples[$rt]}" != *failed* ]] || failed=1
done
echo
echo "docker run --rm IMAGE true ($runs runs each, interleaved; Docker $("$client" version -f '{{.Server.Version}}'), path runtime):"
echo "| runtime | median ms | min ms | max ms |"
echo "|---|--:|--:|--:|"
for rt in runc runsc; do
	s=${samples[$rt]}
	if [[ "$s" == *failed* ]]; then
		echo "| $rt | failed | | |"
		continue
	fi
	# shellcheck disable=SC2086 # one number per word
	printf '| %s | %s | %s | %s |\n' "$rt" "$(echo $s | median)" \
		"$(echo $s | tr ' ' '\n' | sort -n | head -1)" "$(echo $s | tr ' ' '\n' | sort -n | tail -1)"
done
if [[ $failed == 0 ]]; then
	m=$(echo "${samples[runsc]}" | median)
	r=$(echo "${samples[runc]}" | median)
	echo "moat/runc: $(awk -v m="$m" -v r="$r" 'BEGIN { printf "%.2f", m / r }')"
fi
