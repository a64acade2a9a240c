package sandbox

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"moat/cgroups"
	"moat/runsc/config"
	"moat/sentry/control"
)

// ControlSocketName is the control socket's name in the state directory.
const ControlSocketName = "sandbox.sock"

// CreateArgs describe a container to create from a bundle.
type CreateArgs struct {
	ID string
	// Spec is the bundle's validated spec (root path absolute).
	Spec *specs.Spec
	// Bundle is the bundle directory (relative bind sources resolve in it).
	Bundle string
	// StateDir is the container's state directory: the control socket
	// is created there.
	StateDir string
	// Stdio are the container's stdin, stdout and stderr (the caller's).
	Stdio [3]*os.File
}

// Processes are the host processes of a created sandbox.
type Processes struct {
	SandboxPID int
	GoferPID   int
	// ControlSocket is the path of the sandbox's control socket.
	ControlSocket string
}

// Create starts the gofer and the sandbox process for a bundle, detached
// from the caller (their own session, no parent-death signal), and
// returns once the sandbox is ready for MethodStart. On failure nothing
// is left running and the control socket is removed.
func Create(cfg *config.Config, a CreateArgs) (p *Processes, err error) {
	binds, bindIdx, err := bindMounts(a.Spec, a.Bundle)
	if err != nil {
		return nil, err
	}
	if err := unix.CloseRange(3, ^uint(0)>>1, unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return nil, fmt.Errorf("marking inherited fds close-on-exec: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding runsc: %w", err)
	}
	var closers []*os.File
	defer func() {
		for _, f := range closers {
			f.Close()
		}
	}()
	sock := filepath.Join(a.StateDir, ControlSocketName)
	listener, err := listenControl(sock)
	if err != nil {
		return nil, err
	}
	closers = append(closers, listener)
	defer func() {
		if err != nil {
			os.Remove(sock)
		}
	}()
	// The container's host cgroup, made before any of its processes exist
	// and recorded in the state directory; removed again on failure.
	cg, err := setupCgroup(cfg, a)
	if err != nil {
		return nil, fmt.Errorf("setting up cgroup: %w", err)
	}
	defer func() {
		if err != nil {
			cg.Destroy()
			os.Remove(filepath.Join(a.StateDir, cgroups.StateFile))
		}
	}()

	// The gofer, with its sockets: the root file system, then one per
	// bind mount.
	gofer, sentryEnds, goferStatus, err := startGofer(cfg, a.Spec, a.Bundle, binds)
	if err != nil {
		return nil, err
	}
	closers = append(closers, sentryEnds...)
	closers = append(closers, goferStatus)
	defer func() {
		if err != nil {
			gofer.Process.Kill()
			gofer.Wait()
		}
	}()

	argsR, argsW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	statusR, statusW, err := os.Pipe()
	if err != nil {
		argsR.Close()
		argsW.Close()
		return nil, err
	}
	closers = append(closers, argsR, argsW, statusR, statusW)
	sb := exec.Command(self, append(cfg.ToArgs(), "boot", "--container="+a.ID)...)
	// fds 3 args, 4 status, 5 root gofer, 6 control, 7... bind mounts.
	sb.ExtraFiles = append([]*os.File{argsR, statusW, sentryEnds[0], listener}, sentryEnds[1:]...)
	sb.Stdin, sb.Stdout, sb.Stderr = a.Stdio[0], a.Stdio[1], a.Stdio[2]
	sb.SysProcAttr = &syscall.SysProcAttr{
		Setsid:     true,
		Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWNS | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS | syscall.CLONE_NEWNET,
	}
	if p := a.Spec.Process; p != nil && p.Terminal {
		// Stdio are the replica of the process's host pty (docs/tty.md).
		// As the sandbox's controlling terminal, the host kernel tells
		// it of window size changes (SIGWINCH).
		sb.SysProcAttr.Setctty, sb.SysProcAttr.Ctty = true, 0
	}
	netns := networkNamespacePath(a.Spec)
	if netns != "" {
		sb.SysProcAttr.Cloneflags &^= syscall.CLONE_NEWNET
	}
	if err := startInNetNS(sb, netns); err != nil {
		return nil, fmt.Errorf("starting sandbox: %w", err)
	}
	defer func() {
		if err != nil {
			sb.Process.Kill()
			sb.Wait()
		}
	}()
	argsR.Close()
	statusW.Close()
	// Gofer and sandbox join the cgroup before the sandbox reads its
	// arguments: the stubs it forks from then on are born inside.
	for _, pid := range []int{gofer.Process.Pid, sb.Process.Pid} {
		if err := cg.AddProcess(pid); err != nil {
			return nil, err
		}
	}
	// Before the sandbox reads its arguments, so that the stub zygote it
	// forks inherits the score.
	if p := a.Spec.Process; p != nil && p.OOMScoreAdj != nil {
		for _, pid := range []int{sb.Process.Pid, gofer.Process.Pid} {
			if err := setOOMScoreAdj(pid, *p.OOMScoreAdj); err != nil {
				return nil, err
			}
		}
	}
	specJSON, err := json.Marshal(a.Spec)
	if err != nil {
		return nil, fmt.Errorf("encoding the spec: %w", err)
	}
	ca := control.ContainerArgs{ID: a.ID, Spec: specJSON, BindMounts: bindIdx, CPUs: cgroups.CPUs(specResources(a.Spec), runtime.NumCPU()), HostCPUs: runtime.NumCPU()}
	err = json.NewEncoder(argsW).Encode(&ca)
	argsW.Close()
	if err != nil {
		return nil, fmt.Errorf("sending boot arguments: %w", err)
	}
	var ss control.StartStatus
	line, rerr := bufio.NewReader(statusR).ReadBytes('\n')
	if rerr != nil || json.Unmarshal(line, &ss) != nil {
		// The sandbox died before reporting: say how.
		sb.Process.Kill()
		werr := sb.Wait()
		if gerr := goferError(goferStatus); gerr != nil {
			return nil, gerr
		}
		return nil, fmt.Errorf("sandbox failed to start: %v", exitDescription(sb, werr))
	}
	if !ss.Started {
		if gerr := goferError(goferStatus); gerr != nil {
			return nil, gerr
		}
		return nil, fmt.Errorf("sandbox failed to start: %s", ss.Error)
	}
	biasStubsForOOM(a.ID, sb.Process.Pid)
	p = &Processes{SandboxPID: sb.Process.Pid, GoferPID: gofer.Process.Pid, ControlSocket: sock}
	// Neither is waited for: they outlive this command.
	sb.Process.Release()
	gofer.Process.Release()
	return p, nil
}

