package cgroups

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/internal/cpuset"
	"moat/internal/log"
)

// PidsHeadroom is what the host's pids.max allows beyond the tasks the
// container may have: the sentry enforces the spec's pids limit on
// application tasks itself (clone fails with EAGAIN), and each task holds
// a host thread of the sentry and one of a stub, so the host limit is
// HostPidsLimit(limit), a backstop that a fork bomb never reaches before
// the sentry's limit, and that cannot make the Go runtime fail to start a
// thread of its own.
const PidsHeadroom = 256

// HostPidsLimit is the host pids.max for a container pids limit, or -1
// (no limit) for one so large that it would not fit.
func HostPidsLimit(limit int64) int64 {
	if limit > (math.MaxInt64-PidsHeadroom)/2 {
		return -1
	}
	return 2*limit + PidsHeadroom
}

// Set applies resources to the cgroup. Only what r sets is written, so
// it serves both create (the whole linux.resources) and update (a
// partial one). A value the host cannot take fails with the file and
// value named.
func (c *Cgroup) Set(r *specs.LinuxResources) error {
	if r == nil {
		return nil
	}
	if err := validate(r); err != nil {
		return err
	}
	if len(r.Devices) > 0 {
		log.Debugf("cgroups: linux.resources.devices not applied: the sandbox opens no host device")
	}
	if r.Rdma != nil {
		log.Warningf("cgroups: linux.resources.rdma is not supported and is ignored")
	}
	if c.Version == 2 {
		return c.setV2(r)
	}
	return c.setV1(r)
}

// validate refuses resources no cgroup version can take.
func validate(r *specs.LinuxResources) error {
	if m := r.Memory; m != nil {
		if m.Swappiness != nil && *m.Swappiness > 100 {
			return fmt.Errorf("invalid memory swappiness %d: the range is 0-100", *m.Swappiness)
		}
		if m.Limit != nil && m.Swap != nil && *m.Limit > 0 && *m.Swap > 0 && *m.Swap < *m.Limit {
			return fmt.Errorf("invalid memory swap %d: memory+swap limit should be >= memory limit %d", *m.Swap, *m.Limit)
		}
	}
	if b := r.BlockIO; b != nil && b.Weight != nil && *b.Weight != 0 && (*b.Weight < 10 || *b.Weight > 1000) {
		return fmt.Errorf("invalid blkio weight %d: the range is 10-1000", *b.Weight)
	}
	for k := range r.Unified {
		if k == "" || strings.ContainsAny(k, "/") || k == "." || k == ".." {
			return fmt.Errorf("invalid unified resource %q", k)
		}
	}
	return nil
}

// pidsValue is pids.max for a spec limit ("" when unset).
func pidsValue(p *specs.LinuxPids) string {
	switch {
	case p == nil || p.Limit == 0:
		return ""
	case p.Limit < 0 || HostPidsLimit(p.Limit) < 0:
		return "max"
	}
	return strconv.FormatInt(HostPidsLimit(p.Limit), 10)
}

// device renders a block device "major:minor".
func device(d specs.LinuxBlockIODevice) string { return fmt.Sprintf("%d:%d", d.Major, d.Minor) }

// ParseCPUList counts the CPUs of a cpuset list ("0-3,6"); 0 for an
// empty or malformed list.
func ParseCPUList(s string) int { return cpuset.Count(s) }

// CPUs is how many CPUs a container with resources r may use on a host
// with host CPUs: the fewest of the host's, the cpuset's and the CPU
// quota's (rounded up). Sandboxes report it as their CPU count.
func CPUs(r *specs.LinuxResources, host int) int {
	if r == nil || r.CPU == nil {
		return host
	}
	var quota int64
	var period uint64
	if r.CPU.Quota != nil {
		quota = *r.CPU.Quota
	}
	if r.CPU.Period != nil {
		period = *r.CPU.Period
	}
	return cpuset.Allowed(host, cpuset.Count(r.CPU.Cpus), quota, period)
}
