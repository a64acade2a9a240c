package cmd

import (
	"errors"

	"github.com/urfave/cli/v2"

	"moat/runsc/container"
)

// Delete is `runsc delete`: kill a container's sandbox and gofer and
// remove its state.
var Delete = &cli.Command{
	Name:      "delete",
	Usage:     "delete a container and its resources",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "delete a running container too (it is killed)"},
	},
	Action: func(c *cli.Context) error {
		id, err := containerID(c)
		if err != nil {
			return err
		}
		cfg, err := setupCommand(c, id, "delete")
		if err != nil {
			return err
		}
		ct, err := container.Load(cfg, id)
		if errors.Is(err, container.ErrNotExist) && c.Bool("force") {
			return nil
		}
		if err != nil {
			return err
		}
		defer ct.Close()
		return ct.Delete(c.Bool("force"))
	},
}
