package cmd

import (
	"errors"
	"os"

	"github.com/urfave/cli/v2"

	"moat/runsc/container"
)

// Create is `runsc create`: set up a container from a bundle, ready for
// `runsc start`.
var Create = &cli.Command{
	Name:      "create",
	Usage:     "create a container",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Value: ".", Usage: "path to the bundle directory"},
		&cli.StringFlag{Name: "pid-file", Usage: "file to write the sandbox process's pid to"},
		&cli.StringFlag{Name: "console-socket", Usage: "path to an AF_UNIX socket that receives the master of the process's terminal (process.terminal)"},
	},
	Action: func(c *cli.Context) error {
		id, err := containerID(c)
		if err != nil {
			return err
		}
		cfg, err := setupCommand(c, id, "create")
		if err != nil {
			return err
		}
		ct, err := container.Create(cfg, container.CreateArgs{
			ID: id, Bundle: c.String("bundle"), Stdio: [3]*os.File{os.Stdin, os.Stdout, os.Stderr},
			ConsoleSocket: c.String("console-socket"),
		})
		if err != nil {
			return err
		}
		defer ct.Close()
		if err := ct.WritePIDFile(c.String("pid-file")); err != nil {
			// Nothing of a create that failed stays behind.
			if derr := ct.Delete(true); derr != nil {
				return errors.Join(err, derr)
			}
			return err
		}
		return nil
	},
}
