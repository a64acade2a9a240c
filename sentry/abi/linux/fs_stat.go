package linux

import "encoding/binary"

// Timespec is struct timespec: seconds and nanoseconds.
type Timespec struct {
	Sec  int64
	Nsec int64
}

// SizeofStat is the size of struct stat on amd64.
const SizeofStat = 144

// Stat is struct stat as laid out on amd64.
type Stat struct {
	Dev     uint64
	Ino     uint64
	Nlink   uint64
	Mode    uint32
	UID     uint32
	GID     uint32
	Rdev    uint64
	Size    int64
	Blksize int64
	Blocks  int64
	ATime   Timespec
	MTime   Timespec
	CTime   Timespec
}

// MarshalBytes encodes s into dst, which must hold SizeofStat bytes.
func (s *Stat) MarshalBytes(dst []byte) {
	_ = dst[SizeofStat-1]
	le := binary.LittleEndian
	le.PutUint64(dst[0:], s.Dev)
	le.PutUint64(dst[8:], s.Ino)
	le.PutUint64(dst[16:], s.Nlink)
	le.PutUint32(dst[24:], s.Mode)
	le.PutUint32(dst[28:], s.UID)
	le.PutUint32(dst[32:], s.GID)
	le.PutUint32(dst[36:], 0)
	le.PutUint64(dst[40:], s.Rdev)
	le.PutUint64(dst[48:], uint64(s.Size))
	le.PutUint64(dst[56:], uint64(s.Blksize))
	le.PutUint64(dst[64:], uint64(s.Blocks))
	putTimespec(dst[72:], s.ATime)
	putTimespec(dst[88:], s.MTime)
	putTimespec(dst[104:], s.CTime)
	clear(dst[120:SizeofStat])
}

// UnmarshalBytes decodes s from src, which must hold SizeofStat bytes.
func (s *Stat) UnmarshalBytes(src []byte) {
	_ = src[SizeofStat-1]
	le := binary.LittleEndian
	s.Dev = le.Uint64(src[0:])
	s.Ino = le.Uint64(src[8:])
	s.Nlink = le.Uint64(src[16:])
	s.Mode = le.Uint32(src[24:])
	s.UID = le.Uint32(src[28:])
	s.GID = le.Uint32(src[32:])
	s.Rdev = le.Uint64(src[40:])
	s.Size = int64(le.Uint64(src[48:]))
	s.Blksize = int64(le.Uint64(src[56:]))
	s.Blocks = int64(le.Uint64(src[64:]))
	s.ATime = getTimespec(src[72:])
	s.MTime = getTimespec(src[88:])
	s.CTime = getTimespec(src[104:])
}

func putTimespec(dst []byte, t Timespec) {
	binary.LittleEndian.PutUint64(dst, uint64(t.Sec))
	binary.LittleEndian.PutUint64(dst[8:], uint64(t.Nsec))
}

func getTimespec(src []byte) Timespec {
	return Timespec{
		Sec:  int64(binary.LittleEndian.Uint64(src)),
		Nsec: int64(binary.LittleEndian.Uint64(src[8:])),
	}
}

// MakeDev encodes a device number the way Linux's new_encode_dev does.
func MakeDev(major, minor uint32) uint64 {
	return uint64(minor&0xff) | uint64(major&0xfff)<<8 |
		uint64(minor&^0xff)<<12 | uint64(major&^0xfff)<<32
}

// DevMajor returns the major number of an encoded device number.
func DevMajor(dev uint64) uint32 {
	return uint32((dev>>8)&0xfff) | uint32(dev>>32)&^0xfff
}

// DevMinor returns the minor number of an encoded device number.
func DevMinor(dev uint64) uint32 {
	return uint32(dev&0xff) | uint32((dev>>12)&^0xff)
}
