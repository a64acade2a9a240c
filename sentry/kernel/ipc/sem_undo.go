package ipc

import (
	"sync"
	"sync/atomic"
)

// UndoList is a process's SEM_UNDO adjustments (struct sem_undo_list):
// shared by the threads of a process (clone with CLONE_SYSVSEM), not by a
// forked child, kept across execve, and applied when its last user exits.
type UndoList struct {
	refs atomic.Int32

	// mu guards entries; each entry's adjustments are guarded by its
	// set's registry lock (taken before mu).
	mu      sync.Mutex
	entries map[*SemSet]*semUndo
}

// semUndo is one process's adjustments on one set.
type semUndo struct {
	list *UndoList
	set  *SemSet
	adj  []int
}

// NewUndoList returns an empty list with one user.
func NewUndoList() *UndoList {
	l := &UndoList{entries: map[*SemSet]*semUndo{}}
	l.refs.Store(1)
	return l
}

// IncRef adds a user (a thread cloned with CLONE_SYSVSEM).
func (l *UndoList) IncRef() { l.refs.Add(1) }

// DecRef drops a user. The last one applies the adjustments (exit_sem):
// each semaphore of a set that still exists moves by its adjustment,
// clamped to [0, SEMVMX], its last process becomes proc, and blocked
// operations are retried.
func (l *UndoList) DecRef(proc Process) {
	if l.refs.Add(-1) != 0 {
		return
	}
	l.mu.Lock()
	entries := l.entries
	l.entries = map[*SemSet]*semUndo{}
	l.mu.Unlock()
	for s, u := range entries {
		s.reg.mu.Lock()
		if !s.removed {
			delete(s.undos, u)
			changed := false
			for i, a := range u.adj {
				if a == 0 {
					continue
				}
				v := min(max(s.sems[i].val+a, 0), semVmx)
				s.sems[i].val, s.sems[i].proc = v, proc
				changed = true
			}
			if changed {
				s.updateQueueLocked()
			}
		}
		s.reg.mu.Unlock()
	}
}

// entryLocked returns the list's entry for s, making it if needed.
//
// Preconditions:
//   - s.reg.mu is held.
func (l *UndoList) entryLocked(s *SemSet) *semUndo {
	l.mu.Lock()
	defer l.mu.Unlock()
	if u := l.entries[s]; u != nil {
		return u
	}
	u := &semUndo{list: l, set: s, adj: make([]int, len(s.sems))}
	l.entries[s] = u
	s.undos[u] = struct{}{}
	return u
}

// forget drops u (its set is going away).
func (l *UndoList) forget(u *semUndo) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.entries[u.set] == u {
		delete(l.entries, u.set)
	}
}
