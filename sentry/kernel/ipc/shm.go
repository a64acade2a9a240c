package ipc

import (
	"fmt"
	"sync"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/mm"
)

// shmDev is the device /proc/PID/maps shows for attached segments (the
// kernel's internal shm mount is 00:01 on Linux); the inode is the
// segment's identifier, as on Linux.
const shmDev = 1

// shmRegistry is a namespace's shared memory.
type shmRegistry struct {
	// mu guards everything here and in the segments.
	mu sync.Mutex
	registry[*Segment]
	// ctlMax, ctlAll (in pages) and ctlMni are shmmax, shmall and shmmni.
	ctlMax, ctlAll uint64
	ctlMni         int
	// totPages is the size of every segment, in pages.
	totPages uint64
}

func (r *shmRegistry) init() {
	r.registry.init()
	r.ctlMax, r.ctlAll, r.ctlMni = defaultShmMax, defaultShmAll, defaultShmMni
}

// Segment is a System V shared memory segment. Its memory is a host memfd
// that every attachment maps shared, so all processes (and addresses)
// attaching it see one copy; the memory manager counts the mappings
// (mm.MappingRef) as shm_nattch.
type Segment struct {
	Perm
	reg  *shmRegistry
	size uint64
	// fd is the host memfd holding the data.
	fd int
	// objectID keys futexes in the segment.
	objectID uint64
	// name is what /proc/PID/maps shows: the key at creation.
	name                string
	atime, dtime, ctime int64
	cpid, lpid          Process
	nattch              int
}

func (s *Segment) perm() *Perm { return &s.Perm }

// HostFD implements mm.Mappable.HostFD.
func (s *Segment) HostFD() (int, bool) { return s.fd, true }

// IncMappings implements mm.MappingRef.IncMappings.
func (s *Segment) IncMappings() {
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	s.nattch++
	s.atime = now()
}

// DecMappings implements mm.MappingRef.DecMappings: a segment marked for
// removal goes with its last mapping.
func (s *Segment) DecMappings() {
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	s.nattch--
	s.dtime = now()
	s.maybeDestroyLocked()
}

// maybeDestroyLocked frees a segment that is marked SHM_DEST and has no
// mappings left.
func (s *Segment) maybeDestroyLocked() {
	if s.nattch > 0 || s.Mode&linux.SHM_DEST == 0 || s.fd < 0 {
		return
	}
	s.reg.remove(s)
	s.reg.totPages -= pages(s.size)
	unix.Close(s.fd)
	s.fd = -1
}

func pages(size uint64) uint64 { return (size + arch.PageSize - 1) / arch.PageSize }

// Shmget implements shmget(2).
func (ns *Namespace) Shmget(ctx Context, key int32, size uint64, flags int) (int32, linux.Errno) {
	r := &ns.shm
	r.mu.Lock()
	defer r.mu.Unlock()
	c := ctx.Credentials()
	return get(&r.registry, c, getOptions{key: key, flags: flags, limit: r.ctlMni}, kind[*Segment]{
		validate: func() linux.Errno {
			if size < shmMin || size > r.ctlMax {
				return linux.EINVAL
			}
			n := pages(size)
			if n<<12 < size {
				return linux.ENOSPC
			}
			if r.totPages+n < r.totPages || r.totPages+n > r.ctlAll {
				return linux.ENOSPC
			}
			if flags&linux.SHM_HUGETLB != 0 {
				// The sandbox has no huge pages: what Linux says
				// when the pool is empty. TODO(#4): huge pages.
				return linux.ENOMEM
			}
			return 0
		},
		build: func() (*Segment, linux.Errno) {
			fd, err := unix.MemfdCreate("moat-sysv-shm", unix.MFD_CLOEXEC)
			if err != nil {
				return nil, linux.FromHost(err)
			}
			if err := unix.Ftruncate(fd, int64(size)); err != nil {
				unix.Close(fd)
				return nil, linux.ENOMEM
			}
			r.totPages += pages(size)
			return &Segment{
				Perm: newPerm(c, key, flags), reg: r, size: size, fd: fd,
				objectID: mm.NewObjectID(), ctime: now(), cpid: ctx.IPCProcess(),
				name: fmt.Sprintf("/SYSV%08x (deleted)", uint32(key)),
			}, 0
		},
		check: func(s *Segment) linux.Errno {
			if s.size < size {
				return linux.EINVAL
			}
			return 0
		},
	})
}

// Shmat implements shmat(2) in the memory manager m.
func (ns *Namespace) Shmat(ctx Context, m *mm.MemoryManager, id int32, addr uintptr, flags int) (uintptr, linux.Errno) {
	fixed := false
	if addr != 0 {
		if addr&(arch.PageSize-1) != 0 {
			if flags&linux.SHM_RND == 0 {
				return 0, linux.EINVAL
			}
			addr &^= arch.PageSize - 1 // SHMLBA is a page on x86
			if addr == 0 && flags&linux.SHM_REMAP != 0 {
				return 0, linux.EINVAL
			}
		}
		// A hint rounded down to 0 is still fixed (EPERM), as on Linux.
		fixed = true
	} else if flags&linux.SHM_REMAP != 0 {
		return 0, linux.EINVAL
	}
	prot, acc := unix.PROT_READ|unix.PROT_WRITE, mayRead|mayWrite
	if flags&linux.SHM_RDONLY != 0 {
		prot, acc = unix.PROT_READ, mayRead
	}
	if flags&linux.SHM_EXEC != 0 {
		prot |= unix.PROT_EXEC
		acc |= mayExec
	}
	r := &ns.shm
	r.mu.Lock()
	s, errno := r.byID(id)
	if errno != 0 {
		r.mu.Unlock()
		return 0, errno
	}
	if !s.allowed(ctx.Credentials(), acc) {
		r.mu.Unlock()
		return 0, linux.EACCES
	}
	// The reference the new mapping will hold.
	s.nattch++
	s.atime, s.lpid = now(), ctx.IPCProcess()
	r.mu.Unlock()
	maxProt := unix.PROT_READ | unix.PROT_EXEC
	if flags&linux.SHM_RDONLY == 0 {
		maxProt |= unix.PROT_WRITE
	}
	got, errno := m.MMap(mm.MMapOpts{
		Addr: addr, Length: uintptr(s.size), Prot: prot,
		Fixed: fixed, NoReplace: fixed && flags&linux.SHM_REMAP == 0,
		Shared: true, File: s, MaxProt: maxProt,
		Name: s.name, Dev: shmDev, Ino: uint64(uint32(s.ID)),
		ObjectID: s.objectID, Ref: s, ShmSize: s.size,
	})
	if errno != 0 {
		s.DecMappings()
		if errno == linux.EEXIST {
			// An address already mapped needs SHM_REMAP.
			errno = linux.EINVAL
		}
		return 0, errno
	}
	return got, 0
}

// Shmdt implements shmdt(2) in the memory manager m.
func (ns *Namespace) Shmdt(ctx Context, m *mm.MemoryManager, addr uintptr) linux.Errno {
	ref, errno := m.ShmDetach(addr)
	if s, ok := ref.(*Segment); ok {
		s.reg.mu.Lock()
		s.lpid = ctx.IPCProcess()
		s.reg.mu.Unlock()
	}
	return errno
}
