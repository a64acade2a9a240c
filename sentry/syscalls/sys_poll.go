package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// pollEntry is one file a poll-family call watches.
type pollEntry struct {
	fd      int32
	events  uint32 // asked for, with EventAlways
	revents uint32
	// file holds a reference while the call runs; nil for a negative
	// fd (skipped) or one that is not open (POLLNVAL).
	file *vfs.FileDescription
}

// pollFiles looks up the entries' files; an fd that is not open gets
// POLLNVAL.
func pollFiles(t *kernel.Task, es []pollEntry) {
	for i := range es {
		e := &es[i]
		if e.fd < 0 {
			continue
		}
		f, _, err := t.FDTable().Get(e.fd)
		if err != 0 {
			e.revents = vfs.EventNVal
			continue
		}
		e.file = f
	}
}

// releasePollFiles drops the references pollFiles took.
func releasePollFiles(es []pollEntry) {
	for _, e := range es {
		if e.file != nil {
			e.file.DecRef()
		}
	}
}

// pollWait checks the entries until one is ready, the deadline passes
// (zero: none) or a signal interrupts; with block false it checks once.
// It returns how many entries have revents (NVAL ones included).
//
// Waiters are registered before the first check of a blocking call, so
// no change between a check and the wait is lost.
func pollWait(t *kernel.Task, es []pollEntry, deadline time.Time, block bool) (n int, interrupted bool) {
	var ch chan struct{}
	var unregister []func()
	defer func() {
		for _, u := range unregister {
			u()
		}
	}()
	// The signals that may make a file ready (signalfd) are watched while
	// blocking; those already pending before a check are not news.
	var watch linux.SigSet
	for _, e := range es {
		if e.file != nil {
			watch |= e.file.WatchedSignals()
		}
	}
	for {
		register := block && ch == nil
		if register {
			ch = make(chan struct{}, 1)
		}
		seen := t.PendingSignalsIn(watch)
		n = 0
		for i := range es {
			e := &es[i]
			if e.file == nil {
				if e.revents != 0 {
					n++
				}
				continue
			}
			if register {
				if w := e.file.Waitable(); w != nil {
					unregister = append(unregister, w.EventRegister(vfs.NewWaiter(e.events, func(uint32) {
						select {
						case ch <- struct{}{}:
						default:
						}
					})))
				}
			}
			e.revents = e.file.Readiness(t, e.events)
			if e.revents != 0 {
				n++
			}
		}
		if n > 0 || !block {
			return n, false
		}
		intr, timedOut := t.BlockWatching(ch, deadline, watch, seen)
		if intr {
			return 0, true
		}
		if timedOut {
			block = false // one last look, as Linux does
		}
	}
}

// deadlineAfter returns the deadline of a timeout in nanoseconds: ns < 0
// means none (block forever), 0 means do not block.
func deadlineAfter(ns int64) (deadline time.Time, block bool) {
	switch {
	case ns < 0:
		return time.Time{}, true
	case ns == 0:
		return time.Time{}, false
	}
	return time.Now().Add(time.Duration(ns)), true
}

// userSigmask installs the signal mask a p-variant (ppoll, pselect6,
// epoll_pwait) was given at addr for the length of the call. The returned
// function puts the old mask back: at once, or, when the call was
// interrupted, after the signal's handler returns (as sigsuspend does).
func userSigmask(t *kernel.Task, addr uintptr, size uint) (restore func(interrupted bool), errno linux.Errno) {
	if addr == 0 {
		return func(bool) {}, 0
	}
	if size != sigSetSize {
		return nil, linux.EINVAL
	}
	var b [8]byte
	if errno := t.CopyIn(addr, b[:]); errno != 0 {
		return nil, errno
	}
	mask := linux.SigSet(binary.LittleEndian.Uint64(b[:])) &^ linux.UnblockableSignals
	old := t.SigMask()
	t.SetSigMask(mask)
	return func(interrupted bool) {
		t.SetSigMask(old)
		if interrupted {
			t.SetSavedMask(mask)
		}
	}, 0
}

