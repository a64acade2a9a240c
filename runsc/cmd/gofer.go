package cmd

import (
	"encoding/json"
	"fmt"
	"os"

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
		&cli.StringFlag{Name: "mount-points", Usage: "JSON list of the spec's mounts ({path, file, transparent}) whose missing mount points are created in the root first"},
		&cli.IntFlag{Name: "status-fd", Value: -1, Usage: "descriptor to write a start-up error to, closed once serving"},
	},
	Action: func(c *cli.Context) error {
		cfg, err := globalConfig(c)
		if err != nil {
			return err
		}
		if err := setupLogging(cfg, "gofer", "gofer"); err != nil {
			return err
		}
		// A start-up error also goes to the status descriptor, for runsc
		// create to report (its stderr is /dev/null).
		var status *os.File
		if fd := c.Int("status-fd"); fd >= 0 {
			status = os.NewFile(uintptr(fd), "gofer-status")
		}
		fail := func(format string, args ...any) error {
			msg := fmt.Sprintf(format, args...)
			if status != nil {
				status.WriteString(msg)
				status.Close()
			}
			return cli.Exit("runsc gofer: "+msg, 1)
		}
		gcfg := gofer.Config{Root: c.String("root"), ReadOnly: c.Bool("read-only")}
		var binds []control.GoferMount
		if b := c.String("bind-mounts"); b != "" {
			if err := json.Unmarshal([]byte(b), &binds); err != nil {
				return fail("--bind-mounts: %v", err)
			}
		}
		// Missing mount points are made in the host's rootfs, before
		// anything is opened or confined (runc does it whether or not the
		// root is read-only; read-only is the container's view).
		if b := c.String("mount-points"); b != "" {
			var mps []gofer.MountPoint
			if err := json.Unmarshal([]byte(b), &mps); err != nil {
				return fail("--mount-points: %v", err)
			}
			if err := gofer.MakeMountPoints(gcfg.Root, mps); err != nil {
				return fail("%v", err)
			}
		}
		// Bind mounts are opened before Setup leaves the host's tree.
		var mountFDs []int
		for _, m := range binds {
			fd, err := gofer.OpenMount(m.Source, m.ReadOnly)
			if err != nil {
				return fail("opening bind mount %q: %v", m.Source, err)
			}
			mountFDs = append(mountFDs, fd)
		}
		rootFD, err := gofer.Setup(gcfg)
		if err != nil {
			return fail("%v", err)
		}
		if err := gofer.InstallFilter(); err != nil {
			return fail("installing seccomp filter: %v", err)
		}
		if status != nil {
			status.Close()
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
