package boot

import (
	"os"
	"os/signal"
	"syscall"

	"moat/internal/log"
	"moat/sentry/control"
)

// ForwardSignals relays control.ForwardedSignals received by the sandbox process to
// init, as signals from outside the sandbox. It also keeps a goroutine
// waiting on the host, so that an application whose every task is blocked
// is never mistaken by the Go runtime for a deadlocked sentry.
func (s *Sandbox) ForwardSignals() {
	ch := make(chan os.Signal, 16)
	signal.Notify(ch, control.ForwardedSignals...)
	go func() {
		for sig := range ch {
			n := int(sig.(syscall.Signal))
			if errno := s.Kernel.SignalInit(n); errno != 0 {
				log.Debugf("forwarding signal %d: %v", n, errno)
			}
		}
	}()
}
