package boot

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"moat/internal/log"
	"moat/sentry/abi/linux"
	"moat/sentry/control"
	"moat/sentry/fs/dev"
	goferfs "moat/sentry/fs/gofer"
	"moat/sentry/fs/proc"
	"moat/sentry/kernel"
	"moat/sentry/kernel/ipc"
	"moat/sentry/vfs"
)

// Pods (docs/kubernetes.md): the container that built the sandbox (the
// pod's sandbox container) serves the control socket for every container
// of the pod. Each container created later in the sandbox
// (MethodCreateContainer) gets a mount tree of its own in the shared VFS
// (root from its own gofer, its own /dev, /proc and /dev/pts, its spec's
// mounts), a PID namespace of its own unless it shares the sandbox's, an
// IPC namespace of its own when its spec asks for a new one, and its own
// init; requests name it by Request.ContainerID. The UTS
// namespace (hostname) is the pod's, and so is devpts: /dev/ptmx names one
// device per sandbox, so the members' /dev/pts mount the sandbox's
// instance (as gVisor does), and ptys are numbered across the pod.

// ownsIPCNamespace reports whether a pod member asks for an IPC namespace
// of its own: a linux.namespaces "ipc" entry without a path. One with a
// path (the CRI points it at the sandbox's) or none at all shares the
// sandbox's, where the pod's containers see each other's System V
// objects.
func ownsIPCNamespace(spec *specs.Spec) bool {
	if spec.Linux == nil {
		return false
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.IPCNamespace {
			return ns.Path == ""
		}
	}
	return false
}

// pod is the set of containers of a sandbox.
type pod struct {
	// root is the sandbox's own container.
	root *Container

	// mu guards subs.
	mu sync.Mutex
	// subs are the containers created in the sandbox, by ID.
	subs map[string]*Container
}

// podMember is what a container holds as a member of a pod.
type podMember struct {
	pod *pod
	// sub is set for a container created in a running sandbox.
	sub bool
	// pidns is the PID namespace the container's processes live in.
	pidns *kernel.PIDNamespace
	// ipcns is the container's own IPC namespace, or nil for the
	// sandbox's.
	ipcns *ipc.Namespace
	// tree is the root of a sub-container's mount tree.
	tree *vfs.Mount
}

// initPod makes c the root of a new pod.
func (c *Container) initPod() {
	c.pod = &pod{root: c, subs: map[string]*Container{}}
	c.pidns = c.sb.Kernel.RootPIDNamespace()
}

// label is the container ID the kernel gives c's processes ("" for the
// sandbox's own container).
func (c *Container) label() string {
	if c.sub {
		return c.ID
	}
	return ""
}

// threadGroups returns the container's live processes.
func (c *Container) threadGroups() []*kernel.ThreadGroup {
	return c.sb.Kernel.ContainerThreadGroups(c.label())
}

// threadGroupWithPID returns the container's live process whose PID in
// the container's namespace is pid, or nil.
func (c *Container) threadGroupWithPID(pid int32) *kernel.ThreadGroup {
	tg := c.pidns.ThreadGroupWithID(pid)
	if tg == nil || tg.ContainerID() != c.label() {
		return nil
	}
	return tg
}

// startInit starts the container's init: the sandbox's first process for
// the sandbox's container, a process entering the sandbox (the first of
// its namespace, if it has one) for the others.
func (c *Container) startInit(pa *kernel.ProcessArgs) (*kernel.ThreadGroup, linux.Errno, error) {
	k := c.sb.Kernel
	if !c.sub {
		tg, errno, err := k.StartInit(*pa)
		if err == nil && errno == 0 {
			go func() { c.markExited(k.Wait()) }()
		}
		return tg, errno, err
	}
	tg, errno, err := k.StartProcess(*pa)
	if err == nil && errno == 0 {
		go func() {
			st := tg.WaitExited()
			if c.pidns.IsRoot() {
				// In the sandbox's PID namespace nothing ends the
				// container's other processes with its init; they go
				// now, as containerd's shims kill them for a container
				// that shares a PID namespace, and would otherwise keep
				// its stdio open.
				c.killAll()
			}
			c.markExited(st)
		}()
	}
	return tg, errno, err
}

