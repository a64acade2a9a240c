package unix

import (
	"bytes"
	"encoding/binary"

	sysunix "golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// Sizes of struct sockaddr_un.
const (
	// familySize is sizeof(sa_family_t), where sun_path starts.
	familySize = 2
	// pathSize is sizeof(sun_path).
	pathSize = 108
	// MaxAddressLen is sizeof(struct sockaddr_un).
	MaxAddressLen = familySize + pathSize
)

// Address is the name of a Unix socket. The zero Address is unnamed.
type Address struct {
	// Path is a file system path name ("" unless bound or connected to
	// one).
	Path string
	// Abstract is a name in the abstract namespace, without the leading
	// NUL byte. It is meaningful when IsAbstract is set (an abstract name
	// may be empty).
	Abstract   string
	IsAbstract bool
}

// Unnamed reports whether a has no name.
func (a Address) Unnamed() bool { return a.Path == "" && !a.IsAbstract }

// ParseAddress decodes a struct sockaddr_un of len(b) bytes, as bind and
// connect read it: EINVAL for a short address, a long one or another
// family. An address of just the family is unnamed (bind: autobind).
func ParseAddress(b []byte) (Address, linux.Errno) {
	if len(b) < familySize || len(b) > MaxAddressLen {
		return Address{}, linux.EINVAL
	}
	if binary.LittleEndian.Uint16(b) != sysunix.AF_UNIX {
		return Address{}, linux.EINVAL
	}
	name := b[familySize:]
	if len(name) == 0 {
		return Address{}, 0
	}
	if name[0] == 0 {
		return Address{Abstract: string(name[1:]), IsAbstract: true}, 0
	}
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	return Address{Path: string(name)}, 0
}

// Encode returns a as a struct sockaddr_un of the length Linux reports
// for it: the family alone for an unnamed socket, the path with its
// terminating NUL, or the abstract name as it was given.
func (a Address) Encode() []byte {
	b := make([]byte, familySize, MaxAddressLen+1)
	binary.LittleEndian.PutUint16(b, sysunix.AF_UNIX)
	switch {
	case a.IsAbstract:
		b = append(b, 0)
		b = append(b, a.Abstract...)
	case a.Path != "":
		b = append(b, a.Path...)
		b = append(b, 0)
	}
	return b
}
