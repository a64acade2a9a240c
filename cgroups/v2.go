package cgroups

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/internal/log"
)

// setV2 applies resources to cgroup v2 files, converting v1-style
// values (shares, blkio weights, memory+swap) the way runc does.
func (c *Cgroup) setV2(r *specs.LinuxResources) error {
	if err := c.setMemoryV2(r.Memory); err != nil {
		return err
	}
	if err := c.setCPUV2(r.CPU); err != nil {
		return err
	}
	if v := pidsValue(r.Pids); v != "" {
		if err := c.write("pids", "pids.max", v); err != nil {
			return err
		}
	}
	if err := c.setIOV2(r.BlockIO); err != nil {
		return err
	}
	for _, h := range r.HugepageLimits {
		if err := c.write("hugetlb", "hugetlb."+h.Pagesize+".max", strconv.FormatUint(h.Limit, 10)); err != nil {
			return err
		}
	}
	if r.Network != nil {
		log.Debugf("cgroups: linux.resources.network has no cgroup v2 controller; ignored")
	}
	keys := make([]string, 0, len(r.Unified))
	for k := range r.Unified {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := c.write("", k, r.Unified[k]); err != nil {
			return err
		}
	}
	return nil
}

// limitV2 renders a limit where -1 means none.
func limitV2(v int64) string {
	if v < 0 {
		return "max"
	}
	return strconv.FormatInt(v, 10)
}

// SwapV2 converts OCI's memory+swap limit to memory.swap.max (swap
// alone), given the memory limit (-1: none, 0: unknown). "" means leave
// it as it is.
func SwapV2(swap, memory int64) (string, error) {
	switch {
	case swap == 0:
		return "", nil
	case swap == -1:
		return "max", nil
	case memory == 0 || memory == -1:
		return "", fmt.Errorf("invalid memory swap %d: a swap limit needs a memory limit", swap)
	case swap < memory:
		return "", fmt.Errorf("invalid memory swap %d: memory+swap limit should be >= memory limit %d", swap, memory)
	}
	return strconv.FormatInt(swap-memory, 10), nil
}

// setMemoryV2 writes memory.max, memory.low and memory.swap.max.
func (c *Cgroup) setMemoryV2(m *specs.LinuxMemory) error {
	if m == nil {
		return nil
	}
	if m.Kernel != nil || m.KernelTCP != nil {
		log.Warningf("cgroups: kernel memory limits are deprecated and ignored")
	}
	if m.Swappiness != nil || m.DisableOOMKiller != nil && *m.DisableOOMKiller {
		log.Warningf("cgroups: memory swappiness and disableOOMKiller have no cgroup v2 file; ignored")
	}
	if m.Swap != nil && *m.Swap != 0 {
		mem := int64(0)
		if m.Limit != nil {
			mem = *m.Limit
		} else if cur, err := c.read("memory", "memory.max"); err == nil {
			// An update of swap alone: against the current limit.
			mem = -1
			if cur != "max" {
				mem, _ = strconv.ParseInt(cur, 10, 64)
			}
		}
		v, err := SwapV2(*m.Swap, mem)
		if err != nil {
			return err
		}
		// Swap first: lowering memory.max never conflicts with it.
		if err := c.write("memory", "memory.swap.max", v); err != nil {
			return err
		}
	}
	if m.Limit != nil && *m.Limit != 0 {
		if err := c.write("memory", "memory.max", limitV2(*m.Limit)); err != nil {
			return err
		}
	}
	if m.Reservation != nil && *m.Reservation != 0 {
		if err := c.write("memory", "memory.low", limitV2(*m.Reservation)); err != nil {
			return err
		}
	}
	return nil
}

// SharesToWeight converts v1 cpu.shares [2, 262144] to v2 cpu.weight
// [1, 10000] (runc's mapping); 0 stays 0 (unset).
func SharesToWeight(shares uint64) uint64 {
	if shares == 0 {
		return 0
	}
	shares = min(max(shares, 2), 262144)
	return 1 + ((shares-2)*9999)/262142
}

// BlkioToIOWeight converts a blkio weight [10, 1000] to io.weight
// [1, 10000]; 0 stays 0.
func BlkioToIOWeight(w uint16) uint64 {
	if w == 0 {
		return 0
	}
	return 1 + (uint64(w)-10)*9999/990
}

// setCPUV2 writes cpu.weight, cpu.max, cpu.max.burst, cpu.idle and the
// cpuset. A quota or period given alone keeps the other's current value.
func (c *Cgroup) setCPUV2(cpu *specs.LinuxCPU) error {
	if cpu == nil {
		return nil
	}
	if cpu.RealtimePeriod != nil && *cpu.RealtimePeriod != 0 || cpu.RealtimeRuntime != nil && *cpu.RealtimeRuntime != 0 {
		return fmt.Errorf("invalid configuration: realtime cpu scheduling is not supported on cgroup v2")
	}
	if cpu.Shares != nil && *cpu.Shares != 0 {
		if err := c.write("cpu", "cpu.weight", strconv.FormatUint(SharesToWeight(*cpu.Shares), 10)); err != nil {
			return err
		}
	}
	hasQuota, hasPeriod := cpu.Quota != nil && *cpu.Quota != 0, cpu.Period != nil && *cpu.Period != 0
	if hasQuota || hasPeriod {
		quota, period := "max", "100000"
		if cur, err := c.read("cpu", "cpu.max"); err == nil {
			if f := strings.Fields(cur); len(f) == 2 {
				quota, period = f[0], f[1]
			}
		}
		if hasQuota {
			quota = limitV2(*cpu.Quota)
		}
		if hasPeriod {
			period = strconv.FormatUint(*cpu.Period, 10)
		}
		if err := c.write("cpu", "cpu.max", quota+" "+period); err != nil {
			return err
		}
	}
	if cpu.Burst != nil {
		if err := c.write("cpu", "cpu.max.burst", strconv.FormatUint(*cpu.Burst, 10)); err != nil {
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

// setIOV2 writes io weights (io.bfq.weight when BFQ is there, else
// io.weight converted) and io.max throttles.
func (c *Cgroup) setIOV2(b *specs.LinuxBlockIO) error {
	if b == nil {
		return nil
	}
	bfq := c.has("io", "io.bfq.weight")
	weight := func(w uint16) string {
		if bfq {
			return strconv.Itoa(int(w))
		}
		return strconv.FormatUint(BlkioToIOWeight(w), 10)
	}
	file := "io.weight"
	if bfq {
		file = "io.bfq.weight"
	}
	if b.Weight != nil && *b.Weight != 0 {
		if err := c.write("io", file, weight(*b.Weight)); err != nil {
			return err
		}
	}
	for _, wd := range b.WeightDevice {
		if wd.Weight != nil {
			if err := c.write("io", file, device(wd.LinuxBlockIODevice)+" "+weight(*wd.Weight)); err != nil {
				return err
			}
		}
	}
	for _, t := range []struct {
		key  string
		devs []specs.LinuxThrottleDevice
	}{
		{"rbps", b.ThrottleReadBpsDevice},
		{"wbps", b.ThrottleWriteBpsDevice},
		{"riops", b.ThrottleReadIOPSDevice},
		{"wiops", b.ThrottleWriteIOPSDevice},
	} {
		for _, d := range t.devs {
			v := strconv.FormatUint(d.Rate, 10)
			if d.Rate == 0 {
				v = "max"
			}
			if err := c.write("io", "io.max", fmt.Sprintf("%s %s=%s", device(d.LinuxBlockIODevice), t.key, v)); err != nil {
				return err
			}
		}
	}
	return nil
}
