package cmd

import (
	"os"

	"github.com/urfave/cli/v2"

	"moat/runsc/container"
)

// Run is `runsc run`: create and start a container, wait for it and
// delete it, exiting with its exit code.
var Run = &cli.Command{
	Name:      "run",
	Usage:     "create and run a container",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Value: ".", Usage: "path to the bundle directory"},
		&cli.StringFlag{Name: "pid-file", Usage: "file to write the sandbox process's pid to"},
		&cli.StringFlag{Name: "console-socket", Usage: "with --detach: path to an AF_UNIX socket that receives the master of the process's terminal"},
		&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "return once the container runs"},
		&cli.BoolFlag{Name: "keep", Usage: "keep the container's state after it exits"},
	},
	Action: func(c *cli.Context) error {
		id, err := containerID(c)
		if err != nil {
			return err
		}
		cfg, err := setupCommand(c, id, "run")
		if err != nil {
			return err
		}
		code, err := container.Run(cfg, container.RunArgs{
			CreateArgs: container.CreateArgs{
				ID: id, Bundle: c.String("bundle"), Stdio: [3]*os.File{os.Stdin, os.Stdout, os.Stderr},
				ConsoleSocket: c.String("console-socket"),
			},
			PIDFile: c.String("pid-file"),
			Detach:  c.Bool("detach"),
			Keep:    c.Bool("keep"),
		})
		if err != nil {
			return err
		}
		os.Exit(code)
		return nil
	},
}
