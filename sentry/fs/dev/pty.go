package dev

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/fs/host"
	"moat/sentry/vfs"
)

// ptyQueueMax bounds each direction's buffered bytes; writers wait beyond.
const ptyQueueMax = 64 << 10

// canonLineMax is the longest line canonical mode edits (N_TTY_BUF_SIZE).
const canonLineMax = 4096

// pty is a pseudo-terminal pair: the master (/dev/ptmx) and the replica
// (/dev/pts/N). Bytes written to the master go through the replica's line
// discipline (input processing, canonical editing, echo) and become
// readable on the replica; bytes written to the replica go through output
// processing and become readable on the master.
//
// With ISIG, ^C, ^\ and ^Z send SIGINT, SIGQUIT and SIGTSTP to the
// foreground process group (TIOCSPGRP) through the writer's context; a
// window size change sends SIGWINCH.
type pty struct {
	index uint32
	uid   uint32

	// mu guards the fields below.
	mu       sync.Mutex
	termios  linux.Termios // the replica's; the line discipline's settings
	mtermios linux.Termios // the master's (kept for TCGETS/TCSETS on it)
	winsize  linux.Winsize
	locked   bool
	// lines are complete canonical lines (a zero-length line is an end of
	// file from VEOF); raw holds input not split into lines.
	lines [][]byte
	raw   []byte
	// edit is the canonical line being typed.
	edit []byte
	// out is output for the master to read.
	out []byte
	// masterOpen and replicas count the open ends; everOpened is set by
	// the first replica open (master reads fail with EIO only after).
	masterOpen bool
	replicas   int
	everOpened bool
	// changed is closed and replaced on every change, waking waiters.
	changed chan struct{}
	// queue tells poll and epoll waiters of both ends about changes.
	queue vfs.Queue

	// fgPGID is the foreground process group (TIOCSPGRP; 0: unset).
	fgPGID atomic.Int32

	// pendingSigs are signals the line discipline raised, sent once mu is
	// released (guarded by mu).
	pendingSigs []int
}

func newPty(index, uid uint32) *pty {
	return &pty{
		index: index, uid: uid,
		termios: linux.DefaultReplicaTermios, mtermios: linux.DefaultMasterTermios,
		locked: true, masterOpen: true, changed: make(chan struct{}),
	}
}

// notifyLocked wakes every waiter.
func (p *pty) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
	p.queue.Notify(vfs.EventReadable | vfs.EventWritable | vfs.EventHUp)
}

// waitLocked releases mu, waits for a change (interruptibly if ctx allows)
// and takes mu again.
func (p *pty) waitLocked(ctx vfs.Context) linux.Errno {
	ch := p.changed
	p.mu.Unlock()
	defer p.mu.Lock()
	if i, ok := ctx.(vfs.Interruptible); ok {
		return i.Block(ch)
	}
	<-ch
	return 0
}

// inputLen is the number of bytes the replica could read.
func (p *pty) inputLenLocked() int {
	n := len(p.raw)
	for _, l := range p.lines {
		n += len(l)
	}
	return n
}

// echoLocked adds echoed input to the master's output.
func (p *pty) echoLocked(c byte) {
	t := &p.termios
	if t.Lflag&unix.ECHO == 0 {
		if c == '\n' && t.Lflag&unix.ECHONL != 0 && t.Lflag&unix.ICANON != 0 {
			p.outputLocked([]byte{'\n'})
		}
		return
	}
	if c < 0x20 && c != '\n' && c != '\t' && t.Lflag&unix.ECHOCTL != 0 {
		p.outputLocked([]byte{'^', c + 0x40})
		return
	}
	if c == 0x7f && t.Lflag&unix.ECHOCTL != 0 {
		p.outputLocked([]byte{'^', '?'})
		return
	}
	p.outputLocked([]byte{c})
}

// outputLocked applies output processing (OPOST, ONLCR, OCRNL) and queues
// the result for the master.
func (p *pty) outputLocked(b []byte) {
	t := &p.termios
	if t.Oflag&unix.OPOST == 0 {
		p.out = append(p.out, b...)
		return
	}
	for _, c := range b {
		switch {
		case c == '\n' && t.Oflag&unix.ONLCR != 0:
			p.out = append(p.out, '\r', '\n')
		case c == '\r' && t.Oflag&unix.OCRNL != 0:
			p.out = append(p.out, '\n')
		default:
			p.out = append(p.out, c)
		}
	}
}

