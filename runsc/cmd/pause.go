package cmd

import (
	"github.com/urfave/cli/v2"

	"moat/runsc/container"
)

// Pause is `runsc pause`: stop every task in the container (the sentry
// parks each at its next return to user mode).
var Pause = &cli.Command{
	Name:      "pause",
	Usage:     "pause all processes in a container",
	ArgsUsage: "<container-id>",
	Action: func(c *cli.Context) error {
		return withContainer(c, "pause", (*container.Container).Pause)
	},
}

// withContainer loads the command's container and runs fn on it.
func withContainer(c *cli.Context, command string, fn func(*container.Container) error) error {
	id, err := containerID(c)
	if err != nil {
		return err
	}
	cfg, err := setupCommand(c, id, command)
	if err != nil {
		return err
	}
	ct, err := container.Load(cfg, id)
	if err != nil {
		return err
	}
	defer ct.Close()
	return fn(ct)
}
