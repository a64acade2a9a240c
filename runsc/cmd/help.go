package cmd

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"moat/sentry/syscalls"
)

// Help is `runsc help [COMMAND]`; `runsc help syscalls` prints the syscall
// support table.
var Help = &cli.Command{
	Name:      "help",
	Usage:     "show help for a command, or the syscall table with `help syscalls`",
	ArgsUsage: "[COMMAND | syscalls]",
	Action: func(c *cli.Context) error {
		if c.Args().First() == "syscalls" {
			fmt.Print(syscalls.Markdown())
			return nil
		}
		if c.NArg() == 0 {
			return cli.ShowAppHelp(c)
		}
		return cli.ShowCommandHelp(c, c.Args().First())
	},
}
