// Package boot assembles a sentry from the boot arguments: platform, mount
// tree, kernel, the first process's file descriptors and credentials. It is
// the only package that imports everything in the sentry.
package boot

import (
	"fmt"
	"path"
	"strings"

	"golang.org/x/sys/unix"

	"moat/internal/log"
	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/control"
	"moat/sentry/fs/dev"
	"moat/sentry/fs/devpts"
	"moat/sentry/fs/host"
	"moat/sentry/fs/pipe"
	"moat/sentry/fs/proc"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/kernel"
	"moat/sentry/kernel/ipc"
	"moat/sentry/loader"
	"moat/sentry/platform"
	_ "moat/sentry/platform/ptrace" // registers "ptrace"
	"moat/sentry/syscalls"
	"moat/sentry/vfs"
)

// Config holds the sentry-wide options from the command line.
type Config struct {
	Platform string
	Strace   bool
}

// RootFunc builds the root file system of the sandbox. It may mount it as
// the root of v itself (to populate it first); otherwise New does.
type RootFunc func(v *vfs.VirtualFilesystem) (*vfs.Filesystem, error)

// Sandbox is an assembled sentry with its first process not yet started.
type Sandbox struct {
	// root is the root of the mount tree the sandbox's container sees
	// (zero: the VFS's root; a pod member's own tree otherwise).
	root vfs.VirtualDentry
	// host is the host snapshot /proc instances show.
	host *proc.HostInfo

	Kernel *kernel.Kernel
	VFS    *vfs.VirtualFilesystem
	args   control.BootArgs
	stdio  []int
	// std are the sentry's own /dev, /proc and /dev/pts file systems;
	// stdMounts their mounts once mounted.
	std       stdFilesystems
	stdMounts map[string]*vfs.Mount
	// ipcns is the IPC namespace whose queues the container's mqueue
	// mounts show (nil: the kernel's root namespace).
	ipcns *ipc.Namespace
}

// New assembles a sentry: platform, mounts (root from root, devices on
// /dev, a tmpfs on /tmp when asked, /proc, /dev/pts) and kernel. stdio
// are the host fds given to the first process as 0, 1 and 2.
func New(cfg Config, args control.BootArgs, root RootFunc, stdio []int) (*Sandbox, error) {
	s, err := newSandbox(cfg, args, root, stdio)
	if err != nil {
		return nil, err
	}
	if err := s.mountStd("/dev", "/dev", stdMountFlags["/dev"], ""); err != nil {
		return nil, err
	}
	if args.TmpOnTmp {
		tmp := tmpfs.New(s.VFS, tmpfs.Options{RootMode: 0o1777})
		if _, errno := s.VFS.MountAt(vfs.RootContext(), s.Root(), "/tmp", tmp, vfs.MountFlags{NoSuid: true}); errno == linux.ENOENT {
			log.Warningf("not mounting /tmp: the root file system has no such directory")
		} else if errno != 0 {
			return nil, fmt.Errorf("mounting /tmp: %w", errno)
		}
	}
	if err := s.mountStd("/proc", "/proc", stdMountFlags["/proc"], ""); err != nil {
		return nil, err
	}
	if err := s.mountStd("/dev/pts", "/dev/pts", stdMountFlags["/dev/pts"], ""); err != nil {
		return nil, err
	}
	return s, nil
}

// newSandbox builds the platform, the root mount, the kernel and the
// standard file systems (not mounted yet: New or NewContainer mount them).
func newSandbox(cfg Config, args control.BootArgs, root RootFunc, stdio []int) (*Sandbox, error) {
	loader.PrimeHostAuxv()
	hostInfo, err := proc.SnapshotHost()
	if err != nil {
		log.Warningf("procfs host snapshot: %v", err)
	}
	p, err := platform.New(cfg.Platform)
	if err != nil {
		return nil, err
	}
	v := vfs.New()
	v.SetFIFOFactory(pipe.NewFIFO)
	rootFS, err := root(v)
	if err != nil {
		return nil, fmt.Errorf("building root file system: %w", err)
	}
	if !v.Root().Ok() {
		if _, errno := v.MountRoot(rootFS, vfs.MountFlags{ReadOnly: args.RootReadOnly}); errno != 0 {
			return nil, fmt.Errorf("mounting root: %w", errno)
		}
	}
	devFS, errno := dev.New(v)
	if errno != 0 {
		return nil, fmt.Errorf("building /dev: %w", errno)
	}
	k, err := kernel.New(kernel.Config{
		Platform: p,
		Syscalls: syscalls.Table(),
		VFS:      v,
		Hostname: args.Hostname,
		Strace:   cfg.Strace,
		CPUs:     args.CPUs,
		Exec:     kernel.VFSExecOpener{},
	})
	if err != nil {
		return nil, err
	}
	procFS, err := proc.New(k, v, hostInfo)
	if err != nil {
		return nil, fmt.Errorf("building /proc: %w", err)
	}
	// Pseudo-terminals (sentry/fs/devpts, docs/tty.md): devpts with the
	// OCI default options; its terminals signal process groups and
	// sessions through k. /dev/ptmx is a symlink to pts/ptmx.
	pts := devpts.New(v, k, devpts.DefaultOptions)
	return &Sandbox{Kernel: k, VFS: v, args: args, stdio: stdio, host: hostInfo,
		std:       stdFilesystems{"/dev": devFS, "/proc": procFS, "/dev/pts": pts},
		stdMounts: map[string]*vfs.Mount{}}, nil
}

