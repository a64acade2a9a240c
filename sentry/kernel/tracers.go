package kernel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// A task goroutine is locked to its OS thread, which traces the task's
// stub thread (see the platform). Letting that goroutine end would make
// Go retire the OS thread, and the next clone would wait for a new one:
// creating and destroying a host thread per application thread was a
// good part of what pthread_create cost. Instead, a task goroutine whose
// platform thread was released cleanly waits, still locked, for the next
// task to run; only a bounded number wait, and not for long.
//
// Reuse is safe because a tracer keeps no state across tasks once its
// tracees are gone: a released platform thread has exited and been
// reaped (or, for a stub's first thread, its whole process has), and the
// sentry changes nothing else about its OS threads (credentials, signal
// masks and affinity of the application live in the sentry's records and
// in the stub threads, not in the tracers).

// tracerPool holds idle tracer goroutines. The zero value is ready.
type tracerPool struct {
	// mu guards idle and each idle tracer's fn.
	mu sync.Mutex
	// idle tracers, the most recently parked last.
	idle []*idleTracer
}

// idleTracer is a tracer goroutine waiting for work. It sleeps in a host
// futex (as a parked task does, task_park.go), so that handing it a task
// wakes its OS thread directly rather than through Go's scheduler.
type idleTracer struct {
	// word is the futex word: parkRunning, parkSleeping, parkNotified.
	word atomic.Uint32
	// fn is the work handed over, or nil.
	fn func() bool
}

const (
	// maxIdleTracers bounds the OS threads kept for reuse.
	maxIdleTracers = 16
	// tracerIdleTime is how long an idle tracer waits before its OS
	// thread is retired.
	tracerIdleTime = 10 * time.Second
)

// goTracer runs fn on a goroutine locked to its OS thread for good: an
// idle tracer if one waits, else a new goroutine. fn reports whether it
// left the OS thread fit for another task.
func (p *tracerPool) goTracer(fn func() (reusable bool)) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		tr := p.idle[n-1]
		p.idle = p.idle[:n-1]
		tr.fn = fn
		p.mu.Unlock()
		if tr.word.Swap(parkNotified) == parkSleeping {
			futexWakeWord(&tr.word)
		}
		return
	}
	p.mu.Unlock()
	go p.loop(fn)
}

// loop is a tracer goroutine.
func (p *tracerPool) loop(fn func() bool) {
	runtime.LockOSThread() // never unlocked: the OS thread is a tracer
	tr := &idleTracer{}
	for fn() {
		p.mu.Lock()
		if len(p.idle) >= maxIdleTracers {
			p.mu.Unlock()
			return
		}
		p.idle = append(p.idle, tr)
		p.mu.Unlock()
		if fn = p.wait(tr); fn == nil {
			return
		}
	}
}

// wait parks an idle tracer until it is handed work, or returns nil once
// it has been idle for tracerIdleTime and is off the idle list.
func (p *tracerPool) wait(tr *idleTracer) func() bool {
	deadline := time.Now().Add(tracerIdleTime)
	for {
		tr.word.Store(parkRunning)
		p.mu.Lock()
		fn := tr.fn
		tr.fn = nil
		p.mu.Unlock()
		if fn != nil {
			return fn
		}
		timeout := time.Until(deadline)
		if timeout <= 0 {
			if p.remove(tr) {
				return nil
			}
			timeout = -1 // taken meanwhile: the work is on its way
		}
		if tr.word.CompareAndSwap(parkRunning, parkSleeping) {
			futexWaitWord(&tr.word, parkSleeping, timeout)
		}
	}
}

// remove takes tr off the idle list; false if someone took it first.
func (p *tracerPool) remove(tr *idleTracer) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, w := range p.idle {
		if w == tr {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			return true
		}
	}
	return false
}
