package devpts

import (
	"golang.org/x/sys/unix"
)

// output applies output processing to b (with OPOST: ONLCR, OCRNL,
// ONOCR, ONLRET, TAB3) and queues the result for the master. It follows
// the cursor column, which erasing a tab needs.
func (l *ldisc) output(b []byte) {
	o := l.termios.Oflag
	if o&unix.OPOST == 0 {
		l.out = append(l.out, b...)
		return
	}
	for _, c := range b {
		switch c {
		case '\n':
			if o&unix.ONLRET != 0 {
				l.column = 0
			}
			if o&unix.ONLCR != 0 {
				l.out = append(l.out, '\r', '\n')
				l.column, l.canonColumn = 0, 0
				continue
			}
			l.canonColumn = l.column
		case '\r':
			if o&unix.ONOCR != 0 && l.column == 0 {
				continue
			}
			if o&unix.OCRNL != 0 {
				c = '\n'
				if o&unix.ONLRET != 0 {
					l.column, l.canonColumn = 0, 0
				}
				break
			}
			l.column, l.canonColumn = 0, 0
		case '\t':
			n := 8 - l.column&7
			l.column += n
			if o&unix.TABDLY == unix.TAB3 {
				for ; n > 0; n-- {
					l.out = append(l.out, ' ')
				}
				continue
			}
		case '\b':
			if l.column > 0 {
				l.column--
			}
		default:
			if c >= 0x20 && c != 0x7f && !(l.iflag(unix.IUTF8) && c&0xc0 == 0x80) {
				l.column++
			}
		}
		l.out = append(l.out, c)
	}
}

// width is how many columns the echo of c took: 2 for ^X with ECHOCTL,
// none for other control characters.
func (l *ldisc) width(c byte) int {
	switch {
	case !isCtl(c):
		return 1
	case l.lflag(unix.ECHOCTL):
		return 2
	}
	return 0
}

// tabWidth is how many columns the tab that ends the line being edited
// (already removed from it) took on the screen.
func (l *ldisc) tabWidth() int {
	col := l.canonColumn
	for _, c := range l.edit {
		switch {
		case c == '\t':
			col += 8 - col&7
		case l.iflag(unix.IUTF8) && c&0xc0 == 0x80:
		default:
			col += l.width(c)
		}
	}
	return 8 - col&7
}

// echoOut queues echo (with output processing) for the master, unless the
// master's queue is full: then, as on Linux, echo is lost rather than
// making typing wait or the queue grow without bound.
func (l *ldisc) echoOut(b []byte) {
	if !l.outputFull() {
		l.output(b)
	}
}
