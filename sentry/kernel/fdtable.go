package kernel

import (
	"sync"
	"sync/atomic"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// FDFlags are the per-descriptor flags (as opposed to the file
// description's status flags).
type FDFlags struct {
	CloseOnExec bool
}

// DefaultMaxFDs is RLIMIT_NOFILE until SetMaxFDs is called.
const DefaultMaxFDs = 1024

// maxFDLimit caps the table whatever the rlimit says (Linux's nr_open).
const maxFDLimit = 1 << 20

// fdEntry is an immutable (file, flags) pair; changes install a new entry.
type fdEntry struct {
	file  *vfs.FileDescription
	flags FDFlags
}

// fdSlots is the table's array; it is replaced, never resized in place.
type fdSlots []atomic.Pointer[fdEntry]

// FDTable maps file descriptors to file descriptions. Get, on the path of
// nearly every syscall, takes no lock: it loads the slot array and the slot
// atomically and takes a reference with TryIncRef. Changes are serialized
// by mu.
type FDTable struct {
	slots atomic.Pointer[fdSlots]
	// maxFDs is RLIMIT_NOFILE (atomic).
	maxFDs atomic.Int32

	// mu serializes changes to slots and guards next.
	mu sync.Mutex
	// next is a lower bound of the lowest free fd.
	next int32
}

// NewFDTable returns an empty table with the default limit.
func NewFDTable() *FDTable {
	t := &FDTable{}
	s := make(fdSlots, 64)
	t.slots.Store(&s)
	t.maxFDs.Store(DefaultMaxFDs)
	return t
}

// SetMaxFDs sets the RLIMIT_NOFILE the table enforces for new fds.
func (t *FDTable) SetMaxFDs(n uint64) {
	if n > maxFDLimit {
		n = maxFDLimit
	}
	t.maxFDs.Store(int32(n))
}

// MaxFDs returns the enforced RLIMIT_NOFILE.
func (t *FDTable) MaxFDs() int32 { return t.maxFDs.Load() }

// Get returns the file fd refers to with a new reference, which the caller
// must drop with DecRef, and the fd's flags; EBADF if fd is not open.
func (t *FDTable) Get(fd int32) (*vfs.FileDescription, FDFlags, linux.Errno) {
	for {
		s := *t.slots.Load()
		if fd < 0 || int(fd) >= len(s) {
			return nil, FDFlags{}, linux.EBADF
		}
		e := s[fd].Load()
		if e == nil {
			return nil, FDFlags{}, linux.EBADF
		}
		if e.file.TryIncRef() {
			return e.file, e.flags, 0
		}
		// The file was closed and released under us: look again.
	}
}

// growLocked makes the slot array hold at least n slots.
//
// Preconditions:
// - t.mu is held.
func (t *FDTable) growLocked(n int) fdSlots {
	s := *t.slots.Load()
	if n <= len(s) {
		return s
	}
	size := len(s)
	for size < n {
		size *= 2
	}
	ns := make(fdSlots, size)
	for i := range s {
		ns[i].Store(s[i].Load())
	}
	t.slots.Store(&ns)
	return ns
}

// NewFD installs f at the lowest free fd >= minFD and takes a reference
// on f. It fails with EMFILE when no fd below RLIMIT_NOFILE is free.
func (t *FDTable) NewFD(minFD int32, f *vfs.FileDescription, flags FDFlags) (int32, linux.Errno) {
	if minFD < 0 {
		return -1, linux.EINVAL
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	max := t.maxFDs.Load()
	fd := minFD
	if fd < t.next {
		fd = t.next
	}
	s := *t.slots.Load()
	for ; int(fd) < len(s) && s[fd].Load() != nil; fd++ {
	}
	if fd >= max {
		return -1, linux.EMFILE
	}
	s = t.growLocked(int(fd) + 1)
	f.IncRef()
	s[fd].Store(&fdEntry{file: f, flags: flags})
	if minFD <= t.next {
		t.next = fd + 1
	}
	return fd, 0
}

// NewFDAt installs f at fd with dup2 semantics: a file already there is
// closed (its reference dropped). Takes a reference on f. EBADF if fd is
// out of range.
func (t *FDTable) NewFDAt(fd int32, f *vfs.FileDescription, flags FDFlags) linux.Errno {
	if fd < 0 {
		return linux.EBADF
	}
	t.mu.Lock()
	if fd >= t.maxFDs.Load() {
		t.mu.Unlock()
		return linux.EBADF
	}
	s := t.growLocked(int(fd) + 1)
	f.IncRef()
	old := s[fd].Swap(&fdEntry{file: f, flags: flags})
	t.mu.Unlock()
	if old != nil {
		old.file.DecRef()
	}
	return 0
}

// Remove closes fd and returns its file with the table's reference, which
// the caller must drop with DecRef.
func (t *FDTable) Remove(fd int32) (*vfs.FileDescription, linux.Errno) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := *t.slots.Load()
	if fd < 0 || int(fd) >= len(s) {
		return nil, linux.EBADF
	}
	e := s[fd].Swap(nil)
	if e == nil {
		return nil, linux.EBADF
	}
	if fd < t.next {
		t.next = fd
	}
	return e.file, 0
}

// SetFlags changes the flags of fd (F_SETFD).
func (t *FDTable) SetFlags(fd int32, flags FDFlags) linux.Errno {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := *t.slots.Load()
	if fd < 0 || int(fd) >= len(s) {
		return linux.EBADF
	}
	e := s[fd].Load()
	if e == nil {
		return linux.EBADF
	}
	s[fd].Store(&fdEntry{file: e.file, flags: flags})
	return 0
}

// Fork returns a copy of t for fork(2) without CLONE_FILES: the same file
// descriptions, each with a new reference.
func (t *FDTable) Fork() *FDTable {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := *t.slots.Load()
	ns := make(fdSlots, len(s))
	for i := range s {
		if e := s[i].Load(); e != nil {
			e.file.IncRef()
			ns[i].Store(e)
		}
	}
	n := &FDTable{next: t.next}
	n.slots.Store(&ns)
	n.maxFDs.Store(t.maxFDs.Load())
	return n
}

// RemoveCloseOnExec closes every fd marked close-on-exec (execve).
func (t *FDTable) RemoveCloseOnExec() {
	t.removeIf(func(e *fdEntry) bool { return e.flags.CloseOnExec }, nil)
}

// RemoveAll closes every fd (exit). ctx is the task whose table it is:
// its process's POSIX record locks on the closed files are released.
func (t *FDTable) RemoveAll(ctx vfs.Context) {
	var owner any
	if task, ok := ctx.(*Task); ok && task.ThreadGroup() != nil {
		owner = task.ThreadGroup()
	}
	t.removeIf(func(*fdEntry) bool { return true }, owner)
}

// removeIf closes the fds whose entry matches and drops their references
// after releasing mu. A non-nil lockOwner has its record locks on the
// closed files released.
func (t *FDTable) removeIf(match func(*fdEntry) bool, lockOwner any) {
	var closed []*vfs.FileDescription
	t.mu.Lock()
	s := *t.slots.Load()
	for i := range s {
		if e := s[i].Load(); e != nil && match(e) {
			s[i].Store(nil)
			closed = append(closed, e.file)
			if int32(i) < t.next {
				t.next = int32(i)
			}
		}
	}
	t.mu.Unlock()
	for _, f := range closed {
		if vd := f.VirtualDentry(); lockOwner != nil && vd.Ok() {
			vd.Mount().VFS().ReleaseLocks(vd.Dentry().Inode(), lockOwner)
		}
		f.DecRef()
	}
}

// ForEach calls fn for every open fd in increasing order (for /proc/[pid]/fd).
// fn must not call into t.
func (t *FDTable) ForEach(fn func(fd int32, f *vfs.FileDescription, flags FDFlags)) {
	s := *t.slots.Load()
	for i := range s {
		if e := s[i].Load(); e != nil {
			fn(int32(i), e.file, e.flags)
		}
	}
}

// RemoveRange closes the fds in [first, last] (close_range(2)) and returns
// their files with the table's references, which the caller drops.
func (t *FDTable) RemoveRange(first, last int32) []*vfs.FileDescription {
	var closed []*vfs.FileDescription
	t.mu.Lock()
	defer t.mu.Unlock()
	s := *t.slots.Load()
	for i := int(max(first, 0)); i < len(s) && int64(i) <= int64(last); i++ {
		if e := s[i].Swap(nil); e != nil {
			closed = append(closed, e.file)
			if int32(i) < t.next {
				t.next = int32(i)
			}
		}
	}
	return closed
}

// SetCloseOnExecRange marks the open fds in [first, last] close-on-exec
// (close_range(2) with CLOSE_RANGE_CLOEXEC).
func (t *FDTable) SetCloseOnExecRange(first, last int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := *t.slots.Load()
	for i := int(max(first, 0)); i < len(s) && int64(i) <= int64(last); i++ {
		if e := s[i].Load(); e != nil && !e.flags.CloseOnExec {
			s[i].Store(&fdEntry{file: e.file, flags: FDFlags{CloseOnExec: true}})
		}
	}
}
