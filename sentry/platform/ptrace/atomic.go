package ptrace

import (
	"fmt"

	"golang.org/x/sys/unix"

	"moat/sentry/platform"
)

// CompareAndSwapUint32 implements platform.AtomicAddressSpace: the calling
// OS thread's tracee executes "lock cmpxchg" at stubCASSite, so the update
// is atomic against every other thread using the memory (the sentry's own
// process_vm_writev is not). A fault on the word stops the tracee with
// SIGSEGV or SIGBUS at the site; the signal is dropped by the next resume,
// which also restores the application's registers.
func (as *addressSpace) CompareAndSwapUint32(addr uintptr, old, new uint32) (uint32, error) {
	t, err := as.injector()
	if err != nil {
		return 0, err
	}
	r := as.injRegs
	r.Rip = stubCASSite
	r.Rdi = uint64(addr)
	r.Rax = uint64(old)
	r.Rsi = uint64(new)
	r.Orig_rax = ^uint64(0)
	if e := setRegs(t.tid, &r); e != 0 {
		return 0, t.gone(e)
	}
	for {
		if e := ptrace(unix.PTRACE_CONT, t.tid, 0, 0); e != 0 {
			return 0, t.gone(e)
		}
		ws, err := wait4(t.tid)
		if err != nil {
			return 0, t.gone(err)
		}
		if ws.Exited() || ws.Signaled() {
			return 0, platform.ErrThreadGone
		}
		if !ws.Stopped() {
			continue
		}
		sig := ws.StopSignal()
		if sig == unix.SIGTRAP || sig == unix.SIGSEGV || sig == unix.SIGBUS {
			if e := getRegs(t.tid, &r); e != 0 {
				return 0, t.gone(e)
			}
			t.cached = r
			switch {
			case sig == unix.SIGTRAP && uintptr(r.Rip) == stubCASTrap:
				return uint32(r.Rax), nil
			case sig != unix.SIGTRAP && uintptr(r.Rip) == stubCASSite:
				return 0, unix.EFAULT
			}
			return 0, fmt.Errorf("atomic compare-and-swap stopped by signal %d at %#x", sig, r.Rip)
		}
		// A host signal (Interrupt's SIGSTOP) while the instruction
		// runs: note it for Run and go on.
		if sig == unix.SIGSTOP {
			t.interrupted.Store(true)
		}
	}
}
