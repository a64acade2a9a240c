package boot

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/sentry/kernel/ipc"
)

// ipcSysctls are the linux.sysctl keys of an IPC namespace the sandbox
// emulates (runc accepts these and fs.mqueue.*; kernel.shm_rmid_forced
// and POSIX message queues are not emulated).
var ipcSysctls = map[string]bool{
	"kernel.msgmax": true, "kernel.msgmnb": true, "kernel.msgmni": true, "kernel.sem": true,
	"kernel.shmall": true, "kernel.shmmax": true, "kernel.shmmni": true,
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
		if errno := ns.SetSysctl(strings.TrimPrefix(k, "kernel."), v); errno != 0 {
			return fmt.Errorf("sysctl %s=%q: %w", k, v, errno)
		}
	}
	return nil
}
