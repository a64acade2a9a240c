// Package ptrace is the first Moat platform: every application thread is a
// thread of a stub process traced with PTRACE_SYSEMU, so the host kernel
// never executes an application system call. Address-space changes the
// sentry decided are carried out by injecting system calls at the stub's
// injection site (see stub.go).
//
// A traced thread can be driven only by the host thread that attached it, so
// each AddressSpace is bound to the OS thread that created it; callers lock
// their goroutine to that thread (runtime.LockOSThread).
//
// File descriptors: a stub holds only the descriptors the sentry hands it.
// It starts with one, the stub end of a socketpair at fd 0; to map a file,
// the sentry sends the host FD over the socketpair, injects recvmsg to
// receive it, mmap to map it and close to drop it again. See
// docs/platform-ptrace.md for why this was chosen over sharing the sentry's
// FD table.
package ptrace

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"moat/sentry/arch"
	"moat/sentry/platform"
)

func init() {
	platform.Register("ptrace", func() (platform.Platform, error) { return New() })
}

// Platform is the ptrace platform.
//
// Every address space is a fork of one zygote stub, executed once when the
// platform is created (from a sealed memfd, through /proc/self/fd). After
// that the platform needs no file system: the sandbox can pivot into an
// empty root, and a new address space costs a host fork of a two-page
// process, made ahead of need: one spare fork waits to be seized.
type Platform struct {
	// forks carries requests to the zygote's tracer goroutine.
	forks chan chan forkReply
	// spare holds the PID of a zygote child forked ahead of need and
	// waiting in pause(2) to be seized, when there is one: execve then
	// skips a round trip to the zygote goroutine and the fork itself.
	spare chan int
	// refill asks the zygote goroutine for a new spare.
	refill chan struct{}
	// zygote is the template stub (owned by the zygote goroutine).
	zygote *addressSpace
}

type forkReply struct {
	pid int
	err error
}

// New prepares the stub executable and starts the zygote.
func New() (*Platform, error) {
	if err := quietStops(); err != nil {
		return nil, fmt.Errorf("setting SA_NOCLDSTOP on SIGCHLD: %w", err)
	}
	fd, err := unix.MemfdCreate("moat-stub", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("creating stub memfd: %w", err)
	}
	f := os.NewFile(uintptr(fd), "moat-stub")
	defer f.Close()
	if _, err := f.Write(stubELF()); err != nil {
		return nil, fmt.Errorf("writing stub: %w", err)
	}
	seals := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		return nil, fmt.Errorf("sealing stub: %w", err)
	}
	p := &Platform{forks: make(chan chan forkReply), spare: make(chan int, 1), refill: make(chan struct{}, 1)}
	started := make(chan error, 1)
	go p.zygoteLoop(f, started)
	if err := <-started; err != nil {
		return nil, err
	}
	return p, nil
}

// zygoteLoop starts the zygote and then forks it on request. It owns its
// OS thread for good: that thread is the zygote's tracer.
func (p *Platform) zygoteLoop(stub *os.File, started chan<- error) {
	runtime.LockOSThread()
	as, _, err := execStub(stub)
	if err != nil {
		started <- err
		return
	}
	p.zygote = as
	started <- nil
	fork := func() (int, error) {
		t, err := as.injector()
		if err != nil {
			return 0, err
		}
		child, err := t.injectAt(stubCloneSite, stubCloneTrap, unix.SYS_CLONE, forkCloneFlags, 0, 0, 0, 0)
		return int(child), err
	}
	p.refill <- struct{}{}
	for {
		select {
		case reply := <-p.forks:
			pid, err := fork()
			reply <- forkReply{pid: pid, err: err}
		case <-p.refill:
			if len(p.spare) > 0 {
				continue
			}
			if pid, err := fork(); err == nil {
				p.spare <- pid
			}
		}
	}
}

// Name implements platform.Platform.Name.
func (*Platform) Name() string { return "ptrace" }

