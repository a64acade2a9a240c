package cmd

import (
	"github.com/urfave/cli/v2"

	"moat/runsc/container"
)

// Spec is `runsc spec`: write a default config.json.
var Spec = &cli.Command{
	Name:  "spec",
	Usage: "create a new specification file (config.json)",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Value: ".", Usage: "directory to write config.json in"},
		&cli.BoolFlag{Name: "rootless", Usage: "a spec for a rootless container"},
	},
	Action: func(c *cli.Context) error {
		if c.NArg() != 0 {
			return cli.ShowCommandHelp(c, "spec")
		}
		return container.WriteSpec(c.String("bundle"), c.Bool("rootless"))
	},
}
