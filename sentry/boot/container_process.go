package boot

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/fs/host"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// rlimitNames maps the spec's rlimit types to RLIMIT_* numbers.
var rlimitNames = map[string]int{
	"RLIMIT_CPU": unix.RLIMIT_CPU, "RLIMIT_FSIZE": unix.RLIMIT_FSIZE,
	"RLIMIT_DATA": unix.RLIMIT_DATA, "RLIMIT_STACK": unix.RLIMIT_STACK,
	"RLIMIT_CORE": unix.RLIMIT_CORE, "RLIMIT_RSS": unix.RLIMIT_RSS,
	"RLIMIT_NPROC": unix.RLIMIT_NPROC, "RLIMIT_NOFILE": unix.RLIMIT_NOFILE,
	"RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK, "RLIMIT_AS": unix.RLIMIT_AS,
	"RLIMIT_LOCKS": unix.RLIMIT_LOCKS, "RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING,
	"RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE, "RLIMIT_NICE": unix.RLIMIT_NICE,
	"RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO, "RLIMIT_RTTIME": unix.RLIMIT_RTTIME,
}

// capNames maps capability names to numbers (CAP_CHOWN = 0, ...).
var capNames = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
}

func capSet(names []string) (auth.CapSet, error) {
	var s auth.CapSet
	for _, n := range names {
		found := false
		for i, c := range capNames {
			if c == n {
				s |= 1 << uint(i)
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown capability %q", n)
		}
	}
	return s, nil
}

// credentials are the process's emulated credentials: user, groups,
// capabilities (when the spec lists them) and no_new_privs.
func credentials(p *specs.Process) (*auth.Credentials, error) {
	var extra []auth.KGID
	for _, g := range p.User.AdditionalGids {
		extra = append(extra, auth.KGID(g))
	}
	creds := auth.NewUser(auth.KUID(p.User.UID), auth.KGID(p.User.GID), extra)
	if c := p.Capabilities; c != nil {
		var err error
		sets := []struct {
			dst   *auth.CapSet
			names []string
		}{
			{&creds.PermittedCaps, c.Permitted}, {&creds.EffectiveCaps, c.Effective},
			{&creds.BoundingCaps, c.Bounding}, {&creds.InheritableCaps, c.Inheritable},
			{&creds.AmbientCaps, c.Ambient},
		}
		for _, s := range sets {
			if *s.dst, err = capSet(s.names); err != nil {
				return nil, err
			}
		}
	}
	creds.NoNewPrivs = p.NoNewPrivileges
	return creds, nil
}

// prepare builds the arguments to start p: credentials, working
// directory, program (searched in p's PATH), limits and umask. With stdio
// nil it only checks that the program can be found and returns nil
// arguments. With p.Terminal, stdio is one host terminal instead
// (container_tty.go). stdio fds are owned by the process's files once prepare
// succeeds.
func (c *Container) prepare(p *specs.Process, stdio []int) (*kernel.ProcessArgs, linux.Errno, error) {
	if len(p.Args) == 0 {
		return nil, 0, fmt.Errorf("the process has no args")
	}
	creds, err := credentials(p)
	if err != nil {
		return nil, 0, err
	}
	ctx := credsContext{creds}
	s := c.sb
	root := s.Root()
	cwdPath := p.Cwd
	if cwdPath == "" {
		cwdPath = "/"
	}
	cwd, errno := s.VFS.GetDirectoryAt(ctx, &vfs.PathOp{Root: root, Start: root, Path: cwdPath, Follow: true})
	if errno != 0 {
		return nil, 0, fmt.Errorf("working directory %q: %w", cwdPath, errno)
	}
	filename, errno := s.resolveProgram(ctx, cwd, p.Args[0], p.Env)
	if errno != 0 {
		return nil, errno, nil
	}
	if stdio == nil {
		// Only a check: the program must be a regular file (execve
		// reports the finer errors).
		vd, errno := s.VFS.GetDentryAt(ctx, &vfs.PathOp{Root: root, Start: cwd, Path: filename, Follow: true})
		if errno == 0 && vd.Dentry().Type() != unix.S_IFREG {
			errno = linux.EACCES
		}
		return nil, errno, nil
	}
	limits := kernel.DefaultLimits()
	for _, rl := range p.Rlimits {
		n, ok := rlimitNames[rl.Type]
		if !ok {
			return nil, 0, fmt.Errorf("unknown rlimit %q", rl.Type)
		}
		limits[n] = kernel.Rlimit{Cur: rl.Soft, Max: rl.Hard}
	}
	umask := uint32(0o022)
	if p.User.Umask != nil {
		umask = *p.User.Umask & 0o777
	}
	fdt := kernel.NewFDTable()
	fdt.SetMaxFDs(limits[unix.RLIMIT_NOFILE].Cur)
	var tty kernel.StartTerminal
	if p.Terminal {
		// stdio is the host terminal alone (container_tty.go).
		if len(stdio) != 1 {
			return nil, 0, fmt.Errorf("process.terminal: want one terminal descriptor, got %d", len(stdio))
		}
		if tty, err = c.installTerminal(creds, stdio[0], fdt); err != nil {
			return nil, 0, err
		}
	} else if err := installStdio(fdt, stdio); err != nil {
		return nil, 0, err
	}
	return &kernel.ProcessArgs{
		Filename:  filename,
		Argv:      p.Args,
		Envv:      p.Env,
		Creds:     creds,
		FDTable:   fdt,
		FSContext: kernel.NewFSContext(root, cwd, umask),
		// The container's namespace and label (container_multi.go).
		PIDNamespace: c.pidns,
		IPCNamespace: c.ipcns,
		Container:    c.label(),
		Limits:       limits,
		Terminal:     tty,
	}, 0, nil
}

// installStdio installs host fds as descriptors 0, 1, 2... of fdt.
func installStdio(fdt *kernel.FDTable, stdio []int) error {
	for i, hfd := range stdio {
		f, errno := host.NewFile(hfd, host.Options{})
		if errno != 0 {
			return fmt.Errorf("stdio fd %d: %w", i, errno)
		}
		errno = fdt.NewFDAt(int32(i), f, kernel.FDFlags{})
		f.DecRef()
		if errno != 0 {
			return fmt.Errorf("installing fd %d: %w", i, errno)
		}
	}
	return nil
}