// NewAddressSpace implements platform.Platform.NewAddressSpace: the zygote
// forks, and the calling OS thread seizes the child.
func (p *Platform) NewAddressSpace() (platform.AddressSpace, platform.Thread, error) {
	select {
	case pid := <-p.spare:
		select {
		case p.refill <- struct{}{}:
		default:
		}
		pf := &pendingFork{parent: p.zygote, pid: pid}
		if as, th, err := pf.Attach(); err == nil {
			return as, th, nil
		}
		// The spare is gone (killed from outside): fork a new one.
	default:
	}
	reply := make(chan forkReply, 1)
	p.forks <- reply
	r := <-reply
	if r.err != nil {
		return nil, nil, fmt.Errorf("forking the zygote stub: %w", r.err)
	}
	pf := &pendingFork{parent: p.zygote, pid: r.pid}
	return pf.Attach()
}

// execStub starts a stub by executing the stub file, traced by the calling
// OS thread, and prepares it (see addressSpace.init).
func execStub(stub *os.File) (*addressSpace, *thread, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("creating stub fd channel: %w", err)
	}
	path := fmt.Sprintf("/proc/self/fd/%d", stub.Fd())
	pid, err := syscall.ForkExec(path, zygoteArgv(), &syscall.ProcAttr{
		Env:   []string{},
		Files: []uintptr{uintptr(fds[1])},
		Sys: &syscall.SysProcAttr{
			Ptrace:    true,
			Pdeathsig: syscall.SIGKILL,
		},
	})
	unix.Close(fds[1])
	if err != nil {
		unix.Close(fds[0])
		return nil, nil, fmt.Errorf("starting stub: %w", err)
	}
	as := newAddressSpace(pid, &fdChannel{fd: fds[0]})
	t := &thread{as: as, tid: pid, cpu: -1}
	as.bind(t)
	if err := as.init(t); err != nil {
		as.Release()
		return nil, nil, err
	}
	return as, t, nil
}

// fdChannel is the sentry's end of the socketpair whose other end is fd 0
// of a stub. Forked stubs inherit the same socket, so the channel is
// shared by an address space and its fork descendants, and one transfer
// at a time uses it.
type fdChannel struct {
	fd int
	// mu serializes a send with the stub's matching recvmsg.
	mu   sync.Mutex
	refs atomic.Int32
}

func (c *fdChannel) incRef() *fdChannel { c.refs.Add(1); return c }

func (c *fdChannel) decRef() {
	if c.refs.Add(-1) == 0 {
		unix.Close(c.fd)
	}
}

// addressSpace is a stub process.
type addressSpace struct {
	pid int
	ch  *fdChannel

	// mu guards threads.
	mu sync.Mutex
	// threads maps a sentry OS thread ID to the stub thread it traces: a
	// syscall is injected through the calling OS thread's own tracee.
	threads map[int]*thread

	// mappings are the platform's own mappings (immutable after init).
	mappings []platform.Mapping
	vdso     uintptr
	// cmdStart is the command area (see command.go).
	cmdStart uintptr
	// nameMu serializes uses of the name staging bytes.
	nameMu sync.Mutex
	// injRegs is a register template for injected syscalls.
	injRegs arch.Registers

	releaseOnce sync.Once
	// liveMu is held for reading by memory copies and for writing by
	// Release, so that a copy never reaches a reaped stub's PID (which
	// the host may already have given to another process).
	liveMu   sync.RWMutex
	released bool
	// fdMu guards cachedFD and cachedID: a descriptor the stub kept
	// from the last file mapping (memory.go), -1 if none.
	fdMu     sync.Mutex
	cachedFD int
	cachedID fileID
	// scratchMu serializes uses of the scratch page's clock slot
	// (ThreadCPUTime) by the address space's threads.
	scratchMu sync.Mutex
	// gone is closed by Release.
	gone chan struct{}
}

func newAddressSpace(pid int, ch *fdChannel) *addressSpace {
	return &addressSpace{pid: pid, ch: ch.incRef(), threads: map[int]*thread{}, gone: make(chan struct{}), cachedFD: -1}
}

// bind records t as the tracee of the calling OS thread.
func (as *addressSpace) bind(t *thread) {
	as.mu.Lock()
	defer as.mu.Unlock()
	as.threads[unix.Gettid()] = t
}

// injector returns the tracee of the calling OS thread.
func (as *addressSpace) injector() (*thread, error) {
	tid := unix.Gettid()
	as.mu.Lock()
	defer as.mu.Unlock()
	if t, ok := as.threads[tid]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("OS thread %d traces no thread of stub %d", tid, as.pid)
}

