package linux

import "encoding/binary"

// SizeofStatx is the size of struct statx.
const SizeofStatx = 256

// Statx mask bits (STATX_*).
const (
	STATX_TYPE        = 0x1
	STATX_MODE        = 0x2
	STATX_NLINK       = 0x4
	STATX_UID         = 0x8
	STATX_GID         = 0x10
	STATX_ATIME       = 0x20
	STATX_MTIME       = 0x40
	STATX_CTIME       = 0x80
	STATX_INO         = 0x100
	STATX_SIZE        = 0x200
	STATX_BLOCKS      = 0x400
	STATX_BASIC_STATS = 0x7ff
	STATX_BTIME       = 0x800
	STATX_MNT_ID      = 0x1000
	STATX__RESERVED   = 0x80000000
)

// StatxTimestamp is struct statx_timestamp.
type StatxTimestamp struct {
	Sec  int64
	Nsec uint32
}

// Statx is struct statx. It is also the sentry's internal attribute record:
// file systems fill one in for every stat-like call.
type Statx struct {
	Mask           uint32
	Blksize        uint32
	Attributes     uint64
	Nlink          uint32
	UID            uint32
	GID            uint32
	Mode           uint16
	Ino            uint64
	Size           uint64
	Blocks         uint64
	AttributesMask uint64
	Atime          StatxTimestamp
	Btime          StatxTimestamp
	Ctime          StatxTimestamp
	Mtime          StatxTimestamp
	RdevMajor      uint32
	RdevMinor      uint32
	DevMajor       uint32
	DevMinor       uint32
	MntID          uint64
}

// MarshalBytes encodes s into dst, which must hold SizeofStatx bytes.
func (s *Statx) MarshalBytes(dst []byte) {
	_ = dst[SizeofStatx-1]
	clear(dst[:SizeofStatx])
	le := binary.LittleEndian
	le.PutUint32(dst[0:], s.Mask)
	le.PutUint32(dst[4:], s.Blksize)
	le.PutUint64(dst[8:], s.Attributes)
	le.PutUint32(dst[16:], s.Nlink)
	le.PutUint32(dst[20:], s.UID)
	le.PutUint32(dst[24:], s.GID)
	le.PutUint16(dst[28:], s.Mode)
	le.PutUint64(dst[32:], s.Ino)
	le.PutUint64(dst[40:], s.Size)
	le.PutUint64(dst[48:], s.Blocks)
	le.PutUint64(dst[56:], s.AttributesMask)
	putStatxTimestamp(dst[64:], s.Atime)
	putStatxTimestamp(dst[80:], s.Btime)
	putStatxTimestamp(dst[96:], s.Ctime)
	putStatxTimestamp(dst[112:], s.Mtime)
	le.PutUint32(dst[128:], s.RdevMajor)
	le.PutUint32(dst[132:], s.RdevMinor)
	le.PutUint32(dst[136:], s.DevMajor)
	le.PutUint32(dst[140:], s.DevMinor)
	le.PutUint64(dst[144:], s.MntID)
}

func putStatxTimestamp(dst []byte, t StatxTimestamp) {
	binary.LittleEndian.PutUint64(dst, uint64(t.Sec))
	binary.LittleEndian.PutUint32(dst[8:], t.Nsec)
	binary.LittleEndian.PutUint32(dst[12:], 0)
}

// ToStat converts s to the struct stat view of the same attributes.
func (s *Statx) ToStat(dst *Stat) {
	*dst = Stat{
		Dev:     MakeDev(s.DevMajor, s.DevMinor),
		Ino:     s.Ino,
		Nlink:   uint64(s.Nlink),
		Mode:    uint32(s.Mode),
		UID:     s.UID,
		GID:     s.GID,
		Rdev:    MakeDev(s.RdevMajor, s.RdevMinor),
		Size:    int64(s.Size),
		Blksize: int64(s.Blksize),
		Blocks:  int64(s.Blocks),
		ATime:   Timespec{Sec: s.Atime.Sec, Nsec: int64(s.Atime.Nsec)},
		MTime:   Timespec{Sec: s.Mtime.Sec, Nsec: int64(s.Mtime.Nsec)},
		CTime:   Timespec{Sec: s.Ctime.Sec, Nsec: int64(s.Ctime.Nsec)},
	}
}

// NsecToStatxTimestamp converts nanoseconds since the epoch.
func NsecToStatxTimestamp(ns int64) StatxTimestamp {
	sec, nsec := ns/1e9, ns%1e9
	if nsec < 0 {
		sec--
		nsec += 1e9
	}
	return StatxTimestamp{Sec: sec, Nsec: uint32(nsec)}
}
