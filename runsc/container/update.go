package container

import (
	"encoding/json"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/sentry/control"
)

// Update changes the resources of a created, running or paused container
// (runsc update): what r sets is written to the container's host cgroup
// (zero values leave a setting as it is, as with runc), and a new pids
// limit also goes to the sentry, which enforces it on application tasks.
// The sentry gets every change, so that the limits the sandbox reports
// follow.
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
	// The sandbox reports its limits (/sys/fs/cgroup, meminfo, the CPU
	// count) and enforces the pids limit itself: it gets what was set.
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("updating container %q: %w", c.ID, err)
	}
	args := &control.UpdateArgs{Resources: b}
	if r.Pids != nil {
		args.PidsLimit = r.Pids.Limit
	}
	if _, err := c.call(&control.Request{Method: control.MethodUpdate, Update: args}, nil); err != nil {
		return fmt.Errorf("updating container %q: %w", c.ID, err)
	}
	return nil
}
