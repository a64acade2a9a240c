package proto

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// Encoder appends a message to B.
type Encoder struct {
	B []byte
}

// U8 appends v.
func (e *Encoder) U8(v uint8) { e.B = append(e.B, v) }

// U16 appends v.
func (e *Encoder) U16(v uint16) { e.B = binary.LittleEndian.AppendUint16(e.B, v) }

// U32 appends v.
func (e *Encoder) U32(v uint32) { e.B = binary.LittleEndian.AppendUint32(e.B, v) }

// U64 appends v.
func (e *Encoder) U64(v uint64) { e.B = binary.LittleEndian.AppendUint64(e.B, v) }

// I64 appends v.
func (e *Encoder) I64(v int64) { e.U64(uint64(v)) }

// Handle appends h.
func (e *Encoder) Handle(h Handle) { e.U64(uint64(h)) }

// Str appends s with its length.
func (e *Encoder) Str(s string) {
	e.U32(uint32(len(s)))
	e.B = append(e.B, s...)
}

// Bytes appends b with its length.
func (e *Encoder) Bytes(b []byte) {
	e.U32(uint32(len(b)))
	e.B = append(e.B, b...)
}

// Timespec appends t.
func (e *Encoder) Timespec(t unix.Timespec) {
	e.I64(t.Sec)
	e.I64(t.Nsec)
}

// Stat appends s.
func (e *Encoder) Stat(s *Stat) {
	e.U64(s.Dev)
	e.U64(s.Ino)
	e.U64(s.Nlink)
	e.U32(s.Mode)
	e.U32(s.UID)
	e.U32(s.GID)
	e.U64(s.Rdev)
	e.I64(s.Size)
	e.I64(s.Blksize)
	e.I64(s.Blocks)
	e.Timespec(s.Atime)
	e.Timespec(s.Mtime)
	e.Timespec(s.Ctime)
}

// Statfs appends s.
func (e *Encoder) Statfs(s *Statfs) {
	e.U64(s.Type)
	e.I64(s.Bsize)
	e.U64(s.Blocks)
	e.U64(s.Bfree)
	e.U64(s.Bavail)
	e.U64(s.Files)
	e.U64(s.Ffree)
	e.I64(s.Namelen)
	e.I64(s.Frsize)
	e.I64(s.Flags)
}

// Setattr appends r.
func (e *Encoder) Setattr(r *SetattrReq) {
	e.U32(r.Mask)
	e.U32(r.Mode)
	e.U32(r.UID)
	e.U32(r.GID)
	e.U64(r.Size)
	e.Timespec(r.Atime)
	e.Timespec(r.Mtime)
}

// Request starts a request of type t with tag 0 (the client fills the tag
// in when it sends).
func (e *Encoder) Request(t MsgType) {
	e.B = e.B[:0]
	e.U32(0)
	e.U16(uint16(t))
	e.U16(0)
}

// Response starts a response to tag with the given errno.
func (e *Encoder) Response(tag uint32, errno unix.Errno) {
	e.B = e.B[:0]
	e.U32(tag)
	e.U32(uint32(errno))
}

// Decoder reads a message. Reads past the end return zero values and set a
// sticky error, so a sequence of reads needs one check at the end (Ok).
type Decoder struct {
	b   []byte
	bad bool
}

// NewDecoder returns a Decoder over b.
func NewDecoder(b []byte) Decoder {
	return Decoder{b: b}
}

// Ok reports whether every read so far succeeded.
func (d *Decoder) Ok() bool { return !d.bad }

// Done reports whether every read succeeded and nothing is left.
func (d *Decoder) Done() bool { return !d.bad && len(d.b) == 0 }

// Len returns the number of bytes left.
func (d *Decoder) Len() int { return len(d.b) }

func (d *Decoder) take(n int) []byte {
	if d.bad || n < 0 || len(d.b) < n {
		d.bad = true
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

// U8 reads a byte.
func (d *Decoder) U8() uint8 {
	if p := d.take(1); p != nil {
		return p[0]
	}
	return 0
}

// U16 reads a uint16.
func (d *Decoder) U16() uint16 {
	if p := d.take(2); p != nil {
		return binary.LittleEndian.Uint16(p)
	}
	return 0
}

// U32 reads a uint32.
func (d *Decoder) U32() uint32 {
	if p := d.take(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

// U64 reads a uint64.
func (d *Decoder) U64() uint64 {
	if p := d.take(8); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

// I64 reads an int64.
func (d *Decoder) I64() int64 { return int64(d.U64()) }

// Handle reads a Handle.
func (d *Decoder) Handle() Handle { return Handle(d.U64()) }

// BytesRef reads a byte string without copying; the result aliases the
// message buffer.
func (d *Decoder) BytesRef() []byte {
	n := d.U32()
	if n > MaxMessageSize {
		d.bad = true
		return nil
	}
	return d.take(int(n))
}

// Str reads a string.
func (d *Decoder) Str() string {
	return string(d.BytesRef())
}

// Timespec reads a timespec.
func (d *Decoder) Timespec() unix.Timespec {
	return unix.Timespec{Sec: d.I64(), Nsec: d.I64()}
}

// Stat reads a Stat into s.
func (d *Decoder) Stat(s *Stat) {
	p := d.take(statSize)
	if p == nil {
		return
	}
	le := binary.LittleEndian
	*s = Stat{
		Dev:     le.Uint64(p[0:]),
		Ino:     le.Uint64(p[8:]),
		Nlink:   le.Uint64(p[16:]),
		Mode:    le.Uint32(p[24:]),
		UID:     le.Uint32(p[28:]),
		GID:     le.Uint32(p[32:]),
		Rdev:    le.Uint64(p[36:]),
		Size:    int64(le.Uint64(p[44:])),
		Blksize: int64(le.Uint64(p[52:])),
		Blocks:  int64(le.Uint64(p[60:])),
		Atime:   unix.Timespec{Sec: int64(le.Uint64(p[68:])), Nsec: int64(le.Uint64(p[76:]))},
		Mtime:   unix.Timespec{Sec: int64(le.Uint64(p[84:])), Nsec: int64(le.Uint64(p[92:]))},
		Ctime:   unix.Timespec{Sec: int64(le.Uint64(p[100:])), Nsec: int64(le.Uint64(p[108:]))},
	}
}

// Statfs reads a Statfs into s.
func (d *Decoder) Statfs(s *Statfs) {
	*s = Statfs{
		Type: d.U64(), Bsize: d.I64(), Blocks: d.U64(), Bfree: d.U64(),
		Bavail: d.U64(), Files: d.U64(), Ffree: d.U64(), Namelen: d.I64(),
		Frsize: d.I64(), Flags: d.I64(),
	}
}

// Setattr reads a SetattrReq into r.
func (d *Decoder) Setattr(r *SetattrReq) {
	*r = SetattrReq{
		Mask: d.U32(), Mode: d.U32(), UID: d.U32(), GID: d.U32(),
		Size: d.U64(), Atime: d.Timespec(), Mtime: d.Timespec(),
	}
}

// Header reads a request header: tag and type.
func (d *Decoder) Header() (tag uint32, t MsgType) {
	tag = d.U32()
	t = MsgType(d.U16())
	d.U16()
	return tag, t
}
