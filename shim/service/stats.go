package service

import (
	v1 "github.com/containerd/cgroups/v3/cgroup1/stats"
)

// statsEvent is one `runsc events --stats` line: runc's event with the
// stats fields runsc fills in (the shape of runc's types.Stats).
type statsEvent struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Data struct {
		CPU struct {
			Usage struct {
				Total  uint64   `json:"total"`
				PerCPU []uint64 `json:"percpu"`
				Kernel uint64   `json:"kernel"`
				User   uint64   `json:"user"`
			} `json:"usage"`
			Throttling struct {
				Periods          uint64 `json:"periods"`
				ThrottledPeriods uint64 `json:"throttledPeriods"`
				ThrottledTime    uint64 `json:"throttledTime"`
			} `json:"throttling"`
		} `json:"cpu"`
		Memory struct {
			Cache  uint64            `json:"cache"`
			Usage  memoryEntry       `json:"usage"`
			Swap   memoryEntry       `json:"swap"`
			Kernel memoryEntry       `json:"kernel"`
			Raw    map[string]uint64 `json:"raw"`
		} `json:"memory"`
		Pids struct {
			Current uint64 `json:"current"`
			Limit   uint64 `json:"limit"`
		} `json:"pids"`
	} `json:"data"`
}

type memoryEntry struct {
	Limit   uint64 `json:"limit"`
	Usage   uint64 `json:"usage"`
	Max     uint64 `json:"max"`
	Failcnt uint64 `json:"failcnt"`
}

func (m memoryEntry) metrics() *v1.MemoryEntry {
	return &v1.MemoryEntry{Limit: m.Limit, Usage: m.Usage, Max: m.Max, Failcnt: m.Failcnt}
}

// metrics converts the event to containerd's cgroups v1 metrics type
// (what `ctr task metrics` and the CRI plugin decode).
func (e *statsEvent) metrics() *v1.Metrics {
	d := &e.Data
	raw := d.Memory.Raw
	return &v1.Metrics{
		CPU: &v1.CPUStat{
			Usage: &v1.CPUUsage{Total: d.CPU.Usage.Total, Kernel: d.CPU.Usage.Kernel, User: d.CPU.Usage.User, PerCPU: d.CPU.Usage.PerCPU},
			Throttling: &v1.Throttle{
				Periods: d.CPU.Throttling.Periods, ThrottledPeriods: d.CPU.Throttling.ThrottledPeriods,
				ThrottledTime: d.CPU.Throttling.ThrottledTime,
			},
		},
		Memory: &v1.MemoryStat{
			Cache: d.Memory.Cache, RSS: raw["rss"], MappedFile: raw["mapped_file"],
			InactiveFile: raw["inactive_file"], ActiveFile: raw["active_file"],
			TotalInactiveFile: raw["total_inactive_file"],
			Usage:             d.Memory.Usage.metrics(), Swap: d.Memory.Swap.metrics(), Kernel: d.Memory.Kernel.metrics(),
		},
		Pids: &v1.PidsStat{Current: d.Pids.Current, Limit: d.Pids.Limit},
	}
}
