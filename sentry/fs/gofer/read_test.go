package gofer

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

func TestLookupStat(t *testing.T) {
	for _, ro := range []bool{true, false} {
		e := newEnv(t, ro)
		for _, tc := range []struct {
			path   string
			follow bool
			host   string // host path whose lstat must match; "" for an error
			err    linux.Errno
		}{
			{path: "file", host: "file"},
			{path: "/file", host: "file"},
			{path: "dir", host: "dir"},
			{path: "dir/", host: "dir"},
			{path: "dir/sub", host: "dir/sub"},
			{path: "dir/inner/..//sub", host: "dir/sub"},
			{path: "../../file", host: "file"},
			{path: "link", host: "link"},
			{path: "link", follow: true, host: "file"},
			{path: "dirlink/sub", host: "dir/sub"},
			{path: "abs", follow: true, host: "dir/sub"},
			{path: "fifo", host: "fifo"},
			{path: "sock", host: "sock"},
			{path: "null", host: "null"},
			{path: "missing", err: linux.ENOENT},
			{path: "missing", err: linux.ENOENT}, // negative cache on ro
			{path: "dir/missing/x", err: linux.ENOENT},
			{path: "file/x", err: linux.ENOTDIR},
			{path: "file/", err: linux.ENOTDIR},
			{path: "loop", follow: true, err: linux.ELOOP},
		} {
			st, err := e.stat(tc.path, tc.follow)
			if err != tc.err {
				t.Errorf("ro=%v: stat(%q, follow=%v) = %v, want %v", ro, tc.path, tc.follow, err, tc.err)
				continue
			}
			if err != 0 {
				continue
			}
			h := e.hostLstat(tc.host)
			if st.Ino != h.Ino || uint32(st.Mode) != h.Mode || uint64(st.Size) != uint64(h.Size) ||
				st.UID != h.Uid || st.GID != h.Gid || uint64(st.Nlink) != uint64(h.Nlink) ||
				st.Mtime.Sec != h.Mtim.Sec || int64(st.Mtime.Nsec) != h.Mtim.Nsec {
				t.Errorf("ro=%v: stat(%q) = %+v, host %+v", ro, tc.path, st, h)
			}
			if st.DevMinor != e.fs.vfsfs.DevMinor() {
				t.Errorf("ro=%v: stat(%q) dev minor %d, want the file system's %d", ro, tc.path, st.DevMinor, e.fs.vfsfs.DevMinor())
			}
			if h.Mode&unix.S_IFMT == unix.S_IFCHR && (st.RdevMajor != 1 || st.RdevMinor != 3) {
				t.Errorf("ro=%v: stat(%q) rdev %d:%d, want 1:3", ro, tc.path, st.RdevMajor, st.RdevMinor)
			}
		}
	}
}

func TestReadSeek(t *testing.T) {
	for _, ro := range []bool{true, false} {
		e := newEnv(t, ro)
		if got := e.readFile("file"); got != "hello" {
			t.Errorf("ro=%v: read file = %q", ro, got)
		}
		if got := e.readFile("link"); got != "hello" {
			t.Errorf("ro=%v: read link = %q", ro, got)
		}
		if got := e.readFile("abs"); got != "sub" {
			t.Errorf("ro=%v: read abs = %q", ro, got)
		}
		// Two descriptions of one file share a host descriptor but not an
		// offset.
		a := e.open("file", unix.O_RDONLY, 0)
		b := e.open("file", unix.O_RDONLY, 0)
		buf := make([]byte, 2)
		a.Read(rootCtx, buf)
		if n, _ := b.Read(rootCtx, buf); n != 2 || string(buf) != "he" {
			t.Errorf("ro=%v: second description read %q", ro, buf[:n])
		}
		if n, _ := a.Read(rootCtx, buf); n != 2 || string(buf) != "ll" {
			t.Errorf("ro=%v: first description read %q", ro, buf[:n])
		}
		if n, err := a.PRead(rootCtx, buf, 3); n != 2 || err != 0 || string(buf) != "lo" {
			t.Errorf("ro=%v: pread(3) = %d %v %q", ro, n, err, buf[:n])
		}
		if n, err := a.PRead(rootCtx, buf, 10); n != 0 || err != 0 {
			t.Errorf("ro=%v: pread past EOF = %d %v", ro, n, err)
		}
		for _, tc := range []struct {
			off    int64
			whence int32
			want   int64
			err    linux.Errno
		}{
			{0, unix.SEEK_END, 5, 0},
			{-1, unix.SEEK_END, 4, 0},
			{1, unix.SEEK_SET, 1, 0},
			{2, unix.SEEK_CUR, 3, 0},
			{-10, unix.SEEK_CUR, 0, linux.EINVAL},
			{0, unix.SEEK_DATA, 0, 0},
			{0, unix.SEEK_HOLE, 5, 0},
			{5, unix.SEEK_DATA, 0, linux.ENXIO},
		} {
			got, err := a.Seek(rootCtx, tc.off, tc.whence)
			if err != tc.err || (err == 0 && got != tc.want) {
				t.Errorf("ro=%v: seek(%d, %d) = %d %v, want %d %v", ro, tc.off, tc.whence, got, err, tc.want, tc.err)
			}
		}
		if fd, ok := a.HostFD(); !ok || fd != a.Impl().(*regularFile).fd {
			t.Errorf("ro=%v: HostFD = %d %v", ro, fd, ok)
		}
		if a.Impl().(*regularFile).fd != b.Impl().(*regularFile).fd {
			t.Errorf("ro=%v: two read-only opens use two host descriptors", ro)
		}
		if err := a.Sync(rootCtx); err != 0 {
			t.Errorf("ro=%v: fsync = %v", ro, err)
		}
		a.DecRef()
		b.DecRef()
	}
}

