package kernel

import "runtime/debug"

// maxTasksLimit is Linux's PID_MAX_LIMIT on 64-bit: no pids limit above
// it changes anything.
const maxTasksLimit = 4 << 20

// SetMaxTasks changes the sandbox's task limit (the container's pids
// limit, set at create and by runsc update); n <= 0 means
// DefaultMaxTasks. Tasks beyond a lowered limit keep running; clone fails
// with EAGAIN until they are fewer.
func (k *Kernel) SetMaxTasks(n int) {
	if n <= 0 {
		n = DefaultMaxTasks
	}
	// Linux never has more than PID_MAX_LIMIT (4M) tasks.
	n = min(n, maxTasksLimit)
	k.mu.Lock()
	k.cfg.MaxTasks = n
	k.mu.Unlock()
	// Every task pins an OS thread: the Go runtime must allow them, and
	// the bound is never lowered under threads that may exist.
	debug.SetMaxThreads(2*max(n, DefaultMaxTasks) + 1000)
}
