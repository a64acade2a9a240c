package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"

	"moat/runsc/container"
)

// Update is `runsc update`: change a container's resource limits, from
// runc's flags or from a JSON LinuxResources (--resources FILE, or - for
// stdin, which is what containerd's runc shim passes).
var Update = &cli.Command{
	Name:      "update",
	Usage:     "update container resource constraints",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "resources", Aliases: []string{"r"}, Usage: "file with a JSON LinuxResources to apply, or - for stdin (flags given too override it)"},
		&cli.StringFlag{Name: "blkio-weight", Usage: "block I/O weight, 10 to 1000"},
		&cli.StringFlag{Name: "cpu-period", Usage: "CPU CFS period (µs)"},
		&cli.StringFlag{Name: "cpu-quota", Usage: "CPU CFS quota (µs per period; -1: none)"},
		&cli.StringFlag{Name: "cpu-share", Aliases: []string{"cpu-shares"}, Usage: "CPU shares (relative weight)"},
		&cli.StringFlag{Name: "cpu-rt-period", Usage: "CPU realtime period (µs)"},
		&cli.StringFlag{Name: "cpu-rt-runtime", Usage: "CPU realtime runtime (µs)"},
		&cli.StringFlag{Name: "cpu-idle", Usage: "1: SCHED_IDLE for the cgroup"},
		&cli.StringFlag{Name: "cpuset-cpus", Usage: "CPUs the container may use (0-3, 0,1)"},
		&cli.StringFlag{Name: "cpuset-mems", Usage: "memory nodes the container may use"},
		&cli.StringFlag{Name: "memory", Usage: "memory limit (bytes, or with a k/m/g suffix; -1: none)"},
		&cli.StringFlag{Name: "memory-reservation", Usage: "memory soft limit"},
		&cli.StringFlag{Name: "memory-swap", Usage: "memory+swap limit; -1: unlimited swap"},
		&cli.StringFlag{Name: "kernel-memory", Usage: "obsolete, ignored"},
		&cli.StringFlag{Name: "kernel-memory-tcp", Usage: "obsolete, ignored"},
		&cli.StringFlag{Name: "pids-limit", Usage: "maximum number of tasks (-1: none)"},
	},
	Action: func(c *cli.Context) error {
		r, err := updateResources(c)
		if err != nil {
			return err
		}
		return withContainer(c, "update", func(ct *container.Container) error { return ct.Update(r) })
	},
}

// updateResources builds the resources to apply from --resources and
// the flags.
func updateResources(c *cli.Context) (*specs.LinuxResources, error) {
	r := &specs.LinuxResources{}
	if in := c.String("resources"); in != "" {
		var f io.Reader = os.Stdin
		if in != "-" {
			file, err := os.Open(in)
			if err != nil {
				return nil, fmt.Errorf("reading resources: %w", err)
			}
			defer file.Close()
			f = file
		}
		if err := json.NewDecoder(f).Decode(r); err != nil {
			return nil, fmt.Errorf("decoding resources from %s: %w", in, err)
		}
	}
	mem := func() *specs.LinuxMemory {
		if r.Memory == nil {
			r.Memory = &specs.LinuxMemory{}
		}
		return r.Memory
	}
	cpu := func() *specs.LinuxCPU {
		if r.CPU == nil {
			r.CPU = &specs.LinuxCPU{}
		}
		return r.CPU
	}
	for _, f := range []struct {
		name string
		set  func(string) error
	}{
		{"memory", func(v string) (err error) { mem().Limit, err = parseBytes(v); return }},
		{"memory-reservation", func(v string) (err error) { mem().Reservation, err = parseBytes(v); return }},
		{"memory-swap", func(v string) (err error) { mem().Swap, err = parseBytes(v); return }},
		{"kernel-memory", func(v string) (err error) { mem().Kernel, err = parseBytes(v); return }},
		{"kernel-memory-tcp", func(v string) (err error) { mem().KernelTCP, err = parseBytes(v); return }},
		{"cpu-share", func(v string) (err error) { cpu().Shares, err = parseUint(v); return }},
		{"cpu-period", func(v string) (err error) { cpu().Period, err = parseUint(v); return }},
		{"cpu-quota", func(v string) (err error) { cpu().Quota, err = parseInt(v); return }},
		{"cpu-rt-period", func(v string) (err error) { cpu().RealtimePeriod, err = parseUint(v); return }},
		{"cpu-rt-runtime", func(v string) (err error) { cpu().RealtimeRuntime, err = parseInt(v); return }},
		{"cpu-idle", func(v string) (err error) { cpu().Idle, err = parseInt(v); return }},
		{"cpuset-cpus", func(v string) error { cpu().Cpus = v; return nil }},
		{"cpuset-mems", func(v string) error { cpu().Mems = v; return nil }},
		{"pids-limit", func(v string) error {
			n, err := parseInt(v)
			if err == nil {
				r.Pids = &specs.LinuxPids{Limit: *n}
			}
			return err
		}},
		{"blkio-weight", func(v string) error {
			n, err := strconv.ParseUint(v, 10, 16)
			if err == nil {
				w := uint16(n)
				r.BlockIO = &specs.LinuxBlockIO{Weight: &w}
			}
			return err
		}},
	} {
		if !c.IsSet(f.name) {
			continue
		}
		if err := f.set(c.String(f.name)); err != nil {
			return nil, fmt.Errorf("invalid value for %s: %w", f.name, err)
		}
	}
	return r, nil
}

func parseUint(s string) (*uint64, error) {
	v, err := strconv.ParseUint(s, 10, 64)
	return &v, err
}

func parseInt(s string) (*int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	return &v, err
}

// parseBytes parses a size like runc's flags take it: -1, a number of
// bytes, or a number with a binary unit (k, m, g, t, p; "b" and "ib"
// optional; any case).
func parseBytes(s string) (*int64, error) {
	if s == "-1" {
		v := int64(-1)
		return &v, nil
	}
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "b"), "i")
	mult := int64(1)
	if n := len(t); n > 0 {
		if i := strings.IndexByte("kmgtp", t[n-1]); i >= 0 {
			mult = int64(1) << (10 * (i + 1))
			t = t[:n-1]
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 {
		return nil, fmt.Errorf("invalid size %q", s)
	}
	v := int64(f * float64(mult))
	return &v, nil
}
