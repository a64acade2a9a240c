package unix

import (
	"encoding/binary"

	sysunix "golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// Cred is struct ucred: a process ID and user and group IDs, as
// SCM_CREDENTIALS and SO_PEERCRED report them.
type Cred struct {
	PID      int32
	UID, GID uint32
}

// noCred is what SO_PEERCRED reports without a peer: pid 0, IDs -1.
var noCred = Cred{UID: ^uint32(0), GID: ^uint32(0)}

// encode returns c as struct ucred.
func (c Cred) encode() []byte {
	b := make([]byte, credSize)
	binary.LittleEndian.PutUint32(b[0:], uint32(c.PID))
	binary.LittleEndian.PutUint32(b[4:], c.UID)
	binary.LittleEndian.PutUint32(b[8:], c.GID)
	return b
}

// credSize is sizeof(struct ucred).
const credSize = 12

// MaxRights is SCM_MAX_FD, the most descriptors one message carries.
const MaxRights = 253

// Control is the control data of one message.
type Control struct {
	// Rights are passed file descriptions; the message holds a
	// reference to each until they are received or dropped.
	Rights []*vfs.FileDescription
	// Cred is the sender's credentials (set by send when the caller
	// gave none).
	Cred *Cred
}

// Release drops the references of undelivered rights.
func (c *Control) Release() {
	for _, f := range c.Rights {
		f.DecRef()
	}
	c.Rights = nil
}

// Sizes of the cmsg layout on x86-64.
const (
	cmsgHdrSize = 16
	cmsgAlign   = 8
)

// CmsgLen is CMSG_LEN(n).
func CmsgLen(n int) int { return cmsgHdrSize + n }

// CmsgSpace is CMSG_SPACE(n).
func CmsgSpace(n int) int { return cmsgHdrSize + (n+cmsgAlign-1)&^(cmsgAlign-1) }

// ParseControl decodes sendmsg's control buffer. getFile returns a
// referenced file for a descriptor of SCM_RIGHTS; checkCred validates
// explicit SCM_CREDENTIALS. Messages of other levels are ignored, as on
// Linux; unknown SOL_SOCKET types and malformed headers are EINVAL. On
// error the references taken are dropped.
func ParseControl(b []byte, getFile func(fd int32) (*vfs.FileDescription, linux.Errno), checkCred func(Cred) linux.Errno) (Control, linux.Errno) {
	var c Control
	fail := func(err linux.Errno) (Control, linux.Errno) {
		c.Release()
		return Control{}, err
	}
	for len(b) >= cmsgHdrSize {
		n := binary.LittleEndian.Uint64(b)
		level := int32(binary.LittleEndian.Uint32(b[8:]))
		typ := int32(binary.LittleEndian.Uint32(b[12:]))
		if n < cmsgHdrSize || n > uint64(len(b)) {
			return fail(linux.EINVAL)
		}
		data := b[cmsgHdrSize:n]
		if level == sysunix.SOL_SOCKET {
			switch typ {
			case sysunix.SCM_RIGHTS:
				count := len(data) / 4
				if len(c.Rights)+count > MaxRights {
					return fail(linux.EINVAL)
				}
				for i := 0; i < count; i++ {
					f, err := getFile(int32(binary.LittleEndian.Uint32(data[4*i:])))
					if err != 0 {
						return fail(err)
					}
					c.Rights = append(c.Rights, f)
				}
			case sysunix.SCM_CREDENTIALS:
				if len(data) != credSize {
					return fail(linux.EINVAL)
				}
				cr := Cred{
					PID: int32(binary.LittleEndian.Uint32(data)),
					UID: binary.LittleEndian.Uint32(data[4:]),
					GID: binary.LittleEndian.Uint32(data[8:]),
				}
				if err := checkCred(cr); err != 0 {
					return fail(err)
				}
				c.Cred = &cr
			default:
				return fail(linux.EINVAL)
			}
		}
		next := CmsgSpace(int(n) - cmsgHdrSize)
		if next >= len(b) {
			break
		}
		b = b[next:]
	}
	return c, 0
}

// ControlBuilder lays out recvmsg's control buffer in at most Cap bytes.
type ControlBuilder struct {
	// Cap is the application's msg_controllen.
	Cap int
	// Buf is what was built; len(Buf) is the msg_controllen to report.
	Buf []byte
	// Truncated is MSG_CTRUNC.
	Truncated bool
}

// Put appends one control message, truncated (with MSG_CTRUNC) if it
// does not fit, as Linux's put_cmsg does.
func (w *ControlBuilder) Put(level, typ int32, data []byte) {
	left := w.Cap - len(w.Buf)
	if left < cmsgHdrSize {
		w.Truncated = true
		return
	}
	n := CmsgLen(len(data))
	if n > left {
		w.Truncated = true
		n = left
	}
	var h [cmsgHdrSize]byte
	binary.LittleEndian.PutUint64(h[0:], uint64(n))
	binary.LittleEndian.PutUint32(h[8:], uint32(level))
	binary.LittleEndian.PutUint32(h[12:], uint32(typ))
	w.Buf = append(w.Buf, h[:]...)
	w.Buf = append(w.Buf, data[:n-cmsgHdrSize]...)
	if pad := min(CmsgSpace(len(data)), left) - n; pad > 0 {
		w.Buf = append(w.Buf, make([]byte, pad)...)
	}
}

// RightsRoom returns how many descriptors of an SCM_RIGHTS message fit.
func (w *ControlBuilder) RightsRoom() int {
	left := w.Cap - len(w.Buf)
	if left <= cmsgHdrSize {
		return 0
	}
	return (left - cmsgHdrSize) / 4
}

// PutRights appends SCM_RIGHTS with fds (which must fit: RightsRoom);
// dropped is the number of descriptors that did not fit.
func (w *ControlBuilder) PutRights(fds []int32, dropped int) {
	if dropped > 0 {
		w.Truncated = true
	}
	if len(fds) == 0 {
		return
	}
	data := make([]byte, 4*len(fds))
	for i, fd := range fds {
		binary.LittleEndian.PutUint32(data[4*i:], uint32(fd))
	}
	w.Put(sysunix.SOL_SOCKET, sysunix.SCM_RIGHTS, data)
}

// PutCred appends SCM_CREDENTIALS.
func (w *ControlBuilder) PutCred(c Cred) {
	w.Put(sysunix.SOL_SOCKET, sysunix.SCM_CREDENTIALS, c.encode())
}
