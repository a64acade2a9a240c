package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"moat/cgroups"
	"moat/runsc/config"
	"moat/sentry/control"
)

// JoinArgs describe a container created inside a running sandbox (a pod
// member, docs/kubernetes.md).
type JoinArgs struct {
	CreateArgs
	// ControlSocket is the running sandbox's control socket.
	ControlSocket string
	// SharePIDNamespace puts the container in the sandbox's PID namespace.
	SharePIDNamespace bool
}

// Join starts a gofer for the container's root file system and bind
// mounts and has the sandbox at a.ControlSocket build the container
// (MethodCreateContainer, the gofer sockets and stdio passed with it). It
// returns the gofer's PID; on failure the gofer is gone.
func Join(cfg *config.Config, a JoinArgs) (goferPID int, err error) {
	binds, bindIdx, err := bindMounts(a.Spec, a.Bundle)
	if err != nil {
		return 0, err
	}
	if err := unix.CloseRange(3, ^uint(0)>>1, unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return 0, fmt.Errorf("marking inherited fds close-on-exec: %w", err)
	}
	// The container's own host cgroup holds its gofer; its application
	// processes run in the sandbox, in the sandbox container's cgroup
	// (docs/kubernetes.md).
	cg, err := setupCgroup(cfg, a.CreateArgs)
	if err != nil {
		return 0, fmt.Errorf("setting up cgroup: %w", err)
	}
	defer func() {
		if err != nil {
			cg.Destroy()
			os.Remove(filepath.Join(a.StateDir, cgroups.StateFile))
		}
	}()
	gofer, sentryEnds, goferStatus, err := startGofer(cfg, a.Spec, a.Bundle, binds)
	if err != nil {
		return 0, err
	}
	defer func() {
		for _, f := range sentryEnds {
			f.Close()
		}
		goferStatus.Close()
		if err != nil {
			gofer.Process.Kill()
			gofer.Wait()
		}
	}()
	if err := cg.AddProcess(gofer.Process.Pid); err != nil {
		return 0, err
	}
	if p := a.Spec.Process; p != nil && p.OOMScoreAdj != nil {
		if err := setOOMScoreAdj(gofer.Process.Pid, *p.OOMScoreAdj); err != nil {
			return 0, err
		}
	}
	specJSON, err := json.Marshal(a.Spec)
	if err != nil {
		return 0, fmt.Errorf("encoding the spec: %w", err)
	}
	fds := []int{int(a.Stdio[0].Fd()), int(a.Stdio[1].Fd()), int(a.Stdio[2].Fd())}
	names := []string{"stdin", "stdout", "stderr", "gofer"}
	for i, f := range sentryEnds {
		fds = append(fds, int(f.Fd()))
		if i > 0 {
			names = append(names, "mount")
		}
	}
	_, err = Call(a.ControlSocket, &control.Request{
		Method:      control.MethodCreateContainer,
		ContainerID: a.ID,
		Create:      &control.CreateContainerArgs{Spec: specJSON, BindMounts: bindIdx, SharePIDNamespace: a.SharePIDNamespace},
		FDs:         names,
	}, fds)
	if err != nil {
		if gerr := goferError(goferStatus); gerr != nil {
			return 0, gerr
		}
		return 0, err
	}
	pid := gofer.Process.Pid
	gofer.Process.Release() // it outlives this command
	return pid, nil
}

// startGofer starts the gofer for spec's root and bind mounts in its own
// session and mount namespace, and returns it with the sentry's ends of
// its sockets (the root's first, then one per bind mount), which the
// caller closes once it has passed them on, and the read end of its
// status pipe (see goferError), which the caller closes too. The gofer
// first creates the missing mount points of spec's mounts in the rootfs
// (mountpoints.go).
func startGofer(cfg *config.Config, spec *specs.Spec, bundle string, binds []control.GoferMount) (*exec.Cmd, []*os.File, *os.File, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("finding runsc: %w", err)
	}
	var goferEnds, sentryEnds []*os.File
	closeAll := func(fs []*os.File) {
		for _, f := range fs {
			f.Close()
		}
	}
	// The gofer's ends are closed here once it has them (or failed to
	// start), so that a gofer that dies gives the sandbox EOF, not a hang.
	defer func() { closeAll(goferEnds) }()
	for i := 0; i <= len(binds); i++ {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			closeAll(sentryEnds)
			return nil, nil, nil, fmt.Errorf("creating gofer socket: %w", err)
		}
		goferEnds = append(goferEnds, os.NewFile(uintptr(fds[0]), "gofer"))
		sentryEnds = append(sentryEnds, os.NewFile(uintptr(fds[1]), "sentry-gofer"))
	}
	statusR, statusW, err := os.Pipe()
	if err != nil {
		closeAll(sentryEnds)
		return nil, nil, nil, fmt.Errorf("creating gofer status pipe: %w", err)
	}
	goferEnds = append(goferEnds, statusW)
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		closeAll(append(sentryEnds, statusR))
		return nil, nil, nil, err
	}
	defer devnull.Close()
	gargs := append(cfg.ToArgs(), "gofer", "--root="+spec.Root.Path,
		fmt.Sprintf("--status-fd=%d", control.GoferSocketFD+len(goferEnds)-1))
	if spec.Root.Readonly {
		gargs = append(gargs, "--read-only")
	}
	if mps := mountPoints(spec, bundle); len(mps) > 0 {
		b, _ := json.Marshal(mps)
		gargs = append(gargs, "--mount-points="+string(b))
	}
	if len(binds) > 0 {
		b, _ := json.Marshal(binds)
		gargs = append(gargs, "--bind-mounts="+string(b))
	}
	gofer := exec.Command(self, gargs...)
	gofer.ExtraFiles = goferEnds // fds 3, 4, ..., then the status pipe
	gofer.Stdin, gofer.Stdout, gofer.Stderr = devnull, devnull, devnull
	gofer.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Cloneflags: syscall.CLONE_NEWNS}
	if err := gofer.Start(); err != nil {
		closeAll(append(sentryEnds, statusR))
		return nil, nil, nil, fmt.Errorf("starting gofer: %w", err)
	}
	return gofer, sentryEnds, statusR, nil
}

// goferError returns the error the gofer reported on its status pipe
// while starting (a mount point it could not create, a bind source it
// could not open), or nil. It reads until the gofer closes the pipe: once
// it serves, or when it exits. Callers ask when the sandbox failed, whose
// own error is then often just the gofer's connection closing.
func goferError(status *os.File) error {
	b, _ := io.ReadAll(status)
	if len(b) == 0 {
		return nil
	}
	return fmt.Errorf("gofer: %s", b)
}
