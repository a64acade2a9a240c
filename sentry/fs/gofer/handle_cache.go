package gofer

import (
	"moat/gofer/proto"
	"moat/sentry/abi/linux"
)

// Handle cache. Each handle pins a descriptor in the gofer, and the vfs
// never evicts dentries, so a walk over a large tree would exhaust the
// gofer's descriptors. On a read-only file system, where a node's parent
// and name never change, only Options.MaxHandles handles besides the
// root's are kept: the least recently used one is closed when another is
// needed, and an inode without a handle walks to its node again (from its
// parent, which may walk too) when it next needs one. Most operations of a
// warm cache need no handle at all: stat uses cached attributes, open
// reuses a host descriptor, readlink a cached target.
//
// A writable file system keeps every handle: the host may rename a node,
// so a name cannot be walked again safely.

// pin returns the inode's handle, walking to the node again if the handle
// was dropped, and keeps it from being dropped until unpin.
func (i *inode) pin() (proto.Handle, linux.Errno) {
	r := i.res
	if !i.fs.opts.ReadOnly {
		return r.h, 0 // never changes
	}
	r.mu.Lock()
	if r.h != 0 {
		r.users++
		h := r.h
		r.mu.Unlock()
		return h, 0
	}
	r.mu.Unlock()
	return i.fs.rewalk(r, i.attr.Load())
}

// unpin ends a use of the handle pin returned.
func (i *inode) unpin() {
	if i.fs.opts.ReadOnly {
		i.fs.unpinRes(i.res)
	}
}

// unpinRes is unpin on a hostRes.
func (fs *Filesystem) unpinRes(r *hostRes) {
	r.mu.Lock()
	r.users--
	idle := r.users == 0 && r.h != 0 && r.parent != nil
	r.mu.Unlock()
	if idle {
		fs.touchHandle(r)
	}
}

// pinRes is pin on a hostRes whose inode the caller may not know (an
// ancestor in a walk). want is nil for an ancestor: it was checked when it
// was walked to last.
func (fs *Filesystem) pinRes(r *hostRes) (proto.Handle, linux.Errno) {
	r.mu.Lock()
	if r.h != 0 {
		r.users++
		h := r.h
		r.mu.Unlock()
		return h, 0
	}
	r.mu.Unlock()
	return fs.rewalk(r, nil)
}

// rewalk walks from r's parent to r's name again and makes the handle it
// gets r's, pinned. If want is set the node must be the one it describes
// (ESTALE otherwise: the host changed the tree under a read-only mount).
func (fs *Filesystem) rewalk(r *hostRes, want *proto.Stat) (proto.Handle, linux.Errno) {
	if r.parent == nil {
		return 0, linux.ESTALE // the root's handle is never dropped
	}
	ph, err := fs.pinRes(r.parent)
	if err != 0 {
		return 0, err
	}
	h, st, werr := fs.client.WalkOne(ph, r.name)
	fs.unpinRes(r.parent)
	if werr != nil {
		if h != 0 {
			fs.queueClose(h)
		}
		return 0, errno(werr)
	}
	if want != nil && (st.Dev != want.Dev || st.Ino != want.Ino || st.Mode&sIFMT != want.Mode&sIFMT) {
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
