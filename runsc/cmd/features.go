package cmd

import (
	"encoding/json"
	"os"

	"github.com/urfave/cli/v2"

	"moat/runsc/container"
)

// Features is `runsc features`: what this runtime implements, as the
// runtime-spec features document.
var Features = &cli.Command{
	Name:  "features",
	Usage: "show the enabled features",
	Action: func(c *cli.Context) error {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "    ")
		return enc.Encode(container.Features())
	},
}
