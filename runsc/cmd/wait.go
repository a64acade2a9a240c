package cmd

import (
	"encoding/json"
	"os"

	"github.com/urfave/cli/v2"

	"moat/runsc/container"
)

// waitResult is what `runsc wait` prints (gVisor's format).
type waitResult struct {
	ID         string `json:"id"`
	ExitStatus int    `json:"exitStatus"`
}

// Wait is `runsc wait`: wait for a container's init to exit and print
// its exit status as JSON (128+N after death by signal N).
var Wait = &cli.Command{
	Name:      "wait",
	Usage:     "wait for a container to exit",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		&cli.IntFlag{Name: "pid", Usage: "wait for this process started by exec (a PID in the sandbox, or its waiter's host PID) instead of init"},
		// Internal: the waiter a --pid-file names (runsc/container/waiter.go).
		&cli.BoolFlag{Name: "exit-status", Hidden: true, Usage: "exit with the status instead of printing it"},
		&cli.IntFlag{Name: "ready-fd", Hidden: true, Usage: "with --exit-status: closed once signals are caught"},
	},
	Action: func(c *cli.Context) error {
		var sigs *container.SignalRelay
		if c.Bool("exit-status") {
			// Before anything else: the pid file naming this process
			// may be read, and the process signalled, from now on.
			sigs = container.CatchWaiterSignals(c.Int("ready-fd"))
		}
		id, err := containerID(c)
		if err != nil {
			return err
		}
		cfg, err := setupCommand(c, id, "wait")
		if err != nil {
			return err
		}
		ct, err := container.Load(cfg, id)
		if err != nil {
			return err
		}
		defer ct.Close()
		if c.Bool("exit-status") {
			os.Exit(ct.RunWaiter(int32(c.Int("pid")), sigs))
		}
		wait := ct.Wait
		if pid, waiter := ct.ResolvePID(int32(c.Int("pid"))); waiter != 0 {
			wait = func() (int, error) { return ct.WaitWaiter(waiter) }
		} else if pid != 0 {
			wait = func() (int, error) { return ct.WaitPID(pid) }
		}
		code, err := wait()
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(waitResult{ID: id, ExitStatus: code})
	},
}
