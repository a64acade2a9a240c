package vfs_test

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// tree builds:
//
//	/a/b/file            "data"
//	/a/b/flink -> file
//	/a/abs -> /a/b       /a/rel -> b       /a/dotdot -> ../a/b
//	/loop1 -> loop2      /loop2 -> loop1   /self -> self
//	/dangling -> /nowhere
//	/mnt                 (a second tmpfs, holding /mnt/x/y)
//	/mnt/up -> ../a      (symlink inside the mount, crossing back up)
func tree(t *testing.T) *env {
	e := newEnv(t)
	e.mkdir("/a", 0o755)
	e.mkdir("/a/b", 0o755)
	e.writeFile("/a/b/file", "data", 0o644)
	e.symlink("file", "/a/b/flink")
	e.symlink("/a/b", "/a/abs")
	e.symlink("b", "/a/rel")
	e.symlink("../a/b", "/a/dotdot")
	e.symlink("loop2", "/loop1")
	e.symlink("loop1", "/loop2")
	e.symlink("self", "/self")
	e.symlink("/nowhere", "/dangling")
	e.mkdir("/mnt", 0o755)
	e.mountTmpfs("/mnt", vfs.MountFlags{})
	e.mkdir("/mnt/x", 0o755)
	e.mkdir("/mnt/x/y", 0o755)
	e.symlink("../a", "/mnt/up")
	return e
}

func TestResolve(t *testing.T) {
	e := tree(t)
	chain := ""
	for i := 0; i < 41; i++ {
		name := "/c" + strings.Repeat("x", i)
		next := "/c" + strings.Repeat("x", i+1)
		if i == 40 {
			next = "/a"
		}
		e.symlink(next, name)
		if i == 0 {
			chain = name
		}
	}
	long := strings.Repeat("n", 256)
	tests := []struct {
		path   string
		follow bool
		want   string // path of the expected file (no symlinks), or ""
		err    linux.Errno
	}{
		{path: "/a/b/file", follow: true, want: "/a/b/file"},
		{path: "a/b/file", follow: true, want: "/a/b/file"},
		{path: "//a///b//file", follow: true, want: "/a/b/file"},
		{path: "/a/./b/../b/file", follow: true, want: "/a/b/file"},
		{path: "/a/abs/file", follow: true, want: "/a/b/file"},
		{path: "/a/rel/file", follow: true, want: "/a/b/file"},
		{path: "/a/dotdot/file", follow: true, want: "/a/b/file"},
		{path: "/a/b/flink", follow: true, want: "/a/b/file"},
		{path: "/a/abs", follow: true, want: "/a/b"},
		{path: "/a/abs/", follow: false, want: "/a/b"},
		{path: "/a/rel/.", follow: false, want: "/a/b"},
		{path: "/", follow: true, want: "/"},
		{path: "/..", follow: true, want: "/"},
		{path: "/../../a", follow: true, want: "/a"},
		{path: "/mnt/x/../..", follow: true, want: "/"},
		{path: "/mnt/..", follow: true, want: "/"},
		{path: "/mnt/up/b/file", follow: true, want: "/a/b/file"},
		{path: "/mnt/x/y/../../../a", follow: true, want: "/a"},
		{path: "/a/b/file/", follow: true, err: linux.ENOTDIR},
		{path: "/a/b/file/.", follow: true, err: linux.ENOTDIR},
		{path: "/a/b/file/x", follow: true, err: linux.ENOTDIR},
		{path: "/a/b/flink/", follow: false, err: linux.ENOTDIR},
		{path: "/a/b/nope", follow: true, err: linux.ENOENT},
		{path: "/nope/x", follow: true, err: linux.ENOENT},
		{path: "", follow: true, err: linux.ENOENT},
		{path: "/dangling", follow: true, err: linux.ENOENT},
		{path: "/loop1", follow: true, err: linux.ELOOP},
		{path: "/loop1/x", follow: false, err: linux.ELOOP},
		{path: "/self", follow: true, err: linux.ELOOP},
		{path: chain, follow: true, err: linux.ELOOP},
		{path: "/cxx", follow: true, want: "/a"},
		{path: "/" + long, follow: true, err: linux.ENAMETOOLONG},
		{path: "/a/" + long + "/x", follow: true, err: linux.ENAMETOOLONG},
		{path: "/" + strings.Repeat("a/", 2048), follow: true, err: linux.ENAMETOOLONG},
	}
	for _, tc := range tests {
		st, err := e.v.StatAt(rootCtx, e.op(tc.path, tc.follow), linux.STATX_INO)
		if err != tc.err {
			t.Errorf("stat %.40q: got %v, want %v", tc.path, err, tc.err)
			continue
		}
		if err == 0 {
			want := e.stat(tc.want, false)
			if st.Ino != want.Ino || st.DevMinor != want.DevMinor {
				t.Errorf("stat %q: got ino %d dev %d, want %s (ino %d dev %d)", tc.path, st.Ino, st.DevMinor, tc.want, want.Ino, want.DevMinor)
			}
		}
	}
}

