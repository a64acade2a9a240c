package cmd

import (
	"github.com/urfave/cli/v2"

	"moat/runsc/container"
)

// Resume is `runsc resume`: continue a paused container.
var Resume = &cli.Command{
	Name:      "resume",
	Usage:     "resume all processes in a paused container",
	ArgsUsage: "<container-id>",
	Action: func(c *cli.Context) error {
		return withContainer(c, "resume", (*container.Container).Resume)
	},
}
