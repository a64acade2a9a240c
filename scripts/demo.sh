#!/usr/bin/env bash
# Moat's first-run demo, for a fresh Debian 12 machine (as root):
#   1. installs the Debian packages Moat needs (scripts/deps.sh),
#   2. builds bin/runsc,
#   3. assembles a busybox root file system from Debian's busybox-static in a
#      scratch dir (nothing binary is committed to the repository),
#   4. runs busybox from it inside a Moat sandbox with `runsc do`, then
#   5. runs the same rootfs as an OCI bundle with `runsc run`.
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
		if [[ "$arg" == *[[:space:]\"\;\$]* && "$arg" != *\'* ]]; then
			line+=" '$arg'"
		elif [[ "$arg" == *[[:space:]\"\;\$\']* ]]; then
			line+=" $(printf '%q' "$arg")"
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
show "$runsc" "do" --root "$rootfs" -- /bin/sh -c 'echo "hello from Moat"; uname -a'

step "exit codes come back out of the sandbox"
rc=0
show "$runsc" "do" --root "$rootfs" -- /bin/sh -c 'exit 3' || rc=$?
if [[ $rc -ne 3 ]]; then
	echo "demo: expected exit status 3, got $rc" >&2
	exit 1
fi

step "the same rootfs as an OCI bundle: runsc spec, then runsc run"
bundle="$scratch/bundle"
rm -rf "$bundle"
mkdir -p "$bundle"
(cd "$bundle" && "$repo/$runsc" spec)
jq --arg root "$rootfs" '.root.path = $root | .process.terminal = false |
	.process.args = ["/bin/sh", "-c", "echo \"hello from a Moat container\"; hostname; ls /"]' \
	"$bundle/config.json" >"$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"
show "$runsc" run --bundle "$bundle" "moat-demo-$$"

step "done: the rootfs and bundle stay in $scratch (make clean removes them)"
