package tmpfs_test

import (
	"bytes"
	"sort"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/vfs"
)

type testCtx struct{ creds *auth.Credentials }

func (c testCtx) Credentials() *auth.Credentials { return c.creds }

var ctx = testCtx{auth.NewRoot()}

type env struct {
	t    *testing.T
	v    *vfs.VirtualFilesystem
	root vfs.VirtualDentry
	now  int64
}

func newEnv(t *testing.T, opts tmpfs.Options) *env {
	e := &env{t: t, v: vfs.New(), now: 1_000_000_000_000}
	opts.Now = func() int64 { return e.now }
	if _, err := e.v.MountRoot(tmpfs.New(e.v, opts), vfs.MountFlags{}); err != 0 {
		t.Fatal(err)
	}
	e.root = e.v.Root()
	return e
}

func (e *env) op(p string) *vfs.PathOp {
	return &vfs.PathOp{Root: e.root, Start: e.root, Path: p}
}

func (e *env) must(what string, err linux.Errno) {
	e.t.Helper()
	if err != 0 {
		e.t.Fatalf("%s: %v", what, err)
	}
}

func (e *env) open(p string, flags uint32) *vfs.FileDescription {
	e.t.Helper()
	fd, err := e.v.OpenAt(ctx, e.op(p), flags, 0o644)
	e.must("open "+p, err)
	return fd
}

func (e *env) stat(p string) linux.Statx {
	e.t.Helper()
	st, err := e.v.StatAt(ctx, e.op(p), linux.STATX_BASIC_STATS)
	e.must("stat "+p, err)
	return st
}

func (e *env) write(p, data string) {
	e.t.Helper()
	fd := e.open(p, unix.O_CREAT|unix.O_WRONLY|unix.O_TRUNC)
	defer fd.DecRef()
	_, err := fd.Write(ctx, []byte(data))
	e.must("write", err)
}

func (e *env) read(p string) string {
	e.t.Helper()
	fd := e.open(p, unix.O_RDONLY)
	defer fd.DecRef()
	buf := make([]byte, 1<<20)
	n, err := fd.Read(ctx, buf)
	e.must("read", err)
	return string(buf[:n])
}

// names lists a directory with getdents, reading count entries per call.
func (e *env) names(p string, perCall int) []string {
	e.t.Helper()
	fd := e.open(p, unix.O_RDONLY|unix.O_DIRECTORY)
	defer fd.DecRef()
	var out []string
	for {
		got := 0
		err := fd.Getdents(ctx, func(d vfs.Dirent) bool {
			if got == perCall {
				return false
			}
			got++
			out = append(out, d.Name)
			return true
		})
		e.must("getdents", err)
		if got == 0 {
			return out
		}
	}
}

