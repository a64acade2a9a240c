package devpts

import (
	"strconv"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// caller is what job control learns of the calling task; kernel.Task
// implements it.
type caller interface {
	vfs.TerminalNamespace
	ProcessGroupID() int32
}

// acquire makes p the controlling terminal of the caller's session if the
// caller leads a session that has none and p belongs to no session (a
// replica opened without O_NOCTTY). The caller's process group becomes
// the foreground group.
func (p *pty) acquire(ctx vfs.Context) {
	c, ok := ctx.(caller)
	if !ok || !c.IsSessionLeader() {
		return
	}
	v, sid := c.MountNamespace(), c.SessionID()
	if v.ControllingTerminal(sid) != nil || p.session() != 0 {
		return
	}
	if v.SetControllingTerminal(sid, p, false) == 0 {
		p.setForeground(c.ProcessGroupID())
	}
}

// setForeground makes pgid the foreground process group, waking the
// processes waiting to be in it.
func (p *pty) setForeground(pgid int32) {
	p.mu.Lock()
	p.fg = pgid
	p.notifyLocked()
	p.mu.Unlock()
}

// jobIoctl implements TIOCSCTTY, TIOCNOTTY, TIOCGPGRP, TIOCSPGRP and
// TIOCGSID on either end (they all concern the replica). From the
// replica, TIOCGPGRP and TIOCGSID need p to be the caller's controlling
// terminal; from the master they do not.
func (p *pty) jobIoctl(ctx vfs.Context, fd *vfs.FileDescription, mem vfs.UserMemory, cmd uint32, arg uintptr, master bool) linux.Errno {
	c, ok := ctx.(caller)
	if !ok {
		return linux.ENOTTY
	}
	v, sid := c.MountNamespace(), c.SessionID()
	isCtty := p.isControlling(sid)
	switch cmd {
	case unix.TIOCSCTTY:
		if isCtty && c.IsSessionLeader() {
			return 0
		}
		if !c.IsSessionLeader() || v.ControllingTerminal(sid) != nil {
			return linux.EPERM
		}
		admin := ctx.Credentials().HasCap(capSysAdmin)
		if fd != nil && !fd.IsReadable() && !admin {
			return linux.EPERM
		}
		if old := p.session(); old != 0 && (arg != 1 || !admin) {
			return linux.EPERM
		}
		if err := v.SetControllingTerminal(sid, p, arg == 1 && admin); err != 0 {
			return err
		}
		p.setForeground(c.ProcessGroupID())
		return 0
	case unix.TIOCNOTTY:
		if !isCtty {
			return linux.ENOTTY
		}
		if c.IsSessionLeader() {
			p.disassociate(sid)
		}
		// Limitation: a process that is not the session leader should
		// lose its controlling terminal alone; terminals are kept per
		// session (vfs), so it keeps it.
		return 0
	case unix.TIOCGPGRP:
		if !master && !isCtty {
			return linux.ENOTTY
		}
		p.mu.Lock()
		fg := p.fg
		p.mu.Unlock()
		return mem.CopyOut(arg, le32(uint32(userID(ctx, fg))))
	case unix.TIOCSPGRP:
		if !isCtty {
			return linux.ENOTTY
		}
		if err := p.checkAccess(ctx, unix.SIGTTOU); err != 0 {
			if err == linux.EIO {
				return linux.ENOTTY
			}
			return err
		}
		pgid, err := copyInInt(mem, arg)
		if err != 0 {
			return err
		}
		if pgid < 0 {
			return linux.EINVAL
		}
		pgid = kernelID(ctx, pgid)
		if k := p.fs.k; k != nil {
			gsid, ok := k.ProcessGroupSession(pgid)
			if !ok {
				return linux.ESRCH
			}
			if gsid != sid {
				return linux.EPERM
			}
		}
		p.setForeground(pgid)
		return 0
	default: // TIOCGSID
		if !master && !isCtty {
			return linux.ENOTTY
		}
		s := p.session()
		if s == 0 {
			return linux.ENOTTY
		}
		return mem.CopyOut(arg, le32(uint32(userID(ctx, s))))
	}
}

// simulateInput implements TIOCSTI: the byte at arg is typed into the
// replica's line discipline (master: it is queued for the master to read,
// as the master's raw discipline would). Only on the caller's controlling
// terminal, or with CAP_SYS_ADMIN (EPERM). Moat behaves as Linux with
// dev.tty.legacy_tiocsti=1.
func (p *pty) simulateInput(ctx vfs.Context, mem vfs.UserMemory, arg uintptr, master bool) linux.Errno {
	isCtty := false
	if c, ok := ctx.(caller); ok {
		isCtty = p.isControlling(c.SessionID())
	}
	if (master || !isCtty) && !ctx.Credentials().HasCap(capSysAdmin) {
		return linux.EPERM
	}
	var b [1]byte
	if err := mem.CopyIn(arg, b[:]); err != 0 {
		return err
	}
	p.mu.Lock()
	// Like a byte that arrives on a full line, it is lost when the
	// queue is full.
	if master && !p.ld.outputFull() {
		p.ld.out = append(p.ld.out, b[0])
	} else if !master {
		p.ld.input(b[:])
	}
	p.notifyLocked()
	sigs := p.takePendingLocked()
	p.mu.Unlock()
	p.send(sigs)
	return 0
}

// disassociate implements TIOCNOTTY by the leader of session sid: the
// foreground group gets SIGHUP and SIGCONT, and the session loses p.
func (p *pty) disassociate(sid int32) {
	p.mu.Lock()
	fg := p.fg
	p.fg = 0
	p.notifyLocked()
	p.mu.Unlock()
	if fg > 0 {
		p.send([]groupSignal{{fg, int(unix.SIGHUP)}, {fg, int(unix.SIGCONT)}})
	}
	p.fs.v.DropControllingTerminal(sid, p)
}

// openPeer implements TIOCGPTPEER: it opens the replica, as /dev/pts/N of
// the devpts mount the master was opened through, and installs it in the
// caller's descriptor table with flags (O_ACCMODE, O_NOCTTY, O_NONBLOCK,
// O_CLOEXEC).
func (m *masterFile) openPeer(ctx vfs.Context, fd *vfs.FileDescription, flags uint32) (uintptr, linux.Errno) {
	t, ok := ctx.(*kernel.Task)
	if !ok || fd == nil {
		return 0, linux.ENOTTY
	}
	if flags&^(unix.O_ACCMODE|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	mnt := fd.Mount()
	if mnt == nil || mnt.Filesystem().Impl() != m.p.fs {
		// Opened through a 5:2 node outside devpts: no mount to name
		// the replica in.
		return 0, linux.EINVAL
	}
	root := mnt.Root()
	op := &vfs.PathOp{Root: root, Start: root, Path: strconv.FormatUint(uint64(m.p.index), 10)}
	peer, err := mnt.VFS().OpenAt(ctx, op, flags&^unix.O_CLOEXEC, 0)
	if err != 0 {
		return 0, err
	}
	defer peer.DecRef()
	nfd, err := t.FDTable().NewFD(0, peer, kernel.FDFlags{CloseOnExec: flags&unix.O_CLOEXEC != 0})
	if err != 0 {
		return 0, err
	}
	return uintptr(nfd), 0
}
