package gofer

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// hostRead reads a host file of the served tree.
func (e *env) hostRead(path string) string {
	e.t.Helper()
	b, err := os.ReadFile(e.hostPath(path))
	if err != nil {
		e.t.Fatalf("host read %q: %v", path, err)
	}
	return string(b)
}

func (e *env) hostExists(path string) bool {
	var st unix.Stat_t
	return unix.Lstat(e.hostPath(path), &st) == nil
}

func TestWriteOps(t *testing.T) {
	e := newEnv(t, false)
	ctx := rootCtx
	steps := []struct {
		name  string
		do    func() linux.Errno
		check func() bool
	}{
		{"create", func() linux.Errno {
			fd, err := e.v.OpenAt(ctx, e.op("new", true), unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY, 0o640)
			if err != 0 {
				return err
			}
			defer fd.DecRef()
			_, err = fd.Write(ctx, []byte("abc"))
			return err
		}, func() bool { return e.hostRead("new") == "abc" && e.hostLstat("new").Mode == unix.S_IFREG|0o640 }},
		{"create exists", func() linux.Errno {
			_, err := e.v.OpenAt(ctx, e.op("file", true), unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY, 0o640)
			return want(err, linux.EEXIST)
		}, nil},
		{"pwrite", func() linux.Errno {
			fd := e.open("file", unix.O_RDWR, 0)
			defer fd.DecRef()
			_, err := fd.PWrite(ctx, []byte("J"), 0)
			return err
		}, func() bool { return e.hostRead("file") == "Jello" }},
		{"append", func() linux.Errno {
			fd := e.open("file", unix.O_WRONLY|unix.O_APPEND, 0)
			defer fd.DecRef()
			if _, err := fd.Write(ctx, []byte("!")); err != 0 {
				return err
			}
			if off := fd.Offset(); off != 6 {
				t.Errorf("offset after append = %d", off)
			}
			return 0
		}, func() bool { return e.hostRead("file") == "Jello!" }},
		{"o_trunc", func() linux.Errno {
			fd := e.open("new", unix.O_WRONLY|unix.O_TRUNC, 0)
			fd.DecRef()
			return 0
		}, func() bool { return e.hostRead("new") == "" }},
		{"ftruncate", func() linux.Errno {
			fd := e.open("file", unix.O_RDWR, 0)
			defer fd.DecRef()
			if err := fd.Truncate(ctx, 2); err != 0 {
				return err
			}
			if st, err := fd.Stat(ctx, linux.STATX_SIZE); err != 0 || st.Size != 2 {
				t.Errorf("fstat after ftruncate: %d %v", st.Size, err)
			}
			return 0
		}, func() bool { return e.hostRead("file") == "Je" }},
		{"fallocate", func() linux.Errno {
			fd := e.open("file", unix.O_RDWR, 0)
			defer fd.DecRef()
			return fd.Allocate(ctx, 0, 0, 10)
		}, func() bool { return e.hostLstat("file").Size == 10 }},
		{"mkdir", func() linux.Errno { return e.v.MkdirAt(ctx, e.op("d", false), 0o700) },
			func() bool { return e.hostLstat("d").Mode == unix.S_IFDIR|0o700 }},
		{"mkdir exists", func() linux.Errno { return want(e.v.MkdirAt(ctx, e.op("dir", false), 0o700), linux.EEXIST) }, nil},
		{"symlink", func() linux.Errno { return e.v.SymlinkAt(ctx, e.op("d/sl", false), "../file") },
			func() bool { t, _ := os.Readlink(e.hostPath("d/sl")); return t == "../file" }},
		{"read through new symlink", func() linux.Errno {
			if got := e.readFile("d/sl"); len(got) != 10 || got[:2] != "Je" {
				t.Errorf("read d/sl = %q", got)
			}
			return 0
		}, nil},
		{"link", func() linux.Errno { return e.v.LinkAt(ctx, e.op("new", false), e.op("d/hard", false)) },
			func() bool { return e.hostLstat("d/hard").Ino == e.hostLstat("new").Ino }},
		{"nlink after link", func() linux.Errno {
			if st, _ := e.stat("new", false); st.Nlink != 2 {
				t.Errorf("nlink = %d, want 2", st.Nlink)
			}
			return 0
		}, nil},
		{"mkfifo", func() linux.Errno { return e.v.MknodAt(ctx, e.op("d/p", false), unix.S_IFIFO|0o600, 0) },
			func() bool { return e.hostLstat("d/p").Mode == unix.S_IFIFO|0o600 }},
		{"mknod socket", func() linux.Errno { return e.v.MknodAt(ctx, e.op("d/s", false), unix.S_IFSOCK|0o600, 0) },
			func() bool { return e.hostLstat("d/s").Mode == unix.S_IFSOCK|0o600 }},
		{"mknod regular", func() linux.Errno { return e.v.MknodAt(ctx, e.op("d/r", false), 0o600, 0) },
			func() bool { return e.hostLstat("d/r").Mode == unix.S_IFREG|0o600 }},
		{"mknod device", func() linux.Errno {
			return want(e.v.MknodAt(ctx, e.op("d/c", false), unix.S_IFCHR|0o600, linux.MakeDev(1, 3)), linux.EPERM)
		}, func() bool { return !e.hostExists("d/c") }},
		{"chmod", func() linux.Errno {
			return e.v.SetStatAt(ctx, e.op("new", false), &vfs.SetStatOptions{Mask: linux.STATX_MODE, Mode: 0o604})
		}, func() bool { return e.hostLstat("new").Mode == unix.S_IFREG|0o604 }},
		{"perms after chmod", func() linux.Errno {
			if st, _ := e.stat("d/hard", false); st.Mode != unix.S_IFREG|0o604 {
				t.Errorf("mode through the other link = %#o", st.Mode)
			}
			return 0
		}, nil},
		{"chown", func() linux.Errno {
			return e.v.SetStatAt(ctx, e.op("new", false), &vfs.SetStatOptions{Mask: linux.STATX_UID | linux.STATX_GID, UID: 1234, GID: 5678})
		}, func() bool { st := e.hostLstat("new"); return st.Uid == 1234 && st.Gid == 5678 }},
		{"utimens", func() linux.Errno {
			return e.v.SetStatAt(ctx, e.op("new", false), &vfs.SetStatOptions{
				Mask:  linux.STATX_ATIME | linux.STATX_MTIME,
				Atime: linux.StatxTimestamp{Nsec: vfs.UtimeOmit},
				Mtime: linux.StatxTimestamp{Sec: 1000, Nsec: 5},
			})
		}, func() bool { st := e.hostLstat("new"); return st.Mtim.Sec == 1000 && st.Mtim.Nsec == 5 }},
		{"truncate path", func() linux.Errno {
			return e.v.SetStatAt(ctx, e.op("new", false), &vfs.SetStatOptions{Mask: linux.STATX_SIZE, Size: 7})
		}, func() bool { return e.hostLstat("new").Size == 7 }},
		{"rename", func() linux.Errno { return e.v.RenameAt(ctx, e.op("new", false), e.op("d/moved", false), 0) },
			func() bool { return !e.hostExists("new") && e.hostLstat("d/moved").Size == 7 }},
		{"stat after rename", func() linux.Errno {
			_, err := e.stat("d/moved", false)
			return err
		}, nil},
		{"rename replace", func() linux.Errno { return e.v.RenameAt(ctx, e.op("d/moved", false), e.op("d/r", false), 0) },
			func() bool { return !e.hostExists("d/moved") && e.hostLstat("d/r").Size == 7 }},
		{"rename exchange", func() linux.Errno {
			return e.v.RenameAt(ctx, e.op("d/r", false), e.op("d/sl", false), unix.RENAME_EXCHANGE)
		}, func() bool {
			return e.hostLstat("d/r").Mode&unix.S_IFMT == unix.S_IFLNK && e.hostLstat("d/sl").Size == 7
		}},
		{"rename noreplace", func() linux.Errno {
			return want(e.v.RenameAt(ctx, e.op("d/r", false), e.op("d/sl", false), unix.RENAME_NOREPLACE), linux.EEXIST)
		}, nil},
		{"rename dir", func() linux.Errno { return e.v.RenameAt(ctx, e.op("dir", false), e.op("d/dir2", false), 0) },
			func() bool { return e.hostRead("d/dir2/sub") == "sub" }},
		{"read after dir rename", func() linux.Errno {
			if got := e.readFile("d/dir2/sub"); got != "sub" {
				t.Errorf("read d/dir2/sub = %q", got)
			}
			return 0
		}, nil},
		{"unlink", func() linux.Errno { return e.v.UnlinkAt(ctx, e.op("d/hard", false)) },
			func() bool { return !e.hostExists("d/hard") }},
		{"unlink dir", func() linux.Errno { return want(e.v.UnlinkAt(ctx, e.op("d", false)), linux.EISDIR) }, nil},
		{"rmdir not empty", func() linux.Errno { return want(e.v.RmdirAt(ctx, e.op("d", false)), linux.ENOTEMPTY) }, nil},
		{"rmdir", func() linux.Errno { return e.v.RmdirAt(ctx, e.op("d/dir2/inner", false)) },
			func() bool { return !e.hostExists("d/dir2/inner") }},
		{"lookup after rmdir", func() linux.Errno {
			_, err := e.stat("d/dir2/inner", false)
			return want(err, linux.ENOENT)
		}, nil},
	}
	for _, s := range steps {
		if err := s.do(); err != 0 {
			t.Errorf("%s: %v", s.name, err)
			continue
		}
		if s.check != nil && !s.check() {
			t.Errorf("%s: host tree not as expected", s.name)
		}
	}
}

