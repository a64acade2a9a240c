package service

import (
	"context"
	"fmt"
	"os"

	eventstypes "github.com/containerd/containerd/api/events"
	taskAPI "github.com/containerd/containerd/api/runtime/task/v2"
	runcoptions "github.com/containerd/containerd/api/types/runc/options"
	"github.com/containerd/containerd/api/types/task"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/namespaces"
	"github.com/containerd/containerd/protobuf"
	ptypes "github.com/containerd/containerd/protobuf/types"
	"github.com/containerd/typeurl/v2"
)

var empty = &ptypes.Empty{}

// Create implements taskAPI.TaskService.Create: `runsc create`.
func (s *service) Create(ctx context.Context, r *taskAPI.CreateTaskRequest) (_ *taskAPI.CreateTaskResponse, err error) {
	if r.Checkpoint != "" || r.ParentCheckpoint != "" {
		return nil, toGRPC(fmt.Errorf("checkpoint restore: %w", errdefs.ErrNotImplemented))
	}
	s.mu.Lock()
	_, dup := s.containers[r.ID]
	s.mu.Unlock()
	if dup {
		return nil, toGRPC(fmt.Errorf("container %s: %w", r.ID, errdefs.ErrAlreadyExists))
	}
	ns, err := namespaces.NamespaceRequired(ctx)
	if err != nil {
		return nil, toGRPC(err)
	}
	opts, err := runtimeOptions(r.Options, ns)
	if err != nil {
		return nil, toGRPC(fmt.Errorf("%w: %v", errdefs.ErrInvalidArgument, err))
	}
	if err := os.MkdirAll(opts.Root, 0o711); err != nil {
		return nil, toGRPC(fmt.Errorf("creating runsc root: %w", err))
	}
	if err := opts.save(r.Bundle); err != nil {
		return nil, toGRPC(fmt.Errorf("saving shim options: %w", err))
	}
	pio, err := newProcIO(r.Stdin, r.Stdout, r.Stderr, r.Terminal)
	if err != nil {
		return nil, toGRPC(err)
	}
	rs := &runsc{opts: opts, id: r.ID, exits: s.exits}
	c, err := createContainer(ctx, rs, r.Bundle, r.Rootfs, pio, s.exited)
	if err != nil {
		pio.close()
		return nil, toGRPC(err)
	}
	s.mu.Lock()
	s.containers[r.ID] = c
	s.mu.Unlock()
	s.oom.add(r.ID, c.init.pid)
	s.send(&eventstypes.TaskCreate{
		ContainerID: r.ID, Bundle: r.Bundle, Rootfs: r.Rootfs, Pid: uint32(c.init.pid), Checkpoint: r.Checkpoint,
		IO: &eventstypes.TaskIO{Stdin: r.Stdin, Stdout: r.Stdout, Stderr: r.Stderr, Terminal: r.Terminal},
	})
	return &taskAPI.CreateTaskResponse{Pid: uint32(c.init.pid)}, nil
}

// Start implements taskAPI.TaskService.Start: `runsc start`, or `runsc
// exec --detach` for an exec'd process.
func (s *service) Start(ctx context.Context, r *taskAPI.StartRequest) (*taskAPI.StartResponse, error) {
	c, p, err := s.lookup(r.ID, r.ExecID)
	if err != nil {
		return nil, toGRPC(err)
	}
	if err := c.start(ctx, p); err != nil {
		return nil, toGRPC(err)
	}
	_, pid, _, _ := p.state()
	if p.execID == "" {
		s.send(&eventstypes.TaskStart{ContainerID: c.id, Pid: uint32(pid)})
	} else {
		s.send(&eventstypes.TaskExecStarted{ContainerID: c.id, ExecID: p.execID, Pid: uint32(pid)})
	}
	return &taskAPI.StartResponse{Pid: uint32(pid)}, nil
}

// Delete implements taskAPI.TaskService.Delete: `runsc delete --force`
// for the container, forgetting the process for an exec'd one.
func (s *service) Delete(ctx context.Context, r *taskAPI.DeleteRequest) (*taskAPI.DeleteResponse, error) {
	c, p, err := s.lookup(r.ID, r.ExecID)
	if err != nil {
		return nil, toGRPC(err)
	}
	st, pid, _, _ := p.state()
	if st == task.Status_RUNNING || st == task.Status_PAUSED {
		return nil, toGRPC(fmt.Errorf("cannot delete process %s/%s that is %s: %w", r.ID, r.ExecID, statusName(st), errdefs.ErrFailedPrecondition))
	}
	if p.execID != "" {
		c.mu.Lock()
		delete(c.execs, p.execID)
		c.mu.Unlock()
		p.io.close()
	} else {
		if err := c.destroy(ctx); err != nil {
			return nil, toGRPC(err)
		}
		s.mu.Lock()
		delete(s.containers, c.id)
		s.mu.Unlock()
		s.oom.remove(c.id)
	}
	// A process deleted before it started never ran: it reads as killed.
	p.setExited(128 + 9)
	_, _, code, at := p.state()
	if p.execID == "" {
		s.send(&eventstypes.TaskDelete{ContainerID: c.id, Pid: uint32(pid), ExitStatus: code, ExitedAt: protobuf.ToTimestamp(at)})
	}
	return &taskAPI.DeleteResponse{Pid: uint32(pid), ExitStatus: code, ExitedAt: protobuf.ToTimestamp(at)}, nil
}

