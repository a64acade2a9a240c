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
	Kernel *kernel.Kernel
	VFS    *vfs.VirtualFilesystem
	args   control.BootArgs
	stdio  []int
}

// New assembles a sentry: platform, mounts (root from root, a tmpfs on
// /tmp, devices on /dev) and kernel. stdio are the host fds given to the
// first process as 0, 1 and 2.
func New(cfg Config, args control.BootArgs, root RootFunc, stdio []int) (*Sandbox, error) {
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
	ctx := vfs.RootContext()
	devFS, errno := dev.New(v)
	if errno != 0 {
		return nil, fmt.Errorf("building /dev: %w", errno)
	}
	mounts := []struct {
		path string
		fs   *vfs.Filesystem
	}{{"/dev", devFS}}
	if args.TmpOnTmp {
		mounts = append(mounts, struct {
			path string
			fs   *vfs.Filesystem
		}{"/tmp", tmpfs.New(v, tmpfs.Options{RootMode: 0o1777})})
	}
	for _, m := range mounts {
		if _, errno := v.MountAt(ctx, v.Root(), m.path, m.fs, vfs.MountFlags{NoSuid: true}); errno != 0 {
			if errno == linux.ENOENT {
				// TODO(#3): create mount points (in the overlay) when
				// the root file system lacks them.
				log.Warningf("not mounting %s: the root file system has no such directory", m.path)
				continue
			}
			return nil, fmt.Errorf("mounting %s: %w", m.path, errno)
		}
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
	if _, errno := v.MountAt(ctx, v.Root(), "/proc", procFS, vfs.MountFlags{NoSuid: true, NoDev: true, NoExec: true}); errno != 0 {
		if errno != linux.ENOENT {
			return nil, fmt.Errorf("mounting /proc: %w", errno)
		}
		log.Warningf("not mounting /proc: the root file system has no such directory")
	}
	if err := mountDevpts(k, v); err != nil {
		return nil, err
	}
	return &Sandbox{Kernel: k, VFS: v, args: args, stdio: stdio}, nil
}

// --- pseudo-terminals (sentry/fs/devpts, docs/tty.md) ---

// mountDevpts mounts devpts on /dev/pts (/dev/ptmx is a symlink to
// pts/ptmx) with the OCI default options; its terminals signal process
// groups and sessions through k.
func mountDevpts(k *kernel.Kernel, v *vfs.VirtualFilesystem) error {
	pts := devpts.New(v, k, devpts.DefaultOptions)
	flags := vfs.MountFlags{NoSuid: true, NoExec: true}
	if _, errno := v.MountAt(vfs.RootContext(), v.Root(), "/dev/pts", pts, flags); errno != 0 {
		if errno != linux.ENOENT {
			return fmt.Errorf("mounting /dev/pts: %w", errno)
		}
		log.Warningf("not mounting /dev/pts: no /dev/pts directory")
	}
	return nil
}

// --- end of pseudo-terminals ---

// defaultPath is searched for a program name without a slash when the
// environment has no PATH.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Start starts the first process. A non-zero errno is the execve error
// (the program could not be run); an error is any other failure.
func (s *Sandbox) Start() (linux.Errno, error) {
	a := s.args
	creds := auth.NewUser(auth.KUID(a.UID), auth.KGID(a.GID), nil)
	ctx := credsContext{creds}
	root := s.VFS.Root()
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
	root := s.VFS.Root()
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
