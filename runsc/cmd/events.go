package cmd

import (
	"encoding/json"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"moat/runsc/container"
)

// Events is `runsc events`: a stream of JSON stats events like runc's,
// one every --interval, or one with --stats.
var Events = &cli.Command{
	Name:      "events",
	Usage:     "display container events such as resource usage",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		&cli.DurationFlag{Name: "interval", Value: 5 * time.Second, Usage: "time between stats events"},
		&cli.BoolFlag{Name: "stats", Usage: "print the container's stats once and exit"},
	},
	Action: func(c *cli.Context) error {
		id, err := containerID(c)
		if err != nil {
			return err
		}
		cfg, err := setupCommand(c, id, "events")
		if err != nil {
			return err
		}
		enc := json.NewEncoder(os.Stdout)
		return container.Events(cfg, id, c.Duration("interval"), c.Bool("stats"), func(e *container.Event) error {
			return enc.Encode(e)
		})
	},
}
