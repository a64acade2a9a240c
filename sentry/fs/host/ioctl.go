package host

import (
	"encoding/binary"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// Sizes of the terminal structures as the application sees them.
const (
	sizeofTermios = 36 // struct termios (not termios2)
	sizeofWinsize = 8
)

// ProcessGroupLeader is implemented by contexts (tasks) that know their
// process group, answered for TIOCGPGRP.
type ProcessGroupLeader interface {
	ProcessGroupID() int32
}

// ProcessGroupSignaller is implemented by contexts (tasks) through which a
// terminal can signal its foreground process group (^C, window changes).
type ProcessGroupSignaller interface {
	SignalProcessGroup(pgid int32, sig int)
}

// Ioctl implements vfs.FileImpl.Ioctl. Only TCGETS, TCSETS, TCSETSW,
// TCSETSF, TIOCGWINSZ and TIOCSWINSZ reach the host, and only on
// terminals, with every argument copied through the sentry; TIOCGPGRP and
// TIOCSPGRP are answered by the sentry.
func (f *File) Ioctl(ctx vfs.Context, _ *vfs.FileDescription, mem vfs.UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	if !f.isTTY {
		return 0, linux.ENOTTY
	}
	if ok, err := vfs.TerminalIoctl(ctx, f, mem, cmd, arg); ok {
		return 0, err
	}
	switch cmd {
	case unix.TCGETS:
		t, err := unix.IoctlGetTermios(f.fd, unix.TCGETS)
		if err != nil {
			return 0, linux.FromHost(err)
		}
		var b [sizeofTermios]byte
		marshalTermios(b[:], t)
		return 0, mem.CopyOut(arg, b[:])
	case unix.TCSETS, unix.TCSETSW, unix.TCSETSF:
		var b [sizeofTermios]byte
		if err := mem.CopyIn(arg, b[:]); err != 0 {
			return 0, err
		}
		// Keep the host's speed fields: they are not in struct termios.
		t, err := unix.IoctlGetTermios(f.fd, unix.TCGETS)
		if err != nil {
			return 0, linux.FromHost(err)
		}
		unmarshalTermios(b[:], t)
		return 0, linux.FromHost(unix.IoctlSetTermios(f.fd, uint(cmd), t))
	case unix.TIOCGWINSZ:
		w, err := unix.IoctlGetWinsize(f.fd, unix.TIOCGWINSZ)
		if err != nil {
			return 0, linux.FromHost(err)
		}
		var b [sizeofWinsize]byte
		le := binary.LittleEndian
		le.PutUint16(b[0:], w.Row)
		le.PutUint16(b[2:], w.Col)
		le.PutUint16(b[4:], w.Xpixel)
		le.PutUint16(b[6:], w.Ypixel)
		return 0, mem.CopyOut(arg, b[:])
	case unix.TIOCSWINSZ:
		var b [sizeofWinsize]byte
		if err := mem.CopyIn(arg, b[:]); err != 0 {
			return 0, err
		}
		le := binary.LittleEndian
		w := &unix.Winsize{Row: le.Uint16(b[0:]), Col: le.Uint16(b[2:]), Xpixel: le.Uint16(b[4:]), Ypixel: le.Uint16(b[6:])}
		return 0, linux.FromHost(unix.IoctlSetWinsize(f.fd, unix.TIOCSWINSZ, w))
	case unix.TIOCGPGRP, unix.TIOCSPGRP:
		return ForegroundIoctl(ctx, f.fgPGID, mem, cmd, arg)
	}
	return 0, linux.ENOTTY
}

// ForegroundIoctl implements TIOCGPGRP and TIOCSPGRP for a sandbox
// terminal whose foreground process group is *fg (0: never set). The
// host's process groups mean nothing in the sandbox: until a group is set,
// the caller's own is reported. Job-control signals (SIGTTIN, SIGTTOU) are
// not generated yet.
func ForegroundIoctl(ctx vfs.Context, fg *atomic.Int32, mem vfs.UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	var b [4]byte
	if cmd == unix.TIOCSPGRP {
		if err := mem.CopyIn(arg, b[:]); err != 0 {
			return 0, err
		}
		pgid := int32(binary.LittleEndian.Uint32(b[:]))
		if pgid < 0 {
			return 0, linux.EINVAL
		}
		fg.Store(pgid)
		return 0, 0
	}
	pgid := fg.Load()
	if pgid == 0 {
		pl, ok := ctx.(ProcessGroupLeader)
		if !ok {
			return 0, linux.ENOTTY
		}
		pgid = pl.ProcessGroupID()
		if t, ok := ctx.(interface{ IDToUser(int32) int32 }); ok {
			pgid = t.IDToUser(pgid) // the caller's PID namespace's number
		}
	}
	binary.LittleEndian.PutUint32(b[:], uint32(pgid))
	return 0, mem.CopyOut(arg, b[:])
}

func marshalTermios(b []byte, t *unix.Termios) {
	le := binary.LittleEndian
	le.PutUint32(b[0:], t.Iflag)
	le.PutUint32(b[4:], t.Oflag)
	le.PutUint32(b[8:], t.Cflag)
	le.PutUint32(b[12:], t.Lflag)
	b[16] = t.Line
	copy(b[17:36], t.Cc[:])
}

func unmarshalTermios(b []byte, t *unix.Termios) {
	le := binary.LittleEndian
	t.Iflag = le.Uint32(b[0:])
	t.Oflag = le.Uint32(b[4:])
	t.Cflag = le.Uint32(b[8:])
	t.Lflag = le.Uint32(b[12:])
	t.Line = b[16]
	copy(t.Cc[:], b[17:36])
}
