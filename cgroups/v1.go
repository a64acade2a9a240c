package cgroups

import (
	"errors"
	"fmt"
	"strconv"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/internal/log"
)

// setV1 applies resources to cgroup v1 files.
func (c *Cgroup) setV1(r *specs.LinuxResources) error {
	if len(r.Unified) > 0 {
		return fmt.Errorf("invalid configuration: linux.resources.unified needs cgroup v2, this host uses cgroup v1")
	}
	if err := c.setMemoryV1(r.Memory); err != nil {
		return err
	}
	if err := c.setCPUV1(r.CPU); err != nil {
		return err
	}
	if v := pidsValue(r.Pids); v != "" {
		if err := c.write("pids", "pids.max", v); err != nil {
			return err
		}
	}
	if err := c.setBlkioV1(r.BlockIO); err != nil {
		return err
	}
	for _, h := range r.HugepageLimits {
		if err := c.write("hugetlb", "hugetlb."+h.Pagesize+".limit_in_bytes", strconv.FormatUint(h.Limit, 10)); err != nil {
			return err
		}
	}
	if n := r.Network; n != nil {
		if n.ClassID != nil {
			if err := c.write("net_cls", "net_cls.classid", strconv.FormatUint(uint64(*n.ClassID), 10)); err != nil {
				return err
			}
		}
		for _, p := range n.Priorities {
			if err := c.write("net_prio", "net_prio.ifpriomap", fmt.Sprintf("%s %d", p.Name, p.Priority)); err != nil {
				return err
			}
		}
	}
	return nil
}

// setMemoryV1 writes the memory limit, soft limit, memory+swap limit,
// swappiness and OOM killer switch. Of limit and memory+swap, the one
// that keeps memory <= memory+swap at every step goes first.
func (c *Cgroup) setMemoryV1(m *specs.LinuxMemory) error {
	if m == nil {
		return nil
	}
	if m.Kernel != nil || m.KernelTCP != nil {
		log.Warningf("cgroups: kernel memory limits are deprecated and ignored")
	}
	swap := ""
	if m.Swap != nil && *m.Swap != 0 {
		swap = strconv.FormatInt(*m.Swap, 10)
		if !c.has("memory", "memory.memsw.limit_in_bytes") {
			if *m.Swap != -1 && (m.Limit == nil || *m.Swap != *m.Limit) {
				return fmt.Errorf("setting memory+swap limit %d: swap accounting is not enabled on this host", *m.Swap)
			}
			swap = ""
		}
	}
	if m.Limit != nil && *m.Limit != 0 {
		limit := strconv.FormatInt(*m.Limit, 10)
		err := c.write("memory", "memory.limit_in_bytes", limit)
		if err != nil && swap != "" && errors.Is(err, syscall.EINVAL) {
			// Raising memory above the current memory+swap limit: raise
			// that first.
			if err := c.write("memory", "memory.memsw.limit_in_bytes", swap); err != nil {
				return err
			}
			err = c.write("memory", "memory.limit_in_bytes", limit)
		}
		if err != nil {
			return err
		}
	}
	if swap != "" {
		if err := c.write("memory", "memory.memsw.limit_in_bytes", swap); err != nil {
			return err
		}
	}
	if m.Reservation != nil && *m.Reservation != 0 {
		if err := c.write("memory", "memory.soft_limit_in_bytes", strconv.FormatInt(*m.Reservation, 10)); err != nil {
			return err
		}
	}
	if m.Swappiness != nil {
		if err := c.write("memory", "memory.swappiness", strconv.FormatUint(*m.Swappiness, 10)); err != nil {
			return err
		}
	}
	if m.DisableOOMKiller != nil && *m.DisableOOMKiller {
		if err := c.write("memory", "memory.oom_control", "1"); err != nil {
			return err
		}
	}
	return nil
}

