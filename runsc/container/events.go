package container

import (
	"fmt"
	"time"

	"moat/cgroups"
	"moat/runsc/config"
	"moat/sentry/control"
)

// Event is one runc-style event: "stats" with Data, or "oom" when the
// kernel's OOM killer killed a process of the container's cgroup.
type Event struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Data any    `json:"data,omitempty"`
}

// oomPoll is how often the event stream looks at the cgroup's OOM kill
// counter.
const oomPoll = 100 * time.Millisecond

// Events calls emit with a stats event every interval, and with an oom
// event for each OOM kill in the container's cgroup as it happens, until
// the container stops or emit fails; with once, a single stats event
// (an error for a container that is not running, as with runc).
func Events(cfg *config.Config, id string, interval time.Duration, once bool, emit func(*Event) error) error {
	c, err := Load(cfg, id)
	if err != nil {
		return err
	}
	cg, err := c.cgroup()
	c.Close()
	if err != nil {
		return err
	}
	if once {
		d, err := statsOf(cfg, id, cg)
		if err != nil {
			return err
		}
		return emit(&Event{Type: "stats", ID: id, Data: d})
	}
	var ooms uint64
	if cg != nil {
		ooms, _ = cg.OOMKills()
	}
	if interval <= 0 {
		return fmt.Errorf("invalid --interval %v: must be positive", interval)
	}
	next := time.Now()
	for {
		if cg != nil {
			if n, err := cg.OOMKills(); err == nil {
				for ; ooms < n; ooms++ {
					if err := emit(&Event{Type: "oom", ID: id}); err != nil {
						return err
					}
				}
			}
		}
		if !time.Now().Before(next) {
			d, err := statsOf(cfg, id, cg)
			if err != nil {
				return nil // the container stopped or went away
			}
			if err := emit(&Event{Type: "stats", ID: id, Data: d}); err != nil {
				return err
			}
			next = time.Now().Add(interval)
		}
		time.Sleep(min(oomPoll, time.Until(next)+time.Millisecond))
	}
}

// statsOf reads a running container's usage: CPU, memory and block I/O
// from its host cgroup (which holds the sandbox, its stubs and the
// gofer), the task count and pids limit from the sentry (which enforces
// that limit on application tasks). Without a cgroup, CPU is the
// sentry's account and memory the resident size of the sandbox's
// processes.
func statsOf(cfg *config.Config, id string, cg *cgroups.Cgroup) (*cgroups.Stats, error) {
	c, err := Load(cfg, id)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if st := c.CurrentStatus(); st == Stopped {
		return nil, fmt.Errorf("container %s is not running: %w", id, ErrNotRunning)
	}
	resp, err := c.call(&control.Request{Method: control.MethodStats}, nil)
	if err != nil {
		return nil, fmt.Errorf("reading stats of %q: %w", id, err)
	}
	ss := resp.Stats
	if ss == nil {
		ss = &control.Stats{}
	}
	var d *cgroups.Stats
	if cg != nil {
		if d, err = cg.Stats(); err != nil {
			return nil, fmt.Errorf("reading stats of %q: %w", id, err)
		}
	} else {
		d = &cgroups.Stats{}
		d.CPU.Usage.User, d.CPU.Usage.Kernel = uint64(ss.CPUUser), uint64(ss.CPUSystem)
		d.CPU.Usage.Total = d.CPU.Usage.User + d.CPU.Usage.Kernel
		d.Memory.Usage.Usage = ss.Memory
		if d.Memory.Usage.Usage == 0 {
			d.Memory.Usage.Usage = treeRSS(c.SandboxPID)
		}
	}
	d.Pids = cgroups.PidsStats{Current: uint64(ss.Pids), Limit: uint64(ss.PidsLimit)}
	return d, nil
}
