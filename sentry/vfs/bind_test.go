package vfs_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

func TestBindMounts(t *testing.T) {
	e := newEnv(t)
	e.mkdir("/a", 0o755)
	e.mkdir("/a/b", 0o755)
	e.writeFile("/a/b/file", "data", 0o644)
	e.mkdir("/a/b/sub", 0o755)
	e.mountTmpfs("/a/b/sub", vfs.MountFlags{})
	e.writeFile("/a/b/sub/inner", "in", 0o644)
	e.mkdir("/m", 0o755)
	e.mkdir("/r", 0o755)
	e.writeFile("/f2", "", 0o644)
	src, _ := e.v.GetDentryAt(rootCtx, e.op("/a/b", true))
	m, _ := e.v.GetDentryAt(rootCtx, e.op("/m", true))
	r, _ := e.v.GetDentryAt(rootCtx, e.op("/r", true))
	bm, err := e.v.BindMount(src, m, vfs.MountFlags{}, false)
	if err != 0 {
		t.Fatal(err)
	}
	if e.stat("/m/file", true).Ino != e.stat("/a/b/file", true).Ino {
		t.Errorf("bind mount shows another file")
	}
	e.writeFile("/m/new", "x", 0o644)
	if e.readFile("/a/b/new") != "x" {
		t.Errorf("write through the bind not seen at the source")
	}
	if e.stat("/m/..", true).Ino != e.stat("/", true).Ino {
		t.Errorf("'..' of the bind root is not /")
	}
	if _, err := e.v.StatAt(rootCtx, e.op("/m/sub/inner", true), 0); err != linux.ENOENT {
		t.Errorf("non-recursive bind shows a submount: %v", err)
	}
	vd, _ := e.v.GetDentryAt(rootCtx, e.op("/m/file", true))
	if p, _ := e.v.PathName(e.root, vd); p != "/m/file" {
		t.Errorf("PathName through the bind = %q", p)
	}
	if _, err := e.v.BindMount(src, r, vfs.MountFlags{}, true); err != 0 {
		t.Fatal(err)
	}
	if e.readFile("/r/sub/inner") != "in" {
		t.Errorf("recursive bind lost the submount")
	}
	// Remount read-only.
	bm.SetFlags(vfs.MountFlags{ReadOnly: true})
	if err := e.v.MkdirAt(rootCtx, e.op("/m/d", false), 0o755); err != linux.EROFS {
		t.Errorf("mkdir on a read-only bind: %v", err)
	}
	if err := e.v.MkdirAt(rootCtx, e.op("/a/b/d", false), 0o755); err != 0 {
		t.Errorf("the source stays writable: %v", err)
	}
	// File on file.
	fvd, _ := e.v.GetDentryAt(rootCtx, e.op("/f2", true))
	file, _ := e.v.GetDentryAt(rootCtx, e.op("/a/b/file", true))
	if _, err := e.v.BindMount(file, fvd, vfs.MountFlags{}, false); err != 0 {
		t.Fatal(err)
	}
	if e.readFile("/f2") != "data" {
		t.Errorf("file bind")
	}
	if _, err := e.v.BindMount(file, m, vfs.MountFlags{}, false); err != linux.ENOTDIR {
		t.Errorf("file onto directory: %v", err)
	}
	// Unmount the recursive bind as a tree.
	rr, _ := e.v.GetDentryAt(rootCtx, e.op("/r", true))
	if err := e.v.Umount(vfs.MountAtRoot(rr)); err != linux.EBUSY {
		t.Errorf("umount of a mount with submounts: %v", err)
	}
	if err := e.v.UmountTree(vfs.MountAtRoot(rr)); err != 0 {
		t.Fatal(err)
	}
	if _, err := e.v.StatAt(rootCtx, e.op("/r/file", true), 0); err != linux.ENOENT {
		t.Errorf("after umount: %v", err)
	}
	fd, _ := e.v.OpenAt(rootCtx, e.op("/m", true), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	fd.DecRef()
}

// TestRecursiveBindOnItself binds a directory with a submount on itself
// recursively (runc's way of making linux.readonlyPaths read-only): the
// copy of the submount is made once, and the new mounts show the sources
// and roots mountinfo reports.
func TestRecursiveBindOnItself(t *testing.T) {
	e := newEnv(t)
	e.mkdir("/a", 0o755)
	e.mkdir("/a/sub", 0o755)
	e.mountTmpfs("/a/sub", vfs.MountFlags{})
	e.writeFile("/a/sub/inner", "in", 0o644)
	before := len(e.v.Mounts())
	a, _ := e.v.GetDentryAt(rootCtx, e.op("/a", true))
	a.Mount().SetSource("srv", "/host/srv")
	m, err := e.v.BindMount(a, a, vfs.MountFlags{ReadOnly: true}, true)
	if err != 0 {
		t.Fatal(err)
	}
	if n := len(e.v.Mounts()) - before; n != 2 {
		t.Errorf("%d mounts made, want 2 (the bind and its submount)", n)
	}
	if e.readFile("/a/sub/inner") != "in" {
		t.Errorf("submount lost under the bind")
	}
	if err := e.v.MkdirAt(rootCtx, e.op("/a/d", false), 0o755); err != linux.EROFS {
		t.Errorf("mkdir under the read-only bind: %v", err)
	}
	if m.Source() != "srv" || m.RootPath() != "/host/srv/a" {
		t.Errorf("bind source %q root %q, want srv /host/srv/a", m.Source(), m.RootPath())
	}
}

// TestNoDevMount checks that a device node on a nodev mount does not open.
func TestNoDevMount(t *testing.T) {
	e := newEnv(t)
	e.mkdir("/d", 0o755)
	e.mountTmpfs("/d", vfs.MountFlags{NoDev: true})
	if err := e.v.MknodAt(rootCtx, e.op("/d/null", false), unix.S_IFCHR|0o666, linux.MakeDev(1, 3)); err != 0 {
		t.Fatal(err)
	}
	if _, err := e.v.OpenAt(rootCtx, e.op("/d/null", true), unix.O_RDONLY, 0); err != linux.EACCES {
		t.Errorf("open of a device on a nodev mount: %v, want EACCES", err)
	}
}
