package gofer

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
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
			e.client.Stat(e.fs.root.res.h)
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
