package cmd

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"moat/internal/log"
	"moat/runsc/config"
)

// containerID returns the command's one argument, the container ID.
func containerID(c *cli.Context) (string, error) {
	if c.NArg() != 1 {
		return "", fmt.Errorf("%q requires exactly 1 argument (a container id), got %d", c.Command.Name, c.NArg())
	}
	return c.Args().First(), nil
}

// setupCommand reads the global flags and sets up logging for a
// container command.
func setupCommand(c *cli.Context, id, command string) (*config.Config, error) {
	cfg, err := globalConfig(c)
	if err != nil {
		return nil, err
	}
	if err := setupLogging(cfg, id, command); err != nil {
		return nil, err
	}
	for _, w := range cfg.Warnings {
		log.Warningf("%s", w)
	}
	return cfg, nil
}
