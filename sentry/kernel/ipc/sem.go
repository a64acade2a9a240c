package ipc

import (
	"sync"

	"moat/sentry/abi/linux"
)

// semRegistry is a namespace's semaphore sets.
type semRegistry struct {
	// mu guards everything here, in the sets, their waiters and the
	// adjustments of every UndoList entry.
	mu sync.Mutex
	registry[*SemSet]
	// msl, mns, opm and mni are kernel.sem's four fields.
	msl, mns, opm, mni int
	// used counts the semaphores of every set.
	used int
}

func (r *semRegistry) init() {
	r.registry.init()
	r.msl, r.mns, r.opm, r.mni = defaultSemMsl, defaultSemMns, defaultSemOpm, defaultSemMni
}

// SemSet is a System V semaphore set.
type SemSet struct {
	Perm
	reg   *semRegistry
	sems  []semaphore
	ctime int64
	// pending are the blocked semop calls, oldest first.
	pending []*semWaiter
	// undos are the SEM_UNDO adjustments processes hold on the set.
	undos map[*semUndo]struct{}
}

type semaphore struct {
	val int
	// proc is the process of the last operation; otime its time.
	proc  Process
	otime int64
}

func (s *SemSet) perm() *Perm { return &s.Perm }

// otime is the latest operation time of any semaphore (sem_otime).
func (s *SemSet) otime() int64 {
	var t int64
	for _, m := range s.sems {
		t = max(t, m.otime)
	}
	return t
}

// SemOpMax returns the namespace's SEMOPM (the most operations one semop
// call may make).
func (ns *Namespace) SemOpMax() int {
	ns.sem.mu.Lock()
	defer ns.sem.mu.Unlock()
	return ns.sem.opm
}

// Semget implements semget(2).
func (ns *Namespace) Semget(ctx Context, key int32, nsems int, flags int) (int32, linux.Errno) {
	r := &ns.sem
	r.mu.Lock()
	defer r.mu.Unlock()
	if nsems < 0 || nsems > r.msl {
		return 0, linux.EINVAL
	}
	c := ctx.Credentials()
	return get(&r.registry, c, getOptions{key: key, flags: flags, limit: r.mni}, kind[*SemSet]{
		validate: func() linux.Errno {
			if nsems == 0 {
				return linux.EINVAL
			}
			if r.used+nsems > r.mns {
				return linux.ENOSPC
			}
			return 0
		},
		build: func() (*SemSet, linux.Errno) {
			r.used += nsems
			return &SemSet{
				Perm: newPerm(c, key, flags), reg: r, sems: make([]semaphore, nsems),
				ctime: now(), undos: map[*semUndo]struct{}{},
			}, 0
		},
		check: func(s *SemSet) linux.Errno {
			if nsems > len(s.sems) {
				return linux.EINVAL
			}
			return 0
		},
	})
}

// removeLocked implements IPC_RMID: the set goes, its waiters fail with
// EIDRM and the undo entries on it are dropped.
func (s *SemSet) removeLocked() {
	s.reg.remove(s)
	s.reg.used -= len(s.sems)
	for _, w := range s.pending {
		w.finish(linux.EIDRM)
	}
	s.pending = nil
	for u := range s.undos {
		u.list.forget(u)
	}
	s.undos = nil
}

// clearUndosLocked zeroes every process's adjustment of semaphore i
// (SETVAL and SETALL do).
func (s *SemSet) clearUndosLocked(i int) {
	for u := range s.undos {
		u.adj[i] = 0
	}
}
