package vfs_test

import (
	"testing"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

func TestXattr(t *testing.T) {
	e := newEnv(t)
	e.writeFile("/f", "x", 0o644)
	e.mkdir("/d", 0o1777)
	e.symlink("f", "/l")
	e.mkdir("/ro", 0o755)
	e.mountTmpfs("/ro", vfs.MountFlags{ReadOnly: true})
	get := func(path string) vfs.VirtualDentry {
		vd, err := e.v.GetDentryAt(rootCtx, e.op(path, false))
		if err != 0 {
			t.Fatal(err)
		}
		return vd
	}
	f, d, l, ro := get("/f"), get("/d"), get("/l"), get("/ro")
	user := userCtx(1000, 1000)
	tests := []struct {
		name string
		do   func() linux.Errno
		want linux.Errno
	}{
		{"set user.a", func() linux.Errno { return vfs.SetXattr(rootCtx, f, "user.a", []byte("1"), 0) }, 0},
		{"create existing", func() linux.Errno { return vfs.SetXattr(rootCtx, f, "user.a", []byte("2"), vfs.XattrCreate) }, linux.EEXIST},
		{"replace missing", func() linux.Errno { return vfs.SetXattr(rootCtx, f, "user.b", []byte("2"), vfs.XattrReplace) }, linux.ENODATA},
		{"bad flags", func() linux.Errno { return vfs.SetXattr(rootCtx, f, "user.b", nil, 4) }, linux.EINVAL},
		{"no namespace", func() linux.Errno { return vfs.SetXattr(rootCtx, f, "plain", nil, 0) }, linux.EOPNOTSUPP},
		{"system acl", func() linux.Errno { return vfs.SetXattr(rootCtx, f, "system.posix_acl_access", nil, 0) }, linux.EOPNOTSUPP},
		{"empty name", func() linux.Errno { return vfs.SetXattr(rootCtx, f, "", nil, 0) }, linux.ERANGE},
		{"too big", func() linux.Errno { return vfs.SetXattr(rootCtx, f, "user.big", make([]byte, vfs.XattrSizeMax+1), 0) }, linux.E2BIG},
		{"user xattr on symlink", func() linux.Errno { return vfs.SetXattr(rootCtx, l, "user.a", nil, 0) }, linux.EPERM},
		{"trusted as user", func() linux.Errno { return vfs.SetXattr(user, f, "trusted.a", nil, 0) }, linux.EPERM},
		{"trusted as root", func() linux.Errno { return vfs.SetXattr(rootCtx, f, "trusted.a", []byte("t"), 0) }, 0},
		{"user without write", func() linux.Errno { return vfs.SetXattr(user, f, "user.c", nil, 0) }, linux.EACCES},
		{"sticky dir, not owner", func() linux.Errno { return vfs.SetXattr(user, d, "user.c", nil, 0) }, linux.EPERM},
		{"read-only mount", func() linux.Errno { return vfs.SetXattr(rootCtx, ro, "user.c", nil, 0) }, linux.EROFS},
		{"remove missing", func() linux.Errno { return vfs.RemoveXattr(rootCtx, f, "user.zz") }, linux.ENODATA},
		{"get trusted as user", func() linux.Errno { _, err := vfs.GetXattr(user, f, "trusted.a"); return err }, linux.ENODATA},
	}
	for _, tc := range tests {
		if got := tc.do(); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if v, err := vfs.GetXattr(user, f, "user.a"); err != 0 || string(v) != "1" {
		t.Errorf("get user.a: %q %v", v, err)
	}
	if names, _ := vfs.ListXattr(rootCtx, f); len(names) != 2 {
		t.Errorf("root lists %q", names)
	}
	if names, _ := vfs.ListXattr(user, f); len(names) != 1 || names[0] != "user.a" {
		t.Errorf("user lists %q", names)
	}
	if err := vfs.RemoveXattr(rootCtx, f, "user.a"); err != 0 {
		t.Fatal(err)
	}
	if _, err := vfs.GetXattr(rootCtx, f, "user.a"); err != linux.ENODATA {
		t.Errorf("after remove: %v", err)
	}
}
