package service

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"

	eventstypes "github.com/containerd/containerd/api/events"
	"github.com/containerd/log"
	"golang.org/x/sys/unix"
)

// oomWatcher publishes TaskOOM when the memory cgroup a container's
// sandbox runs in records an OOM kill (cgroup v1: memory.oom_control's
// eventfd through cgroup.event_control). A sandbox left in the shim's own
// memory cgroup is not watched: an OOM there is not the container's.
type oomWatcher struct {
	ctx  context.Context
	send func(any)

	mu    sync.Mutex            // guards files
	files map[string][]*os.File // container ID → eventfd and oom_control
}

func newOOMWatcher(ctx context.Context, send func(any)) *oomWatcher {
	return &oomWatcher{ctx: ctx, send: send, files: map[string][]*os.File{}}
}

// memoryCgroup is the cgroup v1 memory directory of pid, "" if none.
func memoryCgroup(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) == 3 && (f[1] == "memory" || strings.HasPrefix(f[1], "memory,") || strings.Contains(f[1], ",memory")) {
			return "/sys/fs/cgroup/memory" + f[2]
		}
	}
	return ""
}

// add starts watching the memory cgroup of the sandbox process pid.
func (w *oomWatcher) add(id string, pid int) {
	dir := memoryCgroup(pid)
	if dir == "" || dir == memoryCgroup(os.Getpid()) {
		return
	}
	// Non-blocking, so that the runtime poller serves it and Close
	// ends a pending Read.
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return
	}
	ev := os.NewFile(uintptr(efd), "oom-eventfd")
	oc, err := os.Open(dir + "/memory.oom_control")
	if err != nil {
		ev.Close()
		return
	}
	reg := fmt.Sprintf("%d %d", ev.Fd(), oc.Fd())
	if err := os.WriteFile(dir+"/cgroup.event_control", []byte(reg), 0); err != nil {
		log.G(w.ctx).WithError(err).Warnf("watching %s for OOM", dir)
		ev.Close()
		oc.Close()
		return
	}
	w.mu.Lock()
	w.files[id] = []*os.File{ev, oc}
	w.mu.Unlock()
	go w.watch(id, ev, dir)
}

// watch reads the eventfd: each count is an OOM event, until the cgroup
// goes away (the kernel signals the eventfd then too) or remove closes it.
func (w *oomWatcher) watch(id string, ev *os.File, dir string) {
	buf := make([]byte, 8)
	for {
		if _, err := ev.Read(buf); err != nil {
			return
		}
		if _, err := os.Stat(dir); err != nil {
			return // the cgroup was removed
		}
		w.send(&eventstypes.TaskOOM{ContainerID: id})
	}
}

// remove stops watching container id.
func (w *oomWatcher) remove(id string) {
	w.mu.Lock()
	files := w.files[id]
	delete(w.files, id)
	w.mu.Unlock()
	for _, f := range files {
		f.Close()
	}
}
