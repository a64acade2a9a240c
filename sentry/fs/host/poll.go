package host

import (
	"sync"

	"golang.org/x/sys/unix"

	"moat/sentry/vfs"
)

// Pollable implements vfs.Pollable: pipes, sockets and terminals change
// readiness; regular files and other devices are always ready, and epoll
// refuses them (EPERM), as on Linux.
func (f *File) Pollable() bool {
	return f.typ == unix.S_IFIFO || f.typ == unix.S_IFSOCK || f.isTTY
}

// hostEvents are the events a host poll or epoll is asked about.
const hostEvents = vfs.EventIn | vfs.EventPri | vfs.EventOut | vfs.EventRdNorm |
	vfs.EventRdBand | vfs.EventWrNorm | vfs.EventWrBand | vfs.EventRdHUp

// Readiness implements vfs.Waitable.Readiness: a poll(2) of the host fd
// with a zero timeout.
func (f *File) Readiness(_ vfs.Context, mask uint32) uint32 {
	if !f.Pollable() {
		return (vfs.EventReadable | vfs.EventWritable) & mask
	}
	pfd := []unix.PollFd{{Fd: int32(f.fd), Events: int16(mask & hostEvents)}}
	for {
		n, err := unix.Poll(pfd, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return 0
		}
		return uint32(uint16(pfd[0].Revents)) & mask
	}
}

// EventRegister implements vfs.Waitable.EventRegister. A goroutine waits
// on a host epoll instance of its own holding the host fd, edge-triggered,
// and notifies w of every edge; it checks every pollInterval whether it
// was unregistered. If the host refuses, w is never notified (the fd's
// readiness then never changes as far as the host can tell).
func (f *File) EventRegister(w *vfs.Waiter) func() {
	if !f.Pollable() {
		return func() {}
	}
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return func() {}
	}
	ev := unix.EpollEvent{Events: w.Mask()&hostEvents | unix.EPOLLET, Fd: int32(f.fd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, f.fd, &ev); err != nil {
		unix.Close(epfd)
		return func() {}
	}
	done := make(chan struct{})
	go watch(epfd, w, done)
	return sync.OnceFunc(func() { close(done) })
}

// watch forwards the host epoll instance's events to w until done is
// closed, then closes the instance.
func watch(epfd int, w *vfs.Waiter, done <-chan struct{}) {
	defer unix.Close(epfd)
	evs := make([]unix.EpollEvent, 1)
	for {
		select {
		case <-done:
			return
		default:
		}
		n, err := unix.EpollWait(epfd, evs, pollInterval)
		if err != nil && err != unix.EINTR {
			return
		}
		if n > 0 {
			w.Notify(evs[0].Events)
		}
	}
}

var (
	_ vfs.Waitable = (*File)(nil)
	_ vfs.Pollable = (*File)(nil)
)
