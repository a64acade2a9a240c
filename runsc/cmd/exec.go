package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"

	"moat/runsc/container"
)

// Exec is `runsc exec`: run a process in a running container.
var Exec = &cli.Command{
	Name:      "exec",
	Usage:     "execute a new process inside a container",
	ArgsUsage: "<container-id> <command> [args...]",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "process", Aliases: []string{"p"}, Usage: "JSON file with the process (runtime-spec Process)"},
		&cli.StringFlag{Name: "cwd", Usage: "working directory"},
		&cli.StringSliceFlag{Name: "env", Aliases: []string{"e"}, Usage: "KEY=VALUE added to the environment"},
		&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "UID[:GID]"},
		&cli.StringSliceFlag{Name: "additional-gids", Aliases: []string{"g"}, Usage: "additional group ids"},
		&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "return once the process started"},
		&cli.StringFlag{Name: "pid-file", Usage: "file to write the process's pid to (with --detach: the host pid of a runsc process that waits for it and exits with its status)"},
		&cli.StringFlag{Name: "internal-pid-file", Usage: "file to write the process's pid in the sandbox to"},
		&cli.BoolFlag{Name: "tty", Aliases: []string{"t"}, Usage: "give the process a terminal"},
		&cli.StringFlag{Name: "console-socket", Usage: "with --detach: path to an AF_UNIX socket that receives the master of the process's terminal"},
		&cli.StringSliceFlag{Name: "cap", Aliases: []string{"c"}, Usage: "add a capability"},
	},
	Action: func(c *cli.Context) error {
		if c.NArg() < 1 {
			return fmt.Errorf("\"exec\" requires a container id")
		}
		id := c.Args().First()
		cfg, err := setupCommand(c, id, "exec")
		if err != nil {
			return err
		}
		ct, err := container.Load(cfg, id)
		if err != nil {
			return err
		}
		defer ct.Close()
		p, err := execProcess(c, ct)
		if err != nil {
			return err
		}
		code, err := ct.Exec(container.ExecArgs{
			Process: p, Stdio: [3]*os.File{os.Stdin, os.Stdout, os.Stderr},
			Detach: c.Bool("detach"), PIDFile: c.String("pid-file"), InternalPIDFile: c.String("internal-pid-file"),
			ConsoleSocket: c.String("console-socket"),
		})
		if err != nil {
			return err
		}
		os.Exit(code)
		return nil
	},
}

// execProcess builds the process from --process or from the arguments
// and flags over the container's own process.
func execProcess(c *cli.Context, ct *container.Container) (*specs.Process, error) {
	if f := c.String("process"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading process file: %w", err)
		}
		var p specs.Process
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, fmt.Errorf("parsing process file %s: %w", f, err)
		}
		return &p, nil
	}
	if c.NArg() < 2 {
		return nil, fmt.Errorf("\"exec\" requires a command (or --process)")
	}
	p, err := ct.DefaultProcess(c.Args().Slice()[1:])
	if err != nil {
		return nil, err
	}
	if cwd := c.String("cwd"); cwd != "" {
		p.Cwd = cwd
	}
	p.Env = append(p.Env, c.StringSlice("env")...)
	p.Terminal = c.Bool("tty")
	if u := c.String("user"); u != "" {
		uid, gid, _ := strings.Cut(u, ":")
		n, err := strconv.ParseUint(uid, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("invalid --user %q: want UID[:GID]", u)
		}
		p.User.UID = uint32(n)
		if gid != "" {
			g, err := strconv.ParseUint(gid, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("invalid --user %q: want UID[:GID]", u)
			}
			p.User.GID = uint32(g)
		}
	}
	for _, g := range c.StringSlice("additional-gids") {
		n, err := strconv.ParseUint(g, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("invalid --additional-gids %q", g)
		}
		p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(n))
	}
	if caps := c.StringSlice("cap"); len(caps) > 0 {
		if p.Capabilities == nil {
			p.Capabilities = &specs.LinuxCapabilities{}
		}
		pc := p.Capabilities
		pc.Bounding = append(pc.Bounding, caps...)
		pc.Effective = append(pc.Effective, caps...)
		pc.Permitted = append(pc.Permitted, caps...)
	}
	return p, nil
}
