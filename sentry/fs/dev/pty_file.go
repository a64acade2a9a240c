package dev

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/fs/host"
	"moat/sentry/vfs"
)

// ptyEnd is what both ends share: a terminal without an offset.
type ptyEnd struct {
	vfs.FileDefaults
	p  *pty
	pf *ptsFS
}

// IsStream implements vfs.StreamFile.IsStream.
func (ptyEnd) IsStream() bool { return true }

func nonblock(fd *vfs.FileDescription) bool {
	return fd != nil && fd.StatusFlags()&unix.O_NONBLOCK != 0
}

// masterFile is an open /dev/ptmx.
type masterFile struct{ ptyEnd }

// Release implements vfs.FileImpl.Release: the pair goes away.
func (m *masterFile) Release() {
	p := m.p
	p.mu.Lock()
	p.masterOpen = false
	p.notifyLocked()
	p.mu.Unlock()
	m.pf.remove(p.index)
	m.pf.v.ForgetTerminal(p)
}

// Read implements vfs.FileImpl.Read: the replica's output.
func (m *masterFile) Read(ctx vfs.Context, fd *vfs.FileDescription, dst []byte, _ int64) (int, linux.Errno) {
	p := m.p
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if len(p.out) > 0 {
			n := copy(dst, p.out)
			p.out = p.out[n:]
			p.notifyLocked()
			return n, 0
		}
		if p.replicas == 0 && p.everOpened {
			return 0, linux.EIO
		}
		if nonblock(fd) {
			return 0, linux.EAGAIN
		}
		if err := p.waitLocked(ctx); err != 0 {
			return 0, err
		}
	}
}

// Write implements vfs.FileImpl.Write: input to the replica's line
// discipline.
func (m *masterFile) Write(ctx vfs.Context, fd *vfs.FileDescription, src []byte, _ int64) (int, linux.Errno) {
	p := m.p
	var sigs []int
	defer func() { p.signal(ctx, sigs) }()
	p.mu.Lock()
	defer p.mu.Unlock()
	defer func() { sigs = p.takeSignalsLocked() }()
	done := 0
	for done < len(src) {
		if p.inputLenLocked() >= ptyQueueMax {
			if done > 0 {
				break
			}
			if nonblock(fd) {
				return 0, linux.EAGAIN
			}
			if err := p.waitLocked(ctx); err != 0 {
				return 0, err
			}
			continue
		}
		p.inputLocked(src[done])
		done++
	}
	p.notifyLocked()
	return done, 0
}

// Ioctl implements vfs.FileImpl.Ioctl.
func (m *masterFile) Ioctl(ctx vfs.Context, _ *vfs.FileDescription, mem vfs.UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	p := m.p
	switch cmd {
	case unix.TIOCGPTN:
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], p.index)
		return 0, mem.CopyOut(arg, b[:])
	case unix.TIOCSPTLCK:
		var b [4]byte
		if err := mem.CopyIn(arg, b[:]); err != 0 {
			return 0, err
		}
		p.mu.Lock()
		p.locked = binary.LittleEndian.Uint32(b[:]) != 0
		p.mu.Unlock()
		return 0, 0
	case unix.TIOCGPTLCK:
		p.mu.Lock()
		locked := p.locked
		p.mu.Unlock()
		var b [4]byte
		if locked {
			b[0] = 1
		}
		return 0, mem.CopyOut(arg, b[:])
	case linux.FIONREAD:
		p.mu.Lock()
		n := len(p.out)
		p.mu.Unlock()
		return 0, mem.CopyOut(arg, le32(uint32(n)))
	case unix.TCFLSH:
		// The master's input is the replica's output.
		return 0, flush(p, arg, true)
	}
	return commonIoctl(ctx, p, &p.mtermios, mem, cmd, arg)
}

// replicaFile is an open /dev/pts/N.
type replicaFile struct{ ptyEnd }

// Release implements vfs.FileImpl.Release.
func (r *replicaFile) Release() {
	p := r.p
	p.mu.Lock()
	p.replicas--
	p.notifyLocked()
	p.mu.Unlock()
}

