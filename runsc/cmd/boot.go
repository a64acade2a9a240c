package cmd

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"moat/internal/log"
	"moat/runsc/config"
	"moat/sentry/boot"
	"moat/sentry/control"
)

// Boot is `runsc boot`, the sandbox process that runs the sentry. It is
// started by runsc in fresh namespaces, never by hand.
var Boot = &cli.Command{
	Name:   "boot",
	Usage:  "run the sentry (internal)",
	Hidden: true,
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "container", Usage: "build the sandbox from a bundle (ContainerArgs on fd 3) for this container ID, and serve the control socket"},
	},
	Action: func(c *cli.Context) error {
		cfg, err := globalConfig(c)
		if err != nil {
			return err
		}
		id := c.String("container")
		logID := id
		if logID == "" {
			logID = "sandbox"
		}
		if err := setupLogging(cfg, logID, "boot"); err != nil {
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
		if id != "" {
			return bootContainer(cfg, status, report)
		}
		var args control.BootArgs
		// Every os.File made from a well-known fd is closed explicitly: a
		// finalizer would close the number later, after it was reused.
		argsFile := os.NewFile(control.BootArgsFD, "args")
		err = json.NewDecoder(argsFile).Decode(&args)
		argsFile.Close()
		if err != nil {
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
		s.ForwardSignals()
		report(control.StartStatus{Started: true})
		st := s.Wait()
		log.Infof("init exited: %+v", st)
		os.Exit(st.ShellCode())
		return nil
	},
}

// bootContainer builds a bundle's sandbox, reports it ready and serves the
// control socket until the sandbox is killed (runsc delete).
func bootContainer(cfg *config.Config, status *os.File, report func(control.StartStatus)) error {
	fail := func(err error) error {
		report(control.StartStatus{Error: err.Error()})
		return cli.Exit("", 128)
	}
	var args control.ContainerArgs
	argsFile := os.NewFile(control.BootArgsFD, "args")
	err := json.NewDecoder(argsFile).Decode(&args)
	argsFile.Close()
	if err != nil {
		return fail(fmt.Errorf("reading boot arguments: %w", err))
	}
	var mountFDs []int
	for i := range args.BindMounts {
		mountFDs = append(mountFDs, control.BootFirstMountFD+i)
	}
	ct, err := boot.NewContainer(boot.Config{Platform: cfg.Platform, Strace: cfg.Strace}, args,
		control.BootGoferFD, mountFDs, []int{0, 1, 2})
	if err != nil {
		return fail(err)
	}
	if err := boot.ConfineContainer(); err != nil {
		return fail(err)
	}
	// A runsc create that died before reading this leaves nobody who
	// knows the sandbox exists: end it rather than run unseen.
	b, _ := json.Marshal(&control.StartStatus{Started: true})
	_, err = status.Write(append(b, '\n'))
	status.Close()
	if err != nil {
		log.Warningf("reporting ready: %v; exiting", err)
		return cli.Exit("", 128)
	}
	if err := ct.ServeControl(control.BootControlFD); err != nil {
		log.Warningf("%v", err)
		return cli.Exit("", 128)
	}
	return nil
}
