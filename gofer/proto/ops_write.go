package proto

// Write operations. On a read-only server they fail with EROFS.

// newNode sends cl and reads the {Handle, Stat} answer of a creating call.
func (c *Client) newNode(cl *call) (Handle, Stat, error) {
	var h Handle
	var st Stat
	err := c.do(cl, func(d *Decoder) {
		h = d.Handle()
		d.Stat(&st)
	})
	return h, st, err
}

// Create creates and opens the regular file name in dir with flags (as for
// Open, plus O_EXCL), permission bits mode, owned by uid and gid (NoID keeps
// the server's own). It returns a handle for the new file, its Stat and a
// host descriptor owned by the caller. Without O_EXCL an existing regular
// file is opened instead.
func (c *Client) Create(dir Handle, name string, flags int, mode, uid, gid uint32) (Handle, Stat, int, error) {
	cl := c.newCall(MsgCreate)
	defer c.free(cl)
	cl.enc.Handle(dir)
	cl.enc.Str(name)
	cl.enc.U32(uint32(flags))
	cl.enc.U32(mode)
	cl.enc.U32(uid)
	cl.enc.U32(gid)
	h, st, err := c.newNode(cl)
	if err != nil {
		return 0, Stat{}, -1, err
	}
	fd, err := takeFD(cl)
	if err != nil {
		return 0, Stat{}, -1, err
	}
	return h, st, fd, nil
}

// Mkdir creates the directory name in dir.
func (c *Client) Mkdir(dir Handle, name string, mode, uid, gid uint32) (Handle, Stat, error) {
	cl := c.newCall(MsgMkdir)
	defer c.free(cl)
	cl.enc.Handle(dir)
	cl.enc.Str(name)
	cl.enc.U32(mode)
	cl.enc.U32(uid)
	cl.enc.U32(gid)
	return c.newNode(cl)
}

// Symlink creates the symlink name in dir pointing to target.
func (c *Client) Symlink(dir Handle, name, target string, uid, gid uint32) (Handle, Stat, error) {
	cl := c.newCall(MsgSymlink)
	defer c.free(cl)
	cl.enc.Handle(dir)
	cl.enc.Str(name)
	cl.enc.Str(target)
	cl.enc.U32(uid)
	cl.enc.U32(gid)
	return c.newNode(cl)
}

// Link creates name in dir as a hard link to the node target.
func (c *Client) Link(dir Handle, name string, target Handle) (Handle, Stat, error) {
	cl := c.newCall(MsgLink)
	defer c.free(cl)
	cl.enc.Handle(dir)
	cl.enc.Str(name)
	cl.enc.Handle(target)
	return c.newNode(cl)
}

// Mknod creates a FIFO (S_IFIFO) or a socket (S_IFSOCK) name in dir; mode
// holds the type and permission bits. Other types get EPERM.
func (c *Client) Mknod(dir Handle, name string, mode, uid, gid uint32) (Handle, Stat, error) {
	cl := c.newCall(MsgMknod)
	defer c.free(cl)
	cl.enc.Handle(dir)
	cl.enc.Str(name)
	cl.enc.U32(mode)
	cl.enc.U32(uid)
	cl.enc.U32(gid)
	return c.newNode(cl)
}

// Unlink removes name from dir; flags may be unix.AT_REMOVEDIR.
func (c *Client) Unlink(dir Handle, name string, flags int) error {
	cl := c.newCall(MsgUnlink)
	defer c.free(cl)
	cl.enc.Handle(dir)
	cl.enc.Str(name)
	cl.enc.U32(uint32(flags))
	return c.do(cl, nil)
}

// Rename renames oldname in olddir to newname in newdir; flags may be
// unix.RENAME_NOREPLACE or unix.RENAME_EXCHANGE. Handles to the moved nodes
// stay valid.
func (c *Client) Rename(olddir Handle, oldname string, newdir Handle, newname string, flags int) error {
	cl := c.newCall(MsgRename)
	defer c.free(cl)
	cl.enc.Handle(olddir)
	cl.enc.Str(oldname)
	cl.enc.Handle(newdir)
	cl.enc.Str(newname)
	cl.enc.U32(uint32(flags))
	return c.do(cl, nil)
}

// Setattr changes the attributes of h selected by req.Mask and returns the
// new Stat.
func (c *Client) Setattr(h Handle, req *SetattrReq) (Stat, error) {
	cl := c.newCall(MsgSetattr)
	defer c.free(cl)
	cl.enc.Handle(h)
	cl.enc.Setattr(req)
	var st Stat
	err := c.do(cl, func(d *Decoder) { d.Stat(&st) })
	return st, err
}

// Getxattr returns the value of the extended attribute name of h. size, when
// not 0, is the caller's buffer size: a longer value gives ERANGE.
func (c *Client) Getxattr(h Handle, name string, size int) ([]byte, error) {
	cl := c.newCall(MsgGetxattr)
	defer c.free(cl)
	cl.enc.Handle(h)
	cl.enc.Str(name)
	cl.enc.U32(uint32(size))
	var v []byte
	err := c.do(cl, func(d *Decoder) { v = append([]byte(nil), d.BytesRef()...) })
	return v, err
}

// Setxattr sets the extended attribute name of h; flags may be
// unix.XATTR_CREATE or unix.XATTR_REPLACE.
func (c *Client) Setxattr(h Handle, name string, value []byte, flags int) error {
	cl := c.newCall(MsgSetxattr)
	defer c.free(cl)
	cl.enc.Handle(h)
	cl.enc.Str(name)
	cl.enc.Bytes(value)
	cl.enc.U32(uint32(flags))
	return c.do(cl, nil)
}

// Listxattr returns the names of the extended attributes of h.
func (c *Client) Listxattr(h Handle) ([]string, error) {
	cl := c.newCall(MsgListxattr)
	defer c.free(cl)
	cl.enc.Handle(h)
	var names []string
	err := c.do(cl, func(d *Decoder) {
		n := int(d.U16())
		for i := 0; i < n && d.Ok(); i++ {
			names = append(names, d.Str())
		}
	})
	return names, err
}

// Removexattr removes the extended attribute name of h.
func (c *Client) Removexattr(h Handle, name string) error {
	cl := c.newCall(MsgRemovexattr)
	defer c.free(cl)
	cl.enc.Handle(h)
	cl.enc.Str(name)
	return c.do(cl, nil)
}