func TestRegularFileData(t *testing.T) {
	e := newEnv(t, tmpfs.Options{})
	fd := e.open("/f", unix.O_CREAT|unix.O_RDWR)
	defer fd.DecRef()
	if _, ok := fd.HostFD(); !ok {
		t.Fatal("no host fd for a tmpfs file")
	}
	if n, err := fd.PWrite(ctx, []byte("hello"), 10); n != 5 || err != 0 {
		t.Fatalf("pwrite: %d %v", n, err)
	}
	buf := make([]byte, 32)
	n, _ := fd.PRead(ctx, buf, 0)
	if want := append(make([]byte, 10), "hello"...); !bytes.Equal(buf[:n], want) {
		t.Errorf("read back %q", buf[:n])
	}
	// The data is in the memfd: read it from the host.
	hfd, _ := fd.HostFD()
	hb := make([]byte, 5)
	if _, err := unix.Pread(hfd, hb, 10); err != nil || string(hb) != "hello" {
		t.Errorf("memfd holds %q, %v", hb, err)
	}
	if st := e.stat("/f"); st.Size != 15 || st.Nlink != 1 || st.Mode != unix.S_IFREG|0o644 {
		t.Errorf("stat: size %d nlink %d mode %o", st.Size, st.Nlink, st.Mode)
	}
	// O_APPEND writes go to the end whatever the offset.
	afd := e.open("/f", unix.O_WRONLY|unix.O_APPEND)
	afd.Write(ctx, []byte("!"))
	afd.PWrite(ctx, []byte("?"), 0)
	afd.DecRef()
	if got := e.read("/f"); got[15:] != "!?" {
		t.Errorf("append: %q", got)
	}
	// Truncate down and up.
	e.must("truncate", fd.Truncate(ctx, 3))
	e.must("truncate", fd.Truncate(ctx, 6))
	if got := e.read("/f"); got != "\x00\x00\x00\x00\x00\x00" {
		t.Errorf("after truncate: %q", got)
	}
	// lseek.
	for _, tc := range []struct {
		off    int64
		whence int32
		want   int64
		err    linux.Errno
	}{
		{2, unix.SEEK_SET, 2, 0},
		{1, unix.SEEK_CUR, 3, 0},
		{-1, unix.SEEK_END, 5, 0},
		{-10, unix.SEEK_END, 0, linux.EINVAL},
		{0, unix.SEEK_DATA, 0, 0},
		{0, unix.SEEK_HOLE, 6, 0},
		{7, unix.SEEK_DATA, 0, linux.ENXIO},
		{0, 99, 0, linux.EINVAL},
	} {
		got, err := fd.Seek(ctx, tc.off, tc.whence)
		if err != tc.err || (err == 0 && got != tc.want) {
			t.Errorf("seek(%d, %d) = %d, %v; want %d, %v", tc.off, tc.whence, got, err, tc.want, tc.err)
		}
	}
	// fallocate grows unless KEEP_SIZE.
	e.must("fallocate", fd.Allocate(ctx, 0, 0, 100))
	e.must("fallocate keep", fd.Allocate(ctx, unix.FALLOC_FL_KEEP_SIZE, 0, 200))
	if st := e.stat("/f"); st.Size != 100 {
		t.Errorf("size after fallocate %d", st.Size)
	}
}

func TestTimesAndAttrs(t *testing.T) {
	e := newEnv(t, tmpfs.Options{})
	e.write("/f", "x")
	before := e.stat("/f")
	e.now += 5e9
	fd := e.open("/f", unix.O_WRONLY)
	fd.Write(ctx, []byte("y"))
	fd.DecRef()
	after := e.stat("/f")
	if after.Mtime.Sec != before.Mtime.Sec+5 || after.Ctime.Sec != before.Ctime.Sec+5 {
		t.Errorf("write did not update mtime/ctime: %v -> %v", before.Mtime, after.Mtime)
	}
	e.must("utimes", e.v.SetStatAt(ctx, e.op("/f"), &vfs.SetStatOptions{
		Mask: linux.STATX_ATIME | linux.STATX_MTIME, Atime: linux.StatxTimestamp{Sec: 7}, Mtime: linux.StatxTimestamp{Sec: 8, Nsec: 9}}))
	if st := e.stat("/f"); st.Atime.Sec != 7 || st.Mtime.Sec != 8 || st.Mtime.Nsec != 9 {
		t.Errorf("utimes: %v %v", st.Atime, st.Mtime)
	}
	e.must("chown", e.v.SetStatAt(ctx, e.op("/f"), &vfs.SetStatOptions{Mask: linux.STATX_UID | linux.STATX_GID, UID: 5, GID: 6}))
	e.must("chmod", e.v.SetStatAt(ctx, e.op("/f"), &vfs.SetStatOptions{Mask: linux.STATX_MODE, Mode: 0o4755}))
	if st := e.stat("/f"); st.UID != 5 || st.GID != 6 || st.Mode != unix.S_IFREG|0o4755 {
		t.Errorf("chown/chmod: %d %d %o", st.UID, st.GID, st.Mode)
	}
	// chown clears set-user-ID.
	e.must("chown", e.v.SetStatAt(ctx, e.op("/f"), &vfs.SetStatOptions{Mask: linux.STATX_UID, UID: 7}))
	if st := e.stat("/f"); st.Mode != unix.S_IFREG|0o755 {
		t.Errorf("chown kept setuid: %o", st.Mode)
	}
	// mkdir in a set-group-ID directory inherits the group and the bit.
	e.must("mkdir", e.v.MkdirAt(ctx, e.op("/g"), 0o755))
	e.must("chown", e.v.SetStatAt(ctx, e.op("/g"), &vfs.SetStatOptions{Mask: linux.STATX_GID | linux.STATX_MODE, GID: 42, Mode: 0o2775}))
	user := testCtx{auth.NewUser(1000, 1000, []auth.KGID{42})}
	e.must("mkdir g/sub", e.v.MkdirAt(user, e.op("/g/sub"), 0o755))
	if st := e.stat("/g/sub"); st.GID != 42 || st.Mode&unix.S_ISGID == 0 || st.UID != 1000 {
		t.Errorf("setgid inheritance: gid %d mode %o", st.GID, st.Mode)
	}
}

