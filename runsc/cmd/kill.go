package cmd

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"moat/runsc/container"
)

// Kill is `runsc kill`: send a signal to a container's init (or, with
// --all, to every process in it).
var Kill = &cli.Command{
	Name:      "kill",
	Usage:     "send a signal to a container",
	ArgsUsage: "<container-id> [signal]",
	Flags: []cli.Flag{
		&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "send the signal to every process in the container"},
		&cli.IntFlag{Name: "pid", Usage: "send the signal to this process (a PID in the sandbox, or its waiter's host PID) instead of init"},
	},
	Action: func(c *cli.Context) error {
		if c.NArg() < 1 || c.NArg() > 2 {
			return fmt.Errorf("\"kill\" requires 1 or 2 arguments (a container id and a signal), got %d", c.NArg())
		}
		id := c.Args().Get(0)
		sigName := "SIGTERM"
		if c.NArg() == 2 {
			sigName = c.Args().Get(1)
		}
		sig, err := parseSignal(sigName)
		if err != nil {
			return err
		}
		cfg, err := setupCommand(c, id, "kill")
		if err != nil {
			return err
		}
		ct, err := container.Load(cfg, id)
		if err != nil {
			return err
		}
		defer ct.Close()
		pid, _ := ct.ResolvePID(int32(c.Int("pid")))
		return ct.Signal(sig, c.Bool("all"), pid)
	},
}

// parseSignal accepts a number, a name or a name without "SIG"
// ("9", "KILL", "SIGKILL", "sigkill").
func parseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 64 {
			return 0, fmt.Errorf("invalid signal %q", s)
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	sig := unix.SignalNum(name)
	if sig == 0 {
		return 0, fmt.Errorf("unknown signal %q", s)
	}
	return sig, nil
}
