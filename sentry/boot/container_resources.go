package boot

import (
	"errors"
	"fmt"

	"moat/internal/log"
	"moat/sentry/abi/linux"
	"moat/sentry/control"
	"moat/sentry/kernel"
)

// applyLimits makes the sentry enforce the spec's pids limit on
// application tasks (clone fails with EAGAIN past it), before the
// host's pids.max, which counts the sentry's own threads too, is near.
func (c *Container) applyLimits() {
	if l := c.Spec.Linux; l != nil && l.Resources != nil && l.Resources.Pids != nil && l.Resources.Pids.Limit > 0 {
		c.setPidsLimit(l.Resources.Pids.Limit)
	}
}

// setPidsLimit sets (limit > 0) or clears (limit < 0) the pids limit.
func (c *Container) setPidsLimit(limit int64) {
	c.mu.Lock()
	c.pidsLimit = max(limit, 0)
	c.mu.Unlock()
	c.sb.Kernel.SetMaxTasks(int(min(max(limit, 0), 1<<31)))
}

// update serves MethodUpdate.
func (c *Container) update(a *control.UpdateArgs) error {
	if a == nil {
		return fmt.Errorf("update: no arguments: %w", linux.EINVAL)
	}
	if a.PidsLimit != 0 {
		if c.sub {
			// The limit is the whole sandbox's: a pod member's own
			// does not change it (pods limit pids per pod).
			log.Warningf("update of container %s: a pids limit for a container in a pod sandbox is not applied", c.ID)
			return nil
		}
		c.setPidsLimit(a.PidsLimit)
	}
	return nil
}

// stats serves MethodStats: usage, the container's tasks (threads, which
// the pids limit counts) and the pids limit in force.
func (c *Container) stats() *control.Stats {
	st := c.Stats()
	st.Pids = 0
	for _, tg := range c.threadGroups() {
		st.Pids += len(tg.Threads())
	}
	c.mu.Lock()
	st.PidsLimit = int(c.pidsLimit)
	c.mu.Unlock()
	return st
}

// pauseResume serves MethodPause and MethodResume: every task of the
// sandbox stops at its next return to user mode, or goes on.
func (c *Container) pauseResume(m control.Method) error {
	k := c.sb.Kernel
	var err error
	if m == control.MethodPause {
		err = k.Pause()
	} else {
		err = k.Resume()
	}
	if errors.Is(err, kernel.ErrPaused) || errors.Is(err, kernel.ErrNotPaused) {
		return fmt.Errorf("%w: %w", err, linux.EINVAL)
	}
	return err
}
