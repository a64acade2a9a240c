package boot

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel/ipc"
)

// ipcSysctls are the linux.sysctl keys of an IPC namespace the sandbox
// emulates: the System V limits and the POSIX message queue limits
// (fs.mqueue.*), as runc accepts them (kernel.shm_rmid_forced is not
// emulated).
var ipcSysctls = map[string]bool{
	"kernel.msgmax": true, "kernel.msgmnb": true, "kernel.msgmni": true, "kernel.sem": true,
	"kernel.shmall": true, "kernel.shmmax": true, "kernel.shmmni": true,
	"fs.mqueue.msg_default": true, "fs.mqueue.msg_max": true, "fs.mqueue.msgsize_default": true,
	"fs.mqueue.msgsize_max": true, "fs.mqueue.queues_max": true,
}

// applyIPCSysctls sets the spec's System V IPC limits in ns.
func applyIPCSysctls(ns *ipc.Namespace, spec *specs.Spec) error {
	if spec.Linux == nil {
		return nil
	}
	for k, v := range spec.Linux.Sysctl {
		if !ipcSysctls[k] {
			continue
		}
		var errno linux.Errno
		if name, ok := strings.CutPrefix(k, "fs.mqueue."); ok {
			errno = ns.MQ().SetSysctl(name, v)
		} else {
			errno = ns.SetSysctl(strings.TrimPrefix(k, "kernel."), v)
		}
		if errno != 0 {
			return fmt.Errorf("sysctl %s=%q: %w", k, v, errno)
		}
	}
	return nil
}
