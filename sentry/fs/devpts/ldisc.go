package devpts

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// Limits of the line discipline.
const (
	// queueMax bounds each direction's buffered bytes; writers wait
	// beyond it.
	queueMax = 64 << 10
	// canonMax is the longest line canonical mode edits, terminator
	// included (Linux's N_TTY_BUF_SIZE).
	canonMax = 4096
)

// ldisc is the line discipline of one terminal (Linux's N_TTY): it turns
// bytes typed on the master into what the replica reads (input
// processing, canonical editing, signal characters, echo) and bytes the
// replica writes into what the master reads (output processing). It has
// no lock of its own: the pty's mu guards it.
type ldisc struct {
	termios linux.Termios

	// lines are complete canonical lines; an empty line is an end of
	// file (VEOF on an empty line). raw is input read byte by byte
	// (non-canonical mode). At most one of them is non-empty, except
	// transiently while settings change.
	lines [][]byte
	raw   []byte
	// edit is the canonical line being typed.
	edit []byte
	// out is what the master reads: the replica's output and echo.
	out []byte
	// stopped is set by VSTOP with IXON (or TCOOFF): replica output
	// waits until VSTART (or TCOON).
	stopped bool
	// column is the terminal's cursor column as output processing
	// moved it; canonColumn is where the line being edited started.
	column, canonColumn int
	// packet is TIOCPKT on the master; pktStatus holds the TIOCPKT_*
	// events its next read reports.
	packet    bool
	pktStatus byte
	// lnext is set by VLNEXT (canonical mode, IEXTEN): the next byte
	// is taken literally.
	lnext bool

	// signal is called for each signal character (with ISIG) with the
	// signal it raises: SIGINT, SIGQUIT or SIGTSTP.
	signal func(sig int)
}

func newLdisc(signal func(int)) ldisc {
	return ldisc{termios: linux.DefaultReplicaTermios, signal: signal}
}

func (l *ldisc) lflag(f uint32) bool { return l.termios.Lflag&f != 0 }
func (l *ldisc) iflag(f uint32) bool { return l.termios.Iflag&f != 0 }

// cc reports whether c is the enabled control character at index i
// (_POSIX_VDISABLE is 0).
func (l *ldisc) cc(c byte, i int) bool {
	v := l.termios.CC[i]
	return v != 0 && c == v
}

// canonical reports whether ICANON is on.
func (l *ldisc) canonical() bool { return l.lflag(unix.ICANON) }

// readable is the number of bytes the replica could read now: complete
// lines in canonical mode (what FIONREAD reports), everything otherwise.
func (l *ldisc) readable() int {
	n := len(l.raw)
	for _, ln := range l.lines {
		n += len(ln)
	}
	return n
}

// hasInput reports whether a replica read would return data or an end of
// file without waiting.
func (l *ldisc) hasInput() bool { return len(l.raw) > 0 || len(l.lines) > 0 }

// inputFull reports whether typed input must wait for the replica to
// read.
func (l *ldisc) inputFull() bool { return l.readable()+len(l.edit) >= queueMax }

// outputFull reports whether replica output must wait for the master to
// read.
func (l *ldisc) outputFull() bool { return len(l.out) >= queueMax }

// isCtl reports whether ECHOCTL shows c as ^X.
func isCtl(c byte) bool { return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f }

// echo shows c on the master as typed, if ECHO is on.
func (l *ldisc) echo(c byte) {
	if !l.lflag(unix.ECHO) {
		return
	}
	if isCtl(c) && l.lflag(unix.ECHOCTL) {
		l.echoOut([]byte{'^', c ^ 0x40})
		return
	}
	l.echoOut([]byte{c})
}

// eraseLast removes the last character of the line being edited, and
// with ECHO and ECHOE erases it from the screen.
func (l *ldisc) eraseLast() {
	c := l.edit[len(l.edit)-1]
	l.edit = l.edit[:len(l.edit)-1]
	if l.iflag(unix.IUTF8) && c&0xc0 == 0x80 {
		// A UTF-8 character is erased whole: its continuation
		// bytes, then its first byte. It took one column.
		for len(l.edit) > 0 && c&0xc0 == 0x80 {
			c = l.edit[len(l.edit)-1]
			l.edit = l.edit[:len(l.edit)-1]
		}
		c = 'x'
	}
	if !l.lflag(unix.ECHO) || !l.lflag(unix.ECHOE) {
		return
	}
	if c == '\t' {
		// Back to where the tab started, without blanking.
		for i := l.tabWidth(); i > 0; i-- {
			l.echoOut([]byte{'\b'})
		}
		return
	}
	for i := 0; i < l.width(c); i++ {
		l.echoOut([]byte("\b \b"))
	}
}

// Input runs b, written to the master, through the line discipline. It
// returns how many bytes it took: it stops early when the input queue is
// full.
func (l *ldisc) input(b []byte) int {
	for i, c := range b {
		if l.inputFull() {
			return i
		}
		l.inputByte(c)
	}
	return len(b)
}

// inputByte processes one typed byte.
func (l *ldisc) inputByte(c byte) {
	if l.iflag(unix.ISTRIP) {
		c &= 0x7f
	}
	if l.lnext {
		// After VLNEXT: data, whatever it is.
		l.lnext = false
		l.literal(c)
		return
	}
	switch {
	case c == '\r' && l.iflag(unix.IGNCR):
		return
	case c == '\r' && l.iflag(unix.ICRNL):
		c = '\n'
	case c == '\n' && l.iflag(unix.INLCR):
		c = '\r'
	}
	if l.iflag(unix.IXON) {
		switch {
		case l.cc(c, unix.VSTOP):
			l.setStopped(true)
			return
		case l.cc(c, unix.VSTART):
			l.setStopped(false)
			return
		case l.stopped && l.iflag(unix.IXANY):
			l.setStopped(false)
		}
	}
	if l.lflag(unix.ISIG) {
		sig := 0
		switch {
		case l.cc(c, unix.VINTR):
			sig = int(unix.SIGINT)
		case l.cc(c, unix.VQUIT):
			sig = int(unix.SIGQUIT)
		case l.cc(c, unix.VSUSP):
			sig = int(unix.SIGTSTP)
		}
		if sig != 0 {
			if !l.lflag(unix.NOFLSH) {
				// Typed input and pending output are discarded.
				l.flush(true, true)
			}
			l.echo(c)
			if l.signal != nil {
				l.signal(sig)
			}
			return
		}
	}
	if !l.canonical() {
		l.raw = append(l.raw, c)
		l.echo(c)
		return
	}
	l.canonByte(c)
}
