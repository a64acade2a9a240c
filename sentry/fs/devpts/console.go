package devpts

import (
	"strconv"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// Console is a pty the sandbox opens for a container process whose spec
// asks for a terminal (process.terminal): the replica becomes the
// process's stdio and controlling terminal, and the sandbox drives the
// master, copying bytes to and from a host terminal (sentry/boot,
// docs/tty.md). Everything a terminal does (line discipline, job control,
// window size) is this pty's own.
type Console struct {
	// Master is the master end, held by the sandbox.
	Master *vfs.FileDescription
	// Replica is a replica file for the process's descriptor table; the
	// caller drops its reference once the table holds its own.
	Replica *vfs.FileDescription
	p       *pty
}

// OpenConsole opens a new pty through /dev/ptmx as seen from root (so
// that the replica is /dev/pts/N in the container's own devpts), unlocks
// it and opens its replica with O_NOCTTY. ctx's credentials own the
// replica node, as when the process itself opens a pty.
func OpenConsole(ctx vfs.Context, v *vfs.VirtualFilesystem, root vfs.VirtualDentry) (*Console, linux.Errno) {
	op := &vfs.PathOp{Root: root, Start: root, Path: "/dev/ptmx", Follow: true}
	master, err := v.OpenAt(ctx, op, unix.O_RDWR|unix.O_NOCTTY, 0)
	if err != 0 {
		return nil, err
	}
	m, ok := master.Impl().(*masterFile)
	mnt := master.Mount()
	if !ok || mnt == nil || mnt.Filesystem().Impl() != m.p.fs {
		// /dev/ptmx is not a devpts master reached through its mount.
		master.DecRef()
		return nil, linux.ENOTTY
	}
	p := m.p
	p.mu.Lock()
	p.locked = false
	p.mu.Unlock()
	mroot := mnt.Root()
	op = &vfs.PathOp{Root: mroot, Start: mroot, Path: strconv.FormatUint(uint64(p.index), 10)}
	replica, err := v.OpenAt(ctx, op, unix.O_RDWR|unix.O_NOCTTY, 0)
	if err != 0 {
		master.DecRef()
		return nil, err
	}
	return &Console{Master: master, Replica: replica, p: p}, 0
}

// Name is the replica's path in the container, /dev/pts/N.
func (c *Console) Name() string { return "/dev/pts/" + strconv.FormatUint(uint64(c.p.index), 10) }

// SetSize sets the window size, as TIOCSWINSZ on the master: a change
// sends SIGWINCH to the foreground process group.
func (c *Console) SetSize(w linux.Winsize) { c.p.setWinsize(w) }

// Size returns the window size.
func (c *Console) Size() linux.Winsize {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	return c.p.winsize
}

// AttachSession implements kernel.StartTerminal: the pty becomes the
// controlling terminal of session sid with pgid in the foreground, as if
// the session's new leader had opened the replica without O_NOCTTY. It
// fails with EPERM if the session has a terminal or the pty a session.
func (c *Console) AttachSession(sid, pgid int32) linux.Errno {
	p := c.p
	if p.session() != 0 {
		return linux.EPERM
	}
	if err := p.fs.v.SetControllingTerminal(sid, p, false); err != 0 {
		return err
	}
	p.setForeground(pgid)
	return 0
}

// setWinsize stores w and sends SIGWINCH to the foreground process group
// if it changed (TIOCSWINSZ on either end).
//
// Preconditions:
// - p.mu is not held.
func (p *pty) setWinsize(w linux.Winsize) {
	p.mu.Lock()
	changed := w != p.winsize
	p.winsize = w
	fg := p.fg
	p.mu.Unlock()
	if changed && fg > 0 {
		p.send([]groupSignal{{fg, int(unix.SIGWINCH)}})
	}
}
