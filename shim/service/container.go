package service

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/containerd/containerd/api/types"
	"github.com/containerd/containerd/api/types/task"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/mount"
	"github.com/containerd/log"
)

// Files the shim keeps in a container's bundle (removed by containerd
// with the bundle).
const (
	initPIDFile = "init.pid"
	rootfsDir   = "rootfs"
)

// container is one OCI container of the shim: its runsc, init and exec'd
// processes.
type container struct {
	id, bundle string
	r          *runsc
	init       *process
	rootfs     string // mounted by the shim, "" when containerd gave none
	exited     func(*container, *process)

	mu    sync.Mutex // guards execs
	execs map[string]*process
}

// createContainer mounts the rootfs containerd prepared and runs `runsc
// create`. exited is called (once per process, on a goroutine of its own)
// when init or an exec'd process has exited. On failure nothing is left
// behind.
func createContainer(ctx context.Context, r *runsc, bundle string, rootfs []*types.Mount, pio *procIO, exited func(*container, *process)) (_ *container, err error) {
	c := &container{id: r.id, bundle: bundle, r: r, execs: map[string]*process{}, exited: exited}
	if len(rootfs) > 0 {
		c.rootfs = filepath.Join(bundle, rootfsDir)
		if err := mountRootfs(c.rootfs, rootfs); err != nil {
			return nil, err
		}
		defer func() {
			if err != nil {
				c.unmountRootfs(ctx)
			}
		}()
	}
	pidFile := filepath.Join(bundle, initPIDFile)
	if err := c.r.create(ctx, bundle, pidFile, pio.consolePath(), pio.cmdIO()); err != nil {
		if msg := pio.failed(); msg != "" {
			err = c.r.failure("create", 1, msg)
		}
		return nil, err
	}
	fail := func(err error) (*container, error) {
		c.r.delete(ctx)
		return nil, err
	}
	if err := pio.started(); err != nil {
		return fail(err)
	}
	waiter, err := readPIDFile(pidFile)
	if err != nil {
		return fail(err)
	}
	pid, err := c.r.sandboxPID(ctx)
	if err != nil {
		return fail(err)
	}
	c.init = newProcess("", pio)
	c.init.pid = pid
	c.r.exits.watch(waiter, func(status int) { c.processExited(c.init, status) })
	return c, nil
}

// mountRootfs mounts containerd's snapshot mounts on dir.
func mountRootfs(dir string, ms []*types.Mount) error {
	if err := os.Mkdir(dir, 0o711); err != nil && !os.IsExist(err) {
		return fmt.Errorf("creating rootfs: %w", err)
	}
	var mounts []mount.Mount
	for _, m := range ms {
		mounts = append(mounts, mount.Mount{Type: m.Type, Source: m.Source, Target: m.Target, Options: m.Options})
	}
	if err := mount.All(mounts, dir); err != nil {
		return fmt.Errorf("mounting rootfs: %w", err)
	}
	return nil
}

func (c *container) unmountRootfs(ctx context.Context) {
	if c.rootfs == "" {
		return
	}
	if err := mount.UnmountRecursive(c.rootfs, 0); err != nil {
		log.G(ctx).WithError(err).Warn("unmounting rootfs")
	}
}

// process returns init ("") or an exec'd process.
func (c *container) process(execID string) (*process, error) {
	if execID == "" {
		return c.init, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.execs[execID]
	if !ok {
		return nil, fmt.Errorf("process %s of container %s: %w", execID, c.id, errdefs.ErrNotFound)
	}
	return p, nil
}

// start starts init or an exec'd process.
func (c *container) start(ctx context.Context, p *process) error {
	if p.execID == "" {
		// The task reads as created until runsc has started it.
		if err := p.beginStart(); err != nil {
			return err
		}
		err := c.r.simple(ctx, "start")
		p.endStart(err == nil)
		return err
	}
	if !c.init.running() {
		return fmt.Errorf("cannot exec in container %s that is not running: %w", c.id, errdefs.ErrFailedPrecondition)
	}
	st, _, _, _ := p.state()
	if st != task.Status_CREATED {
		return fmt.Errorf("process %s is %s: %w", p.execID, statusName(st), errdefs.ErrFailedPrecondition)
	}
	base := filepath.Join(c.bundle, "moat-exec-"+p.execID)
	if err := os.WriteFile(base+".json", p.spec, 0o600); err != nil {
		return fmt.Errorf("writing process file: %w", err)
	}
	defer os.Remove(base + ".json")
	defer os.Remove(base + ".pid")
	defer os.Remove(base + ".ipid")
	if err := c.r.exec(ctx, base+".json", base+".pid", base+".ipid", p.io.consolePath(), p.io.cmdIO()); err != nil {
		if msg := p.io.failed(); msg != "" {
			err = c.r.failure("exec", 1, msg)
		}
		return err
	}
	if err := p.io.started(); err != nil {
		return err
	}
	waiter, err := readPIDFile(base + ".pid")
	if err != nil {
		return err
	}
	pid, err := readPIDFile(base + ".ipid")
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.pid, p.status = pid, task.Status_RUNNING
	p.mu.Unlock()
	c.r.exits.watch(waiter, func(status int) { c.processExited(p, status) })
	return nil
}

// processExited records p's exit, status from its waiter (128+N after
// death by signal N; 137 when the sandbox died), once p's output has
// reached containerd.
func (c *container) processExited(p *process, status int) {
	p.io.waitOutput(waitTimeout)
	if p.setExited(status) {
		c.exited(c, p)
	}
}

// kill signals p (all: every process of the container).
func (c *container) kill(ctx context.Context, p *process, sig uint32, all bool) error {
	st, pid, _, _ := p.state()
	if p.execID != "" {
		if st != task.Status_RUNNING {
			return errProcessGone
		}
		return c.r.kill(ctx, sig, false, pid)
	}
	if st == task.Status_STOPPED && !all {
		return errProcessGone
	}
	err := c.r.kill(ctx, sig, all, 0)
	if isNoSuchProcess(err) {
		return errProcessGone
	}
	return err
}

// destroy removes the container from runsc and unmounts its rootfs.
func (c *container) destroy(ctx context.Context) error {
	err := c.r.delete(ctx)
	if errdefs.IsNotFound(err) {
		err = nil
	}
	c.init.io.close()
	c.mu.Lock()
	for _, p := range c.execs {
		p.io.close()
	}
	c.mu.Unlock()
	c.unmountRootfs(ctx)
	return err
}
