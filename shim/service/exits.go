package service

import (
	"sync"
	"time"

	"github.com/containerd/containerd/sys/reaper"
	runc "github.com/containerd/go-runc"
)

// exitWatcher hands the exit statuses of the shim's children to whoever
// watches their PIDs. The processes that matter are runsc's waiters: the
// process a --pid-file names (for init, or for an exec'd process) exits
// with that process's status, and becomes the shim's child when the runsc
// command that started it exits (the shim is a subreaper; the shim
// library reaps every child on SIGCHLD and broadcasts the exits).
//
// A waiter may exit before its PID is known (a process that ends at once):
// such exits are kept for a while and matched when the PID is watched.
type exitWatcher struct {
	mu      sync.Mutex // guards the maps
	waiting map[int]func(status int)
	early   map[int]earlyExit
}

type earlyExit struct {
	status int
	at     time.Time
}

// earlyExitTTL is how long an exit nobody watches yet is kept.
const earlyExitTTL = 2 * time.Minute

func newExitWatcher() *exitWatcher {
	w := &exitWatcher{waiting: map[int]func(int){}, early: map[int]earlyExit{}}
	go w.run(reaper.Default.Subscribe())
	return w
}

func (w *exitWatcher) run(exits chan runc.Exit) {
	for e := range exits {
		w.mu.Lock()
		f, ok := w.waiting[e.Pid]
		if ok {
			delete(w.waiting, e.Pid)
		} else {
			w.early[e.Pid] = earlyExit{status: e.Status, at: time.Now()}
			for pid, x := range w.early {
				if time.Since(x.at) > earlyExitTTL {
					delete(w.early, pid)
				}
			}
		}
		w.mu.Unlock()
		if ok {
			go f(e.Status)
		}
	}
}

// watch calls f (on a goroutine of its own) with pid's exit status once
// it has exited, or at once if it already has.
func (w *exitWatcher) watch(pid int, f func(status int)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if x, ok := w.early[pid]; ok {
		delete(w.early, pid)
		go f(x.status)
		return
	}
	w.waiting[pid] = f
}

// forget drops a recorded exit of pid: a runsc command the shim waited for
// itself, whose PID may be reused by a waiter later.
func (w *exitWatcher) forget(pid int) {
	if w == nil {
		return
	}
	w.mu.Lock()
	delete(w.early, pid)
	w.mu.Unlock()
}
