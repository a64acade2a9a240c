package mq

import (
	"fmt"

	"moat/sentry/abi/linux"
)

// sigev_notify values mq_notify accepts.
const (
	SigevSignal = 0
	SigevNone   = 1
	SigevThread = 2
)

// Notification is an mq_notify registration: one process's, removed
// when it fires (one-shot), when the process deregisters or closes a
// descriptor of the queue.
type Notification struct {
	// Owner identifies the registered process (its thread group).
	Owner any
	// Notify and Signo are sigev_notify and sigev_signo.
	Notify, Signo int
	// Alive reports whether the owner still exists: an exited process's
	// registration is dropped (its descriptors were closed).
	Alive func() bool
	// Fire delivers the notification; sender is Send's. It runs with
	// the queue's lock held and must not block.
	Fire func(sender any)
	// Removed is called (lock held) when a registration goes without
	// firing (SIGEV_THREAD tells its socket); may be nil.
	Removed func()
}

// SetNotification implements mq_notify(3) for n (nil: deregister
// owner's registration; a registration of another process stays).
func (q *Queue) SetNotification(owner any, n *Notification) linux.Errno {
	q.mu.Lock()
	defer q.mu.Unlock()
	if n == nil {
		if q.notify != nil && q.notify.Owner == owner {
			q.removeNotificationLocked()
		}
		return 0
	}
	if q.notify != nil && q.notify.Alive() {
		return linux.EBUSY
	}
	q.notify = n
	return 0
}

// ReleaseNotification removes owner's registration (a descriptor of the
// queue closed by the owner, as Linux's flush).
func (q *Queue) ReleaseNotification(owner any) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.notify != nil && q.notify.Owner == owner {
		q.removeNotificationLocked()
	}
}

func (q *Queue) removeNotificationLocked() {
	if q.notify.Removed != nil {
		q.notify.Removed()
	}
	q.notify = nil
}

// notifyLocked fires and removes the registration after a message
// arrived on an empty queue with no receiver waiting.
func (q *Queue) notifyLocked(sender any) {
	n := q.notify
	if n == nil {
		return
	}
	q.notify = nil
	if n.Notify != SigevNone && n.Alive() {
		n.Fire(sender)
	}
}

// Status is the text a read of the queue's file returns.
func (q *Queue) Status(pidOf func(owner any) int32) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	notify, signo, pid := 0, 0, int32(0)
	if n := q.notify; n != nil && n.Alive() {
		notify = n.Notify
		if n.Notify == SigevSignal {
			signo = n.Signo
		}
		pid = pidOf(n.Owner)
	}
	return fmt.Sprintf("QSIZE:%-10d NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n", q.qsize, notify, signo, pid)
}
