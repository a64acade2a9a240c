package cmd

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// Uninstall is `runsc uninstall`: remove a runtime from daemon.json.
var Uninstall = &cli.Command{
	Name:  "uninstall",
	Usage: "remove a runtime from Docker's daemon.json",
	Flags: dockerConfigFlags(),
	Action: func(c *cli.Context) error {
		if c.NArg() != 0 {
			return fmt.Errorf("\"uninstall\" takes no arguments (use --runtime)")
		}
		return editDockerConfig(c.String("config-file"), func(cfg *dockerConfig) error {
			return cfg.uninstall(c.String("runtime"))
		})
	},
}

func (cfg *dockerConfig) uninstall(name string) error {
	if _, ok := cfg.runtimes[name]; !ok {
		return fmt.Errorf("runtime %q not found", name)
	}
	delete(cfg.runtimes, name)
	return nil
}
