package gofer

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
)

func hostStat(t *testing.T, path string) unix.Stat_t {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		t.Fatalf("lstat %s: %v", path, err)
	}
	return st
}

func TestCreate(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{})
	r := attach(t, c)
	tests := []struct {
		name  string
		flags int
		mode  uint32
		uid   uint32
		err   unix.Errno
	}{
		{name: "new", flags: unix.O_RDWR | unix.O_EXCL, mode: 0640, uid: proto.NoID},
		{name: "new2", flags: unix.O_WRONLY, mode: 0777, uid: proto.NoID},
		{name: "owned", flags: unix.O_RDWR, mode: 0600, uid: 1234},
		{name: "setuid", flags: unix.O_RDWR, mode: 04755, uid: 1234},
		{name: "file", flags: unix.O_RDWR | unix.O_EXCL, mode: 0644, uid: proto.NoID, err: unix.EEXIST},
		{name: "dir", flags: unix.O_RDWR, mode: 0644, uid: proto.NoID, err: unix.EEXIST},
		{name: "link", flags: unix.O_RDWR, mode: 0644, uid: proto.NoID, err: unix.EEXIST},
		{name: "a/b", flags: unix.O_RDWR, mode: 0644, uid: proto.NoID, err: unix.EINVAL},
		{name: "..", flags: unix.O_RDWR, mode: 0644, uid: proto.NoID, err: unix.EINVAL},
		{name: "x", flags: unix.O_RDWR | unix.O_PATH, mode: 0644, uid: proto.NoID, err: unix.EINVAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.uid != proto.NoID && os.Geteuid() != 0 {
				t.Skip("chown needs root")
			}
			h, st, fd, err := c.Create(r, tt.name, tt.flags, tt.mode, tt.uid, tt.uid)
			if !errIs(err, tt.err) {
				t.Fatalf("Create = %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			defer c.CloseHandle(h)
			if _, err := unix.Write(fd, []byte("data")); err != nil {
				t.Fatalf("write donated fd: %v", err)
			}
			unix.Close(fd)
			host := hostStat(t, filepath.Join(root, tt.name))
			if host.Mode != unix.S_IFREG|tt.mode || host.Size != 4 {
				t.Fatalf("host mode %#o size %d, want %#o size 4", host.Mode, host.Size, unix.S_IFREG|tt.mode)
			}
			if st.Mode != host.Mode || st.Ino != host.Ino {
				t.Fatalf("reported %+v, host %+v", st, host)
			}
			if tt.uid != proto.NoID && (host.Uid != tt.uid || host.Gid != tt.uid) {
				t.Fatalf("owner %d:%d, want %d", host.Uid, host.Gid, tt.uid)
			}
		})
	}
	// Create without O_EXCL opens (and here truncates) an existing file.
	h, _, fd, err := c.Create(r, "file", unix.O_RDWR|unix.O_TRUNC, 0600, proto.NoID, proto.NoID)
	if err != nil {
		t.Fatalf("Create(existing): %v", err)
	}
	c.CloseHandle(h)
	unix.Close(fd)
	if st := hostStat(t, filepath.Join(root, "file")); st.Size != 0 || st.Mode&0777 != 0644 {
		t.Fatalf("existing file after Create(O_TRUNC): size %d mode %#o", st.Size, st.Mode)
	}
}