// Exec implements taskAPI.TaskService.Exec: it records the process; Start
// runs it.
func (s *service) Exec(ctx context.Context, r *taskAPI.ExecProcessRequest) (*ptypes.Empty, error) {
	c, err := s.container(r.ID)
	if err != nil {
		return nil, toGRPC(err)
	}
	if r.Spec == nil || len(r.Spec.GetValue()) == 0 {
		return nil, toGRPC(fmt.Errorf("exec %s: no process spec: %w", r.ExecID, errdefs.ErrInvalidArgument))
	}
	c.mu.Lock()
	_, dup := c.execs[r.ExecID]
	c.mu.Unlock()
	if dup {
		return nil, toGRPC(fmt.Errorf("exec process %s: %w", r.ExecID, errdefs.ErrAlreadyExists))
	}
	pio, err := newProcIO(r.Stdin, r.Stdout, r.Stderr, r.Terminal)
	if err != nil {
		return nil, toGRPC(err)
	}
	p := newProcess(r.ExecID, pio)
	// The spec is a runtime-spec Process, JSON-encoded in the Any.
	p.spec = r.Spec.GetValue()
	c.mu.Lock()
	c.execs[r.ExecID] = p
	c.mu.Unlock()
	s.send(&eventstypes.TaskExecAdded{ContainerID: c.id, ExecID: r.ExecID})
	return empty, nil
}

// ResizePty implements taskAPI.TaskService.ResizePty.
func (s *service) ResizePty(ctx context.Context, r *taskAPI.ResizePtyRequest) (*ptypes.Empty, error) {
	_, p, err := s.lookup(r.ID, r.ExecID)
	if err != nil {
		return nil, toGRPC(err)
	}
	if err := p.io.resize(r.Width, r.Height); err != nil {
		return nil, toGRPC(fmt.Errorf("%w: %v", errdefs.ErrFailedPrecondition, err))
	}
	return empty, nil
}

// State implements taskAPI.TaskService.State.
func (s *service) State(ctx context.Context, r *taskAPI.StateRequest) (*taskAPI.StateResponse, error) {
	c, p, err := s.lookup(r.ID, r.ExecID)
	if err != nil {
		return nil, toGRPC(err)
	}
	st, pid, code, at := p.state()
	resp := &taskAPI.StateResponse{
		ID: r.ID, ExecID: r.ExecID, Bundle: c.bundle, Pid: uint32(pid), Status: st, ExitStatus: code,
		Stdin: p.io.stdinPath, Stdout: p.io.stdoutPath, Terminal: p.io.terminal(),
	}
	if !at.IsZero() {
		resp.ExitedAt = protobuf.ToTimestamp(at)
	}
	return resp, nil
}

// Pause implements taskAPI.TaskService.Pause: `runsc pause`.
func (s *service) Pause(ctx context.Context, r *taskAPI.PauseRequest) (*ptypes.Empty, error) {
	c, err := s.container(r.ID)
	if err != nil {
		return nil, toGRPC(err)
	}
	if err := c.init.transition(task.Status_PAUSING, task.Status_RUNNING); err != nil {
		return nil, toGRPC(err)
	}
	if err := c.r.simple(ctx, "pause"); err != nil {
		c.init.transition(task.Status_RUNNING, task.Status_PAUSING)
		return nil, toGRPC(err)
	}
	c.init.transition(task.Status_PAUSED, task.Status_PAUSING)
	s.send(&eventstypes.TaskPaused{ContainerID: c.id})
	return empty, nil
}

// Resume implements taskAPI.TaskService.Resume: `runsc resume`.
func (s *service) Resume(ctx context.Context, r *taskAPI.ResumeRequest) (*ptypes.Empty, error) {
	c, err := s.container(r.ID)
	if err != nil {
		return nil, toGRPC(err)
	}
	if st, _, _, _ := c.init.state(); st != task.Status_PAUSED {
		return nil, toGRPC(fmt.Errorf("container %s is %s, not paused: %w", c.id, statusName(st), errdefs.ErrFailedPrecondition))
	}
	if err := c.r.simple(ctx, "resume"); err != nil {
		return nil, toGRPC(err)
	}
	c.init.transition(task.Status_RUNNING, task.Status_PAUSED)
	s.send(&eventstypes.TaskResumed{ContainerID: c.id})
	return empty, nil
}

// Checkpoint implements taskAPI.TaskService.Checkpoint: not implemented.
func (s *service) Checkpoint(ctx context.Context, r *taskAPI.CheckpointTaskRequest) (*ptypes.Empty, error) {
	return nil, toGRPC(fmt.Errorf("checkpoint: %w", errdefs.ErrNotImplemented))
}

