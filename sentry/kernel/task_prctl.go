package kernel

// defaultTimerSlack is Linux's default timer slack (50 µs).
const defaultTimerSlack = 50000

// PdeathSignal returns PR_GET_PDEATHSIG's value.
func (t *Task) PdeathSignal() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pdeathsig
}

// SetPdeathSignal sets the signal sent when the parent process dies.
func (t *Task) SetPdeathSignal(sig int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pdeathsig = sig
}

// TimerSlack returns PR_GET_TIMERSLACK's value. The sentry's timers fire on
// Go's timers, which take no slack: the value is kept for the application.
func (t *Task) TimerSlack() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timerSlack == 0 {
		return defaultTimerSlack
	}
	return t.timerSlack
}

// SetTimerSlack sets the timer slack; 0 restores the default.
func (t *Task) SetTimerSlack(ns uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.timerSlack = ns
}

// KeepCaps returns PR_GET_KEEPCAPS.
func (t *Task) KeepCaps() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.keepCaps
}

// SetKeepCaps sets PR_SET_KEEPCAPS.
func (t *Task) SetKeepCaps(v bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.keepCaps = v
}

// Dumpable returns PR_GET_DUMPABLE's value for the process.
func (tg *ThreadGroup) Dumpable() int {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if tg.notDumpable {
		return 0
	}
	return 1
}

// SetDumpable sets PR_SET_DUMPABLE (0 or 1).
func (tg *ThreadGroup) SetDumpable(v int) {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	tg.notDumpable = v == 0
}
