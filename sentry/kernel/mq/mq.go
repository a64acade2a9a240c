// Package mq is POSIX message queues (mq_overview(7)): the queues of an
// IPC namespace by name, their messages ordered by priority, the
// namespace's limits (/proc/sys/fs/mqueue), RLIMIT_MSGQUEUE accounting
// per user, blocking sends and receives, and mq_notify registrations.
// sentry/syscalls decodes the arguments and calls in here; sentry/fs/mqueue
// makes a queue a file. docs/ipc.md describes what is emulated.
//
// Lock order: Registry.mu, then Queue.mu, then Users.mu. A notification
// fires with Queue.mu held: its callbacks take the kernel's signal and
// process locks or a netlink socket's, never a queue's. No lock is held
// while a caller blocks or memory is copied.
package mq

import (
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
)

// Linux's limits (include/linux/ipc_namespace.h, ipc/mqueue.c).
const (
	DefaultQueuesMax      = 256
	DefaultMsgMax         = 10
	DefaultMsgsizeMax     = 8192
	DefaultMsgDefault     = 10
	DefaultMsgsizeDefault = 8192
	hardQueuesMax         = 1024
	hardMsgMax            = 65536
	hardMsgsizeMax        = 16 * 1024 * 1024
	minMsgMax             = 1
	minMsgsizeMax         = 128
	// PrioMax is MQ_PRIO_MAX: priorities are below it.
	PrioMax = 32768
	// sizeofMsg and sizeofNode are struct msg_msg and struct
	// posix_msg_tree_node on x86-64: what a queue is charged per slot
	// and per priority, and a priority's node counts in QSIZE.
	sizeofMsg  = 48
	sizeofNode = 48
	nameMax    = 255
)

// Limits are a namespace's /proc/sys/fs/mqueue values.
type Limits struct {
	QueuesMax, MsgMax, MsgsizeMax, MsgDefault, MsgsizeDefault int64
}

// Registry is the message queues of one IPC namespace.
type Registry struct {
	users *Users

	// mu guards the fields below.
	mu     sync.Mutex
	queues map[string]*Queue
	// count is the queues that exist, named or not (mq_queues_count).
	count  int64
	limits Limits
	// lastIno numbers the queues' inodes (the root directory is 1).
	lastIno uint64
}

// NewRegistry returns an empty registry with Linux's default limits
// charging users (shared by every namespace of a sandbox, as Linux's
// per-user counts are).
func NewRegistry(users *Users) *Registry {
	return &Registry{
		users:  users,
		queues: map[string]*Queue{},
		limits: Limits{DefaultQueuesMax, DefaultMsgMax, DefaultMsgsizeMax, DefaultMsgDefault, DefaultMsgsizeDefault},
	}
}

// Users counts the bytes each user's queues are charged against
// RLIMIT_MSGQUEUE (user_struct.mq_bytes).
type Users struct {
	// mu guards bytes.
	mu    sync.Mutex
	bytes map[auth.KUID]uint64
}

// NewUsers returns empty accounts.
func NewUsers() *Users { return &Users{bytes: map[auth.KUID]uint64{}} }

func (u *Users) charge(uid auth.KUID, n, limit uint64) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	cur := u.bytes[uid]
	if cur+n < cur || cur+n > limit {
		return false
	}
	u.bytes[uid] = cur + n
	return true
}

func (u *Users) uncharge(uid auth.KUID, n uint64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.bytes[uid] -= n
	if u.bytes[uid] == 0 {
		delete(u.bytes, uid)
	}
}

// Attr is struct mq_attr.
type Attr struct {
	Flags, MaxMsg, MsgSize, CurMsgs int64
}

// checkName is lookup_one_len's test of a queue name (the part after
// glibc's leading slash).
func checkName(name string) linux.Errno {
	switch {
	case name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/'):
		return linux.EACCES
	case len(name) > nameMax:
		return linux.ENAMETOOLONG
	}
	return 0
}

// checkAttr is mq_attr_ok.
func (r *Registry) checkAttrLocked(c *auth.Credentials, a *Attr) linux.Errno {
	if a.MaxMsg <= 0 || a.MsgSize <= 0 {
		return linux.EINVAL
	}
	if c.HasCap(auth.CapSysResource) {
		if a.MaxMsg > hardMsgMax || a.MsgSize > hardMsgsizeMax {
			return linux.EINVAL
		}
	} else if a.MaxMsg > r.limits.MsgMax || a.MsgSize > r.limits.MsgsizeMax {
		return linux.EINVAL
	}
	return 0
}

