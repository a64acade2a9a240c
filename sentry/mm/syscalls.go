package mm

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
)

// MMapOpts are the validated arguments of an mmap.
type MMapOpts struct {
	Addr, Length uintptr
	Prot         int
	// Fixed places the mapping exactly at Addr (MAP_FIXED); NoReplace
	// fails with EEXIST instead of replacing (MAP_FIXED_NOREPLACE).
	Fixed, NoReplace bool
	Shared           bool
	GrowsDown        bool
	// File is nil for anonymous memory.
	File   Mappable
	Offset int64
	// MaxProt limits later mprotect (PROT_READ|PROT_WRITE|PROT_EXEC for
	// anonymous memory).
	MaxProt int
	// Name, Dev and Ino identify the mapping in /proc/PID/maps.
	Name     string
	Dev, Ino uint64
	// ObjectID, when set, names the shared memory object for futex keys
	// (NewObjectID) instead of Dev and Ino.
	ObjectID uint64
	// Ref, when set, is a reference the caller took that the new mapping
	// holds once MMap succeeds (on failure the caller keeps it).
	Ref MappingRef
	// ShmSize marks a shmat attachment of a segment of that size (see
	// ShmDetach).
	ShmSize uint64
}

const protMask = unix.PROT_READ | unix.PROT_WRITE | unix.PROT_EXEC

// MMap creates a mapping and returns its address.
func (mm *MemoryManager) MMap(o MMapOpts) (uintptr, linux.Errno) {
	if o.Length == 0 || o.Prot&^protMask != 0 {
		return 0, linux.EINVAL
	}
	length := pageRoundUp(o.Length)
	if length < o.Length || length > arch.MaxUserAddress {
		return 0, linux.ENOMEM
	}
	if o.Offset&(arch.PageSize-1) != 0 || o.Offset < 0 {
		return 0, linux.EINVAL
	}
	if o.File == nil {
		o.MaxProt = protMask
	}
	mm.mu.Lock()
	defer mm.mu.Unlock()
	addr := pageRoundDown(o.Addr)
	switch {
	case o.Fixed:
		if o.Addr&(arch.PageSize-1) != 0 {
			return 0, linux.EINVAL
		}
		if addr+length < addr || addr+length > arch.MaxUserAddress || addr < minMmapAddr {
			if addr < minMmapAddr {
				return 0, linux.EPERM
			}
			return 0, linux.ENOMEM
		}
		if mm.overlapsReservedLocked(addr, addr+length) {
			return 0, linux.ENOMEM
		}
		if o.NoReplace && mm.overlapsLocked(addr, addr+length) {
			return 0, linux.EEXIST
		}
	default:
		if addr == 0 || addr < minMmapAddr || addr+length > arch.MaxUserAddress || addr+length < addr || mm.overlapsLocked(addr, addr+length) {
			addr = mm.findFreeLocked(length, mm.mmapTop)
			if addr == 0 {
				return 0, linux.ENOMEM
			}
		}
	}
	var err error
	if o.File == nil {
		err = mm.as.MapAnon(addr, length, o.Prot, o.Shared)
	} else {
		fd, ok := o.File.HostFD()
		if !ok {
			return 0, linux.ENODEV
		}
		err = mm.as.MapFile(addr, length, o.Prot, o.Shared, fd, o.Offset)
	}
	if err != nil {
		return 0, linux.FromHost(err)
	}
	mm.removeLocked(addr, addr+length)
	v := vma{
		start: addr, end: addr + length, prot: o.Prot, maxProt: o.MaxProt,
		shared: o.Shared, file: o.File != nil, name: o.Name, offset: o.Offset,
		dev: o.Dev, ino: o.Ino, growsDown: o.GrowsDown,
		anonID: o.ObjectID, ref: o.Ref, shmSize: o.ShmSize,
	}
	if o.Shared && o.File == nil {
		v.anonID = nextAnonID.Add(1)
		v.offset = 0
	}
	mm.insertLocked(v)
	return addr, 0
}

