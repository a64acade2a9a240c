package cmd

import (
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"moat/internal/log"
	"moat/runsc/config"
)

// setupLogging directs the process's log per the global flags: the debug
// log (expanded for id and command) when given, else --log, else stderr.
func setupLogging(cfg *config.Config, id, command string) error {
	level := log.Warning
	if cfg.Debug {
		level = log.Debug
	}
	path := cfg.DebugLogPath(id, command)
	if path == "" {
		path = cfg.Log
	} else if !cfg.Debug {
		level = log.Info
	}
	log.SetLevel(level)
	if cfg.Strace && level < log.Info {
		log.SetLevel(log.Info)
	}
	if path == "" {
		if command == "boot" || command == "gofer" {
			// The sandbox shares stderr with the application: its log
			// goes only where --log or --debug-log says.
			log.SetOutput(io.Discard, command)
			return nil
		}
		log.SetOutput(os.Stderr, command)
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("opening log %q: %w", path, err)
	}
	log.SetOutput(f, command)
	return nil
}

// globalConfig reads the global flags of the app.
func globalConfig(c *cli.Context) (*config.Config, error) {
	return config.FromContext(c)
}
