package kernel

import (
	"fmt"
	"runtime/debug"
	"strings"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
)

// recentSyscalls is how many of a task's last syscalls an internal error
// report names.
const recentSyscalls = 8

// callSyscall runs a handler. A panic in it, a bug of the sentry that the
// application's input reached, fails this one syscall with EIO instead of
// the whole sandbox, and is logged with the sentry's stack and the task's
// last syscalls.
//
// Locks the handler held when it panicked stay held; a task that later
// needs them blocks. That is the price of keeping the rest of the sandbox
// running, and the log says where it happened.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) callSyscall(sc *Syscall, nr uintptr, args *arch.SyscallArguments) (ret uintptr, errno linux.Errno) {
	t.recent[t.recentNext%recentSyscalls] = nr
	t.recentNext++
	defer func() {
		if r := recover(); r != nil {
			t.Warningf("internal error in %s(%#x, %#x, %#x, %#x, %#x, %#x): %v; failing it with EIO; last syscalls: %s\n%s",
				sc.Name, args[0], args[1], args[2], args[3], args[4], args[5], r, t.recentNames(), debug.Stack())
			ret, errno = 0, linux.EIO
		}
	}()
	return sc.Fn(t, args)
}

// recentNames lists the task's last syscalls, oldest first.
func (t *Task) recentNames() string {
	n := min(t.recentNext, recentSyscalls)
	names := make([]string, 0, n)
	for i := t.recentNext - n; i < t.recentNext; i++ {
		nr := t.recent[i%recentSyscalls]
		name := fmt.Sprintf("syscall_%d", nr)
		if e := t.k.cfg.Syscalls.Lookup(nr); e != nil {
			name = e.Name
		}
		names = append(names, name)
	}
	return strings.Join(names, " ")
}
