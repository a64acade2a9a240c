package kernel

import (
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// realTimer is a process's ITIMER_REAL: it sends SIGALRM when it expires
// and re-arms itself with its interval.
type realTimer struct {
	timer    *time.Timer
	expiry   time.Time
	interval time.Duration
}

// RealTimer returns the time left before ITIMER_REAL fires (0 when
// disarmed) and its interval.
func (tg *ThreadGroup) RealTimer() (left, interval time.Duration) {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if tg.itimer.timer == nil {
		return 0, 0
	}
	left = time.Until(tg.itimer.expiry)
	if left <= 0 {
		// About to fire: Linux reports the smallest non-zero value.
		left = time.Microsecond
	}
	return left, tg.itimer.interval
}

// SetRealTimer arms ITIMER_REAL to fire after value (disarms if 0) and
// then every interval; it returns the previous setting.
func (tg *ThreadGroup) SetRealTimer(value, interval time.Duration) (oldLeft, oldInterval time.Duration) {
	oldLeft, oldInterval = tg.RealTimer()
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if tg.itimer.timer != nil {
		tg.itimer.timer.Stop()
		tg.itimer.timer = nil
	}
	tg.itimer.interval = interval
	if value > 0 {
		tg.armRealTimerLocked(value)
	}
	return oldLeft, oldInterval
}

// armRealTimerLocked starts the timer for d.
//
// Preconditions:
// - tg.mu is held.
func (tg *ThreadGroup) armRealTimerLocked(d time.Duration) {
	tg.itimer.expiry = time.Now().Add(d)
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		tg.mu.Lock()
		if tg.itimer.timer != t {
			tg.mu.Unlock()
			return
		}
		tg.itimer.timer = nil
		if tg.itimer.interval > 0 && !tg.exiting {
			tg.armRealTimerLocked(tg.itimer.interval)
		}
		tg.mu.Unlock()
		info := linux.NewSignalInfo(int(unix.SIGALRM), linux.SI_TIMER)
		tg.SendGroupSignal(info, FromKernel)
	})
	tg.itimer.timer = t
}

// stopTimers cancels the process's timers (on exit).
func (tg *ThreadGroup) stopTimers() {
	tg.mu.Lock()
	if tg.itimer.timer != nil {
		tg.itimer.timer.Stop()
		tg.itimer.timer = nil
	}
	tg.mu.Unlock()
	tg.deleteAllTimers()
}
