// Package config defines every global runsc flag once: the Config struct,
// its command-line flags, and its round trip to the argument lists runsc
// passes to its own child processes (boot, gofer).
package config

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// Config is the set of global flags.
type Config struct {
	// RootDir is the state directory (--root).
	RootDir string
	// Log is where runsc's own log goes (--log); LogFormat is text or json.
	Log       string
	LogFormat string
	// Debug enables debug logging (--debug).
	Debug bool
	// DebugLog is a file or directory for debug logs (--debug-log); "%ID%"
	// and "%COMMAND%" expand to the container ID and subcommand.
	DebugLog string
	// Platform names the platform (--platform).
	Platform string
	// Network is the network mode (--network).
	Network string
	// Strace logs every application syscall (--strace).
	Strace bool
	// SystemdCgroup reads linux.cgroupsPath as systemd's
	// "slice:prefix:name" (--systemd-cgroup).
	SystemdCgroup bool
	// Warnings name the gVisor flags given that Moat ignores (gvisor.go);
	// the command logs them once its log is set up.
	Warnings []string
}

// Flags returns the global flags.
func Flags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "root", Value: "/run/moat", Usage: "state directory"},
		&cli.StringFlag{Name: "log", Usage: "file for runsc's own log (default stderr)"},
		&cli.StringFlag{Name: "log-format", Value: "text", Usage: "log format: text or json"},
		&cli.BoolFlag{Name: "debug", Usage: "enable debug logging"},
		&cli.StringFlag{Name: "debug-log", Usage: "file or directory (ending in /) for debug logs; %ID% and %COMMAND% are expanded"},
		&cli.StringFlag{Name: "platform", Value: "ptrace", Usage: "platform that runs application code: ptrace"},
		&cli.StringFlag{Name: "network", Value: "none", Usage: "network mode: none"},
		&cli.BoolFlag{Name: "strace", Usage: "log every application system call with its arguments, result and duration"},
		&cli.BoolFlag{Name: "systemd-cgroup", Usage: "linux.cgroupsPath is systemd's slice:prefix:name (mapped to its cgroupfs directory; no D-Bus)"},
	}, gvisorCLIFlags()...)
}

// FromContext reads and validates the global flags.
func FromContext(c *cli.Context) (*Config, error) {
	cfg := &Config{
		RootDir:   c.String("root"),
		Log:       c.String("log"),
		LogFormat: c.String("log-format"),
		Debug:     c.Bool("debug"),
		DebugLog:  c.String("debug-log"),
		Platform:  c.String("platform"),
		Network:   c.String("network"),
		Strace:    c.Bool("strace"),

		SystemdCgroup: c.Bool("systemd-cgroup"),
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	w, err := checkGvisorFlags(c)
	if err != nil {
		return nil, err
	}
	cfg.Warnings = w
	return cfg, nil
}

// Validate rejects values Moat does not implement.
func (c *Config) Validate() error {
	switch c.Platform {
	case "ptrace":
	default:
		return fmt.Errorf("invalid --platform=%q: Moat implements ptrace", c.Platform)
	}
	switch c.Network {
	case "none":
	default:
		return fmt.Errorf("invalid --network=%q: Moat implements none (loopback only) so far", c.Network)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("invalid --log-format=%q: want text or json", c.LogFormat)
	}
	return nil
}

// ToArgs renders the config as global flags for a child runsc process.
func (c *Config) ToArgs() []string {
	args := []string{
		"--root=" + c.RootDir,
		"--log-format=" + c.LogFormat,
		"--platform=" + c.Platform,
		"--network=" + c.Network,
	}
	if c.Log != "" {
		args = append(args, "--log="+c.Log)
	}
	if c.Debug {
		args = append(args, "--debug")
	}
	if c.DebugLog != "" {
		args = append(args, "--debug-log="+c.DebugLog)
	}
	if c.Strace {
		args = append(args, "--strace")
	}
	return args
}

// DebugLogPath expands the --debug-log template for a container ID and
// subcommand. A value ending in "/" names a directory.
func (c *Config) DebugLogPath(id, command string) string {
	p := c.DebugLog
	if p == "" {
		return ""
	}
	if strings.HasSuffix(p, "/") {
		p += "runsc.log.%ID%.%COMMAND%"
	}
	p = strings.ReplaceAll(p, "%ID%", id)
	return strings.ReplaceAll(p, "%COMMAND%", command)
}
