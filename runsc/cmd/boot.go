package cmd

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"moat/internal/log"
	"moat/sentry/boot"
	"moat/sentry/control"
)

// Boot is `runsc boot`, the sandbox process that runs the sentry. It is
// started by runsc in fresh namespaces, never by hand.
var Boot = &cli.Command{
	Name:   "boot",
	Usage:  "run the sentry (internal)",
	Hidden: true,
	Action: func(c *cli.Context) error {
		cfg, err := globalConfig(c)
		if err != nil {
			return err
		}
		if err := setupLogging(cfg, "sandbox", "boot"); err != nil {
			return err
		}
		// Nothing the sandbox inherited may leak into what it starts.
		if err := unix.CloseRange(control.BootGoferFD+1, ^uint(0)>>1, unix.CLOSE_RANGE_CLOEXEC); err != nil {
			return cli.Exit(fmt.Sprintf("runsc boot: marking inherited fds close-on-exec: %v", err), 128)
		}
		for fd := control.BootArgsFD; fd <= control.BootGoferFD; fd++ {
			unix.CloseOnExec(fd)
		}
		status := os.NewFile(control.BootStatusFD, "status")
		report := func(ss control.StartStatus) {
			json.NewEncoder(status).Encode(&ss)
			status.Close()
		}
		if err := boot.SetupNamespace(); err != nil {
			report(control.StartStatus{Error: err.Error()})
			return cli.Exit("", 128)
		}
		if err := boot.DropBoundingSet(); err != nil {
			report(control.StartStatus{Error: err.Error()})
			return cli.Exit("", 128)
		}
		var args control.BootArgs
		if err := json.NewDecoder(os.NewFile(control.BootArgsFD, "args")).Decode(&args); err != nil {
			report(control.StartStatus{Error: fmt.Sprintf("reading boot arguments: %v", err)})
			return cli.Exit("", 128)
		}
		s, err := boot.New(boot.Config{Platform: cfg.Platform, Strace: cfg.Strace}, args,
			boot.GoferRoot(control.BootGoferFD, args.RootReadOnly), []int{0, 1, 2})
		if err != nil {
			report(control.StartStatus{Error: err.Error()})
			return cli.Exit("", 128)
		}
		if err := boot.Confine(); err != nil {
			report(control.StartStatus{Error: err.Error()})
			return cli.Exit("", 128)
		}
		errno, err := s.Start()
		switch {
		case err != nil:
			report(control.StartStatus{Error: err.Error()})
			return cli.Exit("", 128)
		case errno != 0:
			report(control.StartStatus{Errno: int(errno)})
			return cli.Exit("", 128)
		}
		report(control.StartStatus{Started: true})
		st := s.Wait()
		log.Infof("init exited: %+v", st)
		os.Exit(st.ShellCode())
		return nil
	},
}