func TestLinkCounts(t *testing.T) {
	e := newEnv(t, tmpfs.Options{})
	e.must("mkdir", e.v.MkdirAt(ctx, e.op("/d"), 0o755))
	e.must("mkdir", e.v.MkdirAt(ctx, e.op("/d/s1"), 0o755))
	e.must("mkdir", e.v.MkdirAt(ctx, e.op("/d/s2"), 0o755))
	if n := e.stat("/d").Nlink; n != 4 {
		t.Errorf("dir with two subdirs: nlink %d", n)
	}
	e.must("rmdir", e.v.RmdirAt(ctx, e.op("/d/s2")))
	if n := e.stat("/d").Nlink; n != 3 {
		t.Errorf("after rmdir: nlink %d", n)
	}
	e.write("/d/f", "data")
	e.must("link", e.v.LinkAt(ctx, e.op("/d/f"), e.op("/g")))
	if a, b := e.stat("/d/f"), e.stat("/g"); a.Nlink != 2 || a.Ino != b.Ino {
		t.Errorf("hard link: nlink %d, inos %d %d", a.Nlink, a.Ino, b.Ino)
	}
	fd := e.open("/g", unix.O_RDONLY)
	e.must("unlink", e.v.UnlinkAt(ctx, e.op("/d/f")))
	e.must("unlink", e.v.UnlinkAt(ctx, e.op("/g")))
	st, err := fd.Stat(ctx, linux.STATX_BASIC_STATS)
	if err != 0 || st.Nlink != 0 {
		t.Errorf("open unlinked file: nlink %d, %v", st.Nlink, err)
	}
	buf := make([]byte, 8)
	if n, _ := fd.PRead(ctx, buf, 0); string(buf[:n]) != "data" {
		t.Errorf("unlinked file data %q", buf[:n])
	}
	// Linking an unlinked file (linkat AT_EMPTY_PATH) fails.
	if err := e.v.LinkVirtualDentry(ctx, fd.VirtualDentry(), e.op("/again")); err != linux.ENOENT {
		t.Errorf("link of unlinked file: %v", err)
	}
	fd.DecRef()
	// statfs counts inodes and bytes.
	sf, err := e.v.StatFSAt(ctx, e.op("/"))
	if err != 0 || sf.Type != linux.TMPFS_MAGIC || sf.Namelen != 255 || sf.Bsize != 4096 {
		t.Errorf("statfs: %+v, %v", sf, err)
	}
}

