package vfs

import (
	"strconv"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// OpenAt implements open(2)/openat(2). mode is the creation mode with the
// umask already applied. On success the caller owns the returned reference.
func (v *VirtualFilesystem) OpenAt(ctx Context, op *PathOp, flags, mode uint32) (*FileDescription, linux.Errno) {
	if flags&oTmpfileBit != 0 {
		// O_TMPFILE is __O_TMPFILE|O_DIRECTORY, and excludes O_CREAT.
		if flags&(unix.O_TMPFILE|unix.O_CREAT) != unix.O_TMPFILE {
			return nil, linux.EINVAL
		}
		return v.openTmpfile(ctx, op, flags, mode)
	}
	if flags&unix.O_CREAT != 0 && flags&unix.O_DIRECTORY != 0 {
		return nil, linux.EINVAL
	}
	if flags&unix.O_PATH != 0 {
		flags &= unix.O_PATH | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
	}
	vd, created, err := v.openDentry(ctx, op, flags, mode)
	if err != 0 {
		return nil, err
	}
	return v.openVirtualDentry(ctx, vd, flags, created)
}

// openDentry resolves the file to open, creating it for O_CREAT.
func (v *VirtualFilesystem) openDentry(ctx Context, op *PathOp, flags, mode uint32) (VirtualDentry, bool, linux.Errno) {
	v.renameMu.RLock()
	defer v.renameMu.RUnlock()
	r, err := v.newResolver(ctx, op)
	if err != 0 {
		return VirtualDentry{}, false, err
	}
	follow := flags&unix.O_NOFOLLOW == 0
	if flags&unix.O_CREAT == 0 {
		vd, err := r.resolve(follow)
		return vd, false, err
	}
	for {
		name, trailing, err := r.walkToLast()
		if err != 0 {
			return VirtualDentry{}, false, err
		}
		if trailing {
			return VirtualDentry{}, false, linux.EISDIR
		}
		if name == "" || name == "." || name == ".." {
			// Linux resolves these fully and finds a directory.
			if _, err := r.step(name, true); err != 0 {
				return VirtualDentry{}, false, err
			}
			return VirtualDentry{}, false, linux.EISDIR
		}
		if err := r.checkDir(name); err != 0 {
			return VirtualDentry{}, false, err
		}
		parent := r.cur
		vd, created, err := v.lookupOrCreateFile(ctx, parent, name, mode)
		if err != 0 {
			return VirtualDentry{}, false, err
		}
		if created {
			return vd, true, 0
		}
		if flags&unix.O_EXCL != 0 {
			return VirtualDentry{}, false, linux.EEXIST
		}
		vd = v.crossMounts(vd)
		if vd.dentry.IsSymlink() && follow {
			if err := r.followSymlink(vd); err != 0 {
				return VirtualDentry{}, false, err
			}
			if r.rest == "" {
				// A magic link: r.cur is the target.
				return r.cur, false, 0
			}
			continue
		}
		return vd, false, 0
	}
}

// lookupOrCreateFile returns the child name of parent, creating a regular
// file if it does not exist.
func (v *VirtualFilesystem) lookupOrCreateFile(ctx Context, parent VirtualDentry, name string, mode uint32) (VirtualDentry, bool, linux.Errno) {
	if c := parent.dentry.cachedChild(name); c != nil {
		return VirtualDentry{parent.mount, c}, false, 0
	}
	d := parent.dentry
	d.mu.Lock()
	defer d.mu.Unlock()
	c, err := d.lookupLocked(ctx, name)
	if err == 0 {
		return VirtualDentry{parent.mount, c}, false, 0
	}
	if err != linux.ENOENT {
		return VirtualDentry{}, false, err
	}
	if d.dead {
		return VirtualDentry{}, false, linux.ENOENT
	}
	if parent.mount.ReadOnly() {
		return VirtualDentry{}, false, linux.EROFS
	}
	creds := ctx.Credentials()
	if err := mayWriteDir(creds, d); err != 0 {
		return VirtualDentry{}, false, err
	}
	opts := newFileOwner(creds, d, mode&07777|sIFREG)
	inode, err := d.inode.Create(ctx, name, opts)
	if err != 0 {
		return VirtualDentry{}, false, err
	}
	nc := d.insertChildLocked(name, inode)
	v.notifyInode(d.inode, unix.IN_CREATE, 0, name)
	return VirtualDentry{parent.mount, nc}, true, 0
}

// openVirtualDentry checks access to vd and opens it.
func (v *VirtualFilesystem) openVirtualDentry(ctx Context, vd VirtualDentry, flags uint32, created bool) (*FileDescription, linux.Errno) {
	d := vd.dentry
	if flags&unix.O_DIRECTORY != 0 && !d.IsDir() {
		return nil, linux.ENOTDIR
	}
	if flags&unix.O_PATH != 0 {
		return NewFileDescription(pathFile{}, vd, flags), 0
	}
	if d.IsSymlink() {
		return nil, linux.ELOOP
	}
	acc := flags & unix.O_ACCMODE
	write := acc == unix.O_WRONLY || acc == unix.O_RDWR
	if d.IsDir() && (write || flags&(unix.O_CREAT|unix.O_TRUNC) != 0) {
		return nil, linux.EISDIR
	}
	trunc := flags&unix.O_TRUNC != 0 && d.typ == sIFREG
	if flags&unix.O_NOATIME != 0 && !isOwner(ctx.Credentials(), d.inode.Perms()) {
		return nil, linux.EPERM
	}
	if !created {
		var ats AccessTypes
		if acc != unix.O_WRONLY {
			ats |= MayRead
		}
		if write || trunc {
			ats |= MayWrite
		}
		if acc == 3 { // O_ACCMODE: Linux's "ioctl only" mode needs both.
			ats = MayRead | MayWrite
		}
		if err := CheckPermissions(ctx.Credentials(), ats, d.inode.Perms()); err != 0 {
			return nil, err
		}
		if (write || trunc) && vd.mount.ReadOnly() && (d.typ == sIFREG || d.typ == sIFDIR) {
			return nil, linux.EROFS
		}
		if vd.mount.Flags().NoDev && (d.typ == sIFCHR || d.typ == sIFBLK) {
			return nil, linux.EACCES
		}
		if trunc {
			if err := d.inode.SetStat(ctx, &SetStatOptions{
				Mask:  linux.STATX_SIZE | linux.STATX_MTIME,
				Mtime: linux.StatxTimestamp{Nsec: UtimeNow},
			}); err != 0 {
				return nil, err
			}
		}
	}
	impl, err := d.inode.Open(ctx, vd, flags&^(unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_TRUNC))
	if err != 0 {
		return nil, err
	}
	if trunc && !created {
		v.notifyDentry(d, unix.IN_MODIFY)
	}
	v.notifyDentry(d, unix.IN_OPEN)
	return NewFileDescription(impl, vd, flags), 0
}

// OpenVirtualDentry opens an already-resolved file, with the checks of
// open(2) (used for /proc/self/fd reopening and by exec).
func (v *VirtualFilesystem) OpenVirtualDentry(ctx Context, vd VirtualDentry, flags uint32) (*FileDescription, linux.Errno) {
	return v.openVirtualDentry(ctx, vd, flags&^(unix.O_CREAT|unix.O_EXCL), false)
}

// pathFile is the implementation of an O_PATH file description: it only
// names a file.
type pathFile struct{ FileDefaults }

// Read implements FileImpl.Read.
func (pathFile) Read(Context, *FileDescription, []byte, int64) (int, linux.Errno) {
	return 0, linux.EBADF
}

// Write implements FileImpl.Write.
func (pathFile) Write(Context, *FileDescription, []byte, int64) (int, linux.Errno) {
	return 0, linux.EBADF
}

// oTmpfileBit is __O_TMPFILE, O_TMPFILE without O_DIRECTORY.
const oTmpfileBit = unix.O_TMPFILE &^ unix.O_DIRECTORY

// TmpfileCreator is implemented by directory inodes that can make an
// unnamed regular file (O_TMPFILE). linkable is false for O_EXCL: such a
// file may never get a name.
type TmpfileCreator interface {
	CreateTmpfile(ctx Context, opts CreateOptions, linkable bool) (Inode, linux.Errno)
}

// openTmpfile implements open(2) with O_TMPFILE: an unnamed regular file
// in the directory op names, which linkat(2) may name later.
func (v *VirtualFilesystem) openTmpfile(ctx Context, op *PathOp, flags, mode uint32) (*FileDescription, linux.Errno) {
	acc := flags & unix.O_ACCMODE
	if acc != unix.O_WRONLY && acc != unix.O_RDWR {
		return nil, linux.EINVAL
	}
	op.Follow = true
	dir, err := v.GetDentryAt(ctx, op)
	if err != 0 {
		return nil, err
	}
	d := dir.dentry
	if !d.IsDir() {
		return nil, linux.ENOTDIR
	}
	creds := ctx.Credentials()
	if err := mayWriteDir(creds, d); err != 0 {
		return nil, err
	}
	if dir.mount.ReadOnly() {
		return nil, linux.EROFS
	}
	tc, ok := d.inode.(TmpfileCreator)
	if !ok {
		return nil, linux.EOPNOTSUPP
	}
	opts := newFileOwner(creds, d, mode&07777|sIFREG)
	opts.Mode &^= sIFMT
	inode, err := tc.CreateTmpfile(ctx, opts, flags&unix.O_EXCL == 0)
	if err != 0 {
		return nil, err
	}
	st, _ := inode.Stat(ctx, linux.STATX_INO)
	c := newDentry(d.fs, d, "#"+strconv.FormatUint(st.Ino, 10), inode)
	c.dead = true
	vd := VirtualDentry{dir.mount, c}
	flags &^= unix.O_TMPFILE | unix.O_CREAT | unix.O_EXCL | unix.O_TRUNC
	impl, err := inode.Open(ctx, vd, flags)
	if err != 0 {
		return nil, err
	}
	return NewFileDescription(impl, vd, flags), 0
}
