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
// sandbox runs in records an OOM kill: cgroup v1 through an eventfd on
// memory.oom_control (cgroup.event_control), cgroup v2 through inotify on
// memory.events, whose oom_kill counter rises (oom_v2.go). A sandbox left
// in the shim's own memory cgroup is not watched: an OOM there is not the
// container's.
type oomWatcher struct {
	ctx  context.Context
	send func(any)

	mu    sync.Mutex            // guards files
	files map[string][]*os.File // container ID → eventfd and oom_control
}

func newOOMWatcher(ctx context.Context, send func(any)) *oomWatcher {
	return &oomWatcher{ctx: ctx, send: send, files: map[string][]*os.File{}}
}

// cgroupRoot is where the host mounts its cgroup file systems.
const cgroupRoot = "/sys/fs/cgroup"

// memoryCgroup is the memory cgroup directory of pid, "" if none, and
// whether it is a cgroup v2 one.
func memoryCgroup(pid int) (dir string, v2 bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return "", false
	}
	return parseMemoryCgroup(string(b), cgroupRoot)
}

// parseMemoryCgroup finds the memory cgroup in a /proc/PID/cgroup listing
// under the mount point root: the v1 memory controller's directory, else,
// where the unified hierarchy at root itself has the memory controller (a
// cgroup v2 host; a hybrid host's v2 is mounted elsewhere and has no
// memory files), the "0::" directory if it has memory.events.
func parseMemoryCgroup(listing, root string) (dir string, v2 bool) {
	unified := ""
	for _, line := range strings.Split(listing, "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		if f[1] == "memory" || strings.HasPrefix(f[1], "memory,") || strings.Contains(f[1], ",memory") {
			return root + "/memory" + f[2], false
		}
		if f[0] == "0" && f[1] == "" {
			unified = root + f[2]
		}
	}
	if unified != "" {
		if _, err := os.Stat(unified + "/memory.events"); err == nil {
			return unified, true
		}
	}
	return "", false
}

// add starts watching the memory cgroup of the sandbox process pid.
func (w *oomWatcher) add(id string, pid int) {
	dir, v2 := memoryCgroup(pid)
	if own, _ := memoryCgroup(os.Getpid()); dir == "" || dir == own {
		return
	}
	if v2 {
		w.addV2(id, dir)
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