// killAll sends SIGKILL to every process of the container.
func (c *Container) killAll() {
	kill := linux.NewSignalInfo(int(unix.SIGKILL), linux.SI_USER)
	for _, tg := range c.threadGroups() {
		tg.SendGroupSignal(kill, kernel.FromHost)
	}
}

// route serves a request for the pod: creation and destruction of
// containers here, everything else by the container it names.
func (c *Container) route(req *control.Request, fds []int) *control.Response {
	p := c.pod
	switch req.Method {
	case control.MethodCreateContainer:
		return p.create(req, fds)
	case control.MethodDestroyContainer:
		closeAll(fds)
		if err := p.destroy(req.ContainerID); err != nil {
			return errResponse(err)
		}
		return &control.Response{}
	}
	target := p.lookup(req.ContainerID)
	if target == nil {
		closeAll(fds)
		return &control.Response{Error: fmt.Sprintf("no container %q in this sandbox", req.ContainerID), Errno: int(linux.ESRCH)}
	}
	if target.sub && (req.Method == control.MethodPause || req.Method == control.MethodResume) {
		// The sentry stops and continues every task at once.
		closeAll(fds)
		return errResponse(fmt.Errorf("container %s is in the sandbox of %s: %s applies to the whole pod, through %s: %w",
			target.ID, p.root.ID, req.Method, p.root.ID, linux.EINVAL))
	}
	return target.handle(req, fds)
}

