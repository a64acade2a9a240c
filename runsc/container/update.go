package container

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/sentry/control"
)

// Update changes the resources of a created, running or paused container
// (runsc update): what r sets is written to the container's host cgroup
// (zero values leave a setting as it is, as with runc), and a new pids
// limit also goes to the sentry, which enforces it on application tasks.
func (c *Container) Update(r *specs.LinuxResources) error {
	if st := c.CurrentStatus(); st == Stopped || st == Creating {
		return fmt.Errorf("cannot update a container that is %s: %w", st, ErrNotRunning)
	}
	cg, err := c.cgroup()
	if err != nil {
		return err
	}
	if cg == nil {
		return fmt.Errorf("container %q has no cgroup to update", c.ID)
	}
	if err := cg.Set(r); err != nil {
		return fmt.Errorf("updating container %q: %w", c.ID, err)
	}
	if r.Pids != nil && r.Pids.Limit != 0 {
		req := &control.Request{Method: control.MethodUpdate, Update: &control.UpdateArgs{PidsLimit: r.Pids.Limit}}
		if _, err := c.call(req, nil); err != nil {
			return fmt.Errorf("updating container %q: %w", c.ID, err)
		}
	}
	return nil
}
