package service

import (
	"encoding/binary"
	"os"
	"strconv"
	"strings"

	eventstypes "github.com/containerd/containerd/api/events"
	"github.com/containerd/log"
	"golang.org/x/sys/unix"
)

// addV2 watches the cgroup v2 directory dir: the kernel notifies a
// modification of memory.events (inotify IN_MODIFY) whenever one of its
// counters changes; a rise of oom_kill is an OOM kill in the cgroup.
// Kills before the watch began are not reported.
func (w *oomWatcher) addV2(id, dir string) {
	// Non-blocking, so that the runtime poller serves it and Close ends
	// a pending Read.
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		log.G(w.ctx).WithError(err).Warnf("watching %s for OOM", dir)
		return
	}
	events := dir + "/memory.events"
	if _, err := unix.InotifyAddWatch(fd, events, unix.IN_MODIFY); err != nil {
		log.G(w.ctx).WithError(err).Warnf("watching %s for OOM", events)
		unix.Close(fd)
		return
	}
	f := os.NewFile(uintptr(fd), "oom-inotify")
	last, _ := oomKills(events)
	w.mu.Lock()
	w.files[id] = []*os.File{f}
	w.mu.Unlock()
	go w.watchV2(id, f, events, last)
}

// watchV2 reads inotify events until the watch goes away (the cgroup was
// removed: IN_IGNORED) or remove closes f, and sends one TaskOOM for
// every notification after which oom_kill has risen.
func (w *oomWatcher) watchV2(id string, f *os.File, events string, last uint64) {
	buf := make([]byte, 4096)
	for {
		n, err := f.Read(buf)
		if err != nil {
			return
		}
		gone := false
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			mask := binary.NativeEndian.Uint32(buf[off+4:])
			nameLen := int(binary.NativeEndian.Uint32(buf[off+12:]))
			if mask&unix.IN_IGNORED != 0 {
				gone = true
			}
			off += unix.SizeofInotifyEvent + nameLen
		}
		if k, err := oomKills(events); err == nil && k > last {
			last = k
			w.send(&eventstypes.TaskOOM{ContainerID: id})
		}
		if gone {
			return
		}
	}
}

// oomKills reads the oom_kill counter of a memory.events file.
func oomKills(path string) (uint64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "oom_kill "); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, nil
}
