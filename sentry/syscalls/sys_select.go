package syscalls

import (
	"encoding/binary"
	"time"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// The events each fd_set of select(2) stands for, as Linux defines them.
const (
	selectIn  = vfs.EventReadable | vfs.EventRdBand | vfs.EventHUp | vfs.EventErr
	selectOut = vfs.EventWritable | vfs.EventWrBand | vfs.EventErr
	selectEx  = vfs.EventPri
)

// fdSet is one fd_set argument: its address and its bits.
type fdSet struct {
	addr uintptr
	bits []byte
}

func (s *fdSet) has(fd int) bool { return s.bits != nil && s.bits[fd/8]&(1<<(fd%8)) != 0 }

// doSelect is select and pselect6 with a timeout in ns (< 0: none).
func doSelect(t *kernel.Task, nfds int32, inAddr, outAddr, exAddr uintptr, timeout int64) (int, bool, linux.Errno) {
	if nfds < 0 {
		return 0, false, linux.EINVAL
	}
	n := int(min(nfds, t.FDTable().MaxFDs()))
	size := (n + 63) / 64 * 8
	sets := [3]fdSet{{addr: inAddr}, {addr: outAddr}, {addr: exAddr}}
	for i := range sets {
		if sets[i].addr == 0 {
			continue
		}
		sets[i].bits = make([]byte, size)
		if size > 0 {
			if errno := t.CopyIn(sets[i].addr, sets[i].bits); errno != 0 {
				return 0, false, errno
			}
		}
	}
	var es []pollEntry
	for fd := 0; fd < n; fd++ {
		var ev uint32
		if sets[0].has(fd) {
			ev |= selectIn
		}
		if sets[1].has(fd) {
			ev |= selectOut
		}
		if sets[2].has(fd) {
			ev |= selectEx
		}
		if ev != 0 {
			es = append(es, pollEntry{fd: int32(fd), events: ev | vfs.EventAlways})
		}
	}
	pollFiles(t, es)
	defer releasePollFiles(es)
	for _, e := range es {
		if e.file == nil {
			return 0, false, linux.EBADF
		}
	}
	deadline, block := deadlineAfter(timeout)
	if _, intr := pollWait(t, es, deadline, block); intr {
		return 0, true, 0
	}
	for i := range sets {
		clear(sets[i].bits)
	}
	count := 0
	for _, e := range es {
		fd := int(e.fd)
		for i, want := range [3]uint32{selectIn, selectOut, selectEx} {
			if sets[i].bits != nil && e.revents&want != 0 && e.events&want&^vfs.EventAlways != 0 {
				sets[i].bits[fd/8] |= 1 << (fd % 8)
				count++
			}
		}
	}
	for i := range sets {
		if sets[i].bits != nil && size > 0 {
			if errno := t.CopyOut(sets[i].addr, sets[i].bits); errno != 0 {
				return 0, false, errno
			}
		}
	}
	return count, false, 0
}

// Select implements Linux syscall select(2).
func Select(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	tvAddr := args.Pointer(4)
	timeout := int64(-1)
	if tvAddr != 0 {
		var b [16]byte
		if errno := t.CopyIn(tvAddr, b[:]); errno != 0 {
			return 0, errno
		}
		sec, usec := int64(binary.LittleEndian.Uint64(b[0:])), int64(binary.LittleEndian.Uint64(b[8:]))
		if sec < 0 || usec < 0 || usec >= 1e6 {
			return 0, linux.EINVAL
		}
		timeout = 1<<63 - 1
		if sec < (1<<63-1)/1_000_000_000-1 {
			timeout = sec*1e9 + usec*1e3
		}
	}
	start := time.Now()
	n, intr, errno := doSelect(t, args.Int(0), args.Pointer(1), args.Pointer(2), args.Pointer(3), timeout)
	if intr {
		errno = linux.ERESTARTNOHAND
	}
	return uintptr(n), timeLeft(t, tvAddr, timeout, start, errno, true)
}

// Pselect6 implements Linux syscall pselect6(2). Its sixth argument
// points at {const sigset_t *ss; size_t ss_len}.
func Pselect6(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	tsAddr := args.Pointer(4)
	timeout := int64(-1)
	if tsAddr != 0 {
		ns, errno := copyInTimespec(t, tsAddr)
		if errno != 0 {
			return 0, errno
		}
		timeout = ns
	}
	var maskAddr uintptr
	var maskSize uint
	if p := args.Pointer(5); p != 0 {
		var b [16]byte
		if errno := t.CopyIn(p, b[:]); errno != 0 {
			return 0, errno
		}
		maskAddr = uintptr(binary.LittleEndian.Uint64(b[0:]))
		maskSize = uint(binary.LittleEndian.Uint64(b[8:]))
	}
	restore, errno := userSigmask(t, maskAddr, maskSize)
	if errno != 0 {
		return 0, errno
	}
	start := time.Now()
	n, intr, errno := doSelect(t, args.Int(0), args.Pointer(1), args.Pointer(2), args.Pointer(3), timeout)
	restore(intr)
	if intr {
		errno = linux.ERESTARTNOHAND
	}
	return uintptr(n), timeLeft(t, tsAddr, timeout, start, errno, false)
}
