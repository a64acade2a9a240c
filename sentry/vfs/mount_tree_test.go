package vfs_test

import (
	"testing"

	"moat/sentry/fs/tmpfs"
	"moat/sentry/vfs"
)

// TestMountTrees: a detached tree resolves on its own, its mounts are not
// reachable from the VFS's root nor the root's from it, and releasing it
// detaches them all.
func TestMountTrees(t *testing.T) {
	e := newEnv(t)
	e.mkdir("/data", 0o755)
	e.writeFile("/data/main", "main", 0o644)
	tree := e.v.NewMountTree(tmpfs.New(e.v, tmpfs.Options{RootMode: 0o755}), vfs.MountFlags{})
	te := &env{t: t, v: e.v, root: tree.Root()}
	te.mkdir("/data", 0o755)
	m := te.mountTmpfs("/data", vfs.MountFlags{})
	te.writeFile("/data/tree", "tree", 0o644)
	if got := te.readFile("/data/tree"); got != "tree" {
		t.Errorf("tree's /data/tree = %q", got)
	}
	if _, err := e.v.StatAt(rootCtx, te.op("/data/main", true), 0); err == 0 {
		t.Errorf("the tree sees the root's /data/main")
	}
	if _, err := e.v.StatAt(rootCtx, e.op("/data/tree", true), 0); err == 0 {
		t.Errorf("the root sees the tree's /data/tree")
	}
	if _, ok := e.v.PathName(e.root, m.Root()); ok {
		t.Errorf("the tree's mount is reachable from the VFS's root")
	}
	if p, ok := e.v.PathName(tree.Root(), m.Root()); !ok || p != "/data" {
		t.Errorf("PathName in the tree = %q %v", p, ok)
	}
	if _, err := e.v.StatAt(rootCtx, te.op("/..", true), 0); err != 0 {
		t.Errorf("'..' at the tree's root: %v", err)
	}
	if n := len(e.v.Mounts()); n != 3 {
		t.Errorf("%d mounts, want 3 (root, tree, its /data)", n)
	}
	if got := e.v.ReleaseMountTree(tree); len(got) != 2 || got[1] != tree {
		t.Errorf("ReleaseMountTree = %v", got)
	}
	if n := len(e.v.Mounts()); n != 1 {
		t.Errorf("%d mounts after release, want 1", n)
	}
	if got := e.v.ReleaseMountTree(tree); got != nil {
		t.Errorf("second release = %v", got)
	}
}
