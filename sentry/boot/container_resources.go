package boot

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/internal/cpuset"
	"moat/internal/log"
	"moat/sentry/abi/linux"
	"moat/sentry/control"
	"moat/sentry/kernel"
)

// applyLimits makes the sentry enforce the spec's pids limit on
// application tasks (clone fails with EAGAIN past it), before the
// host's pids.max, which counts the sentry's own threads too, is near.
func (c *Container) applyLimits() {
	if r, ok := c.sb.Kernel.Resources(); ok && r.PidsLimit > 0 {
		c.sb.Kernel.SetMaxTasks(int(min(r.PidsLimit, 1<<31)))
	}
}

// specResources returns the limits of the spec's linux.resources, which
// runsc create wrote to the sandbox's host cgroup, as the sandbox reports
// them.
func specResources(spec *specs.Spec, a control.ContainerArgs) kernel.Resources {
	r := kernel.Resources{HostCPUs: a.HostCPUs}
	if r.HostCPUs <= 0 { // a runsc that does not say: the count it chose
		r.HostCPUs = a.CPUs
	}
	if spec.Linux != nil {
		mergeResources(&r, spec.Linux.Resources)
	}
	return r
}

// mergeResources applies what lr sets to r as runsc's cgroup writes
// apply it to the host (cgroups.Cgroup.Set): a zero or absent value
// leaves a setting as it is, -1 removes a limit. Byte limits are rounded
// down to pages, as the kernel stores them.
func mergeResources(r *kernel.Resources, lr *specs.LinuxResources) {
	if lr == nil {
		return
	}
	if m := lr.Memory; m != nil {
		if m.Limit != nil && *m.Limit != 0 {
			r.MemoryLimit = pageBytes(*m.Limit)
		}
		if m.Reservation != nil && *m.Reservation != 0 {
			r.MemoryReservation = pageBytes(*m.Reservation)
		}
	}
	if cpu := lr.CPU; cpu != nil {
		if cpu.Shares != nil && *cpu.Shares != 0 {
			r.CPUShares = *cpu.Shares
		}
		if cpu.Quota != nil && *cpu.Quota != 0 {
			r.CPUQuota = max(*cpu.Quota, 0)
		}
		if cpu.Period != nil && *cpu.Period != 0 {
			r.CPUPeriod = *cpu.Period
		}
		if cpu.Cpus != "" {
			r.CpusetCPUs = cpuset.Count(cpu.Cpus)
		}
	}
	if p := lr.Pids; p != nil && p.Limit != 0 {
		r.PidsLimit = max(p.Limit, 0)
	}
	if h, ok := lr.Unified["memory.high"]; ok {
		if h = strings.TrimSpace(h); h == "max" {
			r.MemoryHigh = 0
		} else if v, err := strconv.ParseInt(h, 10, 64); err == nil && v >= 0 {
			r.MemoryHigh = pageBytes(v)
		}
	}
}

// pageBytes rounds a byte limit down to pages; a negative one is none.
func pageBytes(v int64) uint64 {
	if v < 0 {
		return 0
	}
	return uint64(v) &^ 4095
}

// update serves MethodUpdate: the limits runsc wrote to the host cgroup
// become those the sandbox reports, and a pids limit the one the sentry
// enforces.
func (c *Container) update(a *control.UpdateArgs) error {
	if a == nil {
		return fmt.Errorf("update: no arguments: %w", linux.EINVAL)
	}
	var lr specs.LinuxResources
	if len(a.Resources) > 0 {
		if err := json.Unmarshal(a.Resources, &lr); err != nil {
			return fmt.Errorf("update: decoding the resources: %w: %w", err, linux.EINVAL)
		}
	}
	if a.PidsLimit != 0 && lr.Pids == nil {
		lr.Pids = &specs.LinuxPids{Limit: a.PidsLimit}
	}
	if c.sub {
		// The limits are the whole sandbox's: a pod member's own do
		// not change them (its cgroup holds only its gofer).
		log.Warningf("update of container %s: limits for a container in a pod sandbox are not applied in the sandbox", c.ID)
		return nil
	}
	k := c.sb.Kernel
	c.mu.Lock() // one update at a time
	defer c.mu.Unlock()
	r, _ := k.Resources()
	mergeResources(&r, &lr)
	k.SetResources(r)
	if lr.Pids != nil && lr.Pids.Limit != 0 {
		k.SetMaxTasks(int(min(r.PidsLimit, 1<<31)))
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
	if r, ok := c.sb.Kernel.Resources(); ok && !c.sub {
		st.PidsLimit = int(r.PidsLimit)
	}
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