func TestMmapHostFD(t *testing.T) {
	e := newEnv(t, true)
	fd := e.open("file", unix.O_RDONLY, 0)
	defer fd.DecRef()
	hfd, ok := fd.HostFD()
	if !ok {
		t.Fatal("no host fd")
	}
	m, err := unix.Mmap(hfd, 0, 4096, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	defer unix.Munmap(m)
	if string(m[:5]) != "hello" {
		t.Errorf("mapped %q", m[:5])
	}
	// A read-only description's descriptor cannot be mapped writable.
	if _, err := unix.Mmap(hfd, 0, 4096, unix.PROT_WRITE, unix.MAP_SHARED); err != unix.EACCES {
		t.Errorf("writable shared mmap of a read-only description: %v, want EACCES", err)
	}
	// O_PATH descriptions have none.
	p := e.open("file", unix.O_PATH, 0)
	defer p.DecRef()
	if _, ok := p.HostFD(); ok {
		t.Error("O_PATH description has a host fd")
	}
}

func TestGetdents(t *testing.T) {
	for _, ro := range []bool{true, false} {
		e := newEnv(t, ro)
		for _, path := range []string{"/", "dir", "dir/inner", "dirlink"} {
			hostPath := path
			if path == "dirlink" {
				hostPath = "dir"
			}
			ents, err := unix.Open(e.hostPath(hostPath), unix.O_RDONLY|unix.O_DIRECTORY, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{".", ".."}
			buf := make([]byte, 8192)
			for {
				n, err := unix.Getdents(ents, buf)
				if err != nil || n == 0 {
					break
				}
				_, _, names := unix.ParseDirent(buf[:n], -1, nil)
				want = append(want, names...)
			}
			unix.Close(ents)
			got := e.names(path)
			slices.Sort(got[2:])
			slices.Sort(want[2:])
			if !slices.Equal(got, want) {
				t.Errorf("ro=%v: getdents(%q) = %q, want %q", ro, path, got, want)
			}
		}
	}
}

func TestGetdentsResume(t *testing.T) {
	e := newEnv(t, false)
	all := e.names("/")
	fd := e.open("/", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	defer fd.DecRef()
	// Take two entries per call, as a small getdents buffer would.
	var got []vfs.Dirent
	for {
		n := 0
		fd.Getdents(rootCtx, func(d vfs.Dirent) bool {
			if n == 2 {
				return false
			}
			n++
			got = append(got, d)
			return true
		})
		if n == 0 {
			break
		}
	}
	var names []string
	for i, d := range got {
		names = append(names, d.Name)
		if d.NextOff != int64(i+1) {
			t.Errorf("entry %d (%q) has NextOff %d", i, d.Name, d.NextOff)
		}
		if d.Name == "dir" && d.Type != unix.DT_DIR || d.Name == "link" && d.Type != unix.DT_LNK || d.Name == "fifo" && d.Type != unix.DT_FIFO {
			t.Errorf("entry %q has type %d", d.Name, d.Type)
		}
	}
	if !slices.Equal(names, all) {
		t.Errorf("resumed listing %q, want %q", names, all)
	}
	// rewinddir lists again and sees a new file.
	if err := unix.Mknod(e.hostPath("new"), unix.S_IFREG|0o644, 0); err != nil {
		t.Fatal(err)
	}
	fd.Seek(rootCtx, 0, unix.SEEK_SET)
	n := 0
	fd.Getdents(rootCtx, func(d vfs.Dirent) bool { n++; return true })
	if n != len(all)+1 {
		t.Errorf("after rewind: %d entries, want %d", n, len(all)+1)
	}
	if _, err := fd.Read(rootCtx, make([]byte, 1)); err != linux.EISDIR {
		t.Errorf("read of a directory: %v, want EISDIR", err)
	}
}

func TestReadlink(t *testing.T) {
	for _, ro := range []bool{true, false} {
		e := newEnv(t, ro)
		for _, tc := range []struct {
			path, want string
			err        linux.Errno
		}{
			{"link", "file", 0},
			{"abs", "/dir/sub", 0},
			{"dirlink", "dir", 0},
			{"file", "", linux.EINVAL},
			{"missing", "", linux.ENOENT},
		} {
			for range 2 { // the second comes from the cache
				got, err := e.v.ReadlinkAt(rootCtx, e.op(tc.path, false))
				if got != tc.want || err != tc.err {
					t.Errorf("ro=%v: readlink(%q) = %q %v, want %q %v", ro, tc.path, got, err, tc.want, tc.err)
				}
			}
		}
	}
}

func TestSpecialFiles(t *testing.T) {
	e := newEnv(t, true)
	isDev := e.hostLstat("null").Mode&unix.S_IFMT == unix.S_IFCHR
	for _, tc := range []struct {
		path string
		err  linux.Errno
		skip bool
	}{
		{"fifo", linux.ENXIO, false},
		{"sock", linux.ENXIO, false},
		// No device 1:3 is registered in this namespace.
		{"null", linux.ENXIO, !isDev},
	} {
		if tc.skip {
			continue
		}
		if _, err := e.v.OpenAt(rootCtx, e.op(tc.path, true), unix.O_RDONLY|unix.O_NONBLOCK, 0); err != tc.err {
			t.Errorf("open(%q) = %v, want %v", tc.path, err, tc.err)
		}
	}
	if !isDev {
		t.Skip("cannot make device nodes here")
	}
	// Once the sentry has a device 1:3, the node opens it.
	e.v.RegisterDevice(vfs.CharDevice, 1, 3, testDevice{})
	fd, err := e.v.OpenAt(rootCtx, e.op("null", true), unix.O_RDWR, 0)
	if err != 0 {
		t.Fatalf("open null after registering: %v", err)
	}
	defer fd.DecRef()
	if _, ok := fd.Impl().(testDevice); !ok {
		t.Errorf("null opened as %T", fd.Impl())
	}
}

// testDevice is a device that opens as itself.
type testDevice struct{ vfs.FileDefaults }

func (d testDevice) Open(vfs.Context, vfs.VirtualDentry, uint32) (vfs.FileImpl, linux.Errno) {
	return d, 0
}

func TestStatFS(t *testing.T) {
	e := newEnv(t, true)
	st, err := e.v.StatFSAt(rootCtx, e.op("dir", true))
	if err != 0 {
		t.Fatalf("statfs: %v", err)
	}
	var h unix.Statfs_t
	unix.Statfs(e.host, &h)
	if st.Type != linux.V9FS_MAGIC || st.Bsize != h.Bsize || st.Blocks != h.Blocks {
		t.Errorf("statfs = %+v, host %+v", st, h)
	}
	if st.Flags&1 == 0 {
		t.Errorf("statfs flags %#x lack ST_RDONLY", st.Flags)
	}
}

// TestGetdentsLarge lists a directory that takes several protocol pages,
// with a small buffer, and checks every name comes exactly once.
func TestGetdentsLarge(t *testing.T) {
	host := t.TempDir()
	const n = 3000
	for i := range n {
		name := fmt.Sprintf("a-rather-long-file-name-to-fill-pages-%05d", i)
		if err := os.WriteFile(filepath.Join(host, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, ro := range []bool{true, false} {
		e := newEnvOpts(t, host, Options{ReadOnly: ro})
		fd := e.open("/", unix.O_RDONLY|unix.O_DIRECTORY, 0)
		seen := map[string]int{}
		for {
			k := 0
			fd.Getdents(rootCtx, func(d vfs.Dirent) bool {
				if k == 7 {
					return false
				}
				k++
				seen[d.Name]++
				return true
			})
			if k == 0 {
				break
			}
		}
		fd.DecRef()
		if len(seen) != n+2 {
			t.Errorf("ro=%v: %d names, want %d", ro, len(seen), n+2)
		}
		for name, c := range seen {
			if c != 1 {
				t.Errorf("ro=%v: %q listed %d times", ro, name, c)
			}
		}
	}
}
