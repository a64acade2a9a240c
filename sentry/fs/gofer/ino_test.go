package gofer

import (
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/vfs"
)

func TestSentryIno(t *testing.T) {
	fs := &Filesystem{rootDev: 10}
	for _, tc := range []struct {
		dev, ino, want uint64
	}{
		{10, 5, 5},                // the root's device: the host's number
		{11, 5, maxIno},           // another device: allocated
		{12, 5, maxIno - 1},       // a third one
		{11, 5, maxIno},           // stable
		{11, 6, maxIno - 2},       // distinct
		{10, maxIno, maxIno},      // (documented limit)
		{10, 1 << 40, 1 << 40},    // large numbers on the root's device
		{12, 1 << 40, maxIno - 3}, // and on others
	} {
		if got := fs.sentryIno(tc.dev, tc.ino); got != tc.want {
			t.Errorf("sentryIno(%d, %d) = %#x, want %#x", tc.dev, tc.ino, got, tc.want)
		}
	}
}

// TestDirentIno: getdents reports the inode numbers stat does.
func TestDirentIno(t *testing.T) {
	for _, ro := range []bool{true, false} {
		e := newEnv(t, ro)
		fd := e.open("dir", unix.O_RDONLY|unix.O_DIRECTORY, 0)
		var ents []vfs.Dirent
		fd.Getdents(rootCtx, func(d vfs.Dirent) bool { ents = append(ents, d); return true })
		fd.DecRef()
		for _, d := range ents {
			st, err := e.stat("dir/"+d.Name, false)
			if err != 0 || st.Ino != d.Ino {
				t.Errorf("ro=%v: %q: dirent ino %d, stat ino %d (%v)", ro, d.Name, d.Ino, st.Ino, err)
			}
		}
	}
}
