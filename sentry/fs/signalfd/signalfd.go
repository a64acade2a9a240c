// Package signalfd implements signalfd(2) files: reading one dequeues the
// reader's pending signals of the file's mask as struct signalfd_siginfo
// records; it is readable while such a signal is pending for the task
// that polls it, as on Linux (where that is current).
//
// No queue announces signals: a task that blocks on a signalfd (read,
// poll, epoll_wait) watches the file's mask itself through
// kernel.Task.BlockWatching, which wakes on every queued signal.
//
// Lock order: SignalFD.mu is a leaf.
package signalfd

import (
	"encoding/binary"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/fs/anon"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// Flags of signalfd4(2).
const (
	NonBlock    = unix.O_NONBLOCK
	CloseOnExec = unix.O_CLOEXEC
)

// InfoSize is sizeof(struct signalfd_siginfo).
const InfoSize = 128

// SignalFD is a signalfd file.
type SignalFD struct {
	anon.File

	// mu guards mask.
	mu   sync.Mutex
	mask linux.SigSet
}

// New returns a signalfd for mask; flags may hold NonBlock.
func New(mask linux.SigSet, flags uint32) *vfs.FileDescription {
	s := &SignalFD{mask: mask &^ linux.UnblockableSignals}
	return vfs.NewFileDescription(s, vfs.VirtualDentry{}, unix.O_RDWR|flags&NonBlock)
}

// FromFile returns the signalfd fd is, or nil.
func FromFile(fd *vfs.FileDescription) *SignalFD {
	s, _ := fd.Impl().(*SignalFD)
	return s
}

// SetMask replaces the mask (signalfd on an existing signalfd).
func (s *SignalFD) SetMask(mask linux.SigSet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mask = mask &^ linux.UnblockableSignals
}

// Mask returns the signals the file reports.
func (s *SignalFD) Mask() linux.SigSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mask
}

// Read implements vfs.FileImpl.Read: as many pending signals of the mask
// as whole records fit in dst, waiting for one unless non-blocking.
func (s *SignalFD) Read(ctx vfs.Context, fd *vfs.FileDescription, dst []byte, off int64) (int, linux.Errno) {
	if err := anon.Positional(off); err != 0 {
		return 0, err
	}
	if len(dst) < InfoSize {
		return 0, linux.EINVAL
	}
	t, ok := ctx.(*kernel.Task)
	if !ok {
		return 0, linux.EAGAIN
	}
	for {
		mask := s.Mask()
		n := 0
		for n+InfoSize <= len(dst) {
			info, ok := t.DequeueSignalIn(mask)
			if !ok {
				break
			}
			encode(dst[n:n+InfoSize], &info)
			n += InfoSize
		}
		if n > 0 {
			return n, 0
		}
		if fd.StatusFlags()&unix.O_NONBLOCK != 0 {
			return 0, linux.EAGAIN
		}
		if interrupted, _ := t.BlockWatching(nil, time.Time{}, mask, 0); interrupted {
			return 0, linux.ERESTARTSYS
		}
	}
}

// Readiness implements vfs.Waitable.Readiness for the polling task.
func (s *SignalFD) Readiness(ctx vfs.Context, mask uint32) uint32 {
	t, ok := ctx.(*kernel.Task)
	if !ok {
		return 0
	}
	if t.PendingSignalsIn(s.Mask()) != 0 {
		return vfs.EventReadable & mask
	}
	return 0
}

// PendingFor returns the signals of the mask pending for the task ctx is
// (epoll's edge triggering of signalfd items).
func (s *SignalFD) PendingFor(ctx vfs.Context) linux.SigSet {
	t, ok := ctx.(*kernel.Task)
	if !ok {
		return 0
	}
	return t.PendingSignalsIn(s.Mask())
}

// EventRegister implements vfs.Waitable.EventRegister: nothing to
// register, waiters watch the signals themselves (vfs.SignalWatcher).
func (s *SignalFD) EventRegister(*vfs.Waiter) func() { return func() {} }

// WatchedSignals implements vfs.SignalWatcher.
func (s *SignalFD) WatchedSignals() linux.SigSet { return s.Mask() }

// siginfo offsets (x86-64 siginfo_t: the union starts at 16).
const (
	siPID    = 16 // also si_tid (timers), si_addr (faults), si_band (SIGPOLL)
	siUID    = 20 // also si_overrun (timers)
	siValue  = 24 // sigval (queued and timer signals), si_status (SIGCHLD), si_fd (SIGPOLL), si_addr_lsb (faults)
	siUtime  = 32
	siStime  = 40
	sigPoll  = 29
	sigChild = 17
)

// encode writes info as a struct signalfd_siginfo, taking the fields its
// si_code says are meaningful.
func encode(b []byte, info *linux.SignalInfo) {
	clear(b)
	le := binary.LittleEndian
	in := info[:]
	sig := info.Signo()
	code := info.Code()
	le.PutUint32(b[0:], uint32(sig))
	copy(b[4:8], in[4:8]) // ssi_errno
	le.PutUint32(b[8:], uint32(code))
	switch {
	case code > 0 && isFault(sig):
		copy(b[72:80], in[siPID:siPID+8]) // ssi_addr
		copy(b[80:82], in[siValue:siValue+2])
	case code > 0 && sig == sigChild:
		copy(b[12:16], in[siPID:siPID+4])
		copy(b[16:20], in[siUID:siUID+4])
		copy(b[40:44], in[siValue:siValue+4]) // ssi_status
		copy(b[56:64], in[siUtime:siUtime+8])
		copy(b[64:72], in[siStime:siStime+8])
	case code > 0 && sig == sigPoll:
		copy(b[28:32], in[siPID:siPID+4])     // ssi_band
		copy(b[20:24], in[siValue:siValue+4]) // ssi_fd
	case code == linux.SI_TIMER:
		copy(b[24:28], in[siPID:siPID+4]) // ssi_tid
		copy(b[32:36], in[siUID:siUID+4]) // ssi_overrun
		copy(b[44:48], in[siValue:siValue+4])
		copy(b[48:56], in[siValue:siValue+8])
	case code < 0:
		copy(b[12:16], in[siPID:siPID+4])
		copy(b[16:20], in[siUID:siUID+4])
		copy(b[44:48], in[siValue:siValue+4]) // ssi_int
		copy(b[48:56], in[siValue:siValue+8]) // ssi_ptr
	default:
		copy(b[12:16], in[siPID:siPID+4])
		copy(b[16:20], in[siUID:siUID+4])
	}
}

func isFault(sig int) bool {
	switch unix.Signal(sig) {
	case unix.SIGILL, unix.SIGFPE, unix.SIGSEGV, unix.SIGBUS, unix.SIGTRAP:
		return true
	}
	return false
}

// The interfaces the file implements.
var (
	_ vfs.Waitable   = (*SignalFD)(nil)
	_ vfs.FileStater = (*SignalFD)(nil)
	_ vfs.FileImpl   = (*SignalFD)(nil)
)

var _ vfs.SignalWatcher = (*SignalFD)(nil)

// AnonInodeName names the file in /proc/PID/fd ("anon_inode:[signalfd]").
func (*SignalFD) AnonInodeName() string { return "[signalfd]" }
