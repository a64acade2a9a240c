package kernel

import (
	"testing"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
)

// TestSyscallPanicFailsOneCall: a handler that panics fails its syscall
// with EIO, and the task goes on serving the next one.
func TestSyscallPanicFailsOneCall(t *testing.T) {
	const bad, good = 1, 2
	entries := make([]Syscall, 3)
	entries[bad] = Syscall{Name: "bad", Fn: func(*Task, *arch.SyscallArguments) (uintptr, linux.Errno) {
		var m map[string]int
		m["x"]++ // a nil map write: a runtime panic, as a sentry bug would be
		return 0, 0
	}}
	entries[good] = Syscall{Name: "good", Fn: func(*Task, *arch.SyscallArguments) (uintptr, linux.Errno) {
		return 42, 0
	}}
	k := &Kernel{cfg: Config{Syscalls: &SyscallTable{Entries: entries}}}
	task := &Task{k: k, tg: &ThreadGroup{}, wake: make(chan struct{}, 1)}

	task.regs.Orig_rax = bad
	task.doSyscall()
	if got := int64(task.regs.Rax); got != -int64(linux.EIO) {
		t.Errorf("panicking syscall returned %d, want -EIO (%d)", got, -int64(linux.EIO))
	}
	task.regs.Orig_rax = good
	task.doSyscall()
	if task.regs.Rax != 42 {
		t.Errorf("next syscall returned %d, want 42", task.regs.Rax)
	}
	if got := task.recentNames(); got != "bad good" {
		t.Errorf("recent syscalls %q, want \"bad good\"", got)
	}
}
