package proto

import "golang.org/x/sys/unix"

// do sends cl and, on success, runs read on the response body. read reports
// a malformed body by leaving the decoder not Ok; do then returns EBADMSG.
func (c *Client) do(cl *call, read func(d *Decoder)) error {
	if err := c.roundTrip(cl); err != nil {
		return err
	}
	if read != nil {
		read(&cl.dec)
	}
	if !cl.dec.Done() {
		return unix.EBADMSG
	}
	return nil
}

// Attach returns a handle for the root of the served tree and its Stat.
func (c *Client) Attach() (Handle, Stat, error) {
	cl := c.newCall(MsgAttach)
	defer c.free(cl)
	var h Handle
	var st Stat
	err := c.do(cl, func(d *Decoder) {
		h = d.Handle()
		d.Stat(&st)
	})
	return h, st, err
}

// Walk walks names one component at a time from the directory dir and
// returns a handle and Stat for each component reached. Symlinks are never
// followed: a symlink that is not the last name ends the walk early with a
// nil error, and is the last node returned (callers detect this with
// len(hs) < len(names)). A walk that cannot go on (a missing name, a name
// under a non-directory) returns the nodes reached so far and the errno
// (ENOENT, ENOTDIR, EACCES, ...). Names must be single components: empty
// names, ".", ".." and names containing "/" get EINVAL before anything is
// walked.
func (c *Client) Walk(dir Handle, names []string) ([]Handle, []Stat, error) {
	if len(names) == 0 || len(names) > MaxWalk {
		return nil, nil, unix.EINVAL
	}
	cl := c.newCall(MsgWalk)
	defer c.free(cl)
	cl.enc.Handle(dir)
	cl.enc.U16(uint16(len(names)))
	for _, n := range names {
		cl.enc.Str(n)
	}
	var hs []Handle
	var sts []Stat
	var stop unix.Errno
	err := c.do(cl, func(d *Decoder) {
		stop = unix.Errno(d.U32())
		n := int(d.U16())
		if n > len(names) {
			d.bad = true
			return
		}
		hs = make([]Handle, n)
		sts = make([]Stat, n)
		for i := range n {
			hs[i] = d.Handle()
			d.Stat(&sts[i])
		}
	})
	if err != nil {
		return nil, nil, err
	}
	if stop != 0 {
		return hs, sts, stop
	}
	return hs, sts, nil
}

// WalkOne walks a single name from dir; it is Walk without allocations.
// The name's node is returned even when it is a symlink.
func (c *Client) WalkOne(dir Handle, name string) (Handle, Stat, error) {
	cl := c.newCall(MsgWalk)
	defer c.free(cl)
	cl.enc.Handle(dir)
	cl.enc.U16(1)
	cl.enc.Str(name)
	var h Handle
	var st Stat
	var stop unix.Errno
	err := c.do(cl, func(d *Decoder) {
		stop = unix.Errno(d.U32())
		switch d.U16() {
		case 0:
		case 1:
			h = d.Handle()
			d.Stat(&st)
		default:
			d.bad = true
		}
	})
	if err == nil && stop != 0 {
		err = stop
	}
	return h, st, err
}

