package gofer

import (
	"sync"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// symlinkInode is a symbolic link. A node's target never changes, so it is
// read from the gofer once and kept, on any file system.
type symlinkInode struct {
	inode

	// mu guards target and known.
	mu     sync.Mutex
	target string
	known  bool
}

// Readlink implements vfs.Inode.Readlink.
func (s *symlinkInode) Readlink(vfs.Context) (string, linux.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.known {
		h, e := s.pin()
		if e != 0 {
			return "", e
		}
		t, err := s.fs.client.Readlink(h)
		s.unpin()
		if err != nil {
			return "", errno(err)
		}
		s.target, s.known = t, true
	}
	return s.target, 0
}

// setTarget records the target of a symlink the sandbox made.
func (s *symlinkInode) setTarget(t string) {
	s.mu.Lock()
	s.target, s.known = t, true
	s.mu.Unlock()
}

// nodeInode is a device node, FIFO or socket found in (or made in) the
// tree. Its type and attributes are the host's; it is never opened on the
// host.
type nodeInode struct {
	inode

	// fifoMu guards fifo, a FIFO's pipe, made on first open. The pipe is
	// the sandbox's own: the host never sees what goes through it.
	fifoMu sync.Mutex
	fifo   vfs.FIFO
}

// Open implements vfs.Inode.Open. A device node opens the sentry's device
// of that number through the vfs device registry, as a device node on any
// sentry file system does (the host device is never reached; mounting
// with nodev refuses it in the vfs). Sockets cannot be opened (ENXIO, as
// on Linux). A FIFO opens a pipe inside the sandbox, one per inode (as
// on tmpfs); it is not connected to the host's FIFO.
func (n *nodeInode) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	rdev := n.attr.Load().Rdev
	switch n.typ {
	case sIFCHR:
		return vd.Mount().VFS().OpenDevice(ctx, vfs.CharDevice, hostToLinuxDev(rdev), vd, flags)
	case sIFBLK:
		return vd.Mount().VFS().OpenDevice(ctx, vfs.BlockDevice, hostToLinuxDev(rdev), vd, flags)
	case sIFIFO:
		n.fifoMu.Lock()
		if n.fifo == nil {
			n.fifo = vd.Mount().VFS().NewFIFO()
		}
		fifo := n.fifo
		n.fifoMu.Unlock()
		if fifo == nil {
			return nil, linux.ENXIO // no pipe implementation installed
		}
		return fifo.Open(ctx, vd, flags)
	}
	return nil, linux.ENXIO
}

// SetStat implements vfs.Inode.SetStat.
func (n *nodeInode) SetStat(ctx vfs.Context, opts *vfs.SetStatOptions) linux.Errno {
	if opts.Mask&linux.STATX_SIZE != 0 {
		return linux.EINVAL
	}
	return n.inode.SetStat(ctx, opts)
}