// lookup returns the container id ("" or the sandbox's own ID: the
// sandbox's container), or nil.
func (p *pod) lookup(id string) *Container {
	if id == "" || id == p.root.ID {
		return p.root
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.subs[id]
}

// create serves MethodCreateContainer. It owns fds.
func (p *pod) create(req *control.Request, fds []int) *control.Response {
	c, err := p.newSub(req, fds)
	if err != nil {
		return errResponse(fmt.Errorf("creating container %q: %w", req.ContainerID, err))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.subs[c.ID] != nil {
		c.release()
		return &control.Response{Error: fmt.Sprintf("container %q exists already", c.ID), Errno: int(linux.EEXIST)}
	}
	p.subs[c.ID] = c
	log.Infof("container %s created in the sandbox (own PID namespace: %v)", c.ID, !c.pidns.IsRoot())
	return &control.Response{}
}

// newSub builds a container from a MethodCreateContainer request.
func (p *pod) newSub(req *control.Request, fds []int) (*Container, error) {
	a := req.Create
	nm := 0
	if a != nil {
		nm = len(a.BindMounts)
	}
	want := append([]string{"stdin", "stdout", "stderr", "gofer"}, repeat("mount", nm)...)
	if a == nil || len(fds) != len(want) || strings.Join(req.FDs, ",") != strings.Join(want, ",") {
		closeAll(fds)
		return nil, fmt.Errorf("want arguments and the descriptors %v", want)
	}
	id := req.ContainerID
	if id == "" || id == p.root.ID || p.lookup(id) != nil {
		closeAll(fds)
		return nil, fmt.Errorf("container ID %q is taken: %w", id, linux.EEXIST)
	}
	if p.root.running() == nil {
		closeAll(fds)
		return nil, fmt.Errorf("the sandbox's container is not running: %w", linux.ESRCH)
	}
	stdio, goferFD, mountFDs := fds[:3], fds[3], fds[4:]
	var spec specs.Spec
	if err := json.Unmarshal(a.Spec, &spec); err != nil {
		closeAll(fds)
		return nil, fmt.Errorf("decoding the spec: %w", err)
	}
	if spec.Process == nil || spec.Root == nil {
		closeAll(fds)
		return nil, fmt.Errorf("the spec has no process or no root")
	}
	rs := p.root.sb
	k, v := rs.Kernel, rs.VFS
	ro := spec.Root.Readonly
	rootFS, err := goferfs.NewFromFD(v, goferFD, goferfs.Options{ReadOnly: ro})
	if err != nil {
		closeAll(stdio)
		closeAll(mountFDs)
		unix.Close(goferFD)
		return nil, fmt.Errorf("connecting to the gofer: %w", err)
	}
	c := &Container{
		ID:         id,
		Spec:       &spec,
		initExited: make(chan struct{}),
		execs:      map[int32]*kernel.ThreadGroup{},
		podMember:  podMember{pod: p, sub: true, pidns: k.RootPIDNamespace()},
	}
	c.tree = v.NewMountTree(rootFS, vfs.MountFlags{ReadOnly: ro})
	fail := func(err error) (*Container, error) {
		if c.sb != nil {
			stdio = c.sb.stdio // the terminal may have replaced them
		}
		closeAll(stdio)
		c.release()
		return nil, err
	}
	if !a.SharePIDNamespace {
		c.pidns = c.pidns.NewChild()
	}
	if ownsIPCNamespace(&spec) {
		c.ipcns = k.NewIPCNamespace()
	}
	ipcns := c.ipcns
	if ipcns == nil {
		ipcns = k.RootIPCNamespace()
	}
	if err := applyIPCSysctls(ipcns, &spec); err != nil {
		return fail(err)
	}
	devFS, errno := dev.NewInstance(v)
	if errno != 0 {
		return fail(fmt.Errorf("building /dev: %w", errno))
	}
	procFS, err := proc.NewInNamespace(c.pidns, k, v, rs.host)
	if err != nil {
		return fail(err)
	}
	c.sb = &Sandbox{
		Kernel: k, VFS: v, stdio: stdio, root: c.tree.Root(), host: rs.host,
		std:       stdFilesystems{"/dev": devFS, "/proc": procFS, "/dev/pts": rs.std["/dev/pts"]},
		stdMounts: map[string]*vfs.Mount{},
		ipcns:     c.ipcns,
	}
	if err := c.sb.mountContainer(&spec, a.BindMounts, mountFDs); err != nil {
		return fail(err)
	}
	if err := c.setupTerminals(stdio); err != nil {
		return fail(err)
	}
	// A program that cannot be found fails create, as with runc.
	if _, errno, err := c.prepare(spec.Process, nil); err != nil {
		return fail(err)
	} else if errno != 0 {
		return fail(fmt.Errorf("starting container process %q: %w", spec.Process.Args[0], errno))
	}
	return c, nil
}

// mountContainer mounts a sub-container's tree on its root, as
// NewContainer does for the sandbox's own container.
func (s *Sandbox) mountContainer(spec *specs.Spec, bindIdx, mountFDs []int) error {
	if err := applyMounts(s, spec, bindIdx, mountFDs); err != nil {
		return err
	}
	if err := makeDevices(s, spec); err != nil {
		return err
	}
	if err := applyReadonlyPaths(s, spec); err != nil {
		return err
	}
	return applyMaskedPaths(s, spec)
}

// Root returns the root of the sandbox's container's mount tree.
func (s *Sandbox) Root() vfs.VirtualDentry {
	if s.root.Ok() {
		return s.root
	}
	return s.VFS.Root()
}

// destroy kills a sub-container's processes, waits for them to go and
// takes down its mount tree (MethodDestroyContainer).
func (p *pod) destroy(id string) error {
	p.mu.Lock()
	c := p.subs[id]
	delete(p.subs, id)
	p.mu.Unlock()
	if c == nil {
		if id == "" || id == p.root.ID {
			return fmt.Errorf("the sandbox's own container is destroyed with the sandbox: %w", linux.EINVAL)
		}
		return fmt.Errorf("no container %q in this sandbox: %w", id, linux.ESRCH)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		tgs := c.threadGroups()
		if len(tgs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			log.Warningf("container %s: %d processes survive SIGKILL", id, len(tgs))
			break
		}
		c.killAll()
		time.Sleep(10 * time.Millisecond)
	}
	// Exec'd processes nobody waited for are reaped here.
	c.mu.Lock()
	for pid, tg := range c.execs {
		delete(c.execs, pid)
		go tg.WaitExited()
	}
	c.mu.Unlock()
	c.release()
	log.Infof("container %s destroyed", id)
	return nil
}

// release takes down the container's mount tree and closes its gofer
// connections.
func (c *Container) release() {
	if c.tree == nil {
		return
	}
	for _, m := range c.pod.root.sb.VFS.ReleaseMountTree(c.tree) {
		if g, ok := m.Filesystem().Impl().(*goferfs.Filesystem); ok {
			g.Release()
		}
	}
	c.tree = nil
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
