package cmd

import (
	"encoding/json"
	"os"

	"github.com/urfave/cli/v2"

	"moat/runsc/container"
)

// State is `runsc state`: print a container's OCI state as JSON.
var State = &cli.Command{
	Name:      "state",
	Usage:     "output the state of a container",
	ArgsUsage: "<container-id>",
	Action: func(c *cli.Context) error {
		id, err := containerID(c)
		if err != nil {
			return err
		}
		cfg, err := setupCommand(c, id, "state")
		if err != nil {
			return err
		}
		ct, err := container.Load(cfg, id)
		if err != nil {
			return err
		}
		defer ct.Close()
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ct.OCIState())
	},
}
