package gofer

// Inode numbers. The vfs reports one st_dev for the whole file system, but
// the gofer's tree may span several host file systems (bind mounts inside
// it), whose inode numbers can coincide. Files on the host file system of
// the root keep their host inode number; files on any other get a number
// allocated downwards from maxIno, one per distinct (device, inode) pair,
// so tools comparing st_dev and st_ino (find, du, tar, cp -a) never see two
// files as one.

// maxIno is the first number handed out to files of other host devices.
// Host inode numbers that high do not occur on the root's file system in
// practice (overlayfs with xino puts its layer index in the top bits, and
// the next ones are 2^62 and up only for a second layer).
const maxIno = 1<<63 - 1

// inoKey is a host file's identity.
type inoKey struct{ dev, ino uint64 }

// sentryIno returns the inode number the sentry reports for the host file
// (dev, ino).
func (fs *Filesystem) sentryIno(dev, ino uint64) uint64 {
	if dev == fs.rootDev {
		return ino
	}
	k := inoKey{dev, ino}
	fs.inoMu.Lock()
	defer fs.inoMu.Unlock()
	if n, ok := fs.inos[k]; ok {
		return n
	}
	if fs.inos == nil {
		fs.inos = make(map[inoKey]uint64)
	}
	n := maxIno - uint64(len(fs.inos))
	fs.inos[k] = n
	return n
}
