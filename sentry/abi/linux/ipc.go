package linux

import "encoding/binary"

// System V IPC flags and commands (include/uapi/linux/ipc.h, shm.h, sem.h,
// msg.h). On amd64 the kernel takes commands as given: IPC_64 is not
// stripped, so cmd|IPC_64 is EINVAL.
const (
	IPC_PRIVATE = 0

	IPC_CREAT  = 0o1000
	IPC_EXCL   = 0o2000
	IPC_NOWAIT = 0o4000

	IPC_RMID = 0
	IPC_SET  = 1
	IPC_STAT = 2
	IPC_INFO = 3

	SHM_LOCK     = 11
	SHM_UNLOCK   = 12
	SHM_STAT     = 13
	SHM_INFO     = 14
	SHM_STAT_ANY = 15

	SHM_RDONLY = 0o10000
	SHM_RND    = 0o20000
	SHM_REMAP  = 0o40000
	SHM_EXEC   = 0o100000

	SHM_HUGETLB   = 0o4000
	SHM_NORESERVE = 0o10000

	// SHM_DEST and SHM_LOCKED are status bits in a segment's mode.
	SHM_DEST   = 0o1000
	SHM_LOCKED = 0o2000

	GETPID       = 11
	GETVAL       = 12
	GETALL       = 13
	GETNCNT      = 14
	GETZCNT      = 15
	SETVAL       = 16
	SETALL       = 17
	SEM_STAT     = 18
	SEM_INFO     = 19
	SEM_STAT_ANY = 20

	SEM_UNDO = 0o10000

	MSG_STAT     = 11
	MSG_INFO     = 12
	MSG_STAT_ANY = 13

	MSG_NOERROR = 0o10000
	MSG_EXCEPT  = 0o20000
	MSG_COPY    = 0o40000
)

// IPCPerm is struct ipc64_perm.
type IPCPerm struct {
	Key                  int32
	UID, GID, CUID, CGID uint32
	Mode                 uint32
	Seq                  uint16
}

// SizeofIPCPerm is the size of struct ipc64_perm on amd64.
const SizeofIPCPerm = 48

// MarshalBytes encodes p into dst[:SizeofIPCPerm].
func (p *IPCPerm) MarshalBytes(dst []byte) {
	le := binary.LittleEndian
	le.PutUint32(dst[0:], uint32(p.Key))
	le.PutUint32(dst[4:], p.UID)
	le.PutUint32(dst[8:], p.GID)
	le.PutUint32(dst[12:], p.CUID)
	le.PutUint32(dst[16:], p.CGID)
	le.PutUint32(dst[20:], p.Mode)
	le.PutUint16(dst[24:], p.Seq)
}

// UnmarshalBytes decodes the fields IPC_SET reads (uid, gid, mode).
func (p *IPCPerm) UnmarshalBytes(src []byte) {
	le := binary.LittleEndian
	p.Key = int32(le.Uint32(src[0:]))
	p.UID, p.GID = le.Uint32(src[4:]), le.Uint32(src[8:])
	p.CUID, p.CGID = le.Uint32(src[12:]), le.Uint32(src[16:])
	p.Mode = le.Uint32(src[20:])
	p.Seq = le.Uint16(src[24:])
}

// ShmidDS is struct shmid64_ds.
type ShmidDS struct {
	Perm                IPCPerm
	Segsz               uint64
	Atime, Dtime, Ctime int64
	Cpid, Lpid          int32
	Nattch              uint64
}

// SizeofShmidDS is the size of struct shmid64_ds on amd64.
const SizeofShmidDS = 112

// MarshalBytes encodes s into dst[:SizeofShmidDS].
func (s *ShmidDS) MarshalBytes(dst []byte) {
	clear(dst[:SizeofShmidDS])
	le := binary.LittleEndian
	s.Perm.MarshalBytes(dst)
	le.PutUint64(dst[48:], s.Segsz)
	le.PutUint64(dst[56:], uint64(s.Atime))
	le.PutUint64(dst[64:], uint64(s.Dtime))
	le.PutUint64(dst[72:], uint64(s.Ctime))
	le.PutUint32(dst[80:], uint32(s.Cpid))
	le.PutUint32(dst[84:], uint32(s.Lpid))
	le.PutUint64(dst[88:], s.Nattch)
}

// SemidDS is struct semid64_ds.
type SemidDS struct {
	Perm         IPCPerm
	Otime, Ctime int64
	Nsems        uint64
}

// SizeofSemidDS is the size of struct semid64_ds on amd64.
const SizeofSemidDS = 104

// MarshalBytes encodes s into dst[:SizeofSemidDS].
func (s *SemidDS) MarshalBytes(dst []byte) {
	clear(dst[:SizeofSemidDS])
	le := binary.LittleEndian
	s.Perm.MarshalBytes(dst)
	le.PutUint64(dst[48:], uint64(s.Otime))
	le.PutUint64(dst[64:], uint64(s.Ctime))
	le.PutUint64(dst[80:], s.Nsems)
}

// MsqidDS is struct msqid64_ds.
type MsqidDS struct {
	Perm                IPCPerm
	Stime, Rtime, Ctime int64
	Cbytes, Qnum        uint64
	Qbytes              uint64
	Lspid, Lrpid        int32
}

// SizeofMsqidDS is the size of struct msqid64_ds on amd64.
const SizeofMsqidDS = 120

// MarshalBytes encodes m into dst[:SizeofMsqidDS].
func (m *MsqidDS) MarshalBytes(dst []byte) {
	clear(dst[:SizeofMsqidDS])
	le := binary.LittleEndian
	m.Perm.MarshalBytes(dst)
	le.PutUint64(dst[48:], uint64(m.Stime))
	le.PutUint64(dst[56:], uint64(m.Rtime))
	le.PutUint64(dst[64:], uint64(m.Ctime))
	le.PutUint64(dst[72:], m.Cbytes)
	le.PutUint64(dst[80:], m.Qnum)
	le.PutUint64(dst[88:], m.Qbytes)
	le.PutUint32(dst[96:], uint32(m.Lspid))
	le.PutUint32(dst[100:], uint32(m.Lrpid))
}

// UnmarshalQbytes returns the msg_qbytes field of an encoded msqid64_ds.
func UnmarshalQbytes(src []byte) uint64 { return binary.LittleEndian.Uint64(src[88:]) }

// SizeofSembuf is the size of struct sembuf.
const SizeofSembuf = 6

// Sembuf is struct sembuf: one semaphore operation.
type Sembuf struct {
	Num uint16
	Op  int16
	Flg int16
}

// UnmarshalSembuf decodes one struct sembuf.
func UnmarshalSembuf(src []byte) Sembuf {
	le := binary.LittleEndian
	return Sembuf{Num: le.Uint16(src), Op: int16(le.Uint16(src[2:])), Flg: int16(le.Uint16(src[4:]))}
}

// SizeofShminfo, SizeofShmInfo, SizeofSeminfo and SizeofMsginfo are the
// sizes of struct shminfo64, shm_info, seminfo and msginfo.
const (
	SizeofShminfo = 72
	SizeofShmInfo = 48
	SizeofSeminfo = 40
	SizeofMsginfo = 32
)

// PutUint64s encodes vals little-endian at dst.
func PutUint64s(dst []byte, vals ...uint64) {
	for i, v := range vals {
		binary.LittleEndian.PutUint64(dst[8*i:], v)
	}
}

// PutInt32s encodes vals little-endian at dst.
func PutInt32s(dst []byte, vals ...int32) {
	for i, v := range vals {
		binary.LittleEndian.PutUint32(dst[4*i:], uint32(v))
	}
}
