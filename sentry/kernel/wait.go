package kernel

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// WaitSelector says which children a wait is for.
type WaitSelector int

// Wait selectors.
const (
	WaitAny WaitSelector = iota
	WaitPID
	WaitPGID
)

// WaitOptions are the arguments of wait4(2) and waitid(2).
type WaitOptions struct {
	Select WaitSelector
	// ID is the PID or PGID for WaitPID and WaitPGID.
	ID int32
	// Exited asks for children that ended (WEXITED; always for wait4).
	Exited bool
	// Stopped and Continued ask for job-control state changes
	// (WUNTRACED/WSTOPPED, WCONTINUED).
	Stopped, Continued bool
	// NoHang returns at once when no child is ready (WNOHANG).
	NoHang bool
	// NoWait leaves the child waitable (WNOWAIT).
	NoWait bool
	// Clone and All select __WCLONE and __WALL children.
	Clone, All bool
}

// WaitResult describes a child that ended, stopped or continued.
type WaitResult struct {
	PID    int32
	UID    uint32
	Status ExitStatus
	// StateCode is CLD_STOPPED or CLD_CONTINUED (with StateSignal) for a
	// job-control report, 0 for an exit.
	StateCode   int32
	StateSignal int
	// UserTime and SysTime are the child's CPU times in nanoseconds.
	UserTime, SysTime int64
}

// Code returns the CLD_* code for siginfo.
func (r *WaitResult) Code() int32 {
	if r.StateCode != 0 {
		return r.StateCode
	}
	switch {
	case r.Status.Signo == 0:
		return linux.CLD_EXITED
	case r.Status.CoreDumped:
		return linux.CLD_DUMPED
	}
	return linux.CLD_KILLED
}

// Wait implements wait4(2) and waitid(2): it returns a child that ended,
// nil with NoHang when none has yet, ECHILD when no child matches.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) Wait(o WaitOptions) (*WaitResult, linux.Errno) {
	k := t.k
	tg := t.tg
	ns := t.PIDNamespace()
	if o.Select != WaitAny {
		// The ID is the caller's; the tree holds root IDs.
		if o.ID = ns.rootOf(o.ID); o.ID == 0 {
			return nil, linux.ECHILD
		}
	}
	for {
		k.mu.Lock()
		matched := false
		for c := range tg.children {
			if !o.matches(c) {
				continue
			}
			matched = true
			if !c.zombie && (o.Stopped || o.Continued) {
				if code, sig, ok := c.takeStopReport(o.Stopped, o.Continued, o.NoWait); ok {
					r := &WaitResult{PID: ns.idOf(c.pid), StateCode: code, StateSignal: sig}
					if l := c.leader; l != nil {
						r.UID = uint32(l.Credentials().RealKUID)
					}
					k.mu.Unlock()
					return r, 0
				}
			}
			if !c.zombie || !o.Exited {
				continue
			}
			c.mu.Lock()
			r := &WaitResult{PID: ns.idOf(c.pid), Status: c.status, UserTime: c.userTime + c.childUserTime, SysTime: c.sysTime + c.childSysTime}
			c.mu.Unlock()
			if l := c.leader; l != nil {
				r.UID = uint32(l.Credentials().RealKUID)
			}
			if !o.NoWait {
				delete(tg.children, c)
				delete(k.threadGroups, c.pid)
				tg.mu.Lock()
				tg.childUserTime += r.UserTime
				tg.childSysTime += r.SysTime
				tg.mu.Unlock()
			}
			k.mu.Unlock()
			return r, 0
		}
		ch := tg.childEvents
		k.mu.Unlock()
		if !matched {
			return nil, linux.ECHILD
		}
		if o.NoHang {
			return nil, 0
		}
		if t.BlockOn(ch) {
			return nil, linux.ERESTARTSYS
		}
	}
}

// matches reports whether child c is selected.
//
// Preconditions:
// - Kernel.mu is held.
func (o *WaitOptions) matches(c *ThreadGroup) bool {
	switch o.Select {
	case WaitPID:
		if c.pid != o.ID {
			return false
		}
	case WaitPGID:
		if c.pgid != o.ID {
			return false
		}
	}
	if o.All {
		return true
	}
	isClone := c.exitSignal != int(unix.SIGCHLD)
	return isClone == o.Clone
}

// ChildTimes returns the CPU times of reaped children (nanoseconds).
func (tg *ThreadGroup) ChildTimes() (user, sys int64) {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.childUserTime, tg.childSysTime
}

// WaitStatus returns the status word wait4 stores for r.
func (r *WaitResult) WaitStatus() uint32 {
	switch r.StateCode {
	case linux.CLD_STOPPED:
		return uint32(r.StateSignal)<<8 | 0x7f
	case linux.CLD_CONTINUED:
		return 0xffff
	}
	return r.Status.WaitStatus()
}