func TestLstatSymlink(t *testing.T) {
	e := tree(t)
	for _, p := range []string{"/a/abs", "/loop1", "/dangling"} {
		st := e.stat(p, false)
		if st.Mode&unix.S_IFMT != unix.S_IFLNK {
			t.Errorf("lstat %q: mode %o, want a symlink", p, st.Mode)
		}
	}
	got, err := e.v.ReadlinkAt(rootCtx, e.op("/a/abs", true))
	if err != 0 || got != "/a/b" {
		t.Errorf("readlink: %q, %v", got, err)
	}
	if _, err := e.v.ReadlinkAt(rootCtx, e.op("/a/b", true)); err != linux.EINVAL {
		t.Errorf("readlink of a dir: %v, want EINVAL", err)
	}
}

func TestChrootAndStart(t *testing.T) {
	e := tree(t)
	chroot, err := e.v.GetDentryAt(rootCtx, e.op("/a", true))
	if err != 0 {
		t.Fatal(err)
	}
	b, _ := e.v.GetDentryAt(rootCtx, e.op("/a/b", true))
	tests := []struct {
		start vfs.VirtualDentry
		path  string
		want  string
	}{
		{chroot, "/..", "/a"},
		{chroot, "/b/../../..", "/a"},
		{b, "../../..", "/a"},
		{b, "file", "/a/b/file"},
		{chroot, "/abs", "/a/b"}, // "/a/b" does not exist under the new root
	}
	for _, tc := range tests {
		op := &vfs.PathOp{Root: chroot, Start: tc.start, Path: tc.path, Follow: true}
		st, err := e.v.StatAt(rootCtx, op, linux.STATX_INO)
		if tc.path == "/abs" {
			if err != linux.ENOENT {
				t.Errorf("%q in chroot: %v, want ENOENT", tc.path, err)
			}
			continue
		}
		if err != 0 || st.Ino != e.stat(tc.want, false).Ino {
			t.Errorf("%q in chroot: ino %d err %v, want %s", tc.path, st.Ino, err, tc.want)
		}
	}
	if p, ok := e.v.PathName(chroot, b); p != "/b" || !ok {
		t.Errorf("PathName in chroot = %q %v", p, ok)
	}
	if p, ok := e.v.PathName(b, chroot); ok {
		t.Errorf("PathName above root = %q, reachable", p)
	}
	mx, _ := e.v.GetDentryAt(rootCtx, e.op("/mnt/x/y", true))
	if p, _ := e.v.PathName(e.root, mx); p != "/mnt/x/y" {
		t.Errorf("PathName across mount = %q", p)
	}
}

func TestUmount(t *testing.T) {
	e := newEnv(t)
	e.mkdir("/m", 0o755)
	before := e.stat("/m", true)
	m := e.mountTmpfs("/m", vfs.MountFlags{})
	e.mkdir("/m/inside", 0o755)
	if err := e.v.RmdirAt(rootCtx, e.op("/m", false)); err != linux.EBUSY {
		t.Errorf("rmdir of a mount point: %v, want EBUSY", err)
	}
	if err := e.v.Umount(m); err != 0 {
		t.Fatal(err)
	}
	if st := e.stat("/m", true); st.Ino != before.Ino || st.DevMinor != before.DevMinor {
		t.Errorf("after umount /m is not the old directory")
	}
	if _, err := e.v.StatAt(rootCtx, e.op("/m/inside", true), 0); err != linux.ENOENT {
		t.Errorf("after umount: %v", err)
	}
}
