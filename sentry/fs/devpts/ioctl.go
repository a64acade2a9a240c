package devpts

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// Ioctl implements vfs.FileImpl.Ioctl for the master: the pty requests
// (TIOCGPTN, TIOCSPTLCK, TIOCGPTLCK, TIOCGPTPEER, TIOCSIG), then the
// terminal requests, which act on the replica as on Linux (termios,
// window size and foreground group are the replica's).
func (m *masterFile) Ioctl(ctx vfs.Context, fd *vfs.FileDescription, mem vfs.UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	p := m.p
	switch cmd {
	case unix.TIOCGPTN:
		return 0, mem.CopyOut(arg, le32(p.index))
	case unix.TIOCSPTLCK:
		v, err := copyInInt(mem, arg)
		if err != 0 {
			return 0, err
		}
		p.mu.Lock()
		p.locked = v != 0
		p.mu.Unlock()
		return 0, 0
	case unix.TIOCGPTLCK:
		p.mu.Lock()
		locked := p.locked
		p.mu.Unlock()
		v := uint32(0)
		if locked {
			v = 1
		}
		return 0, mem.CopyOut(arg, le32(v))
	case unix.TIOCGPTPEER:
		return m.openPeer(ctx, fd, uint32(arg))
	case unix.TIOCPKT:
		v, err := copyInInt(mem, arg)
		if err != 0 {
			return 0, err
		}
		p.mu.Lock()
		p.ld.setPacket(v != 0)
		p.notifyLocked()
		p.mu.Unlock()
		return 0, 0
	case unix.TIOCGPKT:
		p.mu.Lock()
		v := uint32(0)
		if p.ld.packet {
			v = 1
		}
		p.mu.Unlock()
		return 0, mem.CopyOut(arg, le32(v))
	case unix.TIOCSIG:
		sig := int(arg)
		if sig <= 0 || sig > linux.NumSignals {
			return 0, linux.EINVAL
		}
		p.mu.Lock()
		fg := p.fg
		p.mu.Unlock()
		if fg > 0 {
			p.send([]groupSignal{{fg, sig}})
		}
		return 0, 0
	case linux.FIONREAD: // also TIOCINQ: what the master can read
		p.mu.Lock()
		n := len(p.ld.out)
		p.mu.Unlock()
		return 0, mem.CopyOut(arg, le32(uint32(n)))
	case unix.TIOCOUTQ:
		// Master writes go straight into the replica's input queue.
		return 0, mem.CopyOut(arg, le32(0))
	case unix.TCFLSH:
		// The master's input is the replica's output.
		if err := p.checkAccess(ctx, unix.SIGTTOU); err != 0 {
			return 0, err
		}
		return 0, p.flush(arg, true)
	case unix.TCXONC:
		if err := p.checkAccess(ctx, unix.SIGTTOU); err != 0 {
			return 0, err
		}
		return 0, p.flowControl(arg, true)
	case unix.TIOCSCTTY, unix.TIOCGPGRP, unix.TIOCSPGRP, unix.TIOCGSID:
		return 0, p.jobIoctl(ctx, fd, mem, cmd, arg, true)
	case unix.TIOCNOTTY:
		// It names the master, which is never a controlling terminal.
		return 0, linux.ENOTTY
	case unix.TIOCSTI:
		return 0, p.simulateInput(ctx, mem, arg, true)
	}
	return p.commonIoctl(ctx, mem, cmd, arg)
}

// Ioctl implements vfs.FileImpl.Ioctl for the replica. After a hangup
// every request fails with EIO (TIOCSPGRP with ENOTTY), as on Linux.
func (r *replicaFile) Ioctl(ctx vfs.Context, fd *vfs.FileDescription, mem vfs.UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	p := r.p
	p.mu.Lock()
	open := p.masterOpen
	p.mu.Unlock()
	if !open {
		if cmd == unix.TIOCSPGRP {
			return 0, linux.ENOTTY
		}
		return 0, linux.EIO
	}
	switch cmd {
	case linux.FIONREAD: // also TIOCINQ: complete lines in canonical mode
		p.mu.Lock()
		n := p.ld.readable()
		p.mu.Unlock()
		return 0, mem.CopyOut(arg, le32(uint32(n)))
	case unix.TIOCOUTQ:
		// Output moves to the master's queue at once.
		return 0, mem.CopyOut(arg, le32(0))
	case unix.TCFLSH:
		if err := p.checkAccess(ctx, unix.SIGTTOU); err != 0 {
			return 0, err
		}
		return 0, p.flush(arg, false)
	case unix.TCXONC:
		if err := p.checkAccess(ctx, unix.SIGTTOU); err != 0 {
			return 0, err
		}
		return 0, p.flowControl(arg, false)
	case unix.TIOCSCTTY, unix.TIOCNOTTY, unix.TIOCGPGRP, unix.TIOCSPGRP, unix.TIOCGSID:
		return 0, p.jobIoctl(ctx, fd, mem, cmd, arg, false)
	case unix.TIOCSTI:
		return 0, p.simulateInput(ctx, mem, arg, false)
	}
	return p.commonIoctl(ctx, mem, cmd, arg)
}

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
		p.mu.Lock()
		changed := w != p.winsize
		p.winsize = w
		fg := p.fg
		p.mu.Unlock()
		if changed && fg > 0 {
			p.send([]groupSignal{{fg, int(unix.SIGWINCH)}})
		}
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
