package gofer

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestXattr(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{})
	r := attach(t, c)
	f, _ := walk(t, c, r, "file")
	if err := c.Setxattr(f, "user.moat", []byte("v1"), unix.XATTR_CREATE); err != nil {
		if err == unix.EOPNOTSUPP {
			t.Skip("no user xattrs here")
		}
		t.Fatal(err)
	}
	tests := []struct {
		name string
		op   func() error
		err  unix.Errno
	}{
		{"create again", func() error { return c.Setxattr(f, "user.moat", []byte("x"), unix.XATTR_CREATE) }, unix.EEXIST},
		{"replace", func() error { return c.Setxattr(f, "user.moat", []byte("value2"), unix.XATTR_REPLACE) }, 0},
		{"get", func() error {
			v, err := c.Getxattr(f, "user.moat", 0)
			if err == nil && string(v) != "value2" {
				return unix.EBADMSG
			}
			return err
		}, 0},
		{"get small", func() error { _, err := c.Getxattr(f, "user.moat", 3); return err }, unix.ERANGE},
		{"get missing", func() error { _, err := c.Getxattr(f, "user.none", 0); return err }, unix.ENODATA},
		{"list", func() error {
			names, err := c.Listxattr(f)
			if err == nil && (len(names) != 1 || names[0] != "user.moat") {
				return unix.EBADMSG
			}
			return err
		}, 0},
		{"trusted", func() error { return c.Setxattr(f, "trusted.x", []byte("1"), 0) }, unix.EOPNOTSUPP},
		{"security", func() error { _, err := c.Getxattr(f, "security.capability", 0); return err }, unix.EOPNOTSUPP},
		{"remove", func() error { return c.Removexattr(f, "user.moat") }, 0},
		{"remove again", func() error { return c.Removexattr(f, "user.moat") }, unix.ENODATA},
	}
	for _, tt := range tests {
		if err := tt.op(); !errIs(err, tt.err) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.err)
		}
	}
}
