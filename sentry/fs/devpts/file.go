package devpts

import (
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// ptyFile is what both ends share: a terminal without an offset.
type ptyFile struct {
	vfs.FileDefaults
	p *pty
}

// IsStream implements vfs.StreamFile.IsStream.
func (ptyFile) IsStream() bool { return true }

// EventRegister implements vfs.Waitable.EventRegister.
func (f *ptyFile) EventRegister(w *vfs.Waiter) func() { return f.p.queue.EventRegister(w) }

func nonblock(fd *vfs.FileDescription) bool {
	return fd != nil && fd.StatusFlags()&unix.O_NONBLOCK != 0
}

// masterFile is an open /dev/ptmx.
type masterFile struct{ ptyFile }

// Release implements vfs.FileImpl.Release: the replica hangs up and the
// pty goes away.
func (m *masterFile) Release() { m.p.hangup() }

// Read implements vfs.FileImpl.Read: the replica's output and echo (in
// packet mode, a status byte or TIOCPKT_DATA and output). Once
// every replica file is closed (and nothing is left), it fails with EIO.
func (m *masterFile) Read(ctx vfs.Context, fd *vfs.FileDescription, dst []byte, _ int64) (int, linux.Errno) {
	p := m.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(dst) == 0 {
		return 0, 0
	}
	for {
		if n, ok := p.ld.readMaster(dst); ok {
			p.notifyLocked()
			return n, 0
		}
		if p.replicas == 0 && p.everOpened {
			return 0, linux.EIO
		}
		if nonblock(fd) {
			return 0, linux.EAGAIN
		}
		if _, err := p.waitLocked(ctx, time.Time{}); err != 0 {
			return 0, err
		}
	}
}

// Write implements vfs.FileImpl.Write: typed input for the replica's line
// discipline. It waits while the input queue is full.
func (m *masterFile) Write(ctx vfs.Context, fd *vfs.FileDescription, src []byte, _ int64) (int, linux.Errno) {
	p := m.p
	done := 0
	var err linux.Errno
	p.mu.Lock()
	for done < len(src) {
		n := p.ld.input(src[done:])
		done += n
		if n > 0 {
			p.notifyLocked()
			continue
		}
		if nonblock(fd) {
			if done == 0 {
				err = linux.EAGAIN
			}
			break
		}
		if sigs := p.takePendingLocked(); len(sigs) > 0 {
			// Signal characters take effect before the writer waits.
			p.mu.Unlock()
			p.send(sigs)
			p.mu.Lock()
			continue
		}
		if _, err = p.waitLocked(ctx, time.Time{}); err != 0 {
			break
		}
	}
	sigs := p.takePendingLocked()
	p.mu.Unlock()
	p.send(sigs)
	if done > 0 {
		return done, 0
	}
	return 0, err
}

// Readiness implements vfs.Waitable.Readiness for the master: readable
// while output waits, writable while input fits, hung up (and readable:
// a read fails at once) once every replica is closed.
func (m *masterFile) Readiness(_ vfs.Context, mask uint32) uint32 {
	p := m.p
	p.mu.Lock()
	defer p.mu.Unlock()
	var r uint32
	if p.ld.masterReadable() {
		r |= vfs.EventReadable
	}
	if p.ld.packet && p.ld.pktStatus != 0 {
		r |= vfs.EventPri
	}
	if !p.ld.inputFull() {
		r |= vfs.EventWritable
	}
	if p.replicas == 0 && p.everOpened {
		r |= vfs.EventHUp
	}
	return r & mask
}

// replicaFile is an open /dev/pts/N (or /dev/tty).
type replicaFile struct{ ptyFile }

// Release implements vfs.FileImpl.Release.
func (r *replicaFile) Release() {
	p := r.p
	p.mu.Lock()
	p.replicas--
	p.notifyLocked()
	p.mu.Unlock()
}

// Read implements vfs.FileImpl.Read: input after the line discipline, a
// line at a time in canonical mode; otherwise as VMIN and VTIME say. After
// a hangup it reads end of file. A background process group reading its
// controlling terminal gets SIGTTIN.
func (r *replicaFile) Read(ctx vfs.Context, fd *vfs.FileDescription, dst []byte, _ int64) (int, linux.Errno) {
	p := r.p
	if err := p.checkAccess(ctx, unix.SIGTTIN); err != 0 {
		return 0, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(dst) == 0 {
		return 0, 0
	}
	var deadline time.Time
	canon := p.ld.canonical()
	vmin, vtime := int(p.ld.termios.CC[unix.VMIN]), time.Duration(p.ld.termios.CC[unix.VTIME])*100*time.Millisecond
	if !canon && vmin == 0 && vtime > 0 {
		deadline = time.Now().Add(vtime)
	}
	done := 0
	for {
		if n, ok := p.ld.read(dst[done:]); ok {
			done += n
			p.notifyLocked()
			if canon || n == 0 || done >= min(vmin, len(dst)) {
				return done, 0
			}
			if vtime > 0 {
				// VMIN and VTIME: VTIME is an inter-byte timer.
				deadline = time.Now().Add(vtime)
			}
			continue
		}
		if !p.masterOpen {
			return done, 0
		}
		if !canon && vmin == 0 && vtime == 0 {
			return done, 0
		}
		if nonblock(fd) {
			if done > 0 {
				return done, 0
			}
			return 0, linux.EAGAIN
		}
		timedOut, err := p.waitLocked(ctx, deadline)
		if timedOut {
			return done, 0
		}
		if err != 0 {
			if done > 0 {
				return done, 0
			}
			return 0, err
		}
	}
}

// Write implements vfs.FileImpl.Write: output processing, for the master
// to read. It waits while the master's queue is full or output is stopped
// (VSTOP, TCOOFF); after a hangup it fails with EIO. With TOSTOP, a
// background process group writing to its controlling terminal gets
// SIGTTOU.
func (r *replicaFile) Write(ctx vfs.Context, fd *vfs.FileDescription, src []byte, _ int64) (int, linux.Errno) {
	p := r.p
	p.mu.Lock()
	tostop := p.ld.lflag(unix.TOSTOP)
	p.mu.Unlock()
	if tostop {
		if err := p.checkAccess(ctx, unix.SIGTTOU); err != 0 {
			return 0, err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	done := 0
	for done < len(src) {
		if !p.masterOpen {
			if done > 0 {
				return done, 0
			}
			return 0, linux.EIO
		}
		if !p.ld.outputFull() && !p.ld.stopped {
			n := min(len(src)-done, queueMax-len(p.ld.out))
			p.ld.output(src[done : done+n])
			done += n
			p.notifyLocked()
			continue
		}
		if nonblock(fd) {
			if done > 0 {
				return done, 0
			}
			return 0, linux.EAGAIN
		}
		if _, err := p.waitLocked(ctx, time.Time{}); err != 0 {
			if done > 0 {
				return done, 0
			}
			return 0, err
		}
	}
	return done, 0
}

// Readiness implements vfs.Waitable.Readiness for the replica: readable
// when a read would return without waiting, writable while the master's
// queue has room; after a hangup, everything.
func (r *replicaFile) Readiness(_ vfs.Context, mask uint32) uint32 {
	p := r.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.masterOpen {
		return (vfs.EventReadable | vfs.EventWritable | vfs.EventHUp | vfs.EventErr) & mask
	}
	var ev uint32
	if p.ld.hasInput() || (!p.ld.canonical() && p.ld.termios.CC[unix.VMIN] == 0 && p.ld.termios.CC[unix.VTIME] == 0) {
		ev |= vfs.EventReadable
	}
	if !p.ld.outputFull() && !p.ld.stopped {
		ev |= vfs.EventWritable
	}
	return ev & mask
}