// MUnmap implements munmap(2).
func (mm *MemoryManager) MUnmap(addr, length uintptr) linux.Errno {
	if addr&(arch.PageSize-1) != 0 || length == 0 {
		return linux.EINVAL
	}
	length = pageRoundUp(length)
	end := addr + length
	if end < addr || end > arch.MaxUserAddress {
		return linux.EINVAL
	}
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if mm.overlapsReservedLocked(addr, end) {
		return linux.EINVAL
	}
	if !mm.overlapsLocked(addr, end) {
		return 0
	}
	if err := mm.as.Unmap(addr, length); err != nil {
		return linux.FromHost(err)
	}
	mm.removeLocked(addr, end)
	return 0
}

// MProtect implements mprotect(2).
func (mm *MemoryManager) MProtect(addr, length uintptr, prot int) linux.Errno {
	if addr&(arch.PageSize-1) != 0 {
		return linux.EINVAL
	}
	growsDown := prot&unix.PROT_GROWSDOWN != 0
	prot &^= unix.PROT_GROWSDOWN | unix.PROT_GROWSUP
	if prot&^protMask != 0 {
		return linux.EINVAL
	}
	length = pageRoundUp(length)
	end := addr + length
	if end < addr {
		return linux.ENOMEM
	}
	if length == 0 {
		return 0
	}
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if growsDown {
		// PROT_GROWSDOWN extends the change to the start of the
		// grows-down mapping.
		i := mm.findLocked(addr)
		if i >= len(mm.vmas) || mm.vmas[i].start > addr || !mm.vmas[i].growsDown {
			return linux.EINVAL
		}
		addr = mm.vmas[i].start
	}
	if !mm.mappedLocked(addr, end) || mm.overlapsReservedLocked(addr, end) {
		return linux.ENOMEM
	}
	for i := mm.findLocked(addr); i < len(mm.vmas) && mm.vmas[i].start < end; i++ {
		if prot&^mm.vmas[i].maxProt != 0 {
			return linux.EACCES
		}
	}
	if err := mm.as.Protect(addr, end-addr, prot); err != nil {
		return linux.FromHost(err)
	}
	mm.splitAtLocked(addr)
	mm.splitAtLocked(end)
	var changed []vma
	for i := mm.findLocked(addr); i < len(mm.vmas) && mm.vmas[i].start < end; i++ {
		v := mm.vmas[i]
		v.prot = prot
		v.dupRef() // removeLocked drops the original's
		changed = append(changed, v)
	}
	mm.removeLocked(addr, end)
	for _, v := range changed {
		mm.insertLocked(v)
	}
	return 0
}

// Brk implements brk(2): it returns the new (or unchanged) program break.
func (mm *MemoryManager) Brk(addr uintptr) uintptr {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if addr < mm.brkStart || addr > arch.MaxUserAddress {
		return mm.brk
	}
	oldEnd, newEnd := pageRoundUp(mm.brk), pageRoundUp(addr)
	switch {
	case newEnd > oldEnd:
		if mm.overlapsLocked(oldEnd, newEnd) || newEnd > mm.stackTop-DefaultStackSize {
			return mm.brk
		}
		if err := mm.as.MapAnon(oldEnd, newEnd-oldEnd, unix.PROT_READ|unix.PROT_WRITE, false); err != nil {
			return mm.brk
		}
		mm.insertLocked(vma{start: oldEnd, end: newEnd, prot: unix.PROT_READ | unix.PROT_WRITE, maxProt: protMask, name: "[heap]"})
	case newEnd < oldEnd:
		if err := mm.as.Unmap(newEnd, oldEnd-newEnd); err != nil {
			return mm.brk
		}
		mm.removeLocked(newEnd, oldEnd)
	}
	mm.brk = addr
	return mm.brk
}