// inject runs a syscall in the stub through the calling OS thread's tracee.
func (as *addressSpace) inject(nr uintptr, args ...uintptr) (uintptr, error) {
	t, err := as.injector()
	if err != nil {
		return 0, err
	}
	return t.inject(nr, args...)
}

// init waits for the exec stop, sets ptrace options, removes the host
// stack (but for the command area), installs the stub's seccomp filter and learns where the host put
// the vDSO.
func (as *addressSpace) init(t *thread) error {
	ws, err := wait4(as.pid)
	if err != nil {
		return fmt.Errorf("waiting for stub: %w", err)
	}
	if !ws.Stopped() || ws.StopSignal() != unix.SIGTRAP {
		return fmt.Errorf("stub did not stop at exec (status %#x)", ws)
	}
	opts := uintptr(unix.PTRACE_O_TRACESYSGOOD | unix.PTRACE_O_EXITKILL)
	if e := ptrace(ptraceSetOptions, as.pid, 0, opts); e != 0 {
		return fmt.Errorf("setting ptrace options: %w", e)
	}
	if e := getRegs(as.pid, &as.injRegs); e != 0 {
		return fmt.Errorf("reading stub registers: %w", e)
	}
	t.cached = as.injRegs
	maps, err := readMaps(as.pid)
	if err != nil {
		return err
	}
	for _, m := range maps {
		switch m.Name {
		case "[stack]":
			// The stub never uses its host stack; give the space back
			// to the application but for the command area.
			kept, err := as.keepCommandArea(t, m)
			if err != nil {
				return err
			}
			m = kept
		case "[vdso]":
			as.vdso = m.Start
		}
		as.mappings = append(as.mappings, m)
	}
	if as.vdso == 0 {
		return fmt.Errorf("no vDSO in the stub")
	}
	// The stub keeps only its fd channel (fd 0): whatever else the
	// sentry's process had open without O_CLOEXEC does not reach it.
	if _, err := t.inject(unix.SYS_CLOSE_RANGE, 1, ^uintptr(0)>>1, 0); err != nil {
		return fmt.Errorf("closing the stub's inherited fds: %w", err)
	}
	if as.cmdStart == 0 {
		return fmt.Errorf("no stack in the stub")
	}
	if err := as.setThreadName(t, stubName); err != nil {
		return err
	}
	return as.installFilter(t)
}

// installFilter injects no_new_privs and the stub's seccomp filter.
func (as *addressSpace) installFilter(t *thread) error {
	prog := encodeFilter(stubFilter())
	// struct sock_fprog at stubScratch: u16 len, pad, u64 pointer.
	hdr := make([]byte, 16)
	hdr[0], hdr[1] = byte(len(prog)/8), byte(len(prog)/8>>8)
	ptr := uint64(stubScratch + 16)
	for i := 0; i < 8; i++ {
		hdr[8+i] = byte(ptr >> (8 * i))
	}
	if _, err := as.WriteAt(stubScratch, append(hdr, prog...)); err != nil {
		return fmt.Errorf("writing stub filter: %w", err)
	}
	if _, err := t.inject(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("stub no_new_privs: %w", err)
	}
	if _, err := t.inject(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, stubScratch); err != nil {
		return fmt.Errorf("stub seccomp filter: %w", err)
	}
	return nil
}

// Mappings implements platform.AddressSpace.Mappings.
func (as *addressSpace) Mappings() []platform.Mapping { return as.mappings }

// VDSO implements platform.AddressSpace.VDSO.
func (as *addressSpace) VDSO() uintptr { return as.vdso }

// Release implements platform.AddressSpace.Release.
func (as *addressSpace) Release() {
	as.releaseOnce.Do(func() {
		as.liveMu.Lock()
		as.released = true
		as.liveMu.Unlock()
		unix.Kill(as.pid, unix.SIGKILL)
		// Reap every thread we trace and the process itself.
		as.mu.Lock()
		threads := as.threads
		as.threads = map[int]*thread{}
		as.mu.Unlock()
		for _, t := range threads {
			if t.tid != as.pid {
				reap(t.tid)
			}
		}
		reap(as.pid)
		as.ch.decRef()
		close(as.gone)
	})
}

// reap waits for a killed tracee (or child) to be gone.
func reap(tid int) {
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(tid, &ws, unix.WALL, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || ws.Exited() || ws.Signaled() {
			return
		}
	}
}
