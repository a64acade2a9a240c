package gofer

import (
	"slices"

	"moat/gofer/proto"
	"moat/sentry/abi/linux"
)

// Names. A dropped handle is walked to again by a name of its node, so
// each inode keeps the names of its node that the file system knows: the
// one it was found or made by, and those the sandbox linked to it (a hard
// link found by another walk is another inode with its own name). Renames
// and removals by the sandbox update them. The handle, when set, is the
// gofer's node for names[0]: the gofer tracks each name's node, and
// reopens a node by its name.
//
// When names[0] goes, the handle goes with it (the gofer's node for a
// removed name cannot be reopened): the next name takes its place and the
// next use walks to it. A node that loses its last known name keeps its
// handle for good instead (pinForGood), since nothing could walk to it
// again; its open descriptors keep working.

// nameRef is one name of a node: name in the directory dir.
type nameRef struct {
	dir  *hostRes
	name string
}

// adopt gives a new inode its name and puts its handle in the cache.
func (fs *Filesystem) adopt(c goferInode, dir *dirInode, name string) {
	r := c.base().res
	r.names = []nameRef{{dir.res, name}} // not yet shared
	fs.touchHandle(r)
}

// addName records that the sandbox linked name in dir to the inode.
func (i *inode) addName(dir *hostRes, name string) {
	r := i.res
	r.mu.Lock()
	if len(r.names) == 0 && r.h != 0 && r.users > 0 {
		// A node that had lost every name (its handle is the gofer's
		// node for a removed name) got one again: walk by it from now on.
		r.detached = append(r.detached, r.h)
		r.h = 0
	}
	r.names = append(r.names, nameRef{dir, name})
	r.mu.Unlock()
}

// renameName records that (dir, name) became (newDir, newName). A handle
// walked by it follows: the gofer moves its node.
func (i *inode) renameName(dir *hostRes, name string, newDir *hostRes, newName string) {
	r := i.res
	r.mu.Lock()
	if k := slices.Index(r.names, nameRef{dir, name}); k >= 0 {
		r.names[k] = nameRef{newDir, newName}
	}
	r.mu.Unlock()
}

// prepareRemove readies the inode for the removal of its name (dir, name):
// if that is the last name it knows, its handle is pinned for good (the
// returned undo unpins it if the removal fails).
func (i *inode) prepareRemove(dir *hostRes, name string) (undo func(), err linux.Errno) {
	r := i.res
	r.mu.Lock()
	last := len(r.names) == 1 && r.names[0] == nameRef{dir, name}
	r.mu.Unlock()
	if !last {
		return func() {}, 0
	}
	return i.pinForGood()
}

// pinForGood pins the inode's handle until the inode is dropped.
func (i *inode) pinForGood() (undo func(), err linux.Errno) {
	if _, err := i.pin(); err != 0 {
		return nil, err
	}
	i.fs.dropHandleRes(i.res)
	return i.unpin, 0
}

// removeName records that (dir, name) was removed. If the handle was
// walked by it and another name is known, the handle is dropped (closed
// once unpinned) so that the next use walks by the other name.
func (i *inode) removeName(dir *hostRes, name string) {
	r := i.res
	var drop proto.Handle
	r.mu.Lock()
	k := slices.Index(r.names, nameRef{dir, name})
	switch {
	case k < 0:
	case len(r.names) == 1:
		// The last name: the handle is pinned for good (prepareRemove).
		r.names = nil
	default:
		r.names = slices.Delete(r.names, k, k+1)
		if k == 0 && r.h != 0 {
			if r.users == 0 {
				drop = r.h
			} else {
				r.detached = append(r.detached, r.h)
			}
			r.h = 0
		}
	}
	r.mu.Unlock()
	if drop != 0 {
		i.fs.dropHandleRes(r)
		i.fs.queueClose(drop)
	}
}
