package kernel

import (
	"slices"

	"moat/internal/cpuset"
)

// Resources are the container's resource limits as the sandbox reports
// them: in its cgroup file system (sentry/fs/sys), /proc/meminfo and the
// CPU count (sched_getaffinity, /proc/cpuinfo, /sys/devices/system/cpu).
// The host's cgroup enforces them, and the sentry the pids limit
// (SetMaxTasks). They are set from the spec at create and changed by
// runsc update.
type Resources struct {
	// HostCPUs is how many of the host's CPUs the sandbox could use
	// without a cpuset or a quota.
	HostCPUs int
	// CpusetCPUs is how many CPUs the container's cpuset has; 0: none.
	CpusetCPUs int
	// CPUQuota is the CFS quota in µs per CPUPeriod; <= 0: none.
	CPUQuota int64
	// CPUPeriod is the CFS period in µs; 0: cpuset.DefaultPeriod.
	CPUPeriod uint64
	// CPUShares is the container's CPU weight in cgroup v1 shares; 0:
	// the default (1024).
	CPUShares uint64
	// MemoryLimit is the memory limit in bytes, a multiple of the page
	// size; 0: none.
	MemoryLimit uint64
	// MemoryReservation is the soft limit (memory.low on cgroup v2) in
	// bytes; 0: none.
	MemoryReservation uint64
	// MemoryHigh is cgroup v2's memory.high (set only through the
	// spec's linux.resources.unified) in bytes; 0: none.
	MemoryHigh uint64
	// PidsLimit is the pids limit; 0: none.
	PidsLimit int64
}

// CPUs returns how many CPUs r lets the sandbox use.
func (r *Resources) CPUs() int {
	return cpuset.Allowed(r.HostCPUs, r.CpusetCPUs, r.CPUQuota, r.CPUPeriod)
}

// Period returns the CFS period in µs.
func (r *Resources) Period() uint64 {
	if r.CPUPeriod == 0 {
		return cpuset.DefaultPeriod
	}
	return r.CPUPeriod
}

// Resources returns the container's limits, and false if none were set
// (a sandbox that is not an OCI container, such as runsc do's).
func (k *Kernel) Resources() (Resources, bool) {
	r := k.resources.Load()
	if r == nil {
		return Resources{}, false
	}
	return *r, true
}

// SetResources records the container's limits; the CPU count follows
// them. The pids limit the sentry enforces is set apart (SetMaxTasks).
func (k *Kernel) SetResources(r Resources) {
	k.resources.Store(&r)
}

// CgroupHierarchy is a cgroup hierarchy mounted in the sandbox, as
// /proc/PID/cgroup lists it: ID 0 is cgroup v2's (no controllers), the
// others cgroup v1 hierarchies with their controllers ("cpu,cpuacct").
// Every process is at the root of each.
type CgroupHierarchy struct {
	ID          int
	Controllers string
}

// AddCgroupHierarchy records a hierarchy the first time one of its file
// systems is mounted.
func (k *Kernel) AddCgroupHierarchy(h CgroupHierarchy) {
	k.cgroupMu.Lock()
	defer k.cgroupMu.Unlock()
	for _, o := range k.cgroups {
		if o.ID == h.ID {
			return
		}
	}
	k.cgroups = append(k.cgroups, h)
}

// CgroupHierarchies returns the hierarchies mounted so far, by
// descending ID (the order of /proc/PID/cgroup).
func (k *Kernel) CgroupHierarchies() []CgroupHierarchy {
	k.cgroupMu.Lock()
	defer k.cgroupMu.Unlock()
	out := slices.Clone(k.cgroups)
	slices.SortFunc(out, func(a, b CgroupHierarchy) int { return b.ID - a.ID })
	return out
}
