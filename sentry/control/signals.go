package control

import (
	"os"
	"syscall"
)

// ForwardedSignals are the host signals runsc relays to a sandbox and the
// sandbox process passes on to the container's init.
var ForwardedSignals = []os.Signal{
	syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM,
	syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH, syscall.SIGCONT, syscall.SIGALRM,
}
