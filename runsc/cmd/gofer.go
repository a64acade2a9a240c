package cmd

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"moat/gofer"
	"moat/internal/log"
	"moat/internal/unet"
	"moat/sentry/control"
)

// Gofer is `runsc gofer`, the file proxy process. It is started by runsc,
// never by hand.
var Gofer = &cli.Command{
	Name:   "gofer",
	Usage:  "serve a container's files to its sandbox (internal)",
	Hidden: true,
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "root", Required: true, Usage: "host directory to serve"},
		&cli.BoolFlag{Name: "read-only", Usage: "refuse every change"},
	},
	Action: func(c *cli.Context) error {
		cfg, err := globalConfig(c)
		if err != nil {
			return err
		}
		if err := setupLogging(cfg, "gofer", "gofer"); err != nil {
			return err
		}
		gcfg := gofer.Config{Root: c.String("root"), ReadOnly: c.Bool("read-only")}
		rootFD, err := gofer.Setup(gcfg)
		if err != nil {
			return cli.Exit(fmt.Sprintf("runsc gofer: %v", err), 1)
		}
		if err := gofer.InstallFilter(); err != nil {
			return cli.Exit(fmt.Sprintf("runsc gofer: installing seccomp filter: %v", err), 1)
		}
		log.Debugf("gofer serving %s (read-only %v)", gcfg.Root, gcfg.ReadOnly)
		conn, err := unet.NewConn(control.GoferSocketFD)
		if err != nil {
			return cli.Exit(fmt.Sprintf("runsc gofer: socket: %v", err), 1)
		}
		if err := gofer.Serve(conn, rootFD, gcfg); err != nil {
			return cli.Exit(fmt.Sprintf("runsc gofer: %v", err), 1)
		}
		return nil
	},
}
