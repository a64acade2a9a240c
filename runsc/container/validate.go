package container

import (
	"fmt"
	"path"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// checkUnsupported rejects, before anything is created, what Moat cannot
// honour: a sysctl the sandbox does not emulate (kernel.hostname and the
// net.* keys of its network namespace are; docs/oci.md) and masked or
// read-only paths that are not absolute.
func checkUnsupported(spec *specs.Spec) error {
	if spec.Linux == nil {
		return nil
	}
	for k := range spec.Linux.Sysctl {
		if k != "kernel.hostname" && !strings.HasPrefix(k, "net.") {
			return fmt.Errorf("sysctl %q is not supported: the sandbox emulates kernel.hostname and net.* only", k)
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
