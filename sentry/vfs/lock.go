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

// lockTable holds the record locks of every inode. It is embedded in
// VirtualFilesystem.
type lockTable struct {
	// lockMu guards locks; lockCond is signalled when a lock is released.
	lockMu   sync.Mutex
	lockCond *sync.Cond
	locks    map[Inode][]Lock
}

// conflictLocked returns a lock of another owner that conflicts with
// (typ, start, end).
//
// Preconditions:
// - v.lockMu is held.
func (v *VirtualFilesystem) conflictLocked(inode Inode, owner any, typ LockType, start, end uint64) (Lock, bool) {
	for _, l := range v.locks[inode] {
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

// SetLock implements F_SETLK and F_SETLKW: it sets, changes or (Unlock)
// removes owner's locks on [start, end). With wait it blocks until no
// other owner's lock conflicts; otherwise a conflict is EAGAIN.
// Waiting is not interruptible by signals yet.
func (v *VirtualFilesystem) SetLock(inode Inode, owner any, pid int32, typ LockType, start, end uint64, wait bool) linux.Errno {
	if start >= end {
		return linux.EINVAL
	}
	v.lockMu.Lock()
	defer v.lockMu.Unlock()
	if typ != Unlock {
		for {
			if _, ok := v.conflictLocked(inode, owner, typ, start, end); !ok {
				break
			}
			if !wait {
				return linux.EAGAIN
			}
			if v.lockCond == nil {
				v.lockCond = sync.NewCond(&v.lockMu)
			}
			v.lockCond.Wait()
		}
	}
	var out []Lock
	for _, l := range v.locks[inode] {
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
	if v.locks == nil {
		v.locks = make(map[Inode][]Lock)
	}
	if len(out) == 0 {
		delete(v.locks, inode)
	} else {
		v.locks[inode] = out
	}
	if v.lockCond != nil {
		v.lockCond.Broadcast()
	}
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
	v.lockMu.Lock()
	defer v.lockMu.Unlock()
	ls, ok := v.locks[inode]
	if !ok {
		return
	}
	out := ls[:0]
	for _, l := range ls {
		if l.Owner != owner {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		delete(v.locks, inode)
	} else {
		v.locks[inode] = out
	}
	if v.lockCond != nil {
		v.lockCond.Broadcast()
	}
}
