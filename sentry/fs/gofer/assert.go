package gofer

import "moat/sentry/vfs"

// Compile-time checks of the interfaces the vfs finds by assertion.
var (
	_ vfs.FilesystemImpl = (*Filesystem)(nil)
	_ vfs.Inode          = (*dirInode)(nil)
	_ vfs.Inode          = (*regularInode)(nil)
	_ vfs.Inode          = (*symlinkInode)(nil)
	_ vfs.Inode          = (*nodeInode)(nil)
	_ vfs.FileImpl       = (*dirFile)(nil)
	_ vfs.FileImpl       = (*regularFile)(nil)
	_ vfs.HostFDer       = (*regularFile)(nil)
	_ vfs.Appender       = (*regularFile)(nil)
	_ vfs.Allocator      = (*regularFile)(nil)
	_ vfs.Syncer         = (*regularFile)(nil)
)