func TestMkdirSymlinkMknodLink(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{})
	r := attach(t, c)
	d, _ := walk(t, c, r, "dir")
	tests := []struct {
		name string
		op   func() (proto.Handle, proto.Stat, error)
		mode uint32
		err  unix.Errno
	}{
		{"mkdir", func() (proto.Handle, proto.Stat, error) { return c.Mkdir(d, "m", 01750, proto.NoID, proto.NoID) }, unix.S_IFDIR | 01750, 0},
		{"mkdir exists", func() (proto.Handle, proto.Stat, error) { return c.Mkdir(d, "sub", 0755, proto.NoID, proto.NoID) }, 0, unix.EEXIST},
		{"symlink", func() (proto.Handle, proto.Stat, error) {
			return c.Symlink(d, "s", "/anywhere/at/all", proto.NoID, proto.NoID)
		}, unix.S_IFLNK | 0777, 0},
		{"symlink empty", func() (proto.Handle, proto.Stat, error) { return c.Symlink(d, "s2", "", proto.NoID, proto.NoID) }, 0, unix.ENOENT},
		{"fifo", func() (proto.Handle, proto.Stat, error) {
			return c.Mknod(d, "p", unix.S_IFIFO|0620, proto.NoID, proto.NoID)
		}, unix.S_IFIFO | 0620, 0},
		{"socket", func() (proto.Handle, proto.Stat, error) {
			return c.Mknod(d, "k", unix.S_IFSOCK|0600, proto.NoID, proto.NoID)
		}, unix.S_IFSOCK | 0600, 0},
		{"chardev", func() (proto.Handle, proto.Stat, error) {
			return c.Mknod(d, "c", unix.S_IFCHR|0600, proto.NoID, proto.NoID)
		}, 0, unix.EPERM},
		{"blockdev", func() (proto.Handle, proto.Stat, error) {
			return c.Mknod(d, "b", unix.S_IFBLK|0600, proto.NoID, proto.NoID)
		}, 0, unix.EPERM},
		{"regular via mknod", func() (proto.Handle, proto.Stat, error) {
			return c.Mknod(d, "f", unix.S_IFREG|0600, proto.NoID, proto.NoID)
		}, 0, unix.EPERM},
		{"link", func() (proto.Handle, proto.Stat, error) {
			f, _ := walk(t, c, r, "file")
			return c.Link(d, "hard", f)
		}, unix.S_IFREG | 0644, 0},
		{"link dir", func() (proto.Handle, proto.Stat, error) { return c.Link(d, "hard2", d) }, 0, unix.EPERM},
		{"link bad handle", func() (proto.Handle, proto.Stat, error) { return c.Link(d, "hard3", 99999) }, 0, unix.EBADF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, st, err := tt.op()
			if !errIs(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if st.Mode != tt.mode {
				t.Fatalf("mode %#o, want %#o", st.Mode, tt.mode)
			}
			if st2, err := c.Stat(h); err != nil || st2.Ino != st.Ino {
				t.Fatalf("Stat(new handle) = %+v, %v", st2, err)
			}
		})
	}
	if target, err := os.Readlink(filepath.Join(root, "dir", "s")); err != nil || target != "/anywhere/at/all" {
		t.Fatalf("host symlink: %q %v", target, err)
	}
	if st := hostStat(t, filepath.Join(root, "file")); st.Nlink != 2 {
		t.Fatalf("file nlink %d after Link, want 2", st.Nlink)
	}
}

func TestUnlink(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{})
	r := attach(t, c)
	h, _ := walk(t, c, r, "file")
	tests := []struct {
		name  string
		flags int
		err   unix.Errno
	}{
		{"file", 0, 0},
		{"file", 0, unix.ENOENT},
		{"dir", 0, unix.EISDIR},
		{"dir", unix.AT_REMOVEDIR, unix.ENOTEMPTY},
		{"link", unix.AT_REMOVEDIR, unix.ENOTDIR},
		{"link", 0, 0},
		{"fifo", 0x8000, unix.EINVAL},
		{"../x", 0, unix.EINVAL},
	}
	for _, tt := range tests {
		if err := c.Unlink(r, tt.name, tt.flags); !errIs(err, tt.err) {
			t.Errorf("Unlink(%q, %#x) = %v, want %v", tt.name, tt.flags, err, tt.err)
		}
	}
	d, _ := walk(t, c, r, "dir/inner")
	_ = d
	dir, _ := walk(t, c, r, "dir")
	if err := c.Unlink(dir, "inner", unix.AT_REMOVEDIR); err != nil {
		t.Fatalf("rmdir: %v", err)
	}
	// The handle of an unlinked file still stats, but cannot be reopened
	// by name.
	if st, err := c.Stat(h); err != nil || st.Nlink != 0 {
		t.Fatalf("Stat(unlinked) = %+v, %v", st, err)
	}
	if _, err := c.Open(h, unix.O_RDONLY); err != unix.ESTALE {
		t.Fatalf("Open(unlinked) = %v, want ESTALE", err)
	}
}

