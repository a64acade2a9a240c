package ptrace

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// ReadAt implements platform.AddressSpace.ReadAt.
func (as *addressSpace) ReadAt(addr uintptr, dst []byte) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	as.liveMu.RLock()
	defer as.liveMu.RUnlock()
	if as.released {
		return 0, unix.ESRCH
	}
	local := []unix.Iovec{{Base: &dst[0]}}
	local[0].SetLen(len(dst))
	remote := []unix.RemoteIovec{{Base: addr, Len: len(dst)}}
	n, err := unix.ProcessVMReadv(as.pid, local, remote, 0)
	if err != nil {
		return 0, err
	}
	return n, nil
}

// WriteAt implements platform.AddressSpace.WriteAt.
func (as *addressSpace) WriteAt(addr uintptr, src []byte) (int, error) {
	if len(src) == 0 {
		return 0, nil
	}
	as.liveMu.RLock()
	defer as.liveMu.RUnlock()
	if as.released {
		return 0, unix.ESRCH
	}
	local := []unix.Iovec{{Base: &src[0]}}
	local[0].SetLen(len(src))
	remote := []unix.RemoteIovec{{Base: addr, Len: len(src)}}
	n, err := unix.ProcessVMWritev(as.pid, local, remote, 0)
	if err != nil {
		return 0, err
	}
	return n, nil
}

func mapFlags(shared bool) uintptr {
	if shared {
		return unix.MAP_SHARED | unix.MAP_FIXED
	}
	return unix.MAP_PRIVATE | unix.MAP_FIXED
}

// hugeAnonMin is the size from which a private anonymous mapping is
// backed by transparent huge pages where the host allows it.
const hugeAnonMin = 16 << 20

// MapAnon implements platform.AddressSpace.MapAnon.
//
// A private anonymous mapping of hugeAnonMin or more is also advised
// MADV_HUGEPAGE, as the host would do by itself with THP "always": a
// host fork then copies one page-table entry per 2 MiB of its resident
// memory instead of 512, so the application's fork costs about the same
// whatever its size (docs/platform-ptrace.md, "Fork and huge pages").
// The advice is a hint only: where the host refuses it (THP compiled
// out or "never"), the mapping stays as it is.
func (as *addressSpace) MapAnon(addr, length uintptr, prot int, shared bool) error {
	got, err := as.inject(unix.SYS_MMAP, addr, length, uintptr(prot), mapFlags(shared)|unix.MAP_ANONYMOUS, ^uintptr(0), 0)
	if err != nil {
		return err
	}
	if got != addr {
		return fmt.Errorf("stub mmap placed %#x at %#x", addr, got)
	}
	if !shared && length >= hugeAnonMin {
		as.inject(unix.SYS_MADVISE, addr, length, unix.MADV_HUGEPAGE)
	}
	return nil
}

// MapFile implements platform.AddressSpace.MapFile.
//
// The stub receives the host descriptor (sendmsg on the fd channel and an
// injected recvmsg), maps it, and keeps it while the mappings that follow
// name the same file: an ELF's segments, or a shared library's that the
// dynamic loader maps one after another, then cost one injection each
// instead of three. Any other injection closes it first (injectAt), so
// the stub holds no descriptor once it does anything else, and a forked
// stub never inherits one.
func (as *addressSpace) MapFile(addr, length uintptr, prot int, shared bool, hostFD int, offset int64) error {
	t, err := as.injector()
	if err != nil {
		return err
	}
	id, idErr := identify(hostFD)
	as.fdMu.Lock()
	defer as.fdMu.Unlock()
	fd := as.cachedFD
	if idErr != nil || fd < 0 || as.cachedID != id {
		if err := as.dropCachedFDLocked(t); err != nil {
			return err
		}
		if fd, err = as.receiveFD(t, hostFD); err != nil {
			return err
		}
		if idErr == nil {
			as.cachedFD, as.cachedID = fd, id
		}
	}
	got, err := t.injectRaw(stubSite, stubSite+3, unix.SYS_MMAP, addr, length, uintptr(prot), mapFlags(shared), uintptr(fd), uintptr(offset))
	if as.cachedFD != fd {
		// Not kept: close it now.
		if _, cerr := t.injectRaw(stubSite, stubSite+3, unix.SYS_CLOSE, uintptr(fd)); cerr != nil && err == nil {
			err = cerr
		}
	}
	if err != nil {
		return err
	}
	if got != addr {
		return fmt.Errorf("stub mmap placed %#x at %#x", addr, got)
	}
	return nil
}

// fileID tells open files apart for the stub's cached descriptor: the
// same file opened with the same access mode maps the same way.
type fileID struct {
	dev, ino uint64
	accMode  int
}

func identify(hostFD int) (fileID, error) {
	var st unix.Stat_t
	if err := unix.Fstat(hostFD, &st); err != nil {
		return fileID{}, err
	}
	fl, err := unix.FcntlInt(uintptr(hostFD), unix.F_GETFL, 0)
	if err != nil {
		return fileID{}, err
	}
	return fileID{dev: st.Dev, ino: st.Ino, accMode: fl & unix.O_ACCMODE}, nil
}

