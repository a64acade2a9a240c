package devpts

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// commonIoctl handles the requests both ends answer alike.
func (p *pty) commonIoctl(ctx vfs.Context, mem vfs.UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	if ok, err := p.termios2Ioctl(ctx, mem, cmd, arg); ok {
		return 0, err
	}
	switch cmd {
	case unix.TCGETS:
		p.mu.Lock()
		t := p.ld.termios
		p.mu.Unlock()
		var b [linux.SizeofTermios]byte
		t.MarshalBytes(b[:])
		return 0, mem.CopyOut(arg, b[:])
	case unix.TCSETS, unix.TCSETSW, unix.TCSETSF:
		// TCSETSW waits for output to drain: pty output is handed to
		// the master's queue at once, so there is nothing to wait for.
		if err := p.checkAccess(ctx, unix.SIGTTOU); err != 0 {
			return 0, err
		}
		var b [linux.SizeofTermios]byte
		if err := mem.CopyIn(arg, b[:]); err != 0 {
			return 0, err
		}
		var t linux.Termios
		t.UnmarshalBytes(b[:])
		p.mu.Lock()
		if cmd == unix.TCSETSF {
			p.ld.flush(true, false)
		}
		p.ld.setTermios(t)
		p.setSpeedsLocked(&t, p.ispeed, p.ospeed)
		p.notifyLocked()
		p.mu.Unlock()
		return 0, 0
	case unix.TIOCGWINSZ:
		p.mu.Lock()
		w := p.winsize
		p.mu.Unlock()
		var b [linux.SizeofWinsize]byte
		w.MarshalBytes(b[:])
		return 0, mem.CopyOut(arg, b[:])
	case unix.TIOCSWINSZ:
		var b [linux.SizeofWinsize]byte
		if err := mem.CopyIn(arg, b[:]); err != 0 {
			return 0, err
		}
		var w linux.Winsize
		w.UnmarshalBytes(b[:])
		p.setWinsize(w)
		return 0, 0
	case unix.TIOCEXCL, unix.TIOCNXCL:
		p.mu.Lock()
		p.exclusive = cmd == unix.TIOCEXCL
		p.mu.Unlock()
		return 0, 0
	case unix.TIOCGEXCL:
		p.mu.Lock()
		v := uint32(0)
		if p.exclusive {
			v = 1
		}
		p.mu.Unlock()
		return 0, mem.CopyOut(arg, le32(v))
	case unix.TIOCGETD:
		return 0, mem.CopyOut(arg, le32(0)) // N_TTY, the only discipline
	case unix.TIOCGDEV:
		// The replica's number in the kernel's encoding.
		d := uint32(replicaMajor)<<8 | p.index&0xff | (p.index&^0xff)<<12
		return 0, mem.CopyOut(arg, le32(d))
	}
	return 0, linux.ENOTTY
}

// flush implements TCFLSH with TCIFLUSH, TCOFLUSH or TCIOFLUSH, as seen
// from the master (master) or the replica.
func (p *pty) flush(arg uintptr, master bool) linux.Errno {
	var in, out bool
	switch arg {
	case unix.TCIFLUSH:
		in = true
	case unix.TCOFLUSH:
		out = true
	case unix.TCIOFLUSH:
		in, out = true, true
	default:
		return linux.EINVAL
	}
	if master {
		in, out = out, in
	}
	p.mu.Lock()
	if master {
		p.ld.discard(in, out)
	} else {
		p.ld.flush(in, out)
	}
	p.notifyLocked()
	p.mu.Unlock()
	return 0
}

// flowControl implements TCXONC. On the replica, TCOOFF and TCOON stop
// and restart its output, and TCIOFF and TCION send the STOP and START
// characters to the master. On the master, TCIOFF and TCION type them
// into the line discipline; TCOOFF and TCOON are refused (EINVAL): Moat
// does not stop master writes.
func (p *pty) flowControl(arg uintptr, master bool) linux.Errno {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.notifyLocked()
	switch arg {
	case unix.TCOOFF, unix.TCOON:
		if master {
			return linux.EINVAL
		}
		p.ld.setStopped(arg == unix.TCOOFF)
	case unix.TCIOFF, unix.TCION:
		c := p.ld.termios.CC[unix.VSTOP]
		if arg == unix.TCION {
			c = p.ld.termios.CC[unix.VSTART]
		}
		if c == 0 {
			return 0 // _POSIX_VDISABLE: nothing to send
		}
		if master {
			p.ld.inputByte(c)
		} else {
			p.ld.out = append(p.ld.out, c)
		}
	default:
		return linux.EINVAL
	}
	return 0
}

func le32(v uint32) []byte {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return b[:]
}

func copyInInt(mem vfs.UserMemory, arg uintptr) (int32, linux.Errno) {
	var b [4]byte
	if err := mem.CopyIn(arg, b[:]); err != 0 {
		return 0, err
	}
	return int32(binary.LittleEndian.Uint32(b[:])), 0
}
