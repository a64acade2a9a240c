package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"moat/runsc/container"
)

// Ps is `runsc ps`: the processes running in a container.
var Ps = &cli.Command{
	Name:      "ps",
	Usage:     "display the processes running inside a container",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table (the sandbox's view), json (the host PIDs of the processes, as runc's) or pidmap (each host PID with its sandbox PID)"},
		&cli.BoolFlag{Name: "sandbox-pids", Usage: "with --format json, list the PIDs inside the sandbox instead (gVisor's json)"},
	},
	Action: func(c *cli.Context) error {
		id, err := containerID(c)
		if err != nil {
			return err
		}
		cfg, err := setupCommand(c, id, "ps")
		if err != nil {
			return err
		}
		ct, err := container.Load(cfg, id)
		if err != nil {
			return err
		}
		defer ct.Close()
		ps, err := ct.Processes()
		if err != nil {
			return err
		}
		switch c.String("format") {
		case "json":
			if c.Bool("sandbox-pids") {
				pids := make([]int32, 0, len(ps))
				for _, p := range ps {
					pids = append(pids, p.PID)
				}
				return json.NewEncoder(os.Stdout).Encode(pids)
			}
			pids, err := ct.HostPIDs(ps)
			if err != nil {
				return err
			}
			return json.NewEncoder(os.Stdout).Encode(pids)
		case "pidmap":
			pairs, err := ct.HostPIDPairs(ps)
			if err != nil {
				return err
			}
			return json.NewEncoder(os.Stdout).Encode(pairs)
		case "table":
			w := tabwriter.NewWriter(os.Stdout, 0, 8, 1, ' ', 0)
			// gVisor's columns; C (CPU %) is not measured yet.
			fmt.Fprintln(w, "UID\tPID\tPPID\tC\tTTY\tSTIME\tTIME\tCMD")
			for _, p := range ps {
				stime := time.Unix(p.STime, 0).Format("15:04")
				cpu := time.Duration(p.Time).Truncate(time.Second)
				tty := p.TTY
				if tty == "" {
					tty = "?"
				}
				fmt.Fprintf(w, "%d\t%d\t%d\t0\t%s\t%s\t%s\t%s\n", p.UID, p.PID, p.PPID, tty, stime, cpu, p.Cmd)
			}
			return w.Flush()
		}
		return fmt.Errorf("invalid format option %q: want table, json or pidmap", c.String("format"))
	},
}