// dropCachedFD closes the stub's cached descriptor, if any, through t.
func (as *addressSpace) dropCachedFD(t *thread) error {
	as.fdMu.Lock()
	defer as.fdMu.Unlock()
	return as.dropCachedFDLocked(t)
}

// dropCachedFDLocked is dropCachedFD with as.fdMu held.
func (as *addressSpace) dropCachedFDLocked(t *thread) error {
	if as.cachedFD < 0 {
		return nil
	}
	fd := as.cachedFD
	as.cachedFD = -1
	_, err := t.injectRaw(stubSite, stubSite+3, unix.SYS_CLOSE, uintptr(fd))
	return err
}

// receiveFD sends hostFD over the fd channel and injects recvmsg through t
// so that the stub holds a copy; it returns the stub's fd number.
func (as *addressSpace) receiveFD(t *thread, hostFD int) (int, error) {
	as.ch.mu.Lock()
	defer as.ch.mu.Unlock()
	if err := unix.Sendmsg(as.ch.fd, []byte{0}, unix.UnixRights(hostFD), nil, 0); err != nil {
		return -1, fmt.Errorf("sending fd to stub: %w", err)
	}
	// struct msghdr + iovec + 1-byte buffer + cmsg space in scratch,
	// after the seccomp program area.
	const (
		base    = stubScratch + 2048
		msgAddr = base
		iovAddr = base + 64 // msghdr is 56 bytes
		bufAddr = base + 96
		cmsgAt  = base + 128
		cmsgLen = 64
	)
	// struct msghdr (56 bytes) then struct iovec (16 bytes), amd64 layout.
	b := make([]byte, 96)
	le := binary.LittleEndian
	le.PutUint64(b[16:], iovAddr) // msg_iov
	le.PutUint64(b[24:], 1)       // msg_iovlen
	le.PutUint64(b[32:], cmsgAt)  // msg_control
	le.PutUint64(b[40:], cmsgLen) // msg_controllen
	le.PutUint64(b[64:], bufAddr) // iov_base
	le.PutUint64(b[72:], 1)       // iov_len
	if _, err := as.WriteAt(msgAddr, b); err != nil {
		return -1, err
	}
	if _, err := t.injectRaw(stubSite, stubSite+3, unix.SYS_RECVMSG, 0, msgAddr, unix.MSG_CMSG_CLOEXEC); err != nil {
		return -1, fmt.Errorf("stub recvmsg: %w", err)
	}
	// The msghdr and the control buffer after it, in one read.
	back := make([]byte, cmsgAt+cmsgLen-msgAddr)
	if _, err := as.ReadAt(msgAddr, back); err != nil {
		return -1, err
	}
	n := le.Uint64(back[40:]) // msg_controllen as the kernel left it
	if n > cmsgLen {
		return -1, fmt.Errorf("stub recvmsg: bad control length %d", n)
	}
	cm := back[cmsgAt-msgAddr:][:n]
	msgs, err := unix.ParseSocketControlMessage(cm)
	if err != nil || len(msgs) != 1 {
		return -1, fmt.Errorf("stub received no fd")
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return -1, fmt.Errorf("stub received no fd")
	}
	return fds[0], nil
}

// Unmap implements platform.AddressSpace.Unmap.
func (as *addressSpace) Unmap(addr, length uintptr) error {
	_, err := as.inject(unix.SYS_MUNMAP, addr, length)
	return err
}

// Protect implements platform.AddressSpace.Protect.
func (as *addressSpace) Protect(addr, length uintptr, prot int) error {
	_, err := as.inject(unix.SYS_MPROTECT, addr, length, uintptr(prot))
	return err
}

// Remap implements platform.AddressSpace.Remap.
func (as *addressSpace) Remap(oldAddr, oldLength, newAddr, newLength uintptr) error {
	flags := uintptr(0)
	if newAddr != oldAddr {
		flags = unix.MREMAP_MAYMOVE | unix.MREMAP_FIXED
	}
	got, err := as.inject(unix.SYS_MREMAP, oldAddr, oldLength, newLength, flags, newAddr)
	if err != nil {
		return err
	}
	if got != newAddr {
		return fmt.Errorf("stub mremap placed %#x at %#x", newAddr, got)
	}
	return nil
}

// Advise implements platform.AddressSpace.Advise.
func (as *addressSpace) Advise(addr, length uintptr, advice int) error {
	_, err := as.inject(unix.SYS_MADVISE, addr, length, uintptr(advice))
	return err
}

// Sync implements platform.AddressSpace.Sync.
func (as *addressSpace) Sync(addr, length uintptr, flags int) error {
	_, err := as.inject(unix.SYS_MSYNC, addr, length, uintptr(flags))
	return err
}

// Residency implements platform.AddressSpace.Residency: the host's
// mincore in the stub writes the vector straight into the application's
// memory.
func (as *addressSpace) Residency(addr, length, vec uintptr) error {
	_, err := as.inject(unix.SYS_MINCORE, addr, length, vec)
	return err
}

// Rseq implements platform.AddressSpace.Rseq.
func (as *addressSpace) Rseq(addr, length uintptr, flags int, sig uint32) error {
	_, err := as.inject(unix.SYS_RSEQ, addr, length, uintptr(flags), uintptr(sig))
	return err
}
