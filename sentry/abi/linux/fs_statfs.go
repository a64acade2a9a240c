package linux

import "encoding/binary"

// SizeofStatfs is the size of struct statfs on amd64.
const SizeofStatfs = 120

// File system magic numbers (f_type).
const (
	TMPFS_MAGIC         = 0x01021994
	DEVPTS_MAGIC        = 0x1cd1
	PROC_SUPER_MAGIC    = 0x9fa0
	V9FS_MAGIC          = 0x01021997
	ANON_INODE_FS_MAGIC = 0x09041934
	SYSFS_MAGIC         = 0x62656572
	MQUEUE_MAGIC        = 0x19800202
	CGROUP_SUPER_MAGIC  = 0x27e0eb
	CGROUP2_SUPER_MAGIC = 0x63677270
)

// Statfs is struct statfs on amd64.
type Statfs struct {
	Type    int64
	Bsize   int64
	Blocks  uint64
	Bfree   uint64
	Bavail  uint64
	Files   uint64
	Ffree   uint64
	Fsid    [2]int32
	Namelen int64
	Frsize  int64
	Flags   int64
}

// MarshalBytes encodes s into dst, which must hold SizeofStatfs bytes.
func (s *Statfs) MarshalBytes(dst []byte) {
	_ = dst[SizeofStatfs-1]
	clear(dst[:SizeofStatfs])
	le := binary.LittleEndian
	le.PutUint64(dst[0:], uint64(s.Type))
	le.PutUint64(dst[8:], uint64(s.Bsize))
	le.PutUint64(dst[16:], s.Blocks)
	le.PutUint64(dst[24:], s.Bfree)
	le.PutUint64(dst[32:], s.Bavail)
	le.PutUint64(dst[40:], s.Files)
	le.PutUint64(dst[48:], s.Ffree)
	le.PutUint32(dst[56:], uint32(s.Fsid[0]))
	le.PutUint32(dst[60:], uint32(s.Fsid[1]))
	le.PutUint64(dst[64:], uint64(s.Namelen))
	le.PutUint64(dst[72:], uint64(s.Frsize))
	le.PutUint64(dst[80:], uint64(s.Flags))
}
