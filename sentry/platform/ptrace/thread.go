package ptrace

import (
	"fmt"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"moat/sentry/arch"
	"moat/sentry/platform"
)

// thread is a traced stub thread.
//
// Preconditions for every method but Interrupt: called on the OS thread that
// attached the tracee.
type thread struct {
	as  *addressSpace
	tid int

	// cached is the register state the tracee has now, so Run writes
	// registers only when the sentry changed them.
	cached arch.Registers

	// interrupted is set by Interrupt until Run reports it.
	interrupted atomic.Bool

	// cpu is the host CPU the stub thread is pinned to, or -1.
	cpu int
	// fpLen is the size of the host's XSAVE area, once FPState has
	// read it (0 before).
	fpLen int
}

// Run implements platform.Thread.Run.
func (t *thread) Run(regs *arch.Registers) (platform.Event, error) {
	if *regs != t.cached {
		if err := t.writeRegs(regs); err != nil {
			return platform.Event{}, err
		}
	}
	if t.interrupted.Swap(false) {
		return platform.Event{Kind: platform.EventInterrupted}, nil
	}
	t.followCPU()
	if e := ptrace(ptraceSysemu, t.tid, 0, 0); e != 0 {
		return platform.Event{}, t.gone(e)
	}
	for {
		ws, err := wait4(t.tid)
		if err != nil {
			return platform.Event{}, t.gone(err)
		}
		if ws.Exited() || ws.Signaled() {
			return platform.Event{}, platform.ErrThreadGone
		}
		if !ws.Stopped() {
			continue
		}
		if e := getRegs(t.tid, regs); e != 0 {
			return platform.Event{}, t.gone(e)
		}
		t.cached = *regs
		sig := ws.StopSignal()
		switch {
		case sig == unix.SIGTRAP|0x80:
			// The syscall instruction leaves rcx = return address and
			// r11 = flags, which the entry code saves as rip and
			// eflags; an i386 gate (int $0x80) does not. Only when the
			// registers do not show a syscall instruction is the
			// kernel asked which gate was used.
			foreign := false
			if regs.Rcx != regs.Rip || regs.R11 != regs.Eflags {
				foreign = syscallArch(t.tid) != auditArchX86_64
			}
			return platform.Event{Kind: platform.EventSyscall, ForeignABI: foreign}, nil
		case sig == unix.SIGSEGV || sig == unix.SIGBUS || sig == unix.SIGFPE || sig == unix.SIGILL || sig == unix.SIGTRAP:
			var si unix.Siginfo
			if e := getSiginfo(t.tid, &si); e != 0 {
				return platform.Event{}, t.gone(e)
			}
			if si.Code > 0 {
				// A synchronous fault raised by the CPU.
				return platform.Event{Kind: platform.EventFault, Signo: int(sig), Code: si.Code, Addr: siAddr(&si)}, nil
			}
			// Sent by someone on the host: not the application's
			// doing (it cannot make syscalls). Drop it.
			t.interrupted.Store(false)
			return platform.Event{Kind: platform.EventInterrupted}, nil
		default:
			// SIGSTOP from Interrupt, or any other host signal: the
			// signal is suppressed (the next resume passes 0).
			t.interrupted.Store(false)
			return platform.Event{Kind: platform.EventInterrupted}, nil
		}
	}
}

func (t *thread) gone(err error) error {
	if err == unix.ESRCH || err == unix.ECHILD {
		return platform.ErrThreadGone
	}
	return fmt.Errorf("ptrace thread %d: %w", t.tid, err)
}

// Interrupt implements platform.Thread.Interrupt.
func (t *thread) Interrupt() {
	t.interrupted.Store(true)
	unix.Tgkill(t.as.pid, t.tid, unix.SIGSTOP)
}

// FPState implements platform.Thread.FPState.
func (t *thread) FPState() ([]byte, error) {
	buf := make([]byte, 4096)
	n, e := regset(ptraceGetRegset, t.tid, buf)
	if e != 0 {
		return nil, fmt.Errorf("reading XSTATE: %w", e)
	}
	t.fpLen = n
	return buf[:n], nil
}

// SetFPState implements platform.Thread.SetFPState. The host takes only
// a whole XSAVE area of its own size: a shorter b is completed from the
// thread's current state, a longer one cut.
func (t *thread) SetFPState(b []byte) error {
	if len(b) == 0 {
		return fmt.Errorf("empty XSTATE")
	}
	if t.fpLen == 0 || len(b) < t.fpLen {
		cur, err := t.FPState()
		if err != nil {
			return err
		}
		copy(cur, b)
		b = cur
	}
	if _, e := regset(ptraceSetRegset, t.tid, b[:t.fpLen]); e != 0 {
		return fmt.Errorf("writing XSTATE: %w", e)
	}
	return nil
}

// Release implements platform.Thread.Release: the stub thread exits (the
// last thread goes with AddressSpace.Release instead).
//
// The stub process's first thread, whose TID is the PID, cannot go first:
// Linux reports a thread-group leader's exit only when every other thread
// has exited, and copies through process_vm_readv(PID) need a live leader.
// It stays stopped, and Release blocks (keeping this OS thread, its
// tracer) until the address space is released.
func (t *thread) Release() {
	as := t.as
	as.mu.Lock()
	n := len(as.threads)
	mine := false
	for _, o := range as.threads {
		mine = mine || o == t
	}
	as.mu.Unlock()
	if !mine || n <= 1 {
		return
	}
	if t.tid == as.pid {
		<-as.gone
		return
	}
	// The thread dies in the injected exit; the error is expected.
	t.inject(unix.SYS_EXIT, 0)
	reap(t.tid)
	as.mu.Lock()
	for k, o := range as.threads {
		if o == t {
			delete(as.threads, k)
		}
	}
	as.mu.Unlock()
}

