package container

import (
	"time"

	"moat/runsc/config"
)

// Event is one runc-style event ("stats" with the sandbox's usage).
type Event struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Data any    `json:"data,omitempty"`
}

// StatsData is an event's stats in the shape of runc's (cpu in ns,
// memory in bytes, pids).
type StatsData struct {
	CPU struct {
		Usage struct {
			Total  uint64 `json:"total"`
			User   uint64 `json:"user"`
			Kernel uint64 `json:"kernel"`
		} `json:"usage"`
	} `json:"cpu"`
	Memory struct {
		Usage struct {
			Usage uint64 `json:"usage"`
		} `json:"usage"`
	} `json:"memory"`
	Pids struct {
		Current uint64 `json:"current"`
	} `json:"pids"`
}

// Events calls emit with a stats event every interval until the container
// stops or emit fails; with once, only one.
func Events(cfg *config.Config, id string, interval time.Duration, once bool, emit func(*Event) error) error {
	for {
		c, err := Load(cfg, id)
		if err != nil {
			return err
		}
		st, err := c.Stats()
		c.Close()
		if err != nil {
			if !once {
				return nil // the container went away
			}
			return err
		}
		var d StatsData
		d.CPU.Usage.User, d.CPU.Usage.Kernel = uint64(st.CPUUser), uint64(st.CPUSystem)
		d.CPU.Usage.Total = d.CPU.Usage.User + d.CPU.Usage.Kernel
		d.Memory.Usage.Usage = st.Memory
		d.Pids.Current = uint64(st.Pids)
		if err := emit(&Event{Type: "stats", ID: id, Data: &d}); err != nil || once {
			return err
		}
		time.Sleep(interval)
	}
}
