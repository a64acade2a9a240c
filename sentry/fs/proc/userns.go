package proc

import (
	"strings"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// The sandbox is one user namespace, the initial one as its processes
// see it: IDs map to themselves over the whole 32-bit range. So
// /proc/PID/{uid,gid,projid}_map read as Linux's init_user_ns does, and
// programs that ask "am I in a user namespace?" (libcontainer's
// RunningInUserNS, systemd) get Linux's answer for a root namespace.
// The maps are set once and for all, so writes are EPERM, as Linux's
// map_write says once a map has extents.
const identityMap = "         0          0 4294967295\n"

func genIDMap(vfs.Context, *kernel.Task) ([]byte, linux.Errno) {
	return []byte(identityMap), 0
}

func writeIDMap(vfs.Context, *kernel.Task, []byte) linux.Errno {
	return linux.EPERM
}

// /proc/PID/setgroups is "allow" in the initial user namespace: writing
// "allow" changes nothing, "deny" is EPERM (the gid_map is written),
// anything else EINVAL, as Linux's proc_setgroups_write.
func genSetgroups(vfs.Context, *kernel.Task) ([]byte, linux.Errno) {
	return []byte("allow\n"), 0
}

func writeSetgroups(_ vfs.Context, _ *kernel.Task, data []byte) linux.Errno {
	switch strings.TrimRight(string(data), " \t\n") {
	case "allow":
		return 0
	case "deny":
		return linux.EPERM
	}
	return linux.EINVAL
}
