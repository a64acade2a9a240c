package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"moat/runsc/config"
)

// defaultDockerConfig is where dockerd reads its configuration.
const defaultDockerConfig = "/etc/docker/daemon.json"

// dockerConfigFlags are the flags install and uninstall share (gVisor's
// spelling config_file is accepted too).
func dockerConfigFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "config-file", Aliases: []string{"config_file"}, Value: defaultDockerConfig, Usage: "path to the Docker daemon's configuration file"},
		&cli.StringFlag{Name: "runtime", Value: "runsc", Usage: "name of the runtime in the configuration"},
	}
}

// Install is `runsc install`: register this runsc as a Docker runtime in
// daemon.json (docs/docker.md).
var Install = &cli.Command{
	Name:      "install",
	Usage:     "add this runsc as a runtime to Docker's daemon.json",
	ArgsUsage: "[-- runsc flags...]",
	Flags: append(dockerConfigFlags(),
		&cli.BoolFlag{Name: "clobber", Value: true, Usage: "replace an existing runtime of that name"},
		&cli.BoolFlag{Name: "experimental", Usage: `also set "experimental": true`},
	),
	Action: func(c *cli.Context) error {
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("finding runsc: %w", err)
		}
		args := c.Args().Slice()
		if len(args) > 0 && args[0] == "--" {
			args = args[1:]
		}
		if err := checkRuntimeArgs(args); err != nil {
			return err
		}
		return editDockerConfig(c.String("config-file"), func(cfg *dockerConfig) error {
			return cfg.install(c.String("runtime"), self, args, c.Bool("clobber"), c.Bool("experimental"))
		})
	},
}

// dockerConfig is daemon.json with every entry kept as written, so that
// editing one runtime changes nothing else (numbers, key spelling).
type dockerConfig struct {
	top      map[string]json.RawMessage
	runtimes map[string]json.RawMessage
}

// dockerRuntime is a runtime entry of the path form (dockerd 20.10 and
// later; docs/docker.md has the runtimeType form).
type dockerRuntime struct {
	Path        string   `json:"path"`
	RuntimeArgs []string `json:"runtimeArgs,omitempty"`
}

// parseDockerConfig reads daemon.json's content; empty content (or only
// white space) is an empty configuration.
func parseDockerConfig(path string, b []byte) (*dockerConfig, error) {
	cfg := &dockerConfig{top: map[string]json.RawMessage{}, runtimes: map[string]json.RawMessage{}}
	if len(bytes.TrimSpace(b)) == 0 {
		return cfg, nil
	}
	if err := json.Unmarshal(b, &cfg.top); err != nil {
		return nil, fmt.Errorf("parsing %s: %s", path, describeJSONError(b, err))
	}
	if cfg.top == nil {
		return nil, fmt.Errorf("parsing %s: want a JSON object, got null", path)
	}
	if rt, ok := cfg.top["runtimes"]; ok {
		if err := json.Unmarshal(rt, &cfg.runtimes); err != nil || cfg.runtimes == nil {
			return nil, fmt.Errorf("parsing %s: \"runtimes\" must be an object", path)
		}
	}
	return cfg, nil
}

// describeJSONError adds the line and column to a syntax error.
func describeJSONError(b []byte, err error) string {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field == "" {
			return fmt.Sprintf("want a JSON object, got %s", te.Value)
		}
		return err.Error()
	}
	line, col := 1, 1
	// Offset counts the bytes read up to and including the bad one.
	for _, c := range b[:max(min(int(se.Offset), len(b))-1, 0)] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

func (cfg *dockerConfig) install(name, path string, args []string, clobber, experimental bool) error {
	if name == "" {
		return errors.New("--runtime must not be empty")
	}
	if _, ok := cfg.runtimes[name]; ok && !clobber {
		return fmt.Errorf("runtime %q exists (use --clobber to replace it)", name)
	}
	b, err := json.Marshal(dockerRuntime{Path: path, RuntimeArgs: args})
	if err != nil {
		return err
	}
	cfg.runtimes[name] = b
	if experimental {
		cfg.top["experimental"] = json.RawMessage("true")
	}
	return nil
}

// marshal renders the configuration, indented, runtimes included (an
// empty runtimes object is kept: it was there, or a runtime was removed).
func (cfg *dockerConfig) marshal() ([]byte, error) {
	rt, err := json.Marshal(cfg.runtimes)
	if err != nil {
		return nil, err
	}
	cfg.top["runtimes"] = rt
	b, err := json.MarshalIndent(cfg.top, "", "    ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// editDockerConfig reads daemon.json at path (missing: empty), applies
// edit and writes the result atomically: a temporary file in the same
// directory, with the old file's mode, renamed over it. On any error the
// file is left as it was. A symlink is followed, so its target is edited.
func editDockerConfig(path string, edit func(*dockerConfig) error) error {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	mode := os.FileMode(0o644)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if fi, err := os.Stat(path); err == nil {
			mode = fi.Mode().Perm()
		}
	case errors.Is(err, os.ErrNotExist):
	default:
		return fmt.Errorf("reading %s: %w", path, err)
	}
	cfg, err := parseDockerConfig(path, b)
	if err != nil {
		return err
	}
	if err := edit(cfg); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	out, err := cfg.marshal()
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// checkRuntimeArgs refuses runtime arguments this runsc would refuse when
// dockerd runs it (gVisor's install checks them too): only global flags,
// with valid values.
func checkRuntimeArgs(args []string) error {
	fs := flag.NewFlagSet("runsc", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, f := range config.Flags() {
		if err := f.Apply(fs); err != nil {
			return err
		}
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("invalid runtime arguments %q: %w", args, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("invalid runtime arguments %q: %q is not a global flag", args, fs.Arg(0))
	}
	if _, err := config.FromContext(cli.NewContext(nil, fs, nil)); err != nil {
		return fmt.Errorf("invalid runtime arguments %q: %w", args, err)
	}
	return nil
}
