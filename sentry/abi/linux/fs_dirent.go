package linux

import "encoding/binary"

// Dirent64Size returns the record length of a linux_dirent64 holding a name
// of nameLen bytes: header, name, NUL, padded to 8 bytes.
func Dirent64Size(nameLen int) int {
	return (19 + nameLen + 1 + 7) &^ 7
}

// PutDirent64 encodes one linux_dirent64 at the start of dst and returns its
// length, or 0 if dst is too small.
func PutDirent64(dst []byte, ino uint64, off int64, typ uint8, name string) int {
	n := Dirent64Size(len(name))
	if len(dst) < n {
		return 0
	}
	le := binary.LittleEndian
	le.PutUint64(dst[0:], ino)
	le.PutUint64(dst[8:], uint64(off))
	le.PutUint16(dst[16:], uint16(n))
	dst[18] = typ
	copy(dst[19:], name)
	clear(dst[19+len(name) : n])
	return n
}

// DirentSize returns the record length of a legacy linux_dirent (getdents)
// holding a name of nameLen bytes: header, name, NUL, type byte, padded to
// 8 bytes.
func DirentSize(nameLen int) int {
	return (18 + nameLen + 2 + 7) &^ 7
}

// PutDirent encodes one legacy linux_dirent at the start of dst and returns
// its length, or 0 if dst is too small. The type is the record's last byte.
func PutDirent(dst []byte, ino uint64, off int64, typ uint8, name string) int {
	n := DirentSize(len(name))
	if len(dst) < n {
		return 0
	}
	le := binary.LittleEndian
	le.PutUint64(dst[0:], ino)
	le.PutUint64(dst[8:], uint64(off))
	le.PutUint16(dst[16:], uint16(n))
	copy(dst[18:], name)
	clear(dst[18+len(name) : n])
	dst[n-1] = typ
	return n
}
