// Package ipc is System V IPC: shared memory segments, semaphore sets and
// message queues, each living in an IPC namespace (one per sandbox, or per
// pod member that asks for its own in config.json), with Linux's keys,
// identifiers, permissions, limits and control commands. The kernel gives
// every task a namespace; sentry/syscalls decodes the arguments and calls
// in here. docs/ipc.md describes what is emulated.
//
// Lock order: the memory manager's lock (mm.MemoryManager.mu), then
// Namespace.shm.mu (a segment's mapping count changes while mm holds its
// lock); Namespace.sem.mu, then UndoList.mu (an undo list's entries; their
// adjustments are guarded by the sem lock); Namespace.msg.mu is a leaf.
// No IPC lock is held while a caller blocks or memory is copied.
package ipc

import (
	"time"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/kernel/mq"
)

// Context is what an IPC call needs from its caller (a kernel.Task).
type Context interface {
	// Credentials are the caller's credentials.
	Credentials() *auth.Credentials
	// IPCProcess is the caller's process, recorded as an object's
	// creator or last operator.
	IPCProcess() Process
	// BlockUntil waits until ch is closed, the deadline passes (zero:
	// never) or a signal is pending.
	BlockUntil(ch <-chan struct{}, deadline time.Time) (interrupted, timedOut bool)
	// CopyIn and CopyOut move bytes from and to the caller's memory.
	CopyIn(addr uintptr, dst []byte) linux.Errno
	CopyOut(addr uintptr, src []byte) linux.Errno
}

// Process is a process an object records (shm_cpid, sempid, msg_lspid
// ...). As on Linux, the number a reader sees is the process's ID in the
// reader's PID namespace, 0 if it has none there.
type Process interface {
	// PIDSeenBy returns the process's ID in viewer's PID namespace (nil:
	// the sandbox's root namespace).
	PIDSeenBy(viewer Context) int32
}

// pidOf is p's ID as viewer sees it (0 for no process).
func pidOf(p Process, viewer Context) int32 {
	if p == nil {
		return 0
	}
	return p.PIDSeenBy(viewer)
}

// Namespace is an IPC namespace: three sets of identifiers with their
// limits.
type Namespace struct {
	shm shmRegistry
	sem semRegistry
	msg msgRegistry
	// mq is the namespace's POSIX message queues.
	mq *mq.Registry
}

// NewNamespace returns an empty namespace with Linux's default limits
// whose POSIX message queues charge accounts of their own.
func NewNamespace() *Namespace { return NewNamespaceCharging(mq.NewUsers()) }

// NewNamespaceCharging returns an empty namespace whose POSIX message
// queues charge mqUsers (the sandbox's accounts: RLIMIT_MSGQUEUE counts a
// user's queues in every namespace).
func NewNamespaceCharging(mqUsers *mq.Users) *Namespace {
	ns := &Namespace{mq: mq.NewRegistry(mqUsers)}
	ns.shm.init()
	ns.sem.init()
	ns.msg.init()
	return ns
}

// MQ returns the namespace's POSIX message queues.
func (ns *Namespace) MQ() *mq.Registry { return ns.mq }

// ipcmniShift splits an identifier into sequence number and index
// (IPCMNI_SHIFT; the index is below IPCMNI = 32768).
const (
	ipcmniShift = 15
	ipcmni      = 1 << ipcmniShift
	seqMax      = (1 << 31 >> ipcmniShift) - 1
)

// Perm is an object's struct kern_ipc_perm.
type Perm struct {
	Key        int32
	ID         int32
	UID, CUID  auth.KUID
	GID, CGID  auth.KGID
	Mode       uint32 // permission bits and status bits (SHM_DEST ...)
	seq        uint16
	removed    bool
	createTime time.Time
}

func newPerm(c *auth.Credentials, key int32, flags int) Perm {
	return Perm{
		Key: key, Mode: uint32(flags) & 0o777,
		UID: c.EffectiveKUID, CUID: c.EffectiveKUID,
		GID: c.EffectiveKGID, CGID: c.EffectiveKGID,
		createTime: time.Now(),
	}
}

// ABI returns p as struct ipc64_perm.
func (p *Perm) ABI() linux.IPCPerm {
	return linux.IPCPerm{
		Key: p.Key, UID: uint32(p.UID), GID: uint32(p.GID), CUID: uint32(p.CUID),
		CGID: uint32(p.CGID), Mode: p.Mode, Seq: p.seq,
	}
}

// Access bits asked of an object (S_IRUGO, S_IWUGO, S_IXUGO).
const (
	mayRead  = 0o444
	mayWrite = 0o222
	mayExec  = 0o111
)

// allowed implements ipcperms(): the owner (or creator) class, the group
// class, or others, and CAP_IPC_OWNER overrides. flag holds the mode bits
// asked for (as get's flags or the mayX bits).
func (p *Perm) allowed(c *auth.Credentials, flag int) bool {
	requested := (flag >> 6) | (flag >> 3) | flag
	granted := int(p.Mode)
	switch {
	case c.EffectiveKUID == p.CUID || c.EffectiveKUID == p.UID:
		granted >>= 6
	case inGroup(c, p.CGID) || inGroup(c, p.GID):
		granted >>= 3
	}
	if requested&^granted&0o7 != 0 {
		return c.HasCap(capIPCOwner)
	}
	return true
}

// inGroup is in_group_p(): the effective (file system) group or a
// supplementary one.
func inGroup(c *auth.Credentials, g auth.KGID) bool { return c.InGroup(g) }

// owns reports whether c may IPC_SET or IPC_RMID the object: its owner or
// creator, or CAP_SYS_ADMIN.
func (p *Perm) owns(c *auth.Credentials) bool {
	return c.EffectiveKUID == p.CUID || c.EffectiveKUID == p.UID || c.HasCap(auth.CapSysAdmin)
}

// set applies IPC_SET's uid, gid and permission bits.
func (p *Perm) set(in linux.IPCPerm) {
	p.UID, p.GID = auth.KUID(in.UID), auth.KGID(in.GID)
	p.Mode = p.Mode&^0o777 | in.Mode&0o777
}

// Capabilities IPC checks use beyond auth's list.
const (
	capIPCLock     = 14
	capIPCOwner    = 15
	capSysResource = auth.CapSysResource
)

// now is the time recorded in the objects (seconds are what users see).
func now() int64 { return time.Now().Unix() }
