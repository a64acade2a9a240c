package ptrace

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"moat/sentry/arch"
)

// ptrace request numbers x/sys/unix does not name for amd64.
const (
	ptraceSysemu     = 31
	ptraceGetRegset  = 0x4204
	ptraceSetRegset  = 0x4205
	ntX86Xstate      = 0x202
	ptraceSetOptions = 0x4200
)

func ptrace(req int, tid int, addr, data uintptr) unix.Errno {
	_, _, e := unix.RawSyscall6(unix.SYS_PTRACE, uintptr(req), uintptr(tid), addr, data, 0, 0)
	return e
}

func getRegs(tid int, r *arch.Registers) unix.Errno {
	// SAFETY: r points to a PtraceRegs, the layout PTRACE_GETREGS fills.
	return ptrace(unix.PTRACE_GETREGS, tid, 0, uintptr(unsafe.Pointer(r)))
}

func setRegs(tid int, r *arch.Registers) unix.Errno {
	// SAFETY: r points to a PtraceRegs the kernel only reads.
	return ptrace(unix.PTRACE_SETREGS, tid, 0, uintptr(unsafe.Pointer(r)))
}

func getSiginfo(tid int, si *unix.Siginfo) unix.Errno {
	// SAFETY: si is a 128-byte siginfo buffer.
	return ptrace(unix.PTRACE_GETSIGINFO, tid, 0, uintptr(unsafe.Pointer(si)))
}

// regset reads or writes an NT_X86_XSTATE register set.
func regset(req, tid int, buf []byte) (int, unix.Errno) {
	iov := unix.Iovec{Base: &buf[0]}
	iov.SetLen(len(buf))
	// SAFETY: iov describes buf, which outlives the call.
	e := ptrace(req, tid, ntX86Xstate, uintptr(unsafe.Pointer(&iov)))
	return int(iov.Len), e
}

// wait4 waits for tid with __WALL and returns its status.
func wait4(tid int) (unix.WaitStatus, error) {
	var ws unix.WaitStatus
	for {
		// SAFETY: ws is a plain int the kernel fills.
		_, _, e := unix.Syscall6(unix.SYS_WAIT4, uintptr(tid), uintptr(unsafe.Pointer(&ws)), unix.WALL, 0, 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return ws, nil
	}
}

// siAddr returns si_addr of a fault siginfo.
func siAddr(si *unix.Siginfo) uintptr {
	// SAFETY: for SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGTRAP, si_addr is the first
	// field of the union, 16 bytes into the structure on amd64.
	return *(*uintptr)(unsafe.Add(unsafe.Pointer(si), 16))
}

// hostCPU returns the CPU the calling thread runs on.
func hostCPU() (cpu, node uint32) {
	// SAFETY: getcpu writes one uint32 through each pointer.
	unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&cpu)), uintptr(unsafe.Pointer(&node)), 0)
	return cpu, node
}

const ptraceGetSyscallInfo = 0x420e

// syscallArch returns the AUDIT_ARCH of the syscall a thread is stopped at:
// an i386 gate (int $0x80) in a 64-bit process looks like a 64-bit syscall
// in the registers alone.
func syscallArch(tid int) uint32 {
	// struct ptrace_syscall_info starts with op (u8), 3 pad bytes and
	// arch (u32); the kernel copies no more than the size given.
	var head [8]byte
	// SAFETY: the kernel writes at most len(head) bytes into head.
	if e := ptrace(ptraceGetSyscallInfo, tid, uintptr(len(head)), uintptr(unsafe.Pointer(&head[0]))); e != 0 {
		return 0
	}
	return uint32(head[4]) | uint32(head[5])<<8 | uint32(head[6])<<16 | uint32(head[7])<<24
}

// saNoCldStop is SA_NOCLDSTOP, which x/sys/unix does not name.
const saNoCldStop = 1

// sigaction is the kernel's struct sigaction on amd64.
type sigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// quietStops adds SA_NOCLDSTOP to the process's SIGCHLD action (Go's
// runtime handler stays). Every ptrace stop of a stub thread would
// otherwise send the sentry a SIGCHLD, which the kernel delivers to one
// of its threads, often the tracer waiting for that very stop: a signal
// frame, a run of Go's handler and an rt_sigreturn per application
// syscall, or worse a wake-up of an idle thread on the other CPU.
// wait4 is woken by the stop itself, whether SIGCHLD is sent or not;
// exits of children still send it.
func quietStops() error {
	var act sigaction
	// SAFETY: act is the kernel's struct sigaction; the kernel writes
	// the current action into it and reads the new one from it.
	p := uintptr(unsafe.Pointer(&act))
	if _, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGCHLD), 0, p, 8, 0, 0); e != 0 {
		return e
	}
	if act.handler == 0 || act.handler == 1 { // SIG_DFL, SIG_IGN: no handler, no cost
		return nil
	}
	act.flags |= saNoCldStop
	if _, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGCHLD), p, 0, 8, 0, 0); e != 0 {
		return e
	}
	return nil
}