// listenControl creates the control socket at path (mode 0600).
func listenControl(path string) (*os.File, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("creating control socket: %w", err)
	}
	f := os.NewFile(uintptr(fd), "control")
	if err := withSocketPath(path, func(name string) error {
		return unix.Bind(fd, &unix.SockaddrUnix{Name: name})
	}); err != nil {
		f.Close()
		return nil, fmt.Errorf("binding control socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("restricting control socket: %w", err)
	}
	if err := unix.Listen(fd, 16); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("listening on control socket: %w", err)
	}
	return f, nil
}

// bindMounts lists the spec's bind mounts for the gofer (sources made
// absolute against the bundle, and checked to exist) and their indexes.
func bindMounts(spec *specs.Spec, bundle string) ([]control.GoferMount, []int, error) {
	var ms []control.GoferMount
	var idx []int
	for i := range spec.Mounts {
		m := &spec.Mounts[i]
		if !isBindMount(m) {
			continue
		}
		src := m.Source
		if !filepath.IsAbs(src) {
			src = filepath.Join(bundle, src)
		}
		if _, err := os.Stat(src); err != nil {
			return nil, nil, fmt.Errorf("bind mount %s: source: %w", m.Destination, err)
		}
		// mount(2) follows symlinks in a bind source, so runc does too
		// (Docker's --init binds /usr/bin/docker-init, a symlink); the
		// gofer opens the source without following them.
		if real, err := filepath.EvalSymlinks(src); err == nil {
			src = real
		}
		ro := false
		for _, o := range m.Options {
			switch o {
			case "ro":
				ro = true
			case "rw":
				ro = false
			}
		}
		ms = append(ms, control.GoferMount{Source: src, ReadOnly: ro})
		idx = append(idx, i)
	}
	return ms, idx, nil
}

// isBindMount reports whether m is a bind mount.
func isBindMount(m *specs.Mount) bool {
	if m.Type == "bind" {
		return true
	}
	for _, o := range m.Options {
		if o == "bind" || o == "rbind" {
			return true
		}
	}
	return false
}