// Read implements vfs.FileImpl.Read: input after the line discipline.
func (r *replicaFile) Read(ctx vfs.Context, fd *vfs.FileDescription, dst []byte, _ int64) (int, linux.Errno) {
	p := r.p
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if n, ok := p.readReplicaLocked(dst); ok {
			p.notifyLocked()
			return n, 0
		}
		if !p.masterOpen {
			return 0, 0
		}
		if p.termios.Lflag&unix.ICANON == 0 && p.termios.CC[unix.VMIN] == 0 {
			return 0, 0
		}
		if nonblock(fd) {
			return 0, linux.EAGAIN
		}
		if err := p.waitLocked(ctx); err != 0 {
			return 0, err
		}
	}
}

// Write implements vfs.FileImpl.Write: output processing, to the master.
func (r *replicaFile) Write(ctx vfs.Context, fd *vfs.FileDescription, src []byte, _ int64) (int, linux.Errno) {
	p := r.p
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if !p.masterOpen {
			return 0, linux.EIO
		}
		if len(p.out) < ptyQueueMax {
			break
		}
		if nonblock(fd) {
			return 0, linux.EAGAIN
		}
		if err := p.waitLocked(ctx); err != 0 {
			return 0, err
		}
	}
	p.outputLocked(src)
	p.notifyLocked()
	return len(src), 0
}

// Ioctl implements vfs.FileImpl.Ioctl.
func (r *replicaFile) Ioctl(ctx vfs.Context, _ *vfs.FileDescription, mem vfs.UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	p := r.p
	switch cmd {
	case linux.FIONREAD:
		p.mu.Lock()
		n := p.inputLenLocked()
		p.mu.Unlock()
		return 0, mem.CopyOut(arg, le32(uint32(n)))
	case unix.TCFLSH:
		return 0, flush(p, arg, false)
	}
	if ok, err := vfs.TerminalIoctl(ctx, p, mem, cmd, arg); ok {
		return 0, err
	}
	return commonIoctl(ctx, p, &p.termios, mem, cmd, arg)
}

// commonIoctl handles the requests both ends answer; t is the end's
// termios (the replica's drives the line discipline).
func commonIoctl(ctx vfs.Context, p *pty, t *linux.Termios, mem vfs.UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	switch cmd {
	case unix.TCGETS:
		p.mu.Lock()
		v := *t
		p.mu.Unlock()
		var b [linux.SizeofTermios]byte
		v.MarshalBytes(b[:])
		return 0, mem.CopyOut(arg, b[:])
	case unix.TCSETS, unix.TCSETSW, unix.TCSETSF:
		var b [linux.SizeofTermios]byte
		if err := mem.CopyIn(arg, b[:]); err != 0 {
			return 0, err
		}
		var v linux.Termios
		v.UnmarshalBytes(b[:])
		p.mu.Lock()
		if cmd == unix.TCSETSF && t == &p.termios {
			p.flushLocked(true, false)
		}
		if t == &p.termios {
			p.setTermiosLocked(v)
		} else {
			*t = v
		}
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
		p.mu.Lock()
		old := p.winsize
		p.winsize.UnmarshalBytes(b[:])
		changed := p.winsize != old
		p.mu.Unlock()
		if changed {
			p.signal(ctx, []int{int(unix.SIGWINCH)})
		}
		return 0, 0
	case unix.TIOCGPGRP, unix.TIOCSPGRP:
		return host.ForegroundIoctl(ctx, &p.fgPGID, mem, cmd, arg)
	}
	return 0, linux.ENOTTY
}

// flush implements TCFLSH with arg TCIFLUSH, TCOFLUSH or TCIOFLUSH, as
// seen from the master (master) or the replica.
func flush(p *pty, arg uintptr, master bool) linux.Errno {
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
	p.flushLocked(in, out)
	p.notifyLocked()
	p.mu.Unlock()
	return 0
}

func le32(v uint32) []byte {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return b[:]
}
