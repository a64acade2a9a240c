package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"moat/internal/log"
	"moat/runsc/config"
)

// setupLogging directs the process's log per the global flags: the debug
// log (expanded for id and command) when given, else --log, else stderr.
// --log-format json makes the lines of --log and stderr runc's JSON
// entries; the debug log stays text (gVisor's --debug-log-format default).
func setupLogging(cfg *config.Config, id, command string) error {
	level := log.Warning
	if cfg.Debug {
		level = log.Debug
	}
	path := cfg.DebugLogPath(id, command)
	if path == "" {
		path = cfg.Log
		log.SetJSON(cfg.LogFormat == "json")
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
	if cfg.DebugLog != "" {
		// As gVisor: --debug-log's directory is made when missing.
		if err := os.MkdirAll(filepath.Dir(path), 0o775); err != nil {
			return fmt.Errorf("creating the debug log directory: %w", err)
		}
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

// LogError appends a command's final error to the --log file, as runc
// does: containerd's runc shim (Docker's path runtimes) reads the last
// "error" entry of the JSON log for the message, because runsc's stderr
// may be the container's own.
func LogError(c *cli.Context, err error) {
	path := c.String("log")
	if path == "" || err == nil || err.Error() == "" {
		return
	}
	f, ferr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if ferr != nil {
		return
	}
	defer f.Close()
	now := time.Now().UTC()
	if c.String("log-format") == "json" {
		b, _ := json.Marshal(struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
			Time  string `json:"time"`
		}{"error", err.Error(), now.Format(time.RFC3339Nano)})
		f.Write(append(b, '\n'))
		return
	}
	fmt.Fprintf(f, "E%s %7d %s] %v\n", now.Format("0102 15:04:05.000000"), os.Getpid(), c.Command.Name, err)
}
