package vfs

import (
	"sync"

	"moat/sentry/abi/linux"
)

// LockType is the type of an advisory record lock.
type LockType int16

// Lock types, with the values of F_RDLCK, F_WRLCK and F_UNLCK.
const (
	ReadLock  LockType = 0
	WriteLock LockType = 1
	Unlock    LockType = 2
)

// LockEOF is the End of a lock that extends to the end of any file.
const LockEOF = ^uint64(0)

// Lock is a byte-range advisory lock: [Start, End). Owner is a thread
// group for POSIX (fcntl F_SETLK) locks and a *FileDescription for open
// file description (F_OFD_SETLK) locks; PID is reported by F_GETLK.
type Lock struct {
	Type       LockType
	Start, End uint64
	Owner      any
	PID        int32
}

func (l *Lock) overlaps(start, end uint64) bool { return l.Start < end && start < l.End }

// inodeLocks are the locks of one inode.
type inodeLocks struct {
	locks []Lock
	// changed is closed (and cleared) whenever locks shrink; waiters
	// block on it. nil when nobody waits.
	changed chan struct{}
}

// lockTable holds the record locks of every inode. It is embedded in
// VirtualFilesystem.
type lockTable struct {
	// lockMu guards the fields below.
	lockMu sync.Mutex
	locks  map[any]*inodeLocks
	// waitingFor maps a blocked POSIX lock owner to the owner whose lock
	// it waits for, for deadlock detection.
	waitingFor map[any]any
}

// conflictLocked returns a lock of another owner that conflicts with
// (typ, start, end).
//
// Preconditions:
// - v.lockMu is held.
func (v *VirtualFilesystem) conflictLocked(inode any, owner any, typ LockType, start, end uint64) (Lock, bool) {
	il := v.locks[inode]
	if il == nil {
		return Lock{}, false
	}
	for _, l := range il.locks {
		if l.Owner != owner && l.overlaps(start, end) && (typ == WriteLock || l.Type == WriteLock) {
			return l, true
		}
	}
	return Lock{}, false
}

// TestLock implements F_GETLK: it returns a lock that would block
// (typ, start, end) for owner, if any.
func (v *VirtualFilesystem) TestLock(inode Inode, owner any, typ LockType, start, end uint64) (Lock, bool) {
	v.lockMu.Lock()
	defer v.lockMu.Unlock()
	return v.conflictLocked(inode, owner, typ, start, end)
}

// wouldDeadlockLocked reports whether owner waiting for blocker closes a
// cycle of POSIX lock waiters.
//
// Preconditions:
// - v.lockMu is held.
func (v *VirtualFilesystem) wouldDeadlockLocked(owner, blocker any) bool {
	if _, ofd := owner.(*FileDescription); ofd {
		return false
	}
	for i, o := 0, blocker; o != nil && i < 1024; i++ {
		if o == owner {
			return true
		}
		o = v.waitingFor[o]
	}
	return false
}

// SetLock implements F_SETLK and F_SETLKW: it sets, changes or (Unlock)
// removes owner's locks on [start, end). With wait it blocks until no
// other owner's lock conflicts (ERESTARTSYS if ctx is interrupted, EDEADLK
// if waiting would deadlock); otherwise a conflict is EAGAIN.
func (v *VirtualFilesystem) SetLock(ctx Context, inode Inode, owner any, pid int32, typ LockType, start, end uint64, wait bool) linux.Errno {
	return v.setLock(ctx, inode, owner, pid, typ, start, end, wait)
}

// setLock is SetLock on any lock space: an Inode for record locks, a
// flockKey for flock(2) locks.
func (v *VirtualFilesystem) setLock(ctx Context, inode any, owner any, pid int32, typ LockType, start, end uint64, wait bool) linux.Errno {
	if start >= end {
		return linux.EINVAL
	}
	v.lockMu.Lock()
	defer v.lockMu.Unlock()
	for typ != Unlock {
		l, ok := v.conflictLocked(inode, owner, typ, start, end)
		if !ok {
			break
		}
		if !wait {
			return linux.EAGAIN
		}
		if v.wouldDeadlockLocked(owner, l.Owner) {
			return linux.EDEADLK
		}
		il := v.locks[inode]
		if il.changed == nil {
			il.changed = make(chan struct{})
		}
		ch := il.changed
		if v.waitingFor == nil {
			v.waitingFor = make(map[any]any)
		}
		v.waitingFor[owner] = l.Owner
		v.lockMu.Unlock()
		err := block(ctx, ch)
		v.lockMu.Lock()
		delete(v.waitingFor, owner)
		if err != 0 {
			return err
		}
	}
	il := v.locks[inode]
	if il == nil {
		il = &inodeLocks{}
	}
	var out []Lock
	for _, l := range il.locks {
		if l.Owner != owner || !l.overlaps(start, end) {
			out = append(out, l)
			continue
		}
		// Keep the parts of owner's lock outside [start, end).
		if l.Start < start {
			left := l
			left.End = start
			out = append(out, left)
		}
		if l.End > end {
			right := l
			right.Start = end
			out = append(out, right)
		}
	}
	if typ != Unlock {
		out = append(out, Lock{Type: typ, Start: start, End: end, Owner: owner, PID: pid})
		out = mergeLocks(out, owner)
	}
	il.locks = out
	v.storeLocked(inode, il)
	return 0
}

// storeLocked installs il for inode and wakes its waiters.
//
// Preconditions:
// - v.lockMu is held.
func (v *VirtualFilesystem) storeLocked(inode any, il *inodeLocks) {
	if il.changed != nil {
		close(il.changed)
		il.changed = nil
	}
	if len(il.locks) == 0 {
		delete(v.locks, inode)
		return
	}
	if v.locks == nil {
		v.locks = make(map[any]*inodeLocks)
	}
	v.locks[inode] = il
}

// block waits for ch, interruptibly if ctx allows.
func block(ctx Context, ch <-chan struct{}) linux.Errno {
	if i, ok := ctx.(Interruptible); ok {
		return i.Block(ch)
	}
	<-ch
	return 0
}

// mergeLocks coalesces adjacent or overlapping locks of owner that have the
// same type.
func mergeLocks(ls []Lock, owner any) []Lock {
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(ls) && !changed; i++ {
			for j := i + 1; j < len(ls); j++ {
				a, b := &ls[i], &ls[j]
				if a.Owner != owner || b.Owner != owner || a.Type != b.Type {
					continue
				}
				if a.Start <= b.End && b.Start <= a.End {
					a.Start, a.End = min(a.Start, b.Start), max(a.End, b.End)
					ls = append(ls[:j], ls[j+1:]...)
					changed = true
					break
				}
			}
		}
	}
	return ls
}

// ReleaseLocks drops every lock owner holds on inode (close(2) of any fd
// of the file for POSIX locks; the last close of the description for OFD
// locks).
func (v *VirtualFilesystem) ReleaseLocks(inode Inode, owner any) {
	v.releaseLocks(inode, owner)
}

// releaseLocks is ReleaseLocks on any lock space.
func (v *VirtualFilesystem) releaseLocks(inode any, owner any) {
	v.lockMu.Lock()
	defer v.lockMu.Unlock()
	il := v.locks[inode]
	if il == nil {
		return
	}
	out := il.locks[:0]
	for _, l := range il.locks {
		if l.Owner != owner {
			out = append(out, l)
		}
	}
	il.locks = out
	v.storeLocked(inode, il)
}
