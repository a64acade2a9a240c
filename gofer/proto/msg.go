package proto

import "golang.org/x/sys/unix"

// Handle names a node (a file, directory, symlink, ...) on the server. It is
// valid from the Walk, Attach or create call that returned it until
// CloseHandles; the zero Handle is never valid.
type Handle uint64

// MsgType is the type of a request.
type MsgType uint16

// Request types, with the body of the request and of its successful response.
const (
	_ MsgType = iota
	// MsgAttach: {} -> {root Handle, Stat}.
	MsgAttach
	// MsgWalk: {dir Handle, names []string} -> {stop errno u32, [](Handle, Stat)}.
	MsgWalk
	// MsgStat: {Handle} -> {Stat}.
	MsgStat
	// MsgOpen: {Handle, flags u32} -> {} plus one descriptor.
	MsgOpen
	// MsgClose: {[]Handle} -> {}.
	MsgClose
	// MsgReadlink: {Handle} -> {target string}.
	MsgReadlink
	// MsgGetdents: {dir Handle, cookie u64, size u32} -> {[]Dirent}.
	MsgGetdents
	// MsgStatfs: {Handle} -> {Statfs}.
	MsgStatfs
	// MsgCreate: {dir Handle, name, flags u32, mode u32, uid u32, gid u32} ->
	// {Handle, Stat} plus one descriptor.
	MsgCreate
	// MsgMkdir: {dir Handle, name, mode u32, uid u32, gid u32} -> {Handle, Stat}.
	MsgMkdir
	// MsgSymlink: {dir Handle, name, target, uid u32, gid u32} -> {Handle, Stat}.
	MsgSymlink
	// MsgLink: {dir Handle, name, target Handle} -> {Handle, Stat}.
	MsgLink
	// MsgMknod: {dir Handle, name, mode u32, uid u32, gid u32} -> {Handle, Stat}.
	MsgMknod
	// MsgUnlink: {dir Handle, name, flags u32} -> {}.
	MsgUnlink
	// MsgRename: {olddir Handle, oldname, newdir Handle, newname, flags u32} -> {}.
	MsgRename
	// MsgSetattr: {Handle, SetattrReq} -> {Stat}.
	MsgSetattr
	// MsgGetxattr: {Handle, name, size u32} -> {value bytes}.
	MsgGetxattr
	// MsgSetxattr: {Handle, name, value bytes, flags u32} -> {}.
	MsgSetxattr
	// MsgListxattr: {Handle} -> {[]string}.
	MsgListxattr
	// MsgRemovexattr: {Handle, name} -> {}.
	MsgRemovexattr
	// MsgWalkOpen: {dir Handle, name, flags u32} -> {Handle, Stat,
	// opened u8} plus one descriptor when opened is 1.
	MsgWalkOpen
	// MsgLookup: {dir Handle, names []string} -> {[](errno u32, and when
	// it is 0: Handle, Stat)}.
	MsgLookup

	msgTypeCount
)

var msgNames = [...]string{
	MsgAttach: "attach", MsgWalk: "walk", MsgStat: "stat", MsgOpen: "open",
	MsgClose: "close", MsgReadlink: "readlink", MsgGetdents: "getdents",
	MsgStatfs: "statfs", MsgCreate: "create", MsgMkdir: "mkdir",
	MsgSymlink: "symlink", MsgLink: "link", MsgMknod: "mknod",
	MsgUnlink: "unlink", MsgRename: "rename", MsgSetattr: "setattr",
	MsgGetxattr: "getxattr", MsgSetxattr: "setxattr",
	MsgListxattr: "listxattr", MsgRemovexattr: "removexattr",
	MsgWalkOpen: "walkopen", MsgLookup: "lookup",
}

// String returns the message type's name.
func (t MsgType) String() string {
	if t > 0 && t < msgTypeCount {
		return msgNames[t]
	}
	return "unknown"
}

// Valid reports whether t is a known request type.
func (t MsgType) Valid() bool {
	return t > 0 && t < msgTypeCount
}

// Limits of the protocol.
const (
	// MaxMessageSize is the largest request or response.
	MaxMessageSize = 64 << 10
	// HeaderSize is the size of a request or response header.
	HeaderSize = 8
	// MaxWalk is the most names one Walk may carry.
	MaxWalk = 128
	// MaxName is the longest file name (NAME_MAX).
	MaxName = 255
	// MaxPath is the longest symlink target (PATH_MAX - 1).
	MaxPath = 4095
	// MaxGetdents is the most bytes of entries one Getdents page may hold.
	MaxGetdents = 32 << 10
	// MaxXattrValue is the largest extended attribute value carried.
	MaxXattrValue = 32 << 10
	// MaxCloseBatch is the most handles one Close message may carry.
	MaxCloseBatch = 1024
)

// Stat is a node's attributes, as stat(2) reports them.
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
	Atime   unix.Timespec
	Mtime   unix.Timespec
	Ctime   unix.Timespec
}

// statSize is the encoded size of a Stat.
const statSize = 8*3 + 4*3 + 8*4 + 16*3

// FromUnix fills s from a host stat.
func (s *Stat) FromUnix(u *unix.Stat_t) {
	*s = Stat{
		Dev: u.Dev, Ino: u.Ino, Nlink: uint64(u.Nlink), Mode: u.Mode,
		UID: u.Uid, GID: u.Gid, Rdev: u.Rdev, Size: u.Size,
		Blksize: int64(u.Blksize), Blocks: u.Blocks,
		Atime: u.Atim, Mtime: u.Mtim, Ctime: u.Ctim,
	}
}

// Statfs is a file system's attributes, as statfs(2) reports them.
type Statfs struct {
	Type    uint64
	Bsize   int64
	Blocks  uint64
	Bfree   uint64
	Bavail  uint64
	Files   uint64
	Ffree   uint64
	Namelen int64
	Frsize  int64
	Flags   int64
}

// Dirent is one directory entry. Off is the cookie that resumes a listing
// just after this entry.
type Dirent struct {
	Ino  uint64
	Off  uint64
	Type uint8 // unix.DT_*
	Name string
}

// Setattr mask bits: which fields of a SetattrReq to apply.
const (
	SetattrMode  = 1 << 0
	SetattrUID   = 1 << 1
	SetattrGID   = 1 << 2
	SetattrSize  = 1 << 3
	SetattrAtime = 1 << 4
	SetattrMtime = 1 << 5

	setattrAll = SetattrMode | SetattrUID | SetattrGID | SetattrSize | SetattrAtime | SetattrMtime
)

// SetattrReq is the body of a Setattr request. Atime and Mtime may carry
// unix.UTIME_NOW in Nsec.
type SetattrReq struct {
	Mask  uint32
	Mode  uint32
	UID   uint32
	GID   uint32
	Size  uint64
	Atime unix.Timespec
	Mtime unix.Timespec
}

// ValidSetattrMask reports whether m has only known bits.
func ValidSetattrMask(m uint32) bool {
	return m&^setattrAll == 0
}

// NoID in a uid or gid field of Create, Mkdir, Symlink or Mknod leaves the
// owner as the server creates it.
const NoID = ^uint32(0)