// charge is what a queue of a costs its creator (mq_treesize + bytes).
func charge(a *Attr) uint64 {
	return uint64(a.MaxMsg)*uint64(a.MsgSize) + uint64(a.MaxMsg)*sizeofMsg + uint64(min(a.MaxMsg, PrioMax))*sizeofNode
}

// OpenOptions are mq_open's arguments once decoded.
type OpenOptions struct {
	Name  string
	Flags int // O_CREAT, O_EXCL and the access mode
	// Mode is the new queue's mode with the umask applied.
	Mode uint32
	// Attr is the new queue's attributes, nil for the defaults.
	Attr *Attr
	// Rlimit is the caller's RLIMIT_MSGQUEUE.
	Rlimit uint64
}

// Open implements mq_open(3)'s lookup and creation: it returns the queue
// with a reference for the caller's file, and whether it created it.
func (r *Registry) Open(c *auth.Credentials, o OpenOptions) (*Queue, linux.Errno) {
	if errno := checkName(o.Name); errno != 0 {
		return nil, errno
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if q := r.queues[o.Name]; q != nil {
		if o.Flags&(unix.O_CREAT|unix.O_EXCL) == unix.O_CREAT|unix.O_EXCL {
			return nil, linux.EEXIST
		}
		if o.Flags&unix.O_ACCMODE == unix.O_ACCMODE {
			return nil, linux.EINVAL
		}
		if !q.permits(c, accessOf(o.Flags)) {
			return nil, linux.EACCES
		}
		q.incRef()
		return q, 0
	}
	if o.Flags&unix.O_CREAT == 0 {
		return nil, linux.ENOENT
	}
	return r.createLocked(c, o)
}

func (r *Registry) createLocked(c *auth.Credentials, o OpenOptions) (*Queue, linux.Errno) {
	a := Attr{MaxMsg: min(r.limits.MsgDefault, r.limits.MsgMax), MsgSize: min(r.limits.MsgsizeDefault, r.limits.MsgsizeMax)}
	if o.Attr != nil {
		if errno := r.checkAttrLocked(c, o.Attr); errno != 0 {
			return nil, errno
		}
		a = Attr{MaxMsg: o.Attr.MaxMsg, MsgSize: o.Attr.MsgSize}
	}
	if r.count >= r.limits.QueuesMax && !c.HasCap(auth.CapSysResource) {
		return nil, linux.ENOSPC
	}
	cost := charge(&a)
	if !r.users.charge(c.RealKUID, cost, o.Rlimit) {
		return nil, linux.EMFILE
	}
	q := newQueue(r, o.Name, c, o.Mode, a, cost)
	if r.lastIno == 0 {
		r.lastIno = 1
	}
	r.lastIno++
	q.ino = r.lastIno
	r.queues[o.Name] = q
	r.count++
	q.incRef() // the caller's file; the name holds the first
	return q, 0
}

// MayUnlink is mq_unlink(3)'s check of name: a valid, existing name of
// a queue the caller owns (or CAP_FOWNER); others get EACCES, as Linux
// answers (unlink(2) in a mounted mqueue directory says EPERM: the vfs
// checks its sticky bit). The caller then unlinks it in the namespace's
// internal mount (sentry/fs/mqueue), which calls Remove.
func (r *Registry) MayUnlink(c *auth.Credentials, name string) linux.Errno {
	if errno := checkName(name); errno != 0 {
		return errno
	}
	q := r.Get(name)
	if q == nil {
		return linux.ENOENT
	}
	if c.FSUID != q.Owner() && !c.HasCap(auth.CapFowner) {
		return linux.EACCES
	}
	return 0
}

// release frees a queue's count and charge once it is gone.
func (r *Registry) release(q *Queue) {
	r.mu.Lock()
	r.count--
	r.mu.Unlock()
	r.users.uncharge(q.creator, q.cost)
}

// Get returns the named queue, or nil; it takes no reference (see
// Queue.TryIncRef).
func (r *Registry) Get(name string) *Queue {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.queues[name]
}

// Remove removes name if it still names q (unlink(2) in the mqueue file
// system, whose caller has checked permissions).
func (r *Registry) Remove(name string, q *Queue) linux.Errno {
	r.mu.Lock()
	if r.queues[name] != q {
		r.mu.Unlock()
		return linux.ENOENT
	}
	delete(r.queues, name)
	r.mu.Unlock()
	q.DecRef()
	return 0
}

// Names returns the queues' names (for the mqueue file system).
func (r *Registry) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.queues))
	for n := range r.queues {
		names = append(names, n)
	}
	return names
}
