package container

import (
	"fmt"

	"moat/cgroups"
)

// cgroup returns the container's host cgroup, or nil for a container
// made without one.
func (c *Container) cgroup() (*cgroups.Cgroup, error) {
	cg, err := cgroups.Open(cgroups.HostFS{}, c.dir)
	if err != nil {
		return nil, fmt.Errorf("container %q: %w", c.ID, err)
	}
	return cg, nil
}

// destroyCgroup removes the cgroup directories create made (only those),
// once the container's processes are gone.
func (c *Container) destroyCgroup() error {
	cg, err := c.cgroup()
	if err != nil || cg == nil {
		return err
	}
	if err := cg.Destroy(); err != nil {
		return fmt.Errorf("destroying container %q: %w", c.ID, err)
	}
	return nil
}
