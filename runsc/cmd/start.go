package cmd

import (
	"github.com/urfave/cli/v2"

	"moat/runsc/container"
)

// Start is `runsc start`: run a created container's process.
var Start = &cli.Command{
	Name:      "start",
	Usage:     "start a created container",
	ArgsUsage: "<container-id>",
	Action: func(c *cli.Context) error {
		id, err := containerID(c)
		if err != nil {
			return err
		}
		cfg, err := setupCommand(c, id, "start")
		if err != nil {
			return err
		}
		ct, err := container.Load(cfg, id)
		if err != nil {
			return err
		}
		defer ct.Close()
		return ct.Start()
	},
}
