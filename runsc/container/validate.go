package container

import (
	"fmt"
	"path"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// rlimitTypes are the process.rlimits types Linux has.
var rlimitTypes = map[string]bool{
	"RLIMIT_AS": true, "RLIMIT_CORE": true, "RLIMIT_CPU": true, "RLIMIT_DATA": true,
	"RLIMIT_FSIZE": true, "RLIMIT_LOCKS": true, "RLIMIT_MEMLOCK": true, "RLIMIT_MSGQUEUE": true,
	"RLIMIT_NICE": true, "RLIMIT_NOFILE": true, "RLIMIT_NPROC": true, "RLIMIT_RSS": true,
	"RLIMIT_RTPRIO": true, "RLIMIT_RTTIME": true, "RLIMIT_SIGPENDING": true, "RLIMIT_STACK": true,
}

// ipcSysctls are the IPC namespace's sysctls the sandbox emulates
// (docs/ipc.md).
var ipcSysctls = map[string]bool{
	"kernel.msgmax": true, "kernel.msgmnb": true, "kernel.msgmni": true, "kernel.sem": true,
	"kernel.shmall": true, "kernel.shmmax": true, "kernel.shmmni": true,
	"fs.mqueue.msg_default": true, "fs.mqueue.msg_max": true, "fs.mqueue.msgsize_default": true,
	"fs.mqueue.msgsize_max": true, "fs.mqueue.queues_max": true,
}

// checkUnsupported rejects, before anything is created, what Moat cannot
// honour: an rlimit Linux does not have, a sysctl the sandbox does not
// emulate (kernel.hostname, kernel.domainname, the System V IPC and POSIX
// message queue limits and the net.* keys of its network namespace are; docs/oci.md) and masked or read-only paths
// that are not absolute.
func checkUnsupported(spec *specs.Spec) error {
	if spec.Process != nil {
		for _, r := range spec.Process.Rlimits {
			if !rlimitTypes[r.Type] {
				return fmt.Errorf("process.rlimits: unknown rlimit type %q", r.Type)
			}
		}
	}
	if spec.Linux == nil {
		return nil
	}
	for k := range spec.Linux.Sysctl {
		if k != "kernel.hostname" && k != "kernel.domainname" && !ipcSysctls[k] && !strings.HasPrefix(k, "net.") {
			return fmt.Errorf("sysctl %q is not supported: the sandbox emulates kernel.hostname, kernel.domainname, the IPC limits (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*) and net.* only", k)
		}
	}
	for _, p := range spec.Linux.MaskedPaths {
		if !path.IsAbs(p) {
			return fmt.Errorf("masked path %q is not absolute", p)
		}
	}
	for _, p := range spec.Linux.ReadonlyPaths {
		if !path.IsAbs(p) {
			return fmt.Errorf("read-only path %q is not absolute", p)
		}
	}
	return nil
}
