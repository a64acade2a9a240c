package vfs_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/fs/tmpfs"
	"moat/sentry/vfs"
)

// TestOpenUnlinked builds a memfd the way memfd_create does.
func TestOpenUnlinked(t *testing.T) {
	e := newEnv(t)
	made := 0
	newFS := func() *vfs.Filesystem { made++; return tmpfs.New(e.v, tmpfs.Options{}) }
	m := e.v.AnonymousMount("memfd", newFS)
	if e.v.AnonymousMount("memfd", newFS) != m || made != 1 {
		t.Fatalf("AnonymousMount made %d file systems", made)
	}
	dir := m.Root().Dentry().Inode()
	inode, err := dir.Create(rootCtx, "tmp", vfs.CreateOptions{Mode: 0o777})
	if err != 0 {
		t.Fatal(err)
	}
	fd, err := e.v.OpenUnlinked(rootCtx, m, inode, "memfd:buf", unix.O_RDWR)
	if err != 0 {
		t.Fatal(err)
	}
	defer fd.DecRef()
	if err := dir.Unlink(rootCtx, "tmp", inode); err != 0 {
		t.Fatal(err)
	}
	if n, err := fd.Write(rootCtx, []byte("data")); n != 4 || err != 0 {
		t.Fatalf("write: %d %v", n, err)
	}
	if _, ok := fd.HostFD(); !ok {
		t.Errorf("no host fd")
	}
	if p := e.v.DisplayPath(e.root, fd.VirtualDentry()); p != "/memfd:buf (deleted)" {
		t.Errorf("DisplayPath = %q", p)
	}
	st, _ := fd.Stat(rootCtx, 0)
	if st.Nlink != 0 || st.Size != 4 {
		t.Errorf("stat: nlink %d size %d", st.Nlink, st.Size)
	}
}
