package vfs_test

import (
	"fmt"
	"math/rand"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// TestConcurrentTreeChanges races path walks, creations, renames, unlinks,
// listings and path rendering in a small tree; run with -race. Errors are
// expected (names come and go); crashes, races and broken invariants are
// not.
func TestConcurrentTreeChanges(t *testing.T) {
	e := newEnv(t)
	names := []string{"a", "b", "c", "d"}
	for _, n := range names {
		e.mkdir("/"+n, 0o755)
	}
	path := func(r *rand.Rand) string {
		p := ""
		for i := 0; i < 1+r.Intn(3); i++ {
			p += "/" + names[r.Intn(len(names))]
		}
		return p
	}
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			r := rand.New(rand.NewSource(seed))
			for i := 0; i < 3000; i++ {
				p, q := path(r), path(r)
				switch r.Intn(9) {
				case 0:
					e.v.MkdirAt(rootCtx, e.op(p, false), 0o755)
				case 1:
					e.v.RmdirAt(rootCtx, e.op(p, false))
				case 2:
					e.v.RenameAt(rootCtx, e.op(p, false), e.op(q, false), 0)
				case 3:
					e.v.RenameAt(rootCtx, e.op(p, false), e.op(q, false), unix.RENAME_EXCHANGE)
				case 4:
					if fd, err := e.v.OpenAt(rootCtx, e.op(p+"f", true), unix.O_CREAT|unix.O_RDWR, 0o644); err == 0 {
						fd.Write(rootCtx, []byte("x"))
						fd.DecRef()
					}
				case 5:
					e.v.UnlinkAt(rootCtx, e.op(p+"f", false))
				case 6:
					if vd, err := e.v.GetDentryAt(rootCtx, e.op(p, true)); err == 0 {
						e.v.PathName(e.root, vd)
						e.v.DisplayPath(e.root, vd)
					}
				case 7:
					if fd, err := e.v.OpenAt(rootCtx, e.op(p, true), unix.O_RDONLY|unix.O_DIRECTORY, 0); err == 0 {
						fd.Getdents(rootCtx, func(vfs.Dirent) bool { return true })
						fd.DecRef()
					}
				case 8:
					e.v.StatAt(rootCtx, e.op(p+"/..", true), linux.STATX_BASIC_STATS)
				}
			}
		}(int64(w))
	}
	wg.Wait()
	// Every directory still reachable has a consistent link count and a
	// path that resolves back to it.
	var check func(p string)
	check = func(p string) {
		fd, err := e.v.OpenAt(rootCtx, e.op(p, true), unix.O_RDONLY|unix.O_DIRECTORY, 0)
		if err != 0 {
			t.Fatalf("open %q: %v", p, err)
		}
		subdirs := 0
		var kids []string
		fd.Getdents(rootCtx, func(d vfs.Dirent) bool {
			if d.Name != "." && d.Name != ".." && d.Type == unix.DT_DIR {
				subdirs++
				kids = append(kids, d.Name)
			}
			return true
		})
		vd := fd.VirtualDentry()
		fd.DecRef()
		if got, _ := e.v.PathName(e.root, vd); got != p && !(p == "/" && got == "/") {
			t.Errorf("PathName = %q, want %q", got, p)
		}
		if st := e.stat(p, true); int(st.Nlink) != 2+subdirs {
			t.Errorf("%s: nlink %d with %d subdirectories", p, st.Nlink, subdirs)
		}
		for _, k := range kids {
			if p == "/" {
				check("/" + k)
			} else {
				check(fmt.Sprintf("%s/%s", p, k))
			}
		}
	}
	check("/")
}
