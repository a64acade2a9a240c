package vfs

import "golang.org/x/sys/unix"

// File type bits, as uint32 for comparisons with Perms.Mode.
const (
	sIFMT   = uint32(unix.S_IFMT)
	sIFDIR  = uint32(unix.S_IFDIR)
	sIFREG  = uint32(unix.S_IFREG)
	sIFLNK  = uint32(unix.S_IFLNK)
	sIFCHR  = uint32(unix.S_IFCHR)
	sIFBLK  = uint32(unix.S_IFBLK)
	sIFIFO  = uint32(unix.S_IFIFO)
	sIFSOCK = uint32(unix.S_IFSOCK)
)

// Limits of path resolution.
const (
	// MaxSymlinkTraversals is Linux's MAXSYMLINKS.
	MaxSymlinkTraversals = 40
	// NameMax is the longest path component (NAME_MAX).
	NameMax = 255
	// PathMax is PATH_MAX, the size of a path buffer including its NUL.
	PathMax = 4096
)

// DirentType returns the DT_* value for a file type (S_IFMT bits).
func DirentType(typ uint32) uint8 {
	switch typ {
	case sIFDIR:
		return unix.DT_DIR
	case sIFREG:
		return unix.DT_REG
	case sIFLNK:
		return unix.DT_LNK
	case sIFCHR:
		return unix.DT_CHR
	case sIFBLK:
		return unix.DT_BLK
	case sIFIFO:
		return unix.DT_FIFO
	case sIFSOCK:
		return unix.DT_SOCK
	}
	return unix.DT_UNKNOWN
}
