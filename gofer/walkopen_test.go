package gofer

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestWalkOpen(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{})
	ro := serve(t, root, Config{ReadOnly: true})
	r := attach(t, c)
	ror := attach(t, ro)
	d, _ := walk(t, c, r, "dir")
	tests := []struct {
		name   string
		ro     bool
		dir    bool // from "dir" rather than the root
		flags  int
		err    unix.Errno
		mode   uint32 // type of the node
		opened bool
		read   string
	}{
		{name: "file", flags: unix.O_RDONLY, mode: unix.S_IFREG, opened: true, read: "hello"},
		{name: "sub", dir: true, flags: unix.O_RDWR, mode: unix.S_IFREG, opened: true, read: "sub"},
		{name: "dir", flags: unix.O_RDONLY | unix.O_DIRECTORY, mode: unix.S_IFDIR, opened: true},
		{name: "link", flags: unix.O_RDONLY, mode: unix.S_IFLNK},
		{name: "procroot", flags: unix.O_RDONLY, mode: unix.S_IFLNK},
		{name: "missing", flags: unix.O_RDONLY, err: unix.ENOENT},
		{name: "dir", flags: unix.O_RDWR, err: unix.EISDIR},
		{name: "..", flags: unix.O_RDONLY, err: unix.EINVAL},
		{name: "dir/sub", flags: unix.O_RDONLY, err: unix.EINVAL},
		{name: "file", flags: unix.O_RDONLY | unix.O_CREAT, err: unix.EINVAL},
		{name: "file", ro: true, flags: unix.O_WRONLY, err: unix.EROFS},
		{name: "file", ro: true, flags: unix.O_RDONLY, mode: unix.S_IFREG, opened: true, read: "hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl, from := c, r
			if tt.ro {
				cl, from = ro, ror
			}
			if tt.dir {
				from = d
			}
			h, st, fd, err := cl.WalkOpen(from, tt.name, tt.flags)
			if !errIs(err, tt.err) {
				t.Fatalf("WalkOpen = %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			defer cl.CloseHandle(h)
			if st.Mode&unix.S_IFMT != tt.mode {
				t.Fatalf("mode %#o, want type %#o", st.Mode, tt.mode)
			}
			if (fd >= 0) != tt.opened {
				t.Fatalf("fd %d, want opened %v", fd, tt.opened)
			}
			if tt.read != "" {
				if got := readFD(t, fd); got != tt.read {
					t.Fatalf("read %q, want %q", got, tt.read)
				}
			} else if fd >= 0 {
				unix.Close(fd)
			}
			if _, err := cl.Stat(h); err != nil {
				t.Fatalf("Stat of the returned handle: %v", err)
			}
		})
	}
}