func TestRename(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{})
	r := attach(t, c)
	f, _ := walk(t, c, r, "file")
	dir, _ := walk(t, c, r, "dir")
	sub, _ := walk(t, c, dir, "sub")
	// Move file into dir: the old handle follows it.
	if err := c.Rename(r, "file", dir, "moved", 0); err != nil {
		t.Fatal(err)
	}
	fd, err := c.Open(f, unix.O_RDONLY)
	if err != nil {
		t.Fatalf("Open after rename: %v", err)
	}
	if got := readFD(t, fd); got != "hello" {
		t.Fatalf("read %q", got)
	}
	// Exchange moved and sub: both handles follow.
	if err := c.Rename(dir, "moved", dir, "sub", unix.RENAME_EXCHANGE); err != nil {
		t.Fatal(err)
	}
	for h, want := range map[proto.Handle]string{f: "hello", sub: "sub"} {
		fd, err := c.Open(h, unix.O_RDONLY)
		if err != nil {
			t.Fatalf("Open after exchange: %v", err)
		}
		if got := readFD(t, fd); got != want {
			t.Fatalf("read %q, want %q", got, want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(root, "dir", "sub")); string(b) != "hello" {
		t.Fatalf("host dir/sub = %q", b)
	}
	// Rename a directory: handles beneath it keep working.
	if err := c.Rename(r, "dir", r, "dir2", 0); err != nil {
		t.Fatal(err)
	}
	if fd, err := c.Open(sub, unix.O_RDONLY); err != nil {
		t.Fatalf("Open under renamed dir: %v", err)
	} else {
		unix.Close(fd)
	}
	// Renaming onto another link of the same file changes nothing.
	f2, _ := walk(t, c, dir, "sub")
	if _, _, err := c.Link(dir, "sub2", f2); err != nil {
		t.Fatal(err)
	}
	e2, _ := walk(t, c, dir, "sub2")
	if err := c.Rename(dir, "sub", dir, "sub2", 0); err != nil {
		t.Fatal(err)
	}
	for _, h := range []proto.Handle{f2, e2} {
		fd, err := c.Open(h, unix.O_RDONLY)
		if err != nil {
			t.Fatalf("Open after a no-op rename: %v", err)
		}
		unix.Close(fd)
	}
	tests := []struct {
		old, new string
		flags    int
		err      unix.Errno
	}{
		{"link", "fifo", unix.RENAME_NOREPLACE, unix.EEXIST},
		{"missing", "x", 0, unix.ENOENT},
		{"link", "../x", 0, unix.EINVAL},
		{"link", "x", unix.RENAME_NOREPLACE | unix.RENAME_EXCHANGE, unix.EINVAL},
		{"link", "x", unix.RENAME_WHITEOUT, unix.EINVAL},
		{"link", "fifo", 0, 0},
	}
	for _, tt := range tests {
		if err := c.Rename(r, tt.old, r, tt.new, tt.flags); !errIs(err, tt.err) {
			t.Errorf("Rename(%q, %q, %#x) = %v, want %v", tt.old, tt.new, tt.flags, err, tt.err)
		}
	}
}

func TestSetattr(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{})
	r := attach(t, c)
	f, _ := walk(t, c, r, "file")
	l, _ := walk(t, c, r, "link")
	d, _ := walk(t, c, r, "dir")
	ts := unix.Timespec{Sec: 1234567890, Nsec: 123456789}
	tests := []struct {
		name string
		h    proto.Handle
		req  proto.SetattrReq
		err  unix.Errno
		chk  func(st proto.Stat) bool
	}{
		{"mode", f, proto.SetattrReq{Mask: proto.SetattrMode, Mode: 0604}, 0,
			func(st proto.Stat) bool { return st.Mode == unix.S_IFREG|0604 }},
		{"size", f, proto.SetattrReq{Mask: proto.SetattrSize, Size: 2}, 0,
			func(st proto.Stat) bool { return st.Size == 2 }},
		{"grow", f, proto.SetattrReq{Mask: proto.SetattrSize, Size: 100000}, 0,
			func(st proto.Stat) bool { return st.Size == 100000 }},
		{"times", f, proto.SetattrReq{Mask: proto.SetattrAtime | proto.SetattrMtime, Atime: ts, Mtime: ts}, 0,
			func(st proto.Stat) bool { return st.Atime == ts && st.Mtime == ts }},
		{"mtime only", f, proto.SetattrReq{Mask: proto.SetattrMtime, Mtime: unix.Timespec{Sec: 5}}, 0,
			func(st proto.Stat) bool { return st.Atime == ts && st.Mtime.Sec == 5 }},
		{"owner", f, proto.SetattrReq{Mask: proto.SetattrUID | proto.SetattrGID, UID: 4321, GID: 4322}, 0,
			func(st proto.Stat) bool { return st.UID == 4321 && st.GID == 4322 }},
		{"symlink owner", l, proto.SetattrReq{Mask: proto.SetattrUID, UID: 77}, 0,
			func(st proto.Stat) bool { return st.UID == 77 && st.Mode&unix.S_IFMT == unix.S_IFLNK }},
		{"symlink mode", l, proto.SetattrReq{Mask: proto.SetattrMode, Mode: 0600}, unix.EOPNOTSUPP, nil},
		{"dir size", d, proto.SetattrReq{Mask: proto.SetattrSize}, unix.EISDIR, nil},
		{"bad mask", f, proto.SetattrReq{Mask: 1 << 20}, unix.EINVAL, nil},
		{"bad handle", 424242, proto.SetattrReq{Mask: proto.SetattrMode}, unix.EBADF, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.req.Mask&(proto.SetattrUID|proto.SetattrGID) != 0 && os.Geteuid() != 0 {
				t.Skip("chown needs root")
			}
			st, err := c.Setattr(tt.h, &tt.req)
			if !errIs(err, tt.err) {
				t.Fatalf("Setattr = %v, want %v", err, tt.err)
			}
			if err == nil && !tt.chk(st) {
				t.Fatalf("Setattr gave %+v", st)
			}
		})
	}
}

