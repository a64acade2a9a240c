package kernel

import (
	"runtime"
	"sync"
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
	// mu guards idle.
	mu sync.Mutex
	// idle tracers, the most recently parked last.
	idle []chan func() bool
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
		work := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		work <- fn
		return
	}
	p.mu.Unlock()
	go p.loop(fn)
}

// loop is a tracer goroutine.
func (p *tracerPool) loop(fn func() bool) {
	runtime.LockOSThread() // never unlocked: the OS thread is a tracer
	work := make(chan func() bool, 1)
	timer := time.NewTimer(tracerIdleTime)
	defer timer.Stop()
	for fn() {
		p.mu.Lock()
		if len(p.idle) >= maxIdleTracers {
			p.mu.Unlock()
			return
		}
		p.idle = append(p.idle, work)
		p.mu.Unlock()
		timer.Reset(tracerIdleTime)
		select {
		case fn = <-work:
			continue
		case <-timer.C:
		}
		if !p.remove(work) {
			// Taken meanwhile: the task is on its way.
			fn = <-work
			continue
		}
		return
	}
}

// remove takes work off the idle list; false if someone took it first.
func (p *tracerPool) remove(work chan func() bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, w := range p.idle {
		if w == work {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			return true
		}
	}
	return false
}
