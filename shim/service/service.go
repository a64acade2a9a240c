// Package service is Moat's containerd shim: the shim manager (start and
// cleanup actions) and the Task API, each request carried out by running
// the runsc command line. It never imports runsc's packages.
//
// Lock order: service.mu, then container.mu, then process.mu.
package service

import (
	"context"
	"fmt"
	"os"
	"sync"

	eventstypes "github.com/containerd/containerd/api/events"
	taskAPI "github.com/containerd/containerd/api/runtime/task/v2"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/namespaces"
	"github.com/containerd/containerd/pkg/shutdown"
	"github.com/containerd/containerd/plugin"
	"github.com/containerd/containerd/protobuf"
	"github.com/containerd/containerd/runtime"
	"github.com/containerd/containerd/runtime/v2/shim"
	"github.com/containerd/log"
	"github.com/containerd/ttrpc"
)

// RuntimeName is the runtime type containerd knows the shim by.
const RuntimeName = "io.containerd.runsc.v1"

// RegisterTaskPlugin registers the Task API with the shim library's
// plugin graph. Call it once, from main, before shim.RunManager.
func RegisterTaskPlugin() {
	plugin.Register(&plugin.Registration{
		Type:     plugin.TTRPCPlugin,
		ID:       "task",
		Requires: []plugin.Type{plugin.EventPlugin, plugin.InternalPlugin},
		InitFn: func(ic *plugin.InitContext) (interface{}, error) {
			pp, err := ic.GetByID(plugin.EventPlugin, "publisher")
			if err != nil {
				return nil, err
			}
			sd, err := ic.GetByID(plugin.InternalPlugin, "shutdown")
			if err != nil {
				return nil, err
			}
			return newService(ic.Context, pp.(shim.Publisher), sd.(shutdown.Service)), nil
		},
	})
}

// service implements the Task API for every container of one shim
// (a pod's containers share it).
type service struct {
	ctx        context.Context // carries the containerd namespace
	sd         shutdown.Service
	events     chan any // to the publisher, in order
	oom        *oomWatcher
	exits      *exitWatcher
	shimPID    int
	mu         sync.Mutex // guards containers
	containers map[string]*container
}

func newService(ctx context.Context, pub shim.Publisher, sd shutdown.Service) *service {
	s := &service{ctx: ctx, sd: sd, events: make(chan any, 128), shimPID: os.Getpid(), containers: map[string]*container{}, exits: newExitWatcher()}
	s.oom = newOOMWatcher(ctx, s.send)
	go s.forward(pub)
	sd.RegisterCallback(func(context.Context) error {
		close(s.events)
		return nil
	})
	return s
}

// RegisterTTRPC implements the shim library's ttrpcService.
func (s *service) RegisterTTRPC(server *ttrpc.Server) error {
	taskAPI.RegisterTaskService(server, s)
	return nil
}

// send queues an event for containerd.
func (s *service) send(ev any) {
	defer func() { recover() }() // the channel closes at shutdown
	s.events <- ev
}

// forward publishes queued events in order.
func (s *service) forward(pub shim.Publisher) {
	ns, _ := namespaces.Namespace(s.ctx)
	ctx := namespaces.WithNamespace(context.Background(), ns)
	for ev := range s.events {
		if err := pub.Publish(ctx, topic(ev), ev); err != nil {
			log.G(ctx).WithError(err).Error("publishing event")
		}
	}
	pub.Close()
}

func topic(ev any) string {
	switch ev.(type) {
	case *eventstypes.TaskCreate:
		return runtime.TaskCreateEventTopic
	case *eventstypes.TaskStart:
		return runtime.TaskStartEventTopic
	case *eventstypes.TaskOOM:
		return runtime.TaskOOMEventTopic
	case *eventstypes.TaskExit:
		return runtime.TaskExitEventTopic
	case *eventstypes.TaskDelete:
		return runtime.TaskDeleteEventTopic
	case *eventstypes.TaskExecAdded:
		return runtime.TaskExecAddedEventTopic
	case *eventstypes.TaskExecStarted:
		return runtime.TaskExecStartedEventTopic
	case *eventstypes.TaskPaused:
		return runtime.TaskPausedEventTopic
	case *eventstypes.TaskResumed:
		return runtime.TaskResumedEventTopic
	}
	return runtime.TaskUnknownTopic
}

// container looks up a container by ID.
func (s *service) container(id string) (*container, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.containers[id]
	if !ok {
		return nil, fmt.Errorf("container %s: %w", id, errdefs.ErrNotFound)
	}
	return c, nil
}

// lookup finds a container and one of its processes.
func (s *service) lookup(id, execID string) (*container, *process, error) {
	c, err := s.container(id)
	if err != nil {
		return nil, nil, err
	}
	p, err := c.process(execID)
	return c, p, err
}

// exited publishes a process's exit.
func (s *service) exited(c *container, p *process) {
	_, pid, code, at := p.state()
	id := p.execID
	if id == "" {
		id = c.id
		s.oom.remove(c.id)
	}
	s.send(&eventstypes.TaskExit{
		ContainerID: c.id, ID: id, Pid: uint32(pid), ExitStatus: code, ExitedAt: protobuf.ToTimestamp(at),
	})
}

// toGRPC maps errors to gRPC codes at the API boundary.
func toGRPC(err error) error {
	if err == nil {
		return nil
	}
	return errdefs.ToGRPC(err)
}
