// Command runsc is Moat's runtime command line: a drop-in for gVisor's and
// runc's runsc/runc commands. Its commands are listed here, one file each in
// runsc/cmd.
package main

import (
	"fmt"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"

	"moat/runsc/cmd"
	"moat/runsc/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	app := &cli.App{
		Name:    "runsc",
		Usage:   "Moat: a sandboxed OCI container runtime",
		Version: version,
		// The app has its own help command, so urfave/cli does not add
		// --help by itself: add it, so that runsc --help prints the
		// usage and exits 0.
		Flags: append(config.Flags(), cli.HelpFlag),
		Commands: []*cli.Command{
			cmd.Create,
			cmd.Delete,
			cmd.Do,
			cmd.Events,
			cmd.Exec,
			cmd.Features,
			cmd.Help,
			cmd.Install,
			cmd.Kill,
			cmd.List,
			cmd.Pause,
			cmd.Ps,
			cmd.Resume,
			cmd.Run,
			cmd.Spec,
			cmd.Start,
			cmd.State,
			cmd.Uninstall,
			cmd.Update,
			cmd.Wait,
			// Internal: started by runsc itself.
			cmd.Boot,
			cmd.Gofer,
			cmd.TTYWatch,
		},
		HideHelpCommand: true,
		ExitErrHandler: func(c *cli.Context, err error) {
			if err == nil {
				return
			}
			cmd.LogError(c, err)
			if ec, ok := err.(cli.ExitCoder); ok {
				if msg := ec.Error(); msg != "" {
					fmt.Fprintln(os.Stderr, msg)
				}
				os.Exit(ec.ExitCode())
			}
			fmt.Fprintf(os.Stderr, "runsc: %v\n", err)
			os.Exit(1)
		},
	}
	cli.VersionPrinter = func(c *cli.Context) {
		fmt.Printf("runsc version %s\nspec: %s\n", c.App.Version, specs.Version)
	}
	if err := app.Run(os.Args); err != nil {
		fmt.Fprintf(os.Stderr, "runsc: %v\n", err)
		os.Exit(1)
	}
}