// Kill implements taskAPI.TaskService.Kill: `runsc kill`.
func (s *service) Kill(ctx context.Context, r *taskAPI.KillRequest) (*ptypes.Empty, error) {
	c, p, err := s.lookup(r.ID, r.ExecID)
	if err != nil {
		return nil, toGRPC(err)
	}
	// A created container that gets a killing signal is destroyed by
	// runsc: its waiter reports the exit.
	if err := c.kill(ctx, p, r.Signal, r.All); err != nil {
		return nil, toGRPC(err)
	}
	return empty, nil
}

// Pids implements taskAPI.TaskService.Pids: `runsc ps --format pidmap`.
// The PIDs are host PIDs (the processes' stubs), as runc's shim gives, so
// that dockerd's `docker top` finds them in the host's ps; an exec'd
// process is recognised by its sandbox PID.
func (s *service) Pids(ctx context.Context, r *taskAPI.PidsRequest) (*taskAPI.PidsResponse, error) {
	c, err := s.container(r.ID)
	if err != nil {
		return nil, toGRPC(err)
	}
	pids, err := c.r.ps(ctx)
	if err != nil {
		return nil, toGRPC(err)
	}
	execs := map[int]string{}
	c.mu.Lock()
	for id, p := range c.execs {
		if _, pid, _, _ := p.state(); pid != 0 {
			execs[pid] = id
		}
	}
	c.mu.Unlock()
	resp := &taskAPI.PidsResponse{}
	for _, pid := range pids {
		pi := &task.ProcessInfo{Pid: uint32(pid.HostPID)}
		if id, ok := execs[pid.SandboxPID]; ok {
			a, err := typeurl.MarshalAny(&runcoptions.ProcessDetails{ExecID: id})
			if err != nil {
				return nil, toGRPC(err)
			}
			pi.Info = protobuf.FromAny(a)
		}
		resp.Processes = append(resp.Processes, pi)
	}
	return resp, nil
}

// CloseIO implements taskAPI.TaskService.CloseIO: it closes stdin.
func (s *service) CloseIO(ctx context.Context, r *taskAPI.CloseIORequest) (*ptypes.Empty, error) {
	_, p, err := s.lookup(r.ID, r.ExecID)
	if err != nil {
		return nil, toGRPC(err)
	}
	if r.Stdin {
		p.io.closeStdin()
	}
	return empty, nil
}

// Update implements taskAPI.TaskService.Update: `runsc update --resources -`.
func (s *service) Update(ctx context.Context, r *taskAPI.UpdateTaskRequest) (*ptypes.Empty, error) {
	c, err := s.container(r.ID)
	if err != nil {
		return nil, toGRPC(err)
	}
	if r.Resources == nil {
		return nil, toGRPC(fmt.Errorf("update: no resources: %w", errdefs.ErrInvalidArgument))
	}
	// The Any holds runtime-spec LinuxResources as JSON, runsc's input.
	if err := c.r.update(ctx, r.Resources.GetValue()); err != nil {
		return nil, toGRPC(err)
	}
	return empty, nil
}

// Wait implements taskAPI.TaskService.Wait.
func (s *service) Wait(ctx context.Context, r *taskAPI.WaitRequest) (*taskAPI.WaitResponse, error) {
	_, p, err := s.lookup(r.ID, r.ExecID)
	if err != nil {
		return nil, toGRPC(err)
	}
	select {
	case <-p.exited:
	case <-ctx.Done():
		return nil, toGRPC(ctx.Err())
	}
	_, _, code, at := p.state()
	return &taskAPI.WaitResponse{ExitStatus: code, ExitedAt: protobuf.ToTimestamp(at)}, nil
}

// Stats implements taskAPI.TaskService.Stats: `runsc events --stats` as
// containerd's cgroups v1 metrics.
func (s *service) Stats(ctx context.Context, r *taskAPI.StatsRequest) (*taskAPI.StatsResponse, error) {
	c, err := s.container(r.ID)
	if err != nil {
		return nil, toGRPC(err)
	}
	ev, err := c.r.stats(ctx)
	if err != nil {
		return nil, toGRPC(err)
	}
	a, err := typeurl.MarshalAny(ev.metrics())
	if err != nil {
		return nil, toGRPC(err)
	}
	return &taskAPI.StatsResponse{Stats: protobuf.FromAny(a)}, nil
}

// Connect implements taskAPI.TaskService.Connect.
func (s *service) Connect(ctx context.Context, r *taskAPI.ConnectRequest) (*taskAPI.ConnectResponse, error) {
	resp := &taskAPI.ConnectResponse{ShimPid: uint32(s.shimPID)}
	if c, err := s.container(r.ID); err == nil {
		_, pid, _, _ := c.init.state()
		resp.TaskPid = uint32(pid)
	}
	return resp, nil
}

// Shutdown implements taskAPI.TaskService.Shutdown: the shim exits once
// it serves no container.
func (s *service) Shutdown(ctx context.Context, r *taskAPI.ShutdownRequest) (*ptypes.Empty, error) {
	s.mu.Lock()
	n := len(s.containers)
	s.mu.Unlock()
	if n > 0 {
		return empty, nil
	}
	s.sd.Shutdown()
	return empty, nil
}
