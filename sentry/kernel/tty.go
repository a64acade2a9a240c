package kernel

import (
	"moat/sentry/abi/linux"
)

// This file holds what terminals (sentry/fs/devpts) need from the kernel
// for job control: signals to a process group or a session leader from a
// terminal (^C, window changes, hangups), and the session a process group
// belongs to (TIOCSPGRP). The controlling terminal of each session is kept
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