// inputLocked runs one byte written to the master through the line
// discipline.
func (p *pty) inputLocked(c byte) {
	t := &p.termios
	switch {
	case c == '\r' && t.Iflag&unix.IGNCR != 0:
		return
	case c == '\r' && t.Iflag&unix.ICRNL != 0:
		c = '\n'
	case c == '\n' && t.Iflag&unix.INLCR != 0:
		c = '\r'
	}
	cc := &t.CC
	if t.Lflag&unix.ISIG != 0 && c != 0 && (c == cc[unix.VINTR] || c == cc[unix.VQUIT] || c == cc[unix.VSUSP]) {
		p.echoLocked(c)
		if t.Lflag&unix.NOFLSH == 0 {
			p.edit = p.edit[:0]
		}
		switch c {
		case cc[unix.VINTR]:
			p.pendingSigs = append(p.pendingSigs, int(unix.SIGINT))
		case cc[unix.VQUIT]:
			p.pendingSigs = append(p.pendingSigs, int(unix.SIGQUIT))
		default:
			p.pendingSigs = append(p.pendingSigs, int(unix.SIGTSTP))
		}
		return
	}
	if t.Lflag&unix.ICANON == 0 {
		p.raw = append(p.raw, c)
		p.echoLocked(c)
		return
	}
	switch {
	case c != 0 && c == cc[unix.VERASE]:
		if len(p.edit) > 0 {
			p.edit = p.edit[:len(p.edit)-1]
			if t.Lflag&unix.ECHO != 0 && t.Lflag&unix.ECHOE != 0 {
				p.outputLocked([]byte("\b \b"))
			}
		}
	case c != 0 && c == cc[unix.VKILL]:
		n := len(p.edit)
		p.edit = p.edit[:0]
		if t.Lflag&unix.ECHO != 0 && t.Lflag&unix.ECHOKE != 0 {
			for i := 0; i < n; i++ {
				p.outputLocked([]byte("\b \b"))
			}
		} else if t.Lflag&unix.ECHOK != 0 {
			p.echoLocked(c)
			p.outputLocked([]byte{'\n'})
		}
	case c != 0 && c == cc[unix.VEOF]:
		p.lines = append(p.lines, p.edit)
		p.edit = nil
	case c == '\n' || (c != 0 && (c == cc[unix.VEOL] || c == cc[unix.VEOL2])):
		p.echoLocked(c)
		p.lines = append(p.lines, append(p.edit, c))
		p.edit = nil
	default:
		if len(p.edit) < canonLineMax-1 {
			p.edit = append(p.edit, c)
			p.echoLocked(c)
		}
	}
}

// readReplicaLocked takes up to len(dst) bytes of input: one line at most
// in canonical mode. ok is false when nothing is available.
func (p *pty) readReplicaLocked(dst []byte) (n int, ok bool) {
	if len(p.raw) > 0 {
		n = copy(dst, p.raw)
		p.raw = p.raw[n:]
		if p.termios.Lflag&unix.ICANON != 0 || n == len(dst) {
			return n, true
		}
	}
	for len(p.lines) > 0 && n < len(dst) {
		l := p.lines[0]
		if len(l) == 0 { // end of file
			if n == 0 {
				p.lines = p.lines[1:]
			}
			return n, true
		}
		m := copy(dst[n:], l)
		n += m
		if m < len(l) {
			p.lines[0] = l[m:]
			return n, true
		}
		p.lines = p.lines[1:]
		if p.termios.Lflag&unix.ICANON != 0 {
			return n, true
		}
	}
	return n, n > 0
}

// setTermiosLocked installs new replica settings; leaving canonical mode
// makes the line being edited readable.
func (p *pty) setTermiosLocked(t linux.Termios) {
	if p.termios.Lflag&unix.ICANON != 0 && t.Lflag&unix.ICANON == 0 {
		for _, l := range p.lines {
			p.raw = append(p.raw, l...)
		}
		p.raw = append(p.raw, p.edit...)
		p.lines, p.edit = nil, nil
	}
	p.termios = t
}

// flushLocked implements TCFLSH: queue selects TCIFLUSH, TCOFLUSH or both,
// from the replica's point of view (input is what it reads).
func (p *pty) flushLocked(input, output bool) {
	if input {
		p.raw, p.lines, p.edit = nil, nil, nil
	}
	if output {
		p.out = nil
	}
}

// takeSignalsLocked returns and clears the signals raised so far.
func (p *pty) takeSignalsLocked() []int {
	s := p.pendingSigs
	p.pendingSigs = nil
	return s
}

// signal sends sigs to the foreground process group through ctx.
//
// Preconditions:
// - p.mu is not held.
func (p *pty) signal(ctx vfs.Context, sigs []int) {
	pgid := p.fgPGID.Load()
	s, ok := ctx.(host.ProcessGroupSignaller)
	if pgid <= 0 || !ok {
		return
	}
	for _, sig := range sigs {
		s.SignalProcessGroup(pgid, sig)
	}
}
