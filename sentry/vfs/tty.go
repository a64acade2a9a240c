package vfs

import (
	"sync"

	"moat/sentry/abi/linux"
)

// Terminal is a terminal that can be a session's controlling terminal:
// pty replicas and host terminals. OpenTTY opens it anew for /dev/tty.
type Terminal interface {
	OpenTTY(ctx Context, vd VirtualDentry, flags uint32) (FileImpl, linux.Errno)
}

// ttyTable maps sessions to their controlling terminals. It is embedded in
// VirtualFilesystem.
type ttyTable struct {
	// ttyMu guards cttys.
	ttyMu sync.Mutex
	cttys map[int32]Terminal
}

// SetControllingTerminal makes t the controlling terminal of session sid
// (TIOCSCTTY). It fails with EPERM if the session has another one, or if t
// belongs to another session and steal is false; with steal, t moves.
func (v *VirtualFilesystem) SetControllingTerminal(sid int32, t Terminal, steal bool) linux.Errno {
	v.ttyMu.Lock()
	defer v.ttyMu.Unlock()
	if cur, ok := v.cttys[sid]; ok {
		if cur == t {
			return 0
		}
		return linux.EPERM
	}
	for s, x := range v.cttys {
		if x == t {
			if !steal {
				return linux.EPERM
			}
			delete(v.cttys, s)
		}
	}
	if v.cttys == nil {
		v.cttys = make(map[int32]Terminal)
	}
	v.cttys[sid] = t
	return 0
}

// ControllingTerminal returns the controlling terminal of session sid, or
// nil.
func (v *VirtualFilesystem) ControllingTerminal(sid int32) Terminal {
	v.ttyMu.Lock()
	defer v.ttyMu.Unlock()
	return v.cttys[sid]
}

// DropControllingTerminal detaches session sid from its terminal
// (TIOCNOTTY by the session leader, or the terminal going away when t is
// given: then only if it is t).
func (v *VirtualFilesystem) DropControllingTerminal(sid int32, t Terminal) {
	v.ttyMu.Lock()
	defer v.ttyMu.Unlock()
	if cur, ok := v.cttys[sid]; ok && (t == nil || cur == t) {
		delete(v.cttys, sid)
	}
}

// TerminalSession returns the session whose controlling terminal t is, or
// 0 (TIOCGSID).
func (v *VirtualFilesystem) TerminalSession(t Terminal) int32 {
	v.ttyMu.Lock()
	defer v.ttyMu.Unlock()
	for s, x := range v.cttys {
		if x == t {
			return s
		}
	}
	return 0
}

// ForgetTerminal drops t from every session (the terminal is gone).
func (v *VirtualFilesystem) ForgetTerminal(t Terminal) {
	v.ttyMu.Lock()
	defer v.ttyMu.Unlock()
	for s, x := range v.cttys {
		if x == t {
			delete(v.cttys, s)
		}
	}
}

// TerminalContext is implemented by contexts (kernel.Task) that belong to
// a session, for the controlling-terminal ioctls and /dev/tty.
type TerminalContext interface {
	// SessionID returns the caller's session.
	SessionID() int32
	// IsSessionLeader reports whether the caller leads its session.
	IsSessionLeader() bool
}

// TerminalNamespace is implemented by TerminalContexts that know their
// mount namespace (kernel.Task), where controlling terminals are kept.
type TerminalNamespace interface {
	TerminalContext
	MountNamespace() *VirtualFilesystem
}

// TerminalIoctl handles the controlling-terminal requests TIOCSCTTY,
// TIOCNOTTY and TIOCGSID for terminal t. handled is false for other
// requests.
func TerminalIoctl(ctx Context, t Terminal, mem UserMemory, cmd uint32, arg uintptr) (handled bool, err linux.Errno) {
	const (
		tiocsctty = 0x540e
		tiocnotty = 0x5422
		tiocgsid  = 0x5429
	)
	if cmd != tiocsctty && cmd != tiocnotty && cmd != tiocgsid {
		return false, 0
	}
	tc, ok := ctx.(TerminalNamespace)
	if !ok {
		return true, linux.ENOTTY
	}
	v, sid := tc.MountNamespace(), tc.SessionID()
	switch cmd {
	case tiocsctty:
		if !tc.IsSessionLeader() {
			return true, linux.EPERM
		}
		steal := arg == 1 && ctx.Credentials().HasCap(capSysAdmin)
		return true, v.SetControllingTerminal(sid, t, steal)
	case tiocnotty:
		if v.ControllingTerminal(sid) != t {
			return true, linux.ENOTTY
		}
		if tc.IsSessionLeader() {
			v.DropControllingTerminal(sid, t)
		}
		return true, 0
	default: // TIOCGSID
		if v.ControllingTerminal(sid) != t {
			return true, linux.ENOTTY
		}
		b := []byte{byte(sid), byte(sid >> 8), byte(sid >> 16), byte(sid >> 24)}
		return true, mem.CopyOut(arg, b)
	}
}

// capSysAdmin is CAP_SYS_ADMIN.
const capSysAdmin = 21

// AcquireControllingTerminal makes t the caller's controlling terminal if
// the caller leads a session that has none: what opening a terminal
// without O_NOCTTY does on Linux. Failures are ignored.
func AcquireControllingTerminal(ctx Context, t Terminal) {
	tc, ok := ctx.(TerminalNamespace)
	if !ok || !tc.IsSessionLeader() {
		return
	}
	v := tc.MountNamespace()
	if v.ControllingTerminal(tc.SessionID()) == nil && v.TerminalSession(t) == 0 {
		v.SetControllingTerminal(tc.SessionID(), t, false)
	}
}

// OpenControllingTerminal opens the caller's controlling terminal for
// /dev/tty: ENXIO without one.
func OpenControllingTerminal(ctx Context, vd VirtualDentry, flags uint32) (FileImpl, linux.Errno) {
	tc, ok := ctx.(TerminalNamespace)
	if !ok {
		return nil, linux.ENXIO
	}
	t := tc.MountNamespace().ControllingTerminal(tc.SessionID())
	if t == nil {
		return nil, linux.ENXIO
	}
	return t.OpenTTY(ctx, vd, flags)
}
