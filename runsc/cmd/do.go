package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"moat/runsc/sandbox"
)

// Do is `runsc do`: run a program in a fresh sandbox, without an OCI bundle.
var Do = &cli.Command{
	Name:      "do",
	Usage:     "run a program in a new sandbox whose root is a host directory",
	ArgsUsage: "[flags] -- PROGRAM [ARGS...]",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "root", Value: "/", Usage: "host directory to serve read-only as the sandbox's /"},
		&cli.StringFlag{Name: "cwd", Value: "/", Usage: "working directory inside the sandbox"},
		&cli.StringSliceFlag{Name: "env", Usage: "KEY=VALUE environment variable (repeatable)"},
	},
	Action: func(c *cli.Context) error {
		cfg, err := globalConfig(c)
		if err != nil {
			return err
		}
		if err := setupLogging(cfg, "do", "do"); err != nil {
			return err
		}
		if c.NArg() == 0 {
			return cli.Exit("runsc do: no program given (usage: runsc do [flags] -- PROGRAM [ARGS...])", 2)
		}
		root, err := filepath.Abs(c.String("root"))
		if err != nil {
			return err
		}
		code, err := sandbox.Do(cfg, sandbox.DoArgs{
			RootDir: root,
			Cwd:     c.String("cwd"),
			Env:     c.StringSlice("env"),
			Argv:    c.Args().Slice(),
		})
		var ee *sandbox.ExecError
		if errors.As(err, &ee) {
			fmt.Fprintf(os.Stderr, "runsc do: %v\n", ee)
			os.Exit(ee.ExitCode())
		}
		if err != nil {
			return cli.Exit(fmt.Sprintf("runsc do: %v", err), 128)
		}
		os.Exit(code)
		return nil
	},
}
