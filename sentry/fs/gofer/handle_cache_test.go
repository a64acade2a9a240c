package gofer

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// bigTree adds dirs d0..d(nd-1), each with nf files and a symlink, to a
// test tree.
func bigTree(t *testing.T, nd, nf int) string {
	host := makeTree(t)
	for d := range nd {
		dir := filepath.Join(host, fmt.Sprint("d", d))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for f := range nf {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprint("f", f)), []byte(fmt.Sprint(d, "/", f)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Symlink("f0", filepath.Join(dir, "l")); err != nil {
			t.Fatal(err)
		}
	}
	return host
}

// openFDs counts this process's descriptors: the in-process gofer holds
// one per handle.
func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// settle waits until queued handle closes have reached the gofer.
func (e *env) settle(t *testing.T) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		e.fs.closeMu.Lock()
		busy := e.fs.flushing || len(e.fs.closeQueue) > 0
		e.fs.closeMu.Unlock()
		if !busy {
			// One more round trip: the gofer has handled the Close.
			e.client.Stat(e.fs.root.base().res.h)
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("handle closes never sent")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestHandleCache: a read-only file system keeps at most MaxHandles
// handles for a walk over many files, and walks to a node again when it
// needs a dropped handle.
func TestHandleCache(t *testing.T) {
	const nd, nf, max = 10, 40, 16
	e := newEnvOpts(t, bigTree(t, nd, nf), Options{ReadOnly: true, MaxHandles: max, MaxIdleFiles: 4})
	before := openFDs(t)
	for d := range nd {
		for f := range nf {
			if _, err := e.stat(fmt.Sprint("d", d, "/f", f), false); err != 0 {
				t.Fatalf("stat: %v", err)
			}
		}
	}
	e.settle(t)
	if grew := openFDs(t) - before; grew > max+4 {
		t.Errorf("the gofer holds %d more descriptors after %d stats; want at most about %d", grew, nd*nf, max)
	}
	if e.fs.hLen > max {
		t.Errorf("handle list has %d entries, max %d", e.fs.hLen, max)
	}
	// Every operation that needs a handle gets one back.
	for d := range nd {
		dir := fmt.Sprint("d", d)
		if got, want := e.readFile(dir+"/f3"), fmt.Sprint(d, "/3"); got != want {
			t.Errorf("read %s/f3 = %q, want %q", dir, got, want)
		}
		if got, err := e.v.ReadlinkAt(rootCtx, e.op(dir+"/l", false)); got != "f0" || err != 0 {
			t.Errorf("readlink %s/l = %q %v", dir, got, err)
		}
		if n := len(e.names(dir)); n != nf+3 {
			t.Errorf("getdents %s: %d entries", dir, n)
		}
		if _, err := e.stat(dir+"/new", false); err != linux.ENOENT {
			t.Errorf("stat %s/new: %v", dir, err)
		}
	}
	e.settle(t)
	if grew := openFDs(t) - before; grew > max+4+4 {
		t.Errorf("the gofer and the idle files hold %d more descriptors; want at most about %d", grew, max+4)
	}
}

// TestHandleCacheStale: a node replaced on the host under a read-only
// mount is not silently swapped for another when its handle comes back.
func TestHandleCacheStale(t *testing.T) {
	host := bigTree(t, 1, 4)
	e := newEnvOpts(t, host, Options{ReadOnly: true, MaxHandles: 1})
	for f := range 4 {
		e.stat(fmt.Sprint("d0/f", f), false)
	}
	// d0/f0's handle is gone; replace the file behind it (made before the
	// old one goes, so it cannot get the old inode number).
	p := filepath.Join(host, "d0", "f0")
	if err := os.WriteFile(p+".new", []byte("other"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(p+".new", p); err != nil {
		t.Fatal(err)
	}
	if _, err := e.v.OpenAt(rootCtx, e.op("d0/f0", true), unix.O_RDONLY, 0); err != linux.ESTALE {
		t.Errorf("open of a replaced file: %v, want ESTALE", err)
	}
}

// TestHandleCacheWritable: a writable file system bounds handles too, and
// the names its inodes remember follow the sandbox's renames and removals.
func TestHandleCacheWritable(t *testing.T) {
	const nd, nf, max = 4, 30, 8
	e := newEnvOpts(t, bigTree(t, nd, nf), Options{MaxHandles: max, MaxIdleFiles: 2})
	ctx := rootCtx
	before := openFDs(t)
	for d := range nd {
		for f := range nf {
			if _, err := e.stat(fmt.Sprint("d", d, "/f", f), false); err != 0 {
				t.Fatalf("stat: %v", err)
			}
		}
	}
	e.settle(t)
	// Each stat also keeps an O_RDONLY descriptor while idle (2 here).
	if grew := openFDs(t) - before; grew > max+2+4 {
		t.Errorf("%d more descriptors after %d stats; want at most about %d", grew, nd*nf, max+2)
	}

	// An open file whose name goes keeps its handle: fchmod still works.
	fd := e.open("d0/f1", unix.O_RDWR, 0)
	defer fd.DecRef()
	if err := e.v.UnlinkAt(ctx, e.op("d0/f1", false)); err != 0 {
		t.Fatalf("unlink: %v", err)
	}
	for f := range nf { // push every other handle out
		e.stat(fmt.Sprint("d1/f", f), false)
	}
	if err := fd.SetStat(ctx, &vfs.SetStatOptions{Mask: linux.STATX_MODE, Mode: 0o600}); err != 0 {
		t.Errorf("fchmod of an unlinked file: %v", err)
	}

	// Renamed directories and files are walked to by their new names.
	if err := e.v.RenameAt(ctx, e.op("d0", false), e.op("moved", false), 0); err != 0 {
		t.Fatalf("rename dir: %v", err)
	}
	if err := e.v.RenameAt(ctx, e.op("moved/f2", false), e.op("d2/f2-moved", false), 0); err != 0 {
		t.Fatalf("rename file: %v", err)
	}
	for f := range nf {
		e.stat(fmt.Sprint("d3/f", f), false)
	}
	for _, tc := range []struct{ path, want string }{
		{"moved/f3", "0/3"},
		{"d2/f2-moved", "0/2"},
		{"d1/f5", "1/5"},
	} {
		if got := e.readFile(tc.path); got != tc.want {
			t.Errorf("read %s = %q, want %q", tc.path, got, tc.want)
		}
	}
	// Renaming over a file keeps the replaced one usable through its fd.
	old := e.open("d1/f7", unix.O_RDONLY, 0)
	defer old.DecRef()
	for f := range nf {
		e.stat(fmt.Sprint("d3/f", f), false)
	}
	if err := e.v.RenameAt(ctx, e.op("d1/f8", false), e.op("d1/f7", false), 0); err != 0 {
		t.Fatalf("rename over: %v", err)
	}
	if st, err := old.Stat(ctx, linux.STATX_NLINK); err != 0 || st.Nlink != 0 {
		t.Errorf("stat of the replaced file: nlink %d %v", st.Nlink, err)
	}
	if got := e.readFile("d1/f7"); got != "1/8" {
		t.Errorf("read d1/f7 after rename over = %q", got)
	}
	// A node the host moved away is not confused with another.
	for f := range nf {
		e.stat(fmt.Sprint("d3/f", f), false)
	}
	if err := os.Rename(e.hostPath("d2/f9"), e.hostPath("d2/f9-host")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.hostPath("d2/f9"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.v.OpenAt(ctx, e.op("d2/f9", true), unix.O_RDONLY, 0); err != linux.ESTALE {
		t.Errorf("open of a node the host replaced: %v, want ESTALE", err)
	}
}

// TestHandleCacheStaleDir: a directory the host replaced is not walked
// into, even as an ancestor of the node wanted.
func TestHandleCacheStaleDir(t *testing.T) {
	host := bigTree(t, 2, 2)
	e := newEnvOpts(t, host, Options{MaxHandles: 1, MaxIdleFiles: -1})
	for _, p := range []string{"d0/f0", "d0/f1", "d1/f0", "d1/f1"} {
		e.stat(p, false)
	}
	// d0 and its files have no handle now; swap d0 for d1 on the host.
	if err := os.WriteFile(filepath.Join(host, "d1", "only-in-d1"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(host, "d0"), filepath.Join(host, "d0-old")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(host, "d1"), filepath.Join(host, "d0")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.v.OpenAt(rootCtx, e.op("d0/f0", true), unix.O_RDONLY, 0); err != linux.ESTALE {
		t.Errorf("open under a replaced directory: %v, want ESTALE", err)
	}
	if _, err := e.stat("d0/only-in-d1", false); err != linux.ESTALE {
		t.Errorf("lookup in a replaced directory: %v, want ESTALE", err)
	}
}

// TestHandleCacheConcurrent works a tiny handle cache from many
// goroutines: no operation may ever see a dropped handle.
func TestHandleCacheConcurrent(t *testing.T) {
	const nd, nf = 4, 8
	host := bigTree(t, nd, nf)
	for _, ro := range []bool{true, false} {
		e := newEnvOpts(t, host, Options{ReadOnly: ro, MaxHandles: 2, MaxIdleFiles: 1, MaxNegative: -1})
		var wg sync.WaitGroup
		for g := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range 60 {
					d, f := (g+j)%nd, (g*7+j)%nf
					dir := fmt.Sprint("d", d)
					var err linux.Errno
					switch j % 5 {
					case 0:
						_, err = e.stat(fmt.Sprint(dir, "/f", f), false)
					case 1:
						// Not e.readFile: it may not fail the test from
						// this goroutine.
						var fd *vfs.FileDescription
						if fd, err = e.v.OpenAt(rootCtx, e.op(fmt.Sprint(dir, "/f", f), true), unix.O_RDONLY, 0); err == 0 {
							buf := make([]byte, 16)
							n, _ := fd.PRead(rootCtx, buf, 0)
							if got, want := string(buf[:n]), fmt.Sprint(d, "/", f); got != want {
								t.Errorf("ro=%v: read %s/f%d = %q", ro, dir, f, got)
							}
							fd.DecRef()
						}
					case 2:
						_, err = e.v.ReadlinkAt(rootCtx, e.op(dir+"/l", false))
					case 3:
						_, err = e.stat(dir+"/missing", false)
						if err == linux.ENOENT {
							err = 0
						}
					case 4:
						_, err = e.stat(dir, false)
					}
					if err != 0 {
						t.Errorf("ro=%v: op %d on %s: %v", ro, j%5, dir, err)
					}
				}
			}()
		}
		wg.Wait()
	}
}
