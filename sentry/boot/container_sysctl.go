package boot

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/sentry/fs/proc"
	"moat/sentry/net/inet"
)

// applySysctls applies linux.sysctl the way the sandbox can: kernel.hostname
// and kernel.domainname set the UTS names (after the spec's hostname, as
// with runc), the
// System V IPC keys set the limits of the sandbox's IPC namespace
// (applyIPCSysctls) and the net.* keys are the settings of the sandbox's
// network namespace, shown read-only in /proc/sys/net (there is no IP
// stack yet for them to act on). runsc create refuses every other key
// before the sandbox starts; they are refused here too.
func applySysctls(s *Sandbox, spec *specs.Spec) error {
	if spec.Linux == nil || len(spec.Linux.Sysctl) == 0 {
		return nil
	}
	net := map[string]string{}
	for k, v := range spec.Linux.Sysctl {
		switch {
		case k == "kernel.hostname" || k == "kernel.domainname":
			if len(v) > 64 {
				return fmt.Errorf("sysctl %s: %q is longer than 64 bytes", k, v)
			}
			if k == "kernel.hostname" {
				s.Kernel.SetHostname(v)
			} else {
				s.Kernel.SetDomainname(v)
			}
		case ipcSysctls[k]:
			// applyIPCSysctls, below.
		case strings.HasPrefix(k, "net."):
			net[strings.TrimPrefix(k, "net.")] = v
		default:
			return fmt.Errorf("sysctl %q is not emulated by the sandbox", k)
		}
	}
	if err := applyIPCSysctls(s.Kernel.RootIPCNamespace(), spec); err != nil {
		return err
	}
	if len(net) == 0 {
		return nil
	}
	if err := inet.StackOf(s.Kernel.VFS()).SetSysctls(net); err != nil {
		return fmt.Errorf("applying sysctls: %w", err)
	}
	if err := proc.SetNetSysctls(s.std["/proc"], net); err != nil {
		return fmt.Errorf("applying sysctls: %w", err)
	}
	return nil
}
