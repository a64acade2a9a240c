package boot

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// SetupNamespace prepares the sandbox process's own mount namespace (it was
// started with CLONE_NEWNS and CLONE_NEWPID): nothing it mounts may
// propagate to the host, and /proc must describe its PID namespace, where
// the stubs live, for the platform to read their memory maps.
//
// TODO(#3): pivot into an empty root once stubs are forked from a zygote
// rather than executed from /proc/self/fd.
func SetupNamespace() error {
	if err := unix.Mount("", "/", "", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("making mounts private: %w", err)
	}
	if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mounting /proc for the sandbox's PID namespace: %w", err)
	}
	return nil
}
