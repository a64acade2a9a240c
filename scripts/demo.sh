#!/usr/bin/env bash
# Moat's first-run demo, for a fresh Debian 12 machine (as root):
#   1. installs the Debian packages Moat needs (scripts/deps.sh),
#   2. builds bin/runsc,
#   3. assembles a busybox root file system from Debian's busybox-static in a
#      scratch dir (nothing binary is committed to the repository),
#   4. runs busybox applets from it inside a Moat sandbox.
#
# Usage: scripts/demo.sh     (or: make demo)
#   MOAT_DEMO_DIR  scratch dir for the rootfs (default /var/tmp/moat-demo)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
export PATH="/usr/local/go/bin:$PATH"
scratch=${MOAT_DEMO_DIR:-/var/tmp/moat-demo}
rootfs="$scratch/rootfs"
runsc=bin/runsc # relative to $repo, where this script runs

step() {
	printf '\n== %s\n' "$*"
}

# show prints a command, runs it, and reports its exit status.
show() {
	local rc=0 arg line="$"
	for arg in "$@"; do
		if [[ "$arg" == *[[:space:]]* ]]; then
			line+=" \"$arg\""
		else
			line+=" $arg"
		fi
	done
	echo "$line"
	"$@" || rc=$?
	echo "(exit status $rc)"
	return "$rc"
}

step "installing Debian packages"
scripts/deps.sh

step "building Moat"
make --no-print-directory build

step "assembling a busybox rootfs in $rootfs"
busybox=/bin/busybox # from busybox-static
if ! file -L "$busybox" | grep -q 'statically linked'; then
	echo "demo: $busybox is not the static busybox: install busybox-static" >&2
	exit 1
fi
rm -rf "$rootfs"
mkdir -p "$rootfs"/{bin,etc,proc,dev,tmp,root}
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
	[[ "$applet" == busybox ]] || ln -s busybox "$rootfs/bin/$applet"
done
echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
echo "root:x:0:" >"$rootfs/etc/group"
echo "moat-demo" >"$rootfs/etc/hostname"
echo "rootfs: $(find "$rootfs" | wc -l) entries, /bin/busybox $(stat -c %s "$rootfs/bin/busybox") bytes"

step "running busybox in a Moat sandbox"
# Single-process applets only: the sandbox cannot fork/exec yet.
# TODO(#4): once fork/exec lands, run a shell instead:
#   bin/runsc do --root "$rootfs" -- /bin/sh -c 'echo "hello from Moat"; uname -a; ls /'
# TODO(#3): then also run the same rootfs as an OCI bundle with `runsc run`.
show "$runsc" "do" --root "$rootfs" -- /bin/busybox echo "hello from Moat"
show "$runsc" "do" --root "$rootfs" -- /bin/busybox uname -a

step "exit codes come back out of the sandbox"
rc=0
show "$runsc" "do" --root "$rootfs" -- /bin/busybox false || rc=$?
if [[ $rc -ne 1 ]]; then
	echo "demo: expected exit status 1 from busybox false, got $rc" >&2
	exit 1
fi

step "done: the rootfs stays in $rootfs (make clean removes it)"
