package cmd

import (
	"github.com/urfave/cli/v2"

	"moat/runsc/console"
)

// TTYWatch is `runsc tty-watch`, the resize watcher of an exec'd
// process's terminal (runsc/console/watch.go). runsc exec starts it, never
// a person.
var TTYWatch = &cli.Command{
	Name:   "tty-watch",
	Usage:  "pass window size changes of a terminal on to a sandbox (internal)",
	Hidden: true,
	Action: func(c *cli.Context) error { return console.Watch() },
}
