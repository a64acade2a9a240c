package sys

import (
	"cmp"
	"strconv"

	"moat/internal/cpuset"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// v1Unlimited is what cgroup v1 memory files show for "no limit":
// LONG_MAX rounded down to a page, as Linux prints it.
const v1Unlimited = "9223372036854771712"

// limitFile returns a file rendering one figure of the container's
// limits, followed by a newline.
func (fs *filesystem) limitFile(perm uint32, render func(r *kernel.Resources) string) *file {
	return fs.newFile(perm, func(vfs.Context) string {
		r := fs.resources()
		return render(&r) + "\n"
	})
}

// v2Files are the files of the cgroup v2 layout, in the order ls shows.
func (fs *filesystem) v2Files() []entry {
	return []entry{
		{"cgroup.controllers", fs.newFile(0o444, func(vfs.Context) string { return v2Controllers + "\n" })},
		{"cgroup.procs", fs.newFile(0o644, fs.genProcs(false))},
		{"cgroup.subtree_control", fs.newFile(0o644, func(vfs.Context) string { return "\n" })},
		{"cgroup.threads", fs.newFile(0o644, fs.genProcs(true))},
		{"cpu.max", fs.limitFile(0o644, func(r *kernel.Resources) string {
			q := "max"
			if r.CPUQuota > 0 {
				q = strconv.FormatInt(r.CPUQuota, 10)
			}
			return q + " " + strconv.FormatUint(r.Period(), 10)
		})},
		{"cpu.weight", fs.limitFile(0o644, func(r *kernel.Resources) string {
			return strconv.FormatUint(cpuWeight(r.CPUShares), 10)
		})},
		{"cpuset.cpus.effective", fs.limitFile(0o444, func(r *kernel.Resources) string { return cpuset.List(r.CPUs()) })},
		{"memory.high", fs.limitFile(0o644, func(r *kernel.Resources) string { return bytesOrMax(r.MemoryHigh, "max") })},
		{"memory.low", fs.limitFile(0o644, func(r *kernel.Resources) string {
			return strconv.FormatUint(r.MemoryReservation, 10)
		})},
		{"memory.max", fs.limitFile(0o644, func(r *kernel.Resources) string { return bytesOrMax(r.MemoryLimit, "max") })},
		{"pids.current", fs.newFile(0o444, fs.genPidsCurrent)},
		{"pids.max", fs.limitFile(0o644, func(r *kernel.Resources) string { return pidsMax(r.PidsLimit) })},
	}
}

// v1Files are the controller files of cgroup v1 hierarchy name, in the
// order ls shows (after cgroup.procs, before tasks).
func (fs *filesystem) v1Files(name string) []entry {
	switch name {
	case "cpu,cpuacct":
		return []entry{
			{"cpu.cfs_period_us", fs.limitFile(0o644, func(r *kernel.Resources) string {
				return strconv.FormatUint(r.Period(), 10)
			})},
			{"cpu.cfs_quota_us", fs.limitFile(0o644, func(r *kernel.Resources) string {
				if r.CPUQuota <= 0 {
					return "-1"
				}
				return strconv.FormatInt(r.CPUQuota, 10)
			})},
			{"cpu.shares", fs.limitFile(0o644, func(r *kernel.Resources) string {
				return strconv.FormatUint(cmp.Or(r.CPUShares, 1024), 10)
			})},
		}
	case "cpuset":
		cpus := func(r *kernel.Resources) string { return cpuset.List(r.CPUs()) }
		return []entry{
			{"cpuset.cpus", fs.limitFile(0o644, cpus)},
			{"cpuset.effective_cpus", fs.limitFile(0o444, cpus)},
		}
	case "memory":
		return []entry{
			{"memory.limit_in_bytes", fs.limitFile(0o644, func(r *kernel.Resources) string {
				return bytesOrMax(r.MemoryLimit, v1Unlimited)
			})},
			{"memory.soft_limit_in_bytes", fs.limitFile(0o644, func(r *kernel.Resources) string {
				return bytesOrMax(r.MemoryReservation, v1Unlimited)
			})},
		}
	case "pids":
		return []entry{
			{"pids.current", fs.newFile(0o444, fs.genPidsCurrent)},
			{"pids.max", fs.limitFile(0o644, func(r *kernel.Resources) string { return pidsMax(r.PidsLimit) })},
		}
	}
	return nil
}

// cpuWeight converts cgroup v1 shares to a cgroup v2 weight as runc and
// runsc write it on the host (1 + (shares-2)·9999/262142); 0 shares is
// the default weight, 100.
func cpuWeight(shares uint64) uint64 {
	if shares == 0 {
		return 100
	}
	shares = min(max(shares, 2), 262144)
	return 1 + (shares-2)*9999/262142
}

// bytesOrMax renders a byte limit, or none for 0.
func bytesOrMax(b uint64, none string) string {
	if b == 0 {
		return none
	}
	return strconv.FormatUint(b, 10)
}

// pidsMax renders pids.max.
func pidsMax(limit int64) string {
	if limit <= 0 {
		return "max"
	}
	return strconv.FormatInt(limit, 10)
}