// want turns the expected error into success and anything else into a
// failure the step reports.
func want(got, w linux.Errno) linux.Errno {
	if got == w {
		return 0
	}
	if got == 0 {
		return linux.Errno(unix.EBADE) // "no error" where w was expected
	}
	return got
}

func TestOpenUnlinked(t *testing.T) {
	e := newEnv(t, false)
	fd := e.open("file", unix.O_RDWR, 0)
	defer fd.DecRef()
	if err := e.v.UnlinkAt(rootCtx, e.op("file", false)); err != 0 {
		t.Fatalf("unlink: %v", err)
	}
	if _, err := fd.PWrite(rootCtx, []byte("Y"), 0); err != 0 {
		t.Errorf("write to unlinked file: %v", err)
	}
	buf := make([]byte, 5)
	if n, err := fd.PRead(rootCtx, buf, 0); err != 0 || string(buf[:n]) != "Yello" {
		t.Errorf("read of unlinked file: %q %v", buf[:n], err)
	}
	if st, err := fd.Stat(rootCtx, linux.STATX_NLINK); err != 0 || st.Nlink != 0 {
		t.Errorf("fstat of unlinked file: nlink %d %v", st.Nlink, err)
	}
}

func TestHostChanges(t *testing.T) {
	e := newEnv(t, false)
	if st, _ := e.stat("file", false); st.Size != 5 {
		t.Fatalf("size %d", st.Size)
	}
	if err := os.WriteFile(e.hostPath("file"), []byte("longer text"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.stat("file", false); st.Size != 11 {
		t.Errorf("size after a host write = %d, want 11", st.Size)
	}
	fd := e.open("file", unix.O_RDONLY, 0)
	defer fd.DecRef()
	os.WriteFile(e.hostPath("file"), []byte("x"), 0o644)
	if end, _ := fd.Seek(rootCtx, 0, unix.SEEK_END); end != 1 {
		t.Errorf("SEEK_END after a host truncate = %d, want 1", end)
	}
	if err := os.Chmod(e.hostPath("dir"), 0o711); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.stat("dir", false); st.Mode != unix.S_IFDIR|0o711 {
		t.Errorf("mode after a host chmod = %#o", st.Mode)
	}
	if err := os.Symlink("file", e.hostPath("l2")); err != nil {
		t.Fatal(err)
	}
	if st, err := e.stat("l2", false); err != 0 || st.Mode&unix.S_IFMT != unix.S_IFLNK {
		t.Errorf("stat of a symlink made on the host: %#o %v", st.Mode, err)
	}
}

func TestReadOnly(t *testing.T) {
	e := newEnv(t, true)
	ctx := rootCtx
	for _, tc := range []struct {
		name string
		do   func() linux.Errno
	}{
		{"open write", func() linux.Errno { _, err := e.v.OpenAt(ctx, e.op("file", true), unix.O_WRONLY, 0); return err }},
		{"open rdwr", func() linux.Errno { _, err := e.v.OpenAt(ctx, e.op("file", true), unix.O_RDWR, 0); return err }},
		{"open trunc", func() linux.Errno {
			_, err := e.v.OpenAt(ctx, e.op("file", true), unix.O_RDONLY|unix.O_TRUNC, 0)
			return err
		}},
		{"create", func() linux.Errno {
			_, err := e.v.OpenAt(ctx, e.op("new", true), unix.O_CREAT|unix.O_WRONLY, 0o644)
			return err
		}},
		{"mkdir", func() linux.Errno { return e.v.MkdirAt(ctx, e.op("d", false), 0o755) }},
		{"mknod", func() linux.Errno { return e.v.MknodAt(ctx, e.op("p", false), unix.S_IFIFO|0o644, 0) }},
		{"symlink", func() linux.Errno { return e.v.SymlinkAt(ctx, e.op("s", false), "file") }},
		{"link", func() linux.Errno { return e.v.LinkAt(ctx, e.op("file", false), e.op("h", false)) }},
		{"unlink", func() linux.Errno { return e.v.UnlinkAt(ctx, e.op("file", false)) }},
		{"rmdir", func() linux.Errno { return e.v.RmdirAt(ctx, e.op("dir/inner", false)) }},
		{"rename", func() linux.Errno { return e.v.RenameAt(ctx, e.op("file", false), e.op("f2", false), 0) }},
		{"chmod", func() linux.Errno {
			return e.v.SetStatAt(ctx, e.op("file", false), &vfs.SetStatOptions{Mask: linux.STATX_MODE, Mode: 0o600})
		}},
		{"truncate", func() linux.Errno {
			return e.v.SetStatAt(ctx, e.op("file", false), &vfs.SetStatOptions{Mask: linux.STATX_SIZE})
		}},
	} {
		if err := tc.do(); err != linux.EROFS {
			t.Errorf("%s: %v, want EROFS", tc.name, err)
		}
	}
	if got := e.hostRead("file"); got != "hello" {
		t.Errorf("file changed to %q", got)
	}
}

// TestReadOnlyInodes checks the file system's own EROFS, which the vfs's
// mount check normally hides (a read-only file system mounted read-write,
// or another user of its inodes such as an overlay).
func TestReadOnlyInodes(t *testing.T) {
	e := newEnv(t, true)
	d := e.fs.root
	opts := vfs.CreateOptions{Mode: 0o644}
	if _, err := d.Create(rootCtx, "x", opts); err != linux.EROFS {
		t.Errorf("Create: %v", err)
	}
	if _, err := d.Mkdir(rootCtx, "x", opts); err != linux.EROFS {
		t.Errorf("Mkdir: %v", err)
	}
	if err := d.Unlink(rootCtx, "file", nil); err != linux.EROFS {
		t.Errorf("Unlink: %v", err)
	}
	if err := d.SetStat(rootCtx, &vfs.SetStatOptions{Mask: linux.STATX_MODE}); err != linux.EROFS {
		t.Errorf("SetStat: %v", err)
	}
	c, _ := d.Lookup(rootCtx, "file")
	if _, err := c.Open(rootCtx, vfs.VirtualDentry{}, unix.O_RDWR); err != linux.EROFS {
		t.Errorf("Open O_RDWR: %v", err)
	}
}
