package boot

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// ConfineContainer is Confine for a bundle's sandbox, whose control server
// must also accept connections on its already listening socket: the
// seccomp allow-list is SentryFilter plus accept4 (docs/oci.md). Nothing
// else about a host socket is allowed (no socket, bind or connect).
//
// Preconditions:
//   - As for Confine; the control socket is listening.
func ConfineContainer() error {
	if err := pivotToEmptyRoot(); err != nil {
		return err
	}
	if err := dropCapabilities(); err != nil {
		return err
	}
	f := SentryFilter()
	f.Allow(unix.SYS_ACCEPT4)
	if err := f.Load(); err != nil {
		return fmt.Errorf("installing the sentry's seccomp filter: %w", err)
	}
	return nil
}
