package vfs_test

import (
	"testing"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

func TestResolveFlags(t *testing.T) {
	e := tree(t)
	a, _ := e.v.GetDentryAt(rootCtx, e.op("/a", true))
	tests := []struct {
		start   vfs.VirtualDentry
		path    string
		resolve uint64
		want    string
		err     linux.Errno
	}{
		{a, "b/file", vfs.ResolveBeneath, "/a/b/file", 0},
		{a, "b/../b/file", vfs.ResolveBeneath, "/a/b/file", 0},
		{a, "..", vfs.ResolveBeneath, "", linux.EXDEV},
		{a, "b/../..", vfs.ResolveBeneath, "", linux.EXDEV},
		{a, "/a", vfs.ResolveBeneath, "", linux.EXDEV},
		{a, "abs/file", vfs.ResolveBeneath, "", linux.EXDEV},
		{a, "rel/file", vfs.ResolveBeneath, "/a/b/file", 0},
		{a, "..", vfs.ResolveInRoot, "/a", 0},
		{a, "/b/file", vfs.ResolveInRoot, "/a/b/file", 0},
		{a, "rel/file", vfs.ResolveNoSymlinks, "", linux.ELOOP},
		{a, "b/flink", vfs.ResolveNoSymlinks, "", linux.ELOOP},
		{e.root, "mnt/x", vfs.ResolveNoXdev, "", linux.EXDEV},
		{e.root, "a/b", vfs.ResolveNoXdev, "/a/b", 0},
		{e.root, "a/b/file", vfs.ResolveCached, "/a/b/file", 0},
		{e.root, "a/b/nonexistent", vfs.ResolveCached, "", linux.EAGAIN},
	}
	for _, tc := range tests {
		op := &vfs.PathOp{Root: e.root, Start: tc.start, Path: tc.path, Follow: true, Resolve: tc.resolve}
		st, err := e.v.StatAt(rootCtx, op, 0)
		if err != tc.err {
			t.Errorf("%q resolve %#x: %v, want %v", tc.path, tc.resolve, err, tc.err)
			continue
		}
		if err == 0 && st.Ino != e.stat(tc.want, false).Ino {
			t.Errorf("%q resolve %#x: wrong file", tc.path, tc.resolve)
		}
	}
	// From inside the mount, ".." leaves it.
	mx, _ := e.v.GetDentryAt(rootCtx, e.op("/mnt", true))
	op := &vfs.PathOp{Root: e.root, Start: mx, Path: "..", Resolve: vfs.ResolveNoXdev}
	if _, err := e.v.StatAt(rootCtx, op, 0); err != linux.EXDEV {
		t.Errorf("'..' out of a mount with RESOLVE_NO_XDEV: %v", err)
	}
}
