package service

import (
	"fmt"
	"sync"
	"time"

	"github.com/containerd/containerd/api/types/task"
	"github.com/containerd/containerd/errdefs"
)

// process is a container's init or one exec'd process, and its state
// machine:
//
//	created ──start──► running ◄──resume── paused
//	   │                  │ └─────pause─────►  │
//	   └──kill/exit───────┴──────exit──────────┴──► stopped ──delete──► (gone)
//
// Exits come from `runsc wait` (or from the sandbox process ending).
type process struct {
	execID string // "" for init
	io     *procIO
	spec   []byte // exec: the runtime-spec Process, JSON

	mu       sync.Mutex // guards the fields below
	pid      int        // init: the sandbox's host PID; exec: the PID in the sandbox
	status   task.Status
	starting bool // init: runsc start is running
	exitCode uint32
	exitedAt time.Time
	exited   chan struct{} // closed on the transition to stopped
}

func newProcess(execID string, pio *procIO) *process {
	return &process{execID: execID, io: pio, status: task.Status_CREATED, exited: make(chan struct{})}
}

// state returns the process's status, pid and exit.
func (p *process) state() (st task.Status, pid int, code uint32, at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status, p.pid, p.exitCode, p.exitedAt
}

// transition moves from one of the from states to to, or fails with
// ErrFailedPrecondition naming the current state.
func (p *process) transition(to task.Status, from ...task.Status) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range from {
		if p.status == f {
			p.status = to
			return nil
		}
	}
	return fmt.Errorf("process is %s, not %v: %w", statusName(p.status), statusNames(from), errdefs.ErrFailedPrecondition)
}

// beginStart claims a created process for starting.
func (p *process) beginStart() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status != task.Status_CREATED || p.starting {
		return fmt.Errorf("process is %s, not created: %w", statusName(p.status), errdefs.ErrFailedPrecondition)
	}
	p.starting = true
	return nil
}

// endStart records the end of a start: running on success, unless the
// process has exited meanwhile.
func (p *process) endStart(ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.starting = false
	if ok && p.status == task.Status_CREATED {
		p.status = task.Status_RUNNING
	}
}

// setExited records the exit with code at now and reports whether this
// call did it (a process exits once).
func (p *process) setExited(code int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status == task.Status_STOPPED {
		return false
	}
	p.status, p.exitCode, p.exitedAt = task.Status_STOPPED, uint32(code), time.Now()
	close(p.exited)
	return true
}

// running reports whether signals can reach the process.
func (p *process) running() bool {
	st, _, _, _ := p.state()
	return st == task.Status_RUNNING || st == task.Status_PAUSED
}

func statusName(s task.Status) string {
	switch s {
	case task.Status_CREATED:
		return "created"
	case task.Status_RUNNING:
		return "running"
	case task.Status_PAUSED:
		return "paused"
	case task.Status_STOPPED:
		return "stopped"
	}
	return "unknown"
}

func statusNames(ss []task.Status) []string {
	var n []string
	for _, s := range ss {
		n = append(n, statusName(s))
	}
	return n
}