// MRemap implements mremap(2).
func (mm *MemoryManager) MRemap(oldAddr, oldSize, newSize uintptr, flags int, newAddr uintptr) (uintptr, linux.Errno) {
	if oldAddr&(arch.PageSize-1) != 0 || flags&^(unix.MREMAP_MAYMOVE|unix.MREMAP_FIXED|unix.MREMAP_DONTUNMAP) != 0 {
		return 0, linux.EINVAL
	}
	if flags&unix.MREMAP_DONTUNMAP != 0 {
		// TODO(#4): MREMAP_DONTUNMAP.
		return 0, linux.EINVAL
	}
	fixed := flags&unix.MREMAP_FIXED != 0
	if fixed && (flags&unix.MREMAP_MAYMOVE == 0 || newAddr&(arch.PageSize-1) != 0) {
		return 0, linux.EINVAL
	}
	oldSize, newSize = pageRoundUp(oldSize), pageRoundUp(newSize)
	if newSize == 0 || oldSize == 0 {
		// oldSize 0 duplicates a shared mapping: not supported yet.
		return 0, linux.EINVAL
	}
	mm.mu.Lock()
	defer mm.mu.Unlock()
	i := mm.findLocked(oldAddr)
	if i >= len(mm.vmas) || mm.vmas[i].start > oldAddr || oldAddr+oldSize > mm.vmas[i].end {
		return 0, linux.EFAULT
	}
	v := mm.vmas[i]
	if v.reserved {
		return 0, linux.EFAULT
	}
	if !fixed {
		if newSize <= oldSize {
			if newSize < oldSize {
				if err := mm.as.Unmap(oldAddr+newSize, oldSize-newSize); err != nil {
					return 0, linux.FromHost(err)
				}
				mm.removeLocked(oldAddr+newSize, oldAddr+oldSize)
			}
			return oldAddr, 0
		}
		// Grow in place if the following range is free.
		if oldAddr+newSize <= arch.MaxUserAddress && !mm.overlapsLocked(oldAddr+oldSize, oldAddr+newSize) && oldAddr+newSize > oldAddr {
			if err := mm.as.Remap(oldAddr, oldSize, oldAddr, newSize); err != nil {
				return 0, linux.FromHost(err)
			}
			nv := v
			nv.start, nv.end = oldAddr+oldSize, oldAddr+newSize
			if v.file || v.shared {
				nv.offset = v.offset + int64(oldAddr+oldSize-v.start)
			}
			nv.dupRef()
			mm.insertLocked(nv)
			return oldAddr, 0
		}
		if flags&unix.MREMAP_MAYMOVE == 0 {
			return 0, linux.ENOMEM
		}
		newAddr = mm.findFreeLocked(newSize, mm.mmapTop)
		if newAddr == 0 {
			return 0, linux.ENOMEM
		}
	} else {
		end := newAddr + newSize
		if end < newAddr || end > arch.MaxUserAddress || (newAddr < oldAddr+oldSize && oldAddr < end) {
			return 0, linux.EINVAL
		}
		if mm.overlapsReservedLocked(newAddr, end) {
			return 0, linux.ENOMEM
		}
	}
	if err := mm.as.Remap(oldAddr, oldSize, newAddr, newSize); err != nil {
		return 0, linux.FromHost(err)
	}
	nv := v
	if v.file || v.shared {
		nv.offset = v.offset + int64(oldAddr-v.start)
	}
	nv.dupRef() // removeLocked drops the original's
	mm.removeLocked(oldAddr, oldAddr+oldSize)
	mm.removeLocked(newAddr, newAddr+newSize)
	nv.start, nv.end = newAddr, newAddr+newSize
	mm.insertLocked(nv)
	return newAddr, 0
}

