package container

import (
	"errors"

	"moat/runsc/config"
)

// RunArgs are runsc run's arguments.
type RunArgs struct {
	CreateArgs
	PIDFile string
	// Detach returns once the container runs.
	Detach bool
	// Keep keeps the container's state after it exits.
	Keep bool
}

// Run creates and starts a container (runsc run). Without Detach it
// forwards the signals runsc receives to the container, waits for it,
// deletes it unless Keep, and returns its shell-style exit code.
func Run(cfg *config.Config, a RunArgs) (int, error) {
	a.foreground = !a.Detach
	c, err := Create(cfg, a.CreateArgs)
	if err != nil {
		return 0, err
	}
	// A terminal without a console socket is runsc's own stdio's.
	tty, err := c.attachTerminal(a.Stdio)
	if err != nil {
		c.destroy()
		c.Close()
		return 0, err
	}
	defer tty.Close()
	fail := func(err error) (int, error) {
		c.destroy()
		c.Close()
		return 0, err
	}
	if err := c.WritePIDFile(a.PIDFile); err != nil {
		return fail(err)
	}
	var sigs *SignalRelay
	if !a.Detach {
		// From before init runs (see Exec).
		sigs = catchSignals()
		defer sigs.stop()
	}
	if err := c.Start(); err != nil {
		return fail(err)
	}
	if a.Detach {
		c.Close()
		return 0, nil
	}
	sigs.relay(c, 0)
	code, err := c.Wait()
	if err != nil {
		return 0, err
	}
	tty.Close() // the container's last output first
	if a.Keep {
		return code, nil
	}
	c, err = Load(cfg, a.ID)
	if errors.Is(err, ErrNotExist) {
		return code, nil // deleted meanwhile
	}
	if err != nil {
		return code, err
	}
	defer c.Close()
	return code, c.destroy()
}
