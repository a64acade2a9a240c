package kernel

import (
	"sync"
	"sync/atomic"

	"moat/sentry/vfs"
)

// FSContext is a task's file-system context: root directory, working
// directory and umask. Threads created with CLONE_FS share one.
type FSContext struct {
	umask atomic.Uint32

	// mu guards root and cwd.
	mu   sync.Mutex
	root vfs.VirtualDentry
	cwd  vfs.VirtualDentry
}

// NewFSContext returns a context with the given root, cwd and umask.
func NewFSContext(root, cwd vfs.VirtualDentry, umask uint32) *FSContext {
	c := &FSContext{root: root, cwd: cwd}
	c.umask.Store(umask & 0o777)
	return c
}

// RootDirectory returns the root directory (chroot).
func (c *FSContext) RootDirectory() vfs.VirtualDentry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.root
}

// WorkingDirectory returns the current working directory.
func (c *FSContext) WorkingDirectory() vfs.VirtualDentry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cwd
}

// RootAndWorkingDirectory returns both under one lock.
func (c *FSContext) RootAndWorkingDirectory() (root, cwd vfs.VirtualDentry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.root, c.cwd
}

// SetRootDirectory changes the root directory (chroot).
func (c *FSContext) SetRootDirectory(vd vfs.VirtualDentry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.root = vd
}

// SetWorkingDirectory changes the working directory (chdir).
func (c *FSContext) SetWorkingDirectory(vd vfs.VirtualDentry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cwd = vd
}

// Umask returns the file mode creation mask.
func (c *FSContext) Umask() uint32 { return c.umask.Load() }

// SwapUmask sets the umask and returns the old one (umask(2)).
func (c *FSContext) SwapUmask(mask uint32) uint32 { return c.umask.Swap(mask & 0o777) }

// Fork returns an unshared copy (fork without CLONE_FS).
func (c *FSContext) Fork() *FSContext {
	root, cwd := c.RootAndWorkingDirectory()
	return NewFSContext(root, cwd, c.Umask())
}

// Release drops the context's directories when its last user exits.
// Directory references are plain values in vfs, so this only clears them.
func (c *FSContext) Release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.root, c.cwd = vfs.VirtualDentry{}, vfs.VirtualDentry{}
}
