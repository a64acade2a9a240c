package linux

import "encoding/binary"

// SizeofTermios is the size of struct termios (the TCGETS one, not termios2).
const SizeofTermios = 36

// NCCS is the number of control characters in struct termios.
const NCCS = 19

// Termios is struct termios.
type Termios struct {
	Iflag, Oflag, Cflag, Lflag uint32
	Line                       uint8
	CC                         [NCCS]uint8
}

// MarshalBytes encodes t into dst (SizeofTermios bytes).
func (t *Termios) MarshalBytes(dst []byte) {
	_ = dst[SizeofTermios-1]
	le := binary.LittleEndian
	le.PutUint32(dst[0:], t.Iflag)
	le.PutUint32(dst[4:], t.Oflag)
	le.PutUint32(dst[8:], t.Cflag)
	le.PutUint32(dst[12:], t.Lflag)
	dst[16] = t.Line
	copy(dst[17:SizeofTermios], t.CC[:])
}

// UnmarshalBytes decodes t from src (SizeofTermios bytes).
func (t *Termios) UnmarshalBytes(src []byte) {
	_ = src[SizeofTermios-1]
	le := binary.LittleEndian
	t.Iflag = le.Uint32(src[0:])
	t.Oflag = le.Uint32(src[4:])
	t.Cflag = le.Uint32(src[8:])
	t.Lflag = le.Uint32(src[12:])
	t.Line = src[16]
	copy(t.CC[:], src[17:SizeofTermios])
}

// DefaultReplicaTermios is what a new pty replica starts with: Linux's
// tty_std_termios as its pts driver sets it up, without HUPCL.
var DefaultReplicaTermios = Termios{
	Iflag: 0x500,  // ICRNL | IXON
	Oflag: 0x5,    // OPOST | ONLCR
	Cflag: 0xbf,   // B38400 | CS8 | CREAD
	Lflag: 0x8a3b, // ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN
	CC:    [NCCS]uint8{3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0},
}

// DefaultMasterTermios is what a pty master starts with: raw.
var DefaultMasterTermios = Termios{
	Cflag: 0xbf, // B38400 | CS8 | CREAD
	CC:    [NCCS]uint8{3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0},
}

// SizeofWinsize is the size of struct winsize.
const SizeofWinsize = 8

// Winsize is struct winsize.
type Winsize struct {
	Row, Col, Xpixel, Ypixel uint16
}

// MarshalBytes encodes w into dst (SizeofWinsize bytes).
func (w *Winsize) MarshalBytes(dst []byte) {
	le := binary.LittleEndian
	le.PutUint16(dst[0:], w.Row)
	le.PutUint16(dst[2:], w.Col)
	le.PutUint16(dst[4:], w.Xpixel)
	le.PutUint16(dst[6:], w.Ypixel)
}

// UnmarshalBytes decodes w from src (SizeofWinsize bytes).
func (w *Winsize) UnmarshalBytes(src []byte) {
	le := binary.LittleEndian
	w.Row, w.Col = le.Uint16(src[0:]), le.Uint16(src[2:])
	w.Xpixel, w.Ypixel = le.Uint16(src[4:]), le.Uint16(src[6:])
}
