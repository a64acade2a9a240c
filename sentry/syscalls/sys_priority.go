package syscalls

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/auth"
	"moat/sentry/kernel"
)

// priorityTargets returns the tasks which/who name (PRIO_PROCESS,
// PRIO_PGRP, PRIO_USER).
func priorityTargets(t *kernel.Task, which, who int32) ([]*kernel.Task, linux.Errno) {
	ns := t.PIDNamespace()
	switch which {
	case unix.PRIO_PROCESS:
		if who == 0 {
			return []*kernel.Task{t}, 0
		}
		if tt := ns.TaskWithID(who); tt != nil {
			return []*kernel.Task{tt}, 0
		}
		return nil, linux.ESRCH
	case unix.PRIO_PGRP:
		pgid := who
		if pgid == 0 {
			pgid = ns.IDOfRoot(t.ThreadGroup().ProcessGroup())
		}
		var ts []*kernel.Task
		for _, tg := range ns.ThreadGroupsInGroup(pgid) {
			ts = append(ts, tg.Threads()...)
		}
		if len(ts) == 0 {
			return nil, linux.ESRCH
		}
		return ts, 0
	case unix.PRIO_USER:
		uid := auth.KUID(who)
		if who == 0 {
			uid = t.Credentials().RealKUID
		}
		var ts []*kernel.Task
		for _, tt := range ns.Tasks() {
			if tt.Credentials().RealKUID == uid {
				ts = append(ts, tt)
			}
		}
		if len(ts) == 0 {
			return nil, linux.ESRCH
		}
		return ts, 0
	}
	return nil, linux.EINVAL
}

// Getpriority implements Linux syscall getpriority(2): it returns 20-nice
// of the highest-priority target (the raw syscall's convention).
func Getpriority(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	ts, errno := priorityTargets(t, args.Int(0), args.Int(1))
	if errno != 0 {
		return 0, errno
	}
	best := 19
	for _, tt := range ts {
		best = min(best, tt.Nice())
	}
	return uintptr(20 - best), 0
}

// Setpriority implements Linux syscall setpriority(2).
func Setpriority(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	ts, errno := priorityTargets(t, args.Int(0), args.Int(1))
	if errno != 0 {
		return 0, errno
	}
	nice := min(max(int(args.Int(2)), -20), 19)
	c := t.Credentials()
	for _, tt := range ts {
		tc := tt.Credentials()
		if !c.HasCap(auth.CapSysNice) && c.EffectiveKUID != tc.RealKUID && c.EffectiveKUID != tc.EffectiveKUID {
			return 0, linux.EPERM
		}
		if nice < tt.Nice() && !c.HasCap(auth.CapSysNice) {
			return 0, linux.EACCES
		}
	}
	for _, tt := range ts {
		tt.SetNice(nice)
	}
	return 0, 0
}
