package ipc

import (
	"sort"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
)

// object is a shared memory segment, semaphore set or message queue.
type object interface {
	perm() *Perm
}

// registry numbers the objects of one kind in a namespace as Linux does
// (ipc_idr_alloc without ipcmni_extend): the lowest free index, with a
// sequence number that advances when an index at or below the last one
// handed out is reused, so identifiers of a fresh namespace are 0, 1, 2
// ... and a removed identifier is not at once valid again.
//
// Its owner's lock guards it.
type registry[T object] struct {
	objs    map[int32]T // by index
	keys    map[int32]int32
	seq     int32
	lastIdx int32
}

func (r *registry[T]) init() {
	r.objs = map[int32]T{}
	r.keys = map[int32]int32{}
	r.lastIdx = -1
}

// inUse is the number of objects.
func (r *registry[T]) inUse() int { return len(r.objs) }

// maxIdx is the highest index in use, or -1 (ipc_get_maxidx).
func (r *registry[T]) maxIdx() int32 {
	m := int32(-1)
	for i := range r.objs {
		m = max(m, i)
	}
	return m
}

// add gives o an identifier and records it (and its key, unless
// IPC_PRIVATE). The caller has checked the namespace's limit.
func (r *registry[T]) add(o T) {
	idx := int32(0)
	for ; ; idx++ {
		if _, used := r.objs[idx]; !used {
			break
		}
	}
	if idx <= r.lastIdx {
		r.seq++
		if r.seq > seqMax {
			r.seq = 0
		}
	}
	r.lastIdx = idx
	p := o.perm()
	p.seq = uint16(r.seq)
	p.ID = r.seq<<ipcmniShift + idx
	r.objs[idx] = o
	if p.Key != linux.IPC_PRIVATE {
		r.keys[p.Key] = idx
	}
}

// byKey returns the object with key.
func (r *registry[T]) byKey(key int32) (T, bool) {
	idx, ok := r.keys[key]
	if !ok {
		var zero T
		return zero, false
	}
	return r.objs[idx], true
}

// byID returns the object with identifier id (ipc_obtain_object_check):
// EINVAL for a negative or unknown identifier or a stale sequence number.
func (r *registry[T]) byID(id int32) (T, linux.Errno) {
	var zero T
	if id < 0 {
		return zero, linux.EINVAL
	}
	o, ok := r.objs[id&(ipcmni-1)]
	if !ok || o.perm().ID != id {
		return zero, linux.EINVAL
	}
	return o, 0
}

// byIndex returns the object at index idx (the *_STAT commands).
func (r *registry[T]) byIndex(idx int32) (T, linux.Errno) {
	o, ok := r.objs[idx]
	if !ok || idx < 0 {
		var zero T
		return zero, linux.EINVAL
	}
	return o, 0
}

// remove forgets o: its identifier and key are free again.
func (r *registry[T]) remove(o T) {
	p := o.perm()
	p.removed = true
	delete(r.objs, p.ID&(ipcmni-1))
	if p.Key != linux.IPC_PRIVATE {
		if idx, ok := r.keys[p.Key]; ok && idx == p.ID&(ipcmni-1) {
			delete(r.keys, p.Key)
		}
	}
}

// dropKey makes o private (a segment removed while still attached).
func (r *registry[T]) dropKey(o T) {
	p := o.perm()
	if p.Key != linux.IPC_PRIVATE {
		delete(r.keys, p.Key)
		p.Key = linux.IPC_PRIVATE
	}
}

// sorted returns the objects by index (for /proc/sysvipc).
func (r *registry[T]) sorted() []T {
	idxs := make([]int32, 0, len(r.objs))
	for i := range r.objs {
		idxs = append(idxs, i)
	}
	sort.Slice(idxs, func(a, b int) bool { return idxs[a] < idxs[b] })
	out := make([]T, len(idxs))
	for i, idx := range idxs {
		out[i] = r.objs[idx]
	}
	return out
}

// getOptions are the arguments common to shmget, semget and msgget.
type getOptions struct {
	key   int32
	flags int
	// limit is the namespace's maximum number of objects of the kind.
	limit int
}

// kind is how get makes and checks objects of one kind.
type kind[T object] struct {
	// validate checks a new object's arguments (before the namespace's
	// count limit, as Linux does).
	validate func() linux.Errno
	// build makes the new object.
	build func() (T, linux.Errno)
	// check is the kind's test of an existing object against the
	// arguments (a segment too small, a set with too few semaphores).
	check func(T) linux.Errno
}

// get implements ipcget(): a new object for IPC_PRIVATE or a missing key
// with IPC_CREAT, else the existing one after IPC_EXCL, the kind's check
// and the permission check.
func get[T object](r *registry[T], c *auth.Credentials, o getOptions, k kind[T]) (int32, linux.Errno) {
	if o.key != linux.IPC_PRIVATE {
		if obj, ok := r.byKey(o.key); ok {
			if o.flags&linux.IPC_CREAT != 0 && o.flags&linux.IPC_EXCL != 0 {
				return 0, linux.EEXIST
			}
			if k.check != nil {
				if errno := k.check(obj); errno != 0 {
					return 0, errno
				}
			}
			if !obj.perm().allowed(c, o.flags&0o777) {
				return 0, linux.EACCES
			}
			return obj.perm().ID, 0
		}
		if o.flags&linux.IPC_CREAT == 0 {
			return 0, linux.ENOENT
		}
	}
	if k.validate != nil {
		if errno := k.validate(); errno != 0 {
			return 0, errno
		}
	}
	if r.inUse() >= min(o.limit, ipcmni) {
		return 0, linux.ENOSPC
	}
	obj, errno := k.build()
	if errno != 0 {
		return 0, errno
	}
	r.add(obj)
	return obj.perm().ID, 0
}
