package container

import (
	"errors"
	"fmt"

	"moat/sentry/control"
)

// ErrNotPaused: resume of a container that is not paused.
var ErrNotPaused = errors.New("container not paused")

// Pause stops every task of the container's sandbox (runsc pause): the
// sentry parks each one at its next return to user mode. A created or
// running container can be paused, as with runc.
func (c *Container) Pause() error {
	switch st := c.CurrentStatus(); st {
	case Created, Running:
	default:
		return fmt.Errorf("cannot pause a container that is %s: %w", st, ErrNotRunning)
	}
	if _, err := c.call(&control.Request{Method: control.MethodPause}, nil); err != nil {
		return fmt.Errorf("pausing container %q: %w", c.ID, err)
	}
	c.Status = Paused
	return c.save(c.dir)
}

// Resume continues a paused container (runsc resume).
func (c *Container) Resume() error {
	if st := c.CurrentStatus(); st != Paused {
		return fmt.Errorf("cannot resume a container that is %s: %w", st, ErrNotPaused)
	}
	if _, err := c.call(&control.Request{Method: control.MethodResume}, nil); err != nil {
		return fmt.Errorf("resuming container %q: %w", c.ID, err)
	}
	c.Status = c.CurrentStatus()
	return c.save(c.dir)
}
