package gofer

import (
	"testing"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
)

func TestLookup(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{})
	r := attach(t, c)
	names := []string{"file", "missing", "dir", "link", "..", "a/b", "procroot", "fifo"}
	want := []struct {
		err  unix.Errno
		mode uint32
	}{
		{0, unix.S_IFREG}, {unix.ENOENT, 0}, {0, unix.S_IFDIR}, {0, unix.S_IFLNK},
		{unix.EINVAL, 0}, {unix.EINVAL, 0}, {0, unix.S_IFLNK}, {0, unix.S_IFIFO},
	}
	hs, sts, errs, err := c.Lookup(r, names)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if errs[i] != w.err || (w.err == 0 && sts[i].Mode&unix.S_IFMT != w.mode) {
			t.Errorf("%q: errno %v mode %#o, want %v %#o", names[i], errs[i], sts[i].Mode, w.err, w.mode)
		}
		if w.err == 0 {
			if st, err := c.Stat(hs[i]); err != nil || st.Ino != sts[i].Ino {
				t.Errorf("%q: Stat of its handle = %+v, %v", names[i], st, err)
			}
		}
	}
	// A listing plus one Lookup stats a whole directory.
	ents, err := c.Getdents(r)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, e := range ents {
		all = append(all, e.Name)
	}
	_, sts, errs, err = c.Lookup(r, all)
	if err != nil {
		t.Fatal(err)
	}
	for i := range all {
		if errs[i] != 0 || sts[i].Ino != ents[i].Ino {
			t.Errorf("%q: errno %v ino %d, listing says %d", all[i], errs[i], sts[i].Ino, ents[i].Ino)
		}
	}
	f, _ := walk(t, c, r, "file")
	if _, _, _, err := c.Lookup(f, []string{"x"}); err != unix.ENOTDIR {
		t.Errorf("Lookup under a file: %v, want ENOTDIR", err)
	}
	if _, _, _, err := c.Lookup(r, make([]string, proto.MaxWalk+1)); err != unix.EINVAL {
		t.Errorf("Lookup of too many names: %v, want EINVAL", err)
	}
}
