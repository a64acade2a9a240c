package vfs_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/vfs"
)

func TestCreateErrors(t *testing.T) {
	e := tree(t)
	e.mkdir("/ro", 0o755)
	e.mountTmpfs("/ro", vfs.MountFlags{ReadOnly: true})
	tests := []struct {
		name string
		do   func() linux.Errno
		want linux.Errno
	}{
		{"mkdir existing", func() linux.Errno { return e.v.MkdirAt(rootCtx, e.op("/a", false), 0o755) }, linux.EEXIST},
		{"mkdir existing symlink", func() linux.Errno { return e.v.MkdirAt(rootCtx, e.op("/dangling", false), 0o755) }, linux.EEXIST},
		{"mkdir /", func() linux.Errno { return e.v.MkdirAt(rootCtx, e.op("/", false), 0o755) }, linux.EEXIST},
		{"mkdir a/.", func() linux.Errno { return e.v.MkdirAt(rootCtx, e.op("/a/.", false), 0o755) }, linux.EEXIST},
		{"mkdir trailing slash", func() linux.Errno { return e.v.MkdirAt(rootCtx, e.op("/newdir/", false), 0o755) }, 0},
		{"mkdir in file", func() linux.Errno { return e.v.MkdirAt(rootCtx, e.op("/a/b/file/x", false), 0o755) }, linux.ENOTDIR},
		{"mkdir missing parent", func() linux.Errno { return e.v.MkdirAt(rootCtx, e.op("/no/x", false), 0o755) }, linux.ENOENT},
		{"mkdir on ro", func() linux.Errno { return e.v.MkdirAt(rootCtx, e.op("/ro/x", false), 0o755) }, linux.EROFS},
		{"mkdir existing on ro", func() linux.Errno { return e.v.MkdirAt(rootCtx, e.op("/ro/.", false), 0o755) }, linux.EEXIST},
		{"symlink trailing slash", func() linux.Errno { return e.v.SymlinkAt(rootCtx, e.op("/s/", false), "x") }, linux.ENOENT},
		{"symlink empty target", func() linux.Errno { return e.v.SymlinkAt(rootCtx, e.op("/s", false), "") }, linux.ENOENT},
		{"unlink dir", func() linux.Errno { return e.v.UnlinkAt(rootCtx, e.op("/a", false)) }, linux.EISDIR},
		{"unlink file/", func() linux.Errno { return e.v.UnlinkAt(rootCtx, e.op("/a/b/file/", false)) }, linux.ENOTDIR},
		{"unlink missing", func() linux.Errno { return e.v.UnlinkAt(rootCtx, e.op("/a/zz", false)) }, linux.ENOENT},
		{"unlink on ro", func() linux.Errno { return e.v.UnlinkAt(rootCtx, e.op("/ro/zz", false)) }, linux.EROFS},
		{"rmdir file", func() linux.Errno { return e.v.RmdirAt(rootCtx, e.op("/a/b/file", false)) }, linux.ENOTDIR},
		{"rmdir nonempty", func() linux.Errno { return e.v.RmdirAt(rootCtx, e.op("/a", false)) }, linux.ENOTEMPTY},
		{"rmdir .", func() linux.Errno { return e.v.RmdirAt(rootCtx, e.op("/a/.", false)) }, linux.EINVAL},
		{"rmdir ..", func() linux.Errno { return e.v.RmdirAt(rootCtx, e.op("/a/..", false)) }, linux.ENOTEMPTY},
		{"rmdir /", func() linux.Errno { return e.v.RmdirAt(rootCtx, e.op("/", false)) }, linux.EBUSY},
		{"rmdir symlink to dir", func() linux.Errno { return e.v.RmdirAt(rootCtx, e.op("/a/abs", false)) }, linux.ENOTDIR},
		{"link dir", func() linux.Errno { return e.v.LinkAt(rootCtx, e.op("/a", false), e.op("/a2", false)) }, linux.EPERM},
		{"link across mounts", func() linux.Errno { return e.v.LinkAt(rootCtx, e.op("/a/b/file", false), e.op("/mnt/f", false)) }, linux.EXDEV},
		{"link existing", func() linux.Errno { return e.v.LinkAt(rootCtx, e.op("/a/b/file", false), e.op("/a/abs", false)) }, linux.EEXIST},
		{"mknod dir", func() linux.Errno { return e.v.MknodAt(rootCtx, e.op("/n", false), unix.S_IFDIR|0o644, 0) }, linux.EPERM},
		{"mknod char as user", func() linux.Errno {
			return e.v.MknodAt(userCtx(1000, 1000), e.op("/mnt/n", false), unix.S_IFCHR|0o644, linux.MakeDev(1, 3))
		}, linux.EPERM},
		{"rename across mounts", func() linux.Errno { return e.v.RenameAt(rootCtx, e.op("/a/b/file", false), e.op("/mnt/f", false), 0) }, linux.EXDEV},
	}
	for _, tc := range tests {
		if got := tc.do(); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestOpenFlags(t *testing.T) {
	e := tree(t)
	e.mkdir("/ro", 0o755)
	e.writeFile("/ro/f", "x", 0o644) // written before the mount hides it
	e.mountTmpfs("/ro", vfs.MountFlags{ReadOnly: true})
	tests := []struct {
		path  string
		flags uint32
		want  linux.Errno
	}{
		{"/a/b/file", unix.O_RDONLY, 0},
		{"/a/b/file", unix.O_RDONLY | unix.O_DIRECTORY, linux.ENOTDIR},
		{"/a/b", unix.O_RDONLY | unix.O_DIRECTORY, 0},
		{"/a/b", unix.O_WRONLY, linux.EISDIR},
		{"/a/b", unix.O_RDONLY | unix.O_CREAT, linux.EISDIR},
		{"/a/b", unix.O_RDONLY | unix.O_TRUNC, linux.EISDIR},
		{"/a/b/", unix.O_RDONLY | unix.O_CREAT, linux.EISDIR},
		{"/a/new/", unix.O_RDONLY | unix.O_CREAT, linux.EISDIR},
		{"/a/b/file", unix.O_RDONLY | unix.O_CREAT | unix.O_EXCL, linux.EEXIST},
		{"/a/abs", unix.O_RDONLY | unix.O_CREAT | unix.O_EXCL, linux.EEXIST},
		{"/a/b/flink", unix.O_RDONLY | unix.O_NOFOLLOW, linux.ELOOP},
		{"/a/b/flink", unix.O_RDONLY | unix.O_CREAT | unix.O_NOFOLLOW, linux.ELOOP},
		{"/a/b/flink", unix.O_PATH | unix.O_NOFOLLOW, 0},
		{"/a/b/flink", unix.O_RDONLY, 0},
		{"/dangling", unix.O_RDONLY, linux.ENOENT},
		{"/a/b/missing", unix.O_RDONLY, linux.ENOENT},
		{"/ro", unix.O_RDONLY, 0},
		{"/mnt/new", unix.O_RDWR | unix.O_CREAT, 0},
		{"/a/b/file/", unix.O_RDONLY, linux.ENOTDIR},
	}
	for _, tc := range tests {
		fd, err := e.v.OpenAt(rootCtx, e.op(tc.path, true), tc.flags, 0o644)
		if err != tc.want {
			t.Errorf("open %q %#x: got %v, want %v", tc.path, tc.flags, err, tc.want)
		}
		if fd != nil {
			fd.DecRef()
		}
	}
	// O_CREAT through a dangling symlink creates its target.
	fd, err := e.v.OpenAt(rootCtx, e.op("/mnt/dl", true), unix.O_CREAT|unix.O_WRONLY, 0o600)
	if err != 0 {
		t.Fatal(err)
	}
	fd.DecRef()
	e.symlink("/mnt/target", "/mnt/dl2")
	fd, err = e.v.OpenAt(rootCtx, e.op("/mnt/dl2", true), unix.O_CREAT|unix.O_WRONLY, 0o600)
	if err != 0 {
		t.Fatalf("O_CREAT through dangling symlink: %v", err)
	}
	fd.DecRef()
	if st := e.stat("/mnt/target", false); st.Mode != unix.S_IFREG|0o600 {
		t.Errorf("created target mode %o", st.Mode)
	}
}

func TestPermissions(t *testing.T) {
	e := newEnv(t)
	e.mkdir("/priv", 0o700)
	e.writeFile("/priv/f", "secret", 0o644)
	e.mkdir("/pub", 0o755)
	e.writeFile("/pub/ro", "x", 0o444)
	e.writeFile("/pub/noexec", "x", 0o644)
	e.mkdir("/sticky", 0o1777)
	e.writeFile("/sticky/mine", "x", 0o644)
	e.chown("/sticky/mine", 1000, 1000)
	e.writeFile("/sticky/theirs", "x", 0o666)
	e.chown("/sticky/theirs", 1001, 1001)
	e.mkdir("/grp", 0o770)
	e.chown("/grp", 0, 50)

	user := userCtx(1000, 1000)
	tests := []struct {
		name string
		ctx  vfs.Context
		do   func(c vfs.Context) linux.Errno
		want linux.Errno
	}{
		{"search 0700 dir", user, func(c vfs.Context) linux.Errno {
			_, err := e.v.StatAt(c, e.op("/priv/f", true), 0)
			return err
		}, linux.EACCES},
		{"root searches 0700 dir", rootCtx, func(c vfs.Context) linux.Errno {
			_, err := e.v.StatAt(c, e.op("/priv/f", true), 0)
			return err
		}, 0},
		{"write 0444 file", user, func(c vfs.Context) linux.Errno {
			_, err := e.v.OpenAt(c, e.op("/pub/ro", true), unix.O_WRONLY, 0)
			return err
		}, linux.EACCES},
		{"root writes 0444 file", rootCtx, func(c vfs.Context) linux.Errno {
			fd, err := e.v.OpenAt(c, e.op("/pub/ro", true), unix.O_WRONLY, 0)
			if fd != nil {
				fd.DecRef()
			}
			return err
		}, 0},
		{"root execs 0644 file", rootCtx, func(c vfs.Context) linux.Errno {
			return e.v.AccessAt(c, e.op("/pub/noexec", true), 1)
		}, linux.EACCES},
		{"create in 0755 dir", user, func(c vfs.Context) linux.Errno {
			_, err := e.v.OpenAt(c, e.op("/pub/new", true), unix.O_CREAT|unix.O_WRONLY, 0o644)
			return err
		}, linux.EACCES},
		{"mkdir in 0755 dir", user, func(c vfs.Context) linux.Errno {
			return e.v.MkdirAt(c, e.op("/pub/d", true), 0o755)
		}, linux.EACCES},
		{"unlink in 0755 dir", user, func(c vfs.Context) linux.Errno {
			return e.v.UnlinkAt(c, e.op("/pub/ro", true))
		}, linux.EACCES},
		{"sticky: unlink other's file", user, func(c vfs.Context) linux.Errno {
			return e.v.UnlinkAt(c, e.op("/sticky/theirs", true))
		}, linux.EPERM},
		{"sticky: rename over other's file", user, func(c vfs.Context) linux.Errno {
			return e.v.RenameAt(c, e.op("/sticky/mine", false), e.op("/sticky/theirs", false), 0)
		}, linux.EPERM},
		{"sticky: unlink own file", user, func(c vfs.Context) linux.Errno {
			return e.v.UnlinkAt(c, e.op("/sticky/mine", true))
		}, 0},
		{"sticky: root unlinks", rootCtx, func(c vfs.Context) linux.Errno {
			return e.v.UnlinkAt(c, e.op("/sticky/theirs", true))
		}, 0},
		{"chmod other's file", user, func(c vfs.Context) linux.Errno {
			return e.v.SetStatAt(c, e.op("/pub/ro", true), &vfs.SetStatOptions{Mask: linux.STATX_MODE, Mode: 0o777})
		}, linux.EPERM},
		{"chown as user", user, func(c vfs.Context) linux.Errno {
			return e.v.SetStatAt(c, e.op("/pub/ro", true), &vfs.SetStatOptions{Mask: linux.STATX_UID, UID: 1000})
		}, linux.EPERM},
		{"truncate 0444 file", user, func(c vfs.Context) linux.Errno {
			return e.v.SetStatAt(c, e.op("/pub/ro", true), &vfs.SetStatOptions{Mask: linux.STATX_SIZE})
		}, linux.EACCES},
		{"utimes now on other's file without write", user, func(c vfs.Context) linux.Errno {
			return e.v.SetStatAt(c, e.op("/pub/ro", true), &vfs.SetStatOptions{Mask: linux.STATX_MTIME, Mtime: linux.StatxTimestamp{Nsec: vfs.UtimeNow}})
		}, linux.EACCES},
		{"group member searches 0770", testCtx{withGroups(user, 50)}, func(c vfs.Context) linux.Errno {
			return e.v.AccessAt(c, e.op("/grp", true), 7)
		}, 0},
		{"non-member searches 0770", user, func(c vfs.Context) linux.Errno {
			return e.v.AccessAt(c, e.op("/grp", true), 1)
		}, linux.EACCES},
	}
	for _, tc := range tests {
		if got := tc.do(tc.ctx); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// withGroups returns a copy of c's credentials with extra groups.
func withGroups(c testCtx, gids ...uint32) *auth.Credentials {
	n := c.creds.Fork()
	for _, g := range gids {
		n.ExtraKGIDs = append(n.ExtraKGIDs, auth.KGID(g))
	}
	return n
}

func TestProtectedLinks(t *testing.T) {
	e := newEnv(t)
	e.mkdir("/tmp", 0o1777)
	e.writeFile("/tmp/target", "x", 0o644)
	e.chown("/tmp/target", 1001, 1001)
	e.symlink("target", "/tmp/link")
	e.chown("/tmp/link", 1001, 1001)
	e.writeFile("/tmp/secret", "x", 0o600)
	e.writeFile("/tmp/shared", "x", 0o666)
	user := userCtx(1000, 1000)
	if _, err := e.v.StatAt(user, e.op("/tmp/link", true), 0); err != linux.EACCES {
		t.Errorf("following another user's link in a sticky dir: %v", err)
	}
	if _, err := e.v.StatAt(userCtx(1001, 1001), e.op("/tmp/link", true), 0); err != 0 {
		t.Errorf("owner following own link: %v", err)
	}
	if _, err := e.v.StatAt(rootCtx, e.op("/tmp/link", false), 0); err != 0 {
		t.Errorf("lstat of the link: %v", err)
	}
	if err := e.v.LinkAt(user, e.op("/tmp/secret", false), e.op("/tmp/mine", false)); err != linux.EPERM {
		t.Errorf("hard link to an unreadable file: %v", err)
	}
	if err := e.v.LinkAt(user, e.op("/tmp/shared", false), e.op("/tmp/mine", false)); err != 0 {
		t.Errorf("hard link to a read-write file: %v", err)
	}
}
