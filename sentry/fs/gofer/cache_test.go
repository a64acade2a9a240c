package gofer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
	"moat/sentry/abi/linux"
)

// TestCachedNoRoundTrip proves what a read-only file system serves
// without the gofer: once warm, the same operations keep working after the
// connection is gone, while anything uncached fails with EIO.
func TestCachedNoRoundTrip(t *testing.T) {
	e := newEnv(t, true)
	ops := []struct {
		name string
		do   func() linux.Errno
	}{
		{"stat", func() linux.Errno { _, err := e.stat("dir/sub", true); return err }},
		{"stat through symlinks", func() linux.Errno { _, err := e.stat("dirlink/sub", true); return err }},
		{"stat missing", func() linux.Errno {
			return want(func() linux.Errno { _, err := e.stat("dir/nope", true); return err }(), linux.ENOENT)
		}},
		{"open+read+close", func() linux.Errno {
			if got := e.readFile("link"); got != "hello" {
				return linux.EIO
			}
			return 0
		}},
		{"readlink", func() linux.Errno { _, err := e.v.ReadlinkAt(rootCtx, e.op("abs", false)); return err }},
		{"getdents", func() linux.Errno {
			if n := len(e.names("dir")); n != 4 {
				t.Errorf("getdents dir: %d entries", n)
			}
			return 0
		}},
		{"access", func() linux.Errno { return e.v.AccessAt(rootCtx, e.op("file", true), 4) }},
	}
	for _, o := range ops {
		if err := o.do(); err != 0 {
			t.Fatalf("warm %s: %v", o.name, err)
		}
	}
	e.client.Close()
	for _, o := range ops {
		if err := o.do(); err != 0 {
			t.Errorf("%s without the gofer: %v", o.name, err)
		}
	}
	if _, err := e.stat("dir/inner", true); err != linux.EIO {
		t.Errorf("uncached stat without the gofer: %v, want EIO", err)
	}
}

// TestWritableStatsAfresh: a writable file system asks the host on every
// stat but the one right after the walk, by fstat of a host descriptor for
// files and directories (opened by the second stat, or by an open), by a
// gofer Stat for anything else.
func TestWritableStatsAfresh(t *testing.T) {
	e := newEnv(t, false)
	e.fs.freshWindow = time.Hour // however slow the machine
	fd := e.open("file", unix.O_RDONLY, 0)
	defer fd.DecRef()
	for _, p := range []string{"dir", "dir/sub", "link"} {
		if _, err := e.stat(p, false); err != 0 {
			t.Fatalf("stat %q: %v", p, err)
		}
		vd, _ := e.v.GetDentryAt(rootCtx, e.op(p, false))
		if r := vd.Dentry().Inode().(goferInode).base().res; r.readFD >= 0 && p != "file" {
			t.Errorf("the first stat of %q opened a descriptor", p)
		}
		if _, err := e.stat(p, false); err != 0 {
			t.Fatalf("second stat %q: %v", p, err)
		}
	}
	e.client.Close()
	for _, tc := range []struct {
		path string
		err  linux.Errno
	}{
		{"file", 0},
		{"dir", 0},
		{"dir/sub", 0},
		{"link", linux.EIO},      // no descriptor for a symlink
		{"dir/inner", linux.EIO}, // never stat'ed
	} {
		if _, err := e.stat(tc.path, false); err != tc.err {
			t.Errorf("stat %q without the gofer: %v, want %v", tc.path, err, tc.err)
		}
	}
}

