package devpts

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// sizeofTermios2 is the size of struct termios2: struct termios followed
// by the input and output speeds in bits per second.
const sizeofTermios2 = linux.SizeofTermios + 8

// speeds are the baud rates of the CBAUD codes: the first 16 for B0 to
// B38400, the next for BOTHER (0: the speed given in termios2) and B57600
// to B4000000.
var speeds = [32]uint32{
	0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400,
	0, 57600, 115200, 230400, 460800, 500000, 576000, 921600,
	1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000,
}

// speedOf returns the rate of a CBAUD code (cflag bits in CBAUD's
// positions); other is the rate to use for BOTHER.
func speedOf(code, other uint32) uint32 {
	if code&unix.CBAUD == unix.BOTHER {
		return other
	}
	i := code & 0xf
	if code&unix.CBAUDEX != 0 {
		i += 16
	}
	return speeds[i]
}

// setSpeedsLocked records the speeds of termios t: the ones its cflag
// names, or ispeed and ospeed for BOTHER. An input code of 0 means the
// output speed.
//
// Preconditions:
// - p.mu is held.
func (p *pty) setSpeedsLocked(t *linux.Termios, ispeed, ospeed uint32) {
	p.ospeed = speedOf(t.Cflag&unix.CBAUD, ospeed)
	in := t.Cflag & unix.CIBAUD >> unix.IBSHIFT
	if in == 0 {
		p.ispeed = p.ospeed
	} else {
		p.ispeed = speedOf(in, ispeed)
	}
}

// termios2Ioctl implements TCGETS2, TCSETS2, TCSETSW2 and TCSETSF2.
// handled is false for other requests.
func (p *pty) termios2Ioctl(ctx vfs.Context, mem vfs.UserMemory, cmd uint32, arg uintptr) (handled bool, err linux.Errno) {
	var b [sizeofTermios2]byte
	le := binary.LittleEndian
	switch cmd {
	case unix.TCGETS2:
		p.mu.Lock()
		t := p.ld.termios
		ispeed, ospeed := p.ispeed, p.ospeed
		p.mu.Unlock()
		t.MarshalBytes(b[:])
		le.PutUint32(b[linux.SizeofTermios:], ispeed)
		le.PutUint32(b[linux.SizeofTermios+4:], ospeed)
		return true, mem.CopyOut(arg, b[:])
	case unix.TCSETS2, unix.TCSETSW2, unix.TCSETSF2:
		if err := p.checkAccess(ctx, unix.SIGTTOU); err != 0 {
			return true, err
		}
		if err := mem.CopyIn(arg, b[:]); err != 0 {
			return true, err
		}
		var t linux.Termios
		t.UnmarshalBytes(b[:])
		p.mu.Lock()
		defer p.mu.Unlock()
		if cmd == unix.TCSETSF2 {
			p.ld.flush(true, false)
		}
		p.ld.setTermios(t)
		p.setSpeedsLocked(&t, le.Uint32(b[linux.SizeofTermios:]), le.Uint32(b[linux.SizeofTermios+4:]))
		p.notifyLocked()
		return true, 0
	}
	return false, 0
}
