package proc

import (
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/mm"
	"moat/sentry/vfs"
)

// This file gathers what status and stat show about a task.

// taskState returns the state letter and its status text. The sentry does
// not track whether a task is blocked in a syscall: the reader's own
// process is running, others are shown sleeping, a stopped process (job
// control) is stopped, and an exiting process is a zombie.
func taskState(ctx vfs.Context, t *kernel.Task) (byte, string) {
	switch {
	case t.ThreadGroup().Exiting():
		return 'Z', "Z (zombie)"
	case t.ThreadGroup().Stopped():
		return 'T', "T (stopped)"
	case callerTask(ctx) != nil && callerTask(ctx).ThreadGroup() == t.ThreadGroup():
		return 'R', "R (running)"
	}
	return 'S', "S (sleeping)"
}

// usageOf returns t's memory accounting.
func usageOf(t *kernel.Task) mm.Usage {
	if m := t.MM(); m != nil {
		return m.Usage()
	}
	return mm.Usage{}
}

// cpuTimeOf returns the CPU time of t, or of its whole process (live and
// exited threads).
func cpuTimeOf(t *kernel.Task, thread bool) (user, sys time.Duration) {
	if thread {
		return t.CPUTime()
	}
	u, s := t.ThreadGroup().ExitedThreadTimes()
	user, sys = time.Duration(u), time.Duration(s)
	for _, th := range t.ThreadGroup().Threads() {
		u, s := th.CPUTime()
		user += u
		sys += s
	}
	return user, sys
}

// statusFile is the taskEntry constructor of status.
func statusFile(d *taskDir, n node) vfs.Inode {
	fs := d.fs
	return &genFile{node: n, gen: func(ctx vfs.Context, t *kernel.Task) ([]byte, linux.Errno) {
		c := t.Credentials()
		tg := t.ThreadGroup()
		ign, cgt := tg.SignalDispositions()
		_, state := taskState(ctx, t)
		pnd, shd := t.PendingSets()
		s := &statusInfo{
			Name:       t.Name(),
			State:      state,
			Tgid:       fs.ns.IDOfThreadGroup(tg),
			Pid:        fs.ns.IDOfTask(t),
			PPid:       t.PPID(),
			Pgid:       fs.ns.IDOfRoot(tg.ProcessGroup()),
			Sid:        fs.ns.IDOfRoot(tg.Session()),
			UID:        [4]uint32{uint32(c.RealKUID), uint32(c.EffectiveKUID), uint32(c.SavedKUID), uint32(c.FSUID)},
			GID:        [4]uint32{uint32(c.RealKGID), uint32(c.EffectiveKGID), uint32(c.SavedKGID), uint32(c.FSGID)},
			Mem:        usageOf(t),
			Threads:    len(tg.Threads()),
			SigQLimit:  tg.Limit(unix.RLIMIT_SIGPENDING).Cur,
			SigPnd:     uint64(pnd),
			ShdPnd:     uint64(shd),
			SigBlk:     uint64(t.SigMask()),
			SigIgn:     uint64(ign),
			SigCgt:     uint64(cgt),
			CapInh:     uint64(c.InheritableCaps),
			CapPrm:     uint64(c.PermittedCaps),
			CapEff:     uint64(c.EffectiveCaps),
			CapBnd:     uint64(c.BoundingCaps),
			CapAmb:     uint64(c.AmbientCaps),
			NoNewPrivs: c.NoNewPrivs,
			CPUs:       fs.k.CPUs(),
		}
		for _, g := range c.ExtraKGIDs {
			s.Groups = append(s.Groups, uint32(g))
		}
		if fc := t.FSContext(); fc != nil {
			s.Umask = fc.Umask()
		}
		if ft := t.FDTable(); ft != nil {
			s.FDSize = ft.Size()
		}
		return formatStatus(s), 0
	}}
}

// statFile is the taskEntry constructor of stat.
func statFile(d *taskDir, n node) vfs.Inode {
	fs, thread := d.fs, d.thread
	return &genFile{node: n, gen: func(ctx vfs.Context, t *kernel.Task) ([]byte, linux.Errno) {
		tg := t.ThreadGroup()
		ign, cgt := tg.SignalDispositions()
		state, _ := taskState(ctx, t)
		user, sys := cpuTimeOf(t, thread)
		cu, cs := tg.ChildTimes()
		pnd, shd := t.PendingSets()
		s := &statInfo{
			PID:        fs.ns.IDOfTask(t),
			Comm:       t.Name(),
			State:      state,
			PPID:       t.PPID(),
			PGRP:       fs.ns.IDOfRoot(tg.ProcessGroup()),
			SID:        fs.ns.IDOfRoot(tg.Session()),
			UTime:      toTicks(user),
			STime:      toTicks(sys),
			CUTime:     toTicks(time.Duration(cu)),
			CSTime:     toTicks(time.Duration(cs)),
			Threads:    len(tg.Threads()),
			StartTime:  toTicks(time.Duration(t.StartTime() - fs.k.BootTime().UnixNano())),
			Mem:        usageOf(t),
			RSSLimit:   tg.Limit(unix.RLIMIT_RSS).Cur,
			Pending:    uint64(pnd | shd),
			Blocked:    uint64(t.SigMask()),
			Ignored:    uint64(ign),
			Caught:     uint64(cgt),
			ExitSignal: tg.ExitSignal(),
		}
		if t.TID() != t.PID() {
			// Threads other than the leader signal no one when they end.
			s.ExitSignal = -1
		}
		if m := t.MM(); m != nil && mayAccessTask(ctx, t) == 0 {
			s.ArgStart, s.ArgEnd, s.EnvStart, s.EnvEnd = m.ArgvEnvp()
		} else {
			// Like Linux, hide addresses from other users.
			s.Mem.StartCode, s.Mem.EndCode, s.Mem.StartStack, s.Mem.StartBrk = 0, 0, 0, 0
		}
		return formatStat(s), 0
	}}
}