// TestReadOnly checks that every change fails with EROFS on a read-only
// server, and reads still work.
func TestReadOnly(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{ReadOnly: true})
	r := attach(t, c)
	f, _ := walk(t, c, r, "file")
	d, _ := walk(t, c, r, "dir")
	ops := map[string]func() error{
		"create": func() error { _, _, _, err := c.Create(r, "n", unix.O_RDWR, 0644, proto.NoID, proto.NoID); return err },
		"mkdir":  func() error { _, _, err := c.Mkdir(r, "n", 0755, proto.NoID, proto.NoID); return err },
		"symlink": func() error {
			_, _, err := c.Symlink(r, "n", "x", proto.NoID, proto.NoID)
			return err
		},
		"link":   func() error { _, _, err := c.Link(r, "n", f); return err },
		"mknod":  func() error { _, _, err := c.Mknod(r, "n", unix.S_IFIFO|0644, proto.NoID, proto.NoID); return err },
		"unlink": func() error { return c.Unlink(r, "file", 0) },
		"rmdir":  func() error { return c.Unlink(d, "inner", unix.AT_REMOVEDIR) },
		"rename": func() error { return c.Rename(r, "file", r, "n", 0) },
		"setattr": func() error {
			_, err := c.Setattr(f, &proto.SetattrReq{Mask: proto.SetattrMode, Mode: 0777})
			return err
		},
		"truncate":    func() error { _, err := c.Setattr(f, &proto.SetattrReq{Mask: proto.SetattrSize}); return err },
		"setxattr":    func() error { return c.Setxattr(f, "user.x", []byte("1"), 0) },
		"removexattr": func() error { return c.Removexattr(f, "user.x") },
		"open write":  func() error { _, err := c.Open(f, unix.O_WRONLY); return err },
		"open rdwr":   func() error { _, err := c.Open(f, unix.O_RDWR); return err },
		"open trunc":  func() error { _, err := c.Open(f, unix.O_RDONLY|unix.O_TRUNC); return err },
	}
	for name, op := range ops {
		if err := op(); err != unix.EROFS {
			t.Errorf("%s: %v, want EROFS", name, err)
		}
	}
	fd, err := c.Open(f, unix.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	if got := readFD(t, fd); got != "hello" {
		t.Fatalf("read %q", got)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "file")); string(b) != "hello" {
		t.Fatalf("file changed: %q", b)
	}
}