func TestRename(t *testing.T) {
	var e *env
	setup := func() {
		e = newEnv(t, tmpfs.Options{})
		for _, p := range []string{"/a", "/a/sub", "/b", "/empty", "/full"} {
			e.must("mkdir "+p, e.v.MkdirAt(ctx, e.op(p), 0o755))
		}
		e.write("/full/x", "1")
		e.write("/f1", "one")
		e.write("/f2", "two")
		e.must("link", e.v.LinkAt(ctx, e.op("/f1"), e.op("/f1link")))
	}
	tests := []struct {
		old, new string
		flags    uint32
		want     linux.Errno
		check    func()
	}{
		{"/f1", "/f3", 0, 0, func() {
			if e.read("/f3") != "one" {
				t.Error("moved data lost")
			}
			e.v.RenameAt(ctx, e.op("/f3"), e.op("/f1"), 0)
		}},
		{"/f1", "/f2", 0, 0, func() {
			if e.read("/f2") != "one" || e.stat("/f2").Nlink != 2 {
				t.Error("replace failed")
			}
			e.write("/f1", "x")
		}},
		{"/f1", "/f1link", 0, 0, func() { e.stat("/f1") }}, // same inode: no-op
		{"/f1", "/f2", unix.RENAME_NOREPLACE, linux.EEXIST, nil},
		{"/f1", "/nope", unix.RENAME_EXCHANGE, linux.ENOENT, nil},
		{"/f1", "/f2", unix.RENAME_EXCHANGE | unix.RENAME_NOREPLACE, linux.EINVAL, nil},
		{"/f1", "/f2", unix.RENAME_EXCHANGE, 0, func() {
			if e.read("/f1") != "two" || e.read("/f2") != "one" {
				t.Error("exchange failed")
			}
		}},
		{"/a", "/empty", 0, 0, func() {
			e.stat("/empty/sub")
			e.v.RenameAt(ctx, e.op("/empty"), e.op("/a"), 0)
			e.v.MkdirAt(ctx, e.op("/empty"), 0o755)
		}},
		{"/a", "/full", 0, linux.ENOTEMPTY, nil},
		{"/a", "/f1", 0, linux.ENOTDIR, nil},
		{"/f1", "/a", 0, linux.EISDIR, nil},
		{"/a", "/a/sub/x", 0, linux.EINVAL, nil},
		{"/a", "/a/sub", unix.RENAME_EXCHANGE, linux.EINVAL, nil},
		{"/a/sub", "/a/..", 0, linux.EBUSY, nil},
		{"/", "/x", 0, linux.EBUSY, nil},
		{"/nope", "/x", 0, linux.ENOENT, nil},
		{"/f1/", "/x", 0, linux.ENOTDIR, nil},
		{"/f1", "/x/", 0, linux.ENOTDIR, nil},
		{"/a/", "/b/", 0, 0, func() {
			if n := e.stat("/").Nlink; n != 5 {
				t.Errorf("root nlink after replacing /b with /a: %d", n)
			}
		}},
		{"/a", "/b/a", 0, 0, func() {
			if e.stat("/b").Nlink != 3 || e.stat("/").Nlink != 5 {
				t.Errorf("nlinks after moving a dir: /b %d, / %d", e.stat("/b").Nlink, e.stat("/").Nlink)
			}
			e.stat("/b/a/sub")
		}},
		{"/a", "/f1", unix.RENAME_EXCHANGE, 0, func() {
			if e.stat("/f1").Mode&unix.S_IFMT != unix.S_IFDIR || e.read("/a") != "one" {
				t.Error("exchange dir and file failed")
			}
		}},
		{"/a/sub", "/f1", unix.RENAME_EXCHANGE, 0, func() {
			if e.stat("/a").Nlink != 2 || e.stat("/").Nlink != 7 {
				t.Errorf("exchange across dirs: /a nlink %d, / nlink %d", e.stat("/a").Nlink, e.stat("/").Nlink)
			}
		}},
	}
	for _, tc := range tests {
		setup()
		if err := e.v.RenameAt(ctx, e.op(tc.old), e.op(tc.new), tc.flags); err != tc.want {
			t.Errorf("rename %s %s %#x: %v, want %v", tc.old, tc.new, tc.flags, err, tc.want)
			continue
		}
		if tc.check != nil {
			tc.check()
		}
	}
}

func TestGetdentsCookies(t *testing.T) {
	e := newEnv(t, tmpfs.Options{})
	e.must("mkdir", e.v.MkdirAt(ctx, e.op("/d"), 0o755))
	var want []string
	for i := 0; i < 50; i++ {
		name := string(rune('a'+i%26)) + string(rune('a'+i/26))
		e.write("/d/"+name, "")
		want = append(want, name)
	}
	want = append(want, ".", "..")
	sort.Strings(want)
	for _, per := range []int{1, 3, 100} {
		got := e.names("/d", per)
		sort.Strings(got)
		if len(got) != len(want) {
			t.Fatalf("per %d: %d names, want %d", per, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("per %d: got %q want %q", per, got[i], want[i])
			}
		}
	}
	// Entries removed while listing are not repeated; the rest still come.
	fd := e.open("/d", unix.O_RDONLY|unix.O_DIRECTORY)
	defer fd.DecRef()
	seen := map[string]int{}
	read := func(n int) {
		fd.Getdents(ctx, func(d vfs.Dirent) bool {
			if n == 0 {
				return false
			}
			n--
			seen[d.Name]++
			return true
		})
	}
	read(10)
	e.must("unlink", e.v.UnlinkAt(ctx, e.op("/d/aa"))) // already seen
	read(1000)
	for name, n := range seen {
		if n != 1 {
			t.Errorf("%q seen %d times", name, n)
		}
	}
	if len(seen) < 50 {
		t.Errorf("saw %d entries", len(seen))
	}
	// Rewind with lseek(0).
	if _, err := fd.Seek(ctx, 0, unix.SEEK_SET); err != 0 {
		t.Fatal(err)
	}
	n := 0
	fd.Getdents(ctx, func(vfs.Dirent) bool { n++; return true })
	if n != 51 {
		t.Errorf("after rewind: %d entries, want 51", n)
	}
}

