package devpts

import (
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// pty is a pseudo-terminal pair: the master (an open /dev/ptmx) and the
// replica (/dev/pts/N). It is the vfs.Terminal that sessions hold as their
// controlling terminal.
type pty struct {
	fs    *filesystem
	index uint32

	// mu guards the fields below (and ld).
	mu sync.Mutex
	ld ldisc
	// winsize is shared by both ends.
	winsize linux.Winsize
	// ispeed and ospeed are the line speeds (termios2); they change
	// nothing else.
	ispeed, ospeed uint32
	// locked is the TIOCSPTLCK lock: the replica cannot be opened while
	// it is set.
	locked bool
	// masterOpen is cleared when the master is closed: the replica is
	// hung up.
	masterOpen bool
	// replicas counts the open replica files; everOpened is set by the
	// first (master reads fail with EIO only after one was closed).
	replicas   int
	everOpened bool
	// exclusive is TIOCEXCL: further replica opens fail with EBUSY.
	exclusive bool
	// fg is the foreground process group (0: none).
	fg int32
	// uid, gid and mode are the replica node's owner and permissions.
	uid, gid uint32
	mode     uint32
	// changed is closed and replaced on every change, waking blocked
	// readers and writers.
	changed chan struct{}
	// pending are signals the line discipline raised for process groups,
	// sent once mu is released.
	pending []groupSignal

	// queue tells poll and epoll waiters of both ends about changes.
	queue vfs.Queue
}

// groupSignal is a signal for a process group.
type groupSignal struct {
	pgid int32
	sig  int
}

func newPty(fs *filesystem, index, uid, gid uint32) *pty {
	p := &pty{
		fs: fs, index: index, locked: true, masterOpen: true,
		uid: uid, gid: gid, mode: fs.opts.Mode, ispeed: 38400, ospeed: 38400,
		changed: make(chan struct{}),
	}
	p.ld = newLdisc(func(sig int) {
		if p.fg > 0 {
			p.pending = append(p.pending, groupSignal{p.fg, sig})
		}
	})
	return p
}

// notifyLocked wakes every blocked reader and writer and every poller.
//
// Preconditions:
// - p.mu is held.
func (p *pty) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
	p.queue.Notify(vfs.EventReadable | vfs.EventWritable | vfs.EventHUp | vfs.EventErr)
}

// waitLocked releases mu, waits for a change (interruptibly if ctx
// allows; until the deadline if it is not zero) and takes mu again.
// timedOut reports an expired deadline.
//
// Preconditions:
// - p.mu is held.
func (p *pty) waitLocked(ctx vfs.Context, deadline time.Time) (timedOut bool, err linux.Errno) {
	ch := p.changed
	p.mu.Unlock()
	defer p.mu.Lock()
	wake := (<-chan struct{})(ch)
	if !deadline.IsZero() {
		d := time.Until(deadline)
		if d <= 0 {
			return true, 0
		}
		// One channel for the change or the deadline, whichever comes
		// first.
		merged := make(chan struct{})
		var once sync.Once
		fire := func() { once.Do(func() { close(merged) }) }
		timer := time.AfterFunc(d, fire)
		defer timer.Stop()
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			select {
			case <-ch:
				fire()
			case <-stop:
			}
		}()
		wake = merged
	}
	if i, ok := ctx.(vfs.Interruptible); ok {
		err = i.Block(wake)
	} else {
		<-wake
	}
	if err == 0 && !deadline.IsZero() && !time.Now().Before(deadline) {
		return true, 0
	}
	return false, err
}

// takePendingLocked returns and clears the signals raised so far.
//
// Preconditions:
// - p.mu is held.
func (p *pty) takePendingLocked() []groupSignal {
	s := p.pending
	p.pending = nil
	return s
}

// send delivers signals to their process groups.
//
// Preconditions:
// - p.mu is not held.
func (p *pty) send(sigs []groupSignal) {
	if p.fs.k == nil {
		return
	}
	for _, s := range sigs {
		p.fs.k.SendProcessGroupSignal(s.pgid, s.sig)
	}
}

// session returns the session whose controlling terminal p is, or 0. A
// session whose leader has exited loses p here: on Linux it did at the
// exit, and nothing tells devpts of exits yet (see
// kernel.Kernel.ReleaseControllingTerminal).
//
// Preconditions:
// - p.mu is not held.
func (p *pty) session() int32 {
	sid := p.fs.v.TerminalSession(p)
	if sid != 0 && p.fs.k != nil && !p.fs.k.SessionLeaderAlive(sid) {
		p.fs.v.DropControllingTerminal(sid, p)
		p.mu.Lock()
		p.fg = 0
		p.notifyLocked()
		p.mu.Unlock()
		return 0
	}
	return sid
}

// isControlling reports whether p is the controlling terminal of session
// sid.
//
// Preconditions:
// - p.mu is not held.
func (p *pty) isControlling(sid int32) bool { return sid != 0 && p.session() == sid }

// hangup runs when the master is closed: the replica's files read end of
// file and fail writes with EIO, and the session that had the terminal
// loses it; its leader gets SIGHUP and SIGCONT.
func (p *pty) hangup() {
	p.mu.Lock()
	p.masterOpen = false
	p.fg = 0
	p.notifyLocked()
	p.mu.Unlock()
	p.fs.remove(p)
	sid := p.session()
	p.fs.v.ForgetTerminal(p)
	if sid != 0 && p.fs.k != nil {
		p.fs.k.SendSessionLeaderSignal(sid, int(unix.SIGHUP))
		p.fs.k.SendSessionLeaderSignal(sid, int(unix.SIGCONT))
	}
}

// OpenTTY implements vfs.Terminal.OpenTTY: /dev/tty in a session whose
// controlling terminal is p opens p's replica.
func (p *pty) OpenTTY(ctx vfs.Context, _ vfs.VirtualDentry, _ uint32) (vfs.FileImpl, linux.Errno) {
	if c, ok := ctx.(caller); ok && !p.isControlling(c.SessionID()) {
		return nil, linux.ENXIO // the session lost it
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.masterOpen {
		return nil, linux.EIO
	}
	p.replicas++
	p.everOpened = true
	return &replicaFile{ptyFile{p: p}}, 0
}