// setCPUV1 writes cpu shares, CFS period/quota/burst, realtime and idle
// settings, and the cpuset.
func (c *Cgroup) setCPUV1(cpu *specs.LinuxCPU) error {
	if cpu == nil {
		return nil
	}
	if cpu.Shares != nil && *cpu.Shares != 0 {
		want := strconv.FormatUint(*cpu.Shares, 10)
		if err := c.write("cpu", "cpu.shares", want); err != nil {
			return err
		}
		// The kernel clamps shares to [2, 262144]: say so, as runc does.
		if got, err := c.read("cpu", "cpu.shares"); err == nil && got != want {
			return fmt.Errorf("invalid cpu shares %s: the host takes values from 2 to 262144 (it set %s)", want, got)
		}
	}
	period, quota := "", ""
	if cpu.Period != nil && *cpu.Period != 0 {
		period = strconv.FormatUint(*cpu.Period, 10)
	}
	if cpu.Quota != nil && *cpu.Quota != 0 {
		quota = strconv.FormatInt(*cpu.Quota, 10)
	}
	if period != "" {
		err := c.write("cpu", "cpu.cfs_period_us", period)
		if err != nil && quota != "" && errors.Is(err, syscall.EINVAL) {
			// The current quota does not fit the new period: set the
			// quota first.
			if err := c.write("cpu", "cpu.cfs_quota_us", quota); err != nil {
				return err
			}
			err = c.write("cpu", "cpu.cfs_period_us", period)
		}
		if err != nil {
			return err
		}
	}
	if quota != "" {
		if err := c.write("cpu", "cpu.cfs_quota_us", quota); err != nil {
			return err
		}
	}
	if cpu.Burst != nil {
		if err := c.write("cpu", "cpu.cfs_burst_us", strconv.FormatUint(*cpu.Burst, 10)); err != nil {
			return err
		}
	}
	if cpu.RealtimePeriod != nil && *cpu.RealtimePeriod != 0 {
		if err := c.write("cpu", "cpu.rt_period_us", strconv.FormatUint(*cpu.RealtimePeriod, 10)); err != nil {
			return err
		}
	}
	if cpu.RealtimeRuntime != nil && *cpu.RealtimeRuntime != 0 {
		if err := c.write("cpu", "cpu.rt_runtime_us", strconv.FormatInt(*cpu.RealtimeRuntime, 10)); err != nil {
			return err
		}
	}
	if cpu.Idle != nil {
		if err := c.write("cpu", "cpu.idle", strconv.FormatInt(*cpu.Idle, 10)); err != nil {
			return err
		}
	}
	return c.setCpuset(cpu)
}

// setCpuset writes cpuset.cpus and cpuset.mems (same files in v1 and v2).
func (c *Cgroup) setCpuset(cpu *specs.LinuxCPU) error {
	if cpu.Cpus != "" {
		if err := c.write("cpuset", "cpuset.cpus", cpu.Cpus); err != nil {
			return err
		}
	}
	if cpu.Mems != "" {
		if err := c.write("cpuset", "cpuset.mems", cpu.Mems); err != nil {
			return err
		}
	}
	return nil
}

// setBlkioV1 writes blkio weights and throttles; with BFQ the weight
// files are blkio.bfq.*.
func (c *Cgroup) setBlkioV1(b *specs.LinuxBlockIO) error {
	if b == nil {
		return nil
	}
	weight, weightDev := "blkio.weight", "blkio.weight_device"
	if !c.has("blkio", weight) && c.has("blkio", "blkio.bfq.weight") {
		weight, weightDev = "blkio.bfq.weight", "blkio.bfq.weight_device"
	}
	if b.Weight != nil && *b.Weight != 0 {
		if err := c.write("blkio", weight, strconv.Itoa(int(*b.Weight))); err != nil {
			return err
		}
	}
	if b.LeafWeight != nil && *b.LeafWeight != 0 {
		if err := c.write("blkio", "blkio.leaf_weight", strconv.Itoa(int(*b.LeafWeight))); err != nil {
			return err
		}
	}
	for _, wd := range b.WeightDevice {
		if wd.Weight != nil {
			if err := c.write("blkio", weightDev, fmt.Sprintf("%s %d", device(wd.LinuxBlockIODevice), *wd.Weight)); err != nil {
				return err
			}
		}
	}
	for _, t := range []struct {
		file string
		devs []specs.LinuxThrottleDevice
	}{
		{"blkio.throttle.read_bps_device", b.ThrottleReadBpsDevice},
		{"blkio.throttle.write_bps_device", b.ThrottleWriteBpsDevice},
		{"blkio.throttle.read_iops_device", b.ThrottleReadIOPSDevice},
		{"blkio.throttle.write_iops_device", b.ThrottleWriteIOPSDevice},
	} {
		for _, d := range t.devs {
			if err := c.write("blkio", t.file, fmt.Sprintf("%s %d", device(d.LinuxBlockIODevice), d.Rate)); err != nil {
				return err
			}
		}
	}
	return nil
}