func TestLimits(t *testing.T) {
	e := newEnv(t, tmpfs.Options{MaxBytes: 8192, MaxInodes: 4})
	fd := e.open("/f", unix.O_CREAT|unix.O_RDWR)
	defer fd.DecRef()
	if _, err := fd.PWrite(ctx, make([]byte, 8192), 0); err != 0 {
		t.Fatal(err)
	}
	if _, err := fd.PWrite(ctx, []byte("x"), 8192); err != linux.ENOSPC {
		t.Errorf("write past the size limit: %v", err)
	}
	if err := fd.Truncate(ctx, 1); err != 0 {
		t.Fatal(err)
	}
	for _, p := range []string{"/a", "/b"} {
		e.must("mkdir", e.v.MkdirAt(ctx, e.op(p), 0o755))
	}
	if err := e.v.MkdirAt(ctx, e.op("/c"), 0o755); err != linux.ENOSPC {
		t.Errorf("mkdir past the inode limit: %v", err)
	}
}

func TestSpecialFiles(t *testing.T) {
	e := newEnv(t, tmpfs.Options{})
	e.must("mkfifo", e.v.MknodAt(ctx, e.op("/fifo"), unix.S_IFIFO|0o644, 0))
	if st := e.stat("/fifo"); st.Mode != unix.S_IFIFO|0o644 {
		t.Errorf("fifo mode %o", st.Mode)
	}
	if _, err := e.v.OpenAt(ctx, e.op("/fifo"), unix.O_RDONLY|unix.O_NONBLOCK, 0); err != linux.ENXIO {
		t.Errorf("open fifo: %v", err)
	}
	e.must("mknod", e.v.MknodAt(ctx, e.op("/dev"), unix.S_IFCHR|0o600, linux.MakeDev(4, 5)))
	if st := e.stat("/dev"); st.RdevMajor != 4 || st.RdevMinor != 5 {
		t.Errorf("rdev %d:%d", st.RdevMajor, st.RdevMinor)
	}
	if _, err := e.v.OpenAt(ctx, e.op("/dev"), unix.O_RDONLY, 0); err != linux.ENXIO {
		t.Errorf("open of an unregistered device: %v", err)
	}
	e.must("mknod reg", e.v.MknodAt(ctx, e.op("/reg"), 0o600, 0))
	if st := e.stat("/reg"); st.Mode != unix.S_IFREG|0o600 {
		t.Errorf("mknod regular: %o", st.Mode)
	}
	e.must("symlink", e.v.SymlinkAt(ctx, e.op("/l"), "/reg"))
	st, _ := e.v.StatAt(ctx, e.op("/l"), 0)
	if st.Size != 4 || st.Mode != unix.S_IFLNK|0o777 {
		t.Errorf("symlink stat: size %d mode %o", st.Size, st.Mode)
	}
}

// fakeFIFO counts opens.
type fakeFIFO struct{ opens int }

func (f *fakeFIFO) Open(vfs.Context, vfs.VirtualDentry, uint32) (vfs.FileImpl, linux.Errno) {
	f.opens++
	return vfs.FileDefaults{}, 0
}

func TestFIFOFactory(t *testing.T) {
	e := newEnv(t, tmpfs.Options{})
	var made []*fakeFIFO
	e.v.SetFIFOFactory(func() vfs.FIFO {
		f := &fakeFIFO{}
		made = append(made, f)
		return f
	})
	e.must("mkfifo", e.v.MknodAt(ctx, e.op("/p"), unix.S_IFIFO|0o644, 0))
	for i := 0; i < 2; i++ {
		fd := e.open("/p", unix.O_RDONLY)
		fd.DecRef()
	}
	e.must("link", e.v.LinkAt(ctx, e.op("/p"), e.op("/q")))
	e.open("/q", unix.O_WRONLY).DecRef()
	if len(made) != 1 || made[0].opens != 3 {
		t.Errorf("%d FIFOs made, opens %v", len(made), made)
	}
}

