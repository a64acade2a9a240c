package gofer

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
)

func TestWalk(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{})
	r := attach(t, c)
	tests := []struct {
		path  string
		n     int        // handles returned
		err   unix.Errno // error returned
		mode  uint32     // type of the last node
		links bool       // the last node is a symlink (walk stopped early)
	}{
		{path: "file", n: 1, mode: unix.S_IFREG},
		{path: "dir", n: 1, mode: unix.S_IFDIR},
		{path: "dir/sub", n: 2, mode: unix.S_IFREG},
		{path: "dir/inner", n: 2, mode: unix.S_IFDIR},
		{path: "link", n: 1, mode: unix.S_IFLNK},
		{path: "fifo", n: 1, mode: unix.S_IFIFO},
		{path: "missing", n: 0, err: unix.ENOENT},
		{path: "dir/missing", n: 1, err: unix.ENOENT, mode: unix.S_IFDIR},
		{path: "dir/sub/x", n: 2, err: unix.ENOTDIR, mode: unix.S_IFREG},
		{path: "file/x", n: 1, err: unix.ENOTDIR, mode: unix.S_IFREG},
		// Symlinks end the walk; the sentry resolves them.
		{path: "link/x", n: 1, mode: unix.S_IFLNK},
		{path: "abs/x", n: 1, mode: unix.S_IFLNK},
		{path: "escape/passwd", n: 1, mode: unix.S_IFLNK},
		{path: "procroot/etc/passwd", n: 1, mode: unix.S_IFLNK},
		// Names that are not single components are refused outright.
		{path: "dir/../file", err: unix.EINVAL},
		{path: "..", err: unix.EINVAL},
		{path: ".", err: unix.EINVAL},
		{path: "dir//sub", err: unix.EINVAL},
		{path: "", err: unix.EINVAL},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			hs, sts, err := c.Walk(r, splitPath(tt.path))
			if !errIs(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if len(hs) != tt.n || len(sts) != tt.n {
				t.Fatalf("got %d handles, %d stats, want %d", len(hs), len(sts), tt.n)
			}
			if tt.n > 0 && sts[tt.n-1].Mode&unix.S_IFMT != tt.mode {
				t.Fatalf("last node mode %#o, want type %#o", sts[tt.n-1].Mode, tt.mode)
			}
			if err := c.CloseHandles(hs); err != nil {
				t.Fatalf("CloseHandles: %v", err)
			}
		})
	}
	// A name with a slash inside one component.
	if _, _, err := c.Walk(r, []string{"dir/sub"}); err != unix.EINVAL {
		t.Errorf("Walk([dir/sub]) = %v, want EINVAL", err)
	}
	if _, _, err := c.WalkOne(r, "a\x00b"); err != unix.EINVAL {
		t.Errorf("WalkOne(NUL) = %v, want EINVAL", err)
	}
	if _, _, err := c.WalkOne(r, strings.Repeat("x", 256)); err != unix.EINVAL {
		t.Errorf("WalkOne(256 bytes) = %v, want EINVAL", err)
	}
}

func TestStat(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{})
	r := attach(t, c)
	h, wst := walk(t, c, r, "dir/sub")
	st, err := c.Stat(h)
	if err != nil {
		t.Fatal(err)
	}
	var host unix.Stat_t
	if err := unix.Lstat(root+"/dir/sub", &host); err != nil {
		t.Fatal(err)
	}
	var want proto.Stat
	want.FromUnix(&host)
	if st != want || wst != want {
		t.Fatalf("Stat = %+v\nwalk  = %+v\nwant  %+v", st, wst, want)
	}
	if st.Size != 3 || st.Mode != unix.S_IFREG|0600 || st.Nlink != 1 {
		t.Fatalf("Stat = %+v", st)
	}
}

func TestOpen(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{})
	r := attach(t, c)
	tests := []struct {
		path  string
		flags int
		err   unix.Errno
		read  string
	}{
		{path: "file", flags: unix.O_RDONLY, read: "hello"},
		{path: "dir/sub", flags: unix.O_RDWR, read: "sub"},
		{path: "dir", flags: unix.O_RDONLY | unix.O_DIRECTORY},
		{path: "dir", flags: unix.O_RDWR, err: unix.EISDIR},
		{path: "file", flags: unix.O_RDONLY | unix.O_DIRECTORY, err: unix.ENOTDIR},
		{path: "link", flags: unix.O_RDONLY, err: unix.ELOOP},
		{path: "procroot", flags: unix.O_RDONLY, err: unix.ELOOP},
		{path: "fifo", flags: unix.O_RDONLY},
		{path: "file", flags: unix.O_RDONLY | unix.O_CREAT, err: unix.EINVAL},
		{path: "file", flags: unix.O_PATH, err: unix.EINVAL},
		{path: "file", flags: unix.O_ACCMODE, err: unix.EINVAL},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			h, _ := walk(t, c, r, tt.path)
			defer c.CloseHandle(h)
			fd, err := c.Open(h, tt.flags)
			if !errIs(err, tt.err) {
				t.Fatalf("Open(%#x) = %v, want %v", tt.flags, err, tt.err)
			}
			if err != nil {
				return
			}
			fl, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
			if fl&unix.O_ACCMODE != tt.flags&unix.O_ACCMODE {
				t.Errorf("donated fd flags %#x, want access mode %#x", fl, tt.flags&unix.O_ACCMODE)
			}
			if fl&unix.O_NONBLOCK != 0 && tt.path != "fifo" {
				t.Errorf("donated fd is non-blocking")
			}
			if tt.read != "" {
				if got := readFD(t, fd); got != tt.read {
					t.Errorf("read %q, want %q", got, tt.read)
				}
			} else {
				unix.Close(fd)
			}
		})
	}
	// O_TRUNC through a handle.
	h, _ := walk(t, c, r, "file")
	fd, err := c.Open(h, unix.O_WRONLY|unix.O_TRUNC)
	if err != nil {
		t.Fatal(err)
	}
	unix.Write(fd, []byte("bye"))
	unix.Close(fd)
	fd, err = c.Open(h, unix.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	if got := readFD(t, fd); got != "bye" {
		t.Fatalf("after O_TRUNC and write: %q", got)
	}
}

