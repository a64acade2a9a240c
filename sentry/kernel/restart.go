package kernel

import (
	"time"

	"moat/sentry/abi/linux"
)

// restart_syscall(2): a syscall interrupted by a signal that runs no
// handler (a stop and SIGCONT, say) and that must not restart from
// scratch (a relative timeout would start over) records how to continue
// in its restart block and returns ERESTART_RESTARTBLOCK; finishRestart
// then points the thread at restart_syscall, which runs the block. A
// handler, or rt_sigreturn, drops the block (restart_syscall is EINTR).

// RestartFn continues an interrupted syscall on the task goroutine.
type RestartFn func(t *Task) (uintptr, linux.Errno)

// SetRestartBlock records fn for restart_syscall and returns
// ERESTART_RESTARTBLOCK, for the interrupted syscall to return.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) SetRestartBlock(fn RestartFn) linux.Errno {
	t.restartBlock = fn
	return linux.ERESTART_RESTARTBLOCK
}

// RestartSyscall implements restart_syscall(2).
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) RestartSyscall() (uintptr, linux.Errno) {
	fn := t.restartBlock
	t.restartBlock = nil
	if fn == nil {
		return 0, linux.EINTR
	}
	return fn(t)
}

// SleepUntil blocks until the deadline or a signal, and returns the time
// left when a signal interrupted it.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) SleepUntil(deadline time.Time) (left time.Duration, interrupted bool) {
	return t.Sleep(time.Until(deadline))
}