func TestTmpfile(t *testing.T) {
	e := newEnv(t, tmpfs.Options{})
	e.must("mkdir", e.v.MkdirAt(ctx, e.op("/d"), 0o755))
	if _, err := e.v.OpenAt(ctx, e.op("/d"), unix.O_TMPFILE|unix.O_RDONLY, 0o600); err != linux.EINVAL {
		t.Errorf("O_TMPFILE read-only: %v", err)
	}
	fd, err := e.v.OpenAt(ctx, e.op("/d"), unix.O_TMPFILE|unix.O_RDWR, 0o600)
	if err != 0 {
		t.Fatal(err)
	}
	fd.Write(ctx, []byte("tmp"))
	if st, _ := fd.Stat(ctx, 0); st.Nlink != 0 || st.Mode != unix.S_IFREG|0o600 {
		t.Errorf("tmpfile stat: nlink %d mode %o", st.Nlink, st.Mode)
	}
	if names := e.names("/d", 100); len(names) != 2 {
		t.Errorf("tmpfile is listed: %q", names)
	}
	e.must("link", e.v.LinkVirtualDentry(ctx, fd.VirtualDentry(), e.op("/d/named")))
	fd.DecRef()
	if got := e.read("/d/named"); got != "tmp" || e.stat("/d/named").Nlink != 1 {
		t.Errorf("linked tmpfile: %q", got)
	}
	// O_EXCL: never linkable.
	fd, err = e.v.OpenAt(ctx, e.op("/d"), unix.O_TMPFILE|unix.O_EXCL|unix.O_WRONLY, 0o600)
	if err != 0 {
		t.Fatal(err)
	}
	defer fd.DecRef()
	if err := e.v.LinkVirtualDentry(ctx, fd.VirtualDentry(), e.op("/d/x")); err != linux.ENOENT {
		t.Errorf("link of an O_EXCL tmpfile: %v", err)
	}
	if _, err := e.v.OpenAt(ctx, e.op("/d/named"), unix.O_TMPFILE|unix.O_RDWR, 0o600); err != linux.ENOTDIR {
		t.Errorf("O_TMPFILE on a file: %v", err)
	}
}

func TestSeals(t *testing.T) {
	e := newEnv(t, tmpfs.Options{})
	fd := e.open("/f", unix.O_CREAT|unix.O_RDWR)
	defer fd.DecRef()
	s := fd.Impl().(vfs.Sealable)
	if s.Seals() != unix.F_SEAL_SEAL {
		t.Errorf("plain file seals %#x", s.Seals())
	}
	if err := s.AddSeals(unix.F_SEAL_GROW); err != linux.EPERM {
		t.Errorf("sealing a plain file: %v", err)
	}
	vd := fd.VirtualDentry()
	if !tmpfs.AllowSealing(vd.Dentry().Inode(), 0) {
		t.Fatal("AllowSealing refused a tmpfs file")
	}
	fd.PWrite(ctx, make([]byte, 100), 0)
	e.must("seal", s.AddSeals(unix.F_SEAL_GROW|unix.F_SEAL_SHRINK))
	if err := fd.Truncate(ctx, 200); err != linux.EPERM {
		t.Errorf("grow: %v", err)
	}
	if err := fd.Truncate(ctx, 50); err != linux.EPERM {
		t.Errorf("shrink: %v", err)
	}
	if _, err := fd.PWrite(ctx, []byte("x"), 100); err != linux.EPERM {
		t.Errorf("write past the end: %v", err)
	}
	if n, err := fd.PWrite(ctx, []byte("x"), 10); n != 1 || err != 0 {
		t.Errorf("write inside: %d %v", n, err)
	}
	e.must("seal write", s.AddSeals(unix.F_SEAL_WRITE|unix.F_SEAL_SEAL))
	if _, err := fd.PWrite(ctx, []byte("x"), 10); err != linux.EPERM {
		t.Errorf("write when sealed: %v", err)
	}
	if err := s.AddSeals(unix.F_SEAL_EXEC); err != linux.EPERM {
		t.Errorf("seal after F_SEAL_SEAL: %v", err)
	}
	if err := s.AddSeals(0x8000); err != linux.EINVAL {
		t.Errorf("unknown seal: %v", err)
	}
}