// inject executes system call nr with args in the stub at the injection
// site and returns its raw result. The application's registers are
// restored by the next Run (t.cached no longer matches them).
func (t *thread) inject(nr uintptr, args ...uintptr) (uintptr, error) {
	return t.injectAt(stubSite, stubSite+3, nr, args...)
}

// injectAt runs syscall nr at site, expecting the int3 that follows it to
// stop the thread with rip at trap. A file descriptor the stub kept from
// the last file mapping is closed first (memory.go).
func (t *thread) injectAt(site, trap uintptr, nr uintptr, args ...uintptr) (uintptr, error) {
	if err := t.as.dropCachedFD(t); err != nil {
		return 0, err
	}
	return t.injectRaw(site, trap, nr, args...)
}

// injectRaw is injectAt without the cached descriptor's close.
func (t *thread) injectRaw(site, trap uintptr, nr uintptr, args ...uintptr) (uintptr, error) {
	r := t.as.injRegs
	r.Rip = uint64(site)
	r.Rax = uint64(nr)
	r.Orig_rax = ^uint64(0)
	dst := []*uint64{&r.Rdi, &r.Rsi, &r.Rdx, &r.R10, &r.R8, &r.R9}
	for i, a := range args {
		*dst[i] = uint64(a)
	}
	if e := setRegs(t.tid, &r); e != 0 {
		return 0, t.gone(e)
	}
	if e := ptrace(unix.PTRACE_CONT, t.tid, 0, 0); e != 0 {
		return 0, t.gone(e)
	}
	for {
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
		if ws.StopSignal() != unix.SIGTRAP {
			// A host signal (e.g. Interrupt's SIGSTOP) arrived while
			// injecting: suppress it and keep going to the int3.
			if ws.StopSignal() == unix.SIGSTOP {
				t.interrupted.Store(true)
			}
			if e := ptrace(unix.PTRACE_CONT, t.tid, 0, 0); e != 0 {
				return 0, t.gone(e)
			}
			continue
		}
		break
	}
	if e := getRegs(t.tid, &r); e != 0 {
		return 0, t.gone(e)
	}
	t.cached = r
	if uintptr(r.Rip) != trap {
		return 0, fmt.Errorf("injected syscall %d stopped at %#x, not at %#x", nr, r.Rip, trap)
	}
	ret := uintptr(r.Rax)
	if int64(ret) < 0 && int64(ret) > -4096 {
		return 0, unix.Errno(-int64(ret))
	}
	return ret, nil
}

// seize attaches the calling OS thread to tid, a stub thread or process
// waiting in pause(2) at the clone site, and stops it.
func seize(tid int) (arch.Registers, error) {
	var regs arch.Registers
	opts := uintptr(unix.PTRACE_O_TRACESYSGOOD | unix.PTRACE_O_EXITKILL)
	if e := ptrace(unix.PTRACE_SEIZE, tid, 0, opts); e != 0 {
		return regs, fmt.Errorf("PTRACE_SEIZE %d: %w", tid, e)
	}
	if e := ptrace(unix.PTRACE_INTERRUPT, tid, 0, 0); e != 0 {
		return regs, fmt.Errorf("PTRACE_INTERRUPT %d: %w", tid, e)
	}
	for {
		ws, err := wait4(tid)
		if err != nil {
			return regs, err
		}
		if ws.Exited() || ws.Signaled() {
			return regs, platform.ErrThreadGone
		}
		if ws.Stopped() && ws.TrapCause() == unix.PTRACE_EVENT_STOP {
			break
		}
		// Any other stop (a host signal): suppress and wait for ours.
		if e := ptrace(unix.PTRACE_CONT, tid, 0, 0); e != 0 {
			return regs, fmt.Errorf("resuming %d: %w", tid, e)
		}
	}
	if e := getRegs(tid, &regs); e != 0 {
		return regs, fmt.Errorf("reading registers of %d: %w", tid, e)
	}
	return regs, nil
}

// followCPU pins the stub thread to the CPU the tracer runs on. A stop and
// resume then wake a thread on the same CPU, which halves the round trip
// (see ../shared/notes/seccomp-unotify.md: 5.4 vs 11 µs here). The tracer
// is not pinned: when the Go scheduler moves it, the stub follows.
func (t *thread) followCPU() {
	cpu, _ := hostCPU()
	if int(cpu) == t.cpu {
		return
	}
	var set unix.CPUSet
	set.Set(int(cpu))
	if unix.SchedSetaffinity(t.tid, &set) == nil {
		t.cpu = int(cpu)
	}
}

// raxOffset is the offset of rax in struct user_regs_struct.
const raxOffset = 10 * 8

// writeRegs makes the tracee's registers regs. The common case after a
// syscall, where only rax (the result) changed, costs one PTRACE_POKEUSER
// instead of a full PTRACE_SETREGS.
func (t *thread) writeRegs(regs *arch.Registers) error {
	c := t.cached
	c.Rax = regs.Rax
	if c == *regs {
		if e := ptrace(unix.PTRACE_POKEUSR, t.tid, raxOffset, uintptr(regs.Rax)); e != 0 {
			return fmt.Errorf("PTRACE_POKEUSER rax: %w", e)
		}
	} else if e := setRegs(t.tid, regs); e != 0 {
		return fmt.Errorf("PTRACE_SETREGS: %w", e)
	}
	t.cached = *regs
	return nil
}

// SetNice implements platform.Thread.SetNice.
func (t *thread) SetNice(nice int) error {
	return unix.Setpriority(unix.PRIO_PROCESS, t.tid, nice)
}