// TestHandleRelease: once an unlinked inode is unreachable, its handle is
// closed on the gofer.
func TestHandleRelease(t *testing.T) {
	e := newEnv(t, false)
	h := makeAndDrop(t, e)
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		_, err := e.client.Stat(h)
		if errors.Is(err, unix.EBADF) {
			break
		}
		if err != nil {
			t.Fatalf("stat of the dropped handle: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatal("handle of a dropped inode still open")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := e.fs.pendingCloses(); n != 0 {
		t.Errorf("%d closes pending", n)
	}
}

// makeAndDrop creates, opens, closes and unlinks a file and returns its
// inode's handle; nothing refers to the inode afterwards.
func makeAndDrop(t *testing.T, e *env) proto.Handle {
	fd := e.open("tmp", unix.O_CREAT|unix.O_RDWR, 0o644)
	h := fd.Dentry().Inode().(*regularInode).res.h
	fd.DecRef()
	if err := e.v.UnlinkAt(rootCtx, e.op("tmp", false)); err != 0 {
		t.Fatalf("unlink: %v", err)
	}
	return h
}

// TestIdleFiles: closed files keep their host descriptors only while they
// are among the MaxIdleFiles most recently closed.
func TestIdleFiles(t *testing.T) {
	e := newEnvOpts(t, makeTree(t), Options{ReadOnly: true, MaxIdleFiles: 1})
	res := func(path string) *hostRes {
		vd, err := e.v.GetDentryAt(rootCtx, e.op(path, true))
		if err != 0 {
			t.Fatalf("lookup %q: %v", path, err)
		}
		return vd.Dentry().Inode().(*regularInode).res
	}
	fds := func(r *hostRes) int {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.readFD
	}
	a := e.open("file", unix.O_RDONLY, 0)
	b := e.open("dir/sub", unix.O_RDONLY, 0)
	a.DecRef()
	if fds(res("file")) < 0 {
		t.Error("the only idle file lost its descriptor")
	}
	b.DecRef()
	if fds(res("file")) >= 0 {
		t.Error("the older idle file kept its descriptor")
	}
	if fds(res("dir/sub")) < 0 {
		t.Error("the youngest idle file lost its descriptor")
	}
	// Open files are never evicted, and an evicted one reopens.
	b = e.open("dir/sub", unix.O_RDONLY, 0)
	defer b.DecRef()
	if got := e.readFile("file"); got != "hello" {
		t.Errorf("reopened file reads %q", got)
	}
	if fds(res("dir/sub")) < 0 {
		t.Error("an open file lost its descriptor")
	}
	buf := make([]byte, 3)
	if n, err := b.PRead(rootCtx, buf, 0); err != 0 || string(buf[:n]) != "sub" {
		t.Errorf("read of the open file: %q %v", buf[:n], err)
	}
}

// TestConcurrentIdle opens, reads and closes files from many goroutines
// with a tiny idle list, so descriptors are evicted and reopened while
// others are in use; every read must see its own file.
func TestConcurrentIdle(t *testing.T) {
	host := makeTree(t)
	const files = 6
	for i := range files {
		if err := os.WriteFile(filepath.Join(host, fmt.Sprint("f", i)), []byte(fmt.Sprint("content ", i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, ro := range []bool{true, false} {
		e := newEnvOpts(t, host, Options{ReadOnly: ro, MaxIdleFiles: 2})
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, 64)
				for j := range 100 {
					i := (g + j) % files
					fd, err := e.v.OpenAt(rootCtx, e.op(fmt.Sprint("f", i), true), unix.O_RDONLY, 0)
					if err != 0 {
						t.Errorf("open: %v", err)
						return
					}
					n, err := fd.PRead(rootCtx, buf, 0)
					if want := fmt.Sprint("content ", i); err != 0 || string(buf[:n]) != want {
						t.Errorf("ro=%v: f%d reads %q %v", ro, i, buf[:n], err)
					}
					if !ro && j%10 == 0 {
						e.stat(fmt.Sprint("f", i), true)
					}
					fd.DecRef()
				}
			}()
		}
		wg.Wait()
		e.fs.idleMu.Lock()
		n := 0
		for r := e.fs.idleHead; r != nil; r = r.idleNext {
			n++
		}
		if n != e.fs.idleLen || n > 2 {
			t.Errorf("ro=%v: idle list has %d entries, length %d", ro, n, e.fs.idleLen)
		}
		e.fs.idleMu.Unlock()
	}
}
