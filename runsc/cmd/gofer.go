package cmd

import (
	"encoding/json"
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
		&cli.StringFlag{Name: "bind-mounts", Usage: "JSON list of bind mounts ({source, readOnly}) served on fds 4, 5, ..."},
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
		var binds []control.GoferMount
		if b := c.String("bind-mounts"); b != "" {
			if err := json.Unmarshal([]byte(b), &binds); err != nil {
				return cli.Exit(fmt.Sprintf("runsc gofer: --bind-mounts: %v", err), 1)
			}
		}
		// Bind mounts are opened before Setup leaves the host's tree.
		var mountFDs []int
		for _, m := range binds {
			fd, err := gofer.OpenMount(m.Source, m.ReadOnly)
			if err != nil {
				return cli.Exit(fmt.Sprintf("runsc gofer: opening bind mount %q: %v", m.Source, err), 1)
			}
			mountFDs = append(mountFDs, fd)
		}
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
		for i, fd := range mountFDs {
			mconn, err := unet.NewConn(control.GoferSocketFD + 1 + i)
			if err != nil {
				return cli.Exit(fmt.Sprintf("runsc gofer: socket %d: %v", i, err), 1)
			}
			go func(m control.GoferMount) {
				if err := gofer.Serve(mconn, fd, gofer.Config{ReadOnly: m.ReadOnly}); err != nil {
					log.Warningf("serving bind mount %s: %v", m.Source, err)
				}
			}(binds[i])
		}
		if err := gofer.Serve(conn, rootFD, gcfg); err != nil {
			return cli.Exit(fmt.Sprintf("runsc gofer: %v", err), 1)
		}
		return nil
	},
}
