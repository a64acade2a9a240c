package devpts

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// canonByte edits the current line with c (ICANON is on).
func (l *ldisc) canonByte(c byte) {
	iexten := l.lflag(unix.IEXTEN)
	switch {
	case l.cc(c, unix.VERASE):
		if len(l.edit) == 0 {
			return
		}
		if l.lflag(unix.ECHO) && !l.lflag(unix.ECHOE) {
			l.echo(c)
		}
		l.eraseLast()
	case iexten && l.cc(c, unix.VWERASE):
		if len(l.edit) == 0 {
			return
		}
		if l.lflag(unix.ECHO) && !l.lflag(unix.ECHOE) {
			l.echo(c)
		}
		for len(l.edit) > 0 && isBlank(l.edit[len(l.edit)-1]) {
			l.eraseLast()
		}
		for len(l.edit) > 0 && !isBlank(l.edit[len(l.edit)-1]) {
			l.eraseLast()
		}
	case l.cc(c, unix.VKILL):
		l.kill(c)
	case iexten && l.cc(c, unix.VLNEXT):
		l.lnext = true
		if l.lflag(unix.ECHO) && l.lflag(unix.ECHOCTL) {
			l.echoOut([]byte("^\b"))
		}
	case iexten && l.cc(c, unix.VREPRINT) && l.lflag(unix.ECHO):
		// The line is shown again on a new line.
		l.echo(c)
		l.echoOut([]byte{'\n'})
		for _, x := range l.edit {
			l.echo(x)
		}
	case l.cc(c, unix.VEOF):
		// The line so far becomes readable without a terminator; on an
		// empty line, the reader sees an end of file. VEOF is not
		// echoed.
		l.lines = append(l.lines, l.edit)
		l.edit = nil
	case c == '\n' || l.cc(c, unix.VEOL) || (iexten && l.cc(c, unix.VEOL2)):
		if c == '\n' {
			if l.lflag(unix.ECHO) || l.lflag(unix.ECHONL) {
				l.echoOut([]byte{'\n'})
			}
		} else {
			l.echo(c)
		}
		l.lines = append(l.lines, append(l.edit, c))
		l.edit = nil
	default:
		l.literal(c)
	}
}

// literal adds c to the input as data, and echoes it. In canonical mode,
// room is kept for the terminator; beyond it, characters are dropped as
// on Linux.
func (l *ldisc) literal(c byte) {
	if !l.canonical() {
		l.raw = append(l.raw, c)
	} else if len(l.edit) < canonMax-1 {
		if len(l.edit) == 0 {
			l.canonColumn = l.column
		}
		l.edit = append(l.edit, c)
	} else {
		return
	}
	l.echo(c)
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// kill handles VKILL: the line being edited is discarded. With ECHOKE
// (and ECHOE) each character is erased from the screen; otherwise the
// KILL character is echoed, followed by a newline with ECHOK.
func (l *ldisc) kill(c byte) {
	if !l.lflag(unix.ECHO) {
		l.edit = l.edit[:0]
		return
	}
	if l.lflag(unix.ECHOKE) && l.lflag(unix.ECHOE) {
		for len(l.edit) > 0 {
			l.eraseLast()
		}
		return
	}
	l.edit = l.edit[:0]
	l.echo(c)
	if l.lflag(unix.ECHOK) {
		l.echoOut([]byte{'\n'})
	}
}

// read takes up to len(dst) bytes of input: at most one line in canonical
// mode. n is 0 at an end of file (which is consumed) or when nothing is
// available (ok false).
func (l *ldisc) read(dst []byte) (n int, ok bool) {
	if len(l.raw) > 0 {
		n = copy(dst, l.raw)
		l.raw = l.raw[n:]
		if len(l.raw) == 0 {
			l.raw = nil
		}
		return n, true
	}
	if len(l.lines) == 0 {
		return 0, false
	}
	ln := l.lines[0]
	n = copy(dst, ln)
	if n < len(ln) {
		l.lines[0] = ln[n:]
	} else {
		l.lines = l.lines[1:]
	}
	return n, true
}

// setTermios installs new settings. Leaving canonical mode makes every
// byte typed so far readable; entering it makes pending input one line,
// as Linux does.
func (l *ldisc) setTermios(t linux.Termios) {
	wasCanon := l.canonical()
	old := l.termios
	l.termios = t
	l.noteFlowControl(old.Iflag, &old.CC)
	switch {
	case wasCanon && !l.canonical():
		for _, ln := range l.lines {
			l.raw = append(l.raw, ln...)
		}
		l.raw = append(l.raw, l.edit...)
		l.lines, l.edit = nil, nil
	case !wasCanon && l.canonical() && len(l.raw) > 0:
		l.lines = append(l.lines, l.raw)
		l.raw = nil
	}
	if !l.iflag(unix.IXON) {
		l.setStopped(false)
	}
}

// flush discards pending input (what the replica would read and the line
// being edited) and output (what the master would read) on the replica's
// behalf, telling a packet-mode master.
func (l *ldisc) flush(input, output bool) {
	l.discard(input, output)
	l.noteFlush(input, output)
}

// discard is flush without telling the master (the master's own flush).
func (l *ldisc) discard(input, output bool) {
	if input {
		l.raw, l.lines, l.edit = nil, nil, nil
	}
	if output {
		l.out = nil
	}
}
