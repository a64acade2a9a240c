package ptrace

import (
	"fmt"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/arch"
	"moat/sentry/platform"
)

const codeAddr = 0x10000000

// code: getpid; then exit(rax); then a load from address 8.
var testCode = []byte{
	0xb8, 0x27, 0x00, 0x00, 0x00, // mov eax, 39
	0x0f, 0x05, // syscall
	0x48, 0x89, 0xc7, // mov rdi, rax
	0xb8, 0x3c, 0x00, 0x00, 0x00, // mov eax, 60
	0x0f, 0x05, // syscall
	0x48, 0x8b, 0x04, 0x25, 0x08, 0x00, 0x00, 0x00, // mov rax, [8]
}

// newStub starts a platform and an address space bound to the test's
// goroutine, which stays locked to its OS thread until the test ends.
func newStub(t *testing.T) (platform.AddressSpace, platform.Thread) {
	t.Helper()
	if unix.Geteuid() != 0 {
		t.Skip("needs root for ptrace in this environment")
	}
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	as, th, err := p.NewAddressSpace()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(as.Release)
	return as, th
}

func TestSyscallsAndFaults(t *testing.T) {
	as, th := newStub(t)
	if err := as.MapAnon(codeAddr, 4096, unix.PROT_READ|unix.PROT_WRITE, false); err != nil {
		t.Fatalf("MapAnon: %v", err)
	}
	if _, err := as.WriteAt(codeAddr, testCode); err != nil {
		t.Fatalf("WriteAt: %v", err)
	}
	if err := as.Protect(codeAddr, 4096, unix.PROT_READ|unix.PROT_EXEC); err != nil {
		t.Fatalf("Protect: %v", err)
	}
	var regs arch.Registers
	regs = th.(*thread).as.injRegs
	regs.Rip = codeAddr
	ev, err := th.Run(&regs)
	if err != nil || ev.Kind != platform.EventSyscall || arch.SyscallNo(&regs) != unix.SYS_GETPID {
		t.Fatalf("first event: %+v %v nr=%d", ev, err, regs.Orig_rax)
	}
	arch.SetReturn(&regs, 1234)
	ev, err = th.Run(&regs)
	if err != nil || ev.Kind != platform.EventSyscall || arch.SyscallNo(&regs) != unix.SYS_EXIT || regs.Rdi != 1234 {
		t.Fatalf("second event: %+v %v nr=%d rdi=%d", ev, err, regs.Orig_rax, regs.Rdi)
	}
	// An injection between syscalls must not disturb the application.
	if err := as.MapAnon(codeAddr+0x10000, 4096, unix.PROT_READ, false); err != nil {
		t.Fatalf("MapAnon: %v", err)
	}
	ev, err = th.Run(&regs)
	if err != nil || ev.Kind != platform.EventFault || ev.Signo != int(unix.SIGSEGV) || ev.Addr != 8 {
		t.Fatalf("third event: %+v %v", ev, err)
	}
	// Bad pointers read short, never crash.
	buf := make([]byte, 16)
	if n, _ := as.ReadAt(8, buf); n != 0 {
		t.Fatalf("ReadAt(8) = %d, want 0", n)
	}
	// A file mapping through FD donation.
	fd, _ := unix.MemfdCreate("t", 0)
	unix.Pwrite(fd, []byte("hello"), 0)
	unix.Ftruncate(fd, 4096)
	if err := as.MapFile(codeAddr+0x20000, 4096, unix.PROT_READ, false, fd, 0); err != nil {
		t.Fatalf("MapFile: %v", err)
	}
	unix.Close(fd)
	if n, err := as.ReadAt(codeAddr+0x20000, buf[:5]); n != 5 || string(buf[:5]) != "hello" {
		t.Fatalf("mapped file reads %q (%d, %v)", buf[:5], n, err)
	}
}

func BenchmarkSyscallRoundTrip(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p, err := New()
	if err != nil {
		b.Fatal(err)
	}
	as, th, err := p.NewAddressSpace()
	if err != nil {
		b.Fatal(err)
	}
	defer as.Release()
	// loop: syscall; jmp loop
	code := []byte{0x0f, 0x05, 0xeb, 0xfc}
	as.MapAnon(codeAddr, 4096, unix.PROT_READ|unix.PROT_WRITE, false)
	as.WriteAt(codeAddr, code)
	as.Protect(codeAddr, 4096, unix.PROT_READ|unix.PROT_EXEC)
	regs := th.(*thread).as.injRegs
	regs.Rip = codeAddr
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := th.Run(&regs); err != nil {
			b.Fatal(err)
		}
		arch.SetReturn(&regs, uintptr(i))
	}
}

// TestCloneAndFork runs a second thread and a forked child of a stub, each
// attached from its own OS thread, as the kernel does for clone and fork.
func TestCloneAndFork(t *testing.T) {
	as, th := newStub(t)
	if err := as.MapAnon(codeAddr, 4096, unix.PROT_READ|unix.PROT_WRITE, false); err != nil {
		t.Fatal(err)
	}
	as.WriteAt(codeAddr, testCode)
	as.Protect(codeAddr, 4096, unix.PROT_READ|unix.PROT_EXEC)
	base := th.(*thread).as.injRegs
	base.Rip = codeAddr

	pt, err := as.CloneThread()
	if err != nil {
		t.Fatalf("CloneThread: %v", err)
	}
	pf, err := as.Fork()
	if err != nil {
		t.Fatalf("Fork: %v", err)
	}
	run := func(attach func() (platform.Thread, platform.AddressSpace, error)) error {
		errc := make(chan error, 1)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread traces
			th2, as2, err := attach()
			if err != nil {
				errc <- err
				return
			}
			regs := base
			ev, err := th2.Run(&regs)
			if err == nil && (ev.Kind != platform.EventSyscall || arch.SyscallNo(&regs) != unix.SYS_GETPID) {
				err = fmt.Errorf("event %+v nr %d", ev, regs.Orig_rax)
			}
			if as2 != nil {
				as2.Release()
			} else {
				th2.Release()
			}
			errc <- err
		}()
		return <-errc
	}
	if err := run(func() (platform.Thread, platform.AddressSpace, error) {
		th2, err := pt.Attach()
		return th2, nil, err
	}); err != nil {
		t.Fatalf("thread: %v", err)
	}
	if err := run(func() (platform.Thread, platform.AddressSpace, error) {
		as2, th2, err := pf.Attach()
		return th2, as2, err
	}); err != nil {
		t.Fatalf("fork: %v", err)
	}
	// The first thread still works.
	regs := base
	if ev, err := th.Run(&regs); err != nil || ev.Kind != platform.EventSyscall {
		t.Fatalf("first thread after clone: %+v %v", ev, err)
	}
}
