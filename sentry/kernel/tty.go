package kernel

import (
	"golang.org/x/sys/unix"

	"moat/internal/log"
	"moat/sentry/abi/linux"
)

// This file holds what terminals (sentry/fs/devpts) need from the kernel
// for job control: signals to a process group or a session leader from a
// terminal (^C, window changes, hangups), the session a process group
// belongs to (TIOCSPGRP), and the background-group check (SIGTTIN,
// SIGTTOU). The controlling terminal of each session is kept
// by the mount namespace (vfs.VirtualFilesystem.ControllingTerminal); the
// foreground process group by the terminal itself.

// SendProcessGroupSignal sends sig to every live process of group pgid,
// as from the kernel (SI_KERNEL). It may be called from any goroutine; it
// reports whether the group had a process.
func (k *Kernel) SendProcessGroupSignal(pgid int32, sig int) bool {
	tgs := k.ThreadGroupsInGroup(pgid)
	for _, tg := range tgs {
		tg.SendGroupSignal(linux.NewSignalInfo(sig, linux.SI_KERNEL), FromKernel)
	}
	return len(tgs) > 0
}

// SendSessionLeaderSignal sends sig to the leader of session sid, if it
// is alive and still leads that session (a terminal hangup sends SIGHUP
// and SIGCONT this way). It may be called from any goroutine.
func (k *Kernel) SendSessionLeaderSignal(sid int32, sig int) {
	k.mu.Lock()
	tg := k.threadGroups[sid]
	if tg == nil || tg.zombie || tg.sid != sid {
		tg = nil
	}
	k.mu.Unlock()
	if tg != nil {
		tg.SendGroupSignal(linux.NewSignalInfo(sig, linux.SI_KERNEL), FromKernel)
	}
}

// SessionLeaderAlive reports whether the leader of session sid is alive
// and leads it: a session whose leader exited has lost its controlling
// terminal on Linux.
func (k *Kernel) SessionLeaderAlive(sid int32) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	tg := k.threadGroups[sid]
	return tg != nil && !tg.zombie && tg.sid == sid
}

// ProcessGroupSession returns the session of process group pgid; ok is
// false if the group has no live process.
func (k *Kernel) ProcessGroupSession(pgid int32) (sid int32, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, tg := range k.threadGroups {
		if tg.pgid == pgid && !tg.zombie {
			return tg.sid, true
		}
	}
	return 0, false
}

// TerminalAccess is the job-control check of an access by t to its
// controlling terminal, whose foreground process group is fg: a read
// (sig SIGTTIN), or a write with TOSTOP or a change of settings (sig
// SIGTTOU). A member of the foreground group (or any process while the
// terminal has none) goes on (0). For a background group: SIGTTOU ignored
// or blocked lets the access go on, SIGTTIN ignored or blocked fails it
// with EIO, an orphaned group fails with EIO; with a handler, the signal
// goes to the caller's whole group and the call restarts (ERESTARTSYS)
// once it is handled.
//
// With the default disposition, Linux stops the group until it is
// continued. The kernel does not implement job-control stops yet
// (TODO(#4) in signal.go), and sending the signal would only make the
// call restart at once, forever; so no signal is sent and wait is true:
// the terminal makes the caller wait, interruptibly, until its group is
// in the foreground, which is what a stopped and continued job sees.
func (t *Task) TerminalAccess(fg int32, sig int) (wait bool, err linux.Errno) {
	tg := t.ThreadGroup()
	pgid := tg.ProcessGroup()
	if fg <= 0 || pgid == fg {
		return false, 0
	}
	handler := tg.SigAction(sig).Handler
	if handler == linux.SIG_IGN || t.SigMask()&linux.SignalSetOf(sig) != 0 {
		if sig == int(unix.SIGTTOU) {
			return false, 0
		}
		return false, linux.EIO
	}
	if t.k.orphanedProcessGroup(pgid) {
		return false, linux.EIO
	}
	if handler == linux.SIG_DFL {
		return true, 0
	}
	t.k.SendProcessGroupSignal(pgid, sig)
	return false, linux.ERESTARTSYS
}

// orphanedProcessGroup reports whether no process of group pgid has a
// parent in another group of the same session (POSIX's orphaned process
// group: no one there to resume it).
func (k *Kernel) orphanedProcessGroup(pgid int32) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, tg := range k.threadGroups {
		if tg.pgid != pgid || tg.zombie {
			continue
		}
		if p := tg.parent; p != nil && !p.zombie && p.pgid != pgid && p.sid == tg.sid {
			return false
		}
	}
	return true
}

// SessionLeaderExitHandler is implemented by controlling terminals that
// act when their session's leader exits (devpts ptys: SIGHUP to the
// foreground process group).
type SessionLeaderExitHandler interface {
	SessionLeaderExited(sid int32)
}

// ReleaseControllingTerminal runs when the leader of session sid exits,
// as Linux's disassociate_ctty on exit does: the session's controlling
// terminal, if any, is told (SessionLeaderExitHandler), and the session
// loses it, so that a later session reusing the ID starts without one.
//
// Preconditions:
// - k.mu is not held.
func (k *Kernel) ReleaseControllingTerminal(sid int32) {
	v := k.VFS()
	t := v.ControllingTerminal(sid)
	if t == nil {
		return
	}
	if h, ok := t.(SessionLeaderExitHandler); ok {
		h.SessionLeaderExited(sid)
	}
	v.DropControllingTerminal(sid, t)
}

// TerminalReporter is implemented by controlling terminals that /proc
// describes (devpts ptys): their device number and foreground process
// group.
type TerminalReporter interface {
	DeviceNumber() (major, minor uint32)
	ForegroundProcessGroup() int32
}

// ControllingTerminal returns what /proc/[pid]/stat shows of tg's
// controlling terminal: tty_nr, its device number in Linux's encoding,
// and tpgid, its foreground process group. Without a terminal (or with
// one that does not report itself) it returns 0 and -1, as Linux does.
func (tg *ThreadGroup) ControllingTerminal() (ttyNr uint32, tpgid int32) {
	r, ok := tg.k.VFS().ControllingTerminal(tg.Session()).(TerminalReporter)
	if !ok {
		return 0, -1
	}
	major, minor := r.DeviceNumber()
	tpgid = r.ForegroundProcessGroup()
	if tpgid <= 0 {
		tpgid = -1
	}
	return minor&0xff | major<<8 | (minor&^0xff)<<12, tpgid
}

// StartTerminal is a terminal that a process started by StartInit or
// StartProcess (a new session's leader) gets as its controlling terminal
// before it runs its first instruction: a container's console
// (devpts.Console, docs/tty.md), so that a shell finds its terminal and
// its foreground group in place at once.
type StartTerminal interface {
	// AttachSession makes the terminal the controlling terminal of
	// session sid, with process group pgid in the foreground.
	AttachSession(sid, pgid int32) linux.Errno
}

// attachStartTerminal gives tg, the leader of a new session that has not
// run yet, its controlling terminal t (nil: none).
func (tg *ThreadGroup) attachStartTerminal(t StartTerminal) {
	if t == nil {
		return
	}
	// A new session has no terminal and a new console no session: this
	// cannot fail unless the caller broke that.
	if errno := t.AttachSession(tg.Session(), tg.ProcessGroup()); errno != 0 {
		log.Warningf("process %d: attaching its terminal: %v", tg.PID(), errno)
	}
}
