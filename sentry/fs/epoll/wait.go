package epoll

import (
	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// takeReady empties the ready list and returns what it held.
func (ep *EventPoll) takeReady() []*item {
	ep.readyMu.Lock()
	defer ep.readyMu.Unlock()
	r := ep.ready
	ep.ready = nil
	for _, it := range r {
		it.queued = false
	}
	return r
}

// requeue puts items back on the ready list.
func (ep *EventPoll) requeue(items []*item) {
	if len(items) == 0 {
		return
	}
	ep.readyMu.Lock()
	defer ep.readyMu.Unlock()
	for _, it := range items {
		if !it.queued {
			it.queued = true
			ep.ready = append(ep.ready, it)
		}
	}
}

// itemReadiness returns the events it reports now, or 0 (dropping the
// item if its file was released).
//
// Preconditions:
// - ep.mu is held.
func (ep *EventPoll) itemReadinessLocked(ctx vfs.Context, it *item) uint32 {
	if it.removed {
		return 0
	}
	mask := it.events.Load() &^ (EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP)
	if mask == 0 {
		return 0 // disarmed by EPOLLONESHOT
	}
	f := it.key.file
	if !f.TryIncRef() {
		ep.removeLocked(it.key, it)
		return 0
	}
	defer f.DecRef()
	return f.Readiness(ctx, mask|vfs.EventAlways)
}

// Collect reports up to max ready events to deliver, which copies them
// out; if deliver fails, nothing is consumed (one-shot items stay armed,
// edge-triggered ones stay ready) and its error is returned.
func (ep *EventPoll) Collect(ctx vfs.Context, max int, deliver func([]Event) linux.Errno) (int, linux.Errno) {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	candidates := append(ep.takeReady(), ep.signalItemsLocked()...)
	var out []Event
	var reported, keep []*item
	// undo puts back the watcher states a failed delivery must not
	// consume.
	var undo []func()
	seen := make(map[*item]bool, len(candidates))
	for i, it := range candidates {
		if seen[it] {
			continue
		}
		seen[it] = true
		if len(out) == max {
			keep = append(keep, candidates[i:]...)
			break
		}
		r := ep.itemReadinessLocked(ctx, it)
		if it.watcher {
			oldReady, oldPending := it.lastReady, it.lastPending
			undo = append(undo, func() { it.lastReady, it.lastPending = oldReady, oldPending })
			if !ep.watcherEdgeLocked(ctx, it, r) {
				continue
			}
		}
		if r == 0 {
			continue
		}
		out = append(out, Event{Events: r, Data: it.data})
		reported = append(reported, it)
	}
	if len(out) == 0 {
		ep.requeue(keep)
		return 0, 0
	}
	if err := deliver(out); err != 0 {
		for _, u := range undo {
			u()
		}
		ep.requeue(append(reported, keep...))
		return 0, err
	}
	for _, it := range reported {
		ev := it.events.Load()
		switch {
		case ev&EPOLLONESHOT != 0:
			it.events.Store(ev & (EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP))
		case ev&EPOLLET == 0 && !it.watcher:
			// Level-triggered: looked at again next time.
			keep = append(keep, it)
		}
	}
	ep.requeue(keep)
	return len(out), 0
}

// watcherEdgeLocked records a watcher item's state and reports whether it
// is to be reported: always when level-triggered, and when edge-triggered
// only if it became ready or one of its signals newly became pending.
//
// Preconditions:
// - ep.mu is held.
func (ep *EventPoll) watcherEdgeLocked(ctx vfs.Context, it *item, r uint32) bool {
	var pend linux.SigSet
	if p, ok := it.key.file.Impl().(pendingReporter); ok {
		pend = p.PendingFor(ctx)
	}
	oldReady, oldPending := it.lastReady, it.lastPending
	it.lastReady, it.lastPending = r, pend
	if it.events.Load()&EPOLLET == 0 {
		return true
	}
	return r&^oldReady != 0 || pend&^oldPending != 0
}

// Readiness implements vfs.Waitable.Readiness: an instance is readable
// while one of its items is ready.
func (ep *EventPoll) Readiness(ctx vfs.Context, mask uint32) uint32 {
	if mask&vfs.EventReadable == 0 {
		return 0
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	candidates := ep.takeReady()
	var keep []*item
	ready := false
	for _, it := range candidates {
		if ep.itemReadinessLocked(ctx, it) != 0 {
			ready = true
			keep = append(keep, it)
		}
	}
	ep.requeue(keep)
	if !ready {
		for _, it := range ep.signalItemsLocked() {
			if ep.itemReadinessLocked(ctx, it) != 0 {
				ready = true
				break
			}
		}
	}
	if ready {
		return vfs.EventReadable & mask
	}
	return 0
}

// EventRegister implements vfs.Waitable.EventRegister.
func (ep *EventPoll) EventRegister(w *vfs.Waiter) func() { return ep.queue.EventRegister(w) }

// WatchedSignals implements vfs.SignalWatcher: the signals the instance's
// signalfds (and nested instances') watch.
func (ep *EventPoll) WatchedSignals() linux.SigSet {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return ep.watchedSignalsLocked()
}

// watchedSignalsLocked implements WatchedSignals.
//
// Preconditions:
// - ep.mu is held.
func (ep *EventPoll) watchedSignalsLocked() linux.SigSet {
	var set linux.SigSet
	if ep.watchers == 0 {
		return 0
	}
	for _, it := range ep.interest {
		switch {
		case it.watcher:
			set |= it.key.file.WatchedSignals()
		case it.nested != nil:
			set |= it.nested.WatchedSignals()
		}
	}
	return set
}

// signalItemsLocked returns the items whose readiness may have changed
// with the polling task's signals, without a notification: signalfds, and
// nested instances that hold one.
//
// Preconditions:
// - ep.mu is held.
func (ep *EventPoll) signalItemsLocked() []*item {
	if ep.watchers == 0 {
		return nil
	}
	var r []*item
	for _, it := range ep.interest {
		if it.watcher || (it.nested != nil && it.nested.WatchedSignals() != 0) {
			r = append(r, it)
		}
	}
	return r
}
