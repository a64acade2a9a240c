package boot

import (
	"encoding/json"
	"fmt"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/internal/log"
	"moat/sentry/abi/linux"
	"moat/sentry/control"
	"moat/sentry/fs/proc"
	"moat/sentry/kernel"
)

// Container is a sandbox built from an OCI bundle (runsc create): the
// sentry with the spec's mounts, and the spec's process, started on
// request of the control server (MethodStart) rather than at once.
type Container struct {
	ID   string
	Spec *specs.Spec
	sb   *Sandbox
	// podMember is c's place in its pod (container_multi.go).
	podMember
	// tty holds the container's terminals (container_tty.go; own lock).
	tty containerTTY

	// mu guards the fields below.
	mu sync.Mutex
	// started is set once MethodStart has run init (even if it failed).
	started bool
	// init is the container's first process once started.
	init *kernel.ThreadGroup
	// initExited is closed when init has exited; initStatus is then its
	// status.
	initExited chan struct{}
	initStatus kernel.ExitStatus
	// execs are the processes MethodExec started, by sandbox PID, until
	// MethodWaitPID collects them.
	execs map[int32]*kernel.ThreadGroup
}

// NewContainer assembles the sentry for a bundle: the root file system
// from the gofer at goferFD (read-only per root.readonly), then the spec's
// mounts in order, with /dev, /proc and /dev/pts where the spec lists them
// (bind mount i from the gofer at mountFDs[i]), devices, sysctls,
// read-only and masked paths. stdio are the host fds given to init as 0,
// 1 and 2.
//
// Preconditions:
//   - The process is not confined yet (host paths are still reachable).
func NewContainer(cfg Config, a control.ContainerArgs, goferFD int, mountFDs []int, stdio []int) (*Container, error) {
	var spec specs.Spec
	if err := json.Unmarshal(a.Spec, &spec); err != nil {
		return nil, fmt.Errorf("decoding the spec: %w", err)
	}
	if spec.Process == nil || spec.Root == nil {
		return nil, fmt.Errorf("the spec has no process or no root")
	}
	if len(a.BindMounts) != len(mountFDs) {
		return nil, fmt.Errorf("%d bind mounts but %d gofer sockets", len(a.BindMounts), len(mountFDs))
	}
	ro := spec.Root.Readonly
	// The standard mounts are made by applyMounts, in the spec's order.
	sb, err := newSandbox(cfg, control.BootArgs{
		Argv:         spec.Process.Args,
		Env:          spec.Process.Env,
		Cwd:          spec.Process.Cwd,
		Hostname:     spec.Hostname,
		RootReadOnly: ro,
		CPUs:         a.CPUs,
	}, GoferRoot(goferFD, ro), stdio)
	if err != nil {
		return nil, err
	}
	sb.Kernel.SetResources(specResources(&spec, a))
	if err := applyMounts(sb, &spec, a.BindMounts, mountFDs); err != nil {
		return nil, err
	}
	if err := makeDevices(sb, &spec); err != nil {
		return nil, err
	}
	if err := applySysctls(sb, &spec); err != nil {
		return nil, err
	}
	if err := applyReadonlyPaths(sb, &spec); err != nil {
		return nil, err
	}
	if err := applyMaskedPaths(sb, &spec); err != nil {
		return nil, err
	}
	c := &Container{
		ID:         a.ID,
		Spec:       &spec,
		sb:         sb,
		initExited: make(chan struct{}),
		execs:      map[int32]*kernel.ThreadGroup{},
	}
	c.initPod()
	if err := c.setupTerminals(stdio); err != nil {
		return nil, err
	}
	// A program that cannot be found fails create, as with runc.
	if _, errno, err := c.prepare(spec.Process, nil); err != nil {
		return nil, err
	} else if errno != 0 {
		return nil, fmt.Errorf("starting container process %q: %w", spec.Process.Args[0], errno)
	}
	return c, nil
}

// Kernel returns the container's kernel.
func (c *Container) Kernel() *kernel.Kernel { return c.sb.Kernel }

// Start runs init (MethodStart). It fails if init was started before.
func (c *Container) Start() (int32, linux.Errno, error) {
	c.mu.Lock()
	if c.started {
		c.mu.Unlock()
		return 0, 0, fmt.Errorf("container already started")
	}
	c.started = true
	c.mu.Unlock()
	pa, errno, err := c.prepare(c.Spec.Process, c.sb.stdio)
	if err != nil || errno != 0 {
		c.markExited(kernel.ExitStatus{Code: 127})
		return 0, errno, err
	}
	tg, errno, err := c.startInit(pa)
	if err != nil || errno != 0 {
		c.markExited(kernel.ExitStatus{Code: 127})
		return 0, errno, err
	}
	if adj := c.Spec.Process.OOMScoreAdj; adj != nil {
		if err := proc.SetOOMScoreAdj(c.sb.std["/proc"], tg, int32(*adj)); err != nil {
			log.Warningf("process.oomScoreAdj: %v", err)
		}
	}
	c.mu.Lock()
	c.init = tg
	c.mu.Unlock()
	return tg.PID(), 0, nil
}

// markExited records init's exit.
func (c *Container) markExited(st kernel.ExitStatus) {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.initExited:
		return
	default:
	}
	c.initStatus = st
	close(c.initExited)
}

// State reports whether init started and how it ended.
func (c *Container) State() (started bool, st *control.WaitStatus) {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.initExited:
		return c.started, waitStatus(c.initStatus)
	default:
		return c.started, &control.WaitStatus{}
	}
}

// Wait blocks until init has exited and returns its status. Before start
// it waits for start and init's exit (a --pid-file waiter starts waiting
// at create; runsc wait itself refuses a created container); a container
// destroyed before start takes the sandbox, and the wait, with it.
func (c *Container) Wait() (*control.WaitStatus, error) {
	<-c.initExited
	return waitStatus(c.initStatus), nil
}

// running returns init while it runs.
func (c *Container) running() *kernel.ThreadGroup {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.initExited:
		return nil
	default:
		return c.init
	}
}

func waitStatus(st kernel.ExitStatus) *control.WaitStatus {
	return &control.WaitStatus{Exited: true, Code: st.ShellCode(), Signal: st.Signo}
}
