package devpts

import (
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
