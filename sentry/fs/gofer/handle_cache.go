package gofer

import (
	"moat/gofer/proto"
	"moat/sentry/abi/linux"
)

// Handle cache. Each handle pins a descriptor in the gofer, and the vfs
// never evicts dentries, so a walk over a large tree would exhaust the
// gofer's descriptors. Only Options.MaxHandles handles besides the root's
// and the pinned ones are kept: the least recently used one is closed when
// another is needed, and an inode without a handle walks to its node again
// by its first known name (the parent may walk too) when it
// next needs one. The walk must reach the same node (device, inode, type),
// or the operation fails with ESTALE: the host renamed or replaced it. Most
// operations of a warm cache need no handle at all: stat uses cached
// attributes or a host descriptor, open reuses a host descriptor, readlink
// a cached target.
//
// The names a node is walked to by follow the sandbox's changes
// (names.go).

// pin returns the inode's handle, walking to the node again if the handle
// was dropped, and keeps it from being dropped until unpin.
func (i *inode) pin() (proto.Handle, linux.Errno) {
	r := i.res
	r.mu.Lock()
	if r.h != 0 {
		r.users++
		h := r.h
		r.mu.Unlock()
		return h, 0
	}
	r.mu.Unlock()
	return i.fs.rewalk(r)
}

// unpin ends a use of the handle pin returned.
func (i *inode) unpin() { i.fs.unpinRes(i.res) }

// unpinRes is unpin on a hostRes.
func (fs *Filesystem) unpinRes(r *hostRes) {
	r.mu.Lock()
	r.users--
	idle := r.users == 0 && r.h != 0 && len(r.names) > 0
	var detached []proto.Handle
	if r.users == 0 {
		detached, r.detached = r.detached, nil
	}
	r.mu.Unlock()
	for _, h := range detached {
		fs.queueClose(h)
	}
	if idle {
		fs.touchHandle(r)
	}
}

// pinRes is pin on a hostRes whose inode the caller may not know (an
// ancestor in a walk).
func (fs *Filesystem) pinRes(r *hostRes) (proto.Handle, linux.Errno) {
	r.mu.Lock()
	if r.h != 0 {
		r.users++
		h := r.h
		r.mu.Unlock()
		return h, 0
	}
	r.mu.Unlock()
	return fs.rewalk(r)
}

// rewalk walks from r's parent to r's name again and makes the handle it
// gets r's, pinned. The node reached must be r's (ESTALE otherwise: the
// host renamed or replaced it).
func (fs *Filesystem) rewalk(r *hostRes) (proto.Handle, linux.Errno) {
	r.mu.Lock()
	if len(r.names) == 0 {
		// The root's handle is never dropped; a node with no name left
		// kept its handle (pinForGood).
		r.mu.Unlock()
		return 0, linux.ESTALE
	}
	parent, name := r.names[0].dir, r.names[0].name
	r.mu.Unlock()
	ph, err := fs.pinRes(parent)
	if err != 0 {
		return 0, err
	}
	h, st, werr := fs.client.WalkOne(ph, name)
	fs.unpinRes(parent)
	if werr != nil {
		if h != 0 {
			fs.queueClose(h)
		}
		return 0, errno(werr)
	}
	if st.Dev != r.hostDev || st.Ino != r.hostIno || st.Mode&sIFMT != r.typ {
		fs.queueClose(h)
		return 0, linux.ESTALE
	}
	r.mu.Lock()
	if r.h != 0 {
		// Another walk got there first.
		fs.queueClose(h)
	} else {
		r.h = h
	}
	r.users++
	h = r.h
	r.mu.Unlock()
	return h, 0
}

// touchHandle puts r at the young end of the handle list and drops the
// handles of the oldest unused inodes beyond Options.MaxHandles.
func (fs *Filesystem) touchHandle(r *hostRes) {
	var victims []*hostRes
	fs.handleMu.Lock()
	fs.handleUnlinkLocked(r)
	r.hPrev, r.hNext = fs.hTail, nil
	if fs.hTail != nil {
		fs.hTail.hNext = r
	} else {
		fs.hHead = r
	}
	fs.hTail = r
	r.onHandles = true
	fs.hLen++
	for fs.hLen > fs.opts.MaxHandles {
		v := fs.hHead
		fs.handleUnlinkLocked(v)
		victims = append(victims, v)
	}
	fs.handleMu.Unlock()
	for _, v := range victims {
		// A victim in use stays open; its unpin puts it back on the list.
		v.mu.Lock()
		h := v.h
		if v.users == 0 {
			v.h = 0
		} else {
			h = 0
		}
		v.mu.Unlock()
		if h != 0 {
			fs.queueClose(h)
		}
	}
}

// handleUnlinkLocked takes r off the handle list if it is on it.
//
// Preconditions:
// - fs.handleMu is held.
func (fs *Filesystem) handleUnlinkLocked(r *hostRes) {
	if !r.onHandles {
		return
	}
	if r.hPrev != nil {
		r.hPrev.hNext = r.hNext
	} else {
		fs.hHead = r.hNext
	}
	if r.hNext != nil {
		r.hNext.hPrev = r.hPrev
	} else {
		fs.hTail = r.hPrev
	}
	r.hPrev, r.hNext, r.onHandles = nil, nil, false
	fs.hLen--
}

// dropHandleRes takes r off the handle list (its inode is gone).
func (fs *Filesystem) dropHandleRes(r *hostRes) {
	fs.handleMu.Lock()
	fs.handleUnlinkLocked(r)
	fs.handleMu.Unlock()
}