// defaultPath is searched for a program name without a slash when the
// environment has no PATH.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Start starts the first process. A non-zero errno is the execve error
// (the program could not be run); an error is any other failure.
func (s *Sandbox) Start() (linux.Errno, error) {
	a := s.args
	creds := auth.NewUser(auth.KUID(a.UID), auth.KGID(a.GID), nil)
	ctx := credsContext{creds}
	root := s.Root()
	cwdPath := a.Cwd
	if cwdPath == "" {
		cwdPath = "/"
	}
	cwd, errno := s.VFS.GetDirectoryAt(ctx, &vfs.PathOp{Root: root, Start: root, Path: cwdPath, Follow: true})
	if errno != 0 {
		return 0, fmt.Errorf("working directory %q: %w", cwdPath, errno)
	}
	fdt := kernel.NewFDTable()
	for i, hfd := range s.stdio {
		f, errno := host.NewFile(hfd, host.Options{})
		if errno != 0 {
			return 0, fmt.Errorf("stdio fd %d: %w", i, errno)
		}
		if errno := fdt.NewFDAt(int32(i), f, kernel.FDFlags{}); errno != 0 {
			return 0, fmt.Errorf("installing fd %d: %w", i, errno)
		}
		f.DecRef()
	}
	filename, errno := s.resolveProgram(ctx, cwd, a.Argv[0], a.Env)
	if errno != 0 {
		return errno, nil
	}
	limits := kernel.DefaultLimits()
	fdt.SetMaxFDs(limits[unix.RLIMIT_NOFILE].Cur)
	_, errno, err := s.Kernel.StartInit(kernel.ProcessArgs{
		Filename:  filename,
		Argv:      a.Argv,
		Envv:      a.Env,
		Creds:     creds,
		FDTable:   fdt,
		FSContext: kernel.NewFSContext(root, cwd, 0o022),
		Limits:    limits,
	})
	return errno, err
}

// resolveProgram finds argv[0] like execvp(3): a name without a slash is
// searched in PATH.
func (s *Sandbox) resolveProgram(ctx vfs.Context, cwd vfs.VirtualDentry, name string, env []string) (string, linux.Errno) {
	if name == "" {
		return "", linux.ENOENT
	}
	if strings.Contains(name, "/") {
		return name, 0
	}
	search := defaultPath
	for _, e := range env {
		if strings.HasPrefix(e, "PATH=") {
			search = e[5:]
		}
	}
	root := s.Root()
	firstErr := linux.ENOENT
	for _, dir := range strings.Split(search, ":") {
		if dir == "" {
			dir = "."
		}
		p := path.Join(dir, name)
		vd, errno := s.VFS.GetDentryAt(ctx, &vfs.PathOp{Root: root, Start: cwd, Path: p, Follow: true})
		if errno == 0 {
			if vd.Dentry().Type() == unix.S_IFREG {
				return p, 0
			}
			if firstErr == linux.ENOENT {
				firstErr = linux.EACCES
			}
		}
	}
	return "", firstErr
}

// Wait waits for the first process to exit.
func (s *Sandbox) Wait() kernel.ExitStatus { return s.Kernel.Wait() }

// credsContext is a vfs.Context with fixed credentials.
type credsContext struct{ c *auth.Credentials }

func (c credsContext) Credentials() *auth.Credentials { return c.c }