func TestReadlink(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{})
	r := attach(t, c)
	tests := []struct {
		path, want string
		err        unix.Errno
	}{
		{path: "link", want: "file"},
		{path: "abs", want: "/etc/passwd"},
		{path: "escape", want: "../../../../../../etc"},
		{path: "procroot", want: "/proc/self/root"},
		{path: "file", err: unix.EINVAL},
		{path: "dir", err: unix.EINVAL},
	}
	for _, tt := range tests {
		h, _ := walk(t, c, r, tt.path)
		got, err := c.Readlink(h)
		if !errIs(err, tt.err) || got != tt.want {
			t.Errorf("Readlink(%s) = %q, %v; want %q, %v", tt.path, got, err, tt.want, tt.err)
		}
	}
}

func TestGetdents(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{})
	r := attach(t, c)
	ents, err := c.Getdents(r)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	types := map[string]uint8{}
	for _, e := range ents {
		names = append(names, e.Name)
		types[e.Name] = e.Type
	}
	sort.Strings(names)
	want := "abs dir escape fifo file link procroot"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("entries %q, want %q", got, want)
	}
	if types["dir"] != unix.DT_DIR || types["link"] != unix.DT_LNK || types["fifo"] != unix.DT_FIFO || types["file"] != unix.DT_REG {
		t.Fatalf("types %v", types)
	}
	// Paging through a large directory with small pages.
	d, _ := walk(t, c, r, "dir/inner")
	for i := range 300 {
		if _, _, err := c.Mkdir(d, strings.Repeat("n", 100)+string(rune('a'+i%26))+strings.Repeat("x", i/26), 0755, proto.NoID, proto.NoID); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	var cookie uint64
	pages := 0
	for {
		page, err := c.GetdentsPage(d, cookie, 1024, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		pages++
		for _, e := range page {
			if seen[e.Name] {
				t.Fatalf("%q listed twice", e.Name)
			}
			seen[e.Name] = true
		}
		cookie = page[len(page)-1].Off
	}
	if len(seen) != 300 || pages < 10 {
		t.Fatalf("paged listing: %d names in %d pages", len(seen), pages)
	}
	f, _ := walk(t, c, r, "file")
	if _, err := c.Getdents(f); err != unix.ENOTDIR {
		t.Fatalf("Getdents(file) = %v, want ENOTDIR", err)
	}
}

func TestStatfs(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{})
	r := attach(t, c)
	st, err := c.Statfs(r)
	if err != nil {
		t.Fatal(err)
	}
	var host unix.Statfs_t
	if err := unix.Statfs(root, &host); err != nil {
		t.Fatal(err)
	}
	if st.Type != uint64(host.Type) || st.Bsize != host.Bsize || st.Namelen != host.Namelen {
		t.Fatalf("Statfs = %+v, host %+v", st, host)
	}
}

// TestProcSelf serves /proc/self, whose entries are magic links: they
// must be reported as symlinks and never opened or walked through.
func TestProcSelf(t *testing.T) {
	c := serve(t, "/proc/self", Config{ReadOnly: true})
	r := attach(t, c)
	for _, name := range []string{"root", "cwd", "exe"} {
		hs, sts, err := c.Walk(r, []string{name, "etc"})
		if err != nil || len(hs) != 1 || sts[0].Mode&unix.S_IFMT != unix.S_IFLNK {
			t.Fatalf("Walk(%s/etc) = %d handles, %v", name, len(hs), err)
		}
		if _, err := c.Open(hs[0], unix.O_RDONLY); err != unix.ELOOP {
			t.Fatalf("Open(%s) = %v, want ELOOP", name, err)
		}
	}
	fd, _ := walk(t, c, r, "fd")
	hs, _, err := c.Walk(fd, []string{"0"})
	if err != nil || len(hs) != 1 {
		t.Fatalf("Walk(fd/0): %v", err)
	}
	if _, err := c.Open(hs[0], unix.O_RDONLY); err != unix.ELOOP {
		t.Fatalf("Open(fd/0) = %v, want ELOOP", err)
	}
}

func TestConcurrent(t *testing.T) {
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			testConcurrent(t, workers)
		})
	}
}

func testConcurrent(t *testing.T, workers int) {
	root := makeTree(t)
	c := serve(t, root, Config{Workers: workers})
	r := attach(t, c)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				path, want := "file", "hello"
				if (g+i)%2 == 0 {
					path, want = "sub", "sub"
				}
				var h proto.Handle
				var err error
				if path == "sub" {
					d, _, err := c.WalkOne(r, "dir")
					if err != nil {
						errs <- err
						return
					}
					h, _, err = c.WalkOne(d, path)
					c.CloseHandle(d)
				} else {
					h, _, err = c.WalkOne(r, path)
				}
				if err != nil {
					errs <- err
					return
				}
				fd, err := c.Open(h, unix.O_RDONLY)
				if err != nil {
					errs <- err
					return
				}
				buf := make([]byte, 16)
				n, _ := unix.Pread(fd, buf, 0)
				unix.Close(fd)
				if string(buf[:n]) != want {
					errs <- unix.EBADMSG
					return
				}
				if err := c.CloseHandle(h); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