// MAdvise implements madvise(2). Known advice is validated here and
// carried out by the host in the stub, which gives exact Linux semantics
// (MADV_FREE keeps data until memory pressure, MADV_DONTFORK applies to the
// host fork of the stub, a hole in the range is ENOMEM after the mapped
// parts were advised).
func (mm *MemoryManager) MAdvise(addr, length uintptr, advice int) linux.Errno {
	if addr&(arch.PageSize-1) != 0 {
		return linux.EINVAL
	}
	switch advice {
	case unix.MADV_NORMAL, unix.MADV_RANDOM, unix.MADV_SEQUENTIAL, unix.MADV_WILLNEED,
		unix.MADV_DONTNEED, unix.MADV_FREE, unix.MADV_DONTFORK, unix.MADV_DOFORK,
		unix.MADV_HUGEPAGE, unix.MADV_NOHUGEPAGE, unix.MADV_DONTDUMP, unix.MADV_DODUMP,
		unix.MADV_MERGEABLE, unix.MADV_UNMERGEABLE, unix.MADV_COLD, unix.MADV_PAGEOUT,
		unix.MADV_WIPEONFORK, unix.MADV_KEEPONFORK:
	default:
		return linux.EINVAL
	}
	rounded := pageRoundUp(length)
	if length != 0 && rounded == 0 {
		return linux.EINVAL
	}
	length = rounded
	end := addr + length
	if end < addr {
		return linux.EINVAL
	}
	if length == 0 {
		return 0
	}
	if end > arch.MaxUserAddress {
		return linux.ENOMEM // nothing is mapped there
	}
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if mm.overlapsReservedLocked(addr, end) {
		return linux.ENOMEM
	}
	if !mm.overlapsLocked(addr, end) {
		return linux.ENOMEM
	}
	if err := mm.as.Advise(addr, length, advice); err != nil {
		return linux.FromHost(err)
	}
	return 0
}

// MIncore implements mincore(2): which pages of [addr, addr+length) are
// resident, one byte per page stored at vec, as the host reports them for
// the stub (the same pages the application uses).
func (mm *MemoryManager) MIncore(addr, length, vec uintptr) linux.Errno {
	if addr&(arch.PageSize-1) != 0 {
		return linux.EINVAL
	}
	rounded := pageRoundUp(length)
	end := addr + rounded
	if (length != 0 && rounded == 0) || end < addr || end > arch.MaxUserAddress {
		return linux.ENOMEM
	}
	if length == 0 {
		return 0
	}
	pages := rounded / arch.PageSize
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if !mm.mappedLocked(addr, end) || mm.overlapsReservedLocked(addr, end) {
		return linux.ENOMEM
	}
	if vec+pages < vec || mm.overlapsReservedLocked(vec, vec+pages) {
		return linux.EFAULT
	}
	if err := mm.as.Residency(addr, rounded, vec); err != nil {
		return linux.FromHost(err)
	}
	return 0
}

// MSync implements msync(2).
func (mm *MemoryManager) MSync(addr, length uintptr, flags int) linux.Errno {
	if addr&(arch.PageSize-1) != 0 || flags&^(unix.MS_ASYNC|unix.MS_INVALIDATE|unix.MS_SYNC) != 0 ||
		flags&(unix.MS_ASYNC|unix.MS_SYNC) == unix.MS_ASYNC|unix.MS_SYNC {
		return linux.EINVAL
	}
	length = pageRoundUp(length)
	end := addr + length
	if end < addr {
		return linux.ENOMEM
	}
	if length == 0 {
		return 0
	}
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if !mm.mappedLocked(addr, end) || mm.overlapsReservedLocked(addr, end) {
		return linux.ENOMEM
	}
	shared := false
	for i := mm.findLocked(addr); i < len(mm.vmas) && mm.vmas[i].start < end; i++ {
		shared = shared || (mm.vmas[i].shared && mm.vmas[i].file)
	}
	if !shared || flags&unix.MS_SYNC == 0 {
		// Private and anonymous memory has nothing to write back; the
		// host writes MS_ASYNC changes back on its own.
		return 0
	}
	if err := mm.as.Sync(addr, length, flags); err != nil {
		return linux.FromHost(err)
	}
	return 0
}
