// Package vfs is the sentry's virtual file system: the mount tree, the
// dentry cache, path resolution and open file descriptions. File systems
// (tmpfs, dev, the gofer-backed root, ...) plug in by implementing Inode and
// FileImpl; everything that is about paths (symlinks, "..", mount crossings,
// trailing slashes, permission checks on the walk, read-only mounts) is
// decided here, so a file system only ever sees single names within one of
// its directories and never follows a symlink itself.
//
// # Objects
//
//   - VirtualFilesystem: one mount namespace (mount table and root).
//   - Filesystem: one instance of a file system type, with a device number.
//   - Mount: a Filesystem attached at a dentry of a parent Mount.
//   - Dentry: a cached name -> Inode binding. Dentries are never evicted in
//     this version; they are garbage-collected once unlinked and unused.
//   - VirtualDentry: a (Mount, Dentry) pair; it is a plain value and needs no
//     reference counting.
//   - FileDescription: an open file (refcounted), wrapping a FileImpl.
//
// # Lock order
//
//	VirtualFilesystem.renameMu (read for walks and directory operations,
//	                            write for rename)
//	  Dentry.mu (a directory; parent before child; for rename both parents
//	             are covered by renameMu held for writing)
//	    VirtualFilesystem.mountMu, VirtualFilesystem.devMu,
//	    VirtualFilesystem.lockMu, VirtualFilesystem.anonMu,
//	    VirtualFilesystem.ttyMu
//	    VirtualFilesystem.inotifyMu
//	      Inotify.mu
//	    file system locks (called from Inode methods)
//
// FileDescription.offMu comes before all of the above: it is taken with
// none of them held and may be held across FileImpl calls (getdents takes
// renameMu under it).
package vfs
