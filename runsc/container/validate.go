package container

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/internal/log"
)

// namespacedSysctls are the sysctls that belong to a namespace the
// sandbox has (IPC, UTS, network); runc accepts the same ones. Any other
// would change the host and is refused.
var namespacedSysctls = map[string]bool{
	"kernel.msgmax": true, "kernel.msgmnb": true, "kernel.msgmni": true, "kernel.sem": true,
	"kernel.shmall": true, "kernel.shmmax": true, "kernel.shmmni": true, "kernel.shm_rmid_forced": true,
	"kernel.hostname": true, "kernel.domainname": true,
}

// checkUnsupported rejects what Moat cannot honour safely and logs what
// it accepts but does not apply yet.
func checkUnsupported(spec *specs.Spec) error {
	if spec.Linux == nil {
		return nil
	}
	for k := range spec.Linux.Sysctl {
		if !namespacedSysctls[k] && !strings.HasPrefix(k, "net.") && !strings.HasPrefix(k, "fs.mqueue.") {
			return fmt.Errorf("sysctl %q is not in a namespace the sandbox has: refused", k)
		}
		// TODO(#3): emulate them in the sentry's /proc/sys.
		log.Infof("sysctl %q accepted but not applied yet", k)
	}
	if len(spec.Linux.MaskedPaths) > 0 || len(spec.Linux.ReadonlyPaths) > 0 {
		// TODO(#3): needs file and read-only bind mounts in the sentry's vfs.
		log.Infof("linux.maskedPaths and linux.readonlyPaths are not applied yet")
	}
	if spec.Hooks != nil {
		// TODO(#3): run hooks.
		log.Infof("hooks are not run yet")
	}
	return nil
}