// nrOpen is /proc/sys/fs/nr_open, which caps RLIMIT_NOFILE on Linux.
const nrOpen = 1 << 20

// maxPollFDs is the nfds limit of poll: RLIMIT_NOFILE.
func maxPollFDs(t *kernel.Task) uint64 {
	return min(t.ThreadGroup().Limit(unix.RLIMIT_NOFILE).Cur, nrOpen)
}

// doPoll is poll and ppoll: fds at addr, a timeout in ns (< 0: none).
func doPoll(t *kernel.Task, addr uintptr, nfds uint, timeout int64) (int, bool, linux.Errno) {
	if uint64(nfds) > maxPollFDs(t) {
		return 0, false, linux.EINVAL
	}
	buf := make([]byte, 8*nfds)
	if nfds > 0 {
		if errno := t.CopyIn(addr, buf); errno != 0 {
			return 0, false, errno
		}
	}
	le := binary.LittleEndian
	es := make([]pollEntry, nfds)
	for i := range es {
		es[i].fd = int32(le.Uint32(buf[8*i:]))
		es[i].events = uint32(le.Uint16(buf[8*i+4:])) | vfs.EventAlways
	}
	pollFiles(t, es)
	defer releasePollFiles(es)
	deadline, block := deadlineAfter(timeout)
	n, intr := pollWait(t, es, deadline, block)
	if intr {
		return 0, true, 0
	}
	for i := range es {
		le.PutUint16(buf[8*i+6:], uint16(es[i].revents))
	}
	if nfds > 0 {
		if errno := t.CopyOut(addr, buf); errno != 0 {
			return 0, false, errno
		}
	}
	return n, false, 0
}

// Poll implements Linux syscall poll(2). An interrupted poll goes on
// with the time left through restart_syscall(2) (sys_restart.go).
func Poll(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	var deadline time.Time
	if ms := int64(args.Int(2)); ms >= 0 {
		deadline = time.Now().Add(time.Duration(ms) * time.Millisecond)
	}
	return pollRestartable(t, args.Pointer(0), uint(args.Uint(1)), deadline)
}

// Ppoll implements Linux syscall ppoll(2).
func Ppoll(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	tsAddr := args.Pointer(2)
	timeout := int64(-1)
	if tsAddr != 0 {
		ns, errno := copyInTimespec(t, tsAddr)
		if errno != 0 {
			return 0, errno
		}
		timeout = ns
	}
	restore, errno := userSigmask(t, args.Pointer(3), args.SizeT(4))
	if errno != 0 {
		return 0, errno
	}
	start := time.Now()
	n, intr, errno := doPoll(t, args.Pointer(0), uint(args.Uint(1)), timeout)
	restore(intr)
	if intr {
		errno = linux.ERESTARTNOHAND
	}
	return uintptr(n), timeLeft(t, tsAddr, timeout, start, errno, false)
}

// timeLeft writes the time left of a timeout of ns that started at start
// back to addr, as ppoll, select and pselect6 do (not for a zero or
// absent timeout). If that fails, an interrupted call fails EINTR instead
// of restarting; otherwise errno stands.
func timeLeft(t *kernel.Task, addr uintptr, ns int64, start time.Time, errno linux.Errno, timeval bool) linux.Errno {
	if addr == 0 || ns <= 0 {
		return errno
	}
	left := max(ns-int64(time.Since(start)), 0)
	var b [16]byte
	if timeval {
		binary.LittleEndian.PutUint64(b[0:], uint64(left/1e9))
		binary.LittleEndian.PutUint64(b[8:], uint64(left%1e9/1e3))
	} else {
		putTimespec(b[:], left)
	}
	if t.CopyOut(addr, b[:]) != 0 && errno == linux.ERESTARTNOHAND {
		return linux.EINTR
	}
	return errno
}