// Lookup looks up each of names in the directory dir, independently (a
// readdir-plus: stat a listing in one round trip). For each name it
// returns a handle and Stat, or the errno that name got (ENOENT, EINVAL for
// a name that is not a single component, ENFILE past the handle limit);
// a symlink is returned as itself. At most MaxWalk names per call.
func (c *Client) Lookup(dir Handle, names []string) ([]Handle, []Stat, []unix.Errno, error) {
	if len(names) == 0 || len(names) > MaxWalk {
		return nil, nil, nil, unix.EINVAL
	}
	cl := c.newCall(MsgLookup)
	defer c.free(cl)
	cl.enc.Handle(dir)
	cl.enc.U16(uint16(len(names)))
	for _, n := range names {
		cl.enc.Str(n)
	}
	hs := make([]Handle, len(names))
	sts := make([]Stat, len(names))
	errs := make([]unix.Errno, len(names))
	err := c.do(cl, func(d *Decoder) {
		if int(d.U16()) != len(names) {
			d.bad = true
			return
		}
		for i := range names {
			if errs[i] = unix.Errno(d.U32()); errs[i] == 0 {
				hs[i] = d.Handle()
				d.Stat(&sts[i])
			}
		}
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return hs, sts, errs, nil
}

// WalkOpen walks the single name from dir and opens what it finds with
// flags (as Open), in one round trip: open(2) of a path the sentry has not
// walked yet. A symlink is not opened: its handle and Stat come back with
// fd -1 and no error, for the caller to resolve. If the open fails, the
// handle is dropped and the open's errno returned.
func (c *Client) WalkOpen(dir Handle, name string, flags int) (Handle, Stat, int, error) {
	cl := c.newCall(MsgWalkOpen)
	defer c.free(cl)
	cl.enc.Handle(dir)
	cl.enc.Str(name)
	cl.enc.U32(uint32(flags))
	var h Handle
	var st Stat
	var opened uint8
	err := c.do(cl, func(d *Decoder) {
		h = d.Handle()
		d.Stat(&st)
		opened = d.U8()
	})
	if err != nil {
		return 0, Stat{}, -1, err
	}
	if opened == 0 {
		if len(cl.fds) != 0 {
			return 0, Stat{}, -1, unix.EBADMSG
		}
		return h, st, -1, nil
	}
	fd, err := takeFD(cl)
	if err != nil {
		return 0, Stat{}, -1, err
	}
	return h, st, fd, nil
}

// Stat returns the attributes of h.
func (c *Client) Stat(h Handle) (Stat, error) {
	cl := c.newCall(MsgStat)
	defer c.free(cl)
	cl.enc.Handle(h)
	var st Stat
	err := c.do(cl, func(d *Decoder) { d.Stat(&st) })
	return st, err
}

// Open opens h with flags (O_RDONLY, O_WRONLY, O_RDWR, O_TRUNC, O_APPEND,
// O_DIRECTORY, O_NONBLOCK, O_DSYNC, O_SYNC, O_DIRECT, O_NOATIME; not O_CREAT,
// O_PATH or O_EXCL) and returns a host descriptor for it, owned by the
// caller and close-on-exec.
func (c *Client) Open(h Handle, flags int) (int, error) {
	cl := c.newCall(MsgOpen)
	defer c.free(cl)
	cl.enc.Handle(h)
	cl.enc.U32(uint32(flags))
	if err := c.do(cl, nil); err != nil {
		return -1, err
	}
	return takeFD(cl)
}

// CloseHandle drops the handle h.
func (c *Client) CloseHandle(h Handle) error {
	cl := c.newCall(MsgClose)
	defer c.free(cl)
	cl.enc.U16(1)
	cl.enc.Handle(h)
	return c.do(cl, nil)
}

// CloseHandles drops the handles hs in as few messages as it can. Unknown
// handles give EBADF after every known one has been dropped.
func (c *Client) CloseHandles(hs []Handle) error {
	var first error
	for len(hs) > 0 {
		n := min(len(hs), MaxCloseBatch)
		cl := c.newCall(MsgClose)
		cl.enc.U16(uint16(n))
		for _, h := range hs[:n] {
			cl.enc.Handle(h)
		}
		if err := c.do(cl, nil); err != nil && first == nil {
			first = err
		}
		c.free(cl)
		hs = hs[n:]
	}
	return first
}

// Readlink returns the target of the symlink h.
func (c *Client) Readlink(h Handle) (string, error) {
	cl := c.newCall(MsgReadlink)
	defer c.free(cl)
	cl.enc.Handle(h)
	var s string
	err := c.do(cl, func(d *Decoder) { s = d.Str() })
	return s, err
}

// GetdentsPage returns the entries of the directory h after cookie (0 for
// the start), at most about size bytes of them. An empty page means the end
// of the directory. "." and ".." are never listed.
func (c *Client) GetdentsPage(h Handle, cookie uint64, size int, ents []Dirent) ([]Dirent, error) {
	cl := c.newCall(MsgGetdents)
	defer c.free(cl)
	cl.enc.Handle(h)
	cl.enc.U64(cookie)
	cl.enc.U32(uint32(size))
	err := c.do(cl, func(d *Decoder) {
		n := int(d.U16())
		for i := 0; i < n && d.Ok(); i++ {
			ents = append(ents, Dirent{Ino: d.U64(), Off: d.U64(), Type: d.U8(), Name: d.Str()})
		}
	})
	return ents, err
}

// Getdents returns all entries of the directory h.
func (c *Client) Getdents(h Handle) ([]Dirent, error) {
	var ents []Dirent
	var cookie uint64
	for {
		n := len(ents)
		var err error
		ents, err = c.GetdentsPage(h, cookie, MaxGetdents, ents)
		if err != nil {
			return nil, err
		}
		if len(ents) == n {
			return ents, nil
		}
		cookie = ents[len(ents)-1].Off
	}
}

// Statfs returns the attributes of the file system holding h.
func (c *Client) Statfs(h Handle) (Statfs, error) {
	cl := c.newCall(MsgStatfs)
	defer c.free(cl)
	cl.enc.Handle(h)
	var st Statfs
	err := c.do(cl, func(d *Decoder) { d.Statfs(&st) })
	return st, err
}
